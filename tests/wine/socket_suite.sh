#!/usr/bin/env bash
# The socket suite (tests/socket) against `qoltanba.exe serve` under Wine: the same tests the
# Linux build answers in-process, here over 127.0.0.1 to the Windows build, with settings in
# %APPDATA%\Qoltanba of the throwaway prefix. Run by `make windows`, which sets WINEPREFIX and
# QOLTANBA_WINDOWS_EXE (docs/windows.md).
set -euo pipefail

: "${WINEPREFIX:?set by make windows}" "${QOLTANBA_WINDOWS_EXE:?set by make windows}"
repo=$(cd "$(dirname "$0")/../.." && pwd)
# A Linux path as the Windows program sees it: Wine maps / to drive Z:.
win() { printf 'Z:%s' "$1" | tr / '\\'; }

appdata="$WINEPREFIX/drive_c/users/$(id -un)/AppData/Roaming/Qoltanba"
rm -rf "$appdata"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
# The suite's own openssl TSA listens here once the tests start (tests/socket/common.rs).
tsa_port=$(free_port)
log=$(mktemp)

# Set up as tests/socket/common.rs's Setup::default(): the test PKI's keystores, a scripted user
# who picks individual_sign.p12, the test origin approved; TLS on (ws and wss on one port).
wine "$QOLTANBA_WINDOWS_EXE" serve --port "$port" \
  --keystore-dir "$(win "$repo/certs-test/keystores")" \
  --allow-origin https://portal.example.kz --tsa-url "http://127.0.0.1:$tsa_port/tsp" \
  --prompt scripted --scripted-keystore individual_sign.p12 --scripted-password Qwerty12 \
  >"$log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT

for _ in $(seq 1 300); do
  grep -q listening "$log" && break
  kill -0 "$server" 2>/dev/null || { echo "qoltanba.exe serve exited:"; cat "$log"; exit 1; }
  sleep 0.1
done
grep -q listening "$log" || { echo "qoltanba.exe serve did not start:"; cat "$log"; exit 1; }

# Settings land in the Windows place.
for file in tls/ca.pem tls/server.pem tls/server-key.pem; do
  [ -f "$appdata/$file" ] || { echo "missing %APPDATA%\\Qoltanba\\$file"; ls -R "$appdata" || true; exit 1; }
done
echo "Settings under %APPDATA%\\Qoltanba: $(cd "$appdata" && find . -type f | sort | tr '\n' ' ')"

# One server for the whole suite: tests run one at a time so per-site limits see one test.
QOLTANBA_TEST_SERVER="127.0.0.1:$port" QOLTANBA_TEST_SERVER_CA="$appdata/tls/ca.pem" \
  QOLTANBA_TEST_TSA_PORT="$tsa_port" \
  cargo test --workspace --test socket -- --test-threads=1
