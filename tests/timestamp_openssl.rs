//! CAdES-T against a TSA that is not ours: `openssl ts -reply` with the test PKI's TSA
//! certificate; openssl verifies both the stamped signature and the token we embedded.

mod common;
#[path = "support/openssl_tsa.rs"]
mod openssl_tsa;

use std::path::Path;
use std::time::{Duration, SystemTime};

use common::{path_str, test_ca, test_keystore, PASSWORD};
use openssl_tsa::OpensslTsa;
use qoltanba::keystore::{self, Entry};
use qoltanba::sign::cms::sign_cms;
use qoltanba::sign::{EntrySigner, SignOptions};
use qoltanba::timestamp::cades::{signature_timestamps, signer_signature};
use qoltanba::timestamp::{
    stamp_cms, TimestampError, TimestampRequest, Transport, TsaSettings, POLICY_NCA_RSA_SHA256,
};
use qoltanba_http::HttpTransport;

fn entry(name: &str) -> Entry {
    keystore::open(&test_keystore(name), PASSWORD)
        .expect("keystore")
        .entries
        .remove(0)
}

fn signed_cms(data: &[u8]) -> Vec<u8> {
    let entry = entry("individual_sign.p12");
    let signer = EntrySigner::new(&entry, SignOptions::default()).expect("signer");
    sign_cms(&signer, data, false, SystemTime::now()).expect("CMS")
}

fn settings(url: &str) -> TsaSettings {
    TsaSettings {
        url: url.to_string(),
        policy: None,
    }
}

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), log)
}

#[test]
fn a_stamped_cms_verifies_with_openssl_cms_and_its_token_with_openssl_ts() {
    let tsa = OpensslTsa::start();
    let data = b"contract to timestamp";
    let cms = signed_cms(data);
    let transport = HttpTransport::default();
    let (stamped, timestamp) = stamp_cms(&cms, &settings(&tsa.url), &transport).expect("stamped");
    assert_eq!(timestamp.policy, POLICY_NCA_RSA_SHA256);
    let age = SystemTime::now()
        .duration_since(timestamp.gen_time)
        .unwrap_or_default();
    assert!(age < Duration::from_secs(120), "genTime is now: {age:?}");

    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    std::fs::write(d.join("stamped.der"), &stamped).expect("write");
    let root = test_ca("root.pem");
    let intermediate = test_ca("intermediate.pem");
    let (ok, log) = openssl(
        d,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "stamped.der",
            "-CAfile",
            path_str(&test_ca("chain.pem")),
            "-purpose",
            "any",
            "-out",
            "content.bin",
        ],
    );
    assert!(ok, "openssl cms -verify: {log}");
    assert_eq!(std::fs::read(d.join("content.bin")).expect("content"), data);

    let tokens = signature_timestamps(&stamped).expect("tokens");
    assert_eq!(tokens.len(), 1);
    std::fs::write(d.join("token.der"), &tokens[0]).expect("write");
    let (_, signature) = signer_signature(&stamped).expect("signature");
    std::fs::write(d.join("signature.bin"), &signature).expect("write");
    let (ok, log) = openssl(
        d,
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "token.der",
            "-data",
            "signature.bin",
            "-CAfile",
            path_str(&root),
            "-untrusted",
            path_str(&intermediate),
        ],
    );
    assert!(ok, "openssl ts -verify: {log}");

    std::fs::write(d.join("other.bin"), b"another signature value").expect("write");
    let (ok, _) = openssl(
        d,
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "token.der",
            "-data",
            "other.bin",
            "-CAfile",
            path_str(&root),
            "-untrusted",
            path_str(&intermediate),
        ],
    );
    assert!(!ok, "the token must not stamp another signature value");
}

#[test]
fn a_tsa_that_is_down_is_unavailable_and_no_signature_comes_back() {
    let cms = signed_cms(b"x");
    let transport = HttpTransport::new(Duration::from_secs(5));
    let error = stamp_cms(&cms, &settings(&OpensslTsa::down_url()), &transport).unwrap_err();
    assert!(matches!(error, TimestampError::Unavailable(_)), "{error}");
}

/// Replays one recorded answer whatever is asked.
struct Replay(Vec<u8>);

impl Transport for Replay {
    fn post(&self, _: &str, _: &str, _: &[u8]) -> Result<Vec<u8>, String> {
        Ok(self.0.clone())
    }
}

#[test]
fn a_replayed_answer_to_another_request_is_refused_for_its_nonce() {
    let tsa = OpensslTsa::start();
    let transport = HttpTransport::default();
    let sha256: der::asn1::ObjectIdentifier = "2.16.840.1.101.3.4.2.1".parse().expect("OID");
    let first = TimestampRequest::new(sha256, b"signature", Some(POLICY_NCA_RSA_SHA256)).unwrap();
    let answer = transport
        .post(&tsa.url, "application/timestamp-query", first.der())
        .expect("answer");
    first
        .check_response(&answer)
        .expect("the answer fits its own request");

    // A whole stamping whose TSA (or someone on the path) answers with the old reply.
    let cms = signed_cms(b"x");
    let error = stamp_cms(&cms, &settings(&tsa.url), &Replay(answer)).unwrap_err();
    assert_eq!(
        error,
        TimestampError::Invalid("the nonce differs from the request's".into())
    );
}

#[test]
fn a_stamp_over_another_signature_is_refused_by_the_stamping_client() {
    let tsa = OpensslTsa::start();
    let cms = signed_cms(b"one");
    let other = signed_cms(b"two");
    let transport = HttpTransport::default();
    let (stamped_other, _) = stamp_cms(&other, &settings(&tsa.url), &transport).expect("stamped");
    let token = signature_timestamps(&stamped_other)
        .expect("token")
        .remove(0);
    // The other signature's token, replayed inside a well-formed answer for this one.
    let verified = qoltanba::timestamp::VerifiedToken::check(&token).expect("token checks");
    let (_, signature) = signer_signature(&cms).expect("signature");
    assert!(verified.check_imprint_of(&signature).is_err());
}

#[test]
fn a_tampered_token_fails_its_own_signature_check() {
    let tsa = OpensslTsa::start();
    let cms = signed_cms(b"x");
    let (stamped, _) =
        stamp_cms(&cms, &settings(&tsa.url), &HttpTransport::default()).expect("stamped");
    let mut token = signature_timestamps(&stamped).expect("token").remove(0);
    // The last bytes are the TSA's signature value.
    let last = token.len() - 1;
    token[last] ^= 0x01;
    let error = qoltanba::timestamp::VerifiedToken::check(&token).unwrap_err();
    assert!(error.to_string().contains("signature"), "{error}");
}
