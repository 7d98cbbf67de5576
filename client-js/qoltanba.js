// Qoltanba browser client: the native API (origin-bound login, registration, signing) and an
// NCALayer-compatible facade, over one WebSocket to the local `qoltanba serve`.

/** Where `qoltanba serve` listens by default (NCALayer's port, so old pages work too). */
export const DEFAULT_URL = "ws://127.0.0.1:13579/";

const NCALAYER_GREETING_VERSION = "1.4";
const COMMON_UTILS = "kz.gov.pki.knca.commonUtils";
const BASICS = "kz.gov.pki.knca.basics";

/** Every failure the library reports; `reason` is machine-readable, `message` is for people. */
export class QoltanbaError extends Error {
  constructor(message, { reason, code, details } = {}) {
    super(message);
    this.name = "QoltanbaError";
    this.reason = reason;
    this.code = code;
    this.details = details;
  }

  /** True when the user closed the dialog (pages usually just stay where they were). */
  get cancelled() {
    return this.reason === "cancelled" || this.reason === "timeout";
  }
}

function defaultSocket(url) {
  if (typeof globalThis.WebSocket !== "function") {
    throw new QoltanbaError(
      "No WebSocket implementation: pass connect({ webSocket: url => new WebSocket(url) })",
      { reason: "bad_request" },
    );
  }
  return new globalThis.WebSocket(url);
}

function messageText(event) {
  return typeof event.data === "string" ? event.data : String(event.data);
}

/**
 * Opens the connection and checks that Qoltanba (not another program) answers.
 * Rejects with reason `not_running` when nothing listens, `not_qoltanba` when something else does.
 */
export async function connect({ url = DEFAULT_URL, webSocket = defaultSocket, timeout = 10000 } = {}) {
  const socket = webSocket(url);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try { socket.close(); } catch { /* already closed */ }
      reject(notRunning(url));
    }, timeout);
    socket.addEventListener("open", () => { clearTimeout(timer); resolve(); }, { once: true });
    socket.addEventListener("error", () => { clearTimeout(timer); reject(notRunning(url)); }, { once: true });
  });
  const client = new QoltanbaClient(socket, url);
  let version;
  try {
    version = await client.call("qoltanba.version", undefined, timeout);
  } catch (error) {
    client.close();
    if (error instanceof QoltanbaError && error.reason === "timeout") {
      throw new QoltanbaError(
        `The program at ${url} is not Qoltanba (it does not answer qoltanba.version); is NCALayer running instead?`,
        { reason: "not_qoltanba" },
      );
    }
    throw error;
  }
  client.version = version;
  return client;
}

function notRunning(url) {
  return new QoltanbaError(
    `Qoltanba is not running: nothing answers at ${url}. Start Qoltanba and try again.`,
    { reason: "not_running" },
  );
}

