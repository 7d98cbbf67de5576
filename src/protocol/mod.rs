//! Wire formats of the local socket: requests in, byte-exact replies out; no I/O.
//!
//! A message is routed to the NCALayer-compatible API ([`ncalayer`]) or to the native
//! JSON-RPC 2.0 API ([`native`]). Each method is one handler; a handler either answers at once
//! or returns a job that needs the user (an approved origin, a chosen key) and knows how to turn
//! the user's key, or the reason there is none, into the reply.

pub mod document;
pub mod filter;
pub mod native;
pub mod ncalayer;
pub use qoltanba_core::token;

use std::sync::Arc;
use std::time::SystemTime;

use time::OffsetDateTime;

use crate::timestamp::{stamp_cms, TimestampError, Transport, TsaSettings};

use crate::keystore::Entry;
/// Messages are shared byte buffers (the WebSocket layer's own types, so a message is never
/// copied or validated twice); re-exported so callers need no dependency of their own.
pub use bytes::Bytes;
pub(crate) use document::decode_base64;
pub use document::Document;
pub use filter::KeyFilter;
pub use tokio_tungstenite::tungstenite::Utf8Bytes;

/// The NCALayer keep-alive frame, echoed back unchanged.
pub const HEARTBEAT: &str = "--heartbeat--";

/// What the server knows about the request's connection, fixed at the handshake.
#[derive(Debug, Clone)]
pub struct Context {
    /// The connection's Origin header, already checked by the policy.
    pub origin: String,
    /// Where requested timestamps come from; `None` refuses every timestamped request.
    pub tsa: Option<Tsa>,
}

/// The TSA a service asks, and the client that carries the request (run after the user
/// signed, on the blocking thread that signs).
#[derive(Clone)]
pub struct Tsa {
    pub settings: TsaSettings,
    pub transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for Tsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Tsa").field(&self.settings.url).finish()
    }
}

impl Tsa {
    /// `settings` reached over plain HTTP with the default timeout.
    pub fn http(settings: TsaSettings) -> Self {
        Tsa {
            settings,
            transport: Arc::new(qoltanba_http::HttpTransport::default()),
        }
    }

    /// Adds a signature timestamp to `cms_der`; a failure is never a signature without it.
    pub fn stamp(&self, cms_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
        let started = std::time::Instant::now();
        let result = stamp_cms(cms_der, &self.settings, self.transport.as_ref());
        match &result {
            Ok(_) => {
                tracing::info!(tsa = %self.settings.host(), elapsed = ?started.elapsed(), "timestamped")
            }
            Err(e) => tracing::warn!(tsa = %self.settings.host(), error = %e, "no timestamp"),
        }
        result.map(|(stamped, _)| stamped)
    }
}

/// The one interface every method implements: decoded call in, outcome out.
pub trait Handler<Call>: Sync {
    fn handle(&self, call: Call) -> Outcome;
}

impl<Call, F: Fn(Call) -> Outcome + Sync> Handler<Call> for F {
    fn handle(&self, call: Call) -> Outcome {
        self(call)
    }
}

/// What the server has to do for one incoming frame.
pub enum Outcome {
    /// Send this text frame.
    Reply(String),
    /// Send nothing (a JSON-RPC notification).
    Silent,
    /// Ask the user for a key, then let the job build the reply.
    Key(Box<KeyJob>),
    /// After the origin is approved, list the keystores the app knows.
    Keystores(KeystoresJob),
    /// The page switched the language (NCALayer's changeLocale): tell the prompt, then reply.
    Locale { locale: String, reply: String },
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Reply(text) => f.debug_tuple("Reply").field(text).finish(),
            Outcome::Silent => f.write_str("Silent"),
            Outcome::Key(job) => f
                .debug_struct("Key")
                .field("filter", &job.filter)
                .field("task", &job.task)
                .finish(),
            Outcome::Keystores(_) => f.write_str("Keystores"),
            Outcome::Locale { locale, .. } => f.debug_tuple("Locale").field(locale).finish(),
        }
    }
}

