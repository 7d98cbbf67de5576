// A person in Chromium signs an application on the services page: `qoltanba serve` signs it as
// CAdES-T with a timestamp from a TSA that is not ours (`openssl ts -reply`), the portal checks
// the timestamp against the test TSA's root, and the personal account shows the proven time.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startTsa } from "../../../client-js/test/tsa.js";
import {
  REPO, freePort, launchChromium, startPortal, startService,
} from "./processes.js";
import { SUCCESS, logInWithPassword, messageAfter, register, screenshot, textOf } from "./browser.js";

const IIN = "123456789011";
const PASSWORD = "Secret123";
const ACCEPTED = "The signed application was accepted: ";

describe("a signed application's timestamp in the personal account", () => {
  let browser;
  let page;
  let portal;
  let service;
  let tsa;

  before(async () => {
    tsa = await startTsa(REPO);
    const servicePort = await freePort();
    portal = await startPortal({
      signerUrl: `ws://127.0.0.1:${servicePort}/`,
      args: ["--tsa-ca", join(REPO, "certs-test/ca/root.pem")],
    });
    service = await startService({
      port: servicePort, origin: portal.origin, keystore: "individual_sign.p12", tsaUrl: tsa.url,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 800 }, locale: "en-US" });
    page.setDefaultTimeout(15000);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await portal?.stop();
    await tsa?.stop();
  });

  it("shows the time the timestamp of the signed application proves", async () => {
    const registered = await register(page, portal.origin, {
      entity: "individual", password: PASSWORD, email: "user@example.kz",
    });
    assert.equal(registered, SUCCESS);
    assert.equal(await logInWithPassword(page, portal.origin, IIN, PASSWORD), "");
    assert.equal(await textOf(page, "#last-signed"), "None");
    await page.goto(`${portal.origin}/services?lang=en`);
    const before = Date.now();
    const message = await messageAfter(
      page, () => page.getByRole("button", { name: "Sign and send the application" }).click(),
    );
    assert.ok(message.startsWith(ACCEPTED), message);
    const proven = message.slice(ACCEPTED.length);
    // The TSA's genTime: now, to the second (the page writes "YYYY-MM-DD HH:MM:SS UTC").
    const provenMs = Date.parse(proven.replace(" UTC", "Z").replace(" ", "T"));
    assert.ok(Math.abs(provenMs - before) < 120_000, `${proven} is not now`);
    await screenshot(page, "30-application-signed");
    await page.goto(`${portal.origin}/account?lang=en`);
    assert.equal(await textOf(page, "#proven-time"), proven);
    assert.equal(
      await textOf(page, "#last-signed"), `${proven} (signing time proven by the timestamp)`,
    );
    await screenshot(page, "31-account-proven-time");
  });
});