/** One connection: native JSON-RPC calls matched by id, NCALayer calls answered in order. */
export class QoltanbaClient {
  constructor(socket, url) {
    this.socket = socket;
    this.url = url;
    this.version = null;
    this.nextId = 1;
    this.pending = new Map();
    this.ncalayerQueue = [];
    this.ncalayerChain = Promise.resolve();
    socket.addEventListener("message", (event) => this.#receive(messageText(event)));
    socket.addEventListener("close", () => this.#failAll());
  }

  /** Closes the connection; calls still waiting reject with reason `closed`. */
  close() {
    try { this.socket.close(); } catch { /* already closed */ }
    this.#failAll();
  }

  /**
   * A raw native call; resolves with `result`, rejects with a QoltanbaError carrying the reason.
   * A `document` (Blob, ArrayBuffer or typed array) goes after the JSON in one binary message.
   */
  call(method, params, timeout = 0, document = undefined) {
    const id = this.nextId++;
    const request = { jsonrpc: "2.0", id, method };
    if (params !== undefined) request.params = params;
    return new Promise((resolve, reject) => {
      let timer;
      if (timeout > 0) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new QoltanbaError(`No answer to ${method} in ${timeout} ms`, { reason: "timeout" }));
        }, timeout);
      }
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.#send(request, (e) => this.pending.get(id)?.reject(e), document);
    });
  }

  /**
   * Origin-bound login: forward the returned object to your server, which verifies it with the
   * challenge it issued and its own origin (e.g. with the qoltanba-verify crate).
   */
  login(challenge) {
    return this.call("qoltanba.login", { challenge, action: "login" });
  }

  /**
   * Like login, but the user agrees to change their password on this site; the token cannot be
   * used to log in, and a login token cannot change the password.
   */
  changePassword(challenge) {
    return this.call("qoltanba.login", { challenge, action: "change-password" });
  }

  /** Registration with a signing certificate; `entity` is "individual" or "legal". */
  register({ challenge, email, entity }) {
    return this.call("qoltanba.register", { challenge, email, entity });
  }

  /**
   * Signs `data` and resolves with {format, signature, certificate}. For xml, `data` is the XML
   * text. For cms and raw it is base64 text, or the bytes themselves (a File or other Blob, an
   * ArrayBuffer, a typed array), which are sent as they are: no base64 for large files.
   */
  sign({ format, data, detached, purpose, timestamp }) {
    const params = { format };
    if (detached !== undefined) params.detached = detached;
    if (purpose !== undefined) params.purpose = purpose;
    if (timestamp !== undefined) params.timestamp = timestamp;
    if (typeof data === "string") {
      params.data = data;
      return this.call("qoltanba.sign", params);
    }
    return this.call("qoltanba.sign", params, 0, data);
  }

  /** Keystore files Qoltanba knows (names and modification times, never paths). */
  keystores() {
    return this.call("qoltanba.keystores");
  }

  /** Sends one NCALayer-API request and resolves with the raw reply object (one at a time). */
  ncalayer(request) {
    const run = () => new Promise((resolve, reject) => {
      this.ncalayerQueue.push({ resolve, reject });
      this.#send(request, (e) => {
        this.ncalayerQueue.pop();
        reject(e);
      });
    });
    const result = this.ncalayerChain.then(run, run);
    this.ncalayerChain = result.catch(() => {});
    return result;
  }

  /** Sends the request as text, or with a document as JSON, a zero byte and the document's bytes. */
  #send(request, fail, document = undefined) {
    try {
      const json = JSON.stringify(request);
      this.socket.send(document === undefined ? json : new Blob([json, new Uint8Array([0]), document]));
    } catch {
      fail(new QoltanbaError("The connection to Qoltanba is closed", { reason: "closed" }));
    }
  }

  #receive(text) {
    if (text === "--heartbeat--") return;
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message && message.jsonrpc === "2.0") {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) {
        const { code, message: text, data } = message.error;
        waiter.reject(new QoltanbaError(text, { reason: data?.reason, code }));
      } else {
        waiter.resolve(message.result);
      }
      return;
    }
    // The NCALayer greeting comes first on every connection; it answers no request.
    if (message && message.result && message.result.version === NCALAYER_GREETING_VERSION
      && Object.keys(message).length === 1) {
      return;
    }
    const waiter = this.ncalayerQueue.shift();
    if (waiter) waiter.resolve(message);
  }

  #failAll() {
    const closed = () => new QoltanbaError("The connection to Qoltanba closed", { reason: "closed" });
    for (const waiter of this.pending.values()) waiter.reject(closed());
    this.pending.clear();
    for (const waiter of this.ncalayerQueue.splice(0)) waiter.reject(closed());
  }
}

/** NCALayer's error codes mapped to the native reasons, so pages handle both the same way. */
const NCALAYER_REASONS = {
  "action.canceled": "cancelled",
  "origin.denied": "origin_denied",
  "password.wrong": "wrong_password",
  "certificate.not.found": "no_matching_certificate",
  "service.busy": "busy",
};

/**
 * Drop-in for pages written for NCALayer: same method names and argument order as the common
 * NCALayer client (`new NCALayerClient(url)`, `await client.connect()`), over Qoltanba.
 */
