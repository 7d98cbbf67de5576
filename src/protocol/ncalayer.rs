//! NCALayer-compatible API: the greeting, commonUtils and basics, replies shaped as NCALayer's.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::DataFormat;
use super::{
    decode_base64, encode_base64, Context, Document, Failure, Handler, Json, JsonObject, KeyFilter,
    KeyJob, Outcome, Signing, Task, Tsa,
};
use crate::cert::Purpose;
use crate::keystore::Entry;
use crate::sign::xml::{self, XmlLayout};
use crate::sign::{cms, EntrySigner, SignOptions, SignatureAlgorithm};

/// Sent as the first frame of every connection; pages check it byte for byte.
pub const GREETING: &str = r#"{"result":{"version":"1.4"}}"#;
pub const COMMON_UTILS: &str = "kz.gov.pki.knca.commonUtils";
pub const BASICS: &str = "kz.gov.pki.knca.basics";
/// The message pages look for when the user closed the dialog.
pub const CANCELED: &str = "action.canceled";
/// The only storage Qoltanba opens; hardware tokens are never listed.
const PKCS12: &str = "PKCS12";
const LOCALES: &[&str] = &["kk", "kz", "ru", "en"];
/// The error code a page gets when the timestamp it asked for could not be had.
pub const TSA_UNAVAILABLE: &str = "TSA_UNAVAILABLE";

#[derive(Serialize)]
struct CommonReply {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(rename = "responseObject", skip_serializing_if = "Option::is_none")]
    response_object: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<Value>,
}

/// `{"code":"200","responseObject":...}`, with the request's uuid echoed.
pub fn common_ok(response_object: Option<Value>, uuid: Option<Value>) -> String {
    to_json(&CommonReply {
        code: "200",
        message: None,
        response_object,
        uuid,
    })
}

/// `{"code":"500","message":...}`, with the request's uuid echoed.
pub fn common_error(message: impl Into<String>, uuid: Option<Value>) -> String {
    to_json(&CommonReply {
        code: "500",
        message: Some(message.into()),
        response_object: None,
        uuid,
    })
}

/// What NCALayer's reflection dispatcher says when an argument has the wrong JSON type.
pub fn type_mismatch(method: &str, uuid: Option<Value>) -> String {
    common_error(
        format!("java.lang.IllegalArgumentException: argument type mismatch. Method: {method}"),
        uuid,
    )
}

/// No method of that name takes that many arguments.
pub fn method_not_found(method: &str, uuid: Option<Value>) -> String {
    common_error(format!("Method not found: {method}"), uuid)
}

/// The frame was not JSON at all.
pub fn invalid_json() -> String {
    common_error("Invalid JSON", None)
}

/// Unknown (or missing) module, including the kz.digiflow probe.
pub fn module_not_found() -> String {
    r#"{"success":false,"errorCode":"MODULE_NOT_FOUND"}"#.to_string()
}

#[derive(Serialize)]
struct BasicsOk<'a, T: Serialize> {
    status: bool,
    body: BasicsBody<'a, T>,
}

#[derive(Serialize)]
struct BasicsBody<'a, T: Serialize> {
    result: &'a T,
}

#[derive(Serialize)]
struct BasicsError<'a> {
    status: bool,
    code: &'a str,
    message: &'a str,
    details: &'a str,
}

/// `{"status":true,"body":{"result":...}}`.
pub fn basics_ok<T: Serialize>(result: &T) -> String {
    to_json(&BasicsOk {
        status: true,
        body: BasicsBody { result },
    })
}

/// The user closed the dialog: `{"status":true,"body":{}}`.
pub fn basics_canceled() -> String {
    r#"{"status":true,"body":{}}"#.to_string()
}

