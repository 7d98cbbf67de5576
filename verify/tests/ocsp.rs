//! OCSP in `verify` against a responder that is not ours (`openssl ocsp` over the test PKI):
//! good, revoked and unknown certificates give their three outcomes; a stale answer and one
//! signed by an unrelated key are refused; answers are reused briefly per certificate.

mod common;
#[path = "../../tests/support/openssl_ocsp.rs"]
mod openssl_ocsp;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::*;
use openssl_ocsp::OpensslOcsp;
use qoltanba_core::ocsp::{OcspError, OcspQuery, Status};
use qoltanba_verify::{OcspChecker, Purpose, VerifyError};
use time::OffsetDateTime;

const NO_IIN: &str = "TEST INFORMATION SYSTEM";

fn der(name: &str) -> Vec<u8> {
    let pem = std::fs::read(test_ca(name)).expect("certificate");
    pem_rfc7468::decode_vec(&pem).expect("PEM").1
}

fn leaf(name: &str) -> Vec<u8> {
    entry(name).certificate.der
}

fn verify_with(responder: &str, keystore: &str) -> Result<(), VerifyError> {
    let mut trust = trust();
    trust.set_ocsp(Arc::new(OcspChecker::new(Some(responder.to_string()))));
    let verifier = qoltanba_verify::Verifier::new(ORIGIN, trust);
    let cms = sign_cms(keystore, b"document", false);
    verifier
        .verify_cms(&cms, None, Purpose::Unknown, OffsetDateTime::now_utc())
        .map(|_| ())
}

#[test]
fn good_revoked_and_unknown_certificates_give_their_three_outcomes() {
    let responder = OpensslOcsp::start(&[NO_IIN]);
    let good = verify_with(&responder.url, "individual_sign");
    assert!(good.is_ok(), "{good:?}");
    assert!(matches!(
        verify_with(&responder.url, "revoked_auth"),
        Err(VerifyError::Revoked { .. })
    ));
    let unknown = verify_with(&responder.url, "no_iin_sign");
    assert!(
        matches!(unknown, Err(VerifyError::OcspUnknown)),
        "{unknown:?}"
    );
}

#[test]
fn the_core_reads_the_three_statuses_and_the_revocation_time() {
    let responder = OpensslOcsp::start(&[NO_IIN]);
    let issuer = der("intermediate.pem");
    let transport = qoltanba_http::HttpTransport::default();
    let ask = |name: &str| {
        let query = OcspQuery::new(&leaf(name), &issuer).expect("query");
        let body = qoltanba_core::timestamp::Transport::post(
            &transport,
            &responder.url,
            "application/ocsp-request",
            query.der(),
        )
        .expect("answer");
        query
            .check_response(&body, SystemTime::now())
            .expect("valid")
            .status
    };
    assert_eq!(ask("individual_auth"), Status::Good);
    assert!(matches!(ask("revoked_auth"), Status::Revoked { .. }));
    assert_eq!(ask("no_iin_sign"), Status::Unknown);
}

#[test]
fn an_answer_past_its_next_update_is_stale() {
    let responder = OpensslOcsp::start(&[]);
    let issuer = der("intermediate.pem");
    let query = OcspQuery::new(&leaf("individual_sign"), &issuer).expect("query");
    let transport = qoltanba_http::HttpTransport::default();
    let body = qoltanba_core::timestamp::Transport::post(
        &transport,
        &responder.url,
        "application/ocsp-request",
        query.der(),
    )
    .expect("answer");
    // The responder sets nextUpdate 10 minutes ahead; an hour later the answer is stale.
    let later = SystemTime::now() + Duration::from_secs(3600);
    assert!(matches!(
        query.check_response(&body, later),
        Err(OcspError::Stale(_))
    ));
}

#[test]
fn an_answer_signed_by_an_unrelated_key_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("rogue.pem"), dir.path().join("rogue.key"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg("/CN=Rogue OCSP")
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl req");
    assert!(made.status.success());
    let rogue = OpensslOcsp::start_with(&[], &cert, &key);
    match verify_with(&rogue.url, "individual_sign") {
        Err(VerifyError::OcspFailed(why)) => assert!(why.contains("responder"), "{why}"),
        other => panic!("expected a refused answer, got {other:?}"),
    }
}

#[test]
fn a_good_answer_is_reused_for_the_same_certificate_while_fresh() {
    let responder = OpensslOcsp::start(&[]);
    let checker = OcspChecker::new(Some(responder.url.clone()));
    let issuer = der("intermediate.pem");
    let cert = leaf("individual_sign");
    let first = checker
        .status(&cert, &issuer, SystemTime::now())
        .expect("first");
    drop(responder);
    let again = checker
        .status(&cert, &issuer, SystemTime::now())
        .expect("from the cache, the responder being gone");
    assert_eq!(first, again);
    let other = checker.status(&leaf("individual_auth"), &issuer, SystemTime::now());
    assert!(matches!(other, Err(OcspError::Unavailable(_))), "{other:?}");
}
