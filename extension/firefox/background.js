// Qoltanba extension, background: one native-messaging host per page socket. The page's origin
// is the one the browser reports for the sending frame (sender.origin / sender.url), never a
// value from the page.
"use strict";
const api = globalThis.browser ?? globalThis.chrome;
const HOST = "kz.qoltanba.host";
/** What a page may send; "open" (with the origin) comes only from here. */
const FROM_PAGE = new Set(["text", "binary", "close"]);

function senderOrigin(sender) {
  if (sender.origin && sender.origin !== "null") return sender.origin;
  try {
    const origin = new URL(sender.url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

api.runtime.onConnect.addListener((page) => {
  if (page.name !== "qoltanba-socket" || page.sender?.id !== api.runtime.id) {
    page.disconnect();
    return;
  }
  const origin = senderOrigin(page.sender);
  if (!origin) {
    page.postMessage({ type: "error", reason: "refused", message: "the page has no origin" });
    page.disconnect();
    return;
  }
  let host;
  try {
    host = api.runtime.connectNative(HOST);
  } catch (error) {
    page.postMessage({ type: "error", reason: "not_running", message: String(error) });
    page.disconnect();
    return;
  }
  let closed = false;
  host.onMessage.addListener((message) => {
    page.postMessage(message);
    if (message?.type === "close") {
      // The socket is over: let the host process exit and free the page's port.
      closed = true;
      host.disconnect();
      page.disconnect();
    }
  });
  host.onDisconnect.addListener(() => {
    if (!closed) {
      const why = api.runtime.lastError?.message ?? "the Qoltanba host stopped";
      // Chromium: "Specified native messaging host not found."; Firefox: "No such native application".
      const missing = /not found|no such native application/i.test(why);
      page.postMessage({ type: "error", reason: missing ? "host_missing" : "not_running", message: why });
    }
    page.disconnect();
  });
  page.onMessage.addListener((message) => {
    if (FROM_PAGE.has(message?.type)) host.postMessage(message);
  });
  page.onDisconnect.addListener(() => host.disconnect());
  host.postMessage({ type: "open", origin });
});
