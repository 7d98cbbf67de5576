//! dudect-style check that GOST signing takes the same time whatever the nonce and the private
//! key (Reparaz, Balasch, Verbauwhede 2017): calls with a fixed value and with random values are
//! interleaved in random order and timed, and Welch's t-test compares the two timing
//! distributions, also with the slowest calls cropped at several percentiles. |t| > 4.5 is
//! dudect's threshold for "the time depends on the value".
//!
//! A control signs the same way plus work per non-zero nonce nibble (what a window ladder that
//! skips zero digits would leak), to show the harness sees a leak of about 1% of a signature.
//!
//! `gost_dudect [measurements per check]` (default 30000); exits 1 if signing looks variable.

use std::hint::black_box;
use std::time::Instant;

use crypto_bigint::{Encoding, U512};
use qoltanba_gost::{streebog512, SigningKey, SCALAR_LEN};

/// dudect's threshold on |t|.
const THRESHOLD: f64 = 4.5;

/// Running mean and variance (Welford).
#[derive(Default, Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let delta = x - self.mean;
        self.mean += delta / self.n;
        self.m2 += delta * (x - self.mean);
    }

    fn variance(&self) -> f64 {
        if self.n < 2.0 {
            0.0
        } else {
            self.m2 / (self.n - 1.0)
        }
    }
}

/// Welch's t between the two classes' timings.
fn welch_t(classes: &[Moments; 2]) -> f64 {
    let [a, b] = classes;
    let spread = (a.variance() / a.n + b.variance() / b.n).sqrt();
    if spread == 0.0 {
        0.0
    } else {
        (a.mean - b.mean) / spread
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    aws_lc_rs::rand::fill(&mut out).expect("system random generator");
    out
}

/// A random scalar in 1..q (the top byte cleared keeps it below q; zero is not a concern at
/// these odds).
fn random_scalar() -> [u8; SCALAR_LEN] {
    let mut bytes = random_bytes::<SCALAR_LEN>();
    bytes[SCALAR_LEN - 1] = 0;
    bytes[0] |= 1;
    bytes
}

/// Random classes, 0 or 1, for `count` calls.
fn random_classes(count: usize) -> Vec<usize> {
    (0..count)
        .map(|_| usize::from(random_bytes::<1>()[0] & 1))
        .collect()
}

/// Times `op(i)` for each call, whose class is `classes[i]`; returns the largest |t| over the
/// uncropped data and the data cropped at a few percentiles. Both classes' inputs live in one
/// array, so neither is favoured by the cache.
fn max_t(classes: &[usize], mut op: impl FnMut(usize)) -> f64 {
    let count = classes.len();
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let start = Instant::now();
        op(i);
        times.push(start.elapsed().as_nanos() as f64);
    }
    // Warm-up: the first tenth of the calls only sets the cropping thresholds.
    let warm = count / 10;
    let mut sorted = times[..warm].to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut thresholds = vec![f64::INFINITY];
    for percentile in [0.5, 0.75, 0.9, 0.95, 0.99] {
        thresholds.push(sorted[((warm as f64) * percentile) as usize]);
    }
    thresholds
        .iter()
        .map(|&limit| {
            let mut moments = [Moments::default(); 2];
            for (&class, &time) in classes[warm..].iter().zip(&times[warm..]) {
                if time < limit {
                    moments[class].push(time);
                }
            }
            welch_t(&moments).abs()
        })
        .fold(0.0, f64::max)
}

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30_000)
        .max(1000);
    let digest = streebog512(b"dudect");
    let key = SigningKey::from_kz_bytes(&random_scalar())?;

    // Nonce: k = 1 (one non-zero digit, every other one zero) against random nonces.
    let classes = random_classes(count);
    let nonces: Vec<U512> = classes
        .iter()
        .map(|&class| match class {
            0 => U512::ONE,
            _ => U512::from_le_slice(&random_scalar()),
        })
        .collect();
    let sign = |k: &U512| black_box(key.sign_digest_with_nonce(black_box(&digest), k));
    let nonce_t = max_t(&classes, |i| {
        sign(&nonces[i]);
    });

    // Private key: d = 1 against random keys, the same random nonce each time.
    let mut one = [0u8; SCALAR_LEN];
    one[0] = 1;
    let key_classes = random_classes(count);
    let keys = key_classes
        .iter()
        .map(|&class| match class {
            0 => SigningKey::from_kz_bytes(&one),
            _ => SigningKey::from_kz_bytes(&random_scalar()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let k = U512::from_le_slice(&random_scalar());
    let key_t = max_t(&key_classes, |i| {
        black_box(keys[i].sign_digest_with_nonce(black_box(&digest), &k));
    });

    // Control: the same signing plus a little work for each non-zero nibble of the nonce.
    let control_t = max_t(&classes, |i| {
        sign(&nonces[i]);
        for byte in nonces[i].to_le_bytes() {
            for nibble in [byte & 0x0f, byte >> 4] {
                if nibble != 0 {
                    for j in 0..8u64 {
                        black_box(j);
                    }
                }
            }
        }
    });

    let verdict = |t: f64| {
        if t > THRESHOLD {
            "LEAKS"
        } else {
            "no leak seen"
        }
    };
    println!("measurements per check: {count}; threshold |t| > {THRESHOLD}");
    println!(
        "nonce (k = 1 vs random):  max |t| = {nonce_t:.2}  {}",
        verdict(nonce_t)
    );
    println!(
        "key (d = 1 vs random):    max |t| = {key_t:.2}  {}",
        verdict(key_t)
    );
    println!(
        "control (leaks on purpose): max |t| = {control_t:.2}  {}",
        if control_t > THRESHOLD {
            "detected, as it should be"
        } else {
            "NOT detected: the harness is too coarse at this count"
        }
    );
    if nonce_t > THRESHOLD || key_t > THRESHOLD {
        std::process::exit(1);
    }
    Ok(())
}
