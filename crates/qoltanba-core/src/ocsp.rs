//! OCSP (RFC 6960) without I/O: the request for one certificate, with a nonce, and the checks
//! its answer must pass: signed by the issuing CA or by a responder it delegated
//! (id-kp-OCSPSigning, issued by that CA), about this certificate, fresh, nonce echoed.

use std::time::{Duration, SystemTime};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use const_oid::db::rfc5912;
use der::asn1::{Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use sha1::Digest as _;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::Extension;
use x509_cert::Certificate;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    ResponderId, TbsRequest, Version,
};

use crate::signature_check::verify_signature;
use crate::timestamp::token::extension;

/// id-pkix-ocsp-basic: the only response type there is in practice.
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce.
const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// Clocks differ: a thisUpdate this far in the future is still accepted.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);
/// An answer larger than this is refused unread.
pub const MAX_RESPONSE_LEN: usize = 256 * 1024;

/// What the responder says about the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Good,
    Revoked {
        time: SystemTime,
        /// The CRLReason name, when given.
        reason: Option<String>,
    },
    Unknown,
}

/// A checked answer: the status and how long it may be relied on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    pub this_update: SystemTime,
    pub next_update: Option<SystemTime>,
    /// DER of the certificate that signed the answer (the CA's or a delegated responder's).
    pub responder: Vec<u8>,
}

/// Why an OCSP answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcspError {
    #[error("the OCSP responder could not be reached: {0}")]
    Unavailable(String),
    #[error("the OCSP responder refused: {0}")]
    Refused(String),
    #[error("the OCSP answer is not valid: {0}")]
    Invalid(String),
    #[error("the OCSP answer is stale: {0}")]
    Stale(String),
}

/// A request for one certificate, and what its answer must echo.
#[derive(Debug, Clone)]
pub struct OcspQuery {
    der: Vec<u8>,
    cert_id: CertId,
    nonce: Vec<u8>,
    issuer: Certificate,
}

impl OcspQuery {
    /// A request about `cert` (issued by `issuer`), SHA-1 CertID as RFC 6960 responders expect,
    /// with a random 16-byte nonce (RFC 8954).
    pub fn new(cert_der: &[u8], issuer_der: &[u8]) -> Result<Self, OcspError> {
        let cert = Certificate::from_der(cert_der).map_err(invalid("certificate"))?;
        let issuer = Certificate::from_der(issuer_der).map_err(invalid("issuer"))?;
        let cert_id = cert_id(&cert, &issuer)?;
        let mut nonce = vec![0u8; 16];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| OcspError::Invalid("no randomness for the nonce".into()))?;
        let nonce_value = OctetString::new(nonce.clone()).map_err(invalid("nonce"))?;
        let request = OcspRequest {
            tbs_request: TbsRequest {
                version: Version::V1,
                requestor_name: None,
                request_list: vec![Request {
                    req_cert: cert_id.clone(),
                    single_request_extensions: None,
                }],
                request_extensions: Some(vec![Extension {
                    extn_id: ID_PKIX_OCSP_NONCE,
                    critical: false,
                    extn_value: OctetString::new(nonce_value.to_der().map_err(invalid("nonce"))?)
                        .map_err(invalid("nonce"))?,
                }]),
            },
            optional_signature: None,
        };
        Ok(OcspQuery {
            der: request.to_der().map_err(invalid("request"))?,
            cert_id,
            nonce,
            issuer,
        })
    }

    /// The DER to POST as `application/ocsp-request`.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Checks an answer to this request at `now`: signer, certificate, freshness, nonce.
    pub fn check_response(&self, response: &[u8], now: SystemTime) -> Result<Answer, OcspError> {
        let answer = check_signed_answer(response, &self.issuer, Some(&self.cert_id), now)?;
        match &answer.nonce {
            Some(nonce) if *nonce != self.nonce => Err(OcspError::Invalid(
                "the nonce differs from the request's".into(),
            )),
            _ => Ok(answer.answer),
        }
    }
}

