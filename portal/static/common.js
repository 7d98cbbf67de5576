// What every page's script needs: the page's settings (from the body's data attributes, since
// the Content-Security-Policy allows no inline script) and the API call.
export const settings = document.body.dataset;
export const lang = settings.lang;
// connect() explains a failed connection (not running, blocked by the browser, untrusted
// certificate, port taken) in the page language; login.js and register.js show error.message.
export const signer = { url: settings.signer, locale: lang };
export const texts = JSON.parse(settings.texts ?? "{}");

export const byId = (id) => document.getElementById(id);
export const show = (message) => { byId("message").textContent = message; };
export const go = (path) => { location.href = path + "?lang=" + lang; };

/** POSTs `body` as JSON to the portal's API and answers the reply's JSON. */
export async function post(path, body) {
  const response = await fetch(path + "?lang=" + lang, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}
