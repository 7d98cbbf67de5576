//! Reference e-government portal: registration and login with EDS through Qoltanba (checked by
//! `qoltanba-verify`), password login with the guide's 10-failure lockout, pages in kk/ru/en.
#![forbid(unsafe_code)]

mod account;
pub mod db;
pub mod documents;
pub mod hashing;
pub mod headers;
mod help;
pub mod i18n;
pub mod limits;
pub mod mail;
mod pages;
mod password;
mod password_login;
mod password_pages;
mod recovery;
pub mod revocation;
pub mod session;

pub use password_login::PasswordLogin;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qoltanba_verify::challenge::IssueError;
use qoltanba_verify::{ChallengeStore, Clock, Entity, Identity, Verifier};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use i18n::{Lang, Text};

/// Failed password logins in a row that block password login (the guide's number).
pub const MAX_FAILED_LOGINS: i64 = 10;
/// How long password login stays blocked after the last allowed failure.
pub const LOCKOUT: Duration = Duration::minutes(15);

/// Why a request failed; each maps to one HTTP status and one user-facing text.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("user-facing refusal: {0:?}")]
    User(Text, StatusCode),
    #[error("the request does not come from this portal's pages")]
    Forbidden,
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("password hashing: {0}")]
    Hashing(String),
    #[error("a blocking task failed: {0}")]
    Task(String),
}

/// Where the pages look for the local signing service unless told otherwise (NCALayer's port).
pub const DEFAULT_SIGNER_URL: &str = "ws://127.0.0.1:13579/";

/// Shared state: the database, the verifier with this portal's origin, challenges, the clock.
pub struct Portal {
    db: Mutex<Connection>,
    verifier: Verifier,
    challenges: ChallengeStore,
    clock: Arc<dyn Clock>,
    secure_cookies: bool,
    signer_url: String,
    mailer: mail::Mailer,
    hashes: hashing::HashPool,
    limiters: limits::Limiters,
}

/// How a portal is set up beyond its database, verifier and clock.
pub struct Options {
    /// Where the pages reach the signing service.
    pub signer_url: String,
    /// Where mail goes besides the outbox.
    pub mailer: mail::Mailer,
    /// Per-client limits of the API.
    pub limits: limits::RateLimits,
    /// Argon2 computations at once.
    pub hashing_threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            signer_url: DEFAULT_SIGNER_URL.to_string(),
            mailer: mail::Mailer::outbox_only(),
            limits: limits::RateLimits::default(),
            hashing_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

impl Portal {
    /// `verifier` carries the origin browsers send for this portal and its trusted CAs.
    pub fn new(db: Connection, verifier: Verifier, clock: Arc<dyn Clock>) -> Arc<Self> {
        Self::with_signer_url(db, verifier, clock, DEFAULT_SIGNER_URL)
    }

    /// Like [`Portal::new`], with pages that reach the signing service at `signer_url`.
    pub fn with_signer_url(
        db: Connection,
        verifier: Verifier,
        clock: Arc<dyn Clock>,
        signer_url: impl Into<String>,
    ) -> Arc<Self> {
        Self::with_mailer(db, verifier, clock, signer_url, mail::Mailer::outbox_only())
    }

    /// Like [`Portal::with_signer_url`], with mail also sent as `mailer` says (the outbox always
    /// records it).
    pub fn with_mailer(
        db: Connection,
        verifier: Verifier,
        clock: Arc<dyn Clock>,
        signer_url: impl Into<String>,
        mailer: mail::Mailer,
    ) -> Arc<Self> {
        let options = Options {
            signer_url: signer_url.into(),
            mailer,
            ..Options::default()
        };
        Self::with_options(db, verifier, clock, options)
    }

    /// A portal set up as `options` say.
    pub fn with_options(
        db: Connection,
        verifier: Verifier,
        clock: Arc<dyn Clock>,
        options: Options,
    ) -> Arc<Self> {
        let secure_cookies = verifier.origin().starts_with("https://");
        // The decoy hash needs the random generator and Argon2; neither fails on a working system.
        let hashes = hashing::HashPool::new(options.hashing_threads)
            .unwrap_or_else(|e| panic!("cannot prepare password hashing: {e}"));
        Arc::new(Portal {
            db: Mutex::new(db),
            verifier,
            challenges: ChallengeStore::with_clock(clock.clone()),
            clock,
            secure_cookies,
            signer_url: options.signer_url,
            mailer: options.mailer,
            hashes,
            limiters: limits::Limiters::new(&options.limits),
        })
    }

    /// Forgets rate-limit state of clients that have fully recovered; call every minute or so.
    pub fn prune_rate_limits(&self) {
        self.limiters.prune();
    }