/// The SHA-1 CertID of `cert` under `issuer` (RFC 6960 §4.1.1).
fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId, OcspError> {
    let issuer_name = issuer
        .tbs_certificate
        .subject
        .to_der()
        .map_err(invalid("issuer name"))?;
    let issuer_key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1::Sha1::digest(issuer_name).to_vec())
            .map_err(invalid("hash"))?,
        issuer_key_hash: OctetString::new(sha1::Sha1::digest(issuer_key).to_vec())
            .map_err(invalid("hash"))?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// Whether `id` names the same certificate as `wanted`, whatever hash it uses.
fn same_certificate(id: &CertId, wanted: &CertId, issuer: &Certificate) -> bool {
    id.serial_number == wanted.serial_number && same_issuer(id, issuer)
}

/// Whether `id` names a certificate of `issuer`, whatever hash it uses.
fn same_issuer(id: &CertId, issuer: &Certificate) -> bool {
    let name = issuer.tbs_certificate.subject.to_der().unwrap_or_default();
    let key = issuer
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let hash = |data: &[u8]| crate::signature_check::digest_by_oid(&id.hash_algorithm.oid, data);
    hash(&name).as_deref() == Some(id.issuer_name_hash.as_bytes())
        && hash(key).as_deref() == Some(id.issuer_key_hash.as_bytes())
}

/// An answer whose signature, signer and freshness were checked, with its nonce if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAnswer {
    pub answer: Answer,
    pub nonce: Option<Vec<u8>>,
}

