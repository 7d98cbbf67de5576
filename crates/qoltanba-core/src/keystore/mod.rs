//! PKCS#12 keystores: finding them on disk and opening them with a password.
//!
//! Opens real NCA files (BER, 3DES key bag, RC2-40 certificate bag, SHA-1 MAC) as well as
//! OpenSSL 3 default (PBES2/AES-256/SHA-256 MAC) and `-legacy` files.
//!
//! ```
//! use std::path::PathBuf;
//! use qoltanba_core::{keystore, Error};
//!
//! let found = keystore::find(&[PathBuf::from("../../certs-test/keystores")], false);
//! let store = keystore::open(&found[0], "Qwerty12")?;
//! println!("{}", store.entries[0].certificate.info.subject);
//! assert!(matches!(keystore::open(&found[0], "wrong"), Err(Error::WrongPassword)));
//! # Ok::<(), qoltanba_core::Error>(())
//! ```

mod key;
mod pbe;
mod pfx;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

pub use key::{Gost2015Key, PrivateKey};
use pfx::{Bag, BagAttributes, BagValue, PfxError, SafeContents};

use crate::cert::Certificate;
use crate::error::{Error, Result};

/// Nested SafeContents deeper than this are hostile, not real keystores.
const MAX_NESTING: usize = 4;

/// An opened keystore: one entry per private key, plus any other certificates (CA chain).
#[derive(Debug)]
pub struct Keystore {
    pub entries: Vec<Entry>,
    pub other_certificates: Vec<Certificate>,
}

/// A private key with its certificate.
#[derive(Debug)]
pub struct Entry {
    /// The friendlyName; NCA sets it to the certificate's key identifier in hex.
    pub alias: Option<String>,
    pub certificate: Certificate,
    pub key: PrivateKey,
}

/// Lists `*.p12` / `*.pfx` files in `dirs` (sorted; unreadable folders are skipped).
pub fn find(dirs: &[PathBuf], recursive: bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in dirs {
        collect(dir, recursive, &mut found);
    }
    found.sort();
    found.dedup();
    found
}

fn collect(dir: &Path, recursive: bool, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if recursive {
                collect(&path, recursive, found);
            }
        } else if is_keystore_name(&path) {
            found.push(path);
        }
    }
}

/// True for file names ending in .p12 or .pfx, in any letter case.
pub fn is_keystore_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
}

/// Reads and opens a keystore file.
pub fn open(path: &Path, password: &str) -> Result<Keystore> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    open_bytes(&bytes, password)
}

/// Opens a keystore held in memory.
pub fn open_bytes(bytes: &[u8], password: &str) -> Result<Keystore> {
    let pfx = pfx::decode_pfx(bytes)?;
    let mac_verified = match &pfx.mac {
        Some(mac) => {
            pbe::verify_mac(mac, password, &pfx.auth_safe)?;
            true
        }
        None => false,
    };
    match read_contents(&pfx.auth_safe, password, mac_verified) {
        // Without a MAC, garbage after decryption is far more likely a typo than damage.
        Err(Error::Corrupted(_) | Error::InvalidCertificate(_)) if !mac_verified => {
            Err(Error::WrongPassword)
        }
        other => other,
    }
}

fn read_contents(auth_safe: &[u8], password: &str, mac_verified: bool) -> Result<Keystore> {
    let decrypt =
        |algorithm: &pfx::AlgorithmId, data: &[u8]| match pbe::decrypt(algorithm, password, data) {
            // The MAC proved the password, so a failed decryption is damage, not a typo.
            Err(Error::WrongPassword) if mac_verified => Err(Error::Corrupted(
                "a part of the keystore does not decrypt although the password is right".into(),
            )),
            other => other,
        };

    let mut bags = Vec::new();
    for contents in pfx::decode_authenticated_safe(auth_safe)? {
        let plain = match contents {
            SafeContents::Plain(data) => Zeroizing::new(data),
            SafeContents::Encrypted {
                algorithm,
                ciphertext,
            } => decrypt(&algorithm, &ciphertext)?,
        };
        read_bags(&plain, 0, &mut bags)?;
    }

    let mut keys = Vec::new();
    let mut certificates = Vec::new();
    for bag in bags {
        match bag.value {
            BagValue::Key { encryption, data } => {
                let pkcs8 = match encryption {
                    Some(algorithm) => decrypt(&algorithm, &data)?,
                    None => Zeroizing::new(data),
                };
                keys.push((PrivateKey::from_pkcs8(&pkcs8)?, bag.attributes));
            }
            BagValue::Certificate(der) => {
                certificates.push((Certificate::from_der(&der)?, bag.attributes))
            }
            BagValue::Nested(_) => {}
        }
    }
    pair_keys_with_certificates(keys, certificates)
}

impl From<PfxError> for Error {
    fn from(e: PfxError) -> Self {
        match e {
            PfxError::NotPfx => Error::NotPkcs12,
            PfxError::Malformed(why) => Error::Corrupted(why),
            PfxError::Unsupported(what) => Error::UnsupportedEncryption(what),
        }
    }
}

fn read_bags(safe_contents: &[u8], depth: usize, out: &mut Vec<Bag>) -> Result<()> {
    if depth > MAX_NESTING {
        return Err(Error::Corrupted("SafeContents nested too deeply".into()));
    }
    let bags = pfx::decode_safe_contents(safe_contents)
        .map_err(|e| Error::Corrupted(format!("SafeContents: {e}")))?;
    for bag in bags {
        match &bag.value {
            BagValue::Nested(inner) => read_bags(inner, depth + 1, out)?,
            _ => out.push(bag),
        }
    }
    Ok(())
}

/// Pairs each key with its certificate: by localKeyId, else by public key, else the only one.
fn pair_keys_with_certificates(
    keys: Vec<(PrivateKey, BagAttributes)>,
    mut certificates: Vec<(Certificate, BagAttributes)>,
) -> Result<Keystore> {
    if keys.is_empty() {
        return Err(Error::NoPrivateKey);
    }
    let single_key = keys.len() == 1;
    let mut entries = Vec::with_capacity(keys.len());
    for (key, attributes) in keys {
        let by_id = attributes.local_key_id.as_ref().and_then(|id| {
            certificates
                .iter()
                .position(|(_, a)| a.local_key_id.as_ref() == Some(id))
        });
        let by_public_key = || {
            key.public_key_bytes().and_then(|public| {
                certificates
                    .iter()
                    .position(|(c, _)| c.public_key_bytes() == public)
            })
        };
        let only_end_entity = || {
            let mut end_entities = certificates
                .iter()
                .enumerate()
                .filter(|(_, (c, _))| !c.info.is_ca);
            match (single_key, end_entities.next(), end_entities.next()) {
                (true, Some((index, _)), None) => Some(index),
                _ => None,
            }
        };
        let index = by_id
            .or_else(by_public_key)
            .or_else(only_end_entity)
            .ok_or_else(|| {
                Error::Corrupted("a private key in the keystore has no certificate".into())
            })?;
        let (certificate, cert_attributes) = certificates.remove(index);
        entries.push(Entry {
            alias: attributes.friendly_name.or(cert_attributes.friendly_name),
            certificate,
            key,
        });
    }
    Ok(Keystore {
        entries,
        other_certificates: certificates.into_iter().map(|(c, _)| c).collect(),
    })
}
