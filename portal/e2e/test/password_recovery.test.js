// A person who forgot their password clicks through the guide's two ways in Chromium: by EDS
// (Qoltanba signs the change request) and by e-mail (the new password arrives at a test SMTP
// server), then logs in with the new password; the lockout after ten failures, and the
// authorization error for an unknown user, as the guide words them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  KEYSTORES, freePort, launchChromium, startPortal, startService,
} from "./processes.js";
import { startSmtpServer } from "./mail.js";
import {
  SUCCESS, logInWithPassword, messageAfter, register, screenshot, textOf,
} from "./browser.js";

const IIN = "123456789011";
const PASSWORD = "Secret123";
const NEW_PASSWORD = "Changed456";
const EMAIL = "user@example.kz";
const CEO_EMAIL = "ceo@example.kz";
const DOCUMENT = { number: "N12345678", issued: "2015-03-20" };
const REGISTRATION_NUMBER = "REG-0001";

const AUTHORIZATION_ERROR = "Authorization error: incorrect login or password entered";
const BLOCKED = "Login with the login password for this IIN/BIN is temporarily blocked. You can log in to the Portal using an EDS, an EDS on a SIM card or a One-time password";
const NO_MATCH = "The data entered do not match the portal's records";
const SENT = "A new password has been sent to your registered e-mail";

/** The legal entity's BIN, read from its certificate (OU=BIN…), not hard-coded. */
function legalBin() {
  const certificate = new X509Certificate(readFileSync(join(KEYSTORES, "legal_ceo_sign.cer")));
  return /OU=BIN(\d{12})/.exec(certificate.subject)[1];
}

/** The password a recovery mail carries (its body is "Password: …"). */
function passwordIn(mail) {
  const match = /^Password: (\S+)$/m.exec(mail.text);
  assert.ok(match, `no password in the mail: ${mail.text}`);
  return match[1];
}