/// Checks a response about the certificate `cert_id` issued by `issuer`, at `now`; with no
/// `cert_id` (a stored response whose certificate is not at hand), about the first certificate
/// of that issuer it lists.
pub fn check_signed_answer(
    response: &[u8],
    issuer: &Certificate,
    cert_id: Option<&CertId>,
    now: SystemTime,
) -> Result<SignedAnswer, OcspError> {
    if response.len() > MAX_RESPONSE_LEN {
        return Err(OcspError::Invalid(format!(
            "{} bytes, more than {MAX_RESPONSE_LEN}",
            response.len()
        )));
    }
    let response = OcspResponse::from_der(response)
        .map_err(|e| OcspError::Unavailable(format!("not an OCSP response: {e}")))?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(OcspError::Refused(format!(
            "{:?}",
            response.response_status
        )));
    }
    let bytes = response
        .response_bytes
        .ok_or_else(|| OcspError::Invalid("a successful response without a body".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(OcspError::Invalid(format!(
            "response type {} is not basic",
            bytes.response_type
        )));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(invalid("BasicOCSPResponse"))?;
    let signer = responder(&basic, issuer)?;
    let tbs = basic
        .tbs_response_data
        .to_der()
        .map_err(invalid("ResponseData"))?;
    verify_signature(
        &signer,
        &basic.signature_algorithm.oid,
        None,
        &tbs,
        basic.signature.raw_bytes(),
    )
    .map_err(|e| OcspError::Invalid(format!("the responder's signature: {e}")))?;

    let data = &basic.tbs_response_data;
    let single = data
        .responses
        .iter()
        .find(|r| match cert_id {
            Some(wanted) => same_certificate(&r.cert_id, wanted, issuer),
            None => same_issuer(&r.cert_id, issuer),
        })
        .ok_or_else(|| OcspError::Invalid("the answer is about another certificate".into()))?;
    let this_update = single.this_update.0.to_system_time();
    let next_update = single.next_update.map(|t| t.0.to_system_time());
    if this_update > now + CLOCK_SKEW {
        return Err(OcspError::Stale("thisUpdate is in the future".into()));
    }
    match next_update {
        Some(next) if next < now => {
            return Err(OcspError::Stale(format!(
                "nextUpdate {} has passed",
                crate::cert::format_date(next.into())
            )))
        }
        Some(_) => {}
        // No nextUpdate: newer information is always available (RFC 6960 §4.2.2.1), so only
        // an answer made just now is taken.
        None if now.duration_since(this_update).unwrap_or_default() > CLOCK_SKEW => {
            return Err(OcspError::Stale(
                "no nextUpdate and thisUpdate is not recent".into(),
            ))
        }
        None => {}
    }
    let status = match &single.cert_status {
        CertStatus::Good(_) => Status::Good,
        CertStatus::Revoked(info) => Status::Revoked {
            time: info.revocation_time.0.to_system_time(),
            reason: info.revocation_reason.map(|r| format!("{r:?}")),
        },
        CertStatus::Unknown(_) => Status::Unknown,
    };
    let nonce = data
        .response_extensions
        .as_ref()
        .and_then(|extensions| extensions.iter().find(|e| e.extn_id == ID_PKIX_OCSP_NONCE))
        .map(|e| {
            // RFC 8954: an OCTET STRING inside; some responders send the bare bytes.
            OctetString::from_der(e.extn_value.as_bytes())
                .map(OctetString::into_bytes)
                .unwrap_or_else(|_| e.extn_value.as_bytes().to_vec())
        });
    Ok(SignedAnswer {
        answer: Answer {
            status,
            this_update,
            next_update,
            responder: signer.to_der().map_err(invalid("certificate"))?,
        },
        nonce,
    })
}

/// The certificate that signed `basic`: the issuer itself, or a delegated responder it
/// carries that the issuer signed and gave id-kp-OCSPSigning.
fn responder(basic: &BasicOcspResponse, issuer: &Certificate) -> Result<Certificate, OcspError> {
    let named = |cert: &Certificate| match &basic.tbs_response_data.responder_id {
        ResponderId::ByName(name) => *name == cert.tbs_certificate.subject,
        ResponderId::ByKey(hash) => {
            let key = cert
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes();
            hash.as_bytes() == sha1::Sha1::digest(key).as_slice()
        }
    };
    if named(issuer) {
        return Ok(issuer.clone());
    }
    let delegated = basic
        .certs
        .iter()
        .flatten()
        .find(|c| named(c))
        .ok_or_else(|| {
            OcspError::Invalid("the responder is neither the CA nor a certificate it sent".into())
        })?;
    if delegated.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return Err(OcspError::Invalid(
            "the delegated responder was not issued by the certificate's CA".into(),
        ));
    }
    let tbs = delegated
        .tbs_certificate
        .to_der()
        .map_err(invalid("responder certificate"))?;
    verify_signature(
        issuer,
        &delegated.signature_algorithm.oid,
        None,
        &tbs,
        delegated.signature.raw_bytes(),
    )
    .map_err(|e| {
        OcspError::Invalid(format!(
            "the delegated responder's certificate is not signed by the CA: {e}"
        ))
    })?;
    match extension::<ExtendedKeyUsage>(delegated, rfc5912::ID_CE_EXT_KEY_USAGE) {
        Some((_, usage)) if usage.0.contains(&rfc5912::ID_KP_OCSP_SIGNING) => Ok(delegated.clone()),
        _ => Err(OcspError::Invalid(
            "the delegated responder lacks the OCSPSigning extended key usage".into(),
        )),
    }
}

/// The CertID a response about `cert_der` issued by `issuer_der` must carry (for checking
/// stored responses, such as NCA's, without a request of ours).
pub fn cert_id_of(cert_der: &[u8], issuer_der: &[u8]) -> Result<CertId, OcspError> {
    let cert = Certificate::from_der(cert_der).map_err(invalid("certificate"))?;
    let issuer = Certificate::from_der(issuer_der).map_err(invalid("issuer"))?;
    cert_id(&cert, &issuer)
}

fn invalid(what: &'static str) -> impl Fn(der::Error) -> OcspError {
    move |e| OcspError::Invalid(format!("{what}: {e}"))
}
