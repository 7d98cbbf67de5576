//! GOST 34.10-2015 keys (what NCA issues since 2024): chain, login tokens, CMS and XML verify.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::nca_fixtures;
use qoltanba_core::keystore;
use qoltanba_core::sign::{sign_raw, EntrySigner, RawSigner, SignOptions};
use qoltanba_core::token::{login_message, Action};
use qoltanba_verify::{Holder, TrustStore, Verifier, VerifyError};

const ORIGIN: &str = "https://egov.kz";
const CHALLENGE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// A login token made with a real NCA GOST512 keystore, signed inside the certificate's year.
fn gost_login(dir: &std::path::Path, keystore_name: &str) -> (String, time::OffsetDateTime) {
    let store = keystore::open(&dir.join("keystores").join(keystore_name), "Qwerty12").unwrap();
    let entry = &store.entries[0];
    let at = entry.certificate.info.not_before + time::Duration::days(1);
    let signer = EntrySigner::new(
        entry,
        SignOptions {
            now: at,
            allow_expired: false,
        },
    )
    .unwrap();
    let challenge = URL_SAFE_NO_PAD.decode(CHALLENGE).unwrap();
    let signature = sign_raw(&signer, &login_message(Action::Login, ORIGIN, &challenge)).unwrap();
    let reply = serde_json::json!({
        "format": "qoltanba-login:2",
        "action": "login",
        "algorithm": signer.algorithm().token_name(),
        "certificate": STANDARD.encode(&entry.certificate.der),
        "signature": URL_SAFE_NO_PAD.encode(signature),
    });
    (reply.to_string(), at)
}

fn gost_verifier(dir: &std::path::Path, origin: &str) -> Verifier {
    let mut trust = TrustStore::new();
    trust
        .add_ca_file(dir.join("ca/root_test_gost_2022.crt"))
        .unwrap();
    trust
        .add_ca_file(dir.join("ca/nca_gost2022_test.crt"))
        .unwrap();
    Verifier::new(origin, trust)
}

#[test]
fn gost_2015_login_token_verifies_through_the_nca_gost_chain() {
    let Some(dir) = nca_fixtures() else { return };
    let (reply, at) = gost_login(&dir, "GOST512_legal_ceo.p12");
    assert!(reply.contains("\"GOST512\""));
    let identity = gost_verifier(&dir, ORIGIN)
        .check_login(&reply, CHALLENGE, at)
        .unwrap();
    assert_eq!(identity.holder, Holder::LegalEntity);
    assert!(identity.bin.is_some());
}

#[test]
fn gost_2015_login_token_fails_for_another_origin() {
    let Some(dir) = nca_fixtures() else { return };
    let (reply, at) = gost_login(&dir, "GOST512_individual.p12");
    let err = gost_verifier(&dir, "https://evil.example").check_login(&reply, CHALLENGE, at);
    assert!(matches!(err, Err(VerifyError::BadSignature)), "{err:?}");
}

/// The individual GOST512 keystore and a moment a day inside its certificate's validity.
fn gost_signer_at(dir: &std::path::Path) -> (keystore::Keystore, time::OffsetDateTime) {
    let store = keystore::open(&dir.join("keystores/GOST512_individual.p12"), "Qwerty12").unwrap();
    let at = store.entries[0].certificate.info.not_before + time::Duration::days(1);
    (store, at)
}

fn signer_at(store: &keystore::Keystore, at: time::OffsetDateTime) -> EntrySigner<'_> {
    EntrySigner::new(
        &store.entries[0],
        SignOptions {
            now: at,
            allow_expired: false,
        },
    )
    .unwrap()
}

#[test]
fn gost_2015_cms_verifies_and_changed_content_fails() {
    let Some(dir) = nca_fixtures() else { return };
    let (store, at) = gost_signer_at(&dir);
    let signer = signer_at(&store, at);
    let cms = qoltanba_core::sign::cms::sign_cms(
        &signer,
        b"document",
        true,
        std::time::SystemTime::now(),
    )
    .unwrap();
    let verifier = gost_verifier(&dir, ORIGIN);
    let verified = verifier
        .verify_cms(&cms, Some(b"document"), qoltanba_verify::Purpose::Sign, at)
        .unwrap();
    assert_eq!(verified.identity.holder, Holder::Individual);
    let err = verifier.verify_cms(&cms, Some(b"documenT"), qoltanba_verify::Purpose::Sign, at);
    assert!(matches!(err, Err(VerifyError::DigestMismatch)), "{err:?}");
}

#[test]
fn gost_2015_cms_over_a_streebog_hash_verifies_with_the_hashed_content() {
    let Some(dir) = nca_fixtures() else { return };
    let (store, at) = gost_signer_at(&dir);
    let signer = signer_at(&store, at);
    let hash = qoltanba_core::gost::streebog512(b"document");
    let cms =
        qoltanba_core::sign::cms::sign_cms_digest(&signer, &hash, std::time::SystemTime::now())
            .unwrap();
    let verifier = gost_verifier(&dir, ORIGIN);
    let verified = verifier
        .verify_cms(&cms, Some(b"document"), qoltanba_verify::Purpose::Sign, at)
        .unwrap();
    assert_eq!(verified.identity.holder, Holder::Individual);
    let err = verifier.verify_cms(&cms, Some(b"documenT"), qoltanba_verify::Purpose::Sign, at);
    assert!(matches!(err, Err(VerifyError::DigestMismatch)), "{err:?}");
}

#[test]
fn gost_2015_key_refuses_a_sha256_sized_hash() {
    let Some(dir) = nca_fixtures() else { return };
    let (store, at) = gost_signer_at(&dir);
    let signer = signer_at(&store, at);
    let err = qoltanba_core::sign::cms::sign_cms_digest(
        &signer,
        &[0u8; 32],
        std::time::SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the hash is 32 bytes, but this GOST 34.10-2015 key signs \
         GOST 34.11-2015 (Streebog-512) hashes of 64 bytes"
    );
}

#[test]
fn gost_2015_xml_verifies_and_changed_content_fails() {
    let Some(dir) = nca_fixtures() else { return };
    let (store, at) = gost_signer_at(&dir);
    let signer = signer_at(&store, at);
    let signed = qoltanba_core::sign::xml::sign_enveloped(
        "<doc><iin>123456789012</iin></doc>",
        &signer,
        qoltanba_core::sign::xml::XmlLayout::Compact,
    )
    .unwrap();
    let verifier = gost_verifier(&dir, ORIGIN);
    assert!(verifier
        .verify_xml(&signed, qoltanba_verify::Purpose::Sign, at)
        .is_ok());
    let tampered = signed.replace("123456789012", "123456789013");
    let err = verifier.verify_xml(&tampered, qoltanba_verify::Purpose::Sign, at);
    assert!(matches!(err, Err(VerifyError::DigestMismatch)), "{err:?}");
}
