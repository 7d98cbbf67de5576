//! Native API: JSON-RPC 2.0 whose login and register signatures are bound to the page's Origin.

use super::token::{self, Action, LOGIN_FORMAT, REGISTER_FORMAT};
use super::DataFormat;
use super::{
    encode_base64, Context, Document, Failure, Frame, Handler, Json, JsonObject, KeyFilter, KeyJob,
    KeystoresJob, Outcome, Signing, Task, Tsa,
};
use crate::cert::{Holder, Purpose};
use crate::keystore::Entry;
use crate::sign::xml::{self, XmlLayout};
use crate::sign::{sign_raw, EntrySigner, RawSigner, SignOptions};
use crate::Error;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Serialize;
use serde_json::Value;

/// Bumped when a method's parameters or results change incompatibly (2: labelled tokens).
pub const PROTOCOL: u32 = 2;
const FEATURES: &[&str] = &["login", "register", "sign", "keystores", "ncalayer"];
/// Why raw signing refuses data that begins like a token (see [`token`]).
const RESERVED_RAW: &str =
    "raw data must not begin with \"qoltanba-\": that prefix is reserved for login and registration tokens";
/// Portal challenges: at least 32 random bytes, at most 96.
const CHALLENGE_BYTES: std::ops::RangeInclusive<usize> = 32..=96;

/// The documented `error.data.reason` values, each with its JSON-RPC error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Cancelled,
    OriginDenied,
    WrongPassword,
    NoMatchingCertificate,
    CertificateExpired,
    UnsupportedKey,
    BadRequest,
    Busy,
    Timeout,
    /// A timestamp was asked for and the TSA could not give a valid one.
    TimestampFailed,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Cancelled => "cancelled",
            Reason::OriginDenied => "origin_denied",
            Reason::WrongPassword => "wrong_password",
            Reason::NoMatchingCertificate => "no_matching_certificate",
            Reason::CertificateExpired => "certificate_expired",
            Reason::UnsupportedKey => "unsupported_key",
            Reason::BadRequest => "bad_request",
            Reason::Busy => "busy",
            Reason::Timeout => "timeout",
            Reason::TimestampFailed => "timestamp_failed",
        }
    }

    fn code(self) -> i64 {
        match self {
            Reason::Cancelled => -32001,
            Reason::OriginDenied => -32002,
            Reason::WrongPassword => -32003,
            Reason::NoMatchingCertificate => -32004,
            Reason::CertificateExpired => -32005,
            Reason::UnsupportedKey => -32006,
            Reason::Busy => -32007,
            Reason::Timeout => -32008,
            Reason::TimestampFailed => -32009,
            Reason::BadRequest => INVALID_PARAMS,
        }
    }
}

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

#[derive(Serialize)]
struct RpcResult<'a, T: Serialize> {
    jsonrpc: &'static str,
    id: &'a Value,
    result: T,
}

#[derive(Serialize)]
struct RpcError<'a> {
    jsonrpc: &'static str,
    id: &'a Value,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: i64,
    message: &'a str,
    data: ErrorData,
}

#[derive(Serialize)]
struct ErrorData {
    reason: &'static str,
}

/// `{"jsonrpc":"2.0","id":...,"result":...}`.
pub fn result<T: Serialize>(id: &Value, result: T) -> String {
    serde_json::to_string(&RpcResult {
        jsonrpc: "2.0",
        id,
        result,
    })
    .unwrap_or_else(|_| error(id, Reason::BadRequest, "result could not be encoded"))
}

/// A JSON-RPC error whose code follows from the reason.
pub fn error(id: &Value, reason: Reason, message: &str) -> String {
    error_with_code(id, reason.code(), reason, message)
}

