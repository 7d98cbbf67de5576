//! RFC 3161 timestamps for CMS signatures (CAdES-T), without I/O: the request is built and the
//! answer checked here; the caller's [`Transport`] carries the bytes to the TSA and back.

pub mod cades;
pub mod request;
pub mod token;

use std::time::SystemTime;

use const_oid::db::rfc5912;
use der::asn1::ObjectIdentifier;

pub use request::TimestampRequest;
pub use token::VerifiedToken;

use crate::sign::cms::OID_STREEBOG_512_KZ;

/// NCA's public TSA, which NCALayer uses when a page sends `tsaProfile: {}`.
pub const NCA_TSA_URL: &str = "http://tsp.pki.gov.kz";
/// NCA TSA policy for RSA signatures with SHA-256 imprints.
pub const POLICY_NCA_RSA_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.398.3.3.2.6.2");
/// NCA TSA policy for GOST 34.10-2015 signatures with Streebog-512 imprints.
pub const POLICY_NCA_GOST2015: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.398.3.3.2.6.4");
/// RFC 3161 id-ct-TSTInfo: the content type a timestamp token signs.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// RFC 3161 Appendix A id-aa-signatureTimeStampToken: the unsigned attribute of CAdES-T.
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// A TSA answer larger than this is refused unread (a real token is a few kilobytes).
pub const MAX_RESPONSE_LEN: usize = 256 * 1024;

/// Carries a request to a TSA (or OCSP responder) and brings back the answer's body.
///
/// The core never opens a socket: the service and the CLI pass an HTTP client.
pub trait Transport: Send + Sync {
    /// POSTs `body` with `content_type` to `url`; an error says why in one line.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, String>;
}

/// Where and under which policy a timestamp is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsaSettings {
    pub url: String,
    /// The policy to ask for; `None` picks NCA's policy for the signer's algorithm.
    pub policy: Option<ObjectIdentifier>,
}

impl TsaSettings {
    /// NCA's TSA with the policy chosen by algorithm.
    pub fn nca() -> Self {
        TsaSettings {
            url: NCA_TSA_URL.to_string(),
            policy: None,
        }
    }

    /// The TSA's host (and port), as the prompt names it.
    pub fn host(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, rest)| rest);
        rest.split(['/', '?', '#']).next().unwrap_or(rest)
    }
}

/// Why no timestamp could be added; messages never carry key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The TSA could not be reached or answered with something other than a response.
    #[error("the timestamp server could not be reached: {0}")]
    Unavailable(String),
    /// The TSA answered but refused to stamp.
    #[error("the timestamp server refused the request: {0}")]
    Refused(String),
    /// The answer or token failed a check.
    #[error("the timestamp is not valid: {0}")]
    Invalid(String),
    /// The CMS to stamp cannot be read or written back.
    #[error("the signature cannot be timestamped: {0}")]
    Cms(String),
}

/// A checked timestamp as the signer or verifier uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    /// The TimeStampToken (a ContentInfo), byte for byte as the TSA sent it.
    pub token: Vec<u8>,
    /// The time the TSA vouches for.
    pub gen_time: SystemTime,
    pub policy: ObjectIdentifier,
    /// DER of the certificate that signed the token.
    pub tsa_certificate: Vec<u8>,
}

/// The imprint hash and NCA policy for a signer's digest algorithm.
pub fn imprint_algorithm(
    digest: &ObjectIdentifier,
) -> Result<(ObjectIdentifier, ObjectIdentifier), TimestampError> {
    match *digest {
        rfc5912::ID_SHA_256 => Ok((rfc5912::ID_SHA_256, POLICY_NCA_RSA_SHA256)),
        OID_STREEBOG_512_KZ => Ok((OID_STREEBOG_512_KZ, POLICY_NCA_GOST2015)),
        other => Err(TimestampError::Cms(format!(
            "no timestamp policy for signatures hashed with {other}"
        ))),
    }
}

/// Adds a signature timestamp to a one-signer CMS (CAdES-BES to CAdES-T).
///
/// Asks `settings.url` through `transport` with a fresh nonce and checks the answer
/// ([`request::TimestampRequest::check_response`]) before the token goes into the CMS.
pub fn stamp_cms(
    cms_der: &[u8],
    settings: &TsaSettings,
    transport: &dyn Transport,
) -> Result<(Vec<u8>, Timestamp), TimestampError> {
    let (digest, signature) = cades::signer_signature(cms_der)?;
    let (imprint_alg, default_policy) = imprint_algorithm(&digest)?;
    let policy = settings.policy.unwrap_or(default_policy);
    let request = TimestampRequest::new(imprint_alg, &signature, Some(policy))?;
    let response = transport
        .post(&settings.url, "application/timestamp-query", request.der())
        .map_err(TimestampError::Unavailable)?;
    let timestamp = request.check_response(&response)?;
    let stamped = cades::add_signature_timestamp(cms_der, &timestamp.token)?;
    Ok((stamped, timestamp))
}
