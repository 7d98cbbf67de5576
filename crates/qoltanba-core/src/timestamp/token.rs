//! A TimeStampToken's own checks (RFC 3161 §2.4.2): a one-signer SignedData over a TSTInfo,
//! signed by a certificate it carries whose only, critical extended key usage is timeStamping.

use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectKeyIdentifier};
use x509_cert::Certificate;
use x509_tsp::TstInfo;

use super::{TimestampError, ID_CT_TST_INFO};
use crate::signature_check::{digest_by_oid, verify_signature};

/// A token whose signature, TSTInfo and TSA certificate's key usage were checked; what it
/// proves about a signature is for the caller to compare ([`Self::check_imprint`]).
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub tst_info: TstInfo,
    /// DER of the TSA certificate that signed the token.
    pub tsa_certificate: Vec<u8>,
    /// DER of the other certificates in the token (the TSA's chain, when sent).
    pub other_certificates: Vec<Vec<u8>>,
}

impl VerifiedToken {
    /// Parses a TimeStampToken (ContentInfo DER) and checks its signature and signer.
    pub fn check(token: &[u8]) -> Result<Self, TimestampError> {
        let content_info = ContentInfo::from_der(token).map_err(malformed("token"))?;
        if content_info.content_type != rfc5911::ID_SIGNED_DATA {
            return Err(invalid(format!(
                "the token is {}, not SignedData",
                content_info.content_type
            )));
        }
        let signed: SignedData = content_info
            .content
            .decode_as()
            .map_err(malformed("SignedData"))?;
        let encap = &signed.encap_content_info;
        if encap.econtent_type != ID_CT_TST_INFO {
            return Err(invalid(format!(
                "the token signs {}, not a TSTInfo",
                encap.econtent_type
            )));
        }
        let tst_der = encap
            .econtent
            .as_ref()
            .ok_or_else(|| invalid("the token holds no TSTInfo".into()))?
            .decode_as::<OctetString>()
            .map_err(malformed("eContent"))?
            .into_bytes();
        let tst_info = TstInfo::from_der(&tst_der).map_err(malformed("TSTInfo"))?;

        let [signer] = signed.signer_infos.0.as_slice() else {
            return Err(invalid(format!(
                "the token has {} signers, not one",
                signed.signer_infos.0.len()
            )));
        };
        let certificates = certificates(&signed)?;
        let (tsa, others): (Vec<_>, Vec<_>) = certificates
            .into_iter()
            .partition(|cert| identifies(&signer.sid, cert));
        let tsa = tsa.into_iter().next().ok_or_else(|| {
            invalid("the TSA certificate is not in the token (certReq was set)".into())
        })?;
        check_signer_info(signer, &tsa, &tst_der)?;
        check_time_stamping_usage(&tsa)?;
        let gen_time = tst_info.gen_time.to_system_time();
        check_validity(&tsa, gen_time)?;

        let der = |c: &Certificate| c.to_der().map_err(malformed("certificate"));
        Ok(VerifiedToken {
            tsa_certificate: der(&tsa)?,
            other_certificates: others.iter().map(der).collect::<Result<_, _>>()?,
            tst_info,
        })
    }

    /// The time the TSA vouches for.
    pub fn gen_time(&self) -> SystemTime {
        self.tst_info.gen_time.to_system_time()
    }

    /// Checks that the token stamps `imprint`, hashed with `algorithm`.
    pub fn check_imprint(
        &self,
        algorithm: &ObjectIdentifier,
        imprint: &[u8],
    ) -> Result<(), TimestampError> {
        let stamped = &self.tst_info.message_imprint;
        if stamped.hash_algorithm.oid != *algorithm {
            return Err(invalid(format!(
                "the token's imprint is hashed with {}, not {algorithm}",
                stamped.hash_algorithm.oid
            )));
        }
        if stamped.hashed_message.as_bytes() != imprint {
            return Err(invalid(
                "the token stamps another value than this signature".into(),
            ));
        }
        Ok(())
    }

    /// Checks that the token stamps `data` (a signature value), hashing it as the token says.
    pub fn check_imprint_of(&self, data: &[u8]) -> Result<(), TimestampError> {
        let algorithm = self.tst_info.message_imprint.hash_algorithm.oid;
        let hash = digest_by_oid(&algorithm, data)
            .ok_or_else(|| invalid(format!("unsupported imprint hash {algorithm}")))?;
        self.check_imprint(&algorithm, &hash)
    }
}

