//! Password login with the guide's lockout, giving away nothing about which identifiers exist:
//! an unknown IIN, BIN or e-mail costs the same Argon2 work and is counted and blocked the same way.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use rusqlite::Connection;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::i18n::Text;
use crate::{
    db, refuse, same_origin, session, Failure, LangQuery, Portal, PortalError, LOCKOUT,
    MAX_FAILED_LOGINS,
};

#[derive(Debug, Deserialize)]
pub struct PasswordLogin {
    pub login: String,
    pub password: String,
}

/// Whose failures a login attempt counts against: the account it names, or, when it names
/// none, the identifier itself (normalised as the account lookup matches it).
enum Subject {
    Account(db::Account),
    Unknown(String),
}

impl Subject {
    fn of(db: &Connection, login: &str) -> rusqlite::Result<Self> {
        Ok(match db::find_by_login(db, login)? {
            Some(account) => Subject::Account(account),
            None => Subject::Unknown(login.to_lowercase()),
        })
    }

    fn lock_state(&self, db: &Connection) -> rusqlite::Result<(i64, Option<i64>)> {
        match self {
            Subject::Account(a) => Ok((a.failed_count, a.locked_until)),
            Subject::Unknown(identifier) => db::identifier_lock(db, identifier),
        }
    }

    fn set_lock_state(
        &self,
        db: &Connection,
        failed: i64,
        until: Option<i64>,
    ) -> rusqlite::Result<()> {
        match self {
            Subject::Account(a) => db::set_lock_state(db, a.id, failed, until),
            Subject::Unknown(identifier) => db::set_identifier_lock(db, identifier, failed, until),
        }
    }

    fn password_hash(&self) -> Option<&str> {
        match self {
            Subject::Account(a) => Some(&a.password_hash),
            Subject::Unknown(_) => None,
        }
    }
}

pub(crate) async fn login_password(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(form): Json<PasswordLogin>,
) -> Result<Response, Failure> {
    let lang = q.lang;
    same_origin(&portal, &headers).map_err(|e| Failure(e, lang))?;
    let source = peer.ip().to_string();
    let account_id = check(&portal, &form, &source)
        .await
        .map_err(|e| Failure(e, lang))?;
    let login = db::Login {
        account_id,
        method: db::LoginMethod::Password,
        source,
        certificate: None,
    };
    session::start(&portal, &login, lang, None).map_err(|e| Failure(e, lang))
}

/// The account the password opens, or the guide's refusal; every failure is recorded.
async fn check(portal: &Portal, form: &PasswordLogin, source: &str) -> Result<i64, PortalError> {
    let unauthorized = || refuse(Text::AuthorizationError, StatusCode::UNAUTHORIZED);
    let blocked = || refuse(Text::PasswordLoginBlocked, StatusCode::FORBIDDEN);
    let login = form.login.trim();
    let now = portal.now();
    let subject = portal.with_db(|db| Subject::of(db, login))?;
    let (_, locked_until) = portal.with_db(|db| subject.lock_state(db))?;
    if locked_at(locked_until, now) {
        portal.with_db(|db| db::record_failure(db, login, source, now))?;
        return Err(blocked());
    }
    // Hash off the workers and outside the lock; the count below is re-read under the lock, so
    // concurrent failures add up.
    let correct = portal
        .hashes
        .verify(&form.password, subject.password_hash())
        .await
        .map_err(|e| PortalError::Hashing(e.to_string()))?;
    portal.with_db(|db| {
        let current = Subject::of(db, login)?;
        let (failed, locked_until) = current.lock_state(db)?;
        if locked_at(locked_until, now) {
            db::record_failure(db, login, source, now)?;
            return Err(blocked());
        }
        if let (true, Subject::Account(account)) = (correct, &current) {
            db::set_lock_state(db, account.id, 0, None)?;
            return Ok(account.id);
        }
        db::record_failure(db, login, source, now)?;
        let failed = failed + 1;
        if failed >= MAX_FAILED_LOGINS {
            let until = (now + LOCKOUT).unix_timestamp();
            current.set_lock_state(db, 0, Some(until))?;
            tracing::info!("password login blocked for 15 minutes after {failed} failures");
            return Err(blocked());
        }
        current.set_lock_state(db, failed, None)?;
        Err(unauthorized())
    })
}

/// True while a password-login block (unix time `locked_until`) is still in force at `now`.
fn locked_at(locked_until: Option<i64>, now: OffsetDateTime) -> bool {
    locked_until.is_some_and(|t| now.unix_timestamp() < t)
}
