//! A portal on a real SQLite file, driven through its router as a browser from one address.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt as _;
use qoltanba_portal::limits::{Limit, RateLimits};
use qoltanba_portal::{db, Options, Portal};
use qoltanba_verify::{TrustStore, Verifier};
use serde_json::{json, Value};
use tower::ServiceExt as _;

use crate::common::{self, register_payload, register_reply_with_payload, FakeClock, ORIGIN};

pub const IIN: &str = "123456789011";
pub const PASSWORD: &str = "Secret123";
pub const AUTH_ERROR: &str = "Authorization error: incorrect login or password entered";
pub const BLOCKED: &str = "Login with the login password for this IIN/BIN is temporarily blocked. You can log in to the Portal using an EDS, an EDS on a SIM card or a One-time password";
pub const SOURCE: &str = "203.0.113.7:40000";

pub struct TestPortal {
    pub portal: Arc<Portal>,
    pub clock: FakeClock,
    pub dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or("")
    }

    /// The `session=...` pair of the Set-Cookie header.
    pub fn cookie(&self) -> Option<String> {
        let value = self.headers.get(header::SET_COOKIE)?.to_str().ok()?;
        Some(value.split(';').next()?.to_string())
    }
}

impl TestPortal {
    pub fn start() -> Self {
        Self::start_with(common::trust_with_crl(), Options::default())
    }

    /// As [`TestPortal::start`], with rate limits too wide to matter (tests of the lockout).
    pub fn start_unlimited() -> Self {
        let wide = Limit {
            burst: 1000,
            every: std::time::Duration::from_millis(1),
        };
        let limits = RateLimits {
            challenge: wide,
            login: wide,
            password: wide,
        };
        Self::start_with(
            common::trust_with_crl(),
            Options {
                limits,
                ..Options::default()
            },
        )
    }

    pub fn start_with(trust: TrustStore, options: Options) -> Self {
        Self::start_with_verifier(Verifier::new(ORIGIN, trust), options)
    }

    /// A portal checking with `verifier` (e.g. one that also checks timestamps).
    pub fn start_with_verifier(verifier: Verifier, options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = FakeClock::new();
        let connection = db::open(&dir.path().join("portal.db")).expect("database opens");
        let portal = Portal::with_options(connection, verifier, Arc::new(clock.clone()), options);
        TestPortal { portal, clock, dir }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("portal.db")
    }

    /// Sends `request` from `source` (ip:port).
    pub async fn send_from(&self, source: &str, request: Request<Body>) -> Answer {
        let source: SocketAddr = source.parse().unwrap();
        let router = qoltanba_portal::router(self.portal.clone()).layer(MockConnectInfo(source));
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            json,
            text,
        }
    }

    /// POSTs JSON as the portal's pages do, from `source`, with an optional cookie pair.
    pub async fn post_as(
        &self,
        source: &str,
        path: &str,
        body: Value,
        cookie: Option<&str>,
    ) -> Answer {
        let mut request = Request::post(format!("{path}?lang=en"))
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send_from(source, request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.post_as(SOURCE, path, body, None).await
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send_from(SOURCE, request.body(Body::empty()).unwrap())
            .await
    }

    pub async fn challenge(&self) -> String {
        let answer = self.post("/api/challenge", json!({})).await;
        answer.json["challenge"]
            .as_str()
            .unwrap_or_else(|| panic!("no challenge: {} {}", answer.status, answer.text))
            .to_string()
    }

    /// Registers the individual of the test PKI (SIGN certificate) with [`PASSWORD`].
    pub async fn register_individual(&self) {
        let challenge = self.challenge().await;
        let payload = register_payload(&challenge, "user@example.kz", "individual", ORIGIN);
        let reply = register_reply_with_payload("individual_sign", &payload);
        let answer = self
            .post(
                "/api/register",
                json!({"agreement": true, "entity": "individual", "password": PASSWORD,
                       "passwordConfirmation": PASSWORD, "email": "user@example.kz",
                       "challenge": challenge, "reply": reply}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }

    pub async fn login_password(&self, login: &str, password: &str) -> Answer {
        self.post(
            "/api/login/password",
            json!({"login": login, "password": password}),
        )
        .await
    }

    pub async fn login_eds(&self, keystore: &str) -> Answer {
        let challenge = self.challenge().await;
        let reply = common::login_reply(keystore, ORIGIN, &challenge);
        self.post(
            "/api/login/eds",
            json!({"challenge": challenge, "reply": reply}),
        )
        .await
    }

    /// Records the individual's identity document and asks for a new password by e-mail.
    pub async fn recover_by_email(&self, cookie: Option<&str>) -> Answer {
        self.portal
            .with_db(|db| db::add_identity_document(db, IIN, "N0123456", "2020-01-15"))
            .unwrap();
        self.post_as(
            SOURCE,
            "/api/password/email",
            json!({"entity": "individual", "iin": IIN,
                   "documentNumber": "N0123456", "issueDate": "2020-01-15"}),
            cookie,
        )
        .await
    }
}
