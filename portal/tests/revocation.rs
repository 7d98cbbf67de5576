//! Revocation fails closed: a stale CRL refuses logins with a reason, and the portal will not
//! start with CAs but no revocation source unless told so.

#[path = "../../verify/tests/common/mod.rs"]
mod common;
mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use qoltanba_portal::revocation::{policy, Revocation, StartError};
use support::{TestPortal, AUTH_ERROR};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

const STALE: &str = "The certificate's revocation status cannot be checked right now: the portal's certificate revocation list is out of date. Try again later";

/// Moves the portal's clock an hour past the test CRL's nextUpdate (the test certificates are
/// still valid then: the CRL is made for 3650 days, the certificates for ten years).
fn past_the_crls_next_update(portal: &TestPortal) {
    let der = std::fs::read(common::test_ca("intermediate.crl")).unwrap();
    let (_, crl) = CertificateRevocationList::from_der(&der).unwrap();
    let next = crl.next_update().expect("nextUpdate").to_datetime();
    let target = next + Duration::hours(1);
    for name in ["individual_auth", "revoked_auth"] {
        assert!(target < common::entry(name).certificate.info.not_after);
    }
    let now: OffsetDateTime = *portal.clock.0.lock().unwrap();
    portal.clock.advance(target - now);
}

#[tokio::test]
async fn a_revoked_certificate_is_refused_when_only_a_stale_crl_is_available() {
    let portal = TestPortal::start();
    portal.register_individual().await;
    past_the_crls_next_update(&portal);
    let answer = portal.login_eds("revoked_auth").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert_eq!(answer.message(), AUTH_ERROR);
    assert!(answer.cookie().is_none());
}

#[tokio::test]
async fn a_stale_crl_refuses_an_unrevoked_certificate_with_a_clear_reason() {
    let portal = TestPortal::start();
    portal.register_individual().await;
    assert_eq!(
        portal.login_eds("individual_auth").await.status,
        StatusCode::OK,
        "control: the CRL is current today"
    );
    past_the_crls_next_update(&portal);
    let answer = portal.login_eds("individual_auth").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.message(), STALE);
    assert!(answer.cookie().is_none());
}

#[test]
fn cas_without_a_revocation_source_are_refused_unless_checking_is_turned_off() {
    assert!(matches!(
        policy(1, 0, false),
        Err(StartError::NoRevocationSource)
    ));
    assert_eq!(policy(1, 1, false).unwrap(), Revocation::Crl);
    assert_eq!(policy(1, 0, true).unwrap(), Revocation::Unchecked);
    assert!(matches!(policy(1, 1, true), Err(StartError::Contradiction)));
}

fn portal_binary(args: &[&str]) -> Command {
    let dir = std::env::temp_dir().join(format!("qoltanba-portal-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_qoltanba-portal"));
    command
        .args(["--port", "0", "--db"])
        .arg(dir.join("portal.db"))
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

#[test]
fn the_portal_refuses_to_start_with_a_ca_but_no_crl() {
    let chain = common::test_ca("chain.pem");
    let output = portal_binary(&["--ca", chain.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no revocation source"), "{stderr}");
    assert!(stderr.contains("--no-revocation-check"), "{stderr}");
}

#[test]
fn with_no_revocation_check_the_portal_starts_and_warns() {
    let chain = common::test_ca("chain.pem");
    let mut child = portal_binary(&["--ca", chain.to_str().unwrap(), "--no-revocation-check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut warned = false;
    let mut listening = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        warned |= line.contains("NOT checked for revocation");
        if line.contains("portal listening") {
            listening = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        warned && listening,
        "warned {warned}, listening {listening}"
    );
}
