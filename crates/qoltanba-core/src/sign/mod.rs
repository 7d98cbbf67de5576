//! Signatures: raw, CMS SignedData and enveloped XMLDSig, with RSA or GOST 34.10-2015 keys.
//!
//! RSA goes through aws-lc-rs (constant-time, near OpenSSL speed), GOST through `crate::gost`.

pub mod cms;
pub mod xml;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::keystore::{Entry, PrivateKey};

/// An algorithm's hash in progress: a large document is hashed a chunk at a time as it is
/// decoded, never held whole.
pub enum Hasher {
    Sha256(sha2::Sha256),
    Streebog512(streebog::Streebog512),
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        use sha2::Digest as _;
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Streebog512(h) => h.update(data),
        }
    }

    pub fn finalize(self) -> Vec<u8> {
        use sha2::Digest as _;
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Streebog512(h) => h.finalize().to_vec(),
        }
    }
}

/// The signature algorithms Qoltanba produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaSha256,
    /// GOST 34.10-2015 512-bit with Streebog-512; r‖s little-endian halves (KZ order).
    Gost2015,
}

impl SignatureAlgorithm {
    /// The hash this algorithm signs with, as CMS messageDigest and XML DigestValue use it.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finalize()
    }

    /// [`Self::digest`] for data that arrives in pieces.
    pub fn hasher(self) -> Hasher {
        match self {
            SignatureAlgorithm::RsaSha256 => Hasher::Sha256(Default::default()),
            SignatureAlgorithm::Gost2015 => Hasher::Streebog512(Default::default()),
        }
    }

    /// Length in bytes of [`Self::digest`]'s output.
    pub fn digest_len(self) -> usize {
        match self {
            SignatureAlgorithm::RsaSha256 => 32,
            SignatureAlgorithm::Gost2015 => 64,
        }
    }

    /// The hash's name, as error messages show it.
    pub fn hash_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "SHA-256",
            SignatureAlgorithm::Gost2015 => "GOST 34.11-2015 (Streebog-512)",
        }
    }

    /// The key's name, as error messages show it.
    pub fn key_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "RSA",
            SignatureAlgorithm::Gost2015 => "GOST 34.10-2015",
        }
    }

    /// The name login and register tokens carry (docs/PROTOCOL.md).
    pub fn token_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "RS256",
            SignatureAlgorithm::Gost2015 => "GOST512",
        }
    }
}

/// Signing failed inside the key; the message says why without any key material.
#[derive(Debug, thiserror::Error)]
#[error("the key could not sign: {0}")]
pub struct KeyError(pub String);

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Error::Signing(e.0)
    }
}

/// A private key with its certificate, as the CMS and XML builders see it.
pub trait RawSigner {
    fn algorithm(&self) -> SignatureAlgorithm;
    /// DER of the signer's X.509 certificate.
    fn certificate_der(&self) -> &[u8];
    /// Signs `message` (the whole message; the algorithm hashes it).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// What the caller decides about a signature: the clock and whether expired keys may sign.
#[derive(Debug, Clone, Copy)]
pub struct SignOptions {
    pub now: OffsetDateTime,
    pub allow_expired: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            now: OffsetDateTime::now_utc(),
            allow_expired: false,
        }
    }
}

/// A keystore entry cleared for signing: supported key, certificate valid (or allowed).
pub struct EntrySigner<'a> {
    entry: &'a Entry,
    rng: SystemRandom,
}

impl<'a> EntrySigner<'a> {
    /// Checks the key algorithm and the certificate's validity before any signature is made.
    pub fn new(entry: &'a Entry, options: SignOptions) -> Result<Self> {
        if let PrivateKey::Unsupported(algorithm) = &entry.key {
            return Err(Error::UnsupportedKeyAlgorithm(algorithm.to_string()));
        }
        entry
            .certificate
            .check_validity(options.now, options.allow_expired)?;
        Ok(EntrySigner {
            entry,
            rng: SystemRandom::new(),
        })
    }
}

impl RawSigner for EntrySigner<'_> {
    fn algorithm(&self) -> SignatureAlgorithm {
        match self.entry.key {
            PrivateKey::Gost2015(_) => SignatureAlgorithm::Gost2015,
            PrivateKey::Rsa(_) | PrivateKey::Unsupported(_) => SignatureAlgorithm::RsaSha256,
        }
    }

    fn certificate_der(&self) -> &[u8] {
        &self.entry.certificate.der
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.entry.key {
            PrivateKey::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
                    .map_err(|_| KeyError("RSA signing failed".into()))?;
                Ok(signature)
            }
            PrivateKey::Gost2015(key) => key
                .signing
                .sign(message)
                .map(|signature| signature.to_kz_bytes().to_vec())
                .map_err(|e| KeyError(e.to_string())),
            PrivateKey::Unsupported(algorithm) => {
                Err(KeyError(format!("{algorithm} keys cannot sign yet")))
            }
        }
    }
}

/// A bare signature over `data`: RSASSA-PKCS1-v1_5 SHA-256, or GOST r‖s (KZ byte order).
pub fn sign_raw(signer: &dyn RawSigner, data: &[u8]) -> Result<Vec<u8>> {
    Ok(signer.sign(data)?)
}

impl From<xml::XmlError> for Error {
    fn from(e: xml::XmlError) -> Self {
        match e {
            xml::XmlError::InvalidXml(why) => Error::InvalidXml(why),
            xml::XmlError::Refused(refusal) => Error::InvalidXml(refusal.to_string()),
            xml::XmlError::Key(key) => key.into(),
            other => Error::Signing(other.to_string()),
        }
    }
}

impl From<cms::CmsError> for Error {
    fn from(e: cms::CmsError) -> Self {
        match e {
            cms::CmsError::InvalidCertificate(why) => Error::InvalidCertificate(why),
            cms::CmsError::Key(key) => key.into(),
            other => Error::Signing(other.to_string()),
        }
    }
}
