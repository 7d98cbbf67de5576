// Starts the real `qoltanba serve` with the test-only scripted prompt, on a free port.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { startTsa } from "./tsa.js";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ORIGIN = "https://portal.example.kz";
export const PASSWORD = "Qwerty12";
export const CHAIN = join(REPO, "certs-test/ca/chain.pem");

const binaries = new Map();

/**
 * A workspace binary, built once by cargo. Built with the whole workspace, as `cargo test
 * --workspace` builds, so the dependencies are already up to date: a `-p` build resolves other
 * features and rebuilt them (about 5 minutes of a cold `make test`).
 */
export function cargoBinary(name) {
  if (binaries.has(name)) return binaries.get(name);
  let binary;
  const build = spawnSync(
    "cargo",
    ["build", "--quiet", "--workspace", "--bins", "--message-format=json"],
    { cwd: REPO, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (build.status !== 0) throw new Error(`cargo build failed:\n${build.stderr}`);
  for (const line of build.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line);
    if (message.reason === "compiler-artifact" && message.target?.name === name
      && message.target.kind.includes("bin")) {
      binary = message.executable;
    }
  }
  if (!binary) throw new Error(`cargo did not report the ${name} binary`);
  binaries.set(name, binary);
  return binary;
}

function qoltanbaBinary() {
  return process.env.QOLTANBA_BIN ?? cargoBinary("qoltanba");
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitForPort(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`qoltanba serve exited with ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`qoltanba serve did not listen on ${port}`);
}

/** A running service whose scripted user always picks `keystore` and types `password`. */
export async function startService(keystore, { password = PASSWORD, origin = ORIGIN, tls = false } = {}) {
  const port = await freePort();
  const configDir = mkdtempSync(join(tmpdir(), "qoltanba-js-"));
  // Timestamped requests (createCMSSignatureFromBase64, tsaProfile) go to a local openssl TSA.
  const tsa = await startTsa(REPO);
  const child = spawn(qoltanbaBinary(), [
    "serve", "--port", String(port), ...(tls ? [] : ["--no-tls"]), "--config-dir", configDir,
    "--tsa-url", tsa.url,
    "--keystore-dir", join(REPO, "certs-test/keystores"),
    "--allow-origin", origin, "--prompt", "scripted",
    "--scripted-keystore", keystore, "--scripted-password", password,
  ], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } });
  await waitForPort(port, child);
  return {
    url: `ws://127.0.0.1:${port}/`,
    /** Opens sockets the way a page on ORIGIN would (Node's ws lets the test set Origin). */
    webSocket: (url) => new WebSocket(url, { origin }),
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      await tsa.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
