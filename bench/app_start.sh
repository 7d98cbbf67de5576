#!/usr/bin/env bash
# The tray app (release build): launch-to-listening time, idle RSS, binary size, .deb size.
# Targets (issue 4): listening <= 1.5 s, idle RSS <= 120 MB. Needs a display: run it under
# `xvfb-run -a dbus-run-session --` when there is none (make bench-app does).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
app=target/release/qoltanba-app
[ -x "$app" ] || cargo build --quiet --release -p qoltanba-app
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Memory of a process and its children (WebKit runs pages in child processes), in KiB: PSS, so
# libraries the processes share are counted once, not once per process.
tree_rss() {
  local total=0 pid
  for pid in $1 $(pgrep -P "$1" || true); do
    total=$(( total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
starts=() rss=() rss_manager=()
for i in $(seq 0 "$runs"); do
  t0=$(date +%s%N)
  HOME=$home QOLTANBA_PORT=$port QOLTANBA_CONFIG_DIR=$home/config QOLTANBA_MEMORY_KEYCHAIN=1 \
    QOLTANBA_KEYSTORE_DIRS=certs-test/keystores "$app" 2>/dev/null </dev/null &
  pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "the app exited before listening" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  sleep 3
  kb=$(tree_rss "$pid")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  # The first run creates the local CA; report warm starts as a user's login sees them.
  if [ "$i" -gt 0 ]; then starts+=($(( (t1 - t0) / 1000000 ))); rss+=("$kb"); fi
done
# Once more with the certificate manager open (a WebKit page loaded).
HOME=$home QOLTANBA_PORT=$port QOLTANBA_CONFIG_DIR=$home/config QOLTANBA_MEMORY_KEYCHAIN=1 \
  QOLTANBA_SHOW=certificates "$app" 2>/dev/null </dev/null &
pid=$!
sleep 6
manager_kb=$(tree_rss "$pid")
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "launch to listening: $(median "${starts[@]}") ms (median of $runs; all: ${starts[*]})"
echo "idle memory (PSS) in the tray: $(( $(median "${rss[@]}") / 1024 )) MB"
echo "memory (PSS) with the manager open: $(( manager_kb / 1024 )) MB (app and WebKit processes)"
echo "release binary: $(( $(stat -c %s "$app") / 1024 / 1024 )) MB ($(stat -c %s "$app") bytes)"
for deb in target/release/bundle/deb/*.deb; do
  [ -e "$deb" ] && echo "deb: $(basename "$deb") $(( $(stat -c %s "$deb") / 1024 / 1024 )) MB ($(stat -c %s "$deb") bytes)"
done
