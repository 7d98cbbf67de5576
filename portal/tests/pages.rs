//! The pages behind the session cookie (personal account, services) and what the public pages
//! tell the browser, against a real SQLite file.

#[path = "../../verify/tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{register_payload, register_reply_with_payload, FakeClock, ORIGIN};
use http_body_util::BodyExt as _;
use qoltanba_portal::{db, Portal};
use qoltanba_verify::Verifier;
use serde_json::{json, Value};
use tower::ServiceExt as _;

const IIN: &str = "123456789011";
const PASSWORD: &str = "Secret123";

struct TestPortal {
    router: axum::Router,
    clock: FakeClock,
    _dir: tempfile::TempDir,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    text: String,
}

fn start_with(signer_url: Option<&str>) -> TestPortal {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::new();
    let connection = db::open(&dir.path().join("portal.db")).expect("database opens");
    let verifier = Verifier::new(ORIGIN, common::trust_with_crl());
    let portal = match signer_url {
        Some(url) => Portal::with_signer_url(connection, verifier, Arc::new(clock.clone()), url),
        None => Portal::new(connection, verifier, Arc::new(clock.clone())),
    };
    let source: SocketAddr = "203.0.113.7:40000".parse().unwrap();
    TestPortal {
        router: qoltanba_portal::router(portal).layer(MockConnectInfo(source)),
        clock,
        _dir: dir,
    }
}

fn start() -> TestPortal {
    start_with(None)
}

impl TestPortal {
    /// POSTs as the portal's pages do; answers the JSON and the `session=...` cookie pair.
    async fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> (Value, Option<String>) {
        let mut request = Request::post(format!("{path}?lang=en"))
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().unwrap().split(';').next().map(str::to_string));
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            cookie,
        )
    }

    async fn get(&self, uri: &str, cookie: Option<&str>) -> Page {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            location,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn challenge(&self) -> String {
        let (answer, _) = self.post("/api/challenge", json!({}), None).await;
        answer["challenge"].as_str().unwrap().to_string()
    }

    async fn register(&self, entity: &str, keystore: &str) {
        let challenge = self.challenge().await;
        let payload = register_payload(&challenge, "user@example.kz", entity, ORIGIN);
        let reply = register_reply_with_payload(keystore, &payload);
        let (answer, _) = self
            .post(
                "/api/register",
                json!({"agreement": true, "entity": entity, "password": PASSWORD,
                       "passwordConfirmation": PASSWORD, "email": "user@example.kz",
                       "challenge": challenge, "reply": reply}),
                None,
            )
            .await;
        assert_eq!(answer["ok"], true, "{answer}");
    }

    /// Logs in with the AUTH keystore; answers the session cookie.
    async fn login_eds(&self, keystore: &str) -> String {
        let challenge = self.challenge().await;
        let reply = common::login_reply(keystore, ORIGIN, &challenge);
        let (answer, cookie) = self
            .post(
                "/api/login/eds",
                json!({"challenge": challenge, "reply": reply}),
                None,
            )
            .await;
        cookie.unwrap_or_else(|| panic!("no session cookie: {answer}"))
    }

    async fn login_password(&self, login: &str, password: &str) -> Option<String> {
        let body = json!({"login": login, "password": password});
        self.post("/api/login/password", body, None).await.1
    }

    /// A registered individual logged in with EDS: the session cookie.
    async fn individual_session(&self) -> String {
        self.register("individual", "individual_sign").await;
        self.login_eds("individual_auth").await
    }
}

fn redirects_to_login(page: &Page) -> bool {
    page.status == StatusCode::SEE_OTHER && page.location.as_deref() == Some("/?lang=en")
}

#[tokio::test]
async fn personal_account_without_a_session_redirects_to_login() {
    let portal = start();
    let page = portal.get("/account?lang=en", None).await;
    assert!(
        redirects_to_login(&page),
        "{:?} {:?}",
        page.status,
        page.location
    );
}

#[tokio::test]
async fn services_without_a_session_redirect_to_login() {
    let portal = start();
    let page = portal.get("/services?lang=en", None).await;
    assert!(redirects_to_login(&page));
}

#[tokio::test]
async fn an_unknown_session_cookie_redirects_to_login() {
    let portal = start();
    portal.individual_session().await;
    let page = portal
        .get("/account?lang=en", Some("session=forged-token"))
        .await;
    assert!(redirects_to_login(&page));
}

#[tokio::test]
async fn personal_account_after_eds_login_shows_the_certificate_holder() {
    let portal = start();
    let cookie = portal.individual_session().await;
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let certificate = common::entry("individual_auth").certificate.info;
    let full_name = certificate.full_name.unwrap();
    assert!(page.text.contains(&format!("<dd id=\"iin\">{IIN}</dd>")));
    assert!(page
        .text
        .contains(&format!("<dd id=\"full-name\">{full_name}</dd>")));
    assert!(page.text.contains("<dd id=\"kind\">Individual</dd>"));
    let validity = format!(
        "<dd id=\"validity\">{} — {}</dd>",
        certificate.not_before.date(),
        certificate.not_after.date()
    );
    assert!(page.text.contains(&validity), "{}", page.text);
}

