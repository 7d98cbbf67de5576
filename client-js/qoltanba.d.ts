// Types of qoltanba.js: the Qoltanba native API and the NCALayer-compatible facade.

export declare const DEFAULT_URL: string;

/**
 * Why connect() failed: nothing answers; the browser blocked the site from apps on this device
 * (Local Network Access); wss:// fails where ws:// answers (local CA not trusted); another program
 * (an old Qoltanba or NCALayer) holds the port.
 */
export type ConnectionReason = "not_running" | "blocked_by_browser" | "certificate_untrusted" | "not_qoltanba";

export type Locale = "kk" | "ru" | "en";

/** Why a call failed; the native API's reasons plus the connection's own. */
export type Reason =
  | ConnectionReason | "closed"
  | "bad_request" | "cancelled" | "origin_denied" | "wrong_password"
  | "no_matching_certificate" | "certificate_expired" | "unsupported_key" | "busy" | "timeout";

export declare class QoltanbaError extends Error {
  readonly reason?: Reason;
  readonly code?: number | string;
  /** For blocked_by_browser: the setting to change in this browser, in the error's language. */
  readonly details?: string;
  /** For blocked_by_browser: the permission as the browser reported it. */
  readonly permission?: PermissionReport;
  readonly cancelled: boolean;
}

export interface PermissionReport { name: "loopback-network" | "local-network-access"; state: "granted" | "denied" | "prompt"; }

/** Connection failure messages per language and reason; `{url}` stands for the address. */
export declare const MESSAGES: Record<Locale, Record<ConnectionReason, string>>;
/** The Local Network Access setting to change, per language and browser. */
export declare const BROWSER_SETTINGS: Record<Locale, Record<"chrome" | "edge" | "firefox", string>>;

/** The browser's permission state for reaching apps on this device; null when it knows neither name. */
export declare function localNetworkPermission(permissions?: { query(d: { name: string }): Promise<{ state: string }> }): Promise<PermissionReport | null>;

/** Why a connection to `url` fails, as the error connect() would reject with. */
export declare function diagnose(options?: ConnectOptions): Promise<QoltanbaError>;

/** Minimal WebSocket surface the library uses (browser WebSocket, or `ws` in Node). */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: string, listener: (event: any) => void, options?: { once?: boolean }): void;
}

export interface ConnectOptions {
  url?: string;
  /** Creates the socket; default `url => new WebSocket(url)`. */
  webSocket?: (url: string) => SocketLike;
  /** Milliseconds to wait for the socket and for `qoltanba.version`. */
  timeout?: number;
  /** Language of connection errors (kk, ru, en; default the browser's, else en). */
  locale?: string;
  /** The Permissions API to ask (default navigator.permissions). */
  permissions?: { query(d: { name: string }): Promise<{ state: string }> };
  /** Use the Qoltanba browser extension when the page has it (default true). */
  useExtension?: boolean;
}

export interface Version { version: string; protocol: number; features: string[]; }

export interface LoginReply {
  format: "qoltanba-login:2"; action: "login" | "change-password"; algorithm: "RS256" | "GOST512"; certificate: string; signature: string;
}

export interface RegisterReply {
  format: "qoltanba-register:2"; algorithm: "RS256" | "GOST512"; certificate: string; payload: string; signature: string;
}

export type Entity = "individual" | "legal";

export interface SignRequest {
  format: "cms" | "xml" | "raw";
  /** XML text for xml; for cms and raw, base64 text or the bytes themselves (sent as binary) */
  data: string | Blob | ArrayBuffer | ArrayBufferView;
  detached?: boolean;
  purpose?: "auth" | "sign";
  /** cms only: add an RFC 3161 signature timestamp (CAdES-T); fails with reason timestamp_failed */
  timestamp?: boolean;
}

export interface SignReply { format: "cms" | "xml" | "raw"; signature: string; certificate: string; }

export interface KeystoreFile { name: string; modified: string; }

export declare function connect(options?: ConnectOptions): Promise<QoltanbaClient>;

export declare class QoltanbaClient {
  readonly url: string;
  /** "extension" when the Qoltanba browser extension carries the connection. */
  readonly via: "extension" | "socket";
  version: Version | null;
  close(): void;
  call(method: string, params?: unknown, timeout?: number, document?: Blob | ArrayBuffer | ArrayBufferView): Promise<any>;
  login(challenge: string): Promise<LoginReply>;
  changePassword(challenge: string): Promise<LoginReply>;
  register(request: { challenge: string; email: string; entity: Entity }): Promise<RegisterReply>;
  sign(request: SignRequest): Promise<SignReply>;
  keystores(): Promise<KeystoreFile[]>;
  ncalayer(request: object): Promise<any>;
}

export interface KeyInfo {
  alias: string; keyId: string; algorithm: string;
  subjectCn: string; subjectDn: string; issuerCn: string; issuerDn: string;
  serialNumber: string; certNotBefore: string; certNotAfter: string;
  authorityKeyIdentifier: string; pem: string;
}

export interface BasicsSignRequest {
  allowedStorages?: string[];
  format: "cms" | "xml";
  data: string | string[];
  signingParams?: Record<string, unknown>;
  signerParams?: Record<string, unknown>;
  locale?: string;
}

export declare class NCALayerClient {
  constructor(url?: string, options?: { webSocket?: (url: string) => SocketLike; locale?: string });
  connect(): Promise<string>;
  close(): void;
  getActiveTokens(): Promise<string[]>;
  getKeyInfo(storageType?: string): Promise<KeyInfo>;
  signXml(storageType: string, xml: string, keyType?: string, tbsElementXPath?: string, signatureParentElementXPath?: string): Promise<string>;
  createCMSSignatureFromBase64(storageType: string, data: string, keyType?: string, attached?: boolean): Promise<string>;
  createCAdESFromBase64(storageType: string, data: string, keyType?: string, attached?: boolean): Promise<string>;
  changeLocale(locale: string): Promise<void>;
  basicsSign(request: BasicsSignRequest): Promise<string[] | { signatures: string[]; certificate: string }>;
  basicsSignCMS(allowedStorages: string[], data: string | string[], signingParams?: object, signerParams?: object, locale?: string): Promise<string[]>;
  basicsSignXML(allowedStorages: string[], data: string | string[], signingParams?: object, signerParams?: object, locale?: string): Promise<string[]>;
}
