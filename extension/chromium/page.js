// Qoltanba extension, page world (document_start): `new WebSocket("wss://127.0.0.1:13579/")`
// (and ws://, and localhost) goes to Qoltanba through the extension instead of the network, with
// the same greeting, frames and close; every other WebSocket is the browser's own.
(() => {
  "use strict";
  const NativeWebSocket = globalThis.WebSocket;
  if (!NativeWebSocket || globalThis.qoltanbaExtension) return;
  /** NCALayer's port: pages written for NCALayer hard-code it. */
  const PORT = "13579";
  const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;

  function bridged(url) {
    let parsed;
    try { parsed = new URL(String(url), globalThis.location?.href); } catch { return false; }
    return (parsed.protocol === "wss:" || parsed.protocol === "ws:")
      && (parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost")
      && parsed.port === PORT;
  }

  function toBase64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  async function bytesOf(data) {
    if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  /** A WebSocket whose frames travel over the extension to Qoltanba's native-messaging host. */
  class ExtensionSocket extends EventTarget {
    static CONNECTING = CONNECTING;
    static OPEN = OPEN;
    static CLOSING = CLOSING;
    static CLOSED = CLOSED;

    #port;
    #text = "";
    #queue = Promise.resolve();
    #closeWhenOpen = null;

    constructor(url) {
      super();
      this.url = new URL(String(url), globalThis.location?.href).href;
      this.readyState = CONNECTING;
      this.protocol = "";
      this.extensions = "";
      this.binaryType = "blob";
      this.bufferedAmount = 0;
      this.failure = null;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      const channel = new MessageChannel();
      this.#port = channel.port1;
      this.#port.onmessage = (event) => this.#receive(event.data);
      // The extension's content script takes the other end; the origin is added by the browser.
      globalThis.postMessage({ qoltanba: "connect" }, globalThis.location.origin, [channel.port2]);
    }

    get CONNECTING() { return CONNECTING; }
    get OPEN() { return OPEN; }
    get CLOSING() { return CLOSING; }
    get CLOSED() { return CLOSED; }

    send(data) {
      if (this.readyState === CONNECTING) {
        throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
      }
      if (this.readyState !== OPEN) return;
      if (typeof data === "string") {
        this.#queue = this.#queue.then(() => this.#port.postMessage({ type: "text", data }));
        return;
      }
      this.#queue = this.#queue.then(async () => {
        const bytes = await bytesOf(data);
        this.#port.postMessage({ type: "binary", data: toBase64(bytes) });
      });
    }

    close(code = 1000, reason = "") {
      if (this.readyState === CLOSING || this.readyState === CLOSED) return;
      if (this.readyState === CONNECTING) {
        this.#closeWhenOpen = { code, reason };
        this.readyState = CLOSING;
        return;
      }
      this.readyState = CLOSING;
      this.#queue = this.#queue.then(() => this.#port.postMessage({ type: "close", code, reason }));
    }

    #fire(event) {
      const handler = this[`on${event.type}`];
      if (typeof handler === "function") handler.call(this, event);
      this.dispatchEvent(event);
    }

    #closed(code, reason) {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.#port.close();
      this.#fire(new CloseEvent("close", { code, reason, wasClean: code !== 1006 }));
    }

    #receive(message) {
      if (this.readyState === CLOSED) return;
      switch (message?.type) {
        case "open":
          if (this.#closeWhenOpen) {
            const { code, reason } = this.#closeWhenOpen;
            this.#port.postMessage({ type: "close", code, reason });
            return;
          }
          this.readyState = OPEN;
          this.#fire(new Event("open"));
          return;
        case "text":
          this.#text += message.data;
          if (message.more) return;
          {
            const data = this.#text;
            this.#text = "";
            if (this.readyState === OPEN || this.readyState === CLOSING) {
              this.#fire(new MessageEvent("message", { data, origin: new URL(this.url).origin }));
            }
          }
          return;
        case "close":
          this.#closed(message.code ?? 1005, message.reason ?? "");
          return;
        case "error":
          // What a page sees when a socket fails: error, then close 1006 (1009 when too large).
          // `failure` tells client-js why (e.g. host_missing: try the network instead).
          this.failure = message.reason;
          this.#fire(new Event("error"));
          this.#closed(message.reason === "too_large" ? 1009 : 1006, "");
          return;
        default:
      }
    }
  }

  globalThis.WebSocket = new Proxy(NativeWebSocket, {
    construct(target, args, newTarget) {
      if (bridged(args[0])) return new ExtensionSocket(args[0]);
      return Reflect.construct(target, args, newTarget);
    },
  });
  /** For client-js: any Qoltanba URL over the extension (it prefers this to the network). */
  Object.defineProperty(globalThis, "qoltanbaExtension", {
    value: Object.freeze({ webSocket: (url) => new ExtensionSocket(url) }),
    enumerable: false,
  });
})();