#[tokio::test]
async fn personal_account_of_a_legal_entity_shows_its_bin() {
    let portal = start();
    portal.register("legal", "legal_ceo_sign").await;
    let cookie = portal.login_eds("legal_ceo_auth").await;
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    let bin = common::entry("legal_ceo_auth")
        .certificate
        .info
        .bin
        .unwrap();
    assert!(page.text.contains(&format!("<dd id=\"bin\">{bin}</dd>")));
    assert!(page.text.contains("<dd id=\"kind\">Legal entity</dd>"));
}

#[tokio::test]
async fn personal_account_after_password_login_says_no_certificate_was_presented() {
    let portal = start();
    portal.register("individual", "individual_sign").await;
    let cookie = portal.login_password(IIN, PASSWORD).await.unwrap();
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    assert!(page.text.contains(&format!("<dd id=\"iin\">{IIN}</dd>")));
    assert!(page
        .text
        .contains("Logged in with a password: no certificate was presented"));
}

#[tokio::test]
async fn personal_account_lists_logins_and_failed_password_attempts() {
    let portal = start();
    portal.register("individual", "individual_sign").await;
    assert!(portal.login_password(IIN, "Wrong1234").await.is_none());
    let cookie = portal.login_eds("individual_auth").await;
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    let section = |id: &str| {
        let start = page.text.find(&format!("<table id=\"{id}\">")).unwrap();
        let end = start + page.text[start..].find("</table>").unwrap();
        page.text[start..end].to_string()
    };
    let logins = section("logins");
    assert!(
        logins.contains("<td>EDS</td><td>203.0.113.7</td>"),
        "{logins}"
    );
    let failures = section("failures");
    assert_eq!(
        failures.matches("<td>203.0.113.7</td>").count(),
        1,
        "{failures}"
    );
}

#[tokio::test]
async fn services_with_a_session_list_the_portals_services() {
    let portal = start();
    let cookie = portal.individual_session().await;
    let page = portal.get("/services?lang=en", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .text
        .contains("Certificate of the presence or absence of a criminal record"));
    assert!(page.text.contains("Registration at the place of residence"));
}

#[tokio::test]
async fn logged_in_pages_come_in_each_language() {
    let portal = start();
    let cookie = portal.individual_session().await;
    let ru = portal.get("/account?lang=ru", Some(&cookie)).await;
    assert!(ru.text.contains("<h1>Личный кабинет</h1>"));
    let kk = portal.get("/services?lang=kk", Some(&cookie)).await;
    assert!(kk.text.contains("<h1>Қызметтер</h1>"));
}

#[tokio::test]
async fn a_session_expires_an_hour_after_login() {
    let portal = start();
    let cookie = portal.individual_session().await;
    portal.clock.advance(time::Duration::minutes(59));
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    portal.clock.advance(time::Duration::minutes(2));
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    assert!(redirects_to_login(&page));
}

#[tokio::test]
async fn logging_out_ends_the_session_and_clears_the_cookie() {
    let portal = start();
    let cookie = portal.individual_session().await;
    let (_, cleared) = portal.post("/api/logout", json!({}), Some(&cookie)).await;
    assert_eq!(cleared.as_deref(), Some("session="));
    let page = portal.get("/account?lang=en", Some(&cookie)).await;
    assert!(redirects_to_login(&page));
}

#[tokio::test]
async fn pages_reach_the_signing_service_at_the_configured_url() {
    let portal = start_with(Some("ws://127.0.0.1:4242/"));
    for page in ["/?lang=en", "/register?lang=en"] {
        let text = portal.get(page, None).await.text;
        assert!(
            text.contains("data-signer=\"ws://127.0.0.1:4242/\""),
            "{page}"
        );
    }
}

#[tokio::test]
async fn pages_reach_the_signing_service_on_ncalayers_port_by_default() {
    let portal = start();
    let text = portal.get("/?lang=en", None).await.text;
    assert!(text.contains("data-signer=\"ws://127.0.0.1:13579/\""));
}

#[tokio::test]
async fn registration_page_shows_the_user_agreement_before_its_tick() {
    let portal = start();
    let text = portal.get("/register?lang=en", None).await.text;
    let agreement = text
        .find("<h2>User Agreement</h2>")
        .expect("agreement text");
    let tick = text
        .find("The User confirms that he is familiar with all the clauses")
        .expect("tick");
    assert!(agreement < tick);
}

