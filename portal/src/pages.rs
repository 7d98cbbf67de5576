//! The portal's public pages (login, registration), their layout, and the client library they import.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::{Lang, Text};
use crate::{html, LangQuery, Portal};

/// The browser library, served from the portal so pages need no build step.
const CLIENT_JS: &str = include_str!("../../client-js/qoltanba.js");

/// The pages' own scripts and style: files, because the Content-Security-Policy allows no inline
/// script or style.
const STATIC_FILES: &[(&str, &str, &str)] = &[
    (
        "portal.css",
        "text/css; charset=utf-8",
        include_str!("../static/portal.css"),
    ),
    ("common.js", JS, include_str!("../static/common.js")),
    ("login.js", JS, include_str!("../static/login.js")),
    ("register.js", JS, include_str!("../static/register.js")),
    ("session.js", JS, include_str!("../static/session.js")),
    ("services.js", JS, include_str!("../static/services.js")),
    (
        "password-eds.js",
        JS,
        include_str!("../static/password-eds.js"),
    ),
    (
        "password-email.js",
        JS,
        include_str!("../static/password-email.js"),
    ),
];
const JS: &str = "text/javascript; charset=utf-8";

pub async fn client_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, JS)], CLIENT_JS)
}

/// `GET /static/NAME`: one of [`STATIC_FILES`].
pub async fn static_file(Path(name): Path<String>) -> Response {
    match STATIC_FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind)], *body).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) fn escape(text: &str) -> String {
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
    serde_json::Value::Object(map).to_string()
}

/// What a page's script reads from the body's data attributes.
pub(crate) struct PageData<'a> {
    /// `/static/NAME.js`, the page's script.
    pub script: &'a str,
    /// Where the signing service listens, for pages that sign.
    pub signer: Option<&'a str>,
    /// JSON object of texts the script shows.
    pub texts: Option<String>,
}

/// Pages without a script of their own load only the shared one.
pub(crate) const NO_SCRIPT: PageData<'static> = PageData {
    script: "common",
    signer: None,
    texts: None,
};

/// One page: the portal's header (languages, and `menu` for logged-in pages) around `body`.
pub(crate) fn layout(
    lang: Lang,
    title: Text,
    path: &str,
    menu: &str,
    body: &str,
    data: &PageData<'_>,
) -> Html<String> {
    let t = |text: Text| escape(text.in_lang(lang));
    let links = [Lang::Kk, Lang::Ru, Lang::En]
        .iter()
        .map(|l| format!("<a href=\"{path}?lang={0}\">{0}</a>", l.code()))
        .collect::<Vec<_>>()
        .join(" | ");
    let mut attributes = format!(" data-lang=\"{}\"", lang.code());
    if let Some(signer) = data.signer {
        attributes.push_str(&format!(" data-signer=\"{}\"", escape(signer)));
    }
    if let Some(texts) = &data.texts {
        attributes.push_str(&format!(" data-texts=\"{}\"", escape(texts)));
    }
    html(format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{title} — {portal}</title>\
<link rel=\"stylesheet\" href=\"/static/portal.css\"></head><body{attributes}><header><strong>{portal}</strong><nav>{menu} {links}</nav></header>\
<main><h1>{title}</h1>{body}<p id=\"message\" role=\"status\"></p></main>\
<script type=\"module\" src=\"/static/{script}.js\"></script></body></html>",
        code = lang.code(),
        title = t(title),
        portal = t(Text::PortalName),
        script = data.script,
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
<button type=\"submit\" id=\"password-submit\">{sign_in}</button>\
<p><a href=\"/password?lang={code}\">{forgot}</a></p></form>\
<div id=\"eds-form\" class=\"tab\"><button id=\"eds-submit\">{sign_in_eds}</button></div>\
<p><a href=\"/register?lang={code}\">{register}</a></p>\
<p class=\"instruction\"><a href=\"/help?lang={code}\">{instruction}</a></p>\
<dialog id=\"identity\"><dl><dt>{iin}</dt><dd id=\"d-iin\"></dd><dt>{bin}</dt><dd id=\"d-bin\"></dd>\
<dt>{full_name}</dt><dd id=\"d-name\"></dd><dt>{validity}</dt><dd id=\"d-validity\"></dd></dl>\
<button id=\"personal\">{personal}</button> <button id=\"services\">{services}</button></dialog>",
        login_tab = t(Text::LoginTab),
        eds_tab = t(Text::EdsTab),
        login_field = t(Text::LoginField),
        password = t(Text::Password),
        sign_in = t(Text::SignIn),
        sign_in_eds = t(Text::SignInWithEds),
        forgot = t(Text::ForgotPassword),
        register = t(Text::RegisterTitle),
        instruction = t(Text::AuthInstruction),
        iin = t(Text::Iin),
        bin = t(Text::Bin),
        full_name = t(Text::FullName),
        validity = t(Text::Validity),
        personal = t(Text::PersonalAccount),
        services = t(Text::Services),
        code = lang.code(),
    );
    let data = PageData {
        script: "login",
        signer: Some(&portal.signer_url),
        texts: None,
    };
    layout(lang, Text::LoginTitle, "/", "", &body, &data)
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
    let data = PageData {
        script: "register",
        signer: Some(&portal.signer_url),
        texts: Some(texts),
    };
    layout(lang, Text::RegisterTitle, "/register", "", &body, &data)
}
