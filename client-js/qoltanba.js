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
 * Opens the connection and checks that Qoltanba (not another program) answers. Prefers the
 * Qoltanba browser extension when the page has it (no local network request, no certificate).
 * A failure says why: `not_running`, `blocked_by_browser`, `certificate_untrusted` or
 * `not_qoltanba` (an old Qoltanba or NCALayer holds the port), in `locale` (kk, ru or en).
 */
export async function connect({
  url = DEFAULT_URL, webSocket, timeout = 10000, locale, permissions, useExtension = true,
} = {}) {
  const language = pickLocale(locale);
  const extension = webSocket === undefined && useExtension ? extensionBridge() : null;
  if (extension) {
    const socket = extension.webSocket(url);
    if (await opened(socket, timeout)) return handshake(socket, url, "extension", timeout, language);
    // The extension is there but its native-messaging host is not installed: try the network.
    if (socket.failure !== "host_missing") throw connectionError("not_running", language, { url });
  }
  const open = webSocket ?? defaultSocket;
  const socket = open(url);
  if (!(await opened(socket, timeout))) {
    throw await diagnose({ url, webSocket: open, locale: language, permissions });
  }
  return handshake(socket, url, "socket", timeout, language);
}

/** Whether `socket` opens within `timeout` ms (closed when it does not). */
function opened(socket, timeout) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try { socket.close(); } catch { /* already closed */ }
      resolve(false);
    }, timeout);
    socket.addEventListener("open", () => { clearTimeout(timer); resolve(true); }, { once: true });
    socket.addEventListener("error", () => { clearTimeout(timer); resolve(false); }, { once: true });
  });
}

/** Checks that Qoltanba, not another program, answers on the open socket. */
async function handshake(socket, url, via, timeout, language) {
  const client = new QoltanbaClient(socket, url);
  client.via = via;
  let version;
  try {
    version = await client.call("qoltanba.version", undefined, timeout);
  } catch (error) {
    client.close();
    if (error instanceof QoltanbaError && (error.reason === "timeout" || error.code === -32601)) {
      throw connectionError("not_qoltanba", language, { url });
    }
    throw error;
  }
  client.version = version;
  return client;
}

/** The extension's page bridge, set by its document-start script in the page's own world. */
function extensionBridge() {
  const bridge = globalThis.qoltanbaExtension;
  return bridge && typeof bridge.webSocket === "function" ? bridge : null;
}

/**
 * The browser's permission for pages to reach apps on this device: Chrome 145+ calls it
 * `loopback-network`, earlier Chromium `local-network-access`; null when the browser knows neither.
 */
export async function localNetworkPermission(permissions = globalThis.navigator?.permissions) {
  if (!permissions || typeof permissions.query !== "function") return null;
  for (const name of ["loopback-network", "local-network-access"]) {
    try {
      const status = await permissions.query({ name });
      return { name, state: status.state };
    } catch {
      // This browser does not know the name: try the next one.
    }
  }
  return null;
}

/** True when the page itself is on this machine (no Local Network Access check applies). */
function pageIsLocal() {
  const host = globalThis.location?.hostname;
  return host === "localhost" || host === "[::1]" || /^127\./.test(host ?? "");
}

/** Whether a socket to `url` opens within `timeout` ms (closed at once). */
function opens(url, open, timeout) {
  return new Promise((resolve) => {
    let socket;
    try { socket = open(url); } catch { resolve(false); return; }
    const done = (result) => {
      clearTimeout(timer);
      try { socket.close(); } catch { /* already closed */ }
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeout);
    socket.addEventListener("open", () => done(true), { once: true });
    socket.addEventListener("error", () => done(false), { once: true });
  });
}

/**
 * Why a connection to `url` failed: the browser's permission first (a refused permission looks
 * exactly like a stopped app to the page), then wss:// against ws:// on the same port.
 */
export async function diagnose({ url = DEFAULT_URL, webSocket = defaultSocket, locale, permissions } = {}) {
  const language = pickLocale(locale);
  const permission = await localNetworkPermission(permissions);
  if (permission && permission.state !== "granted" && !pageIsLocal()) {
    return connectionError("blocked_by_browser", language, { url, permission });
  }
  if (url.startsWith("wss://") && await opens(`ws://${url.slice("wss://".length)}`, webSocket, 2000)) {
    return connectionError("certificate_untrusted", language, { url });
  }
  return connectionError("not_running", language, { url });
}

