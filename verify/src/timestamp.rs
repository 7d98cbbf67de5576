//! CAdES-T on the portal side: a signature timestamp proves when the signature existed when its
//! token is signed by a TSA that chains to a configured TSA trust anchor and stamps the hash of
//! the signer's signature value.

use ::cms::signed_data::SignerInfo;
use der::Encode;
use qoltanba_core::timestamp::{VerifiedToken, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use time::OffsetDateTime;

use crate::error::{Result, VerifyError};
use crate::trust::TrustStore;

/// Which TSAs a portal believes, and whether a signed document must carry a timestamp.
#[derive(Debug, Clone, Default)]
pub struct TimestampTrust {
    /// The TSA certificates' roots (`--tsa-ca`); a TSA outside them proves nothing.
    pub anchors: TrustStore,
    /// `--require-timestamp`: a CMS without a proven timestamp is refused.
    pub required: bool,
}

/// The time a checked timestamp proves for a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenTime {
    pub gen_time: OffsetDateTime,
    /// The TSA policy OID, dotted.
    pub policy: String,
    /// DER of the TSA's certificate.
    pub tsa_certificate: Vec<u8>,
}

/// The signer's signatureTimeStampToken values, as DER.
pub(crate) fn tokens(signer: &SignerInfo) -> Result<Vec<Vec<u8>>> {
    let Some(attributes) = &signer.unsigned_attrs else {
        return Ok(Vec::new());
    };
    let mut tokens = Vec::new();
    for attribute in attributes.iter() {
        if attribute.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN {
            for value in attribute.values.iter() {
                tokens.push(value.to_der().map_err(|e| bad(format!("token: {e}")))?);
            }
        }
    }
    Ok(tokens)
}

/// Checks the signer's timestamp: none is `Ok(None)`; one that fails any check is an error,
/// never silently ignored.
pub(crate) fn prove(trust: &TimestampTrust, signer: &SignerInfo) -> Result<Option<ProvenTime>> {
    let tokens = tokens(signer)?;
    let [token] = tokens.as_slice() else {
        return match tokens.len() {
            0 if trust.required => Err(VerifyError::TimestampMissing),
            0 => Ok(None),
            n => Err(bad(format!("{n} signature timestamps; one is expected"))),
        };
    };
    let verified = VerifiedToken::check(token).map_err(|e| bad(e.to_string()))?;
    verified
        .check_imprint_of(signer.signature.as_bytes())
        .map_err(|e| bad(e.to_string()))?;
    let gen_time = OffsetDateTime::from(verified.gen_time());
    trust
        .anchors
        .check_path(
            &verified.tsa_certificate,
            &verified.other_certificates,
            gen_time,
        )
        .map_err(|e| bad(format!("the TSA is not trusted: {e}")))?;
    Ok(Some(ProvenTime {
        gen_time,
        policy: verified.tst_info.policy.to_string(),
        tsa_certificate: verified.tsa_certificate,
    }))
}

fn bad(why: String) -> VerifyError {
    VerifyError::BadTimestamp(why)
}
