#!/usr/bin/env bash
# Qoltanba's RSA-2048 sign rate next to `openssl speed rsa2048`, measured in the same run.
# Prints both rates and `ratio: X.XX` (ours / OpenSSL; target >= 0.8).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_PER_RUN:-3}
cargo build --quiet --release -p qoltanba-core --example rsa_rate
ours=$("${CARGO_TARGET_DIR:-target}"/release/examples/rsa_rate "$seconds")
# The 'rsa 2048 bits' row: sign/s is the second-to-last column.
theirs=$(openssl speed -seconds "$seconds" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF-1)}')
echo "qoltanba rsa2048 sign/s: $ours"
echo "openssl  rsa2048 sign/s: $theirs"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio: %.2f\n", a / b }'