/// `{"status":false,"code":...,"message":...,"details":...}`.
pub fn basics_error(code: &str, message: &str, details: &str) -> String {
    to_json(&BasicsError {
        status: false,
        code,
        message,
        details,
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail; an empty object is a safe fallback.
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string())
}

/// Routes a decoded NCALayer request (`{"module","method","args","uuid"}`).
pub fn handle(request: &Json<'_>, frame: &Bytes, context: &Context) -> Outcome {
    let Some(object) = request.as_object() else {
        return Outcome::Reply(common_error("Invalid request", None));
    };
    match object.get("module").and_then(Json::as_str) {
        Some(COMMON_UTILS) => common_utils(object, frame, context.tsa.as_ref()),
        Some(BASICS) => basics(object, frame, context.tsa.as_ref()),
        _ => Outcome::Reply(module_not_found()),
    }
}

/// One commonUtils call: its positional arguments and the uuid to echo.
pub struct CommonCall<'a> {
    pub method: &'static str,
    pub args: &'a [Json<'a>],
    pub uuid: Option<Value>,
    /// The frame the request came in, which large documents stay in until they are signed.
    pub frame: &'a Bytes,
    /// The service's TSA, for the methods that timestamp.
    pub tsa: Option<&'a Tsa>,
}

type CommonHandler = dyn for<'a> Handler<CommonCall<'a>>;

/// commonUtils methods by name and argument count, as NCALayer overloads them.
fn common_handlers() -> [(&'static str, usize, &'static CommonHandler); 9] {
    [
        ("getActiveTokens", 0, &get_active_tokens),
        ("getKeyInfo", 1, &get_key_info),
        ("signXml", 5, &sign_xml),
        ("signXmls", 5, &sign_xmls),
        ("createCMSSignatureFromBase64", 4, &create_cms_timestamped),
        ("createCAdESFromBase64", 4, &create_cades),
        ("createCAdESFromBase64Hash", 3, &create_cades_from_hash),
        ("applyCAdEST", 3, &apply_cades_t),
        ("changeLocale", 1, &change_locale),
    ]
}

fn common_utils(request: &JsonObject<'_>, frame: &Bytes, tsa: Option<&Tsa>) -> Outcome {
    let uuid = request.get("uuid").map(Value::from);
    let name = match request.get("method") {
        Some(Json::Str(name)) => name.as_ref(),
        Some(other) => return Outcome::Reply(method_not_found(&other.to_string(), uuid)),
        None => return Outcome::Reply(method_not_found("null", uuid)),
    };
    let args: &[Json<'_>] = match request.get("args") {
        None | Some(Json::Null) => &[],
        Some(Json::Array(args)) => args,
        Some(_) => return Outcome::Reply(type_mismatch(name, uuid)),
    };
    let found = common_handlers()
        .into_iter()
        .find(|(method, count, _)| *method == name && *count == args.len());
    match found {
        Some((method, _, handler)) => handler.handle(CommonCall {
            method,
            args,
            uuid,
            frame,
            tsa,
        }),
        None => Outcome::Reply(method_not_found(name, uuid)),
    }
}

impl CommonCall<'_> {
    fn string(&self, index: usize) -> Result<&str, Outcome> {
        match self.args.get(index) {
            Some(Json::Str(s)) => Ok(s),
            _ => Err(self.mismatch()),
        }
    }

    fn boolean(&self, index: usize) -> Result<bool, Outcome> {
        match self.args.get(index) {
            Some(Json::Bool(b)) => Ok(*b),
            _ => Err(self.mismatch()),
        }
    }

    fn mismatch(&self) -> Outcome {
        Outcome::Reply(type_mismatch(self.method, self.uuid.clone()))
    }

    fn error(&self, message: impl Into<String>) -> Outcome {
        Outcome::Reply(common_error(message, self.uuid.clone()))
    }

    /// Checks the storage argument: only PKCS12 files are opened.
    fn storage(&self) -> Result<(), Outcome> {
        let storage = self.string(0)?;
        if storage.eq_ignore_ascii_case(PKCS12) {
            Ok(())
        } else {
            Err(self.error(format!("Storage not supported: {storage}")))
        }
    }

    /// A job whose failures are answered the commonUtils way.
    fn key_job(
        &self,
        filter: KeyFilter,
        task: Task,
        sign: impl FnOnce(&Entry, Signing) -> Result<Value, String> + Send + 'static,
    ) -> Outcome {
        let uuid = self.uuid.clone();
        let uuid_for_fail = self.uuid.clone();
        Outcome::Key(Box::new(KeyJob {
            filter,
            task,
            sign: Box::new(move |entry, signing| match sign(entry, signing) {
                Ok(value) => common_ok(Some(value), uuid),
                Err(message) => common_error(message, uuid),
            }),
            fail: Box::new(move |failure| common_error(failure_message(&failure), uuid_for_fail)),
        }))
    }
}

