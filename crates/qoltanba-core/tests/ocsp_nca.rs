//! Real NCA OCSP answers (../shared/fixtures/nca/ocsp): the responder's signature (GOST 2015 and
//! RSA delegated responders), its issuer and the status check out at the time they were made;
//! today they are stale.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::time::{Duration, SystemTime};

use common::nca_fixtures;
use der::Decode;
use qoltanba_core::ocsp::{check_signed_answer, OcspError, Status};
use x509_cert::Certificate;

fn issuer(dir: &std::path::Path, name: &str) -> Certificate {
    let bytes = std::fs::read(dir.join("ca").join(name)).expect("CA file");
    let der = match pem_rfc7468::decode_vec(&bytes) {
        Ok((_, der)) => der,
        Err(_) => bytes,
    };
    Certificate::from_der(&der).expect("CA parses")
}

/// 2022-09-02 16:56:30 UTC, between the two answers (16:53:59 and 16:58:34): neither has a
/// nextUpdate, so each is taken only within the clock skew of its thisUpdate.
fn when_made() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_662_137_790)
}

#[test]
fn nca_answers_check_out_when_made_and_are_stale_today() {
    let Some(dir) = nca_fixtures() else { return };
    let cases = [
        (
            "gost2015_individual_revoked.ocsp.der",
            "nca_gost2022_test.crt",
            false,
        ),
        ("rsa_individual_good.ocsp.der", "nca_rsa_test.crt", true),
    ];
    for (file, ca, good) in cases {
        let response = std::fs::read(dir.join("ocsp").join(file)).expect("response");
        let issuer = issuer(&dir, ca);
        let answer = check_signed_answer(&response, &issuer, None, when_made())
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .answer;
        match (good, &answer.status) {
            (true, Status::Good) | (false, Status::Revoked { .. }) => {}
            (_, other) => panic!("{file}: unexpected status {other:?}"),
        }
        let today = check_signed_answer(&response, &issuer, None, SystemTime::now());
        assert!(
            matches!(today, Err(OcspError::Stale(_))),
            "{file}: {today:?}"
        );
    }
}

#[test]
fn an_nca_answer_checked_against_the_wrong_ca_is_refused() {
    let Some(dir) = nca_fixtures() else { return };
    let response = std::fs::read(dir.join("ocsp/rsa_individual_good.ocsp.der")).expect("response");
    let wrong = issuer(&dir, "nca_gost2022_test.crt");
    let result = check_signed_answer(&response, &wrong, None, when_made());
    assert!(matches!(result, Err(OcspError::Invalid(_))), "{result:?}");
}
