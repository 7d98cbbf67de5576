//! CMS SignedData (RFC 5652) in the CAdES-BES shape that NCALayer's
//! `createCMSSignatureFromBase64` produces: one signer, its certificate, and the signed
//! attributes contentType, messageDigest, signingTime and signingCertificateV2.
//!
//! Built from the `cms`/`x509-cert` types directly rather than `cms::builder`: the builder
//! drops our key errors, stamps its own signing time, needs the RSA/AES-laden `builder`
//! feature and copies attached content several times. The outer layers here borrow the
//! content and the certificate instead, so the output is written in one pass.

use std::time::SystemTime;

use ::cms::cert::IssuerAndSerialNumber;
use ::cms::content_info::CmsVersion;
use ::cms::signed_data::{SignedAttributes, SignerIdentifier, SignerInfo, SignerInfos};
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{
    GeneralizedTime, ObjectIdentifier, OctetString, OctetStringRef, SetOfVec, UtcTime,
};
use der::{Any, AnyRef, DateTime, Decode, Encode, EncodeValue, Sequence, Tagged};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::{KeyError, RawSigner, SignatureAlgorithm};

/// Why a CMS signature could not be made; messages never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum CmsError {
    #[error("the signer certificate is not a valid X.509 certificate: {0}")]
    InvalidCertificate(String),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("could not encode the CMS signature: {0}")]
    Encoding(String),
    /// A precomputed hash whose length does not fit the key's hash algorithm.
    #[error("the hash is {got} bytes, but this {key} key signs {hash} hashes of {expected} bytes")]
    DigestLength {
        got: usize,
        expected: usize,
        key: &'static str,
        hash: &'static str,
    },
}

/// Signs `data` and returns the DER of a ContentInfo holding the SignedData.
///
/// ```
/// use qoltanba_core::{keystore, sign::{cms, EntrySigner}};
///
/// let store = keystore::open("../../certs-test/keystores/individual_sign.p12".as_ref(), "Qwerty12")?;
/// let signer = EntrySigner::new(&store.entries[0], Default::default())?;
/// let der = cms::sign_cms(&signer, b"document", false, std::time::SystemTime::now())?;
/// assert!(cms::to_pem(&der).starts_with("-----BEGIN CMS-----"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `detached` leaves the content out (the verifier supplies it); otherwise it is embedded
/// as id-data eContent. `signing_time` goes into the signingTime attribute as is.
pub fn sign_cms(
    signer: &dyn RawSigner,
    data: &[u8],
    detached: bool,
    signing_time: SystemTime,
) -> Result<Vec<u8>, CmsError> {
    let content_digest = signer.algorithm().digest(data);
    let econtent = if detached { None } else { Some(data) };
    build(signer, &content_digest, econtent, signing_time)
}

/// Signs a hash the caller computed over content it keeps: a detached CMS whose messageDigest
/// is `digest` (NCALayer's `createCAdESFromBase64Hash`).
///
/// The hash must be the key's: SHA-256 (32 bytes) for RSA, GOST 34.11-2015 512-bit (64 bytes)
/// for GOST 2015 keys; any other length is [`CmsError::DigestLength`].
pub fn sign_cms_digest(
    signer: &dyn RawSigner,
    digest: &[u8],
    signing_time: SystemTime,
) -> Result<Vec<u8>, CmsError> {
    let algorithm = signer.algorithm();
    if digest.len() != algorithm.digest_len() {
        return Err(CmsError::DigestLength {
            got: digest.len(),
            expected: algorithm.digest_len(),
            key: algorithm.key_name(),
            hash: algorithm.hash_name(),
        });
    }
    build(signer, digest, None, signing_time)
}

/// The SignedData around `content_digest`; `econtent` is embedded when given.
fn build(
    signer: &dyn RawSigner,
    content_digest: &[u8],
    econtent: Option<&[u8]>,
    signing_time: SystemTime,
) -> Result<Vec<u8>, CmsError> {
    let cert_der = signer.certificate_der();
    let invalid_cert = |e: der::Error| CmsError::InvalidCertificate(e.to_string());
    let cert = Certificate::from_der(cert_der).map_err(invalid_cert)?;
    // Embedded verbatim: re-encoding a parsed certificate could alter bytes its CA signed.
    let cert_tlv = AnyRef::from_der(cert_der).map_err(invalid_cert)?;
    let (digest_alg, signature_alg) = algorithm_identifiers(signer.algorithm());

    let signed_attrs = signed_attributes(&cert, cert_der, content_digest, signing_time)?;
    let to_be_signed = signed_attrs
        .to_der()
        .map_err(encoding("signed attributes"))?;
    let signature = signer.sign(&to_be_signed)?;

    let tbs = &cert.tbs_certificate;
    let signer_info = SignerInfo {
        // v1 because the signer is identified by issuer and serial number (RFC 5652 §5.3).
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signature_alg,
        signature: OctetString::new(signature).map_err(encoding("signature value"))?,
        unsigned_attrs: None,
    };
    let econtent = econtent
        .map(|data| OctetStringRef::new(data).map_err(encoding("content")))
        .transpose()?;
    let content_info = ContentInfoRef {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: SignedDataRef {
            // v1: id-data content, X.509 certificates only, v1 SignerInfo (RFC 5652 §5.1).
            version: CmsVersion::V1,
            digest_algorithms: set_of(digest_alg)?,
            encap_content_info: EncapsulatedContentInfoRef {
                econtent_type: rfc5911::ID_DATA,
                econtent,
            },
            certificates: set_of(cert_tlv)?,
            signer_infos: SignerInfos(set_of(signer_info)?),
        },
    };
    content_info.to_der().map_err(encoding("SignedData"))
}