    /// Runs `f` with the database; one writer at a time keeps the lockout count exact.
    pub fn with_db<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        let db = self.db.lock().unwrap_or_else(|e| e.into_inner());
        f(&db)
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Runs `check` on a blocking thread: verification may ask an OCSP responder or a CRL
    /// distribution point over the network, which must not hold up the async workers.
    pub(crate) async fn off_workers<T: Send + 'static>(
        self: &Arc<Self>,
        check: impl FnOnce(&Portal) -> T + Send + 'static,
    ) -> Result<T, PortalError> {
        let portal = self.clone();
        tokio::task::spawn_blocking(move || check(&portal))
            .await
            .map_err(|e| PortalError::Task(e.to_string()))
    }
}

/// The portal's routes; serve with `into_make_service_with_connect_info::<SocketAddr>()` (the
/// rate limits key on the peer address).
pub fn router(portal: Arc<Portal>) -> Router {
    use limits::Group;
    let limited = |group| portal.limiters.layer(group);
    let routes = Router::new()
        .route("/", get(pages::login_page))
        .route("/register", get(pages::register_page))
        .route("/password", get(password_pages::password_page))
        .route("/password/eds", get(password_pages::password_eds_page))
        .route("/password/email", get(password_pages::password_email_page))
        .route("/help", get(help::help_page))
        .route("/account", get(account::account_page))
        .route("/services", get(account::services_page))
        .route("/qoltanba.js", get(pages::client_js))
        .route("/static/{name}", get(pages::static_file))
        .route(
            "/api/challenge",
            post(challenge).layer(limited(Group::Challenge)),
        )
        .route("/api/register", post(register))
        .route(
            "/api/login/password",
            post(password_login::login_password).layer(limited(Group::Login)),
        )
        .route(
            "/api/login/eds",
            post(login_eds).layer(limited(Group::Login)),
        )
        .route(
            "/api/password/eds",
            post(recovery::change_by_eds).layer(limited(Group::Password)),
        )
        .route(
            "/api/password/email",
            post(recovery::recover_by_email).layer(limited(Group::Password)),
        )
        .route("/api/logout", post(session::logout))
        .route("/api/applications", post(documents::sign_application))
        .layer(middleware::from_fn(limits::localize_too_many))
        .with_state(portal.clone());
    headers::secure(routes, &portal.signer_url)
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    pub lang: Lang,
}

/// The JSON every API call answers with: a message in the page's language, and data on success.
#[derive(Debug, Serialize)]
pub struct Reply {
    pub ok: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityView>,
}

/// What the dialog after EDS login shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityView {
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub full_name: Option<String>,
    pub valid_from: String,
    pub valid_to: String,
}

impl IdentityView {
    fn of(identity: &Identity) -> Self {
        let date = |t: OffsetDateTime| t.date().to_string();
        IdentityView {
            iin: identity.iin.clone(),
            bin: identity.bin.clone(),
            full_name: identity.full_name.clone(),
            valid_from: date(identity.not_before),
            valid_to: date(identity.not_after),
        }
    }
}

struct Failure(PortalError, Lang);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, message) = match self.0 {
            PortalError::User(text, status) => (status, text.in_lang(self.1).to_string()),
            PortalError::Forbidden => (StatusCode::FORBIDDEN, "Forbidden".to_string()),
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error".to_string(),
                )
            }
        };
        let reply = Reply {
            ok: false,
            message,
            identity: None,
        };
        (status, Json(reply)).into_response()
    }
}

fn refuse(text: Text, status: StatusCode) -> PortalError {
    PortalError::User(text, status)
}

/// CSRF defence for the JSON API: browsers always send Origin on cross-site POSTs, and a form
/// cannot send `application/json`; both must say this portal.
fn same_origin(portal: &Portal, headers: &HeaderMap) -> Result<(), PortalError> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .ok_or(PortalError::Forbidden)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if origin.eq_ignore_ascii_case(portal.verifier.origin()) && json {
        Ok(())
    } else {
        Err(PortalError::Forbidden)
    }
}

#[derive(Debug, Serialize)]
struct ChallengeReply {
    challenge: String,
}

async fn challenge(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Json<ChallengeReply>, Failure> {
    same_origin(&portal, &headers).map_err(|e| Failure(e, q.lang))?;
    let challenge = portal.challenges.issue().map_err(|e| {
        let text = match e {
            IssueError::Full(_) => {
                tracing::warn!(error = %e, "challenge store full");
                Text::TryLater
            }
            IssueError::Random => Text::EdsRejected,
        };
        Failure(refuse(text, StatusCode::SERVICE_UNAVAILABLE), q.lang)
    })?;
    Ok(Json(ChallengeReply { challenge }))
}

/// The registration form: what the user typed and the `qoltanba.register` reply as JSON text.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterForm {
    pub agreement: bool,
    pub entity: Entity,
    pub password: String,
    pub password_confirmation: String,
    pub email: String,
    pub challenge: String,
    pub reply: String,
}

