//! Prints this build's RSA-2048 sign rate (signs/s) for bench/compare.sh.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use qoltanba_core::keystore;
use qoltanba_core::sign::{sign_raw, EntrySigner, SignOptions};

fn main() -> anyhow::Result<()> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("certs-test/keystores/individual_sign.p12");
    let store = keystore::open(&path, "Qwerty12")?;
    let signer = EntrySigner::new(&store.entries[0], SignOptions::default())?;
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < Duration::from_secs_f64(seconds) {
        sign_raw(&signer, b"challenge")?;
        count += 1;
    }
    println!("{:.1}", count as f64 / start.elapsed().as_secs_f64());
    Ok(())
}
