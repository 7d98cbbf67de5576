//! Checks a signature against a certificate's public key: what timestamp tokens and OCSP
//! responses are signed with (RSA PKCS#1 v1.5, ECDSA P-256/P-384, GOST 34.10-2015 512-bit).

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use const_oid::db::rfc5912;
use der::asn1::ObjectIdentifier;
use der::Decode;
use sha2::Digest as _;
use x509_cert::Certificate;

use crate::sign::cms::{OID_GOST2015_512_SIGNATURE_KZ, OID_STREEBOG_512_KZ};

/// GOST 34.10-2015 512-bit public key, Kazakhstan arc.
const OID_GOST2015_512_KEY_KZ: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.398.3.10.1.1.2.2");

/// Why a signature did not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureCheckError {
    #[error("the signature does not match the signed data and the key")]
    Mismatch,
    #[error("unsupported signature: {0}")]
    Unsupported(String),
    #[error("the signer's certificate cannot be read: {0}")]
    BadCertificate(String),
}

/// Hashes `data` with the algorithm named by `oid`, or `None` for an unknown algorithm.
pub fn digest_by_oid(oid: &ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    Some(match *oid {
        rfc5912::ID_SHA_1 => sha1::Sha1::digest(data).to_vec(),
        rfc5912::ID_SHA_256 => sha2::Sha256::digest(data).to_vec(),
        rfc5912::ID_SHA_384 => sha2::Sha384::digest(data).to_vec(),
        rfc5912::ID_SHA_512 => sha2::Sha512::digest(data).to_vec(),
        OID_STREEBOG_512_KZ => crate::gost::streebog512(data).to_vec(),
        _ => return None,
    })
}

/// Checks `signature` over `message` with the key of the certificate `cert`.
///
/// `digest` is the hash named beside the signature (CMS digestAlgorithm), needed when the
/// signature algorithm is bare rsaEncryption.
pub fn verify_signature(
    cert: &Certificate,
    signature_algorithm: &ObjectIdentifier,
    digest: Option<&ObjectIdentifier>,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureCheckError> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key_bytes = spki.subject_public_key.raw_bytes();
    if *signature_algorithm == OID_GOST2015_512_SIGNATURE_KZ {
        if spki.algorithm.oid != OID_GOST2015_512_KEY_KZ {
            return Err(unsupported_key(&spki.algorithm.oid));
        }
        return verify_gost(key_bytes, message, signature);
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let algorithm = scheme(&spki.algorithm.oid, curve, signature_algorithm, digest)?;
    UnparsedPublicKey::new(algorithm, key_bytes)
        .verify(message, signature)
        .map_err(|_| SignatureCheckError::Mismatch)
}

fn verify_gost(key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), SignatureCheckError> {
    use crate::gost::{Signature, VerifyingKey};
    let bad_key = |e: String| SignatureCheckError::BadCertificate(format!("GOST public key: {e}"));
    let point = der::asn1::OctetStringRef::from_der(key).map_err(|e| bad_key(e.to_string()))?;
    let public =
        VerifyingKey::from_kz_bytes(point.as_bytes()).map_err(|e| bad_key(e.to_string()))?;
    let signature =
        Signature::from_kz_bytes(signature).map_err(|_| SignatureCheckError::Mismatch)?;
    public
        .verify(message, &signature)
        .map_err(|_| SignatureCheckError::Mismatch)
}

const ECDSA_WITH_SHA_256: ObjectIdentifier = rfc5912::ECDSA_WITH_SHA_256;
const ECDSA_WITH_SHA_384: ObjectIdentifier = rfc5912::ECDSA_WITH_SHA_384;

/// The aws-lc-rs verification algorithm for a key, signature algorithm and digest.
fn scheme(
    key: &ObjectIdentifier,
    curve: Option<ObjectIdentifier>,
    signature_algorithm: &ObjectIdentifier,
    digest: Option<&ObjectIdentifier>,
) -> Result<&'static dyn VerificationAlgorithm, SignatureCheckError> {
    let rsa_digest = match *signature_algorithm {
        rfc5912::SHA_1_WITH_RSA_ENCRYPTION => Some(rfc5912::ID_SHA_1),
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Some(rfc5912::ID_SHA_256),
        rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Some(rfc5912::ID_SHA_384),
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Some(rfc5912::ID_SHA_512),
        rfc5912::RSA_ENCRYPTION => digest.copied(),
        _ => None,
    };
    if let Some(digest) = rsa_digest {
        if *key != rfc5912::RSA_ENCRYPTION {
            return Err(unsupported_key(key));
        }
        return match digest {
            rfc5912::ID_SHA_1 => Ok(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY),
            rfc5912::ID_SHA_256 => Ok(&signature::RSA_PKCS1_2048_8192_SHA256),
            rfc5912::ID_SHA_384 => Ok(&signature::RSA_PKCS1_2048_8192_SHA384),
            rfc5912::ID_SHA_512 => Ok(&signature::RSA_PKCS1_2048_8192_SHA512),
            other => Err(SignatureCheckError::Unsupported(format!(
                "RSA with digest {other}"
            ))),
        };
    }
    let ec = *key == rfc5912::ID_EC_PUBLIC_KEY;
    match (*signature_algorithm, curve) {
        (ECDSA_WITH_SHA_256, Some(rfc5912::SECP_256_R_1)) if ec => {
            Ok(&signature::ECDSA_P256_SHA256_ASN1)
        }
        (ECDSA_WITH_SHA_384, Some(rfc5912::SECP_384_R_1)) if ec => {
            Ok(&signature::ECDSA_P384_SHA384_ASN1)
        }
        (other, _) => Err(SignatureCheckError::Unsupported(format!(
            "signature algorithm {other} with key {key}"
        ))),
    }
}

fn unsupported_key(key: &ObjectIdentifier) -> SignatureCheckError {
    SignatureCheckError::Unsupported(format!("key algorithm {key}"))
}
