//! The PKCS#12 structures, read with a BER decoder (bcder) at every layer.
//!
//! Real NCA keystores use BER indefinite lengths and constructed OCTET STRINGs inside the
//! authenticated safe, so a strict DER reader cannot open them; bcder in `Mode::Ber` can.

use std::convert::Infallible;

use bcder::decode::{Constructed, DecodeError, Source};
use bcder::{Mode, OctetString, Oid, Tag};

pub(super) const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const OID_ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const OID_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const OID_SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const OID_CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const OID_SAFE_CONTENTS_BAG: &str = "1.2.840.113549.1.12.10.1.6";
const OID_X509_CERT: &str = "1.2.840.113549.1.9.22.1";
const OID_FRIENDLY_NAME: &str = "1.2.840.113549.1.9.20";
const OID_LOCAL_KEY_ID: &str = "1.2.840.113549.1.9.21";

type DecodeResult<T> = Result<T, DecodeError<Infallible>>;

/// The outer PFX: the authenticated safe's bytes and the MAC that protects them.
pub(super) struct Pfx {
    pub auth_safe: Vec<u8>,
    pub mac: Option<MacData>,
}

pub(super) struct MacData {
    pub digest_oid: String,
    pub digest: Vec<u8>,
    pub salt: Vec<u8>,
    pub iterations: u32,
}

/// An AlgorithmIdentifier with its parameters kept as encoded bytes.
pub(super) struct AlgorithmId {
    pub oid: String,
    pub params: Vec<u8>,
}

/// One element of the authenticated safe.
pub(super) enum SafeContents {
    Plain(Vec<u8>),
    Encrypted {
        algorithm: AlgorithmId,
        ciphertext: Vec<u8>,
    },
}

/// A bag Qoltanba uses with its attributes; anything else (CRLs, secrets) is skipped.
pub(super) struct Bag {
    pub value: BagValue,
    pub attributes: BagAttributes,
}

pub(super) enum BagValue {
    /// A PKCS#8 private key, encrypted (shrouded) or not.
    Key {
        encryption: Option<AlgorithmId>,
        data: Vec<u8>,
    },
    Certificate(Vec<u8>),
    Nested(Vec<u8>),
}

#[derive(Default, Clone)]
pub(super) struct BagAttributes {
    pub friendly_name: Option<String>,
    pub local_key_id: Option<Vec<u8>>,
}

/// Why the outer structure could not be read.
pub(super) enum PfxError {
    /// The bytes do not start like a PFX: some other kind of file.
    NotPfx,
    /// It starts like a PFX but breaks off or is malformed.
    Malformed(String),
    /// A PFX protected in a way we do not support (public-key integrity or privacy).
    Unsupported(String),
}

/// Decodes the outer PFX; `looks_like_pfx` separates "other file" from "damaged keystore".
pub(super) fn decode_pfx(bytes: &[u8]) -> Result<Pfx, PfxError> {
    let mut looks_like_pfx = false;
    let mut content_type = String::new();
    let result = Constructed::decode(bytes, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            if cons.take_u8()? != 3 {
                return Err(cons.content_err("PFX version is not 3"));
            }
            let auth_safe = cons.take_sequence(|cons| {
                content_type = Oid::take_from(cons)?.to_string();
                looks_like_pfx = true;
                if content_type != OID_DATA {
                    cons.skip_all()?;
                    return Ok(Vec::new());
                }
                cons.take_constructed_if(Tag::CTX_0, take_octets)
            })?;
            let mac = cons.take_opt_sequence(take_mac_data)?;
            Ok(Pfx { auth_safe, mac })
        })
    });
    match result {
        Ok(_) if content_type == OID_SIGNED_DATA => Err(PfxError::Unsupported(
            "public-key integrity mode (signedData)".into(),
        )),
        Ok(_) if content_type != OID_DATA => Err(PfxError::Unsupported(format!(
            "an authenticated safe of type {content_type}"
        ))),
        Ok(pfx) => Ok(pfx),
        Err(_) if !looks_like_pfx => Err(PfxError::NotPfx),
        Err(e) => Err(PfxError::Malformed(e.to_string())),
    }
}

fn take_mac_data<S: Source>(cons: &mut Constructed<S>) -> Result<MacData, DecodeError<S::Error>> {
    let (digest_oid, digest) = cons.take_sequence(|cons| {
        let algorithm = take_algorithm(cons)?;
        Ok((algorithm.oid, take_octets(cons)?))
    })?;
    let salt = take_octets(cons)?;
    let iterations = cons.take_opt_u32()?.unwrap_or(1);
    Ok(MacData {
        digest_oid,
        digest,
        salt,
        iterations,
    })
}

/// Reads an OCTET STRING, joining the chunks of a constructed (BER) one.
fn take_octets<S: Source>(cons: &mut Constructed<S>) -> Result<Vec<u8>, DecodeError<S::Error>> {
    Ok(OctetString::take_from(cons)?.into_bytes().to_vec())
}

pub(super) fn take_algorithm<S: Source>(
    cons: &mut Constructed<S>,
) -> Result<AlgorithmId, DecodeError<S::Error>> {
    cons.take_sequence(|cons| {
        let oid = Oid::take_from(cons)?.to_string();
        let params = cons.capture_all()?.as_slice().to_vec();
        Ok(AlgorithmId { oid, params })
    })
}

