//! The API cannot be flooded: per-client rate limits answer 429, and the challenge store stops
//! at its cap.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use axum::http::{header, StatusCode};
use qoltanba_portal::limits::{Limit, RateLimits};
use qoltanba_portal::Options;
use serde_json::json;
use support::{TestPortal, SOURCE};

const OTHER_CLIENT: &str = "198.51.100.9:50000";

fn tight(limit: Limit) -> Options {
    Options {
        limits: RateLimits {
            challenge: limit,
            login: limit,
            password: limit,
        },
        ..Options::default()
    }
}

fn three_per_hour() -> Limit {
    Limit {
        burst: 3,
        every: Duration::from_secs(3600),
    }
}

#[tokio::test]
async fn a_client_over_its_challenge_limit_gets_429_with_a_message() {
    let portal = TestPortal::start_with(common::trust_with_crl(), tight(three_per_hour()));
    for _ in 0..3 {
        portal.challenge().await;
    }
    let refused = portal.post("/api/challenge", json!({})).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        refused.message(),
        "Too many requests. Wait a little and try again"
    );
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    // Another client is not affected.
    let other = portal
        .post_as(OTHER_CLIENT, "/api/challenge", json!({}), None)
        .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn password_guessing_is_slowed_to_429_before_the_handler_runs() {
    let portal = TestPortal::start_with(common::trust_with_crl(), tight(three_per_hour()));
    for _ in 0..3 {
        let answer = portal.login_password("999999999999", "Wrong1234").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let eds = portal
        .post("/api/login/eds", json!({"challenge": "x", "reply": "{}"}))
        .await;
    assert_eq!(
        eds.status,
        StatusCode::TOO_MANY_REQUESTS,
        "EDS and password login share the login limit"
    );
    let failures: i64 = portal.portal.with_db(|db| {
        db.query_row("SELECT count(*) FROM failed_logins", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(failures, 3, "refused requests never reached the handler");
}

#[tokio::test]
async fn password_recovery_is_rate_limited() {
    let portal = TestPortal::start_with(common::trust_with_crl(), tight(three_per_hour()));
    let ask = || {
        portal.post_as(
            SOURCE,
            "/api/password/email",
            json!({"entity": "individual", "iin": "999999999999",
                   "documentNumber": "1", "issueDate": "2020-01-01"}),
            None,
        )
    };
    for _ in 0..3 {
        assert_eq!(ask().await.status, StatusCode::BAD_REQUEST);
    }
    assert_eq!(ask().await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_default_limits_let_the_guides_ten_failures_through() {
    // Control: the lockout, not the limiter, answers an ordinary run of wrong passwords.
    let portal = TestPortal::start();
    for _ in 0..11 {
        let answer = portal.login_password("999999999999", "Wrong1234").await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    }
}