/// Why a job ended without a signature; each maps to one reply shape per API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The user closed the prompt or the connection went away.
    Cancelled,
    /// The user (now or earlier) refused this origin.
    OriginDenied,
    /// No keystore holds a certificate the request accepts.
    NoMatchingCertificate,
    /// Three wrong passwords.
    WrongPassword,
    /// The prompt stayed unanswered for the configured time.
    Timeout,
    /// Too many requests are already waiting for the user.
    Busy,
}

/// Signs with the chosen entry and returns the reply frame (success or error).
pub type SignFn = Box<dyn FnOnce(&Entry, Signing) -> String + Send>;
/// Builds the reply frame for a job that got no key.
pub type FailFn = Box<dyn FnOnce(Failure) -> String + Send>;

/// The clock a job signs with, fixed when the key was chosen.
#[derive(Debug, Clone, Copy)]
pub struct Signing {
    pub now: OffsetDateTime,
    pub system_time: SystemTime,
}

impl Signing {
    pub fn now() -> Self {
        Signing {
            now: OffsetDateTime::now_utc(),
            system_time: SystemTime::now(),
        }
    }
}

/// A request that needs the user to choose a certificate and type its password.
pub struct KeyJob {
    /// Which certificates the request accepts.
    pub filter: KeyFilter,
    /// What is signed, for the prompt to show in the user's language.
    pub task: Task,
    pub sign: SignFn,
    pub fail: FailFn,
}

/// What a request asks the user to sign: the prompt words it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Task {
    /// A login challenge bound to the page's origin.
    Login,
    /// A password change on the page's site, authorised with the certificate.
    ChangePassword,
    /// A registration payload bound to the page's origin.
    Register,
    /// Give the page the chosen certificate's details (NCALayer's getKeyInfo); nothing is signed.
    ShowCertificate,
    /// `count` documents, `bytes` in total.
    Sign {
        count: usize,
        bytes: usize,
        format: DataFormat,
        /// The first XML document, so the user can read what is signed.
        preview: Option<String>,
        /// The host of the TSA that will timestamp the signature, when one is requested.
        #[serde(skip_serializing_if = "Option::is_none")]
        timestamp: Option<String>,
    },
    /// Add a timestamp from `tsa` (host) to the user's existing CMS signature (applyCAdEST).
    Timestamp { tsa: String },
    /// `count` precomputed hashes of documents the user cannot see.
    SignHashes {
        count: usize,
        format: DataFormat,
        #[serde(skip_serializing_if = "Option::is_none")]
        timestamp: Option<String>,
    },
}

/// The form of the signed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataFormat {
    Xml,
    Cms,
    Raw,
}

/// A preview longer than this is cut: enough to read, not a copy of a 50 MB document.
pub const PREVIEW_LIMIT: usize = 64 * 1024;

impl Task {
    /// Signing of XML documents; the first is the preview.
    pub fn sign_xml(documents: &[&str]) -> Self {
        let preview = documents.first().map(|first| {
            let shown = &first.as_bytes()[..first.len().min(PREVIEW_LIMIT)];
            String::from_utf8_lossy(shown).into_owned()
        });
        Task::Sign {
            count: documents.len(),
            bytes: documents.iter().map(|d| d.len()).sum(),
            format: DataFormat::Xml,
            preview,
            timestamp: None,
        }
    }

    /// Signing of binary documents of these lengths: nothing to preview.
    pub fn sign_binary(format: DataFormat, lengths: &[usize]) -> Self {
        Task::Sign {
            count: lengths.len(),
            bytes: lengths.iter().sum(),
            format,
            preview: None,
            timestamp: None,
        }
    }

    /// Signing of `count` hashes the user cannot see.
    pub fn sign_hashes(format: DataFormat, count: usize) -> Self {
        Task::SignHashes {
            count,
            format,
            timestamp: None,
        }
    }

