//! The portal's HTTP API against a real SQLite file, with replies signed by the core as the
//! client signs them and checked by `qoltanba-verify`.

#[path = "../../verify/tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{register_payload, register_reply, register_reply_with_payload, FakeClock, ORIGIN};
use http_body_util::BodyExt as _;
use qoltanba_portal::mail::Mailer;
use qoltanba_portal::{db, Portal};
use qoltanba_verify::Verifier;
use serde_json::{json, Value};
use tower::ServiceExt as _;

const SUCCESS: &str = "Congratulations, you have successfully registered on the web Portal of the \"Electronic Government\" of the Republic of Kazakhstan";
const AUTH_ERROR: &str = "Authorization error: incorrect login or password entered";
const BLOCKED: &str = "Login with the login password for this IIN/BIN is temporarily blocked. You can log in to the Portal using an EDS, an EDS on a SIM card or a One-time password";
const IIN: &str = "123456789011";
const GOOD_PASSWORD: &str = "Secret123";
const SOURCE: &str = "203.0.113.7:40000";

struct TestPortal {
    router: axum::Router,
    portal: Arc<Portal>,
    clock: FakeClock,
}

fn start(path: &Path, clock: &FakeClock) -> TestPortal {
    let connection = db::open(path).expect("database opens");
    let portal = Portal::new(
        connection,
        Verifier::new(ORIGIN, common::trust_with_crl()),
        Arc::new(clock.clone()),
    );
    let source: SocketAddr = SOURCE.parse().unwrap();
    let router = qoltanba_portal::router(portal.clone()).layer(MockConnectInfo(source));
    TestPortal {
        router,
        portal,
        clock: clock.clone(),
    }
}

struct Answer {
    status: StatusCode,
    json: Value,
    cookie: Option<String>,
}

impl Answer {
    fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or("")
    }
}

impl TestPortal {
    async fn post_from(&self, origin: &str, path: &str, body: Value) -> Answer {
        let request = Request::post(format!("{path}?lang=en"))
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            cookie,
        }
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.post_from(ORIGIN, path, body).await
    }

    async fn challenge(&self) -> String {
        let answer = self.post("/api/challenge", json!({})).await;
        answer.json["challenge"].as_str().unwrap().to_string()
    }

    async fn register_with(&self, entity: &str, keystore: &str, password: &str) -> Answer {
        let challenge = self.challenge().await;
        let payload = register_payload(&challenge, "user@example.kz", entity, ORIGIN);
        let reply = register_reply_with_payload(keystore, &payload);
        self.post(
            "/api/register",
            json!({"agreement": true, "entity": entity, "password": password,
                   "passwordConfirmation": password, "email": "user@example.kz",
                   "challenge": challenge, "reply": reply}),
        )
        .await
    }

    async fn register_individual(&self) -> Answer {
        self.register_with("individual", "individual_sign", GOOD_PASSWORD)
            .await
    }

    async fn login_password(&self, login: &str, password: &str) -> Answer {
        self.post(
            "/api/login/password",
            json!({"login": login, "password": password}),
        )
        .await
    }

    async fn login_eds(&self, keystore: &str) -> Answer {
        let challenge = self.challenge().await;
        let reply = common::login_reply(keystore, ORIGIN, &challenge);
        self.post(
            "/api/login/eds",
            json!({"challenge": challenge, "reply": reply}),
        )
        .await
    }

    fn failures(&self) -> Vec<(i64, String, String)> {
        self.portal.with_db(|db| {
            let mut query = db
                .prepare("SELECT at, identifier, source FROM failed_logins ORDER BY id")
                .unwrap();
            query
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        })
    }
}

fn fresh() -> (tempfile::TempDir, TestPortal) {
    let dir = tempfile::tempdir().unwrap();
    let portal = start(&dir.path().join("portal.db"), &FakeClock::new());
    (dir, portal)
}

#[tokio::test]
async fn registration_with_eds_creates_an_account_the_password_opens() {
    let (_dir, portal) = fresh();
    let answer = portal.register_individual().await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    assert_eq!(answer.message(), SUCCESS);

    let login = portal.login_password(IIN, GOOD_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK);
    let cookie = login.cookie.expect("session cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Secure")
    );
    let by_email = portal
        .login_password("USER@example.kz", GOOD_PASSWORD)
        .await;
    assert_eq!(by_email.status, StatusCode::OK);
}

