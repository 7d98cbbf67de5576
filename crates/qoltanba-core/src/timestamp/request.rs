//! The TimeStampReq (RFC 3161 §2.4.1) and the checks its answer must pass before use.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use cmpv2::status::{PkiStatus, PkiStatusInfo};
use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{AnyRef, Decode, Encode, Sequence};
use spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use super::token::VerifiedToken;
use super::{Timestamp, TimestampError, MAX_RESPONSE_LEN};
use crate::signature_check::digest_by_oid;

/// A request ready to send, with what its answer must echo.
#[derive(Debug, Clone)]
pub struct TimestampRequest {
    der: Vec<u8>,
    nonce: Int,
    imprint_algorithm: ObjectIdentifier,
    imprint: Vec<u8>,
    policy: Option<ObjectIdentifier>,
}

impl TimestampRequest {
    /// A request over `data` hashed with `imprint_algorithm` (for CAdES-T, `data` is the
    /// signer's signature value), with a random 64-bit nonce and certReq set.
    pub fn new(
        imprint_algorithm: ObjectIdentifier,
        data: &[u8],
        policy: Option<ObjectIdentifier>,
    ) -> Result<Self, TimestampError> {
        let imprint = digest_by_oid(&imprint_algorithm, data).ok_or_else(|| {
            TimestampError::Cms(format!("unsupported imprint hash {imprint_algorithm}"))
        })?;
        let mut nonce = [0u8; 8];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| TimestampError::Cms("no randomness for the nonce".into()))?;
        // Positive and minimally encoded: the top bit clear and the first byte non-zero.
        nonce[0] = (nonce[0] & 0x7f) | 0x01;
        let nonce = Int::new(&nonce).map_err(encoding)?;
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifier {
                    oid: imprint_algorithm,
                    parameters: None,
                },
                hashed_message: OctetString::new(imprint.clone()).map_err(encoding)?,
            },
            req_policy: policy,
            nonce: Some(nonce.clone()),
            cert_req: true,
            extensions: None,
        };
        Ok(TimestampRequest {
            der: request.to_der().map_err(encoding)?,
            nonce,
            imprint_algorithm,
            imprint,
            policy,
        })
    }

    /// The DER to POST as `application/timestamp-query`.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Checks a TimeStampResp: granted, a token whose signature and TSA certificate hold,
    /// and which echoes this request's nonce, imprint and policy.
    pub fn check_response(&self, response: &[u8]) -> Result<Timestamp, TimestampError> {
        if response.len() > MAX_RESPONSE_LEN {
            return Err(invalid(format!(
                "the answer is {} bytes, more than {MAX_RESPONSE_LEN}",
                response.len()
            )));
        }
        let response = RawTimeStampResp::from_der(response)
            .map_err(|e| TimestampError::Unavailable(format!("not a timestamp response: {e}")))?;
        match response.status.status {
            PkiStatus::Accepted | PkiStatus::GrantedWithMods => {}
            other => return Err(TimestampError::Refused(refusal(other, &response.status))),
        }
        let token = response
            .time_stamp_token
            .ok_or_else(|| invalid("the response is granted but holds no token".into()))?;
        let token = token.to_der().map_err(encoding)?;
        let verified = VerifiedToken::check(&token)?;
        let tst = &verified.tst_info;
        if tst.nonce.as_ref() != Some(&self.nonce) {
            return Err(invalid("the nonce differs from the request's".into()));
        }
        verified.check_imprint(&self.imprint_algorithm, &self.imprint)?;
        if let Some(policy) = self.policy {
            if tst.policy != policy {
                return Err(invalid(format!(
                    "the policy is {}, not the requested {policy}",
                    tst.policy
                )));
            }
        }
        Ok(Timestamp {
            gen_time: verified.gen_time(),
            policy: tst.policy,
            tsa_certificate: verified.tsa_certificate.clone(),
            token,
        })
    }
}

/// TimeStampResp whose token is kept as the bytes the TSA signed over, not re-encoded.
#[derive(Sequence)]
struct RawTimeStampResp<'a> {
    status: PkiStatusInfo<'a>,
    #[asn1(optional = "true")]
    time_stamp_token: Option<AnyRef<'a>>,
}

/// The TSA's status and its own words, for the error reply.
fn refusal(status: PkiStatus, info: &PkiStatusInfo<'_>) -> String {
    let words = info
        .status_string
        .as_ref()
        .map(|texts| {
            texts
                .iter()
                .map(|t| t.as_str().to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|w| !w.is_empty());
    match words {
        Some(words) => format!("status {status:?}: {words}"),
        None => format!("status {status:?}"),
    }
}

fn invalid(why: String) -> TimestampError {
    TimestampError::Invalid(why)
}

fn encoding(e: der::Error) -> TimestampError {
    TimestampError::Cms(format!("encoding: {e}"))
}