fn error_with_code(id: &Value, code: i64, reason: Reason, message: &str) -> String {
    let body = RpcError {
        jsonrpc: "2.0",
        id,
        error: ErrorBody {
            code,
            message,
            data: ErrorData {
                reason: reason.as_str(),
            },
        },
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// The frame looked like JSON-RPC but was not JSON.
pub fn parse_error() -> String {
    error_with_code(&Value::Null, PARSE_ERROR, Reason::BadRequest, "Parse error")
}

fn bad_params(id: &Value, message: &str) -> Outcome {
    Outcome::Reply(error(id, Reason::BadRequest, message))
}

/// The native reply for each way a job can end without a key.
pub fn failure_reason(failure: &Failure) -> (Reason, &'static str) {
    match failure {
        Failure::Cancelled => (Reason::Cancelled, "The user cancelled"),
        Failure::OriginDenied => (
            Reason::OriginDenied,
            "This site is not allowed to use signing keys",
        ),
        Failure::NoMatchingCertificate => (
            Reason::NoMatchingCertificate,
            "No certificate matches the request",
        ),
        Failure::WrongPassword => (Reason::WrongPassword, "Wrong keystore password"),
        Failure::Timeout => (Reason::Timeout, "The user did not answer in time"),
        Failure::Busy => (Reason::Busy, "Too many requests are waiting"),
    }
}

/// The native reason for a core error met while signing.
pub fn core_reason(e: &Error) -> Reason {
    match e {
        Error::WrongPassword => Reason::WrongPassword,
        Error::CertificateExpired(_) | Error::CertificateNotYetValid(_) => {
            Reason::CertificateExpired
        }
        Error::UnsupportedKeyAlgorithm(_) | Error::NoPrivateKey => Reason::UnsupportedKey,
        Error::Timestamp(_) => Reason::TimestampFailed,
        _ => Reason::BadRequest,
    }
}

/// One decoded JSON-RPC call.
pub struct Call<'a> {
    pub id: Value,
    pub params: &'a JsonObject<'a>,
    pub origin: &'a str,
    /// The message the request came in, which large documents stay in until they are signed.
    pub frame: &'a Frame,
    /// The service's TSA, for `timestamp: true`.
    pub tsa: Option<&'a Tsa>,
}

type NativeHandler = dyn for<'a> Handler<Call<'a>>;

fn handlers() -> [(&'static str, &'static NativeHandler); 5] {
    [
        ("qoltanba.version", &version),
        ("qoltanba.login", &login),
        ("qoltanba.register", &register),
        ("qoltanba.sign", &sign),
        ("qoltanba.keystores", &keystores),
    ]
}

/// Routes a decoded JSON-RPC 2.0 request.
pub fn handle(request: &Json<'_>, frame: &Frame, context: &Context) -> Outcome {
    let null = Value::Null;
    let Some(object) = request.as_object() else {
        return Outcome::Reply(error_with_code(
            &null,
            INVALID_REQUEST,
            Reason::BadRequest,
            "Invalid Request",
        ));
    };
    let id = match object.get("id") {
        None => return Outcome::Silent,
        Some(id @ (Json::Str(_) | Json::Number(_) | Json::Null)) => Value::from(id),
        Some(_) => {
            return Outcome::Reply(error_with_code(
                &null,
                INVALID_REQUEST,
                Reason::BadRequest,
                "Invalid Request: id",
            ))
        }
    };
    let invalid = |what: &str| {
        Outcome::Reply(error_with_code(
            &id,
            INVALID_REQUEST,
            Reason::BadRequest,
            what,
        ))
    };
    if object.get("jsonrpc").and_then(Json::as_str) != Some("2.0") {
        return invalid("Invalid Request: jsonrpc must be \"2.0\"");
    }
    let Some(method) = object.get("method").and_then(Json::as_str) else {
        return invalid("Invalid Request: method must be a string");
    };
    let empty = JsonObject::default();
    let params = match object.get("params") {
        None | Some(Json::Null) => &empty,
        Some(Json::Object(params)) => params,
        Some(_) => return bad_params(&id, "params must be an object"),
    };
    if frame.document.is_some() && method != "qoltanba.sign" {
        return bad_params(&id, "only qoltanba.sign takes a binary document");
    }
    match handlers().into_iter().find(|(name, _)| *name == method) {
        Some((_, handler)) => handler.handle(Call {
            id,
            params,
            origin: &context.origin,
            frame,
            tsa: context.tsa.as_ref(),
        }),
        None => Outcome::Reply(error_with_code(
            &id,
            METHOD_NOT_FOUND,
            Reason::BadRequest,
            "Method not found",
        )),
    }
}

impl Call<'_> {
    fn string(&self, name: &str) -> Result<&str, Outcome> {
        match self.params.get(name) {
            Some(Json::Str(s)) => Ok(s),
            _ => Err(bad_params(&self.id, &format!("{name} must be a string"))),
        }
    }

    /// The portal's challenge: base64url (padding optional) of 32 to 96 bytes.
    fn challenge(&self) -> Result<(String, Vec<u8>), Outcome> {
        let text = self.string("challenge")?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .or_else(|_| URL_SAFE.decode(text))
            .map_err(|_| bad_params(&self.id, "challenge must be base64url"))?;
        if !CHALLENGE_BYTES.contains(&bytes.len()) {
            return Err(bad_params(&self.id, "challenge must be 32 to 96 bytes"));
        }
        Ok((text.to_string(), bytes))
    }

    /// A job whose result (or core error) becomes this call's reply.
    fn key_job<T: Serialize + 'static>(
        &self,
        filter: KeyFilter,
        task: Task,
        sign: impl FnOnce(&Entry, Signing) -> Result<T, Error> + Send + 'static,
    ) -> Outcome {
        let id = self.id.clone();
        let fail_id = self.id.clone();
        Outcome::Key(Box::new(KeyJob {
            filter,
            task,
            sign: Box::new(move |entry, signing| match sign(entry, signing) {
                Ok(value) => result(&id, value),
                Err(e) => error(&id, core_reason(&e), &e.to_string()),
            }),
            fail: Box::new(move |failure| {
                let (reason, message) = failure_reason(&failure);
                error(&fail_id, reason, message)
            }),
        }))
    }
}

