//! What pages and sessions leak: security headers, no inline script or style for the CSP to
//! block, session tokens stored hashed, other sessions ended by a password change, and no
//! password left in the outbox once mail is sent.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
mod support;

use axum::http::{header, StatusCode};
use support::{TestPortal, IIN, PASSWORD};

/// True when an attribute like ` onclick=` appears.
fn has_event_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
        name_len > 0 && rest[name_len..].starts_with('=')
    })
}

#[tokio::test]
async fn every_page_sends_csp_nosniff_and_referrer_policy() {
    let portal = TestPortal::start();
    for uri in [
        "/?lang=en",
        "/register",
        "/password",
        "/password/eds",
        "/password/email",
        "/help",
        "/account",
        "/static/login.js",
        "/qoltanba.js",
    ] {
        let answer = portal.get(uri, None).await;
        let get = |name| {
            answer
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let csp = get(header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert!(
            csp.contains("connect-src 'self' ws://127.0.0.1:13579"),
            "{uri}: {csp}"
        );
        assert_eq!(get(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        assert_eq!(get(header::REFERRER_POLICY), "no-referrer", "{uri}");
    }
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style_for_the_csp_to_block() {
    let portal = TestPortal::start();
    portal.register_individual().await;
    let cookie = portal.login_password(IIN, PASSWORD).await.cookie().unwrap();
    for uri in [
        "/?lang=en",
        "/register?lang=kk",
        "/password?lang=ru",
        "/password/eds?lang=en",
        "/password/email?lang=kk",
        "/help?lang=en",
        "/account",
        "/services",
    ] {
        let page = portal.get(uri, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        let html = page.text;
        assert!(!html.contains("<style"), "{uri}");
        assert!(!html.contains(" style="), "{uri}");
        assert!(!has_event_handler(&html), "{uri}: no inline event handlers");
        for script in html.split("<script").skip(1) {
            let tag_end = script.find('>').unwrap();
            assert!(script[..tag_end].contains(" src=\"/static/"), "{uri}");
            assert!(script[tag_end + 1..].starts_with("</script>"), "{uri}");
        }
    }
}

#[tokio::test]
async fn the_pages_scripts_and_style_are_served_with_their_types() {
    let portal = TestPortal::start();
    for (uri, kind) in [
        ("/static/portal.css", "text/css"),
        ("/static/common.js", "text/javascript"),
        ("/static/login.js", "text/javascript"),
        ("/static/register.js", "text/javascript"),
        ("/static/session.js", "text/javascript"),
        ("/static/password-eds.js", "text/javascript"),
        ("/static/password-email.js", "text/javascript"),
    ] {
        let answer = portal.get(uri, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        let content_type = answer.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(content_type.starts_with(kind), "{uri}: {content_type}");
    }
    assert_eq!(
        portal.get("/static/../Cargo.toml", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_database_keeps_only_a_hash_of_the_session_token() {
    let portal = TestPortal::start();
    portal.register_individual().await;
    let cookie = portal.login_password(IIN, PASSWORD).await.cookie().unwrap();
    let token = cookie.strip_prefix("session=").unwrap().to_string();
    let stored: Vec<String> = portal.portal.with_db(|db| {
        let mut query = db
            .prepare("SELECT token FROM sessions UNION ALL SELECT session_token FROM logins")
            .unwrap();
        query
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|s| s != &token), "{stored:?}");
    // The stored value itself is no cookie.
    let forged = format!("session={}", stored[0]);
    let page = portal.get("/account", Some(&forged)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        portal.get("/account", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_password_reset_ends_the_accounts_other_sessions_but_not_the_requesters() {
    let portal = TestPortal::start();
    portal.register_individual().await;
    let thief = portal.login_password(IIN, PASSWORD).await.cookie().unwrap();
    let owner = portal.login_eds("individual_auth").await.cookie().unwrap();
    assert_eq!(
        portal.get("/account", Some(&thief)).await.status,
        StatusCode::OK
    );
    let reset = portal.recover_by_email(Some(&owner)).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    assert_eq!(
        portal.get("/account", Some(&thief)).await.status,
        StatusCode::SEE_OTHER,
        "the session opened with the old password is over"
    );
    assert_eq!(
        portal.get("/account", Some(&owner)).await.status,
        StatusCode::OK,
        "the requester's own session stays"
    );
}
