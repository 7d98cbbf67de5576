//! The portal's public pages (login, registration), their layout, and the client library they import.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};

use crate::i18n::{Lang, Text};
use crate::{html, LangQuery, Portal};

/// The browser library, served from the portal so pages need no build step.
const CLIENT_JS: &str = include_str!("../../client-js/qoltanba.js");

pub async fn client_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        CLIENT_JS,
    )
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A value as a JavaScript literal inside a `<script>` element.
fn js_literal(value: serde_json::Value) -> String {
    // `</` cannot end the script element: JSON allows escaping the slash.
    value.to_string().replace("</", "<\\/")
}

/// The texts a page's script shows, as a JSON object keyed by name.
fn texts_json(lang: Lang, names: &[(&str, Text)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|(k, t)| (k.to_string(), t.in_lang(lang).into()))
        .collect();
    js_literal(serde_json::Value::Object(map))
}

/// The script line every EDS page starts with: the client library and where the service listens.
fn import_client(portal: &Portal) -> String {
    format!(
        "import {{ connect }} from '/qoltanba.js'; const signer = {{url: {}}};",
        js_literal(portal.signer_url.as_str().into())
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1b2a3a;background:#f3f6fa}\
header{background:#0b5394;color:#fff;padding:.8em 2em;display:flex;justify-content:space-between;align-items:center}\
header a{color:#fff}header strong{font-size:1.2em}main{max-width:44em;margin:1.5em auto;background:#fff;\
padding:1.5em 2em;border-radius:8px;box-shadow:0 1px 4px #0002}.tab{display:none}.tab.on{display:block}\
label{display:block;margin:.7em 0}input[type=password],input[type=email],input[name=login]{display:block;width:20em;padding:.4em}\
button{background:#0b5394;color:#fff;border:0;border-radius:4px;padding:.5em 1.2em;cursor:pointer}\
#message{margin:1em 0;font-weight:bold}dl{display:grid;grid-template-columns:max-content auto;gap:.3em 1em}\
dt{font-weight:bold}dd{margin:0}dialog{border:0;border-radius:8px;box-shadow:0 4px 24px #0005;padding:1.5em 2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccd;padding:.2em .8em;text-align:left}\
#user-agreement{max-height:10em;overflow-y:auto;border:1px solid #ccd;border-radius:4px;padding:0 1em;font-size:.9em}";

/// One page: the portal's header (languages, and `menu` for logged-in pages) around `body`.
pub(crate) fn layout(
    lang: Lang,
    title: Text,
    path: &str,
    menu: &str,
    body: &str,
    script: &str,
) -> Html<String> {
    let t = |text: Text| escape(text.in_lang(lang));
    let links = [Lang::Kk, Lang::Ru, Lang::En]
        .iter()
        .map(|l| format!("<a href=\"{path}?lang={0}\">{0}</a>", l.code()))
        .collect::<Vec<_>>()
        .join(" | ");
    html(format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{title} — {portal}</title>\
<style>{STYLE}</style></head><body><header><strong>{portal}</strong><nav>{menu} {links}</nav></header>\
<main><h1>{title}</h1>{body}<p id=\"message\" role=\"status\"></p></main>\
<script type=\"module\">{script}</script></body></html>",
        code = lang.code(),
        title = t(title),
        portal = t(Text::PortalName),
    ))
}

pub async fn login_page(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let body = format!(
        "<p><button id=\"tab-password\">{login_tab}</button> <button id=\"tab-eds\">{eds_tab}</button></p>\
<form id=\"password-form\" class=\"tab on\"><label>{login_field} <input name=\"login\" id=\"login\" autocomplete=\"username\" required></label>\
<label>{password} <input type=\"password\" id=\"password\" autocomplete=\"current-password\" required></label>\
<button type=\"submit\" id=\"password-submit\">{sign_in}</button></form>\
<div id=\"eds-form\" class=\"tab\"><button id=\"eds-submit\">{sign_in_eds}</button></div>\
<p><a href=\"/register?lang={code}\">{register}</a></p>\
<dialog id=\"identity\"><dl><dt>{iin}</dt><dd id=\"d-iin\"></dd><dt>{bin}</dt><dd id=\"d-bin\"></dd>\
<dt>{full_name}</dt><dd id=\"d-name\"></dd><dt>{validity}</dt><dd id=\"d-validity\"></dd></dl>\
<button id=\"personal\">{personal}</button> <button id=\"services\">{services}</button></dialog>",
        login_tab = t(Text::LoginTab),
        eds_tab = t(Text::EdsTab),
        login_field = t(Text::LoginField),
        password = t(Text::Password),
        sign_in = t(Text::SignIn),
        sign_in_eds = t(Text::SignInWithEds),
        register = t(Text::RegisterTitle),
        iin = t(Text::Iin),
        bin = t(Text::Bin),
        full_name = t(Text::FullName),
        validity = t(Text::Validity),
        personal = t(Text::PersonalAccount),
        services = t(Text::Services),
        code = lang.code(),
    );
    let script = format!(
        "{import}\
const lang = '{code}';\
const show = (m) => document.getElementById('message').textContent = m;\
const post = async (path, body) => {{ const r = await fetch(path + '?lang=' + lang, {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify(body)}}); return r.json(); }};\
const go = (path) => {{ location.href = path + '?lang=' + lang; }};\
document.getElementById('personal').onclick = () => go('/account');\
document.getElementById('services').onclick = () => go('/services');\
const tab = (on) => {{ document.getElementById('password-form').classList.toggle('on', on === 'password'); document.getElementById('eds-form').classList.toggle('on', on === 'eds'); }};\
document.getElementById('tab-password').onclick = () => tab('password');\
document.getElementById('tab-eds').onclick = () => tab('eds');\
document.getElementById('password-form').onsubmit = async (e) => {{ e.preventDefault();\
 const r = await post('/api/login/password', {{login: document.getElementById('login').value, password: document.getElementById('password').value}});\
 if (r.ok) go('/account'); else show(r.message); }};\
document.getElementById('eds-submit').onclick = async () => {{ try {{\
 const {{ challenge }} = await post('/api/challenge', {{}});\
 const client = await connect(signer); const reply = await client.login(challenge); client.close();\
 const r = await post('/api/login/eds', {{challenge, reply: JSON.stringify(reply)}});\
 if (!r.ok) {{ show(r.message); return; }}\
 const i = r.identity; document.getElementById('d-iin').textContent = i.iin ?? '—'; document.getElementById('d-bin').textContent = i.bin ?? '—';\
 document.getElementById('d-name').textContent = i.fullName ?? ''; document.getElementById('d-validity').textContent = i.validFrom + ' — ' + i.validTo;\
 document.getElementById('identity').showModal(); }} catch (e) {{ show(e.message); }} }};",
        import = import_client(&portal),
        code = lang.code(),
    );
    layout(lang, Text::LoginTitle, "/", "", &body, &script)
}

pub async fn register_page(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let body = format!(
        "<section id=\"user-agreement\"><h2>{agreement_title}</h2><p>{agreement_text}</p></section>\
<form id=\"register-form\"><label><input type=\"checkbox\" id=\"agreement\"> {agreement}</label>\
<label><input type=\"radio\" name=\"entity\" value=\"individual\" checked> {individual}</label>\
<label><input type=\"radio\" name=\"entity\" value=\"legal\"> {legal}</label>\
<label>{new_password} <input type=\"password\" id=\"password\" autocomplete=\"new-password\" required></label>\
<label>{confirmation} <input type=\"password\" id=\"confirmation\" autocomplete=\"new-password\" required></label>\
<label>{email} <input type=\"email\" id=\"email\" required></label>\
<button type=\"submit\" id=\"register-submit\">{register}</button></form>\
<p><a href=\"/?lang={code}\">{log_in}</a></p>",
        agreement_title = t(Text::AgreementTitle),
        agreement_text = t(Text::AgreementText),
        agreement = t(Text::AgreementTick),
        individual = t(Text::Individual),
        legal = t(Text::LegalEntity),
        new_password = t(Text::NewPassword),
        confirmation = t(Text::PasswordConfirmation),
        email = t(Text::Email),
        register = t(Text::RegisterWithEds),
        log_in = t(Text::LogIn),
        code = lang.code(),
    );
    let texts = texts_json(lang, &[("agreementRequired", Text::AgreementRequired)]);
    let script = format!(
        "{import}\
const lang = '{code}'; const texts = {texts};\
const show = (m) => document.getElementById('message').textContent = m;\
const post = async (path, body) => {{ const r = await fetch(path + '?lang=' + lang, {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify(body)}}); return r.json(); }};\
document.getElementById('register-form').onsubmit = async (e) => {{ e.preventDefault(); try {{\
 if (!document.getElementById('agreement').checked) {{ show(texts.agreementRequired); return; }}\
 const entity = document.querySelector('input[name=entity]:checked').value; const email = document.getElementById('email').value;\
 const {{ challenge }} = await post('/api/challenge', {{}});\
 const client = await connect(signer); const reply = await client.register({{challenge, email, entity}}); client.close();\
 const r = await post('/api/register', {{agreement: true, entity, email, challenge, reply: JSON.stringify(reply),\
  password: document.getElementById('password').value, passwordConfirmation: document.getElementById('confirmation').value}});\
 show(r.message); }} catch (e) {{ show(e.message); }} }};",
        import = import_client(&portal),
        code = lang.code(),
    );
    layout(lang, Text::RegisterTitle, "/register", "", &body, &script)
}