fn signer(entry: &Entry, signing: Signing) -> Result<EntrySigner<'_>, Error> {
    EntrySigner::new(
        entry,
        SignOptions {
            now: signing.now,
            allow_expired: false,
        },
    )
}

#[derive(Serialize)]
struct Version {
    version: &'static str,
    protocol: u32,
    features: &'static [&'static str],
}

fn version(call: Call<'_>) -> Outcome {
    Outcome::Reply(result(
        &call.id,
        Version {
            version: env!("CARGO_PKG_VERSION"),
            protocol: PROTOCOL,
            features: FEATURES,
        },
    ))
}

#[derive(Serialize)]
struct LoginResult {
    format: &'static str,
    action: &'static str,
    algorithm: &'static str,
    certificate: String,
    signature: String,
}

fn login(call: Call<'_>) -> Outcome {
    let prepared = (|| {
        let (_, challenge) = call.challenge()?;
        let action = match call.params.get("action") {
            None | Some(Json::Null) => Action::Login,
            Some(Json::Str(name)) => Action::parse(name).ok_or_else(|| {
                bad_params(&call.id, "action must be \"login\" or \"change-password\"")
            })?,
            Some(_) => return Err(bad_params(&call.id, "action must be a string")),
        };
        Ok((challenge, action))
    })();
    let (challenge, action) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let message = token::login_message(action, call.origin, &challenge);
    let task = match action {
        Action::Login => Task::Login,
        Action::ChangePassword => Task::ChangePassword,
    };
    call.key_job(
        KeyFilter::for_purpose(Purpose::Auth),
        task,
        move |entry, signing| {
            let signer = signer(entry, signing)?;
            let signature = sign_raw(&signer, &message)?;
            Ok(LoginResult {
                format: LOGIN_FORMAT,
                action: action.as_str(),
                algorithm: signer.algorithm().token_name(),
                certificate: encode_base64(&entry.certificate.der),
                signature: URL_SAFE_NO_PAD.encode(signature),
            })
        },
    )
}