export class NCALayerClient {
  constructor(url = DEFAULT_URL, { webSocket = defaultSocket } = {}) {
    this.url = url;
    this.webSocket = webSocket;
    this.client = null;
  }

  /** Connects; rejects with reason `not_running` when nothing listens. */
  async connect() {
    this.client = await connect({ url: this.url, webSocket: this.webSocket });
    return NCALAYER_GREETING_VERSION;
  }

  close() {
    this.client?.close();
  }

  async #common(method, args) {
    if (!this.client) throw new QoltanbaError("Call connect() first", { reason: "closed" });
    const reply = await this.client.ncalayer({ module: COMMON_UTILS, method, args });
    if (reply.code === "200") return reply.responseObject;
    throw new QoltanbaError(reply.message, {
      reason: NCALAYER_REASONS[reply.message] ?? "bad_request",
      code: reply.code,
    });
  }

  getActiveTokens() {
    return this.#common("getActiveTokens", []);
  }

  /** The certificate the user picks: {alias, subjectDn, serialNumber, certNotAfter, pem, ...}. */
  getKeyInfo(storageType = "PKCS12") {
    return this.#common("getKeyInfo", [storageType]);
  }

  /** Enveloped XMLDSig of the whole document (XPath selection is not supported: leave empty). */
  signXml(storageType, xml, keyType = "SIGNATURE", tbsElementXPath = "", signatureParentElementXPath = "") {
    return this.#common("signXml", [storageType, keyType, xml, tbsElementXPath, signatureParentElementXPath]);
  }

  /**
   * Base64 CMS SignedData of base64 `data`; `attached` embeds the content. As in NCALayer it
   * carries a signature timestamp from the user's TSA (CAdES-T), or rejects with TSA_UNAVAILABLE.
   */
  createCMSSignatureFromBase64(storageType, data, keyType = "SIGNATURE", attached = false) {
    return this.#common("createCMSSignatureFromBase64", [storageType, keyType, data, Boolean(attached)]);
  }

  /** As createCMSSignatureFromBase64 but without a timestamp (CAdES-BES), as in NCALayer. */
  createCAdESFromBase64(storageType, data, keyType = "SIGNATURE", attached = false) {
    return this.#common("createCAdESFromBase64", [storageType, keyType, data, Boolean(attached)]);
  }

  changeLocale(locale) {
    return this.#common("changeLocale", [locale]);
  }

  /**
   * `kz.gov.pki.knca.basics` sign: resolves with the result (array of signatures, or
   * {signatures, certificate} with outputCert); rejects with reason `cancelled` on cancel.
   */
  async basicsSign({ allowedStorages = ["PKCS12"], format, data, signingParams = {}, signerParams = {}, locale = "ru" }) {
    if (!this.client) throw new QoltanbaError("Call connect() first", { reason: "closed" });
    const reply = await this.client.ncalayer({
      module: BASICS,
      method: "sign",
      args: { allowedStorages, format, data, signingParams, signerParams, locale },
    });
    if (reply.status === true) {
      if (!reply.body || reply.body.result === undefined) {
        throw new QoltanbaError("The user cancelled", { reason: "cancelled" });
      }
      return reply.body.result;
    }
    throw new QoltanbaError(reply.message ?? "Signing failed", {
      reason: reply.code === "ORIGIN_DENIED" ? "origin_denied" : "bad_request",
      code: reply.code,
      details: reply.details,
    });
  }

  /** NCALayer client's CMS shorthand over basicsSign. */
  basicsSignCMS(allowedStorages, data, signingParams = {}, signerParams = {}, locale = "ru") {
    return this.basicsSign({ allowedStorages, format: "cms", data, signingParams, signerParams, locale });
  }

  /** NCALayer client's XML shorthand over basicsSign. */
  basicsSignXML(allowedStorages, data, signingParams = {}, signerParams = {}, locale = "ru") {
    return this.basicsSign({ allowedStorages, format: "xml", data, signingParams, signerParams, locale });
  }
}
