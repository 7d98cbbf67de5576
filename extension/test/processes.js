// The real programs the extension tests drive: `qoltanba serve` (scripted prompt) with its local
// channel, an https page server on an address Chromium is told is public, Debian's Chromium.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, linkSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttps } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const EXTENSION_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = join(EXTENSION_DIR, "..");
export const KEYSTORES = join(REPO, "certs-test/keystores");
export const CA = join(REPO, "certs-test/ca");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const built = new Map();

/** A workspace binary or example, built with the whole workspace (no dependency rebuilds). */
export function cargoArtifact(name, kind = "bin") {
  const key = `${kind}:${name}`;
  if (built.has(key)) return built.get(key);
  const select = kind === "bin" ? ["--bins"] : ["--example", name];
  const build = spawnSync("cargo", ["build", "--quiet", "--workspace", ...select, "--message-format=json"],
    { cwd: REPO, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (build.status !== 0) throw new Error(`cargo build failed:\n${build.stderr}`);
  let path;
  for (const line of build.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line);
    if (message.reason === "compiler-artifact" && message.target?.name === name
      && message.target.kind.includes(kind)) path = message.executable;
  }
  if (!path) throw new Error(`cargo did not report ${name}`);
  // A private hard link (no copy of a large debug binary): another worktree sharing
  // CARGO_TARGET_DIR may replace target/debug/<name> while the tests run.
  const dir = mkdtempSync(join(tmpdir(), "qoltanba-ext-bin-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const link = join(dir, name);
  try { linkSync(path, link); } catch { copyFileSync(path, link); }
  built.set(key, link);
  return link;
}

export const qoltanba = () => process.env.QOLTANBA_BIN ?? cargoArtifact("qoltanba");

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(check, what, child) {
  for (let i = 0; i < 400; i++) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start`);
}

/**
 * `qoltanba serve` (ws:// only: no local CA exists, let alone a trusted one) on a free port, its
 * local channel in `runtime`; the scripted user picks `keystore` and types the test password.
 */
export async function startService({ runtime, keystore }) {
  const port = await freePort();
  const config = mkdtempSync(join(tmpdir(), "qoltanba-ext-config-"));
  const child = spawn(qoltanba(), [
    "serve", "--port", String(port), "--no-tls", "--config-dir", config,
    "--keystore-dir", KEYSTORES, "--prompt", "scripted",
    "--scripted-keystore", keystore, "--scripted-password", "Qwerty12",
  ], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, QOLTANBA_RUNTIME_DIR: runtime, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  const { existsSync } = await import("node:fs");
  await waitFor(() => existsSync(join(runtime, "service.sock")), "qoltanba serve", child);
  return {
    url: `ws://127.0.0.1:${port}/`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(config, { recursive: true, force: true });
    },
  };
}

/** A throwaway certificate for 127.0.0.1 (the page's https; Chromium is told to accept it). */
function pageCertificate(dir) {
  const key = join(dir, "page.key");
  const cert = join(dir, "page.pem");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", `/CN=${PAGE_HOST}`,
    "-addext", `subjectAltName=DNS:${PAGE_HOST}`], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(made.stderr);
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const FILES = {
  "/ncalayer-client.js": join(EXTENSION_DIR, "node_modules/ncalayer-js-client/ncalayer-client.js"),
  "/qoltanba.js": join(REPO, "client-js/qoltanba.js"),
};

/** A portal page as a portal serves it: ncalayer-js-client as a classic script, client-js as a module. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>Test portal</title>
<script src="/ncalayer-client.js"></script>
<script type="module">import * as qoltanba from "/qoltanba.js"; window.qoltanba = qoltanba; window.ready = true;</script>
<h1>Test portal</h1>`;

/** The page's host name: Chromium maps it to 127.0.0.1, so the page is not on loopback by name. */
export const PAGE_HOST = "portal.test";

/** An https page server on 127.0.0.1:port; its origin is https://portal.test:port. */
export async function startPages(dir) {
  const server = createHttps(pageCertificate(dir), (request, response) => {
    const path = new URL(request.url, "https://x").pathname;
    if (FILES[path]) {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(readFileSync(FILES[path]));
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(PAGE);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { port, origin: `https://${PAGE_HOST}:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * Headless Chromium with a fresh profile in which `pages` count as public sites (Local Network
 * Access applies to them). With `extension`, the unpacked extension/chromium is loaded and the
 * host manifest is installed into the profile by `qoltanba native-host install --profile`.
 */
export async function launch({ pages, extension = false, runtime }) {
  const profile = mkdtempSync(join(tmpdir(), "qoltanba-ext-profile-"));
  const args = [
    "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors",
    `--host-resolver-rules=MAP ${PAGE_HOST} 127.0.0.1`,
    `--ip-address-space-overrides=${pages.map((p) => `127.0.0.1:${p.port}=public`).join(",")}`,
  ];
  const ignoreDefaultArgs = [];
  if (extension) {
    const install = spawnSync(qoltanba(), ["native-host", "install", "--browser", "chromium", "--profile", profile],
      { encoding: "utf8" });
    if (install.status !== 0) throw new Error(install.stderr);
    const dir = join(EXTENSION_DIR, "chromium");
    // Branded Chrome (137+) ignores --load-extension; Debian's Chromium 156 still honours it
    // without this switch (measured), which keeps builds that enable the removal working too.
    args.push(`--disable-extensions-except=${dir}`, `--load-extension=${dir}`,
      "--disable-features=DisableLoadExtensionCommandLineSwitch");
    ignoreDefaultArgs.push("--disable-extensions");
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    ignoreDefaultArgs,
    ignoreHTTPSErrors: true,
    env: { ...process.env, QOLTANBA_RUNTIME_DIR: runtime },
  });
  return {
    context,
    async page(origin) {
      const page = await context.newPage();
      page.setDefaultTimeout(20000);
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => window.ready === true);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
