// Qoltanba extension, content script (isolated world): carries one page socket's frames between
// the page's MessagePort and the background, which alone talks to the native-messaging host.
"use strict";
const api = globalThis.browser ?? globalThis.chrome;

globalThis.addEventListener("message", (event) => {
  if (event.source !== globalThis || event.data?.qoltanba !== "connect") return;
  const [page] = event.ports;
  if (!page) return;
  const background = api.runtime.connect({ name: "qoltanba-socket" });
  page.onmessage = (message) => background.postMessage(message.data);
  background.onMessage.addListener((message) => page.postMessage(message));
  background.onDisconnect.addListener(() => {
    page.postMessage({ type: "error", reason: "not_running", message: "the extension lost its connection to Qoltanba" });
  });
});