/** The browser the page runs in, for the one setting the user has to change. */
function browserName() {
  const agent = globalThis.navigator?.userAgent ?? "";
  if (/Edg\//.test(agent)) return "edge";
  if (/Firefox\//.test(agent)) return "firefox";
  return "chrome";
}

function pickLocale(locale) {
  const wanted = (locale ?? globalThis.navigator?.language ?? "en").slice(0, 2).toLowerCase();
  return MESSAGES[wanted] ? wanted : "en";
}

/** Where each browser keeps the setting that lets a site reach apps on this device. */
export const BROWSER_SETTINGS = {
  en: {
    chrome: "In Chrome: click the icon left of the address, open \"Site settings\" and set \"Apps on device\" (older versions: \"Local network access\") to Allow, then reload the page.",
    edge: "In Edge: click the icon left of the address, open \"Permissions for this site\" and set \"Local network access\" to Allow, then reload the page.",
    firefox: "In Firefox: click the permissions icon in the address bar and allow \"Access other apps and services on this device\", then reload the page.",
  },
  ru: {
    chrome: "В Chrome: нажмите значок слева от адреса, откройте «Настройки сайтов» и для «Приложения на устройстве» (в старых версиях «Доступ к локальной сети») выберите «Разрешить», затем обновите страницу.",
    edge: "В Edge: нажмите значок слева от адреса, откройте «Разрешения для этого сайта» и для «Доступ к локальной сети» выберите «Разрешить», затем обновите страницу.",
    firefox: "В Firefox: нажмите значок разрешений в адресной строке и разрешите «Доступ к другим приложениям и службам на этом устройстве», затем обновите страницу.",
  },
  kk: {
    chrome: "Chrome-да: мекенжайдың сол жағындағы белгішені басып, «Сайт параметрлері» бөлімінде «Құрылғыдағы қолданбалар» (ескі нұсқаларда «Жергілікті желіге қол жеткізу») үшін «Рұқсат ету» таңдаңыз, содан кейін бетті жаңартыңыз.",
    edge: "Edge-де: мекенжайдың сол жағындағы белгішені басып, «Осы сайттың рұқсаттары» бөлімінде «Жергілікті желіге қол жеткізу» үшін «Рұқсат ету» таңдаңыз, содан кейін бетті жаңартыңыз.",
    firefox: "Firefox-та: мекенжай жолағындағы рұқсаттар белгішесін басып, «Осы құрылғыдағы басқа қолданбалар мен қызметтерге қол жеткізу» рұқсат етіңіз, содан кейін бетті жаңартыңыз.",
  },
};

/** Connection failures in Kazakh, Russian and English; `{url}` is filled in. */
export const MESSAGES = {
  en: {
    not_running: "Qoltanba is not running: nothing answers at {url}. Start Qoltanba and try again.",
    blocked_by_browser: "The browser blocked this site from reaching apps on this device, so it cannot reach Qoltanba.",
    certificate_untrusted: "Qoltanba is running, but the browser does not trust its local certificate for {url}. Run \"qoltanba tls install\" (or install the Qoltanba browser extension) and restart the browser.",
    not_qoltanba: "Another program holds the port at {url}: an old Qoltanba or NCALayer. Quit it and start Qoltanba.",
  },
  ru: {
    not_running: "Qoltanba не запущена: по адресу {url} никто не отвечает. Запустите Qoltanba и повторите.",
    blocked_by_browser: "Браузер запретил этому сайту обращаться к приложениям на этом устройстве, поэтому он не может связаться с Qoltanba.",
    certificate_untrusted: "Qoltanba запущена, но браузер не доверяет её локальному сертификату для {url}. Выполните «qoltanba tls install» (или установите расширение Qoltanba для браузера) и перезапустите браузер.",
    not_qoltanba: "Порт {url} занят другой программой: старой Qoltanba или NCALayer. Закройте её и запустите Qoltanba.",
  },
  kk: {
    not_running: "Qoltanba іске қосылмаған: {url} мекенжайында ешкім жауап бермейді. Qoltanba-ны іске қосып, қайталап көріңіз.",
    blocked_by_browser: "Браузер бұл сайтқа осы құрылғыдағы қолданбаларға қол жеткізуге тыйым салды, сондықтан ол Qoltanba-мен байланыса алмайды.",
    certificate_untrusted: "Qoltanba іске қосылған, бірақ браузер оның {url} үшін жергілікті сертификатына сенбейді. «qoltanba tls install» орындаңыз (немесе Qoltanba браузер кеңейтімін орнатыңыз) және браузерді қайта іске қосыңыз.",
    not_qoltanba: "{url} портын басқа бағдарлама алып тұр: ескі Qoltanba немесе NCALayer. Оны жабып, Qoltanba-ны іске қосыңыз.",
  },
};

/** A connection failure with its message in `locale`; `blocked_by_browser` names the setting. */
function connectionError(reason, locale, { url, permission } = {}) {
  let message = MESSAGES[locale][reason].replaceAll("{url}", url);
  let details;
  if (reason === "blocked_by_browser") {
    details = BROWSER_SETTINGS[locale][browserName()];
    message = `${message} ${details}`;
  }
  const error = new QoltanbaError(message, { reason, details });
  if (permission) error.permission = permission;
  return error;
}

/** One connection: native JSON-RPC calls matched by id, NCALayer calls answered in order. */
export class QoltanbaClient {
  constructor(socket, url) {
    this.socket = socket;
    this.url = url;
    this.version = null;
    /** "extension" when the Qoltanba browser extension carries the connection, else "socket". */
    this.via = "socket";
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
  constructor(url = DEFAULT_URL, { webSocket, locale } = {}) {
    this.url = url;
    this.webSocket = webSocket;
    this.locale = locale;
    this.client = null;
  }

  /** Connects; rejects with reason `not_running` when nothing listens. */
  async connect() {
    this.client = await connect({ url: this.url, webSocket: this.webSocket, locale: this.locale });
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
