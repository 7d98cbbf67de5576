//! CAdES-T in `verify`: a CMS stamped by the local openssl TSA proves its time when the TSA
//! chains to a configured TSA anchor; a tampered signature value, an untrusted TSA or a missing
//! timestamp where one is required are refused.

mod common;
#[path = "../../tests/support/openssl_tsa.rs"]
mod openssl_tsa;

use common::*;
use qoltanba_core::timestamp::{stamp_cms, TsaSettings};
use qoltanba_http::HttpTransport;
use qoltanba_verify::{Purpose, TimestampTrust, TrustStore, VerifyError};
use time::OffsetDateTime;

fn stamped(data: &[u8]) -> Vec<u8> {
    let tsa = openssl_tsa::OpensslTsa::start();
    let settings = TsaSettings {
        url: tsa.url.clone(),
        policy: None,
    };
    stamp_cms(
        &sign_cms("individual_sign", data, false),
        &settings,
        &HttpTransport::default(),
    )
    .expect("stamped")
    .0
}

fn tsa_trust(required: bool) -> TimestampTrust {
    let mut anchors = TrustStore::new();
    anchors.add_ca_file(test_ca("root.pem")).expect("root");
    TimestampTrust { anchors, required }
}

#[test]
fn a_stamped_cms_returns_the_tsa_time_as_proven_signing_time() {
    let cms = stamped(b"contract");
    let verifier = verifier().with_timestamps(tsa_trust(true));
    let verified = verifier
        .verify_cms(&cms, None, Purpose::Sign, OffsetDateTime::now_utc())
        .expect("verifies");
    let proven = verified.timestamp.expect("a proven time");
    let age = OffsetDateTime::now_utc() - proven.gen_time;
    assert!(age.whole_seconds().abs() < 120, "genTime is now: {age}");
    assert_eq!(proven.policy, "1.2.398.3.3.2.6.2");
}

#[test]
fn a_tampered_signature_value_fails_the_imprint_check() {
    let cms = stamped(b"contract");
    let (_, signature) =
        qoltanba_core::timestamp::cades::signer_signature(&cms).expect("signature");
    // Flip a bit of the signature value where it sits in the DER.
    let at = cms
        .windows(signature.len())
        .position(|w| w == signature.as_slice())
        .expect("signature in the CMS");
    let mut tampered = cms.clone();
    tampered[at + 10] ^= 0x01;
    let err = verifier()
        .with_timestamps(tsa_trust(false))
        .verify_cms(&tampered, None, Purpose::Sign, OffsetDateTime::now_utc())
        .unwrap_err();
    match err {
        VerifyError::BadTimestamp(why) => assert!(why.contains("another value"), "{why}"),
        other => panic!("expected a bad timestamp, got {other}"),
    }
}

#[test]
fn a_tsa_outside_the_configured_anchors_proves_nothing() {
    let cms = stamped(b"contract");
    let Some(nca) = nca_fixtures() else { return };
    let mut anchors = TrustStore::new();
    anchors
        .add_ca_file(nca.join("ca/root_rsa_test.crt"))
        .expect("NCA root");
    let err = verifier()
        .with_timestamps(TimestampTrust {
            anchors,
            required: false,
        })
        .verify_cms(&cms, None, Purpose::Sign, OffsetDateTime::now_utc())
        .unwrap_err();
    match err {
        VerifyError::BadTimestamp(why) => assert!(why.contains("not trusted"), "{why}"),
        other => panic!("expected an untrusted TSA, got {other}"),
    }
}

#[test]
fn a_cms_without_timestamp_is_refused_where_one_is_required() {
    let cms = sign_cms("individual_sign", b"contract", false);
    let err = verifier()
        .with_timestamps(tsa_trust(true))
        .verify_cms(&cms, None, Purpose::Sign, OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(matches!(err, VerifyError::TimestampMissing), "{err}");
    let verified = verifier()
        .with_timestamps(tsa_trust(false))
        .verify_cms(&cms, None, Purpose::Sign, OffsetDateTime::now_utc())
        .expect("optional timestamp");
    assert_eq!(verified.timestamp, None);
}
