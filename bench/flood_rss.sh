#!/usr/bin/env bash
# Peak RSS of `qoltanba serve` while an unapproved site floods it with 60 MiB documents and its
# approval question stays unanswered (issue 12: memory stays bounded whatever arrives).
# Prints the idle RSS, the peak RSS and how many requests were refused as busy.
set -euo pipefail
cd "$(dirname "$0")/.."
sockets=${SOCKETS:-12}
cargo build --quiet --release --bin qoltanba
python3 -c 'import websockets' 2>/dev/null || python3 -m pip install --quiet 'websockets>=12,<16'
config=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The terminal prompt reads its answers from a pipe nobody writes to: the question stays open.
mkfifo "$config/answers"
${SERVE_ENV:-} target/release/qoltanba serve --port "$port" --config-dir "$config" --prompt tty \
  --keystore-dir certs-test/keystores <"$config/answers" >/dev/null 2>&1 &
pid=$!
exec 3>"$config/answers"
trap 'kill "$pid" 2>/dev/null; exec 3>&-; rm -rf "$config"' EXIT
until (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.01; done
sleep 0.5
idle=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
SOCKETS=$sockets PORT=$port python3 - <<'PY'
import asyncio, json, os, websockets

DOCUMENT = 60 * 1024 * 1024
header = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.sign",
                     "params": {"format": "cms", "detached": True}}).encode()
message = header + b"\0" + b"B" * DOCUMENT

async def one(i):
    ws = await websockets.connect(f"ws://127.0.0.1:{os.environ['PORT']}/",
                                  origin="https://flood.example", max_size=None)
    await ws.recv()  # greeting
    try:
        # The service stops reading once the site's large-message slots are taken.
        await asyncio.wait_for(ws.send(message), timeout=10)
    except asyncio.TimeoutError:
        return ws, "unread"
    try:
        reply = await asyncio.wait_for(ws.recv(), timeout=5)
    except asyncio.TimeoutError:
        reply = "queued"  # waits behind the open question
    return ws, reply

async def main():
    results = await asyncio.gather(*(one(i) for i in range(int(os.environ["SOCKETS"]))))
    replies = [r for _, r in results]
    busy = sum(1 for r in replies if '"busy"' in r)
    print(f"sockets: {len(results)}, queued: {replies.count('queued')}, refused as busy: {busy}, "
          f"not read (waiting for a large-message slot): {replies.count('unread')}")
    for ws, _ in results:
        ws.transport.abort()

asyncio.run(main())
PY
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
echo "idle RSS: $((idle / 1024)) MiB; peak RSS during the flood: $((peak / 1024)) MiB"
echo "bounds: large messages held by 2 connections per site, 4 in all (src/server/large_reads.rs); queued 256 MiB per site, 512 MiB in all (src/server/admission.rs)"
