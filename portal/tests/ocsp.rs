//! OCSP through the portal's own EDS login, against a responder that is not ours (`openssl ocsp`
//! over the test PKI) and no CRL: good logs in, revoked and unknown are refused, and a responder
//! that cannot answer refuses with the portal-side reason instead of letting anyone in.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
#[path = "../../tests/support/openssl_ocsp.rs"]
mod openssl_ocsp;
mod support;

use std::sync::Arc;

use axum::http::StatusCode;
use openssl_ocsp::OpensslOcsp;
use qoltanba_portal::{db, Options};
use qoltanba_verify::{OcspChecker, TrustStore};
use support::{TestPortal, AUTH_ERROR, IIN};

const REVOKED_IIN: &str = "123456789055";
const UNAVAILABLE: &str = "The certificate's revocation status cannot be checked right now: the portal's certificate revocation list is out of date. Try again later";

/// The test PKI's CAs with `responder` as the only revocation source.
fn portal_asking(responder: Option<&str>) -> TestPortal {
    let mut trust: TrustStore = common::trust();
    if let Some(url) = responder {
        trust.set_ocsp(Arc::new(OcspChecker::new(Some(url.to_string()))));
    }
    TestPortal::start_with(trust, Options::default())
}

/// An account for `iin` made directly in the database (its holder may not be able to register).
fn account_for(portal: &TestPortal, iin: &str) {
    let created = portal.portal.with_db(|connection| {
        db::create_account(
            connection,
            &db::NewAccount {
                iin,
                bin: None,
                entity: "individual",
                email: "holder@example.kz",
                full_name: None,
                password_hash: "not a password login",
            },
            time::OffsetDateTime::now_utc(),
        )
    });
    assert!(created.expect("account stored"));
}

#[tokio::test]
async fn a_certificate_the_responder_calls_good_registers_and_logs_in() {
    let responder = OpensslOcsp::start(&[]);
    let portal = portal_asking(Some(&responder.url));
    portal.register_individual().await;
    let answer = portal.login_eds("individual_auth").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.cookie().is_some());
}

#[tokio::test]
async fn a_certificate_the_responder_calls_revoked_cannot_log_in() {
    let control = portal_asking(None);
    account_for(&control, REVOKED_IIN);
    assert_eq!(
        control.login_eds("revoked_auth").await.status,
        StatusCode::OK,
        "control: without revocation checking the account's holder logs in"
    );
    let responder = OpensslOcsp::start(&[]);
    let portal = portal_asking(Some(&responder.url));
    account_for(&portal, REVOKED_IIN);
    let answer = portal.login_eds("revoked_auth").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert_eq!(answer.message(), AUTH_ERROR);
    assert!(answer.cookie().is_none());
}

#[tokio::test]
async fn a_certificate_unknown_to_the_responder_cannot_log_in() {
    // The responder's database forgets the individual's certificates: they are unknown to it.
    let responder = OpensslOcsp::start(&[&format!("IIN{IIN}")]);
    let portal = portal_asking(Some(&responder.url));
    account_for(&portal, IIN);
    let answer = portal.login_eds("individual_auth").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert_eq!(answer.message(), AUTH_ERROR);
    assert!(answer.cookie().is_none());
}

#[tokio::test]
async fn a_responder_that_is_down_refuses_with_the_portal_side_reason() {
    let url = {
        let responder = OpensslOcsp::start(&[]);
        responder.url.clone()
    };
    let portal = portal_asking(Some(&url));
    account_for(&portal, IIN);
    let answer = portal.login_eds("individual_auth").await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.text
    );
    assert_eq!(answer.message(), UNAVAILABLE);
    assert!(answer.cookie().is_none());
}
