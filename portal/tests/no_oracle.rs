//! Password login tells an attacker nothing about which IINs, BINs and e-mails have accounts:
//! unknown identifiers get the same answers, and are counted and blocked the same way.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
mod support;

use axum::http::StatusCode;
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
