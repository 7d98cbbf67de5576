// IINs the portal may not register (the refusal list) see the guide's two refusals word for
// word when they register with EDS in Chromium, and the department's web address is a link.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { freePort, launchChromium, startPortal, startService } from "./processes.js";
import { register, screenshot } from "./browser.js";

const PSC = "It is not possible to create an account using the entered IIN. For explanations, it is necessary to contact the department of documentation of the population in the PSC";
const CLS = "It is not possible to create an account using the entered IIN value. For explanations, it is necessary to contact the Department of the Committee on Legal Statistics and Special Accounts of the Prosecutor General's Office of the Republic of Kazakhstan http://www.pravstat.kz";
const CLS_RU = "Невозможно создать учетную запись по введенному значению ИИН. За разъяснениями необходимо обратиться в Управление Комитета по правовой статистике и специальным учетам Генеральной прокуратуры Республики Казахстан http://www.pravstat.kz";

describe("flagged IINs see the guide's refusals in Chromium", () => {
  let browser;
  let page;
  let portal;
  let servicePort;
  let service;

  async function serviceWith(keystore) {
    await service?.stop();
    service = await startService({ port: servicePort, origin: portal.origin, keystore });
  }

  before(async () => {
    servicePort = await freePort();
    // The individual's IIN is on the PSC's list, the legal entity's head's on the Committee's.
    portal = await startPortal({
      signerUrl: `ws://127.0.0.1:${servicePort}/`,
      refusals: ["123456789011=psc", "123456789022=cls"],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 800 }, locale: "en-US" });
    page.setDefaultTimeout(15000);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await portal?.stop();
  });

  it("an IIN flagged for the PSC sees the documentation department's refusal", async () => {
    await serviceWith("individual_sign.p12");
    const said = await register(page, portal.origin, { entity: "individual", password: "Secret123", email: "user@example.kz" });
    assert.equal(said, PSC);
    await screenshot(page, "30-refused-psc");
  });

  it("an IIN flagged by the Committee sees its refusal, with pravstat.kz as a link", async () => {
    await serviceWith("legal_ceo_sign.p12");
    const said = await register(page, portal.origin, { entity: "legal", password: "Secret123", email: "ceo@example.kz" });
    assert.equal(said, CLS);
    const link = page.locator("#message a");
    assert.equal(await link.getAttribute("href"), "http://www.pravstat.kz");
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    await screenshot(page, "31-refused-cls");
  });

  it("the Russian page words the Committee's refusal in Russian", async () => {
    await page.goto(`${portal.origin}/register?lang=ru`);
    await page.locator("#agreement").check();
    await page.locator("input[name=entity][value=legal]").check();
    await page.locator("#password").fill("Secret123");
    await page.locator("#confirmation").fill("Secret123");
    await page.locator("#email").fill("ceo@example.kz");
    await page.locator("#register-submit").click();
    await page.locator("#message:not(:empty)").waitFor();
    assert.equal((await page.locator("#message").textContent()).trim(), CLS_RU);
    await screenshot(page, "32-refused-cls-ru");
  });
});
