//! Password login tells an attacker nothing about which IINs, BINs and e-mails have accounts:
//! unknown identifiers get the same answers, and are counted and blocked the same way. Recovery
//! by e-mail does not say which field was wrong, nor whether the IIN or BIN has an account.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
mod support;

use axum::http::StatusCode;
use qoltanba_portal::db;
use serde_json::json;
use support::{TestPortal, AUTH_ERROR, BLOCKED, IIN, PASSWORD};

const UNKNOWN_IIN: &str = "999999999999";

#[tokio::test]
async fn unknown_and_known_identifiers_get_the_same_status_and_message() {
    let portal = TestPortal::start();
    portal.register_individual().await;
    for login in [IIN, "user@example.kz", UNKNOWN_IIN, "nobody@example.kz"] {
        let answer = portal.login_password(login, "Wrong1234").await;
        assert_eq!(
            (answer.status, answer.message()),
            (StatusCode::UNAUTHORIZED, AUTH_ERROR),
            "{login}"
        );
        assert!(answer.cookie().is_none(), "{login}");
    }
}

#[tokio::test]
async fn an_unknown_identifier_is_blocked_after_ten_failures_like_a_known_one() {
    let portal = TestPortal::start_unlimited();
    portal.register_individual().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..11 {
        let k = portal.login_password(IIN, "Wrong1234").await;
        known.push((k.status, k.message().to_string()));
        let u = portal.login_password(UNKNOWN_IIN, "Wrong1234").await;
        unknown.push((u.status, u.message().to_string()));
    }
    assert_eq!(
        known, unknown,
        "the two sequences must be indistinguishable"
    );
    assert_eq!(
        unknown[9],
        (StatusCode::FORBIDDEN, BLOCKED.to_string()),
        "the tenth failure blocks"
    );
    assert_eq!(unknown[10].1, BLOCKED);
}

#[tokio::test]
async fn an_unknown_identifiers_block_lifts_after_15_minutes_like_a_known_ones() {
    let portal = TestPortal::start();
    for _ in 0..10 {
        portal.login_password(UNKNOWN_IIN, "Wrong1234").await;
    }
    portal.clock.advance(time::Duration::minutes(14));
    assert_eq!(
        portal
            .login_password(UNKNOWN_IIN, "Wrong1234")
            .await
            .message(),
        BLOCKED
    );
    portal.clock.advance(time::Duration::minutes(1));
    assert_eq!(
        portal
            .login_password(UNKNOWN_IIN, "Wrong1234")
            .await
            .message(),
        AUTH_ERROR
    );
}

#[tokio::test]
async fn the_unknown_identifiers_count_ignores_case_as_the_e_mail_lookup_does() {
    let portal = TestPortal::start();
    for i in 0..10 {
        let login = if i % 2 == 0 {
            "Nobody@Example.kz"
        } else {
            "nobody@example.kz"
        };
        portal.login_password(login, "Wrong1234").await;
    }
    assert_eq!(
        portal
            .login_password("NOBODY@EXAMPLE.KZ", "Wrong1234")
            .await
            .message(),
        BLOCKED
    );
}

#[tokio::test]
async fn the_right_password_still_opens_a_known_account_after_unknown_failures() {
    // Control: blocking unknown identifiers must not spill over to real accounts.
    let portal = TestPortal::start();
    portal.register_individual().await;
    for _ in 0..10 {
        portal.login_password(UNKNOWN_IIN, "Wrong1234").await;
    }
    assert_eq!(
        portal.login_password(IIN, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn recovery_by_email_answers_every_mismatch_alike_whichever_field_is_wrong() {
    let portal = TestPortal::start_unlimited();
    portal.register_individual().await;
    portal
        .portal
        .with_db(|db| db::add_identity_document(db, IIN, "N0123456", "2020-01-15"))
        .unwrap();
    let attempts = [
        ("wrong document number", IIN, "N9999999", "2020-01-15"),
        ("wrong date of issue", IIN, "N0123456", "2021-01-15"),
        ("unknown IIN", UNKNOWN_IIN, "N0123456", "2020-01-15"),
        ("everything wrong", UNKNOWN_IIN, "X", "1999-01-01"),
    ];
    let mut answers = Vec::new();
    for (what, iin, number, issued) in attempts {
        let answer = portal
            .post(
                "/api/password/email",
                json!({"entity": "individual", "iin": iin, "documentNumber": number, "issueDate": issued}),
            )
            .await;
        answers.push((what, answer.status, answer.json.to_string()));
    }
    let legal = portal
        .post(
            "/api/password/email",
            json!({"entity": "legal", "bin": IIN, "registrationNumber": "N0123456"}),
        )
        .await;
    answers.push((
        "an individual's data as a legal entity's",
        legal.status,
        legal.json.to_string(),
    ));
    let (_, status, body) = &answers[0];
    assert_eq!(*status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("The data entered do not match the portal's records"),
        "{body}"
    );
    for (what, other_status, other_body) in &answers[1..] {
        assert_eq!((other_status, other_body), (status, body), "{what}");
    }
    let mailed: i64 = portal.portal.with_db(|db| {
        db.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(mailed, 0, "no mismatch sends mail");
}
