//! Revocation fails closed: a CRL outside its thisUpdate..nextUpdate window vouches for nothing,
//! a revocation it lists still stands, and a changed CRL file is read again.

mod common;

use std::path::Path;

use common::{entry, nca_fixtures, test_ca, trust};
use qoltanba_verify::{TrustStore, VerifyError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// thisUpdate and nextUpdate of a DER CRL file.
fn crl_window(path: &Path) -> (OffsetDateTime, OffsetDateTime) {
    let der = std::fs::read(path).unwrap();
    let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
    let next = crl.next_update().expect("test CRL has nextUpdate");
    (crl.last_update().to_datetime(), next.to_datetime())
}

/// A fresh directory of this test's own, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("qoltanba-crl-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn leaf(name: &str) -> Vec<u8> {
    entry(name).certificate.der
}

fn with_intermediate_crl() -> TrustStore {
    let mut trust = trust();
    trust.add_crl_file(test_ca("intermediate.crl")).unwrap();
    trust
}

/// A moment after the test CRL's nextUpdate while `name`'s certificate is still valid.
fn after_next_update(name: &str) -> OffsetDateTime {
    let (_, next) = crl_window(&test_ca("intermediate.crl"));
    let at = next + Duration::hours(1);
    let not_after = entry(name).certificate.info.not_after;
    assert!(
        at < not_after,
        "the CRL must go stale before {name} expires"
    );
    at
}

#[test]
fn a_current_crl_lets_an_unrevoked_certificate_through() {
    let now = OffsetDateTime::now_utc();
    with_intermediate_crl()
        .check_path(&leaf("individual_auth"), &[], now)
        .expect("current CRL, certificate not on it");
}

#[test]
fn a_crl_past_its_next_update_refuses_an_unrevoked_certificate() {
    let at = after_next_update("individual_auth");
    let err = with_intermediate_crl()
        .check_path(&leaf("individual_auth"), &[], at)
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadCrl { .. }), "{err}");
    assert!(err.to_string().contains("out of date"), "{err}");
}

#[test]
fn a_revoked_certificate_is_refused_when_only_a_stale_crl_is_available() {
    let at = after_next_update("revoked_auth");
    let err = with_intermediate_crl()
        .check_path(&leaf("revoked_auth"), &[], at)
        .unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err}");
}

#[test]
fn a_crl_whose_this_update_is_in_the_future_is_refused() {
    let (this_update, _) = crl_window(&test_ca("intermediate.crl"));
    let err = with_intermediate_crl()
        .check_path(
            &leaf("individual_auth"),
            &[],
            this_update - Duration::days(1),
        )
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadCrl { .. }), "{err}");
    assert!(err.to_string().contains("not valid yet"), "{err}");
}

#[test]
fn a_replaced_crl_file_is_read_again_without_a_restart() {
    let dir = Scratch::new("replaced");
    let file = dir.path().join("current.crl");
    std::fs::copy(test_ca("root.crl"), &file).unwrap();
    let mut trust = trust();
    trust.add_crl_file(&file).unwrap();
    let now = OffsetDateTime::now_utc();
    let err = trust
        .check_path(&leaf("revoked_auth"), &[], now)
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::RevocationUnknown { .. }),
        "only the root's CRL yet: {err}"
    );
    // The operator puts the intermediate's CRL in place, as a new file renamed over the old.
    let next = dir.path().join("next.crl");
    std::fs::copy(test_ca("intermediate.crl"), &next).unwrap();
    std::fs::rename(&next, &file).unwrap();
    let err = trust
        .check_path(&leaf("revoked_auth"), &[], now)
        .unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err}");
    trust
        .check_path(&leaf("individual_auth"), &[], now)
        .expect("the new CRL vouches for the unrevoked certificate");
}

#[test]
fn a_crl_file_that_disappears_refuses_instead_of_skipping_revocation() {
    let dir = Scratch::new("disappears");
    let file = dir.path().join("current.crl");
    std::fs::copy(test_ca("intermediate.crl"), &file).unwrap();
    let mut trust = trust();
    trust.add_crl_file(&file).unwrap();
    let now = OffsetDateTime::now_utc();
    trust
        .check_path(&leaf("individual_auth"), &[], now)
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    let err = trust
        .check_path(&leaf("individual_auth"), &[], now)
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadCrl { .. }), "{err}");
}

#[test]
fn a_crl_file_replaced_by_garbage_refuses_logins() {
    let dir = Scratch::new("garbage");
    let file = dir.path().join("current.crl");
    std::fs::copy(test_ca("intermediate.crl"), &file).unwrap();
    let mut trust = trust();
    trust.add_crl_file(&file).unwrap();
    std::fs::write(&file, b"half a download").unwrap();
    let err = trust
        .check_path(&leaf("individual_auth"), &[], OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadCrl { .. }), "{err}");
}

/// Real NCA test CAs and CRL (third-party data, read in place).
fn nca_trust(dir: &Path) -> TrustStore {
    let mut trust = TrustStore::new();
    for ca in ["root_rsa_test.crt", "nca_rsa_test.crt"] {
        trust.add_ca_file(dir.join("ca").join(ca)).unwrap();
    }
    trust.add_crl_file(dir.join("ca/nca_rsa_test.crl")).unwrap();
    trust
}

fn nca_leaf(dir: &Path) -> Vec<u8> {
    let name = "AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.cer";
    let pem = std::fs::read(dir.join("keystores").join(name)).unwrap();
    let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).expect("PEM certificate");
    pem.contents
}

#[test]
fn the_real_nca_crl_vouches_only_inside_its_window() {
    let Some(dir) = nca_fixtures() else { return };
    let trust = nca_trust(&dir);
    let leaf = nca_leaf(&dir);
    // The CRL was issued 2022-03-29 and promised its successor for 2022-09-25.
    trust
        .check_path(&leaf, &[], datetime!(2022-06-01 00:00 UTC))
        .expect("inside the window");
    for at in [
        datetime!(2020-06-01 00:00 UTC),
        datetime!(2022-10-01 00:00 UTC),
    ] {
        let err = trust.check_path(&leaf, &[], at).unwrap_err();
        assert!(matches!(err, VerifyError::BadCrl { .. }), "{at}: {err}");
    }
}