    /// The same task, telling the user that `tsa` will timestamp the signature.
    pub fn timestamped_by(mut self, tsa: &TsaSettings) -> Self {
        match &mut self {
            Task::Sign { timestamp, .. } | Task::SignHashes { timestamp, .. } => {
                *timestamp = Some(tsa.host().to_string())
            }
            _ => {}
        }
        self
    }
}

impl std::fmt::Display for Task {
    /// The English wording, used by the terminal prompt and logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = |format: &DataFormat| match format {
            DataFormat::Xml => "XML",
            DataFormat::Cms => "CMS",
            DataFormat::Raw => "raw",
        };
        let stamped = match self {
            Task::Sign {
                timestamp: Some(host),
                ..
            }
            | Task::SignHashes {
                timestamp: Some(host),
                ..
            } => Some(host),
            _ => None,
        };
        match self {
            Task::Login => f.write_str("log in"),
            Task::ChangePassword => f.write_str("change your password on this site"),
            Task::Register => f.write_str("register"),
            Task::ShowCertificate => f.write_str("show your certificate's details"),
            Task::Timestamp { tsa } => write!(f, "timestamp your signature at {tsa}"),
            Task::Sign {
                count: 1,
                bytes,
                format,
                ..
            } => write!(f, "sign a document, {bytes} bytes ({})", kind(format)),
            Task::Sign {
                count,
                bytes,
                format,
                ..
            } => write!(
                f,
                "sign {count} documents, {bytes} bytes ({})",
                kind(format)
            ),
            Task::SignHashes {
                count: 1, format, ..
            } => {
                write!(f, "sign a document's hash ({})", kind(format))
            }
            Task::SignHashes { count, format, .. } => {
                write!(f, "sign {count} documents' hashes ({})", kind(format))
            }
        }?;
        match stamped {
            Some(host) => write!(f, ", timestamped by {host}"),
            None => Ok(()),
        }
    }
}

/// A keystore as pages may see it: no path, only a display name and a date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeystoreInfo {
    pub name: String,
    /// RFC 3339, or null when the file system does not say.
    pub modified: Option<String>,
}

/// Builds the reply frame from the keystores found.
pub type ListFn = Box<dyn FnOnce(&[KeystoreInfo]) -> String + Send>;

/// A request for the list of keystores (after the origin is approved).
pub struct KeystoresJob {
    pub reply: ListFn,
    pub fail: FailFn,
}

/// A request as parsed: strings borrow from the frame, so a 67 MB base64 document is not
/// copied before it is decoded.
pub type Json<'a> = serde_json_borrow::Value<'a>;
/// A JSON object of a request (members in document order; the first of duplicates wins).
pub type JsonObject<'a> = serde_json_borrow::ObjectAsVec<'a>;

/// One message from a page: the request's JSON and, in a binary message, the document that
/// follows it after a zero byte (docs/PROTOCOL.md, "Binary documents"). Both are shared slices
/// of the message, so a large document can wait for the user's key without being copied.
#[derive(Debug, Clone)]
pub struct Frame {
    pub json: Utf8Bytes,
    pub document: Option<Bytes>,
}

impl Frame {
    /// A text message: JSON only.
    pub fn text(json: impl Into<Utf8Bytes>) -> Self {
        Frame {
            json: json.into(),
            document: None,
        }
    }

    /// A binary message: JSON, then optionally a zero byte (never part of JSON text) and the
    /// document's bytes. An error when the JSON is not UTF-8.
    pub fn binary(message: Bytes) -> Result<Self, std::str::Utf8Error> {
        let (json, document) = match memchr::memchr(0, &message) {
            Some(at) => (message.slice(..at), Some(message.slice(at + 1..))),
            None => (message, None),
        };
        Ok(Frame {
            json: Utf8Bytes::try_from(json)?,
            document,
        })
    }
}

