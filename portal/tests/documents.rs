//! Signed applications: the account page shows the signing time proven by the timestamp of the
//! last signed document (stamped by `openssl ts -reply`, a TSA that is not ours); a document
//! without a timestamp, one signed by someone else, a tampered one and one sent without a
//! session are refused or shown for what they are.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
#[path = "../../tests/support/openssl_tsa.rs"]
mod openssl_tsa;
mod support;

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use qoltanba_core::timestamp::{cades, stamp_cms, TsaSettings};
use qoltanba_portal::Options;
use qoltanba_verify::{TimestampTrust, TrustStore, Verifier};
use serde_json::json;
use support::{Answer, TestPortal, SOURCE};

const APPLICATION: &[u8] = "Заявление: справка об отсутствии судимости".as_bytes();

/// A portal that trusts the test PKI's TSA (under its root) and checks the test CRL.
fn portal_with_tsa() -> TestPortal {
    let mut anchors = TrustStore::new();
    anchors
        .add_ca_file(common::test_ca("root.pem"))
        .expect("root");
    let verifier =
        Verifier::new(common::ORIGIN, common::trust_with_crl()).with_timestamps(TimestampTrust {
            anchors,
            required: false,
        });
    TestPortal::start_with_verifier(verifier, Options::default())
}

/// The individual registered and logged in with EDS; the session cookie.
async fn logged_in(portal: &TestPortal) -> String {
    portal.register_individual().await;
    let answer = portal.login_eds("individual_auth").await;
    answer.cookie().expect("session")
}

fn stamped(keystore: &str) -> Vec<u8> {
    let tsa = openssl_tsa::OpensslTsa::start();
    let settings = TsaSettings {
        url: tsa.url.clone(),
        policy: None,
    };
    let cms = common::sign_cms(keystore, APPLICATION, false);
    stamp_cms(&cms, &settings, &qoltanba_http::HttpTransport::default())
        .expect("stamped")
        .0
}

/// genTime as `openssl ts -reply -token_in -text` reads it from the CMS's token, as the page
/// writes times: "YYYY-MM-DD HH:MM:SS UTC".
fn gen_time_by_openssl(cms: &[u8]) -> String {
    let token = cades::signature_timestamps(cms).expect("tokens").remove(0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.der");
    std::fs::write(&path, token).unwrap();
    let output = std::process::Command::new("openssl")
        .args(["ts", "-reply", "-token_in", "-text", "-in"])
        .arg(&path)
        .output()
        .expect("openssl ts");
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Time stamp: "))
        .unwrap_or_else(|| panic!("no time in {text}"));
    // "Nov 27 21:26:03 2026 GMT", seconds possibly with a fraction.
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [month, day, clock, year, "GMT"] = parts[..] else {
        panic!("unexpected time {line}");
    };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == month).expect("month") + 1;
    let clock = clock.split('.').next().unwrap_or(clock);
    format!(
        "{year}-{month:02}-{:02} {clock} UTC",
        day.parse::<u8>().expect("day")
    )
}

async fn send(portal: &TestPortal, cms: &[u8], cookie: Option<&str>) -> Answer {
    portal
        .post_as(
            SOURCE,
            "/api/applications",
            json!({"cms": STANDARD.encode(cms)}),
            cookie,
        )
        .await
}

async fn account_page(portal: &TestPortal, cookie: &str) -> String {
    let page = portal.get("/account?lang=en", Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.text
}

#[tokio::test]
async fn the_account_page_shows_the_time_the_last_documents_timestamp_proves() {
    let portal = portal_with_tsa();
    let cookie = logged_in(&portal).await;
    let before = account_page(&portal, &cookie).await;
    assert!(
        before.contains("<p id=\"last-signed\">None</p>"),
        "{before}"
    );
    let cms = stamped("individual_sign");
    let proven = gen_time_by_openssl(&cms);
    let answer = send(&portal, &cms, Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["provenTime"], proven.as_str());
    let page = account_page(&portal, &cookie).await;
    assert!(
        page.contains(&format!(
            "<time id=\"proven-time\">{proven}</time> (signing time proven by the timestamp)"
        )),
        "{page}"
    );
}

#[tokio::test]
async fn a_document_without_a_timestamp_is_shown_as_unproven() {
    let portal = portal_with_tsa();
    let cookie = logged_in(&portal).await;
    let cms = common::sign_cms("individual_sign", APPLICATION, false);
    let answer = send(&portal, &cms, Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.json["provenTime"].is_null());
    let page = account_page(&portal, &cookie).await;
    assert!(
        page.contains("(no timestamp: the signing time is not proven)"),
        "{page}"
    );
    assert!(!page.contains("proven-time"));
}

#[tokio::test]
async fn a_document_signed_by_someone_else_is_refused() {
    let portal = portal_with_tsa();
    let cookie = logged_in(&portal).await;
    let cms = common::sign_cms("legal_ceo_sign", APPLICATION, false);
    let answer = send(&portal, &cms, Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    assert_eq!(
        answer.message(),
        "The document is not signed by the holder of this personal account"
    );
    let page = account_page(&portal, &cookie).await;
    assert!(page.contains("<p id=\"last-signed\">None</p>"));
}

#[tokio::test]
async fn a_tampered_document_is_refused() {
    let portal = portal_with_tsa();
    let cookie = logged_in(&portal).await;
    let mut cms = common::sign_cms("individual_sign", APPLICATION, false);
    let at = cms
        .windows(APPLICATION.len())
        .position(|w| w == APPLICATION)
        .expect("attached content");
    cms[at] ^= 0x01;
    let answer = send(&portal, &cms, Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(
        answer.message(),
        "The signed document did not pass verification"
    );
}

#[tokio::test]
async fn a_document_sent_without_a_session_is_refused() {
    let portal = portal_with_tsa();
    portal.register_individual().await;
    let cms = common::sign_cms("individual_sign", APPLICATION, false);
    let answer = send(&portal, &cms, None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
}

#[tokio::test]
async fn the_services_page_offers_to_sign_the_application_with_a_timestamp() {
    let portal = portal_with_tsa();
    let cookie = logged_in(&portal).await;
    let page = portal.get("/services?lang=en", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("<button id=\"sign-application\">Sign and send the application</button>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("data-signer=\"ws://127.0.0.1:13579/\""));
    assert!(page.text.contains("src=\"/static/services.js\""));
    let script = portal.get("/static/services.js", None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.text.contains("timestamp: true"));
    assert!(script.text.contains("\"/api/applications\""));
}
