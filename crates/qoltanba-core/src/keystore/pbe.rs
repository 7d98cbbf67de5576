//! Password-based MAC and decryption, assembled from RustCrypto crates: the PKCS#12 KDF
//! (`pkcs12`), PBES2 (`pkcs5`), 3DES (`des`), RC2 (`rc2`), CBC (`cbc`) and HMAC (`hmac`).

use bcder::decode::Constructed;
use bcder::{Mode, OctetString};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::{Digest, FixedOutputReset};
use hmac::{Mac, SimpleHmac};
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use zeroize::Zeroizing;

use super::pfx::{AlgorithmId, MacData};
use crate::error::{Error, Result};

const OID_SHA1: &str = "1.3.14.3.2.26";
const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_SHA384: &str = "2.16.840.1.101.3.4.2.2";
const OID_SHA512: &str = "2.16.840.1.101.3.4.2.3";
const OID_PBES2: &str = "1.2.840.113549.1.5.13";
const OID_PBE_SHA1_RC4_128: &str = "1.2.840.113549.1.12.1.1";
const OID_PBE_SHA1_RC4_40: &str = "1.2.840.113549.1.12.1.2";
const OID_PBE_SHA1_3DES: &str = "1.2.840.113549.1.12.1.3";
const OID_PBE_SHA1_2DES: &str = "1.2.840.113549.1.12.1.4";
const OID_PBE_SHA1_RC2_128: &str = "1.2.840.113549.1.12.1.5";
const OID_PBE_SHA1_RC2_40: &str = "1.2.840.113549.1.12.1.6";

/// Checks the keystore's MAC: the one reliable signal that the password is wrong.
pub(super) fn verify_mac(mac: &MacData, password: &str, data: &[u8]) -> Result<()> {
    let iterations = kdf_rounds(mac.iterations)?;
    let ok = match mac.digest_oid.as_str() {
        OID_SHA1 => hmac_matches::<sha1::Sha1>(mac, password, iterations, data)?,
        OID_SHA256 => hmac_matches::<sha2::Sha256>(mac, password, iterations, data)?,
        OID_SHA384 => hmac_matches::<sha2::Sha384>(mac, password, iterations, data)?,
        OID_SHA512 => hmac_matches::<sha2::Sha512>(mac, password, iterations, data)?,
        other => {
            return Err(Error::UnsupportedEncryption(format!(
                "a MAC with digest {other}"
            )))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::WrongPassword)
    }
}

fn hmac_matches<D>(mac: &MacData, password: &str, iterations: i32, data: &[u8]) -> Result<bool>
where
    D: Digest + FixedOutputReset + BlockSizeUser,
{
    let key = Zeroizing::new(
        derive_key_utf8::<D>(
            password,
            &mac.salt,
            Pkcs12KeyType::Mac,
            iterations,
            <D as Digest>::output_size(),
        )
        .map_err(|_| Error::WrongPassword)?,
    );
    let mut hmac = <SimpleHmac<D> as Mac>::new_from_slice(&key)
        .map_err(|e| Error::Corrupted(format!("MAC key: {e}")))?;
    hmac.update(data);
    Ok(hmac.verify_slice(&mac.digest).is_ok())
}

/// Decrypts a shrouded key bag or an encrypted SafeContents.
pub(super) fn decrypt(
    algorithm: &AlgorithmId,
    password: &str,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    match algorithm.oid.as_str() {
        OID_PBES2 => decrypt_pbes2(&algorithm.params, password, ciphertext),
        OID_PBE_SHA1_3DES => {
            let (key, iv) = pkcs12_key_iv(&algorithm.params, password, 24)?;
            let cipher = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|e| Error::Corrupted(format!("3DES parameters: {e}")))?;
            unpad(cipher.decrypt_padded_vec_mut::<Pkcs7>(ciphertext))
        }
        OID_PBE_SHA1_2DES => {
            let (key, iv) = pkcs12_key_iv(&algorithm.params, password, 16)?;
            let cipher = cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
                .map_err(|e| Error::Corrupted(format!("2-key 3DES parameters: {e}")))?;
            unpad(cipher.decrypt_padded_vec_mut::<Pkcs7>(ciphertext))
        }
        OID_PBE_SHA1_RC2_40 => decrypt_rc2(&algorithm.params, password, ciphertext, 5),
        OID_PBE_SHA1_RC2_128 => decrypt_rc2(&algorithm.params, password, ciphertext, 16),
        OID_PBE_SHA1_RC4_128 => Err(Error::UnsupportedEncryption(
            "pbeWithSHAAnd128BitRC4".into(),
        )),
        OID_PBE_SHA1_RC4_40 => Err(Error::UnsupportedEncryption("pbeWithSHAAnd40BitRC4".into())),
        other => Err(Error::UnsupportedEncryption(format!("encryption {other}"))),
    }
}

fn decrypt_rc2(
    params: &[u8],
    password: &str,
    ciphertext: &[u8],
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let (key, iv) = pkcs12_key_iv(params, password, key_len)?;
    let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
    let cipher = cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
        .map_err(|e| Error::Corrupted(format!("RC2 parameters: {e}")))?;
    unpad(cipher.decrypt_padded_vec_mut::<Pkcs7>(ciphertext))
}

fn decrypt_pbes2(params: &[u8], password: &str, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    use der::Decode;
    let any = der::asn1::AnyRef::from_der(params)
        .map_err(|e| Error::Corrupted(format!("PBES2 parameters: {e}")))?;
    let scheme = pkcs5::pbes2::Parameters::try_from(any)
        .map_err(|e| Error::UnsupportedEncryption(format!("PBES2 ({e})")))?;
    scheme
        .decrypt(password.as_bytes(), ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| Error::WrongPassword)
}

/// Derives key and IV with the PKCS#12 KDF (SHA-1), as all PKCS#12 PBE schemes do.
fn pkcs12_key_iv(
    params: &[u8],
    password: &str,
    key_len: usize,
) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>)> {
    let (salt, iterations) = Constructed::decode(params, Mode::Ber, |cons| {
        cons.take_sequence(|cons| {
            let salt = OctetString::take_from(cons)?.into_bytes().to_vec();
            Ok((salt, cons.take_u32()?))
        })
    })
    .map_err(|e| Error::Corrupted(format!("PBE parameters: {e}")))?;
    let rounds = kdf_rounds(iterations)?;
    let derive = |kind, len| {
        derive_key_utf8::<sha1::Sha1>(password, &salt, kind, rounds, len)
            .map_err(|_| Error::WrongPassword)
    };
    let key = Zeroizing::new(derive(Pkcs12KeyType::EncryptionKey, key_len)?);
    let iv = derive(Pkcs12KeyType::Iv, 8)?;
    Ok((key, iv))
}

fn kdf_rounds(iterations: u32) -> Result<i32> {
    // More than ten million rounds is no keystore anyone made; refuse rather than hang.
    match i32::try_from(iterations) {
        Ok(n @ 1..=10_000_000) => Ok(n),
        _ => Err(Error::Corrupted(format!(
            "implausible iteration count {iterations}"
        ))),
    }
}

/// A padding error after a good MAC means damage; without a MAC it is the usual wrong password.
fn unpad(
    result: std::result::Result<Vec<u8>, cbc::cipher::block_padding::UnpadError>,
) -> Result<Zeroizing<Vec<u8>>> {
    result.map(Zeroizing::new).map_err(|_| Error::WrongPassword)
}