/// Wraps DER CMS in `-----BEGIN CMS-----` armour (RFC 7468), 64 base64 characters a line.
pub fn to_pem(der: &[u8]) -> String {
    // Fails only for an invalid label or a length overflowing usize, neither possible here.
    pem_rfc7468::encode_string("CMS", pem_rfc7468::LineEnding::LF, der)
        .expect("PEM encoding of an in-memory buffer with a constant label cannot fail")
}

/// Digest and signature AlgorithmIdentifiers for a key's algorithm.
fn algorithm_identifiers(
    algorithm: SignatureAlgorithm,
) -> (AlgorithmIdentifierOwned, AlgorithmIdentifierOwned) {
    match algorithm {
        SignatureAlgorithm::RsaSha256 => (
            sha256_identifier(),
            // RFC 4055 §5: PKCS #1 v1.5 signature parameters MUST be NULL.
            AlgorithmIdentifierOwned {
                oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
        ),
        // As in NCA's GOST certificates: KZ OIDs, signature parameters NULL.
        SignatureAlgorithm::Gost2015 => (
            AlgorithmIdentifierOwned {
                oid: OID_STREEBOG_512_KZ,
                parameters: None,
            },
            AlgorithmIdentifierOwned {
                oid: OID_GOST2015_512_SIGNATURE_KZ,
                parameters: Some(Any::null()),
            },
        ),
    }
}

/// GOST 34.11-2015 512-bit (Streebog-512), Kazakhstan arc: the hash named in NCA GOST keys.
pub const OID_STREEBOG_512_KZ: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.398.3.10.1.3.3");
/// GOST 34.10-2015 512-bit with GOST 34.11-2015 512-bit, Kazakhstan arc.
pub const OID_GOST2015_512_SIGNATURE_KZ: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.398.3.10.1.1.2.3.2");

/// SHA-256 with absent parameters, as RFC 5754 §2 prefers.
fn sha256_identifier() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    }
}

/// The four CAdES-BES signed attributes, DER-sorted as a SET OF.
fn signed_attributes(
    cert: &Certificate,
    cert_der: &[u8],
    content_digest: &[u8],
    signing_time: SystemTime,
) -> Result<SignedAttributes, CmsError> {
    let tbs = &cert.tbs_certificate;
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(cert_der).to_vec())
                .map_err(encoding("certificate hash"))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            }),
        }],
    };
    let digest = OctetStringRef::new(content_digest).map_err(encoding("message digest"))?;
    let attributes = vec![
        attribute(rfc5911::ID_CONTENT_TYPE, &rfc5911::ID_DATA)?,
        attribute(rfc5911::ID_MESSAGE_DIGEST, &digest)?,
        attribute(rfc5911::ID_SIGNING_TIME, &cms_time(signing_time)?)?,
        attribute(rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, &signing_certificate)?,
    ];
    SetOfVec::try_from(attributes).map_err(encoding("signed attributes"))
}

/// A single-valued attribute.
fn attribute(
    oid: ObjectIdentifier,
    value: &(impl EncodeValue + Tagged),
) -> Result<Attribute, CmsError> {
    let value = Any::encode_from(value).map_err(encoding("attribute value"))?;
    Ok(Attribute {
        oid,
        values: set_of(value)?,
    })
}

/// RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise.
fn cms_time(time: SystemTime) -> Result<Time, CmsError> {
    let date_time = DateTime::from_system_time(time).map_err(encoding("signing time"))?;
    if date_time.year() <= UtcTime::MAX_YEAR {
        let utc = UtcTime::from_date_time(date_time).map_err(encoding("signing time"))?;
        Ok(Time::UtcTime(utc))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(
            date_time,
        )))
    }
}

/// A one-element SET OF.
fn set_of<T: der::DerOrd>(item: T) -> Result<SetOfVec<T>, CmsError> {
    SetOfVec::try_from([item]).map_err(encoding("SET OF"))
}

/// Maps a DER error to `CmsError::Encoding`, naming what was being encoded.
fn encoding(what: &'static str) -> impl Fn(der::Error) -> CmsError {
    move |e| CmsError::Encoding(format!("{what}: {e}"))
}

/// ContentInfo whose SignedData borrows content and certificate instead of copying them.
#[derive(Sequence)]
struct ContentInfoRef<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: SignedDataRef<'a>,
}

/// RFC 5652 SignedData without crls, which Qoltanba never sends.
#[derive(Sequence)]
struct SignedDataRef<'a> {
    version: CmsVersion,
    digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    encap_content_info: EncapsulatedContentInfoRef<'a>,
    /// CertificateChoices kept as the exact DER the signer handed us.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    certificates: SetOfVec<AnyRef<'a>>,
    signer_infos: SignerInfos,
}

/// EncapsulatedContentInfo; `econtent` is absent for a detached signature.
#[derive(Sequence)]
struct EncapsulatedContentInfoRef<'a> {
    econtent_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    econtent: Option<OctetStringRef<'a>>,
}

/// RFC 5035 SigningCertificateV2; `policies` is never sent.
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// RFC 5035 ESSCertIDv2.
#[derive(Sequence)]
struct EssCertIdV2 {
    /// `DEFAULT sha256`, so always `None`: DER omits a value equal to its default.
    /// (der_derive 0.7's `default` attribute only works for `Copy` types.)
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 IssuerSerial.
#[derive(Sequence)]
struct IssuerSerial {
    issuer: GeneralNames,
    serial_number: SerialNumber,
}
