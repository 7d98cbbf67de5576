//! Issue 14 figures: the time a CAdES-T stamp adds beyond the TSA's own answer (building the
//! request, checking the answer and the token, adding it to the CMS), and `verify`'s OCSP
//! check with a warm cache. Run: cargo bench --bench timestamp

#[path = "../tests/support/openssl_ocsp.rs"]
mod openssl_ocsp;
#[path = "../tests/support/openssl_tsa.rs"]
mod openssl_tsa;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use qoltanba::sign::cms::sign_cms;
use qoltanba::sign::{EntrySigner, SignOptions};
use qoltanba::timestamp::cades::{add_signature_timestamp, signer_signature};
use qoltanba::timestamp::{imprint_algorithm, TimestampRequest, Transport};
use qoltanba_http::HttpTransport;

const ROUNDS: usize = 200;

fn certs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs-test")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let entry =
        qoltanba::keystore::open(&certs().join("keystores/individual_sign.p12"), "Qwerty12")
            .expect("keystore")
            .entries
            .remove(0);
    let signer = EntrySigner::new(&entry, SignOptions::default()).expect("signer");
    let cms = sign_cms(&signer, b"benchmark document", false, SystemTime::now()).expect("CMS");

    let tsa = openssl_tsa::OpensslTsa::start();
    let transport = HttpTransport::default();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let (digest, signature) = signer_signature(&cms).expect("signature");
        let (algorithm, policy) = imprint_algorithm(&digest).expect("policy");
        let request = TimestampRequest::new(algorithm, &signature, Some(policy)).expect("request");
        let before_post = Instant::now();
        let answer = transport
            .post(&tsa.url, "application/timestamp-query", request.der())
            .expect("answer");
        let after_post = Instant::now();
        let timestamp = request.check_response(&answer).expect("valid");
        let stamped = add_signature_timestamp(&cms, &timestamp.token).expect("stamped");
        std::hint::black_box(stamped);
        let done = Instant::now();
        theirs.push(after_post - before_post);
        ours.push((before_post - started) + (done - after_post));
    }
    println!(
        "CAdES-T, RSA-2048 CMS, local openssl TSA, median of {ROUNDS}: TSA answer (HTTP round trip \
         incl. openssl ts -reply) {:?}; added by Qoltanba (request, answer and token checks, \
         attach) {:?}",
        median(theirs),
        median(ours)
    );

    let ocsp = openssl_ocsp::OpensslOcsp::start(&[]);
    let checker = qoltanba_verify::OcspChecker::new(Some(ocsp.url.clone()));
    let issuer = {
        let pem = std::fs::read(certs().join("ca/intermediate.pem")).expect("issuer");
        let body: String = String::from_utf8_lossy(&pem)
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("DER")
    };
    let cert = entry.certificate.der.clone();
    let cold = Instant::now();
    checker
        .status(&cert, &issuer, SystemTime::now())
        .expect("first answer");
    let cold = cold.elapsed();
    let checks = 200_000;
    let warm = Instant::now();
    for _ in 0..checks {
        std::hint::black_box(
            checker
                .status(&cert, &issuer, SystemTime::now())
                .expect("cached"),
        );
    }
    let warm = warm.elapsed();
    println!(
        "OCSP via openssl ocsp: first check {cold:?}; warm cache {:.0} checks/s ({checks} checks in {warm:?})",
        checks as f64 / warm.as_secs_f64()
    );
}
