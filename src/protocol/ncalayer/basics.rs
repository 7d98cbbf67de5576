//! `kz.gov.pki.knca.basics` `sign`: one call, CMS or XML, one or many documents.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::{
    basics_canceled, basics_error, basics_ok, check_hash_length, check_xml, cms_digest_with,
    cms_with, sign_xml_with, timestamped, PKCS12, TSA_UNAVAILABLE,
};
use crate::cert::Purpose;
use crate::protocol::{
    decode_base64, DataFormat, Document, Failure, Json, JsonObject, KeyFilter, KeyJob, Outcome,
    Task, Tsa,
};
use crate::sign::cms;
use crate::sign::xml::XmlLayout;

const INVALID: &str = "INVALID_PARAMETERS";

/// A rejected request: the basics error reply.
fn invalid(details: &str) -> Outcome {
    Outcome::Reply(basics_error(INVALID, "Invalid request parameters", details))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Cms,
    Xml,
}

/// A boolean that pages send as `true` or as `"true"`; null or absent means `default`.
fn flag(params: Option<&JsonObject<'_>>, name: &str, default: bool) -> Result<bool, Outcome> {
    match params.and_then(|p| p.get(name)) {
        None | Some(Json::Null) => Ok(default),
        Some(Json::Bool(b)) => Ok(*b),
        Some(Json::Str(s)) if s == "true" => Ok(true),
        Some(Json::Str(s)) if s == "false" => Ok(false),
        Some(_) => Err(invalid(&format!("{name} must be true or false"))),
    }
}

/// An optional object parameter; null or absent is an empty one.
fn object<'a>(args: &'a JsonObject<'a>, name: &str) -> Result<Option<&'a JsonObject<'a>>, Outcome> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(o)) => Ok(Some(o)),
        Some(_) => Err(invalid(&format!("{name} must be an object"))),
    }
}

fn optional_string(params: Option<&JsonObject<'_>>, name: &str) -> Result<Option<String>, Outcome> {
    match params.and_then(|p| p.get(name)) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) if s.is_empty() => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s.to_string())),
        Some(_) => Err(invalid(&format!("{name} must be a string"))),
    }
}

/// An array of strings, borrowed from the request.
fn strings<'a>(value: &'a Json<'_>, name: &str) -> Result<Vec<&'a str>, Outcome> {
    let not_strings = || invalid(&format!("{name} must be an array of strings"));
    let Json::Array(items) = value else {
        return Err(not_strings());
    };
    items
        .iter()
        .map(|v| v.as_str().ok_or_else(not_strings))
        .collect()
}

/// One document of the request, in the form its signature needs.
enum Input {
    Xml(String),
    /// A hash to sign as a detached CMS (`digested`).
    Hash(Vec<u8>),
    Cms(Document),
}

impl Input {
    fn len(&self) -> usize {
        match self {
            Input::Xml(xml) => xml.len(),
            Input::Hash(hash) => hash.len(),
            Input::Cms(data) => data.len(),
        }
    }

    fn xml(&self) -> Option<&str> {
        match self {
            Input::Xml(xml) => Some(xml),
            _ => None,
        }
    }
}

struct Prepared {
    format: Format,
    documents: Vec<Input>,
    filter: KeyFilter,
    encapsulate: bool,
    /// Each document is a hash to sign as a detached CMS.
    digested: bool,
    output_cert: bool,
    /// `signingParams.tsaProfile` is an object: the CMS signatures get a timestamp.
    timestamp: bool,
}

/// Reads one `data` string into the form its signature needs.
fn read_document(
    text: &str,
    format: Format,
    decode: bool,
    digested: bool,
    frame: &Bytes,
) -> Result<Input, Outcome> {
    let not_base64 = || invalid("data is not valid base64");
    let bytes = || match decode {
        true => decode_base64(text).ok_or_else(not_base64),
        false => Ok(text.as_bytes().to_vec()),
    };
    match format {
        Format::Cms if digested => {
            let hash = bytes()?;
            check_hash_length(&hash).map_err(|m| invalid(&m))?;
            Ok(Input::Hash(hash))
        }
        Format::Cms if decode => Document::base64(frame, text)
            .map(Input::Cms)
            .ok_or_else(not_base64),
        Format::Cms => Ok(Input::Cms(Document::text(frame, text))),
        Format::Xml => {
            let xml = String::from_utf8(bytes()?).map_err(|_| invalid("XML is not UTF-8"))?;
            check_xml(&xml).map_err(|m| invalid(&m))?;
            Ok(Input::Xml(xml))
        }
    }
}

