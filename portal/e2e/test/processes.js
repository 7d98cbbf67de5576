// The real programs the browser test talks to: the reference portal, `qoltanba serve` with its
// test-only scripted prompt, and Debian's Chromium.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const KEYSTORES = join(REPO, "certs-test/keystores");
export const KEYSTORE_PASSWORD = "Qwerty12";

/** Debian's package puts it here; CHROMIUM overrides (e.g. /usr/lib/chromium/chromium). */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const binaries = new Map();

/**
 * A workspace binary, built once by cargo. Built with the whole workspace, as `cargo test
 * --workspace` builds, so the dependencies are already up to date: a `-p` build resolves other
 * features and rebuilt them (about 5 minutes of a cold `make test`).
 */
function cargoBinary(name) {
  if (binaries.has(name)) return binaries.get(name);
  const build = spawnSync(
    "cargo",
    ["build", "--quiet", "--workspace", "--bins", "--message-format=json"],
    { cwd: REPO, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (build.status !== 0) throw new Error(`cargo build failed:\n${build.stderr}`);
  let binary;
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

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, child, what) {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

async function stopChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

function run(binary, args) {
  return spawn(binary, args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
}

/**
 * The reference portal on a free port with a fresh SQLite file; its pages call `signerUrl`. Its
 * mail also goes to the SMTP server at `smtp`; `documents` (HOLDER=NUMBER[@DATE]) are what
 * recovery by e-mail checks, `refusals` (IIN=psc|cls) the IINs that may not register; `args`
 * are more options (e.g. --tsa-ca FILE).
 */
export async function startPortal({ signerUrl, smtp, documents = [], refusals = [], args = [] }) {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "qoltanba-portal-e2e-"));
  const binary = process.env.QOLTANBA_PORTAL_BIN ?? cargoBinary("qoltanba-portal");
  // The test PKI with its CRL, as an operator gives a real PKI (the portal refuses CAs without
  // a revocation source).
  const ca = join(REPO, "certs-test/ca");
  const child = run(binary, [
    "--port", String(port), "--db", join(dir, "portal.db"),
    "--origin", origin, "--signer-url", signerUrl,
    "--ca", join(ca, "chain.pem"), "--crl", join(ca, "intermediate.crl"),
    ...(smtp ? ["--smtp", smtp] : []),
    ...documents.flatMap((d) => ["--document", d]),
    ...refusals.flatMap((r) => ["--refuse", r]),
    ...args,
  ]);
  await waitForPort(port, child, "qoltanba-portal");
  return {
    origin,
    async stop() {
      await stopChild(child, "SIGINT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `qoltanba serve` on `port` (plain ws://), allowing `origin`, whose scripted user picks
 * `keystore` in the dialog and types the test password: the person at the computer, scripted.
 * With `tsaUrl`, signatures that ask for a timestamp get it from there (--tsa-url).
 */
export async function startService({ port, origin, keystore, tsaUrl }) {
  const configDir = mkdtempSync(join(tmpdir(), "qoltanba-e2e-config-"));
  const binary = process.env.QOLTANBA_BIN ?? cargoBinary("qoltanba");
  const child = run(binary, [
    "serve", "--port", String(port), "--no-tls", "--config-dir", configDir,
    "--keystore-dir", KEYSTORES, "--allow-origin", origin, "--prompt", "scripted",
    "--scripted-keystore", keystore, "--scripted-password", KEYSTORE_PASSWORD,
    ...(tsaUrl ? ["--tsa-url", tsaUrl] : []),
  ]);
  await waitForPort(port, child, "qoltanba serve");
  return {
    async stop() {
      await stopChild(child, "SIGTERM");
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** Headless Debian Chromium; playwright-core adds --no-sandbox (a container runs us as root). */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}