async fn register(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Json(form): Json<RegisterForm>,
) -> Result<Json<Reply>, Failure> {
    let lang = q.lang;
    same_origin(&portal, &headers).map_err(|e| Failure(e, lang))?;
    do_register(&portal, form)
        .await
        .map_err(|e| Failure(e, lang))?;
    Ok(Json(Reply {
        ok: true,
        message: Text::Registered.in_lang(lang).to_string(),
        identity: None,
    }))
}

async fn do_register(portal: &Arc<Portal>, form: RegisterForm) -> Result<(), PortalError> {
    let bad = StatusCode::BAD_REQUEST;
    if !form.agreement {
        return Err(refuse(Text::AgreementRequired, bad));
    }
    if form.password != form.password_confirmation {
        return Err(refuse(Text::PasswordsDiffer, bad));
    }
    if !password::strong_enough(&form.password) {
        return Err(refuse(Text::PasswordWeak, bad));
    }
    if !plausible_email(&form.email) {
        return Err(refuse(Text::EmailInvalid, bad));
    }
    let (reply, challenge) = (form.reply.clone(), form.challenge.clone());
    let registration = portal
        .off_workers(move |p| p.verifier.register(&reply, &challenge, &p.challenges))
        .await?
        .map_err(|e| {
            tracing::info!(reason = %e, "registration signature refused");
            revocation::refusal(&e).unwrap_or_else(|| refuse(Text::EdsRejected, bad))
        })?;
    let identity = &registration.identity;
    // The signed payload, not the form, says what the user agreed to.
    if registration.email != form.email || registration.entity != form.entity {
        return Err(refuse(Text::EdsRejected, bad));
    }
    let iin = identity
        .iin
        .as_deref()
        .ok_or(refuse(Text::EntityMismatch, bad))?;
    let bin = match form.entity {
        Entity::Individual if identity.bin.is_some() => {
            return Err(refuse(Text::EntityMismatch, bad))
        }
        Entity::Individual => None,
        Entity::Legal => Some(
            identity
                .bin
                .as_deref()
                .ok_or(refuse(Text::EntityMismatch, bad))?,
        ),
    };
    if let Some(department) = portal.with_db(|db| db::refusal(db, iin))? {
        let text = if department == "cls" {
            Text::RefusedCls
        } else {
            Text::RefusedPsc
        };
        return Err(refuse(text, StatusCode::FORBIDDEN));
    }
    // Hash off the workers and outside the database lock: Argon2 is deliberately slow.
    let hash = portal
        .hashes
        .hash(&form.password)
        .await
        .map_err(|e| PortalError::Hashing(e.to_string()))?;
    let entity = match form.entity {
        Entity::Individual => "individual",
        Entity::Legal => "legal",
    };
    let created = portal.with_db(|db| {
        db::create_account(
            db,
            &db::NewAccount {
                iin,
                bin,
                entity,
                email: &form.email,
                full_name: identity.full_name.as_deref(),
                password_hash: &hash,
            },
            portal.now(),
        )
    })?;
    if !created {
        return Err(refuse(Text::AlreadyRegistered, StatusCode::CONFLICT));
    }
    Ok(())
}

fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !email.chars().any(char::is_whitespace)
}

#[derive(Debug, Deserialize)]
pub struct EdsLogin {
    pub challenge: String,
    pub reply: String,
}

async fn login_eds(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(form): Json<EdsLogin>,
) -> Result<Response, Failure> {
    let lang = q.lang;
    same_origin(&portal, &headers).map_err(|e| Failure(e, lang))?;
    let identity = portal
        .off_workers(move |p| {
            p.verifier
                .login(&form.reply, &form.challenge, &p.challenges)
        })
        .await
        .map_err(|e| Failure(e, lang))?
        .map_err(|e| {
            tracing::info!(reason = %e, "EDS login refused");
            let refusal = revocation::refusal(&e)
                .unwrap_or_else(|| refuse(Text::AuthorizationError, StatusCode::UNAUTHORIZED));
            Failure(refusal, lang)
        })?;
    let account = identity
        .iin
        .as_deref()
        .map(|iin| portal.with_db(|db| db::find_by_certificate(db, iin, identity.bin.as_deref())))
        .transpose()
        .map_err(|e| Failure(e.into(), lang))?
        .flatten()
        .ok_or(Failure(
            refuse(Text::AuthorizationError, StatusCode::UNAUTHORIZED),
            lang,
        ))?;
    let login = db::Login {
        account_id: account.id,
        method: db::LoginMethod::Eds,
        source: peer.ip().to_string(),
        certificate: Some(db::CertificateDates {
            serial: identity.serial.clone(),
            not_before: identity.not_before.unix_timestamp(),
            not_after: identity.not_after.unix_timestamp(),
        }),
    };
    session::start(&portal, &login, lang, Some(IdentityView::of(&identity)))
        .map_err(|e| Failure(e, lang))
}

/// Renders a page; kept here so pages.rs stays markup only.
pub(crate) fn html(body: String) -> Html<String> {
    Html(body)
}
