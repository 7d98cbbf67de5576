//! The portal's two pages (login, registration) and the client library they import.

use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse};

use crate::i18n::{Lang, Text};
use crate::{html, LangQuery};

/// The browser library, served from the portal so pages need no build step.
const CLIENT_JS: &str = include_str!("../../client-js/qoltanba.js");

pub async fn client_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        CLIENT_JS,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The texts a page's script shows, as a JSON object keyed by name.
fn texts_json(lang: Lang, names: &[(&str, Text)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|(k, t)| (k.to_string(), t.in_lang(lang).into()))
        .collect();
    // `</` cannot end the script element: JSON allows escaping the slash.
    serde_json::Value::Object(map)
        .to_string()
        .replace("</", "<\\/")
}

fn layout(lang: Lang, title: Text, path: &str, body: &str, script: &str) -> Html<String> {
    let t = |text: Text| escape(text.in_lang(lang));
    let links = [Lang::Kk, Lang::Ru, Lang::En]
        .iter()
        .map(|l| format!("<a href=\"{path}?lang={0}\">{0}</a>", l.code()))
        .collect::<Vec<_>>()
        .join(" | ");
    html(format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title>\
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}.tab{{display:none}}.tab.on{{display:block}}\
label{{display:block;margin:.5em 0}}#message{{margin:1em 0;font-weight:bold}}dialog dt{{font-weight:bold}}</style>\
</head><body><nav>{links}</nav><h1>{title}</h1>{body}<p id=\"message\" role=\"status\"></p>\
<script type=\"module\">{script}</script></body></html>",
        code = lang.code(),
        title = t(title),
    ))
}

pub async fn login_page(Query(q): Query<LangQuery>) -> Html<String> {
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
        "import {{ connect }} from '/qoltanba.js';\
const lang = '{code}';\
const show = (m) => document.getElementById('message').textContent = m;\
const post = async (path, body) => {{ const r = await fetch(path + '?lang=' + lang, {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify(body)}}); return r.json(); }};\
const tab = (on) => {{ document.getElementById('password-form').classList.toggle('on', on === 'password'); document.getElementById('eds-form').classList.toggle('on', on === 'eds'); }};\
document.getElementById('tab-password').onclick = () => tab('password');\
document.getElementById('tab-eds').onclick = () => tab('eds');\
document.getElementById('password-form').onsubmit = async (e) => {{ e.preventDefault();\
 const r = await post('/api/login/password', {{login: document.getElementById('login').value, password: document.getElementById('password').value}}); show(r.message); }};\
document.getElementById('eds-submit').onclick = async () => {{ try {{\
 const {{ challenge }} = await post('/api/challenge', {{}});\
 const client = await connect(); const reply = await client.login(challenge); client.close();\
 const r = await post('/api/login/eds', {{challenge, reply: JSON.stringify(reply)}});\
 if (!r.ok) {{ show(r.message); return; }}\
 const i = r.identity; document.getElementById('d-iin').textContent = i.iin ?? '—'; document.getElementById('d-bin').textContent = i.bin ?? '—';\
 document.getElementById('d-name').textContent = i.fullName ?? ''; document.getElementById('d-validity').textContent = i.validFrom + ' — ' + i.validTo;\
 document.getElementById('identity').showModal(); }} catch (e) {{ show(e.message); }} }};",
        code = lang.code(),
    );
    layout(lang, Text::LoginTitle, "/", &body, &script)
}

pub async fn register_page(Query(q): Query<LangQuery>) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let body = format!(
        "<form id=\"register-form\"><label><input type=\"checkbox\" id=\"agreement\"> {agreement}</label>\
<label><input type=\"radio\" name=\"entity\" value=\"individual\" checked> {individual}</label>\
<label><input type=\"radio\" name=\"entity\" value=\"legal\"> {legal}</label>\
<label>{new_password} <input type=\"password\" id=\"password\" autocomplete=\"new-password\" required></label>\
<label>{confirmation} <input type=\"password\" id=\"confirmation\" autocomplete=\"new-password\" required></label>\
<label>{email} <input type=\"email\" id=\"email\" required></label>\
<button type=\"submit\" id=\"register-submit\">{register}</button></form>",
        agreement = t(Text::AgreementTick),
        individual = t(Text::Individual),
        legal = t(Text::LegalEntity),
        new_password = t(Text::NewPassword),
        confirmation = t(Text::PasswordConfirmation),
        email = t(Text::Email),
        register = t(Text::RegisterWithEds),
    );
    let texts = texts_json(lang, &[("agreementRequired", Text::AgreementRequired)]);
    let script = format!(
        "import {{ connect }} from '/qoltanba.js';\
const lang = '{code}'; const texts = {texts};\
const show = (m) => document.getElementById('message').textContent = m;\
const post = async (path, body) => {{ const r = await fetch(path + '?lang=' + lang, {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify(body)}}); return r.json(); }};\
document.getElementById('register-form').onsubmit = async (e) => {{ e.preventDefault(); try {{\
 if (!document.getElementById('agreement').checked) {{ show(texts.agreementRequired); return; }}\
 const entity = document.querySelector('input[name=entity]:checked').value; const email = document.getElementById('email').value;\
 const {{ challenge }} = await post('/api/challenge', {{}});\
 const client = await connect(); const reply = await client.register({{challenge, email, entity}}); client.close();\
 const r = await post('/api/register', {{agreement: true, entity, email, challenge, reply: JSON.stringify(reply),\
  password: document.getElementById('password').value, passwordConfirmation: document.getElementById('confirmation').value}});\
 show(r.message); }} catch (e) {{ show(e.message); }} }};",
        code = lang.code(),
    );
    layout(lang, Text::RegisterTitle, "/register", &body, &script)
}
