//! Real NCA RK test certificates chain to the real NCA test CAs (third-party data, read in place).

mod common;

use std::path::Path;

use common::nca_fixtures;
use qoltanba_verify::{check_certificate, Holder, Purpose, TrustStore, VerifyError};
use time::macros::datetime;
use time::OffsetDateTime;

/// Inside the RSA leafs' validity (2020-01-28 … 2021-01-27) and their CA's.
const AT: OffsetDateTime = datetime!(2020-06-01 00:00 UTC);

const AUTH_INDIVIDUAL: &str = "AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.cer";
const AUTH_LEGAL: &str = "AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.cer";
const SIGN_INDIVIDUAL: &str = "RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.cer";
const GOST_2004: &str = "GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.cer";

fn nca_trust(dir: &Path, crl: bool) -> TrustStore {
    let mut trust = TrustStore::new();
    for ca in [
        "root_rsa_test.crt",
        "nca_rsa_test.crt",
        "root_gost_test.crt",
        "nca_gost_test.crt",
    ] {
        trust.add_ca_file(dir.join("ca").join(ca)).unwrap();
    }
    if crl {
        trust.add_crl_file(dir.join("ca/nca_rsa_test.crl")).unwrap();
    }
    trust
}

/// The DER of a PEM `.cer` fixture.
fn cer(dir: &Path, name: &str) -> Vec<u8> {
    let pem = std::fs::read(dir.join("keystores").join(name)).unwrap();
    let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).expect("PEM certificate");
    pem.contents
}

#[test]
fn nca_rsa_certificates_chain_to_the_nca_rsa_test_root() {
    let Some(dir) = nca_fixtures() else { return };
    let trust = nca_trust(&dir, false);
    for (name, purpose) in [
        (AUTH_INDIVIDUAL, Purpose::Auth),
        (AUTH_LEGAL, Purpose::Auth),
        (SIGN_INDIVIDUAL, Purpose::Sign),
    ] {
        let checked = check_certificate(&trust, &cer(&dir, name), purpose, &[], AT)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(checked.path.len(), 3, "{name}: leaf, NCA RSA test CA, root");
    }
}

#[test]
fn nca_rsa_certificates_pass_the_real_nca_crl() {
    let Some(dir) = nca_fixtures() else { return };
    let trust = nca_trust(&dir, true);
    // The CRL vouches only for its own window (2022-03-29 .. 2022-09-25), which starts after the
    // leaf expired: check the path and revocation, not the leaf's dates, inside that window.
    let path = trust
        .check_path(
            &cer(&dir, AUTH_INDIVIDUAL),
            &[],
            datetime!(2022-06-01 00:00 UTC),
        )
        .unwrap();
    assert_eq!(path.len(), 3);
}

#[test]
fn nca_legal_entity_auth_certificate_yields_bin_and_legal_holder() {
    let Some(dir) = nca_fixtures() else { return };
    let trust = nca_trust(&dir, false);
    let checked =
        check_certificate(&trust, &cer(&dir, AUTH_LEGAL), Purpose::Auth, &[], AT).unwrap();
    assert_eq!(checked.identity.bin.as_deref(), Some("123456789021"));
    assert_eq!(checked.identity.holder, Holder::LegalEntity);
}

#[test]
fn nca_certificates_are_expired_today() {
    let Some(dir) = nca_fixtures() else { return };
    let trust = nca_trust(&dir, false);
    let err = check_certificate(
        &trust,
        &cer(&dir, AUTH_INDIVIDUAL),
        Purpose::Auth,
        &[],
        OffsetDateTime::now_utc(),
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::CertificateExpired(_)), "{err}");
}

#[test]
fn nca_certificates_are_untrusted_by_a_portal_trusting_only_the_test_pki() {
    let Some(dir) = nca_fixtures() else { return };
    let err = check_certificate(
        &common::trust(),
        &cer(&dir, SIGN_INDIVIDUAL),
        Purpose::Sign,
        &[],
        AT,
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedChain(_)), "{err}");
}

#[test]
fn a_gost_certificate_is_reported_as_an_unsupported_algorithm() {
    let Some(dir) = nca_fixtures() else { return };
    let trust = nca_trust(&dir, false);
    let err =
        check_certificate(&trust, &cer(&dir, GOST_2004), Purpose::Unknown, &[], AT).unwrap_err();
    assert!(matches!(err, VerifyError::UnsupportedAlgorithm(_)), "{err}");
    assert!(err.to_string().contains("GOST"), "{err}");
}
