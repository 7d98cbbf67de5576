// Strings of the UI in Kazakh, Russian and English, from ./i18n/<lang>.json (flat key → text maps,
// also read by the Rust side for the tray and notifications).

export const LANGS = ["kk", "ru", "en"];

let strings = {};
let lang = null;

/** Loads a language's strings and sets <html lang>; an unknown code loads English. */
export async function loadLang(next) {
  const code = LANGS.includes(next) ? next : "en";
  const response = await fetch(`./i18n/${code}.json`);
  if (!response.ok) throw new Error(`i18n/${code}.json: HTTP ${response.status}`);
  strings = await response.json();
  lang = code;
  document.documentElement.lang = code;
  return code;
}

/** The language loaded last (null before the first load). */
export function currentLang() {
  return lang;
}

/** The BCP 47 locale for Intl formatting. */
export function locale() {
  return lang === "kk" ? "kk-KZ" : lang || "en";
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(strings, key);
}

/** The text for key with {name} placeholders filled; the key itself when missing (so tests see it). */
export function t(key, params) {
  const text = has(key) ? strings[key] : key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Plural text: key.one / key.few / key.many / key.other chosen by the language's rules; {count} filled. */
export function tp(key, count, params) {
  const rule = new Intl.PluralRules(locale()).select(count);
  const chosen = has(`${key}.${rule}`) ? `${key}.${rule}` : `${key}.other`;
  return t(chosen, { count: new Intl.NumberFormat(locale()).format(count), ...params });
}

const ATTRIBUTES = [
  ["i18nPlaceholder", "placeholder"],
  ["i18nTitle", "title"],
  ["i18nAriaLabel", "aria-label"],
];

/** Fills data-i18n (text), data-i18n-placeholder, data-i18n-title and data-i18n-aria-label under root. */
export function applyTranslations(root = document) {
  const selector = "[data-i18n],[data-i18n-placeholder],[data-i18n-title],[data-i18n-aria-label]";
  const elements = [...root.querySelectorAll(selector)];
  if (root instanceof Element && root.matches(selector)) elements.push(root);
  for (const el of elements) {
    if (el.dataset.i18n) el.textContent = t(el.dataset.i18n);
    for (const [prop, attr] of ATTRIBUTES) {
      if (el.dataset[prop]) el.setAttribute(attr, t(el.dataset[prop]));
    }
  }
}

/** After a failed start: English strings if none were loaded, so the error can be read. */
export async function ensureStrings() {
  if (currentLang()) return;
  await loadLang("en").catch(() => {});
  applyTranslations(document);
}
