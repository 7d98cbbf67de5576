//! Verifications per second of a GOST 2015 login token on one core: certificate, chain to NCA's
//! GOST test CAs, validity and the signature (`cargo run --release -p qoltanba-verify --example
//! token_rate -- [SECONDS]`; needs QOLTANBA_NCA_FIXTURES or ../shared/fixtures/nca).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use qoltanba_core::keystore;
use qoltanba_core::sign::{sign_raw, EntrySigner, RawSigner, SignOptions};
use qoltanba_core::token::{login_message, Action};
use qoltanba_verify::{TrustStore, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = std::env::args().nth(1).map_or(Ok(3), |s| s.parse())?;
    let dir = std::env::var_os("QOLTANBA_NCA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/nca")
        });
    let store = keystore::open(&dir.join("keystores/GOST512_individual.p12"), "Qwerty12")?;
    let entry = &store.entries[0];
    let at = entry.certificate.info.not_before + time::Duration::days(1);
    let signer = EntrySigner::new(
        entry,
        SignOptions {
            now: at,
            allow_expired: false,
        },
    )?;
    let origin = "https://portal.example.kz";
    let challenge = [7u8; 32];
    let signature = sign_raw(&signer, &login_message(Action::Login, origin, &challenge))?;
    let reply = serde_json::json!({
        "format": "qoltanba-login:2", "action": "login",
        "algorithm": signer.algorithm().token_name(),
        "certificate": STANDARD.encode(&entry.certificate.der),
        "signature": URL_SAFE_NO_PAD.encode(signature),
    })
    .to_string();
    let mut trust = TrustStore::new();
    trust.add_ca_file(dir.join("ca/root_test_gost_2022.crt"))?;
    trust.add_ca_file(dir.join("ca/nca_gost2022_test.crt"))?;
    let verifier = Verifier::new(origin, trust);
    let challenge = URL_SAFE_NO_PAD.encode(challenge);
    verifier.check_login(&reply, &challenge, at)?;
    let (start, mut count) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(seconds) {
        verifier.check_login(&reply, &challenge, at)?;
        count += 1;
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    println!("GOST login token verifications: {rate:.0}/s on one core (chain + signature, no CRL)");
    Ok(())
}