#[tokio::test]
async fn legal_entity_registers_under_its_bin_and_logs_in_with_it() {
    let (_dir, portal) = fresh();
    let answer = portal
        .register_with("legal", "legal_ceo_sign", GOOD_PASSWORD)
        .await;
    assert_eq!(answer.message(), SUCCESS, "{:?}", answer.json);
    let bin = common::entry("legal_ceo_sign")
        .certificate
        .info
        .bin
        .unwrap();
    assert_eq!(
        portal.login_password(&bin, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn individual_certificate_cannot_register_a_legal_entity() {
    let (_dir, portal) = fresh();
    let answer = portal
        .register_with("legal", "individual_sign", GOOD_PASSWORD)
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.message(),
        "The certificate does not match the chosen kind of person"
    );
}

#[tokio::test]
async fn second_registration_of_the_same_iin_is_refused() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let again = portal.register_individual().await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.message(),
        "This IIN/BIN is already registered on the portal. Log in or restore your password"
    );
}

#[tokio::test]
async fn iins_on_the_refusal_list_get_the_guides_department_messages() {
    let (_dir, portal) = fresh();
    portal
        .portal
        .with_db(|db| db::add_refusal(db, IIN, "psc"))
        .unwrap();
    let psc = portal.register_individual().await;
    assert_eq!(psc.status, StatusCode::FORBIDDEN);
    assert_eq!(
        psc.message(),
        "It is not possible to create an account using the entered IIN. For explanations, \
it is necessary to contact the department of documentation of the population in the PSC"
    );
    portal
        .portal
        .with_db(|db| db::add_refusal(db, IIN, "cls"))
        .unwrap();
    let cls = portal.register_individual().await;
    assert_eq!(
        cls.message(),
        "It is not possible to create an account using the entered IIN value. For explanations, \
it is necessary to contact the Department of the Committee on Legal Statistics and Special \
Accounts of the Prosecutor General's Office of the Republic of Kazakhstan http://www.pravstat.kz"
    );
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.message(),
        AUTH_ERROR
    );
}

#[tokio::test]
async fn registration_needs_the_agreement_matching_passwords_and_a_sign_certificate() {
    let (_dir, portal) = fresh();
    let challenge = portal.challenge().await;
    let reply = register_reply("individual_sign", ORIGIN, &challenge);
    let form = |agreement: bool, confirmation: &str| {
        json!({"agreement": agreement, "entity": "individual", "password": GOOD_PASSWORD,
               "passwordConfirmation": confirmation, "email": "user@example.kz",
               "challenge": challenge, "reply": reply})
    };
    let no_tick = portal
        .post("/api/register", form(false, GOOD_PASSWORD))
        .await;
    assert_eq!(no_tick.message(), "Accept the user agreement");
    let mismatch = portal.post("/api/register", form(true, "Other1234")).await;
    assert_eq!(
        mismatch.message(),
        "The password and its confirmation do not match"
    );

    // An AUTH certificate is the wrong purpose for registration.
    let auth = portal
        .register_with("individual", "individual_auth", GOOD_PASSWORD)
        .await;
    assert_eq!(auth.status, StatusCode::BAD_REQUEST);
    assert!(auth
        .message()
        .starts_with("The EDS did not pass verification"));
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.message(),
        AUTH_ERROR
    );
}

