//! The signature timestamp as a CMS unsigned attribute (CAdES-T, RFC 5126 §6.1.1): reading
//! the signer's signature value, adding the token, reading it back.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfos};
use const_oid::db::rfc5911;
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode};
use x509_cert::attr::Attribute;

use super::{TimestampError, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};

/// The SignedData of a CMS ContentInfo.
fn signed_data(cms_der: &[u8]) -> Result<SignedData, TimestampError> {
    let content_info = ContentInfo::from_der(cms_der).map_err(cms("ContentInfo"))?;
    if content_info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(TimestampError::Cms(format!(
            "content type {} is not SignedData",
            content_info.content_type
        )));
    }
    content_info.content.decode_as().map_err(cms("SignedData"))
}

/// The one signer's digest algorithm and signature value, which the timestamp stamps.
pub fn signer_signature(cms_der: &[u8]) -> Result<(ObjectIdentifier, Vec<u8>), TimestampError> {
    let signed = signed_data(cms_der)?;
    let [signer] = signed.signer_infos.0.as_slice() else {
        return Err(TimestampError::Cms(format!(
            "expected one signer, found {}",
            signed.signer_infos.0.len()
        )));
    };
    Ok((signer.digest_alg.oid, signer.signature.as_bytes().to_vec()))
}

/// DER of the one signer's certificate, as the CMS carries it.
pub fn signer_certificate(cms_der: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let signed = signed_data(cms_der)?;
    let [signer] = signed.signer_infos.0.as_slice() else {
        return Err(TimestampError::Cms(format!(
            "expected one signer, found {}",
            signed.signer_infos.0.len()
        )));
    };
    super::token::certificates(&signed)?
        .iter()
        .find(|cert| super::token::identifies(&signer.sid, cert))
        .ok_or_else(|| TimestampError::Cms("the signer's certificate is not in the CMS".into()))?
        .to_der()
        .map_err(cms("certificate"))
}

/// Adds `token` as the signer's signatureTimeStampToken; an existing one is kept beside it.
pub fn add_signature_timestamp(cms_der: &[u8], token: &[u8]) -> Result<Vec<u8>, TimestampError> {
    let mut signed = signed_data(cms_der)?;
    let mut signers = signed.signer_infos.0.into_vec();
    let [signer] = signers.as_mut_slice() else {
        return Err(TimestampError::Cms(format!(
            "expected one signer, found {}",
            signers.len()
        )));
    };
    let token = Any::from_der(token).map_err(cms("timestamp token"))?;
    let mut attributes = signer
        .unsigned_attrs
        .take()
        .map(SetOfVec::into_vec)
        .unwrap_or_default();
    match attributes
        .iter_mut()
        .find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
    {
        Some(existing) => existing.values.insert(token).map_err(cms("attribute"))?,
        None => attributes.push(Attribute {
            oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            values: SetOfVec::try_from(vec![token]).map_err(cms("attribute"))?,
        }),
    }
    signer.unsigned_attrs = Some(SetOfVec::try_from(attributes).map_err(cms("attributes"))?);
    signed.signer_infos = SignerInfos(SetOfVec::try_from(signers).map_err(cms("signers"))?);
    let content = Any::encode_from(&signed).map_err(cms("SignedData"))?;
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content,
    }
    .to_der()
    .map_err(cms("ContentInfo"))
}

/// The signer's signature timestamp tokens (DER ContentInfo each), if any.
pub fn signature_timestamps(cms_der: &[u8]) -> Result<Vec<Vec<u8>>, TimestampError> {
    let signed = signed_data(cms_der)?;
    let mut tokens = Vec::new();
    for signer in signed.signer_infos.0.iter() {
        let Some(attributes) = &signer.unsigned_attrs else {
            continue;
        };
        for attribute in attributes.iter() {
            if attribute.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN {
                for value in attribute.values.iter() {
                    tokens.push(value.to_der().map_err(cms("timestamp token"))?);
                }
            }
        }
    }
    Ok(tokens)
}

fn cms(what: &'static str) -> impl Fn(der::Error) -> TimestampError {
    move |e| TimestampError::Cms(format!("{what}: {e}"))
}
