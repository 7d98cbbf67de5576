//! Private keys from PKCS#8: RSA goes to aws-lc-rs, GOST 34.10-2015 to `crate::gost`;
//! other algorithms are named, not used.

use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use der::Decode;
use zeroize::Zeroizing;

use crate::cert::KeyAlgorithm;
use crate::error::{Error, Result};
use crate::gost;

/// A private key from a keystore. aws-lc frees (and cleanses) the RSA key on drop.
pub enum PrivateKey {
    Rsa(RsaKeyPair),
    /// GOST 34.10-2015 512-bit (NCA keys since 2024); the scalar is wiped on drop.
    Gost2015(Gost2015Key),
    /// A key Qoltanba recognises but cannot sign with yet (GOST 2004, EC).
    Unsupported(KeyAlgorithm),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrivateKey::Rsa(key) => {
                write!(f, "PrivateKey::Rsa({} bits)", key.public_modulus_len() * 8)
            }
            PrivateKey::Gost2015(_) => f.write_str("PrivateKey::Gost2015(512-bit)"),
            PrivateKey::Unsupported(algorithm) => write!(f, "PrivateKey::Unsupported({algorithm})"),
        }
    }
}

/// A GOST 34.10-2015 key with its public key, computed once to pair it with its certificate.
pub struct Gost2015Key {
    pub signing: gost::SigningKey,
    /// The certificate's subjectPublicKey bits: OCTET STRING of x‖y (little-endian halves).
    spki_bits: Vec<u8>,
}

impl Gost2015Key {
    /// Reads the PKCS#8 privateKey content: an OCTET STRING of the 64-byte little-endian scalar
    /// (NCA), or the bare 64 bytes.
    fn from_private_key_field(field: &[u8]) -> Result<Self> {
        let scalar = match der::asn1::OctetStringRef::from_der(field) {
            Ok(inner) => inner.as_bytes(),
            Err(_) => field,
        };
        let signing = gost::SigningKey::from_kz_bytes(scalar)
            .map_err(|e| Error::Corrupted(format!("private key: {e}")))?;
        let public = signing.verifying_key().to_kz_bytes();
        let spki_bits = der::asn1::OctetStringRef::new(&public)
            .and_then(|o| der::Encode::to_der(&o))
            .map_err(|e| Error::Corrupted(format!("GOST public key: {e}")))?;
        Ok(Gost2015Key { signing, spki_bits })
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
            KeyAlgorithm::Gost2015 => {
                Gost2015Key::from_private_key_field(info.private_key).map(PrivateKey::Gost2015)
            }
            other => Ok(PrivateKey::Unsupported(other)),
        }
    }

    /// The public key in the form certificates carry it, to pair keys with certificates.
    pub(super) fn public_key_bytes(&self) -> Option<&[u8]> {
        match self {
            PrivateKey::Rsa(key) => Some(key.public_key().as_ref()),
            PrivateKey::Gost2015(key) => Some(&key.spki_bits),
            PrivateKey::Unsupported(_) => None,
        }
    }
}
