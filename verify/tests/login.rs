//! `qoltanba.login` replies: every check refuses what it must, and a good token yields the identity.

mod common;

use common::*;
use qoltanba_verify::{Holder, Purpose, Role, TrustStore, Verifier, VerifyError};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn login_with_individual_auth_returns_the_individuals_identity() {
    let store = FakeClock::new().store();
    let challenge = store.issue().unwrap();
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let identity = verifier().login(&reply, &challenge, &store).unwrap();
    assert_eq!(identity.iin.as_deref(), Some("123456789011"));
    assert_eq!(identity.bin, None);
    assert_eq!(identity.surname.as_deref(), Some("ТЕСТОВ"));
    assert_eq!(identity.given_name.as_deref(), Some("ТЕСТ"));
    assert_eq!(identity.patronymic.as_deref(), Some("ТЕСТОВИЧ"));
    assert_eq!(identity.full_name.as_deref(), Some("ТЕСТОВ ТЕСТ ТЕСТОВИЧ"));
    assert_eq!(identity.holder, Holder::Individual);
    assert_eq!(identity.role, None);
    assert_eq!(identity.purpose, Purpose::Auth);
    let cert = entry("individual_auth").certificate;
    assert_eq!(identity.serial, cert.info.serial);
    assert_eq!(identity.not_after, cert.info.not_after);
}

#[test]
fn login_with_legal_ceo_auth_returns_bin_organisation_and_ceo_role() {
    let store = ChallengeStoreFixture::new();
    let reply = login_reply("legal_ceo_auth", ORIGIN, &store.challenge);
    let identity = verifier()
        .login(&reply, &store.challenge, &store.store)
        .unwrap();
    assert_eq!(identity.iin.as_deref(), Some("123456789022"));
    assert_eq!(identity.bin.as_deref(), Some("123456789021"));
    assert_eq!(
        identity.organization.as_deref(),
        Some("ТОО \"Тестовая организация\"")
    );
    assert_eq!(identity.holder, Holder::LegalEntity);
    assert_eq!(identity.role, Some(Role::Ceo));
}

#[test]
fn a_token_signed_for_another_origin_is_refused() {
    let store = ChallengeStoreFixture::new();
    let reply = login_reply("individual_auth", "https://evil.example", &store.challenge);
    let err = verifier()
        .login(&reply, &store.challenge, &store.store)
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn a_token_signed_for_another_challenge_is_refused() {
    let store = ChallengeStoreFixture::new();
    let other = store.store.issue().unwrap();
    let reply = login_reply("individual_auth", ORIGIN, &other);
    let err = verifier()
        .login(&reply, &store.challenge, &store.store)
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn a_reused_challenge_is_refused_even_with_a_valid_token() {
    let store = ChallengeStoreFixture::new();
    let reply = login_reply("individual_auth", ORIGIN, &store.challenge);
    verifier()
        .login(&reply, &store.challenge, &store.store)
        .unwrap();
    let err = verifier()
        .login(&reply, &store.challenge, &store.store)
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::UnknownOrReusedChallenge),
        "{err}"
    );
}

#[test]
fn a_challenge_answered_after_five_minutes_is_refused() {
    let clock = FakeClock::new();
    let store = clock.store();
    let challenge = store.issue().unwrap();
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    clock.advance(Duration::minutes(5) + Duration::seconds(1));
    let err = verifier().login(&reply, &challenge, &store).unwrap_err();
    assert!(matches!(err, VerifyError::ChallengeExpired), "{err}");
}

#[test]
fn a_sign_certificate_cannot_log_in() {
    let store = ChallengeStoreFixture::new();
    let reply = login_reply("individual_sign", ORIGIN, &store.challenge);
    let err = verifier()
        .login(&reply, &store.challenge, &store.store)
        .unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::WrongPurpose {
                wanted: Purpose::Auth,
                found: Purpose::Sign
            }
        ),
        "{err}"
    );
}

#[test]
fn an_expired_certificate_cannot_log_in() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let after = entry("individual_auth").certificate.info.not_after + Duration::days(1);
    let err = verifier()
        .check_login(&reply, &challenge, after)
        .unwrap_err();
    assert!(matches!(err, VerifyError::CertificateExpired(_)), "{err}");
}

#[test]
fn a_certificate_before_its_validity_cannot_log_in() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let before = entry("individual_auth").certificate.info.not_before - Duration::days(1);
    let err = verifier()
        .check_login(&reply, &challenge, before)
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::CertificateNotYetValid(_)),
        "{err}"
    );
}

#[test]
fn a_certificate_on_the_configured_crl_is_revoked() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("revoked_auth", ORIGIN, &challenge);
    let verifier = Verifier::new(ORIGIN, trust_with_crl());
    let err = verifier.check_login(&reply, &challenge, now()).unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err}");
}

#[test]
fn without_a_crl_the_revoked_certificate_is_not_detected() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("revoked_auth", ORIGIN, &challenge);
    let identity = verifier().check_login(&reply, &challenge, now()).unwrap();
    assert_eq!(identity.iin.as_deref(), Some("123456789055"));
}

#[test]
fn a_certificate_not_on_the_crl_passes_the_revocation_check() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let verifier = Verifier::new(ORIGIN, trust_with_crl());
    verifier.check_login(&reply, &challenge, now()).unwrap();
}