/// The commonUtils message for each way a job can end without a key.
pub fn failure_message(failure: &Failure) -> &'static str {
    match failure {
        Failure::Cancelled | Failure::Timeout => CANCELED,
        Failure::OriginDenied => "origin.denied",
        Failure::NoMatchingCertificate => "certificate.not.found",
        Failure::WrongPassword => "password.wrong",
        Failure::Busy => "service.busy",
    }
}

fn key_type_purpose(key_type: &str) -> Purpose {
    match key_type {
        "AUTHENTICATION" => Purpose::Auth,
        "SIGNATURE" => Purpose::Sign,
        _ => Purpose::Unknown,
    }
}

fn get_active_tokens(call: CommonCall<'_>) -> Outcome {
    Outcome::Reply(common_ok(Some(Value::Array(Vec::new())), call.uuid))
}

/// The fields of getKeyInfo, in NCALayer's order; dates are epoch milliseconds as strings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyInfo {
    alias: String,
    key_id: String,
    algorithm: &'static str,
    subject_cn: String,
    subject_dn: String,
    issuer_cn: String,
    issuer_dn: String,
    serial_number: String,
    cert_not_before: String,
    cert_not_after: String,
    authority_key_identifier: String,
    pem: String,
}

fn epoch_millis(t: time::OffsetDateTime) -> String {
    (t.unix_timestamp_nanos() / 1_000_000).to_string()
}

fn get_key_info(call: CommonCall<'_>) -> Outcome {
    if let Err(reply) = call.storage() {
        return reply;
    }
    let mut filter = KeyFilter::for_purpose(Purpose::Unknown);
    filter.allow_expired = true;
    call.key_job(filter, Task::ShowCertificate, |entry, _| {
        let info = &entry.certificate.info;
        let key_info = KeyInfo {
            alias: entry.alias.clone().unwrap_or_default(),
            key_id: info.subject_key_id.clone().unwrap_or_default(),
            algorithm: info.algorithm.code(),
            subject_cn: info.subject_cn.clone().unwrap_or_default(),
            subject_dn: info.subject.clone(),
            issuer_cn: info.issuer_cn.clone().unwrap_or_default(),
            issuer_dn: info.issuer.clone(),
            serial_number: info.serial.clone(),
            cert_not_before: epoch_millis(info.not_before),
            cert_not_after: epoch_millis(info.not_after),
            authority_key_identifier: info.authority_key_id.clone().unwrap_or_default(),
            pem: entry.certificate.to_pem(),
        };
        serde_json::to_value(key_info).map_err(|e| e.to_string())
    })
}

/// Checks that `xml` is a document we can sign, before the user is asked anything.
fn check_xml(xml: &str) -> Result<(), String> {
    xml::reference_digest(xml)
        .map(|_| ())
        .map_err(|e| format!("Invalid XML: {e}"))
}

/// The chosen entry, cleared for signing at the job's time.
fn entry_signer(
    entry: &Entry,
    signing: Signing,
    allow_expired: bool,
) -> Result<EntrySigner<'_>, String> {
    let options = SignOptions {
        now: signing.now,
        allow_expired,
    };
    EntrySigner::new(entry, options).map_err(|e| e.to_string())
}

fn sign_xml_with(
    entry: &Entry,
    signing: Signing,
    xml: &str,
    layout: XmlLayout,
    allow_expired: bool,
) -> Result<String, String> {
    let signer = entry_signer(entry, signing, allow_expired)?;
    xml::sign_enveloped(xml, &signer, layout).map_err(|e| e.to_string())
}

/// tbsXPath and parentXPath: only the whole document (empty paths) is supported.
fn check_xpaths(call: &CommonCall<'_>) -> Result<(), Outcome> {
    let tbs = call.string(3)?;
    let parent = call.string(4)?;
    if tbs.is_empty() && parent.is_empty() {
        Ok(())
    } else {
        Err(call.error("XPath selection is not supported: sign the whole document"))
    }
}

