//! `qoltanba.register` replies: the signed payload must name this portal's origin and challenge.

mod common;

use common::*;
use qoltanba_verify::{ChallengeStore, Entity, Purpose, VerifyError};
use time::OffsetDateTime;

fn issued() -> (ChallengeStore, String) {
    let store = ChallengeStore::new();
    let challenge = store.issue().unwrap();
    (store, challenge)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn register_with_individual_sign_returns_identity_email_and_entity() {
    let (store, challenge) = issued();
    let reply = register_reply("individual_sign", ORIGIN, &challenge);
    let registration = verifier().register(&reply, &challenge, &store).unwrap();
    assert_eq!(registration.identity.iin.as_deref(), Some("123456789011"));
    assert_eq!(registration.identity.purpose, Purpose::Sign);
    assert_eq!(registration.email, "user@example.kz");
    assert_eq!(registration.entity, Entity::Individual);
}

#[test]
fn register_with_legal_ceo_sign_carries_the_bin() {
    let (_, challenge) = issued();
    let payload = register_payload(&challenge, "ceo@example.kz", "legal", ORIGIN);
    let reply = register_reply_with_payload("legal_ceo_sign", &payload);
    let registration = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap();
    assert_eq!(registration.identity.bin.as_deref(), Some("123456789021"));
    assert_eq!(registration.entity, Entity::Legal);
}

#[test]
fn a_payload_for_another_origin_is_refused_as_wrong_origin() {
    let (store, challenge) = issued();
    let reply = register_reply("individual_sign", "https://evil.example", &challenge);
    let err = verifier().register(&reply, &challenge, &store).unwrap_err();
    assert!(matches!(err, VerifyError::WrongOrigin { .. }), "{err}");
}

#[test]
fn a_payload_with_another_challenge_is_refused() {
    let (store, challenge) = issued();
    let other = store.issue().unwrap();
    let reply = register_reply("individual_sign", ORIGIN, &other);
    let err = verifier().register(&reply, &challenge, &store).unwrap_err();
    assert!(matches!(err, VerifyError::WrongChallenge), "{err}");
}

#[test]
fn a_reused_registration_challenge_is_refused() {
    let (store, challenge) = issued();
    let reply = register_reply("individual_sign", ORIGIN, &challenge);
    verifier().register(&reply, &challenge, &store).unwrap();
    let err = verifier().register(&reply, &challenge, &store).unwrap_err();
    assert!(
        matches!(err, VerifyError::UnknownOrReusedChallenge),
        "{err}"
    );
}

#[test]
fn an_auth_certificate_cannot_register() {
    let (_, challenge) = issued();
    let reply = register_reply("individual_auth", ORIGIN, &challenge);
    let err = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::WrongPurpose {
                wanted: Purpose::Sign,
                found: Purpose::Auth
            }
        ),
        "{err}"
    );
}

#[test]
fn an_expired_sign_certificate_cannot_register() {
    let (_, challenge) = issued();
    let reply = register_reply("expired_sign", ORIGIN, &challenge);
    let err = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::CertificateExpired(_)), "{err}");
}

#[test]
fn a_not_yet_valid_sign_certificate_cannot_register() {
    let (_, challenge) = issued();
    let reply = register_reply("not_yet_valid_sign", ORIGIN, &challenge);
    let err = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::CertificateNotYetValid(_)),
        "{err}"
    );
}

#[test]
fn a_tampered_payload_does_not_verify() {
    let (_, challenge) = issued();
    let reply = register_reply("individual_sign", ORIGIN, &challenge);
    let forged = register_payload(&challenge, "attacker@example.kz", "individual", ORIGIN);
    let reply = with_field(&reply, "payload", &forged);
    let err = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn a_tampered_registration_signature_does_not_verify() {
    let (_, challenge) = issued();
    let reply = flip_bit(
        &register_reply("individual_sign", ORIGIN, &challenge),
        "signature",
    );
    let err = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn a_payload_that_is_not_canonical_json_is_malformed() {
    let (_, challenge) = issued();
    let payload = format!(
        r#"{{"origin":"{ORIGIN}","challenge":"{challenge}","email":"a@b.kz","entity":"individual"}}"#
    );
    let reply = register_reply_with_payload("individual_sign", &payload);
    let err = verifier()
        .check_register(&reply, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::Malformed(_)), "{err}");
}

#[test]
fn malformed_registration_replies_are_refused() {
    let (_, challenge) = issued();
    let good = register_reply("individual_sign", ORIGIN, &challenge);
    let cases = [
        ("not JSON", "[".to_string()),
        ("payload not JSON", with_field(&good, "payload", "{")),
        (
            "unknown entity",
            with_field(
                &good,
                "payload",
                &register_payload(&challenge, "a@b.kz", "company", ORIGIN),
            ),
        ),
        (
            "bad base64 certificate",
            with_field(&good, "certificate", "!"),
        ),
    ];
    for (what, reply) in cases {
        let err = verifier()
            .check_register(&reply, &challenge, now())
            .unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{what}: {err}");
    }
    let wrong_format = with_field(&good, "format", "qoltanba-login:2");
    let err = verifier()
        .check_register(&wrong_format, &challenge, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongFormat { .. }), "{err}");
}
