//! The "Forgot your password?" pages: the two ways the guide describes (by EDS, by e-mail), each
//! a form over its JSON endpoint in `recovery.rs`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Html;

use crate::i18n::{Lang, Text};
use crate::pages::{escape, layout, PageData, NO_SCRIPT};
use crate::{LangQuery, Portal};

/// After a change: the guide's hint and the way back to the login page.
fn done_section(lang: Lang) -> String {
    let t = |text: Text| escape(text.in_lang(lang));
    format!(
        "<section id=\"done\" hidden><p id=\"done-hint\">{hint}</p><p><a class=\"button\" href=\"/?lang={code}\">{log_in}</a></p></section>",
        hint = t(Text::LogInWithNewPassword),
        log_in = t(Text::LogIn),
        code = lang.code(),
    )
}

/// `GET /password`: the two ways to change a forgotten password (the guide's Picture 7).
pub async fn password_page(Query(q): Query<LangQuery>) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let body = format!(
        "<p>{ways}</p><ul class=\"ways\">\
<li><a class=\"button\" id=\"by-eds\" href=\"/password/eds?lang={code}\">{by_eds}</a><p>{eds_hint}</p></li>\
<li><a class=\"button\" id=\"by-email\" href=\"/password/email?lang={code}\">{by_email}</a><p>{email_hint}</p></li></ul>\
<p><a href=\"/?lang={code}\">{log_in}</a></p>",
        ways = t(Text::PasswordChangeWays),
        by_eds = t(Text::ChangeByEds),
        eds_hint = t(Text::ChangeByEdsHint),
        by_email = t(Text::ChangeByEmail),
        email_hint = t(Text::ChangeByEmailHint),
        log_in = t(Text::LogIn),
        code = lang.code(),
    );
    layout(
        lang,
        Text::PasswordChangeTitle,
        "/password",
        "",
        &body,
        &NO_SCRIPT,
    )
}

/// `GET /password/eds`: "Select certificate" signs the change request in Qoltanba, then the form
/// with New password and Password confirmation (the guide's Pictures 13 and 14).
pub async fn password_eds_page(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let body = format!(
        "<section id=\"certificate-step\"><p>{hint}</p><button id=\"select-certificate\">{select}</button></section>\
<form id=\"change-form\" hidden><p>{signed}</p><label>{new_password} <input type=\"password\" id=\"new-password\" autocomplete=\"new-password\" required></label>\
<label>{confirmation} <input type=\"password\" id=\"confirmation\" autocomplete=\"new-password\" required></label>\
<button type=\"submit\" id=\"change-submit\">{change}</button></form>{done}\
<p id=\"other-ways\"><a href=\"/password?lang={code}\">{other_ways}</a></p>",
        hint = t(Text::ChangeByEdsHint),
        select = t(Text::SelectCertificate),
        signed = t(Text::ChangeRequestSigned),
        new_password = t(Text::NewPassword),
        confirmation = t(Text::PasswordConfirmation),
        change = t(Text::ChangePassword),
        done = done_section(lang),
        other_ways = t(Text::OtherWays),
        code = lang.code(),
    );
    let data = PageData {
        script: "password-eds",
        signer: Some(&portal.signer_url),
        texts: None,
    };
    layout(lang, Text::ChangeByEds, "/password/eds", "", &body, &data)
}

/// `GET /password/email`: the type of user, then IIN, document number and date of issue, or
/// BIN and registration number (the guide's Pictures 8 to 10).
pub async fn password_email_page(Query(q): Query<LangQuery>) -> Html<String> {
    let lang = q.lang;
    let t = |text: Text| escape(text.in_lang(lang));
    let body = format!(
        "<form id=\"recovery-form\"><fieldset><legend>{user_type}</legend>\
<label><input type=\"radio\" name=\"entity\" value=\"individual\" checked> {individual}</label>\
<label><input type=\"radio\" name=\"entity\" value=\"legal\"> {legal}</label></fieldset>\
<fieldset id=\"individual-fields\"><label>{iin} <input id=\"iin\" inputmode=\"numeric\" pattern=\"[0-9]{{12}}\" maxlength=\"12\" autocomplete=\"off\" required></label>\
<label>{document_number} <input id=\"document-number\" autocomplete=\"off\" required></label>\
<label>{issue_date} <input type=\"date\" id=\"issue-date\" required></label></fieldset>\
<fieldset id=\"legal-fields\" hidden disabled><label>{bin} <input id=\"bin\" inputmode=\"numeric\" pattern=\"[0-9]{{12}}\" maxlength=\"12\" autocomplete=\"off\" required></label>\
<label>{registration_number} <input id=\"registration-number\" autocomplete=\"off\" required></label></fieldset>\
<p>{hint}</p><button type=\"submit\" id=\"recovery-submit\">{submit}</button></form>{done}\
<p id=\"other-ways\"><a href=\"/password?lang={code}\">{other_ways}</a></p>",
        user_type = t(Text::UserType),
        individual = t(Text::Individual),
        legal = t(Text::LegalEntity),
        iin = t(Text::Iin),
        document_number = t(Text::DocumentNumber),
        issue_date = t(Text::IssueDate),
        bin = t(Text::Bin),
        registration_number = t(Text::RegistrationNumber),
        hint = t(Text::EmailRecoveryHint),
        submit = t(Text::GetNewPassword),
        done = done_section(lang),
        other_ways = t(Text::OtherWays),
        code = lang.code(),
    );
    let data = PageData {
        script: "password-email",
        signer: None,
        texts: None,
    };
    layout(
        lang,
        Text::ChangeByEmail,
        "/password/email",
        "",
        &body,
        &data,
    )
}
