//! The pages behind the session cookie: the personal account and the services list.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use time::OffsetDateTime;

use crate::db::{self, HistoryEntry, LoginMethod};
use crate::i18n::{Lang, Text};
use crate::pages::{escape, layout, PageData};
use crate::{session, LangQuery, Portal, PortalError};

/// How many past logins and failed attempts the personal account lists.
const HISTORY_LENGTH: i64 = 5;

fn to_login(lang: Lang) -> Response {
    Redirect::to(&format!("/?lang={}", lang.code())).into_response()
}

fn internal(error: impl Into<PortalError>) -> Response {
    tracing::error!(error = %error.into(), "page failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
}

/// The links every logged-in page shows, and the script behind "Log out".
fn menu(lang: Lang) -> String {
    let t = |text: Text| escape(text.in_lang(lang));
    format!(
        "<a href=\"/account?lang={code}\">{personal}</a> | <a href=\"/services?lang={code}\">{services}</a> | \
<a href=\"/\" id=\"logout\">{log_out}</a> |",
        code = lang.code(),
        personal = t(Text::PersonalAccount),
        services = t(Text::Services),
        log_out = t(Text::LogOut),
    )
}

/// The script of the pages behind the session ("Log out").
const SESSION_PAGE: PageData<'static> = PageData {
    script: "session",
    signer: None,
    texts: None,
};

fn date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

fn date_time(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()))
        .unwrap_or_default()
}

/// A time to the second, as a timestamp proves it.
pub(crate) fn date_time_seconds(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            format!(
                "{} {:02}:{:02}:{:02} UTC",
                t.date(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

/// The last signed document: the time its timestamp proves, or that it has none.
fn last_signed(lang: Lang, document: Option<&db::SignedDocument>) -> String {
    let t = |text: Text| escape(text.in_lang(lang));
    let shown = match document {
        None => t(Text::NoneYet),
        Some(db::SignedDocument {
            proven_time: Some(at),
            ..
        }) => format!(
            "<time id=\"proven-time\">{}</time> ({})",
            date_time_seconds(*at),
            t(Text::ProvenByTimestamp)
        ),
        Some(d) => format!("{} ({})", date_time(d.received_at), t(Text::NoTimestamp)),
    };
    format!(
        "<h2>{}</h2><p id=\"last-signed\">{shown}</p>",
        t(Text::LastSignedDocument)
    )
}

fn history_table(lang: Lang, id: &str, entries: &[HistoryEntry]) -> String {
    let t = |text: Text| escape(text.in_lang(lang));
    if entries.is_empty() {
        return format!("<p id=\"{id}\">{}</p>", t(Text::NoneYet));
    }
    let rows: String = entries
        .iter()
        .map(|e| {
            let method = match e.method {
                LoginMethod::Password => Text::Password,
                LoginMethod::Eds => Text::EdsTab,
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                date_time(e.at),
                t(method),
                escape(&e.source)
            )
        })
        .collect();
    format!(
        "<table id=\"{id}\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>{rows}</table>",
        t(Text::Time),
        t(Text::Method),
        t(Text::SourceAddress)
    )
}

/// `GET /account`: who is logged in, with which certificate, and the account's recent history.
pub async fn account_page(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang;
    let account = match session::account(&portal, &headers) {
        Ok(Some(account)) => account,
        Ok(None) => return to_login(lang),
        Err(e) => return internal(e),
    };
    let history = portal.with_db(|db| {
        Ok::<_, rusqlite::Error>((
            db::recent_logins(db, account.account_id, HISTORY_LENGTH)?,
            db::recent_failures(db, &account, HISTORY_LENGTH)?,
            db::last_signed_document(db, account.account_id)?,
        ))
    });
    let (logins, failures, signed) = match history {
        Ok(history) => history,
        Err(e) => return internal(e),
    };
    let t = |text: Text| escape(text.in_lang(lang));
    let dash = "—".to_string();
    let kind = if account.entity == "legal" {
        Text::LegalEntity
    } else {
        Text::Individual
    };
    let validity = match (&account.certificate, account.method) {
        (Some(c), LoginMethod::Eds) => format!("{} — {}", date(c.not_before), date(c.not_after)),
        _ => t(Text::NoCertificate),
    };
    let bin = if account.bin.is_empty() {
        dash.clone()
    } else {
        escape(&account.bin)
    };
    let body = format!(
        "<dl><dt>{iin_label}</dt><dd id=\"iin\">{iin}</dd><dt>{bin_label}</dt><dd id=\"bin\">{bin}</dd>\
<dt>{name_label}</dt><dd id=\"full-name\">{name}</dd><dt>{kind_label}</dt><dd id=\"kind\">{kind}</dd>\
<dt>{email_label}</dt><dd id=\"email\">{email}</dd><dt>{validity_label}</dt><dd id=\"validity\">{validity}</dd></dl>\
{signed}<h2>{logins_label}</h2>{logins}<h2>{failures_label}</h2>{failures}",
        signed = last_signed(lang, signed.as_ref()),
        iin_label = t(Text::Iin),
        iin = escape(&account.iin),
        bin_label = t(Text::Bin),
        name_label = t(Text::FullName),
        name = account.full_name.as_deref().map(escape).unwrap_or(dash),
        kind_label = t(Text::AccountType),
        kind = t(kind),
        email_label = t(Text::Email),
        email = escape(&account.email),
        validity_label = t(Text::CertificateValidity),
        logins_label = t(Text::LastLogins),
        logins = history_table(lang, "logins", &logins),
        failures_label = t(Text::FailedAttempts),
        failures = history_table(lang, "failures", &failures),
    );
    layout(
        lang,
        Text::PersonalAccount,
        "/account",
        &menu(lang),
        &body,
        &SESSION_PAGE,
    )
    .into_response()
}

/// The services the reference portal lists, by audience.
const CITIZEN_SERVICES: [Text; 5] = [
    Text::ServiceNoCriminalRecord,
    Text::ServiceAddress,
    Text::ServiceResidence,
    Text::ServicePension,
    Text::ServiceBirth,
];
const BUSINESS_SERVICES: [Text; 1] = [Text::ServiceLegalEntityCertificate];

/// `GET /services`: the catalogue a logged-in user can order from (listed, not ordered here).
pub async fn services_page(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang;
    match session::account(&portal, &headers) {
        Ok(Some(_)) => {}
        Ok(None) => return to_login(lang),
        Err(e) => return internal(e),
    }
    let t = |text: Text| escape(text.in_lang(lang));
    let list = |services: &[Text]| -> String {
        services
            .iter()
            .map(|s| format!("<li>{}</li>", t(*s)))
            .collect()
    };
    let body = format!(
        "<h2>{citizens}</h2><ul id=\"citizen-services\">{citizen_list}</ul>\
<h2>{business}</h2><ul id=\"business-services\">{business_list}</ul><p><small>{note}</small></p>\
<h2>{apply}</h2><p id=\"application\">{application}</p><button id=\"sign-application\">{apply}</button>",
        apply = t(Text::SignApplication),
        application = t(Text::ApplicationText),
        citizens = t(Text::ForCitizens),
        citizen_list = list(&CITIZEN_SERVICES),
        business = t(Text::ForBusiness),
        business_list = list(&BUSINESS_SERVICES),
        note = t(Text::ServiceNotAvailable),
    );
    let data = PageData {
        script: "services",
        signer: Some(&portal.signer_url),
        texts: None,
    };
    layout(lang, Text::Services, "/services", &menu(lang), &body, &data).into_response()
}
