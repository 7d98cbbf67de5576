// A failed connection says why: the browser's Local Network Access permission, an untrusted
// local certificate, another program on the port, or no Qoltanba at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocketServer } from "ws";
import { connect, diagnose, localNetworkPermission, BROWSER_SETTINGS, MESSAGES, QoltanbaError } from "../qoltanba.js";
import { freePort, startService } from "./service.js";
import WebSocket from "ws";

/** A Permissions API that knows only `known` (others throw TypeError, as browsers do). */
function permissions(known) {
  return {
    async query({ name }) {
      if (!(name in known)) throw new TypeError(`'${name}' is not a valid permission name`);
      return { state: known[name] };
    },
  };
}

const socket = (url) => new WebSocket(url, { origin: "https://portal.example.kz" });

test("a denied loopback-network permission is reported as blocked by the browser, not as not running", async () => {
  const port = await freePort();
  await assert.rejects(
    connect({ url: `ws://127.0.0.1:${port}/`, webSocket: socket, permissions: permissions({ "loopback-network": "denied" }) }),
    (error) => error instanceof QoltanbaError && error.reason === "blocked_by_browser"
      && error.details === BROWSER_SETTINGS.en.chrome && error.message.includes("Apps on device"),
  );
});

test("the older local-network-access name is asked when the browser does not know loopback-network", async () => {
  const permission = await localNetworkPermission(permissions({ "local-network-access": "prompt" }));
  assert.deepEqual(permission, { name: "local-network-access", state: "prompt" });
});

test("a permission not yet granted blocks the socket: the browser never sent it", async () => {
  const port = await freePort();
  const error = await diagnose({ url: `ws://127.0.0.1:${port}/`, webSocket: socket, permissions: permissions({ "local-network-access": "prompt" }) });
  assert.equal(error.reason, "blocked_by_browser");
  assert.deepEqual(error.permission, { name: "local-network-access", state: "prompt" });
});

test("a browser that knows neither permission gets 'not running' when nothing listens", async () => {
  const port = await freePort();
  const error = await diagnose({ url: `ws://127.0.0.1:${port}/`, webSocket: socket, permissions: permissions({}) });
  assert.equal(error.reason, "not_running");
});

test("a granted permission and nothing listening is 'not running'", async () => {
  const port = await freePort();
  await assert.rejects(
    connect({ url: `ws://127.0.0.1:${port}/`, webSocket: socket, permissions: permissions({ "loopback-network": "granted" }) }),
    (error) => error.reason === "not_running",
  );
});

test("wss:// failing where ws:// answers on the same port is an untrusted local certificate", async () => {
  // The real service with its own local CA, which this client does not trust.
  const service = await startService("individual_auth.p12", { tls: true });
  try {
    const wss = service.url.replace("ws://", "wss://");
    await assert.rejects(
      connect({ url: wss, webSocket: socket, permissions: permissions({ "loopback-network": "granted" }) }),
      (error) => error.reason === "certificate_untrusted" && error.message.includes("qoltanba tls install"),
    );
  } finally {
    await service.stop();
  }
});

test("a program that greets like NCALayer but knows no qoltanba.version holds the port", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  // NCALayer's greeting, then silence: it does not answer JSON-RPC.
  server.on("connection", (ws) => ws.send(JSON.stringify({ result: { version: "1.4" } })));
  try {
    await assert.rejects(
      connect({ url: `ws://127.0.0.1:${server.address().port}/`, webSocket: socket, timeout: 1000 }),
      (error) => error.reason === "not_qoltanba" && /NCALayer/.test(error.message),
    );
  } finally {
    server.close();
  }
});

test("messages come in Kazakh and Russian, with the browser's setting in that language", async () => {
  const port = await freePort();
  const denied = permissions({ "loopback-network": "denied" });
  const kk = await diagnose({ url: `ws://127.0.0.1:${port}/`, webSocket: socket, permissions: denied, locale: "kk" });
  assert.ok(kk.message.startsWith(MESSAGES.kk.blocked_by_browser));
  assert.equal(kk.details, BROWSER_SETTINGS.kk.chrome);
  const ru = await diagnose({ url: `ws://127.0.0.1:${port}/`, webSocket: socket, permissions: permissions({}), locale: "ru-RU" });
  assert.equal(ru.message, MESSAGES.ru.not_running.replace("{url}", `ws://127.0.0.1:${port}/`));
});

test("every reason has a message in every language", () => {
  for (const locale of ["en", "ru", "kk"]) {
    assert.deepEqual(Object.keys(MESSAGES[locale]).sort(), Object.keys(MESSAGES.en).sort());
    assert.deepEqual(Object.keys(BROWSER_SETTINGS[locale]).sort(), ["chrome", "edge", "firefox"]);
  }
});

test("a page bridge from the extension is preferred over the socket", async () => {
  const service = await startService("individual_auth.p12");
  const opened = [];
  globalThis.qoltanbaExtension = { webSocket: (url) => { opened.push(url); return socket(service.url); } };
  try {
    const client = await connect({ url: "wss://127.0.0.1:13579/" });
    assert.equal(client.via, "extension");
    assert.deepEqual(opened, ["wss://127.0.0.1:13579/"]);
    assert.equal(client.version.protocol, 2);
    client.close();
  } finally {
    delete globalThis.qoltanbaExtension;
    await service.stop();
  }
});

/** A bridge whose socket fails the way the extension's does when its host is not installed. */
function bridgeWithoutHost() {
  return {
    webSocket: () => {
      const socket = new EventTarget();
      socket.close = () => {};
      setTimeout(() => { socket.failure = "host_missing"; socket.dispatchEvent(new Event("error")); }, 10);
      return socket;
    },
  };
}

test("with the extension but no native-messaging host, connect falls back to the socket", async () => {
  const service = await startService("individual_auth.p12");
  globalThis.qoltanbaExtension = bridgeWithoutHost();
  globalThis.WebSocket = function PageSocket(url) { return socket(url); };
  try {
    const client = await connect({ url: service.url });
    assert.equal(client.via, "socket");
    assert.equal(client.version.protocol, 2);
    client.close();
  } finally {
    delete globalThis.qoltanbaExtension;
    delete globalThis.WebSocket;
    await service.stop();
  }
});

test("with the extension reporting Qoltanba stopped, connect says not running without trying the network", async () => {
  let tried = false;
  globalThis.qoltanbaExtension = {
    webSocket: () => {
      const s = new EventTarget();
      s.close = () => {};
      setTimeout(() => { s.failure = "not_running"; s.dispatchEvent(new Event("error")); }, 10);
      return s;
    },
  };
  globalThis.WebSocket = function PageSocket() { tried = true; throw new Error("network used"); };
  try {
    await assert.rejects(connect(), (error) => error.reason === "not_running");
    assert.equal(tried, false);
  } finally {
    delete globalThis.qoltanbaExtension;
    delete globalThis.WebSocket;
  }
});
