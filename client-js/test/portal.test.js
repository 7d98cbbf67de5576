// End to end without a browser: the reference portal over HTTP, the real `qoltanba serve`, and
// this library doing what the portal's pages do (portal/e2e/ does the same in headless Chromium).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../qoltanba.js";
import { cargoBinary, freePort, startService, waitForPort } from "./service.js";

const SUCCESS = "Congratulations, you have successfully registered on the web Portal of the \"Electronic Government\" of the Republic of Kazakhstan";

async function startPortal() {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "qoltanba-portal-"));
  const child = spawn(cargoBinary("qoltanba-portal"),
    ["--port", String(port), "--db", join(dir, "portal.db"), "--origin", origin],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } });
  await waitForPort(port, child);
  return {
    origin,
    /** POSTs as the portal's own page does (same Origin, JSON body). */
    async post(path, body) {
      const response = await fetch(`http://127.0.0.1:${port}${path}?lang=en`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: origin },
        body: JSON.stringify(body),
      });
      return { status: response.status, cookie: response.headers.get("set-cookie"), ...(await response.json()) };
    },
    async page(path) {
      return (await fetch(`http://127.0.0.1:${port}${path}`)).text();
    },
    async stop() {
      child.kill("SIGINT");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withQoltanba(keystore, origin, run) {
  const service = await startService(keystore, { origin });
  const client = await connect({ url: service.url, webSocket: service.webSocket });
  try {
    return await run(client);
  } finally {
    client.close();
    await service.stop();
  }
}

test("a user registers with an EDS and then logs in with an EDS on the reference portal", async () => {
  const portal = await startPortal();
  try {
    assert.match(await portal.page("/register?lang=en"), /Register with EDS/);

    const { challenge } = await portal.post("/api/challenge", {});
    const reply = await withQoltanba("individual_sign.p12", portal.origin, (client) =>
      client.register({ challenge, email: "user@example.kz", entity: "individual" }));
    const registered = await portal.post("/api/register", {
      agreement: true, entity: "individual", email: "user@example.kz", challenge,
      reply: JSON.stringify(reply), password: "Secret123", passwordConfirmation: "Secret123",
    });
    assert.equal(registered.message, SUCCESS);

    const login = await portal.post("/api/challenge", {});
    const token = await withQoltanba("individual_auth.p12", portal.origin, (client) =>
      client.login(login.challenge));
    const loggedIn = await portal.post("/api/login/eds", { challenge: login.challenge, reply: JSON.stringify(token) });
    assert.equal(loggedIn.status, 200);
    assert.equal(loggedIn.identity.iin, "123456789011");
    assert.match(loggedIn.cookie, /HttpOnly/);

    const password = await portal.post("/api/login/password", { login: "123456789011", password: "Secret123" });
    assert.equal(password.status, 200);
  } finally {
    await portal.stop();
  }
});
