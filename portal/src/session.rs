//! Sessions: the cookie a login sets, finding the account behind it, logging out.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use time::Duration;

use crate::db::{self, SessionAccount};
use crate::i18n::{Lang, Text};
use crate::{same_origin, Failure, IdentityView, LangQuery, Portal, PortalError, Reply};

/// How long a session lasts after login; then the pages ask to log in again.
pub const SESSION_LIFETIME: Duration = Duration::hours(1);

const COOKIE: &str = "session";

/// Creates the session and answers with an HttpOnly, SameSite=Strict cookie (Secure on https).
pub(crate) fn start(
    portal: &Portal,
    login: &db::Login,
    lang: Lang,
    identity: Option<IdentityView>,
) -> Result<Response, PortalError> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| PortalError::Hashing("no randomness".into()))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    portal.with_db(|db| db::create_session(db, &digest(&token), login, portal.now()))?;
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
        secure(portal)
    );
    let reply = Reply {
        ok: true,
        message: Text::PersonalAccount.in_lang(lang).to_string(),
        identity,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(reply)).into_response())
}

fn secure(portal: &Portal) -> &'static str {
    if portal.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

/// What the database keeps of a session token: its SHA-256, so a copy of the file opens no session.
fn digest(token: &str) -> String {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form (hash) of the session token the request carries, if any.
pub(crate) fn token_hash(headers: &HeaderMap) -> Option<String> {
    token(headers).map(digest)
}

/// The session token the browser sent, if any.
fn token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The account of the request's live session; `None` without a cookie or when it has expired.
pub(crate) fn account(
    portal: &Portal,
    headers: &HeaderMap,
) -> Result<Option<SessionAccount>, PortalError> {
    let Some(hash) = token_hash(headers) else {
        return Ok(None);
    };
    let oldest = (portal.now() - SESSION_LIFETIME).unix_timestamp();
    Ok(portal.with_db(|db| db::session_account(db, &hash, oldest))?)
}

/// `POST /api/logout`: ends the session and clears the cookie.
pub(crate) async fn logout(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    same_origin(&portal, &headers).map_err(|e| Failure(e, q.lang))?;
    if let Some(hash) = token_hash(&headers) {
        portal
            .with_db(|db| db::delete_session(db, &hash))
            .map_err(|e| Failure(e.into(), q.lang))?;
    }
    let cookie = format!(
        "{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}",
        secure(&portal)
    );
    let reply = Reply {
        ok: true,
        message: String::new(),
        identity: None,
    };
    Ok((StatusCode::OK, [(header::SET_COOKIE, cookie)], Json(reply)).into_response())
}