#[tokio::test]
async fn the_login_page_links_forgot_password_and_the_instruction_in_each_language() {
    let portal = start();
    for (lang, forgot, instruction) in [
        (
            "en",
            "Forgot your password?",
            "User Authorization Instruction",
        ),
        (
            "ru",
            "Забыли пароль?",
            "Инструкция по авторизации пользователя",
        ),
        (
            "kk",
            "Құпиясөзді ұмыттыңыз ба?",
            "Пайдаланушыны авторизациялау нұсқаулығы",
        ),
    ] {
        let text = portal.get(&format!("/?lang={lang}"), None).await.text;
        assert!(
            text.contains(&format!("<a href=\"/password?lang={lang}\">{forgot}</a>")),
            "{lang}"
        );
        assert!(
            text.contains(&format!("<a href=\"/help?lang={lang}\">{instruction}</a>")),
            "{lang}"
        );
        // "Forgot your password?" belongs to the password form; the instruction follows both forms.
        let password_form = text.find("id=\"password-form\"").unwrap();
        let eds_form = text.find("id=\"eds-form\"").unwrap();
        let forgot_at = text.find("/password?lang=").unwrap();
        let instruction_at = text.find("/help?lang=").unwrap();
        assert!(password_form < forgot_at && forgot_at < eds_form, "{lang}");
        assert!(eds_form < instruction_at, "{lang}");
    }
}

#[tokio::test]
async fn the_forgot_password_page_offers_the_guides_two_ways() {
    let portal = start();
    let page = portal.get("/password?lang=en", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<h1>Password change</h1>"));
    assert!(page
        .text
        .contains("href=\"/password/eds?lang=en\">Change password by EDS</a>"));
    assert!(page
        .text
        .contains("href=\"/password/email?lang=en\">Change password by e-mail</a>"));
    let ru = portal.get("/password?lang=ru", None).await.text;
    assert!(ru.contains("Сменить пароль с помощью ЭЦП"));
    assert!(ru.contains("Сменить пароль по e-mail"));
}

#[tokio::test]
async fn the_eds_page_asks_for_the_certificate_before_the_new_password() {
    let portal = start_with(Some("ws://127.0.0.1:4242/"));
    let text = portal.get("/password/eds?lang=en", None).await.text;
    let select = text
        .find(">Select certificate</button>")
        .expect("Select certificate");
    let form = text
        .find("<form id=\"change-form\" hidden>")
        .expect("a hidden form");
    assert!(select < form);
    assert!(text.contains("New password <input type=\"password\" id=\"new-password\""));
    assert!(text.contains("Password confirmation <input type=\"password\" id=\"confirmation\""));
    assert!(text.contains("data-signer=\"ws://127.0.0.1:4242/\""));
    assert!(text.contains("src=\"/static/password-eds.js\""));
}

#[tokio::test]
async fn the_email_page_asks_an_individual_for_iin_document_and_date_and_a_legal_entity_for_bin_and_number(
) {
    let portal = start();
    let text = portal.get("/password/email?lang=en", None).await.text;
    let individual = text.find("id=\"individual-fields\"").unwrap();
    let legal = text.find("id=\"legal-fields\" hidden disabled").unwrap();
    for (label, id) in [
        ("IIN", "iin"),
        ("Document number", "document-number"),
        ("Date of issue", "issue-date"),
    ] {
        let at = text.find(&format!("id=\"{id}\"")).unwrap();
        assert!(text.contains(&format!("{label} <input")), "{label}");
        assert!(individual < at && at < legal, "{label}");
    }
    for id in ["bin", "registration-number"] {
        assert!(text.find(&format!("id=\"{id}\"")).unwrap() > legal, "{id}");
    }
    assert!(text.contains("Registration number <input"));
    let kk = portal.get("/password/email?lang=kk", None).await.text;
    assert!(kk.contains("Құжат нөмірі") && kk.contains("Тіркеу нөмірі"));
}

#[tokio::test]
async fn the_instruction_explains_eds_login_and_what_to_do_when_the_browser_blocks_or_distrusts_qoltanba(
) {
    let portal = start();
    for (lang, blocked, trust) in [
        (
            "en",
            "If the browser blocks access to apps on this device",
            "Trust the local certificate",
        ),
        (
            "ru",
            "Если браузер блокирует доступ к приложениям на устройстве",
            "Доверять локальному сертификату",
        ),
        (
            "kk",
            "Браузер құрылғыдағы қолданбаларға қол жеткізуді бұғаттаса",
            "Жергілікті сертификатқа сену",
        ),
    ] {
        let page = portal.get(&format!("/help?lang={lang}"), None).await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        assert!(page.text.contains(blocked), "{lang}");
        assert!(page.text.contains(trust), "{lang}");
        assert!(page.text.contains("Qoltanba"), "{lang}");
    }
}