fn sign_xml(call: CommonCall<'_>) -> Outcome {
    let prepared = (|| {
        call.storage()?;
        let purpose = key_type_purpose(call.string(1)?);
        let xml = call.string(2)?.to_string();
        check_xpaths(&call)?;
        check_xml(&xml).map_err(|m| call.error(m))?;
        Ok::<_, Outcome>((purpose, xml))
    })();
    let (purpose, document) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    call.key_job(
        KeyFilter::for_purpose(purpose),
        Task::sign_xml(&[&document]),
        move |entry, signing| {
            sign_xml_with(entry, signing, &document, XmlLayout::Wrapped, false).map(Value::String)
        },
    )
}

fn sign_xmls(call: CommonCall<'_>) -> Outcome {
    let prepared = (|| {
        call.storage()?;
        let purpose = key_type_purpose(call.string(1)?);
        let Some(Json::Array(items)) = call.args.get(2) else {
            return Err(call.mismatch());
        };
        let mut documents = Vec::with_capacity(items.len());
        for item in items {
            let Json::Str(document) = item else {
                return Err(call.mismatch());
            };
            check_xml(document).map_err(|m| call.error(m))?;
            documents.push(document.to_string());
        }
        check_xpaths(&call)?;
        if documents.is_empty() {
            return Err(call.error("No XML documents to sign"));
        }
        Ok((purpose, documents))
    })();
    let (purpose, documents) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let task = Task::sign_xml(&documents.iter().map(String::as_str).collect::<Vec<_>>());
    call.key_job(
        KeyFilter::for_purpose(purpose),
        task,
        move |entry, signing| {
            documents
                .iter()
                .map(|d| {
                    sign_xml_with(entry, signing, d, XmlLayout::Wrapped, false).map(Value::String)
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        },
    )
}

/// CMS SignedData over `document`, as DER.
fn cms_with(
    entry: &Entry,
    signing: Signing,
    document: &Document,
    detached: bool,
    allow_expired: bool,
) -> Result<Vec<u8>, String> {
    let signer = entry_signer(entry, signing, allow_expired)?;
    document
        .sign_cms(&signer, detached, signing.system_time)
        .map_err(|e| e.to_string())
}

/// Detached CMS SignedData over a precomputed `hash`, as DER.
fn cms_digest_with(
    entry: &Entry,
    signing: Signing,
    hash: &[u8],
    allow_expired: bool,
) -> Result<Vec<u8>, String> {
    let signer = entry_signer(entry, signing, allow_expired)?;
    cms::sign_cms_digest(&signer, hash, signing.system_time).map_err(|e| e.to_string())
}

/// Refuses, before any prompt, a hash that no supported key could sign.
fn check_hash_length(hash: &[u8]) -> Result<(), String> {
    let algorithms = [SignatureAlgorithm::RsaSha256, SignatureAlgorithm::Gost2015];
    if algorithms.iter().any(|a| a.digest_len() == hash.len()) {
        return Ok(());
    }
    let expected = algorithms
        .iter()
        .map(|a| format!("{} for {}", a.digest_len(), a.hash_name()))
        .collect::<Vec<_>>()
        .join(" or ");
    Err(format!(
        "Invalid hash length: {} bytes (expected {expected})",
        hash.len()
    ))
}

/// NCALayer's createCMSSignatureFromBase64 always timestamps (CAdES-T).
fn create_cms_timestamped(call: CommonCall<'_>) -> Outcome {
    match call.tsa.cloned() {
        Some(tsa) => create_cms(call, Some(tsa)),
        None => call.error(format!(
            "{TSA_UNAVAILABLE}: no timestamp server is configured"
        )),
    }
}

/// createCAdESFromBase64 never timestamps (CAdES-BES).
fn create_cades(call: CommonCall<'_>) -> Outcome {
    create_cms(call, None)
}

/// Adds the signature timestamp when `tsa` is given; its failure is the reply, never a
/// signature without the timestamp.
pub(super) fn timestamped(der: Vec<u8>, tsa: Option<&Tsa>) -> Result<Vec<u8>, String> {
    match tsa {
        None => Ok(der),
        Some(tsa) => tsa.stamp(&der).map_err(|e| e.to_string()),
    }
}

fn create_cms(call: CommonCall<'_>, tsa: Option<Tsa>) -> Outcome {
    let prepared = (|| {
        call.storage()?;
        let purpose = key_type_purpose(call.string(1)?);
        let data = call.string(2)?;
        let attached = call.boolean(3)?;
        let data =
            Document::base64(call.frame, data).ok_or_else(|| call.error("Invalid base64 data"))?;
        Ok::<_, Outcome>((purpose, data, attached))
    })();
    let (purpose, data, attached) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let mut task = Task::sign_binary(DataFormat::Cms, &[data.len()]);
    if let Some(tsa) = &tsa {
        task = task.timestamped_by(&tsa.settings);
    }
    call.key_job(
        KeyFilter::for_purpose(purpose),
        task,
        move |entry, signing| {
            let der = cms_with(entry, signing, &data, !attached, false)?;
            timestamped(der, tsa.as_ref())
                .map(|der| Value::String(encode_base64(&der)))
                .map_err(|e| format!("{TSA_UNAVAILABLE}: {e}"))
        },
    )
}

fn create_cades_from_hash(call: CommonCall<'_>) -> Outcome {
    let prepared = (|| {
        call.storage()?;
        let purpose = key_type_purpose(call.string(1)?);
        let hash = call.string(2)?;
        let hash = decode_base64(hash).ok_or_else(|| call.error("Invalid base64 data"))?;
        check_hash_length(&hash).map_err(|m| call.error(m))?;
        Ok::<_, Outcome>((purpose, hash))
    })();
    let (purpose, hash) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    call.key_job(
        KeyFilter::for_purpose(purpose),
        Task::sign_hashes(DataFormat::Cms, 1),
        move |entry, signing| {
            cms_digest_with(entry, signing, &hash, false)
                .map(|der| Value::String(encode_base64(&der)))
        },
    )
}

/// NCALayer's applyCAdEST(storage, keyType, cms): a signature timestamp added to an existing
/// one-signer CMS. The user confirms with the key that made the signature, so a page cannot
/// use the service to stamp signatures that are not the user's.
fn apply_cades_t(call: CommonCall<'_>) -> Outcome {
    let prepared = (|| {
        call.storage()?;
        let purpose = key_type_purpose(call.string(1)?);
        let cms =
            decode_base64(call.string(2)?).ok_or_else(|| call.error("Invalid base64 data"))?;
        let signer = crate::timestamp::cades::signer_certificate(&cms)
            .map_err(|e| call.error(format!("Invalid CMS: {e}")))?;
        let tsa = call.tsa.cloned().ok_or_else(|| {
            call.error(format!(
                "{TSA_UNAVAILABLE}: no timestamp server is configured"
            ))
        })?;
        Ok::<_, Outcome>((purpose, cms, signer, tsa))
    })();
    let (purpose, cms, signer, tsa) = match prepared {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let mut filter = KeyFilter::for_purpose(purpose);
    filter.allow_expired = true;
    let task = Task::Timestamp {
        tsa: tsa.settings.host().to_string(),
    };
    call.key_job(filter, task, move |entry, _| {
        if entry.certificate.der != signer {
            return Err("The chosen key did not make this signature".to_string());
        }
        tsa.stamp(&cms)
            .map(|der| Value::String(encode_base64(&der)))
            .map_err(|e| format!("{TSA_UNAVAILABLE}: {e}"))
    })
}

fn change_locale(call: CommonCall<'_>) -> Outcome {
    match call.string(0) {
        Err(reply) => reply,
        Ok(locale) if LOCALES.contains(&locale) => Outcome::Locale {
            // NCALayer accepts "kz" as well as the ISO code "kk".
            locale: if locale == "kz" { "kk" } else { locale }.to_string(),
            reply: common_ok(None, call.uuid),
        },
        Ok(locale) => call.error(format!("Unsupported locale: {locale}")),
    }
}

mod basics;
use basics::basics;