#[derive(Serialize)]
struct RegisterPayload<'a> {
    challenge: &'a str,
    email: &'a str,
    entity: &'a str,
    origin: &'a str,
}

#[derive(Serialize)]
struct RegisterResult {
    format: &'static str,
    algorithm: &'static str,
    certificate: String,
    payload: String,
    signature: String,
}

/// The RFC 8785 canonical JSON a registration signs.
pub fn register_payload(
    challenge: &str,
    email: &str,
    entity: &str,
    origin: &str,
) -> Option<String> {
    serde_jcs::to_string(&RegisterPayload {
        challenge,
        email,
        entity,
        origin,
    })
    .ok()
}

fn register(call: Call<'_>) -> Outcome {
    let prepared = (|| {
        let (challenge, _) = call.challenge()?;
        let email = call.string("email")?;
        if email.len() > 254 || !email.contains('@') {
            return Err(bad_params(&call.id, "email must be an e-mail address"));
        }
        let holder = match call.string("entity")? {
            "individual" => Holder::Individual,
            "legal" => Holder::LegalEntity,
            _ => {
                return Err(bad_params(
                    &call.id,
                    "entity must be \"individual\" or \"legal\"",
                ))
            }
        };
        let entity = call.string("entity")?;
        let payload = register_payload(&challenge, email, entity, call.origin)
            .ok_or_else(|| bad_params(&call.id, "payload could not be encoded"))?;
        Ok((holder, payload))
    })();
    let (holder, payload) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let mut filter = KeyFilter::for_purpose(Purpose::Sign);
    filter.holder = Some(holder);
    call.key_job(filter, Task::Register, move |entry, signing| {
        let signer = signer(entry, signing)?;
        let signature = sign_raw(&signer, &token::register_message(&payload))?;
        Ok(RegisterResult {
            format: REGISTER_FORMAT,
            algorithm: signer.algorithm().token_name(),
            certificate: encode_base64(&entry.certificate.der),
            payload,
            signature: URL_SAFE_NO_PAD.encode(signature),
        })
    })
}

#[derive(Serialize)]
struct SignResult {
    format: &'static str,
    signature: String,
    certificate: String,
}

#[derive(Clone, Copy)]
enum SignFormat {
    Cms,
    Xml,
    Raw,
}

/// What `qoltanba.sign` signs: XML text as sent, or a document still in its message.
enum SignData {
    Xml(String),
    Binary(Document),
}