/// The X.509 certificates a SignedData carries.
pub(crate) fn certificates(signed: &SignedData) -> Result<Vec<Certificate>, TimestampError> {
    Ok(signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|choice| match choice {
                    CertificateChoices::Certificate(cert) => Some(cert.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Whether `cert` is the one a SignerIdentifier names.
pub(crate) fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            id.issuer == tbs.issuer && id.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            extension::<SubjectKeyIdentifier>(cert, rfc5912::ID_CE_SUBJECT_KEY_IDENTIFIER)
                .is_some_and(|(_, own)| own.0 == ski.0)
        }
    }
}

/// A decoded extension and its critical flag.
pub(crate) fn extension<T: for<'a> Decode<'a>>(
    cert: &Certificate,
    oid: ObjectIdentifier,
) -> Option<(bool, T)> {
    let extension = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)?;
    let value = T::from_der(extension.extn_value.as_bytes()).ok()?;
    Some((extension.critical, value))
}

/// The signed attributes' messageDigest matches `content` and the signature over them holds.
pub(crate) fn check_signer_info(
    signer: &SignerInfo,
    cert: &Certificate,
    content: &[u8],
) -> Result<(), TimestampError> {
    let digest_alg = signer.digest_alg.oid;
    let attributes = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| invalid("the token has no signed attributes".into()))?;
    let value = |oid: ObjectIdentifier| -> Result<&Any, TimestampError> {
        let attribute = attributes
            .iter()
            .find(|a| a.oid == oid)
            .ok_or_else(|| invalid(format!("the signed attribute {oid} is missing")))?;
        match attribute.values.as_slice() {
            [value] => Ok(value),
            _ => Err(invalid(format!("the attribute {oid} must have one value"))),
        }
    };
    let content_type: ObjectIdentifier = value(rfc5911::ID_CONTENT_TYPE)?
        .decode_as()
        .map_err(malformed("contentType"))?;
    if content_type != ID_CT_TST_INFO {
        return Err(invalid(
            "the contentType attribute is not id-ct-TSTInfo".into(),
        ));
    }
    let message_digest: OctetString = value(rfc5911::ID_MESSAGE_DIGEST)?
        .decode_as()
        .map_err(malformed("messageDigest"))?;
    let digest = digest_by_oid(&digest_alg, content)
        .ok_or_else(|| invalid(format!("unsupported digest {digest_alg}")))?;
    if message_digest.as_bytes() != digest.as_slice() {
        return Err(invalid(
            "the TSTInfo does not match its messageDigest".into(),
        ));
    }
    let signed_bytes = attributes
        .to_der()
        .map_err(malformed("signed attributes"))?;
    verify_signature(
        cert,
        &signer.signature_algorithm.oid,
        Some(&digest_alg),
        &signed_bytes,
        signer.signature.as_bytes(),
    )
    .map_err(|e| invalid(format!("the token's signature: {e}")))
}

/// RFC 3161 §2.3: exactly one extended key usage, timeStamping, and critical.
fn check_time_stamping_usage(cert: &Certificate) -> Result<(), TimestampError> {
    match extension::<ExtendedKeyUsage>(cert, rfc5912::ID_CE_EXT_KEY_USAGE) {
        Some((true, usage)) if usage.0 == [rfc5912::ID_KP_TIME_STAMPING] => Ok(()),
        Some((false, _)) => Err(invalid(
            "the TSA certificate's extended key usage is not critical".into(),
        )),
        _ => Err(invalid(
            "the TSA certificate is not for timestamping only (extended key usage)".into(),
        )),
    }
}

/// The TSA certificate was valid when it stamped.
fn check_validity(cert: &Certificate, at: SystemTime) -> Result<(), TimestampError> {
    let validity = &cert.tbs_certificate.validity;
    if at < validity.not_before.to_system_time() || at > validity.not_after.to_system_time() {
        return Err(invalid(
            "the TSA certificate was not valid at the time it stamped".into(),
        ));
    }
    Ok(())
}

fn invalid(why: String) -> TimestampError {
    TimestampError::Invalid(why)
}

fn malformed(what: &'static str) -> impl Fn(der::Error) -> TimestampError {
    move |e| TimestampError::Invalid(format!("{what}: {e}"))
}
