//! Prints this build's GOST 34.10-2015 512-bit sign and verify rates for bench/gost_compare.sh.
//!
//! `gost_rate [seconds] [message bytes]` prints `sign/s N` and `verify/s N`, each measured for
//! the given time; `gost_rate --count N` signs and verifies N times (for callgrind's counts).

use std::time::{Duration, Instant};

use qoltanba_gost::{SigningKey, SCALAR_LEN};

/// Calls `op` until `seconds` have passed; returns calls per second.
fn rate(seconds: f64, mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < Duration::from_secs_f64(seconds) {
        op();
        count += 1;
    }
    count as f64 / start.elapsed().as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let key = SigningKey::from_kz_bytes(&[0x5a; SCALAR_LEN])?;
    let public = key.verifying_key();
    if args.first().map(String::as_str) == Some("--count") {
        let count: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
        for _ in 0..count {
            let signature = key.sign(b"32 bytes of a portal's challenge")?;
            public.verify(b"32 bytes of a portal's challenge", &signature)?;
        }
        return Ok(());
    }
    let seconds: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let size: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);
    let message = vec![0x5au8; size];
    let signature = key.sign(&message)?;
    public.verify(&message, &signature)?;
    let sign = rate(seconds, || {
        std::hint::black_box(key.sign(&message).expect("signs"));
    });
    let verify = rate(seconds, || {
        public.verify(&message, &signature).expect("verifies");
    });
    println!("sign/s {sign:.1}");
    println!("verify/s {verify:.1}");
    Ok(())
}
