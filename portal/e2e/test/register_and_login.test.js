// A person in Chromium registers on the reference portal with an EDS and logs in with it, while
// `qoltanba serve` answers the page as that person would (the scripted prompt picks the keystore
// and types its password). The steps run in order and share one browser and one portal.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  KEYSTORES, freePort, launchChromium, startPortal, startService,
} from "./processes.js";
import { SUCCESS, screenshot as screenshotOf, textOf } from "./browser.js";

const IIN = "123456789011";
const PASSWORD = "Secret123";

/** The AUTH certificate's common name and validity dates, read from the file, not hard-coded. */
function authCertificate() {
  const certificate = new X509Certificate(readFileSync(join(KEYSTORES, "individual_auth.cer")));
  const day = (text) => new Date(text).toISOString().slice(0, 10);
  const commonName = /CN=([^\n]+)/.exec(certificate.subject)[1];
  return { commonName, validity: `${day(certificate.validFrom)} — ${day(certificate.validTo)}` };
}

describe("registration and login with EDS in Chromium", () => {
  let browser;
  let page;
  let portal;
  let servicePort;
  let service;

  /** Restarts the local service with another keystore, as a person picks another file. */
  async function serviceWith(keystore) {
    await service?.stop();
    service = await startService({ port: servicePort, origin: portal.origin, keystore });
  }

  const screenshot = (name) => screenshotOf(page, name);

  before(async () => {
    servicePort = await freePort();
    portal = await startPortal({ signerUrl: `ws://127.0.0.1:${servicePort}/` });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 800 }, locale: "en-US" });
    // A step that cannot happen fails in seconds, not after Playwright's default 30.
    page.setDefaultTimeout(15000);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await portal?.stop();
  });

  it("the registration page says so when Qoltanba is not running", async () => {
    await page.goto(`${portal.origin}/register?lang=en`);
    await page.getByLabel("The User confirms that he is familiar with all the clauses of this Agreement and unconditionally accepts them").check();
    await page.getByLabel("New password").fill(PASSWORD);
    await page.getByLabel("Password confirmation").fill(PASSWORD);
    await page.getByLabel("E-mail").fill("user@example.kz");
    await page.getByRole("button", { name: "Register with EDS" }).click();
    assert.match(await textOf(page, "#message"), /^Qoltanba is not running/);
    await screenshot("01-register-not-running");
  });

  it("registers an individual with the SIGN certificate", async () => {
    await serviceWith("individual_sign.p12");
    await page.goto(`${portal.origin}/register?lang=en`);
    assert.equal(await page.locator("h1").textContent(), "Registration");
    assert.ok(await page.getByRole("heading", { name: "User Agreement" }).isVisible());
    await page.getByLabel("The User confirms that he is familiar with all the clauses of this Agreement and unconditionally accepts them").check();
    await page.getByLabel("Individual").check();
    await page.getByLabel("New password").fill(PASSWORD);
    await page.getByLabel("Password confirmation").fill(PASSWORD);
    await page.getByLabel("E-mail").fill("user@example.kz");
    await page.getByRole("button", { name: "Register with EDS" }).click();
    assert.equal(await textOf(page, "#message"), SUCCESS);
    await screenshot("02-registered");
  });

  it("logs in with the AUTH certificate and shows IIN, BIN, full name and validity", async () => {
    await serviceWith("individual_auth.p12");
    await page.goto(`${portal.origin}/?lang=en`);
    await page.getByRole("button", { name: "EDS", exact: true }).click();
    await page.getByRole("button", { name: "Log in with EDS" }).click();
    const dialog = page.locator("dialog#identity");
    await page.locator("dialog#identity[open], #message:not(:empty)").first().waitFor();
    assert.ok(await dialog.isVisible(), `no identity dialog; the page says: ${await page.locator("#message").textContent()}`);
    const { commonName, validity } = authCertificate();
    assert.equal(await textOf(page, "#d-iin"), IIN);
    assert.equal(await textOf(page, "#d-bin"), "—");
    assert.match(await textOf(page, "#d-name"), new RegExp(`^${commonName}`));
    assert.equal(await textOf(page, "#d-validity"), validity);
    assert.ok(await dialog.getByRole("button", { name: "Personal account" }).isVisible());
    assert.ok(await dialog.getByRole("button", { name: "Services" }).isVisible());
    await screenshot("03-login-dialog");
  });

  it("Personal account shows the logged-in identity and the EDS login", async () => {
    await page.locator("dialog#identity").getByRole("button", { name: "Personal account" }).click();
    await page.waitForURL(/\/account\?lang=en$/);
    assert.equal(await page.locator("h1").textContent(), "Personal account");
    assert.equal(await textOf(page, "#iin"), IIN);
    assert.equal(await textOf(page, "#kind"), "Individual");
    assert.equal(await textOf(page, "#validity"), authCertificate().validity);
    assert.match(await textOf(page, "#logins"), /EDS\s*127\.0\.0\.1/);
    await screenshot("04-personal-account");
  });

  it("Services lists the portal's services", async () => {
    await page.getByRole("link", { name: "Services" }).click();
    await page.waitForURL(/\/services\?lang=en$/);
    assert.equal(await page.locator("h1").textContent(), "Services");
    assert.match(await textOf(page, "#citizen-services"), /Certificate of the presence or absence of a criminal record/);
    await screenshot("05-services");
  });

  it("Log out ends the session: the personal account leads back to login", async () => {
    await page.getByRole("link", { name: "Log out" }).click();
    await page.waitForURL(/\/\?lang=en$/);
    await page.goto(`${portal.origin}/account?lang=en`);
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(await page.locator("h1").textContent(), "Log in to the Portal");
  });
});
