//! Private keys from PKCS#8: RSA goes to aws-lc-rs; other algorithms are named, not used.

use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use der::Decode;
use zeroize::Zeroizing;

use crate::cert::KeyAlgorithm;
use crate::error::{Error, Result};

/// A private key from a keystore. aws-lc frees (and cleanses) the RSA key on drop.
pub enum PrivateKey {
    Rsa(RsaKeyPair),
    /// A key Qoltanba recognises but cannot sign with yet (GOST, EC).
    Unsupported(KeyAlgorithm),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrivateKey::Rsa(key) => {
                write!(f, "PrivateKey::Rsa({} bits)", key.public_modulus_len() * 8)
            }
            PrivateKey::Unsupported(algorithm) => write!(f, "PrivateKey::Unsupported({algorithm})"),
        }
    }
}

impl PrivateKey {
    /// Parses a decrypted PKCS#8 PrivateKeyInfo; the buffer is zeroized by the caller.
    pub(super) fn from_pkcs8(pkcs8: &Zeroizing<Vec<u8>>) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfo::from_der(pkcs8)
            .map_err(|e| Error::Corrupted(format!("private key: {e}")))?;
        let algorithm = KeyAlgorithm::from_key_oid(
            &info.algorithm.oid.to_string(),
            info.algorithm
                .parameters
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .map(|oid| oid.to_string())
                .as_deref(),
        );
        match algorithm {
            KeyAlgorithm::Rsa => RsaKeyPair::from_pkcs8(pkcs8)
                .map(PrivateKey::Rsa)
                .map_err(|e| Error::Corrupted(format!("RSA private key rejected: {e}"))),
            other => Ok(PrivateKey::Unsupported(other)),
        }
    }

    /// The public key in the form certificates carry it, to pair keys with certificates.
    pub(super) fn public_key_bytes(&self) -> Option<&[u8]> {
        match self {
            PrivateKey::Rsa(key) => Some(key.public_key().as_ref()),
            PrivateKey::Unsupported(_) => None,
        }
    }
}
