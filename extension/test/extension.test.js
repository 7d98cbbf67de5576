// Pages on a public https site reach Qoltanba in headless Chromium: without the extension and
// without the Local Network Access permission they are blocked (and client-js says so); with the
// permission the socket works; with the unpacked extension and its host manifest, an unchanged
// NCALayer page signs and client-js logs in, with the origin the browser reports.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CA, cargoArtifact, launch, startPages, startService } from "./processes.js";

const challenge = () => randomBytes(32).toString("base64url");

/** qoltanba-verify's login check for `origin` (verify/examples/check_login.rs). */
function checkLogin(origin, nonce, reply) {
  const result = spawnSync(cargoArtifact("check_login", "example"),
    [origin, nonce, join(CA, "chain.pem"), join(CA, "intermediate.crl")],
    { input: JSON.stringify(reply), encoding: "utf8" });
  return result.status === 0 ? JSON.parse(result.stdout) : { error: result.stderr.trim() };
}

/** NCALayer's basics module answers CMS as PEM. */
const derOf = (pem) => Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");

function withTemp(files, run) {
  const dir = mkdtempSync(join(tmpdir(), "qoltanba-ext-verify-"));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the browser path in headless Chromium", () => {
  let work;
  let runtime;
  let service;
  let pages;
  let other;

  async function serviceWith(keystore) {
    await service?.stop();
    service = await startService({ runtime, keystore });
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "qoltanba-ext-"));
    runtime = join(work, "run");
    pages = await startPages(work);
    other = await startPages(work);
    await serviceWith("individual_auth.p12");
  });

  after(async () => {
    await service?.stop();
    await pages?.stop();
    await other?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe("without the extension", () => {
    let browser;
    before(async () => { browser = await launch({ pages: [pages, other], runtime }); });
    after(async () => { await browser?.close(); });

    it("a public page without the permission is blocked, and client-js says the browser blocked it", async () => {
      const page = await browser.page(pages.origin);
      const seen = await page.evaluate(async (url) => {
        const out = {};
        try { await new NCALayerClient(url).connect(); out.ncalayer = "connected"; } catch (e) { out.ncalayer = "failed"; }
        try { await window.qoltanba.connect({ url, timeout: 5000, locale: "en" }); out.reason = "connected"; } catch (e) {
          out.reason = e.reason; out.message = e.message; out.permission = e.permission;
        }
        return out;
      }, service.url);
      assert.equal(seen.ncalayer, "failed");
      assert.equal(seen.reason, "blocked_by_browser", JSON.stringify(seen));
      assert.match(seen.message, /Apps on device/);
      assert.notEqual(seen.permission.state, "granted");
    });

    it("with the permission granted, the socket path logs in for the page's origin", async () => {
      await browser.context.grantPermissions(["local-network-access"], { origin: pages.origin });
      const page = await browser.page(pages.origin);
      const nonce = challenge();
      const reply = await page.evaluate(async ({ url, nonce }) => {
        const client = await window.qoltanba.connect({ url });
        try { return { via: client.via, token: await client.login(nonce) }; } finally { client.close(); }
      }, { url: service.url, nonce });
      assert.equal(reply.via, "socket");
      const identity = checkLogin(pages.origin, nonce, reply.token);
      assert.equal(identity.iin, "123456789011", JSON.stringify(identity));
    });
  });

  describe("with the extension and its native-messaging host", () => {
    let browser;
    before(async () => { browser = await launch({ pages: [pages, other], runtime, extension: true }); });
    after(async () => { await browser?.close(); });

    it("the extension's background is running in headless Chromium", async () => {
      const workers = browser.context.serviceWorkers().length
        ? browser.context.serviceWorkers()
        : [await browser.context.waitForEvent("serviceworker")];
      assert.match(workers[0].url(), /^chrome-extension:\/\/dblpclcpkgpaigpniomjeolagffgblfi\//);
    });

    it("an NCALayer page's wss://127.0.0.1:13579 socket greets, answers and closes like NCALayer's", async () => {
      const page = await browser.page(pages.origin);
      const seen = await page.evaluate(() => new Promise((resolve) => {
        const socket = new WebSocket("wss://127.0.0.1:13579/");
        const out = { messages: [], kind: socket.constructor.name };
        socket.onopen = () => { out.opened = socket.readyState; };
        socket.onmessage = (event) => {
          out.messages.push(JSON.parse(event.data));
          if (out.messages.length === 1) socket.send(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "qoltanba.version" }));
          else socket.close(1000, "done");
        };
        socket.onclose = (event) => { out.close = { code: event.code, clean: event.wasClean }; resolve(out); };
      }));
      assert.equal(seen.kind, "ExtensionSocket");
      assert.equal(seen.opened, 1);
      assert.deepEqual(seen.messages[0], { result: { version: "1.4" } });
      assert.equal(seen.messages[1].id, 7);
      assert.equal(seen.messages[1].result.protocol, 2);
      assert.deepEqual(seen.close, { code: 1000, clean: true });
    });

    it("every other WebSocket is the browser's own (and still meets Local Network Access)", async () => {
      const page = await browser.page(pages.origin);
      const seen = await page.evaluate((url) => new Promise((resolve) => {
        const socket = new WebSocket(url);
        const kind = socket.constructor.name;
        socket.onopen = () => resolve({ kind, opened: true });
        socket.onerror = () => resolve({ kind, opened: false });
      }), service.url);
      assert.deepEqual(seen, { kind: "WebSocket", opened: false });
    });

    it("an unchanged NCALayer page signs CMS and XML that openssl and xmlsec1 verify", async () => {
      await serviceWith("individual_sign.p12");
      const page = await browser.page(pages.origin);
      const content = randomBytes(64);
      const xml = "<doc><item>Qoltanba</item></doc>";
      const signed = await page.evaluate(async ({ data, xml }) => {
        const client = new NCALayerClient();
        await client.connect();
        const storage = NCALayerClient.basicsStoragePKCS12;
        const signer = NCALayerClient.basicsSignerSignAny;
        const cms = await client.basicsSignCMS(storage, data, { decode: true, encapsulate: true, digested: false }, signer, "en");
        const signedXml = await client.basicsSignXML(storage, xml, {}, signer, "en");
        return { cms: [cms].flat()[0], xml: [signedXml].flat()[0] };
      }, { data: content.toString("base64"), xml });
      const opened = withTemp({ "sig.der": derOf(signed.cms) }, (dir) => spawnSync("openssl",
        ["cms", "-verify", "-binary", "-inform", "DER", "-in", join(dir, "sig.der"), "-CAfile", join(CA, "chain.pem"), "-purpose", "any"]));
      assert.equal(opened.status, 0, String(opened.stderr));
      assert.deepEqual(opened.stdout, content);
      const checked = withTemp({ "doc.xml": signed.xml }, (dir) => spawnSync("xmlsec1",
        ["--verify", "--trusted-pem", join(CA, "root.pem"), "--untrusted-pem", join(CA, "intermediate.pem"), join(dir, "doc.xml")],
        { encoding: "utf8" }));
      assert.equal(checked.status, 0, checked.stderr);
    });

    it("client-js logs in over the extension, bound to the origin the browser reports", async () => {
      await serviceWith("individual_auth.p12");
      const page = await browser.page(pages.origin);
      const nonce = challenge();
      const reply = await page.evaluate(async (nonce) => {
        const client = await window.qoltanba.connect();
        try { return { via: client.via, token: await client.login(nonce) }; } finally { client.close(); }
      }, nonce);
      assert.equal(reply.via, "extension");
      const identity = checkLogin(pages.origin, nonce, reply.token);
      assert.equal(identity.iin, "123456789011", JSON.stringify(identity));
    });

    it("a page on another origin cannot obtain a token for the first", async () => {
      const page = await browser.page(other.origin);
      const nonce = challenge();
      const token = await page.evaluate(async (nonce) => {
        const client = await window.qoltanba.connect();
        try { return await client.login(nonce); } finally { client.close(); }
      }, nonce);
      assert.match(checkLogin(pages.origin, nonce, token).error ?? "", /./, "accepted for the first origin");
      assert.equal(checkLogin(other.origin, nonce, token).iin, "123456789011");
    });

    it("with Qoltanba stopped, the page gets 'not running' through the extension", async () => {
      await service.stop();
      service = null;
      const page = await browser.page(pages.origin);
      const seen = await page.evaluate(async () => {
        try { await window.qoltanba.connect({ locale: "ru" }); return { reason: "connected" }; } catch (e) { return { reason: e.reason, message: e.message }; }
      });
      assert.equal(seen.reason, "not_running", JSON.stringify(seen));
      assert.match(seen.message, /Qoltanba не запущена/);
    });
  });
});
