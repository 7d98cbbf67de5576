//! Public-key signature checks through aws-lc-rs, chosen by the algorithm OIDs the data names.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use crate::error::{Result, VerifyError};

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";
const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";
const GOST2015_512_KEY: &str = "1.2.398.3.10.1.1.2.2";
/// KZ's GOST 34.10-2015 512-bit signature with Streebog-512 (certificates, CMS, tokens).
pub(crate) const GOST2015_512_SIGNATURE: &str = "1.2.398.3.10.1.1.2.3.2";
pub(crate) const SHA1: &str = "1.3.14.3.2.26";
/// Streebog-512 (GOST 34.11-2015) under KZ's OID, as NCA's CMS names it.
pub(crate) const STREEBOG_512_KZ: &str = "1.2.398.3.10.1.3.3";
pub(crate) const SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub(crate) const SHA384: &str = "2.16.840.1.101.3.4.2.2";
pub(crate) const SHA512: &str = "2.16.840.1.101.3.4.2.3";

/// A subject public key as the certificate states it.
pub(crate) struct PublicKey<'a> {
    /// The SubjectPublicKeyInfo algorithm OID.
    pub algorithm: String,
    /// For EC keys: the named curve OID.
    pub curve: Option<String>,
    /// The subjectPublicKey bits (RSAPublicKey DER for RSA, the point for EC).
    pub key: &'a [u8],
}

impl<'a> PublicKey<'a> {
    /// The key of a parsed certificate.
    pub fn of(cert: &'a x509_parser::certificate::X509Certificate<'a>) -> Self {
        let spki = cert.public_key();
        PublicKey {
            algorithm: spki.algorithm.algorithm.to_id_string(),
            curve: spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string()),
            key: &spki.subject_public_key.data,
        }
    }
}

/// Checks `signature` over `message` by `key`; `signature_oid` is the signature algorithm and
/// `digest_oid` the digest, needed when CMS names only "rsaEncryption" as the algorithm.
pub(crate) fn verify(
    key: &PublicKey<'_>,
    signature_oid: &str,
    digest_oid: Option<&str>,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    if signature_oid == GOST2015_512_SIGNATURE {
        return verify_gost2015(key, message, signature);
    }
    let algorithm = scheme(key, signature_oid, digest_oid)?;
    UnparsedPublicKey::new(algorithm, key.key)
        .verify(message, signature)
        .map_err(|_| VerifyError::BadSignature)
}

/// GOST keys and signatures use KZ byte orders; the core's `gost` module knows them.
fn verify_gost2015(key: &PublicKey<'_>, message: &[u8], signature: &[u8]) -> Result<()> {
    use der::Decode;
    use qoltanba_core::gost::{Signature, VerifyingKey};
    if key.algorithm != GOST2015_512_KEY {
        return Err(unsupported_key(key));
    }
    let point = der::asn1::OctetStringRef::from_der(key.key)
        .map_err(|e| VerifyError::BadCertificate(format!("GOST public key: {e}")))?;
    let public = VerifyingKey::from_kz_bytes(point.as_bytes())
        .map_err(|e| VerifyError::BadCertificate(format!("GOST public key: {e}")))?;
    let signature = Signature::from_kz_bytes(signature).map_err(|_| VerifyError::BadSignature)?;
    public
        .verify(message, &signature)
        .map_err(|_| VerifyError::BadSignature)
}

fn scheme(
    key: &PublicKey<'_>,
    signature_oid: &str,
    digest_oid: Option<&str>,
) -> Result<&'static dyn VerificationAlgorithm> {
    let rsa_digest = match signature_oid {
        SHA1_WITH_RSA => Some(SHA1),
        SHA256_WITH_RSA => Some(SHA256),
        SHA384_WITH_RSA => Some(SHA384),
        SHA512_WITH_RSA => Some(SHA512),
        RSA_ENCRYPTION => digest_oid,
        _ => None,
    };
    if let Some(digest) = rsa_digest {
        if key.algorithm != RSA_ENCRYPTION {
            return Err(unsupported_key(key));
        }
        return Ok(match digest {
            SHA1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            SHA256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            SHA384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            SHA512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            other => {
                return Err(VerifyError::UnsupportedAlgorithm(format!(
                    "RSA with digest {other}"
                )))
            }
        });
    }
    match (signature_oid, key.algorithm.as_str(), key.curve.as_deref()) {
        (ECDSA_SHA256, EC_PUBLIC_KEY, Some(P256)) => Ok(&signature::ECDSA_P256_SHA256_ASN1),
        (ECDSA_SHA384, EC_PUBLIC_KEY, Some(P384)) => Ok(&signature::ECDSA_P384_SHA384_ASN1),
        (ECDSA_SHA256 | ECDSA_SHA384, _, _) => Err(unsupported_key(key)),
        (other, _, _) => Err(VerifyError::UnsupportedAlgorithm(signature_name(other))),
    }
}

fn unsupported_key(key: &PublicKey<'_>) -> VerifyError {
    let name =
        qoltanba_core::cert::KeyAlgorithm::from_key_oid(&key.algorithm, key.curve.as_deref());
    VerifyError::UnsupportedAlgorithm(format!("{name} keys"))
}

/// A readable name for the signature OIDs NCA uses, so "unsupported" says what it met.
fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.398.3.10.1.1.1.2" => format!("GOST 34.310-2004 signatures ({oid})"),
        "1.2.398.3.10.1.1.2.3.2" => format!("GOST 34.10-2015 (512-bit) signatures ({oid})"),
        other => format!("signature algorithm {other}"),
    }
}