describe("a forgotten password, the lockout and an unknown user in Chromium", () => {
  const BIN = legalBin();
  let browser;
  let page;
  let portal;
  let smtp;
  let servicePort;
  let service;

  async function serviceWith(keystore) {
    await service?.stop();
    service = await startService({ port: servicePort, origin: portal.origin, keystore });
  }

  const shot = (name) => screenshot(page, name);

  async function logOut() {
    await page.getByRole("link", { name: "Log out" }).click();
    await page.waitForURL(/\/\?lang=en$/);
  }

  before(async () => {
    smtp = await startSmtpServer();
    servicePort = await freePort();
    portal = await startPortal({
      signerUrl: `ws://127.0.0.1:${servicePort}/`,
      smtp: smtp.url,
      documents: [`${IIN}=${DOCUMENT.number}@${DOCUMENT.issued}`, `${BIN}=${REGISTRATION_NUMBER}`],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 800 }, locale: "en-US" });
    page.setDefaultTimeout(15000);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await portal?.stop();
    await smtp?.close();
  });

  it("the login page has 'Forgot your password?' and the User Authorization Instruction under both forms", async () => {
    await page.goto(`${portal.origin}/?lang=en`);
    const forgot = page.getByRole("link", { name: "Forgot your password?" });
    const instruction = page.getByRole("link", { name: "User Authorization Instruction" });
    assert.ok(await forgot.isVisible());
    assert.ok(await instruction.isVisible());
    await shot("10-login-password-tab");
    await page.getByRole("button", { name: "EDS", exact: true }).click();
    assert.ok(await page.getByRole("button", { name: "Log in with EDS" }).isVisible());
    assert.ok(await instruction.isVisible(), "the instruction is under the EDS form too");
    await shot("11-login-eds-tab");
  });

  it("the User Authorization Instruction explains EDS login, a blocked local connection and an untrusted certificate, in three languages", async () => {
    await page.getByRole("link", { name: "User Authorization Instruction" }).click();
    await page.waitForURL(/\/help\?lang=en$/);
    assert.equal(await page.locator("h1").textContent(), "User Authorization Instruction");
    for (const heading of [
      "Logging in with EDS through Qoltanba",
      "If the browser blocks access to apps on this device",
      "If the local certificate is not trusted",
    ]) {
      assert.ok(await page.getByRole("heading", { name: heading }).isVisible(), heading);
    }
    assert.match(await textOf(page, "#help-trust"), /Trust the local certificate/);
    await shot("12-instruction-en");
    await page.getByRole("link", { name: "kk", exact: true }).click();
    await page.waitForURL(/\/help\?lang=kk$/);
    assert.equal(await page.locator("h1").textContent(), "Пайдаланушыны авторизациялау нұсқаулығы");
    await page.getByRole("link", { name: "ru", exact: true }).click();
    await page.waitForURL(/\/help\?lang=ru$/);
    assert.equal(await page.locator("h1").textContent(), "Инструкция по авторизации пользователя");
    assert.match(await textOf(page, "#help-blocked"), /Разрешить/);
    await shot("13-instruction-ru");
  });

  it("an individual and a legal entity register with EDS", async () => {
    await serviceWith("individual_sign.p12");
    assert.equal(await register(page, portal.origin, { entity: "individual", password: PASSWORD, email: EMAIL }), SUCCESS);
    await serviceWith("legal_ceo_sign.p12");
    assert.equal(await register(page, portal.origin, { entity: "legal", password: PASSWORD, email: CEO_EMAIL }), SUCCESS);
  });

  it("changes the password by EDS, then the new password opens the account and the old one does not", async () => {
    await serviceWith("individual_auth.p12");
    await page.goto(`${portal.origin}/?lang=en`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL(/\/password\?lang=en$/);
    assert.equal(await page.locator("h1").textContent(), "Password change");
    assert.ok(await page.getByRole("link", { name: "Change password by e-mail" }).isVisible());
    await shot("14-password-change-ways");
    await page.getByRole("link", { name: "Change password by EDS" }).click();
    await page.waitForURL(/\/password\/eds\?lang=en$/);
    const form = page.locator("#change-form");
    assert.ok(!(await form.isVisible()), "the form comes after the signature");
    await shot("15-change-by-eds-select-certificate");
    await page.getByRole("button", { name: "Select certificate" }).click();
    await page.locator("#change-form:visible, #message:not(:empty)").first().waitFor();
    assert.ok(await form.isVisible(), `no password form; the page says: ${await page.locator("#message").textContent()}`);
    assert.ok(await page.getByText("The password change request is signed. Enter the new password.").isVisible());
    // A mistyped confirmation is said, and the signed request still stands for the retry.
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByLabel("Password confirmation").fill(`${NEW_PASSWORD}x`);
    const mistyped = await messageAfter(page, () => page.getByRole("button", { name: "Change password" }).click());
    assert.equal(mistyped, "The password and its confirmation do not match");
    assert.ok(await form.isVisible());
    await page.getByLabel("Password confirmation").fill(NEW_PASSWORD);
    await shot("16-change-by-eds-form");
    const sent = page.waitForRequest((r) => r.url().includes("/api/password/eds"));
    const said = await messageAfter(page, () => page.getByRole("button", { name: "Change password" }).click());
    assert.equal(said, "The password was changed successfully");
    // Qoltanba signed its own "change your password" action, not a login.
    assert.equal(JSON.parse((await sent).postDataJSON().reply).action, "change-password");
    assert.equal(
      await textOf(page, "#done-hint"),
      "To log in to the portal with the new password, enter your IIN/BIN and the new password on the authorization page.",
    );
    await shot("17-changed-by-eds");

    await page.locator("#done").getByRole("link", { name: "Log in" }).click();
    await page.waitForURL(/\/\?lang=en$/);
    assert.equal(await logInWithPassword(page, portal.origin, IIN, PASSWORD), AUTHORIZATION_ERROR);
    assert.equal(await logInWithPassword(page, portal.origin, IIN, NEW_PASSWORD), "");
    assert.equal(await textOf(page, "#iin"), IIN);
    await shot("18-account-after-new-password");
    await logOut();
  });

  it("recovery by e-mail with data that do not match says so without naming the field, and mails nothing", async () => {
    await page.goto(`${portal.origin}/password?lang=en`);
    await page.getByRole("link", { name: "Change password by e-mail" }).click();
    await page.waitForURL(/\/password\/email\?lang=en$/);
    assert.ok(await page.getByText("Select the type of user").isVisible());
    await page.getByLabel("Individual").check();
    await page.getByLabel("IIN", { exact: true }).fill(IIN);
    await page.getByLabel("Document number").fill("N00000000");
    await page.getByLabel("Date of issue").fill(DOCUMENT.issued);
    const said = await messageAfter(page, () => page.getByRole("button", { name: "Get a new password" }).click());
    assert.equal(said, NO_MATCH);
    assert.doesNotMatch(said, /document|IIN|date/i);
    assert.equal(smtp.received.length, 0);
    await shot("19-recovery-by-email-no-match");
  });

  it("recovers an individual's password by e-mail: the password that arrived opens the account", async () => {
    await page.goto(`${portal.origin}/password/email?lang=en`);
    await page.getByLabel("Individual").check();
    await page.getByLabel("IIN", { exact: true }).fill(IIN);
    await page.getByLabel("Document number").fill(DOCUMENT.number);
    await page.getByLabel("Date of issue").fill(DOCUMENT.issued);
    await shot("20-recovery-by-email-individual");
    const said = await messageAfter(page, () => page.getByRole("button", { name: "Get a new password" }).click());
    assert.equal(said, SENT);
    assert.ok(!(await page.locator("#recovery-form").isVisible()));
    await shot("21-recovery-by-email-sent");

    const { to, mail } = await smtp.message(0);
    assert.deepEqual(to, [EMAIL]);
    const mailed = passwordIn(mail);
    await page.locator("#done").getByRole("link", { name: "Log in" }).click();
    await page.waitForURL(/\/\?lang=en$/);
    assert.equal(await logInWithPassword(page, portal.origin, IIN, NEW_PASSWORD), AUTHORIZATION_ERROR);
    assert.equal(await logInWithPassword(page, portal.origin, IIN, mailed), "");
    assert.equal(await textOf(page, "#iin"), IIN);
    await logOut();
  });

  it("recovers a legal entity's password by e-mail with BIN and registration number", async () => {
    await page.goto(`${portal.origin}/password/email?lang=en`);
    await page.getByLabel("Legal entity").check();
    assert.ok(!(await page.getByLabel("Document number").isVisible()), "an individual's fields are gone");
    await page.getByLabel("BIN", { exact: true }).fill(BIN);
    await page.getByLabel("Registration number").fill(REGISTRATION_NUMBER);
    await shot("22-recovery-by-email-legal");
    const said = await messageAfter(page, () => page.getByRole("button", { name: "Get a new password" }).click());
    assert.equal(said, SENT);

    const { to, mail } = await smtp.message(1);
    assert.deepEqual(to, [CEO_EMAIL]);
    assert.equal(await logInWithPassword(page, portal.origin, BIN, passwordIn(mail)), "");
    assert.equal(await textOf(page, "#bin"), BIN);
    assert.equal(await textOf(page, "#kind"), "Legal entity");
    await shot("23-account-legal-entity");
    await logOut();
  });

  it("an unknown user sees the guide's authorization error", async () => {
    assert.equal(await logInWithPassword(page, portal.origin, "999999999999", PASSWORD), AUTHORIZATION_ERROR);
    await shot("24-unknown-user");
  });

  it("ten wrong passwords show the block message; the eleventh, correct, is refused too; EDS login still works", async () => {
    const { mail } = await smtp.message(0);
    const current = passwordIn(mail);
    for (let attempt = 1; attempt <= 9; attempt++) {
      assert.equal(await logInWithPassword(page, portal.origin, IIN, `Wrong${attempt}xyz`), AUTHORIZATION_ERROR, `attempt ${attempt}`);
    }
    assert.equal(await logInWithPassword(page, portal.origin, IIN, "Wrong10xyz"), BLOCKED);
    await shot("25-blocked-after-ten-failures");
    assert.equal(await logInWithPassword(page, portal.origin, IIN, current), BLOCKED);
    assert.equal(new URL(page.url()).pathname, "/");

    await page.getByRole("button", { name: "EDS", exact: true }).click();
    await page.locator("#message").evaluate((m) => { m.textContent = ""; });
    await page.getByRole("button", { name: "Log in with EDS" }).click();
    const dialog = page.locator("dialog#identity");
    await page.locator("dialog#identity[open], #message:not(:empty)").first().waitFor();
    assert.ok(await dialog.isVisible(), `no identity dialog; the page says: ${await page.locator("#message").textContent()}`);
    assert.equal(await textOf(page, "#d-iin"), IIN);
    await shot("26-eds-login-while-blocked");
    await dialog.getByRole("button", { name: "Personal account" }).click();
    await page.waitForURL(/\/account\?lang=en$/);
    assert.equal(await textOf(page, "#iin"), IIN);
  });
});