#[tokio::test]
async fn wrong_or_unknown_credentials_get_the_authorization_error_and_are_recorded() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let wrong = portal.login_password(IIN, "Wrong1234").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.message(), AUTH_ERROR);
    let unknown = portal.login_password("999999999999", GOOD_PASSWORD).await;
    assert_eq!(unknown.message(), AUTH_ERROR);
    let failures = portal.failures();
    assert_eq!(failures.len(), 2);
    let now = portal.clock.0.lock().unwrap().unix_timestamp();
    assert_eq!(
        failures[0],
        (now, IIN.to_string(), "203.0.113.7".to_string())
    );
    assert_eq!(failures[1].1, "999999999999");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tenth_concurrent_failure_blocks_password_login_for_15_minutes_but_not_eds() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let portal = Arc::new(portal);
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let portal = portal.clone();
            tokio::spawn(async move { portal.login_password(IIN, "Wrong1234").await })
        })
        .collect();
    let mut messages = Vec::new();
    for attempt in attempts {
        messages.push(attempt.await.unwrap().message().to_string());
    }
    assert_eq!(messages.iter().filter(|m| *m == AUTH_ERROR).count(), 9);
    assert_eq!(messages.iter().filter(|m| *m == BLOCKED).count(), 1);

    let blocked = portal.login_password(IIN, GOOD_PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.message(), BLOCKED);
    assert_eq!(
        portal.login_eds("individual_auth").await.status,
        StatusCode::OK
    );
    assert_eq!(portal.failures().len(), 11);

    portal.clock.advance(time::Duration::minutes(14));
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.message(),
        BLOCKED
    );
    portal.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn eds_login_answers_with_the_identity_the_dialog_shows() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let answer = portal.login_eds("individual_auth").await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    assert!(answer.cookie.is_some());
    let identity = &answer.json["identity"];
    assert_eq!(identity["iin"], IIN);
    assert!(identity["fullName"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(identity["validTo"].as_str().is_some());
}

#[tokio::test]
async fn eds_login_refuses_unregistered_revoked_and_replayed_replies() {
    let (_dir, portal) = fresh();
    assert_eq!(
        portal.login_eds("individual_auth").await.message(),
        AUTH_ERROR
    );
    portal.register_individual().await;
    assert_eq!(portal.login_eds("revoked_auth").await.message(), AUTH_ERROR);

    let challenge = portal.challenge().await;
    let reply = common::login_reply("individual_auth", ORIGIN, &challenge);
    let body = json!({"challenge": challenge, "reply": reply});
    assert_eq!(
        portal.post("/api/login/eds", body.clone()).await.status,
        StatusCode::OK
    );
    let replay = portal.post("/api/login/eds", body).await;
    assert_eq!(replay.message(), AUTH_ERROR);

    let other_site = portal.challenge().await;
    let relayed = common::login_reply("individual_auth", "https://evil.example", &other_site);
    let answer = portal
        .post(
            "/api/login/eds",
            json!({"challenge": other_site, "reply": relayed}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn posts_from_another_origin_are_forbidden() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let answer = portal
        .post_from(
            "https://evil.example",
            "/api/login/password",
            json!({"login": IIN, "password": GOOD_PASSWORD}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.cookie.is_none());
}

#[tokio::test]
async fn a_restart_keeps_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.db");
    let clock = FakeClock::new();
    let first = start(&path, &clock);
    assert_eq!(first.register_individual().await.message(), SUCCESS);
    drop(first);
    let second = start(&path, &clock);
    assert_eq!(
        second.login_password(IIN, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn pages_show_the_guides_texts_in_each_language() {
    let (_dir, portal) = fresh();
    let get = |uri: &'static str| {
        let router = portal.router.clone();
        async move {
            let response = router
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8(bytes.to_vec()).unwrap()
        }
    };
    let en = get("/register?lang=en").await;
    assert!(en.contains("The User confirms that he is familiar with all the clauses of this Agreement and unconditionally accepts them"));
    assert!(en.contains("Register with EDS"));
    assert!(get("/register?lang=ru")
        .await
        .contains("Зарегистрироваться с ЭЦП"));
    assert!(get("/?lang=kk").await.contains("ЖСН, БСН немесе e-mail"));
    assert!(get("/qoltanba.js")
        .await
        .contains("export async function connect"));
}

#[tokio::test]
async fn password_change_by_eds_replaces_the_password_and_lifts_the_block() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    for _ in 0..10 {
        portal.login_password(IIN, "Wrong1234").await;
    }
    let challenge = portal.challenge().await;
    let reply = common::change_password_reply("individual_auth", ORIGIN, &challenge);
    let changed = portal
        .post(
            "/api/password/eds",
            json!({"challenge": challenge, "reply": reply,
                   "newPassword": "Changed123", "passwordConfirmation": "Changed123"}),
        )
        .await;
    assert_eq!(changed.message(), "The password was changed successfully");
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.message(),
        AUTH_ERROR
    );
    assert_eq!(
        portal.login_password(IIN, "Changed123").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_change_by_eds_refuses_another_persons_certificate() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let challenge = portal.challenge().await;
    let reply = common::change_password_reply("legal_ceo_auth", ORIGIN, &challenge);
    let changed = portal
        .post(
            "/api/password/eds",
            json!({"challenge": challenge, "reply": reply,
                   "newPassword": "Changed123", "passwordConfirmation": "Changed123"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_login_token_cannot_change_the_password_by_eds() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    let challenge = portal.challenge().await;
    let reply = common::login_reply("individual_auth", ORIGIN, &challenge);
    let changed = portal
        .post(
            "/api/password/eds",
            json!({"challenge": challenge, "reply": reply,
                   "newPassword": "Changed123", "passwordConfirmation": "Changed123"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_recovery_by_email_mails_a_new_password_when_the_document_matches() {
    let (_dir, portal) = fresh();
    portal.register_individual().await;
    portal
        .portal
        .with_db(|db| db::add_identity_document(db, IIN, "012345678", "2020-01-15"))
        .unwrap();
    let wrong = portal
        .post(
            "/api/password/email",
            json!({"entity": "individual", "iin": IIN, "documentNumber": "999", "issueDate": "2020-01-15"}),
        )
        .await;
    assert_eq!(
        wrong.message(),
        "The data entered do not match the portal's records"
    );

    let sent = portal
        .post(
            "/api/password/email",
            json!({"entity": "individual", "iin": IIN, "documentNumber": "012345678", "issueDate": "2020-01-15"}),
        )
        .await;
    assert_eq!(
        sent.message(),
        "A new password has been sent to your registered e-mail"
    );
    let (recipient, body): (String, String) = portal.portal.with_db(|db| {
        db.query_row("SELECT recipient, body FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    });
    assert_eq!(recipient, "user@example.kz");
    let new_password = body.rsplit(' ').next().unwrap();
    assert_eq!(
        portal.login_password(IIN, GOOD_PASSWORD).await.message(),
        AUTH_ERROR
    );
    assert_eq!(
        portal.login_password(IIN, new_password).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_recovery_by_email_for_a_legal_entity_uses_bin_and_registration_number() {
    let (_dir, portal) = fresh();
    portal
        .register_with("legal", "legal_ceo_sign", GOOD_PASSWORD)
        .await;
    let bin = common::entry("legal_ceo_sign")
        .certificate
        .info
        .bin
        .unwrap();
    portal
        .portal
        .with_db(|db| db::add_identity_document(db, &bin, "REG-42", ""))
        .unwrap();
    let sent = portal
        .post(
            "/api/password/email",
            json!({"entity": "legal", "bin": bin, "registrationNumber": "REG-42"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.json);
    let mails: i64 = portal.portal.with_db(|db| {
        db.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(mails, 1);
}

/// A real SMTP server for the tests: Python's standard `smtpd` (deprecated, still in 3.11),
/// listening on a free loopback port, writing each message it accepts to a JSON file in `dir`.
const SMTP_SINK: &str = r#"
import asyncore, json, os, smtpd, sys
out = sys.argv[1]
class Sink(smtpd.SMTPServer):
    count = 0
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        Sink.count += 1
        path = os.path.join(out, "mail-%d.json" % Sink.count)
        with open(path + ".tmp", "w") as f:
            json.dump({"from": mailfrom, "to": rcpttos, "data": data}, f)
        os.rename(path + ".tmp", path)
server = Sink(("127.0.0.1", 0), None, decode_data=True)
print(server.socket.getsockname()[1], flush=True)
asyncore.loop()
"#;

struct SmtpSink {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    fn start() -> Self {
        use std::io::BufRead as _;
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("python3")
            .args(["-W", "ignore", "-c", SMTP_SINK])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the SMTP sink printed its port, not {line:?}"));
        SmtpSink { child, port, dir }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages the server accepted: (envelope recipients, raw message).
    fn received(&self) -> Vec<(Vec<String>, String)> {
        let mut paths: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let mail: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
                let to = mail["to"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect();
                (to, mail["data"].as_str().unwrap().to_string())
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fresh_with_smtp(url: &str) -> (tempfile::TempDir, TestPortal) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::new();
    let connection = db::open(&dir.path().join("portal.db")).expect("database opens");
    let mailer = Mailer::from_options(Some(url), "noreply@portal.example.kz").expect("SMTP URL");
    let portal = Portal::with_mailer(
        connection,
        Verifier::new(ORIGIN, common::trust_with_crl()),
        Arc::new(clock.clone()),
        qoltanba_portal::DEFAULT_SIGNER_URL,
        mailer,
    );
    let source: SocketAddr = SOURCE.parse().unwrap();
    let router = qoltanba_portal::router(portal.clone()).layer(MockConnectInfo(source));
    let portal = TestPortal {
        router,
        portal,
        clock,
    };
    (dir, portal)
}

impl TestPortal {
    /// Registers the individual, records their identity document and asks for a new password.
    async fn recover_individual_by_email(&self) -> Answer {
        self.register_individual().await;
        self.portal
            .with_db(|db| db::add_identity_document(db, IIN, "012345678", "2020-01-15"))
            .unwrap();
        self.post(
            "/api/password/email",
            json!({"entity": "individual", "iin": IIN, "documentNumber": "012345678", "issueDate": "2020-01-15"}),
        )
        .await
    }

    /// The outbox rows: (recipient, body, sent_at, error).
    fn outbox(&self) -> Vec<(String, String, Option<i64>, Option<String>)> {
        self.portal.with_db(|db| {
            let mut query = db
                .prepare("SELECT recipient, body, sent_at, error FROM outbox ORDER BY id")
                .unwrap();
            query
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        })
    }
}

#[tokio::test]
async fn with_smtp_configured_the_new_password_reaches_the_smtp_server_and_opens_the_account() {
    let sink = SmtpSink::start();
    let (_dir, portal) = fresh_with_smtp(&sink.url());
    let sent = portal.recover_individual_by_email().await;
    assert_eq!(
        sent.message(),
        "A new password has been sent to your registered e-mail"
    );

    let received = sink.received();
    assert_eq!(received.len(), 1, "the SMTP server got one message");
    let (to, data) = &received[0];
    assert_eq!(to, &["user@example.kz".to_string()]);
    assert!(data.contains("To: user@example.kz"), "{data}");
    assert!(data.contains("From: noreply@portal.example.kz"), "{data}");
    let new_password = data
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("the message carries the new password")
        .trim();
    assert_eq!(
        portal.login_password(IIN, new_password).await.status,
        StatusCode::OK
    );
    let outbox = portal.outbox();
    assert_eq!(outbox.len(), 1, "the outbox records the message");
    assert_eq!(
        outbox[0].1,
        db::SENT_BODY,
        "but not the password once it is sent"
    );
    assert!(!outbox[0].1.contains(new_password));
    assert!(
        outbox[0].2.is_some() && outbox[0].3.is_none(),
        "{:?}",
        outbox[0]
    );
}

#[tokio::test]
async fn with_an_unreachable_smtp_server_recovery_still_succeeds_and_the_outbox_row_records_the_error(
) {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_dir, portal) = fresh_with_smtp(&format!("smtp://127.0.0.1:{port}"));
    let sent = portal.recover_individual_by_email().await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.json);
    assert_eq!(
        sent.message(),
        "A new password has been sent to your registered e-mail"
    );

    let outbox = portal.outbox();
    assert_eq!(outbox.len(), 1, "the message stays in the outbox");
    let (recipient, body, sent_at, error) = &outbox[0];
    assert_eq!(recipient, "user@example.kz");
    assert_eq!(*sent_at, None);
    assert!(error.as_deref().is_some_and(|e| !e.is_empty()), "{error:?}");
    let new_password = body.rsplit(' ').next().unwrap();
    assert_eq!(
        portal.login_password(IIN, new_password).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn without_smtp_the_new_password_is_only_recorded_in_the_outbox() {
    let (_dir, portal) = fresh();
    portal.recover_individual_by_email().await;
    let outbox = portal.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].2, outbox[0].3.as_deref()), (None, None));
}

#[test]
fn a_database_file_from_before_the_delivery_columns_opens_and_gains_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY, recipient TEXT NOT NULL,
                                  subject TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
             INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a@b.kz', 's', 'b', 1);",
        )
        .unwrap();
    }
    let db = db::open(&path).expect("an old file opens");
    let id = db::queue_mail(&db, "c@d.kz", "s", "b", time::OffsetDateTime::UNIX_EPOCH).unwrap();
    db::mark_mail_failed(&db, id, "refused", time::OffsetDateTime::UNIX_EPOCH).unwrap();
    let rows: Vec<(String, Option<String>)> = db
        .prepare("SELECT recipient, error FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [
            ("a@b.kz".to_string(), None),
            ("c@d.kz".to_string(), Some("refused".to_string()))
        ]
    );
    drop(db);
    db::open(&path).expect("and opens again once migrated");
}

#[test]
fn the_portal_refuses_to_start_with_an_smtp_url_lettre_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_qoltanba-portal"))
        .args(["--port", "0", "--smtp", "imap://mail.example.kz"])
        .arg("--db")
        .arg(dir.path().join("portal.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--smtp"), "{stderr}");
}