/// Routes one message to the API it belongs to.
pub fn route(frame: &Frame, context: &Context) -> Outcome {
    let text = frame.json.as_str();
    if text == HEARTBEAT {
        return Outcome::Reply(HEARTBEAT.to_string());
    }
    let value: Json<'_> = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(_) if text.contains("\"jsonrpc\"") => return Outcome::Reply(native::parse_error()),
        Err(_) => return Outcome::Reply(ncalayer::invalid_json()),
    };
    let is_rpc = value
        .as_object()
        .is_some_and(|object| object.contains_key("jsonrpc"));
    if is_rpc {
        native::handle(&value, frame, context)
    } else if frame.document.is_some() {
        Outcome::Reply(ncalayer::common_error(
            "Binary documents are only for qoltanba.sign",
            None,
        ))
    } else {
        ncalayer::handle(&value, frame.json.as_ref(), context)
    }
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> String {
        let context = Context {
            origin: "https://egov.kz".into(),
            tsa: None,
        };
        match route(&Frame::text(text.to_string()), &context) {
            Outcome::Reply(reply) => reply,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn heartbeat_and_greeting_are_byte_exact() {
        assert_eq!(reply("--heartbeat--"), "--heartbeat--");
        assert_eq!(ncalayer::GREETING, r#"{"result":{"version":"1.4"}}"#);
    }

    #[test]
    fn signing_requests_become_key_jobs_with_their_filter() {
        let context = Context {
            origin: "https://egov.kz".into(),
            tsa: None,
        };
        let request = Frame::text(
            r#"{"module":"kz.gov.pki.knca.commonUtils","method":"createCAdESFromBase64","args":["PKCS12","AUTHENTICATION","AAAA",false]}"#,
        );
        match route(&request, &context) {
            Outcome::Key(job) => assert_eq!(job.filter.purpose, crate::cert::Purpose::Auth),
            other => panic!("expected a key job, got {other:?}"),
        }
        let failed = match route(&request, &context) {
            Outcome::Key(job) => (job.fail)(Failure::Cancelled),
            other => panic!("expected a key job, got {other:?}"),
        };
        assert_eq!(failed, r#"{"code":"500","message":"action.canceled"}"#);
    }

    #[test]
    fn a_timestamped_request_without_a_tsa_is_refused_before_any_prompt() {
        let context = Context {
            origin: "https://egov.kz".into(),
            tsa: None,
        };
        let request = Frame::text(
            r#"{"module":"kz.gov.pki.knca.commonUtils","method":"createCMSSignatureFromBase64","args":["PKCS12","SIGNATURE","AAAA",false]}"#,
        );
        match route(&request, &context) {
            Outcome::Reply(reply) => assert_eq!(
                reply,
                r#"{"code":"500","message":"TSA_UNAVAILABLE: no timestamp server is configured"}"#
            ),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }

    #[test]
    fn register_payload_is_rfc8785_canonical() {
        let payload = native::register_payload("Y2g", "ä\"@b.kz", "legal", "https://egov.kz");
        assert_eq!(
            payload.as_deref(),
            Some(
                r#"{"challenge":"Y2g","email":"ä\"@b.kz","entity":"legal","origin":"https://egov.kz"}"#
            )
        );
    }
}

#[cfg(test)]
mod task_tests {
    use super::*;

    #[test]
    fn an_xml_task_previews_its_first_document_cut_at_the_limit() {
        let big = "a".repeat(PREVIEW_LIMIT + 10);
        let Task::Sign {
            count,
            bytes,
            preview,
            ..
        } = Task::sign_xml(&[&big, "<b/>"])
        else {
            panic!("not a signing task");
        };
        assert_eq!((count, bytes), (2, PREVIEW_LIMIT + 14));
        assert_eq!(preview.map(|p| p.len()), Some(PREVIEW_LIMIT));
    }

    #[test]
    fn binary_data_has_no_preview_and_reads_as_plain_english() {
        let task = Task::sign_binary(DataFormat::Cms, &[5]);
        assert!(matches!(task, Task::Sign { preview: None, .. }));
        assert_eq!(task.to_string(), "sign a document, 5 bytes (CMS)");
    }
}
