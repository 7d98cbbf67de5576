#!/usr/bin/env bash
# Qoltanba's GOST 34.10-2015 512-bit (paramSetA, Streebog-512) sign and verify rates next to
# OpenSSL's gost engine doing the same on the same message size, in one run on one core.
# Prints both rates and `sign ratio: X.XX`, `verify ratio: X.XX` (ours / OpenSSL; target >= 1.0),
# then the dudect-style timing check of signing (crates/qoltanba-gost/examples/gost_dudect.rs; LEAK_SAMPLES=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_PER_RUN:-3}
bytes=${MESSAGE_BYTES:-32}
# One core when taskset is there, so neither side gets a second one.
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

leak_samples=${LEAK_SAMPLES:-20000}
cargo build --quiet --release -p qoltanba-gost --example gost_rate --example gost_dudect
c_bin=target/bench/gost_openssl_rate
if [ ! -x "$c_bin" ] || [ bench/gost_openssl_rate.c -nt "$c_bin" ]; then
  mkdir -p target/bench
  cc -O2 -Wall -o "$c_bin" bench/gost_openssl_rate.c -lcrypto
fi

ours=$("${pin[@]}" "${CARGO_TARGET_DIR:-target}"/release/examples/gost_rate "$seconds" "$bytes")
theirs=$("${pin[@]}" "$c_bin" "$seconds" "$bytes")
field() { awk -v k="$1" '$1 == k {print $2}' <<<"$2"; }
ours_sign=$(field sign/s "$ours") ours_verify=$(field verify/s "$ours")
theirs_sign=$(field sign/s "$theirs") theirs_verify=$(field verify/s "$theirs")
echo "message: $bytes bytes, ${seconds}s per measurement"
echo "qoltanba gost512 sign/s: $ours_sign  verify/s: $ours_verify"
echo "openssl  gost512 sign/s: $theirs_sign  verify/s: $theirs_verify"
awk -v a="$ours_sign" -v b="$theirs_sign" 'BEGIN { printf "sign ratio: %.2f\n", a / b }'
awk -v a="$ours_verify" -v b="$theirs_verify" 'BEGIN { printf "verify ratio: %.2f\n", a / b }'
if [ "$leak_samples" -gt 0 ]; then
  "${pin[@]}" "${CARGO_TARGET_DIR:-target}"/release/examples/gost_dudect "$leak_samples"
fi
