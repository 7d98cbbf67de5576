// What every page's script needs: the page's settings (from the body's data attributes, since
// the Content-Security-Policy allows no inline script) and the API call.
export const settings = document.body.dataset;
export const lang = settings.lang;
// connect() explains a failed connection (not running, blocked by the browser, untrusted
// certificate, port taken) in the page language; login.js and register.js show error.message.
export const signer = { url: settings.signer, locale: lang };
export const texts = JSON.parse(settings.texts ?? "{}");

export const byId = (id) => document.getElementById(id);

/** Shows `message` on the page; a web address in it (the guide's refusal names one) is a link. */
export function show(message) {
  const box = byId("message");
  box.replaceChildren();
  String(message ?? "").split(/(https?:\/\/[^\s]+)/).forEach((part, i) => {
    if (i % 2 === 0) { box.append(part); return; }
    const link = document.createElement("a");
    link.href = part;
    link.textContent = part;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    box.append(link);
  });
}

/** A form's success: the form gives way to the `#done` section, which follows the message. */
export function finish(form) {
  byId(form).reset();
  byId(form).hidden = true;
  byId("other-ways").hidden = true;
  byId("done").before(byId("message"));
  byId("done").hidden = false;
}

export const go = (path) => { location.href = path + "?lang=" + lang; };

/** POSTs `body` as JSON to the portal's API and answers the reply's JSON with its HTTP `status`. */
export async function post(path, body) {
  const response = await fetch(path + "?lang=" + lang, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...(await response.json()) };
}