/// Splits the authenticated safe into its SafeContents, plain or encrypted.
pub(super) fn decode_authenticated_safe(bytes: &[u8]) -> Result<Vec<SafeContents>, PfxError> {
    let mut unsupported = None;
    let contents = Constructed::decode(bytes, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let mut out = Vec::new();
            while let Some(item) = cons.take_opt_sequence(|cons| {
                let content_type = Oid::take_from(cons)?.to_string();
                match content_type.as_str() {
                    OID_DATA => Ok(Some(SafeContents::Plain(
                        cons.take_constructed_if(Tag::CTX_0, take_octets)?,
                    ))),
                    OID_ENCRYPTED_DATA => cons
                        .take_constructed_if(Tag::CTX_0, take_encrypted_data)
                        .map(Some),
                    other => {
                        unsupported = Some(if other == OID_ENVELOPED_DATA {
                            "public-key privacy mode (envelopedData)".to_string()
                        } else {
                            format!("content of type {other}")
                        });
                        cons.skip_all()?;
                        Ok(None)
                    }
                }
            })? {
                out.extend(item);
            }
            Ok(out)
        })
    })
    .map_err(|e: DecodeError<Infallible>| PfxError::Malformed(e.to_string()))?;
    match unsupported {
        Some(what) => Err(PfxError::Unsupported(what)),
        None => Ok(contents),
    }
}

fn take_encrypted_data<S: Source>(
    cons: &mut Constructed<S>,
) -> Result<SafeContents, DecodeError<S::Error>> {
    cons.take_sequence(|cons| {
        cons.take_u8()?; // version 0 or 2; nothing depends on it
        cons.take_sequence(|cons| {
            Oid::take_from(cons)?; // always id-data for PKCS#12
            let algorithm = take_algorithm(cons)?;
            let ciphertext = cons.take_value_if(Tag::CTX_0, OctetString::from_content)?;
            Ok(SafeContents::Encrypted {
                algorithm,
                ciphertext: ciphertext.into_bytes().to_vec(),
            })
        })
    })
}

/// Reads the bags of one (decrypted) SafeContents.
pub(super) fn decode_safe_contents(bytes: &[u8]) -> DecodeResult<Vec<Bag>> {
    Constructed::decode(bytes, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let mut bags = Vec::new();
            while let Some(bag) = cons.take_opt_sequence(take_bag)? {
                bags.extend(bag);
            }
            Ok(bags)
        })
    })
}

fn take_bag<S: Source>(cons: &mut Constructed<S>) -> Result<Option<Bag>, DecodeError<S::Error>> {
    let bag_id = Oid::take_from(cons)?.to_string();
    let value = cons.take_constructed_if(Tag::CTX_0, |cons| match bag_id.as_str() {
        OID_SHROUDED_KEY_BAG => cons.take_sequence(|cons| {
            let encryption = Some(take_algorithm(cons)?);
            let data = take_octets(cons)?;
            Ok(Some(BagValue::Key { encryption, data }))
        }),
        OID_KEY_BAG => Ok(Some(BagValue::Key {
            encryption: None,
            data: cons.capture_one()?.as_slice().to_vec(),
        })),
        OID_CERT_BAG => cons.take_sequence(|cons| {
            let cert_type = Oid::take_from(cons)?.to_string();
            let der = cons.take_constructed_if(Tag::CTX_0, take_octets)?;
            Ok((cert_type == OID_X509_CERT).then_some(BagValue::Certificate(der)))
        }),
        OID_SAFE_CONTENTS_BAG => Ok(Some(BagValue::Nested(
            cons.capture_one()?.as_slice().to_vec(),
        ))),
        _ => {
            cons.skip_all()?;
            Ok(None)
        }
    })?;
    let attributes = cons.take_opt_set(take_attributes)?.unwrap_or_default();
    Ok(value.map(|value| Bag { value, attributes }))
}

fn take_attributes<S: Source>(
    cons: &mut Constructed<S>,
) -> Result<BagAttributes, DecodeError<S::Error>> {
    let mut attributes = BagAttributes::default();
    while let Some(()) = cons.take_opt_sequence(|cons| {
        let oid = Oid::take_from(cons)?.to_string();
        cons.take_set(|cons| {
            match oid.as_str() {
                OID_FRIENDLY_NAME => {
                    let raw = cons.take_value_if(Tag::BMP_STRING, |content| {
                        Ok(content.as_primitive()?.take_all()?.to_vec())
                    })?;
                    attributes.friendly_name = Some(decode_bmp(&raw));
                }
                OID_LOCAL_KEY_ID => attributes.local_key_id = Some(take_octets(cons)?),
                _ => {}
            }
            cons.skip_all()
        })
    })? {}
    Ok(attributes)
}

/// BMPString is UTF-16BE; NCA aliases are plain ASCII hex, but be lenient with anything else.
fn decode_bmp(raw: &[u8]) -> String {
    let units = raw
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect::<String>()
        .trim_end_matches('\0')
        .to_string()
}