fn sign(call: Call<'_>) -> Outcome {
    let prepared = (|| {
        let format = match call.string("format")? {
            "cms" => SignFormat::Cms,
            "xml" => SignFormat::Xml,
            "raw" => SignFormat::Raw,
            _ => return Err(bad_params(&call.id, "format must be cms, xml or raw")),
        };
        let purpose = match call.params.get("purpose") {
            None | Some(Json::Null) => Purpose::Sign,
            Some(Json::Str(p)) if p == "sign" => Purpose::Sign,
            Some(Json::Str(p)) if p == "auth" => Purpose::Auth,
            Some(_) => return Err(bad_params(&call.id, "purpose must be auth or sign")),
        };
        let detached = match call.params.get("detached") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(bad_params(&call.id, "detached must be a boolean")),
        };
        let timestamp = match call.params.get("timestamp") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(bad_params(&call.id, "timestamp must be a boolean")),
        };
        let tsa = match (timestamp, format, call.tsa) {
            (false, _, _) => None,
            (true, SignFormat::Cms, Some(tsa)) => Some(tsa.clone()),
            (true, SignFormat::Cms, None) => {
                return Err(Outcome::Reply(error(
                    &call.id,
                    Reason::TimestampFailed,
                    "No timestamp server is configured",
                )))
            }
            (true, _, _) => return Err(bad_params(&call.id, "timestamp is only for format cms")),
        };
        let in_params = !matches!(call.params.get("data"), None | Some(Json::Null));
        let data = match (format, &call.frame.document) {
            (_, Some(_)) if in_params => {
                return Err(bad_params(
                    &call.id,
                    "data is given twice: in params and as a binary document",
                ))
            }
            (SignFormat::Xml, Some(_)) => {
                return Err(bad_params(&call.id, "xml data must be text in params.data"))
            }
            (_, Some(bytes)) => SignData::Binary(Document::raw(bytes.clone())),
            (SignFormat::Xml, None) => {
                let text = call.string("data")?;
                xml::reference_digest(text)
                    .map_err(|e| bad_params(&call.id, &format!("data: {e}")))?;
                SignData::Xml(text.to_string())
            }
            (SignFormat::Cms | SignFormat::Raw, None) => SignData::Binary(
                Document::base64(call.frame.json.as_ref(), call.string("data")?)
                    .ok_or_else(|| bad_params(&call.id, "data must be base64"))?,
            ),
        };
        Ok((format, purpose, detached, data, tsa))
    })();
    let (format, purpose, detached, data, tsa) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    if let (SignFormat::Raw, SignData::Binary(document)) = (format, &data) {
        if document.starts_with(token::RESERVED_PREFIX) {
            return bad_params(&call.id, RESERVED_RAW);
        }
    }
    let task = match (&data, format) {
        (SignData::Xml(text), _) => Task::sign_xml(&[text]),
        (SignData::Binary(document), SignFormat::Raw) => {
            Task::sign_binary(DataFormat::Raw, &[document.len()])
        }
        (SignData::Binary(document), _) => Task::sign_binary(DataFormat::Cms, &[document.len()]),
    };
    let task = match &tsa {
        Some(tsa) => task.timestamped_by(&tsa.settings),
        None => task,
    };
    call.key_job(
        KeyFilter::for_purpose(purpose),
        task,
        move |entry, signing| {
            let signer = signer(entry, signing)?;
            let failed = |e: &dyn std::fmt::Display| Error::Signing(e.to_string());
            let (name, signature) = match (data, format) {
                (SignData::Xml(text), _) => {
                    let signed = xml::sign_enveloped(&text, &signer, XmlLayout::Compact)
                        .map_err(|e| failed(&e))?;
                    ("xml", signed)
                }
                (SignData::Binary(document), SignFormat::Raw) => {
                    let data = document.bytes().map_err(|e| failed(&e))?;
                    // Checked before the prompt too; this keeps the promise if that ever moves.
                    if token::is_reserved(&data) {
                        return Err(Error::Signing(RESERVED_RAW.into()));
                    }
                    ("raw", encode_base64(&sign_raw(&signer, &data)?))
                }
                (SignData::Binary(document), _) => {
                    let der = document
                        .sign_cms(&signer, detached, signing.system_time)
                        .map_err(|e| failed(&e))?;
                    let der = match &tsa {
                        Some(tsa) => tsa
                            .stamp(&der)
                            .map_err(|e| Error::Timestamp(e.to_string()))?,
                        None => der,
                    };
                    ("cms", encode_base64(&der))
                }
            };
            Ok(SignResult {
                format: name,
                signature,
                certificate: encode_base64(&entry.certificate.der),
            })
        },
    )
}

fn keystores(call: Call<'_>) -> Outcome {
    let id = call.id.clone();
    let fail_id = call.id;
    Outcome::Keystores(KeystoresJob {
        reply: Box::new(move |list| result(&id, list)),
        fail: Box::new(move |failure| {
            let (reason, message) = failure_reason(&failure);
            error(&fail_id, reason, message)
        }),
    })
}
