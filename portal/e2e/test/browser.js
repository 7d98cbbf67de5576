// What the browser tests share: where screenshots go, reading what the page shows, and the
// registration a person clicks through before anything else.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./processes.js";

/** Where the screenshots go (git-ignored); E2E_SCREENSHOTS overrides. */
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS ?? join(REPO, "portal/e2e/screenshots");

export const SUCCESS = "Congratulations, you have successfully registered on the web Portal of the \"Electronic Government\" of the Republic of Kazakhstan";
export const AGREEMENT = "The User confirms that he is familiar with all the clauses of this Agreement and unconditionally accepts them";

/** Saves a full-page PNG of what the person sees now, as `NAME.png`. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The visible text of `selector` once the page has put something there. */
export async function textOf(page, selector) {
  const locator = page.locator(selector);
  await locator.waitFor({ state: "visible" });
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.trim() !== "", selector);
  return (await locator.textContent()).trim();
}

/**
 * The page's message after `action`: the old one is cleared first, so a repeated message is
 * still waited for.
 */
export async function messageAfter(page, action) {
  await page.locator("#message").evaluate((m) => { m.textContent = ""; });
  await action();
  return textOf(page, "#message");
}

/** Fills the English registration form and clicks "Register with EDS"; answers the message. */
export async function register(page, origin, { entity, password, email }) {
  await page.goto(`${origin}/register?lang=en`);
  await page.getByLabel(AGREEMENT).check();
  await page.getByLabel(entity === "legal" ? "Legal entity" : "Individual").check();
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("Password confirmation").fill(password);
  await page.getByLabel("E-mail").fill(email);
  return messageAfter(page, () => page.getByRole("button", { name: "Register with EDS" }).click());
}

/** Logs in with IIN/BIN (or e-mail) and password on the English login page; answers the message or "". */
export async function logInWithPassword(page, origin, login, password) {
  if (!page.url().startsWith(`${origin}/?`)) await page.goto(`${origin}/?lang=en`);
  await page.getByLabel("IIN, BIN or e-mail").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.locator("#message").evaluate((m) => { m.textContent = ""; });
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  return Promise.race([
    page.waitForURL(/\/account\?/).then(() => ""),
    page.locator("#message:not(:empty)").waitFor().then(() => textOf(page, "#message")),
  ]);
}
