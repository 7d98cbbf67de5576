#!/usr/bin/env bash
# Start-to-listening time and idle RSS of `qoltanba serve` (release build), median of N runs.
# Targets (issue 3): start <= 100 ms, idle RSS <= 15 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
cargo build --quiet --release
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The first run creates the local CA; measure warm starts, as a user's login would see them.
starts=() rss=()
for i in $(seq 0 "$runs"); do
  t0=$(date +%s%N)
  target/release/qoltanba serve --port "$port" --config-dir "$config" \
    --keystore-dir certs-test/keystores 2>/dev/null </dev/null &
  pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.002; done
  t1=$(date +%s%N)
  sleep 1
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  if [ "$i" -gt 0 ]; then starts+=($(( (t1 - t0) / 1000000 ))); rss+=("$kb"); fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "start to listening: $(median "${starts[@]}") ms (median of $runs; all: ${starts[*]})"
echo "idle RSS: $(( $(median "${rss[@]}") / 1024 )) MB ($(median "${rss[@]}") KiB)"