fn prepare(request: &JsonObject<'_>, frame: &Bytes) -> Result<Prepared, Outcome> {
    match request.get("method").and_then(Json::as_str) {
        Some("sign") => {}
        Some(other) => {
            return Err(Outcome::Reply(basics_error(
                "METHOD_NOT_FOUND",
                "Unknown method",
                other,
            )))
        }
        None => return Err(invalid("method must be \"sign\"")),
    }
    let Some(Json::Object(args)) = request.get("args") else {
        return Err(invalid("args must be an object"));
    };
    match args.get("allowedStorages") {
        None | Some(Json::Null) => {}
        Some(value) => {
            let storages = strings(value, "allowedStorages")?;
            if !storages.is_empty() && !storages.iter().any(|s| s.eq_ignore_ascii_case(PKCS12)) {
                return Err(Outcome::Reply(basics_error(
                    "STORAGE_NOT_SUPPORTED",
                    "None of the allowed storages is available",
                    "only PKCS12 files are supported",
                )));
            }
        }
    }
    let format = match args.get("format").and_then(Json::as_str) {
        Some("cms") => Format::Cms,
        Some("xml") => Format::Xml,
        _ => return Err(invalid("format must be \"cms\" or \"xml\"")),
    };
    let signing_params = object(args, "signingParams")?;
    let signer_params = object(args, "signerParams")?;
    let decode = flag(signing_params, "decode", false)?;
    let encapsulate = flag(signing_params, "encapsulate", true)?;
    let digested = flag(signing_params, "digested", false)?;
    let allow_expired = flag(signing_params, "allowExpired", false)?;
    let output_cert = flag(signing_params, "outputCert", false)?;
    if digested && format == Format::Xml {
        return Err(invalid("digested is only for format \"cms\""));
    }
    // Any object, `{}` included, asks for a timestamp; none of its keys is read: the TSA is
    // the one the user configured, never a URL a page chose (docs/TIMESTAMPS.md).
    let timestamp = match signing_params.and_then(|p| p.get("tsaProfile")) {
        None | Some(Json::Null) => false,
        Some(Json::Object(_)) => format == Format::Cms,
        Some(_) => return Err(invalid("tsaProfile must be an object")),
    };

    let texts = match args.get("data") {
        Some(Json::Str(s)) => vec![s.as_ref()],
        Some(value @ Json::Array(_)) => strings(value, "data")?,
        _ => return Err(invalid("data must be a string or an array of strings")),
    };
    if texts.is_empty() {
        return Err(invalid("data is empty"));
    }
    let documents = texts
        .into_iter()
        .map(|text| read_document(text, format, decode, digested, frame))
        .collect::<Result<Vec<_>, _>>()?;

    let ext_key_usage_oids = match signer_params.and_then(|p| p.get("extKeyUsageOids")) {
        None | Some(Json::Null) => Vec::new(),
        Some(value) => strings(value, "extKeyUsageOids")?
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    let filter = KeyFilter {
        purpose: Purpose::Unknown,
        iin: optional_string(signer_params, "iin")?,
        bin: optional_string(signer_params, "bin")?,
        ext_key_usage_oids,
        serial: optional_string(signer_params, "serialNumber")?,
        holder: None,
        allow_expired,
    };
    Ok(Prepared {
        format,
        documents,
        filter,
        encapsulate,
        digested,
        output_cert,
        timestamp,
    })
}

/// Builds the job for `basics.sign`, or the error reply for a bad request.
pub(super) fn basics(request: &JsonObject<'_>, frame: &Bytes, tsa: Option<&Tsa>) -> Outcome {
    let prepared = match prepare(request, frame) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let Prepared {
        format,
        documents,
        filter,
        encapsulate,
        digested,
        output_cert,
        timestamp,
    } = prepared;
    let tsa = match (timestamp, tsa) {
        (false, _) => None,
        (true, Some(tsa)) => Some(tsa.clone()),
        (true, None) => {
            return Outcome::Reply(basics_error(
                TSA_UNAVAILABLE,
                "The timestamp server is unavailable",
                "no timestamp server is configured",
            ))
        }
    };
    let allow_expired = filter.allow_expired;
    let data_format = match format {
        Format::Cms => DataFormat::Cms,
        Format::Xml => DataFormat::Xml,
    };
    let task = match format {
        _ if digested => Task::sign_hashes(data_format, documents.len()),
        Format::Xml => Task::sign_xml(&documents.iter().filter_map(Input::xml).collect::<Vec<_>>()),
        Format::Cms => Task::sign_binary(
            data_format,
            &documents.iter().map(Input::len).collect::<Vec<_>>(),
        ),
    };
    let task = match &tsa {
        Some(tsa) => task.timestamped_by(&tsa.settings),
        None => task,
    };
    Outcome::Key(Box::new(KeyJob {
        filter,
        task,
        sign: Box::new(move |entry, signing| {
            let mut signatures = Vec::with_capacity(documents.len());
            for document in &documents {
                let (code, message) = ("SIGNING_FAILED", "The signature could not be made");
                let cms = |der: Result<Vec<u8>, String>| {
                    let der = der.map_err(|details| (code, message, details))?;
                    timestamped(der, tsa.as_ref())
                        .map(|der| cms::to_pem(&der))
                        .map_err(|details| {
                            (
                                TSA_UNAVAILABLE,
                                "The timestamp server is unavailable",
                                details,
                            )
                        })
                };
                let signed = match document {
                    Input::Hash(hash) => cms(cms_digest_with(entry, signing, hash, allow_expired)),
                    Input::Cms(data) => {
                        cms(cms_with(entry, signing, data, !encapsulate, allow_expired))
                    }
                    Input::Xml(xml) => {
                        sign_xml_with(entry, signing, xml, XmlLayout::Compact, allow_expired)
                            .map_err(|details| (code, message, details))
                    }
                };
                match signed {
                    Ok(s) => signatures.push(s),
                    Err((code, message, details)) => return basics_error(code, message, &details),
                }
            }
            if output_cert {
                let mut result = Map::new();
                result.insert("signatures".into(), Value::from(signatures));
                result.insert(
                    "certificate".into(),
                    Value::from(entry.certificate.to_pem()),
                );
                basics_ok(&result)
            } else {
                basics_ok(&signatures)
            }
        }),
        fail: Box::new(|failure| match failure {
            Failure::Cancelled | Failure::Timeout => basics_canceled(),
            Failure::OriginDenied => {
                basics_error("ORIGIN_DENIED", "This site is not allowed to sign", "")
            }
            Failure::NoMatchingCertificate => {
                basics_error("NO_CERTIFICATE", "No certificate matches the request", "")
            }
            Failure::WrongPassword => basics_error("WRONG_PASSWORD", "Wrong keystore password", ""),
            Failure::Busy => basics_error("BUSY", "Too many requests are waiting", ""),
        }),
    }))
}
