//! CMS SignedData (RFC 5652), attached or detached, as NCALayer's `createCMSSignatureFromBase64`
//! and `qoltanba sign cms` make it: one signer, its certificate inside, signed attributes.

use ::cms::cert::CertificateChoices;
use ::cms::content_info::ContentInfo;
use ::cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::db::rfc5911;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use qoltanba_core::cert::Purpose;
use sha2::Digest as _;
use time::OffsetDateTime;

use crate::error::{Result, VerifyError};
use crate::identity::check_certificate;
use crate::pubkey::{self, PublicKey};
use crate::trust::{parse_cert, TrustStore};
use crate::VerifiedSignature;

/// Verifies one-signer SignedData; `detached` must be given exactly when the CMS has no content.
pub fn verify_cms(
    trust: &TrustStore,
    cms_der: &[u8],
    detached: Option<&[u8]>,
    wanted: Purpose,
    now: OffsetDateTime,
) -> Result<VerifiedSignature> {
    let content_info = ContentInfo::from_der(cms_der).map_err(|e| malformed(format!("{e}")))?;
    if content_info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(malformed(format!(
            "content type {} is not SignedData",
            content_info.content_type
        )));
    }
    let signed_data: SignedData = content_info
        .content
        .decode_as()
        .map_err(|e| malformed(format!("SignedData: {e}")))?;
    let encap = &signed_data.encap_content_info;
    let attached = match &encap.econtent {
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(|e| malformed(format!("eContent: {e}")))?
                .into_bytes(),
        ),
        None => None,
    };
    let content: &[u8] = match (&attached, detached) {
        (Some(_), Some(_)) => {
            return Err(malformed(
                "the CMS embeds its content; do not pass detached content too".into(),
            ))
        }
        (Some(inner), None) => inner,
        (None, Some(outer)) => outer,
        (None, None) => {
            return Err(malformed(
                "detached CMS: the signed content must be supplied".into(),
            ))
        }
    };

    let signer_infos = signed_data.signer_infos.0.as_slice();
    let [signer_info] = signer_infos else {
        return Err(malformed(format!(
            "expected one signer, found {}",
            signer_infos.len()
        )));
    };
    let mut certificates = Vec::new();
    if let Some(set) = &signed_data.certificates {
        for choice in set.0.iter() {
            if let CertificateChoices::Certificate(cert) = choice {
                certificates.push(cert.to_der().map_err(|e| malformed(format!("{e}")))?);
            }
        }
    }
    let signer_der = certificates
        .iter()
        .find(|der| identifies(&signer_info.sid, der))
        .cloned()
        .ok_or_else(|| malformed("the signer's certificate is not in the CMS".into()))?;
    let others: Vec<Vec<u8>> = certificates
        .iter()
        .filter(|der| **der != signer_der)
        .cloned()
        .collect();

    let checked = check_certificate(trust, &signer_der, wanted, &others, now)?;

    let digest_oid = signer_info.digest_alg.oid.to_string();
    let digest = digest(&digest_oid, content)?;
    let signed_bytes = match &signer_info.signed_attrs {
        Some(attributes) => {
            let message_digest = single_value(attributes, rfc5911::ID_MESSAGE_DIGEST)?
                .ok_or_else(|| malformed("the messageDigest attribute is missing".into()))?
                .decode_as::<OctetString>()
                .map_err(|e| malformed(format!("messageDigest: {e}")))?;
            if message_digest.as_bytes() != digest.as_slice() {
                return Err(VerifyError::DigestMismatch);
            }
            if let Some(content_type) = single_value(attributes, rfc5911::ID_CONTENT_TYPE)? {
                let content_type: ObjectIdentifier = content_type
                    .decode_as()
                    .map_err(|e| malformed(format!("contentType: {e}")))?;
                if content_type != encap.econtent_type {
                    return Err(malformed(
                        "the contentType attribute differs from the content's type".into(),
                    ));
                }
            }
            // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET OF.
            attributes
                .to_der()
                .map_err(|e| malformed(format!("signed attributes: {e}")))?
        }
        None => content.to_vec(),
    };
    let cert = parse_cert(&checked.certificate.der).map_err(VerifyError::BadCertificate)?;
    pubkey::verify(
        &PublicKey::of(&cert),
        &signer_info.signature_algorithm.oid.to_string(),
        Some(&digest_oid),
        &signed_bytes,
        signer_info.signature.as_bytes(),
    )?;
    Ok(VerifiedSignature {
        identity: checked.identity,
        certificate: checked.certificate.der,
        content: attached,
    })
}

/// True when `der` is the certificate the SignerIdentifier names.
fn identifies(sid: &SignerIdentifier, der: &[u8]) -> bool {
    let Ok(cert) = x509_cert::Certificate::from_der(der) else {
        return false;
    };
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            id.issuer == cert.tbs_certificate.issuer
                && id.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            qoltanba_core::cert::Certificate::from_der(der)
                .ok()
                .and_then(|c| c.info.subject_key_id)
                .is_some_and(|hex_id| lower_hex(ski.0.as_bytes()).eq_ignore_ascii_case(&hex_id))
        }
    }
}

fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The one value of an attribute, if present; several values are refused (RFC 5652 §11).
fn single_value(
    attributes: &::cms::signed_data::SignedAttributes,
    oid: ObjectIdentifier,
) -> Result<Option<&der::Any>> {
    let Some(attribute) = attributes.iter().find(|a| a.oid == oid) else {
        return Ok(None);
    };
    let values = attribute.values.as_slice();
    match values {
        [value] => Ok(Some(value)),
        _ => Err(malformed(format!("attribute {oid} must have one value"))),
    }
}

fn digest(oid: &str, content: &[u8]) -> Result<Vec<u8>> {
    Ok(match oid {
        pubkey::SHA256 => sha2::Sha256::digest(content).to_vec(),
        pubkey::SHA384 => sha2::Sha384::digest(content).to_vec(),
        pubkey::SHA512 => sha2::Sha512::digest(content).to_vec(),
        pubkey::STREEBOG_512_KZ => qoltanba_core::gost::streebog512(content).to_vec(),
        other => {
            return Err(VerifyError::UnsupportedAlgorithm(format!(
                "CMS digest algorithm {other}"
            )))
        }
    })
}

fn malformed(why: String) -> VerifyError {
    VerifyError::Malformed(format!("CMS: {why}"))
}