#[test]
fn with_crls_configured_a_missing_crl_for_the_issuer_is_refused() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let mut trust = trust();
    trust.add_crl_file(test_ca("root.crl")).unwrap();
    let err = Verifier::new(ORIGIN, trust)
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::RevocationUnknown { .. }),
        "{err}"
    );
}

#[test]
fn a_crl_whose_signature_does_not_verify_is_refused() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    // The last byte belongs to the CRL's signature value.
    let mut crl = std::fs::read(test_ca("intermediate.crl")).unwrap();
    let last = crl.len() - 1;
    crl[last] ^= 0x01;
    let mut trust = trust();
    trust.add_crl_der(&crl).unwrap();
    let err = Verifier::new(ORIGIN, trust)
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadCrl { .. }), "{err}");
}

#[test]
fn a_certificate_from_a_ca_the_portal_does_not_trust_is_refused() {
    let Some(nca) = nca_fixtures() else { return };
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let mut trust = TrustStore::new();
    trust.add_ca_file(nca.join("ca/root_rsa_test.crt")).unwrap();
    trust.add_ca_file(nca.join("ca/nca_rsa_test.crt")).unwrap();
    let err = Verifier::new(ORIGIN, trust)
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedChain(_)), "{err}");
}

#[test]
fn an_intermediate_alone_is_not_a_trust_anchor() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let mut trust = TrustStore::new();
    trust.add_ca_file(test_ca("intermediate.pem")).unwrap();
    let err = Verifier::new(ORIGIN, trust)
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedChain(_)), "{err}");
}

#[test]
fn a_tampered_signature_is_refused() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = flip_bit(
        &login_reply("individual_auth", ORIGIN, &challenge),
        "signature",
    );
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn a_swapped_certificate_does_not_verify_the_signature() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let other = login_reply("legal_ceo_auth", ORIGIN, &challenge);
    let other: serde_json::Value = serde_json::from_str(&other).unwrap();
    let reply = with_field(
        &reply,
        "certificate",
        other["certificate"].as_str().unwrap(),
    );
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn malformed_replies_are_refused_as_malformed() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let good = login_reply("individual_auth", ORIGIN, &challenge);
    let cases = [
        ("not JSON", "{format:".to_string()),
        (
            "missing field",
            r#"{"format":"qoltanba-login:2"}"#.to_string(),
        ),
        (
            "bad base64 signature",
            with_field(&good, "signature", "***"),
        ),
        (
            "bad base64 certificate",
            with_field(&good, "certificate", "%%%"),
        ),
    ];
    for (what, reply) in cases {
        let err = verifier()
            .check_login(&reply, &challenge, now())
            .unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{what}: {err}");
    }
}

#[test]
fn a_reply_of_another_format_is_refused() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = with_field(
        &login_reply("individual_auth", ORIGIN, &challenge),
        "format",
        "qoltanba-register:2",
    );
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongFormat { .. }), "{err}");
}

#[test]
fn a_certificate_that_is_not_der_is_refused_before_any_other_check() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = with_field(
        &login_reply("individual_auth", ORIGIN, &challenge),
        "certificate",
        "AAECAwQ=",
    );
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadCertificate(_)), "{err}");
}

#[test]
fn an_algorithm_other_than_rs256_is_refused() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = with_field(
        &login_reply("individual_auth", ORIGIN, &challenge),
        "algorithm",
        "none",
    );
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::UnsupportedAlgorithm(_)), "{err}");
}

#[test]
fn a_challenge_shorter_than_32_bytes_is_malformed() {
    let reply = login_reply("individual_auth", ORIGIN, "c2hvcnQ");
    let err = verifier()
        .check_login(&reply, "c2hvcnQ", now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::Malformed(_)), "{err}");
}

/// A store with one issued challenge.
struct ChallengeStoreFixture {
    store: qoltanba_verify::ChallengeStore,
    challenge: String,
}

impl ChallengeStoreFixture {
    fn new() -> Self {
        let store = qoltanba_verify::ChallengeStore::new();
        let challenge = store.issue().unwrap();
        ChallengeStoreFixture { store, challenge }
    }
}

#[test]
fn a_version_1_token_is_refused_as_retired() {
    // Version 1 signed SHA-256(origin) ‖ SHA-256(challenge) with no label: raw signing forged it.
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = with_field(
        &login_reply("individual_auth", ORIGIN, &challenge),
        "format",
        "qoltanba-login:1",
    );
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::RetiredFormat(_)), "{err}");
}

#[test]
fn a_login_token_cannot_change_the_password() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = login_reply("individual_auth", ORIGIN, &challenge);
    let err = verifier()
        .check_change_password(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongAction { .. }), "{err}");
}

#[test]
fn a_login_token_relabelled_as_a_password_change_does_not_verify() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = with_field(
        &login_reply("individual_auth", ORIGIN, &challenge),
        "action",
        "change-password",
    );
    let err = verifier()
        .check_change_password(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn a_password_change_token_changes_the_password_and_cannot_log_in() {
    let challenge = ChallengeStoreFixture::new().challenge;
    let reply = change_password_reply("individual_auth", ORIGIN, &challenge);
    let identity = verifier()
        .check_change_password(&reply, &challenge, now())
        .unwrap();
    assert_eq!(identity.iin.as_deref(), Some("123456789011"));
    let err = verifier()
        .check_login(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongAction { .. }), "{err}");
}
