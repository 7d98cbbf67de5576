//! GOST R 34.10-2015 512-bit signatures for Kazakhstan's NCA keys: pure arithmetic, no I/O, no async, no unsafe.
//!
//! Curve paramSetA, hash Streebog-512, in the byte orders NCA uses. KZ encodings (each proven
//! against real NCA certificates, see `crates/qoltanba-core/tests/gost_nca.rs`):
//! private key = 64-byte little-endian scalar; public key = x‖y, each 64 bytes little-endian;
//! signature = r‖s, each 64 bytes little-endian (the byte reverse of RFC 4491's s‖r);
//! the hash is read as a little-endian integer (GOST 34.11 prints vectors big-endian,
//! Streebog implementations emit them byte-reversed).
//!
//! Nonces are random (`aws_lc_rs::rand`); the private scalar and the nonce only meet
//! constant-time code (`fp`, `fixed_base`; examples/gost_dudect.rs checks the timing).
//! Verification sees only public values, so it runs the faster variable-time `double_scalar`.
//!
//! ```
//! use qoltanba_gost::{SigningKey, SCALAR_LEN};
//!
//! let mut scalar = [0u8; SCALAR_LEN];
//! scalar[0] = 7; // a real key comes from a keystore: 64 little-endian bytes
//! let key = SigningKey::from_kz_bytes(&scalar)?;
//! let signature = key.sign(b"challenge")?;
//! key.verifying_key().verify(b"challenge", &signature)?;
//! # Ok::<(), qoltanba_gost::GostError>(())
//! ```
#![forbid(unsafe_code)]

mod double_scalar;
mod field;
mod fixed_base;
mod fp;
mod jacobian;
mod point;

use crypto_bigint::{Encoding, U512};
use streebog::{Digest, Streebog512};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use field::{Fq, ORDER};
use point::Point;

/// Length of a Streebog-512 digest.
pub const DIGEST_LEN: usize = 64;
/// Length of a scalar, r or s, and of one coordinate.
pub const SCALAR_LEN: usize = 64;
/// Length of a public key (x‖y) and of a signature (r‖s).
pub const PAIR_LEN: usize = 128;

/// What can go wrong with GOST keys and signatures; never carries key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GostError {
    #[error("the GOST private key is not a 64-byte scalar between 1 and q-1")]
    InvalidPrivateKey,
    #[error("the GOST public key is not a point of the 512-bit paramSetA curve")]
    InvalidPublicKey,
    #[error("the GOST signature is not 128 bytes with r and s between 1 and q-1")]
    MalformedSignature,
    #[error("the GOST signature does not match the data and the public key")]
    BadSignature,
    #[error("the system random number generator failed")]
    Random,
}

pub type Result<T> = std::result::Result<T, GostError>;

/// Streebog-512 of `data`, in the byte order the hash emits (little-endian integer).
///
/// ```
/// // GOST 34.11-2012 example M1, as the hash emits it (the standard prints it byte-reversed).
/// let digest = qoltanba_gost::streebog512(b"012345678901234567890123456789012345678901234567890123456789012");
/// assert_eq!(&digest[..4], &[0x1b, 0x54, 0xd0, 0x1a]);
/// ```
pub fn streebog512(data: &[u8]) -> [u8; DIGEST_LEN] {
    Streebog512::digest(data).into()
}

/// e = H(m) mod q, with 0 replaced by 1 as GOST 34.10 §6.1 step 3 demands.
fn digest_to_e(digest: &[u8; DIGEST_LEN]) -> Fq {
    let e = Fq::new(&U512::from_le_slice(digest));
    Fq::conditional_select(&e, &Fq::ONE, e.ct_eq(&Fq::ZERO))
}

use subtle::ConditionallySelectable;

fn scalar_from_le(bytes: &[u8]) -> Option<U512> {
    (bytes.len() == SCALAR_LEN).then(|| U512::from_le_slice(bytes))
}

/// True for 1 ≤ v < q.
fn in_scalar_range(v: &U512) -> bool {
    v != &U512::ZERO && v < &ORDER
}

/// A GOST 34.10-2015 512-bit private key; the scalar is wiped on drop.
pub struct SigningKey {
    d: Fq,
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("gost::SigningKey(512-bit paramSetA)")
    }
}

impl SigningKey {
    /// Reads the 64-byte little-endian scalar NCA keystores hold.
    pub fn from_kz_bytes(le: &[u8]) -> Result<Self> {
        let mut d = scalar_from_le(le).ok_or(GostError::InvalidPrivateKey)?;
        let valid = in_scalar_range(&d);
        let key = SigningKey { d: Fq::new(&d) };
        d.zeroize();
        valid.then_some(key).ok_or(GostError::InvalidPrivateKey)
    }

    /// Q = d·P.
    pub fn verifying_key(&self) -> VerifyingKey {
        let mut d = self.d.retrieve();
        let q = fixed_base::mul_base(&d);
        d.zeroize();
        VerifyingKey { q }
    }

    /// Signs `message`: Streebog-512, then [`SigningKey::sign_digest`].
    pub fn sign(&self, message: &[u8]) -> Result<Signature> {
        self.sign_digest(&streebog512(message))
    }

    /// Signs a Streebog-512 digest with a fresh random nonce from the system generator.
    pub fn sign_digest(&self, digest: &[u8; DIGEST_LEN]) -> Result<Signature> {
        loop {
            let mut bytes = [0u8; SCALAR_LEN];
            aws_lc_rs::rand::fill(&mut bytes).map_err(|_| GostError::Random)?;
            let mut k = U512::from_le_slice(&bytes);
            bytes.zeroize();
            let signature = self.sign_digest_with_nonce(digest, &k);
            k.zeroize();
            // Only a nonce outside 1..q-1 or a zero r/s (odds ~2^-255) goes round again.
            if let Some(signature) = signature {
                return Ok(signature);
            }
        }
    }

    /// GOST 34.10 §6.1 steps 3–6 with the nonce given: r = x(kP) mod q, s = r·d + k·e mod q.
    /// Public so known-answer tests can fix k; callers should use [`SigningKey::sign_digest`].
    pub fn sign_digest_with_nonce(&self, digest: &[u8; DIGEST_LEN], k: &U512) -> Option<Signature> {
        if !in_scalar_range(k) {
            return None;
        }
        let e = digest_to_e(digest);
        let (x, _) = fixed_base::mul_base(k).to_affine()?;
        let r = Fq::new(&x);
        let s = r * self.d + Fq::new(k) * e;
        let (r, s) = (r.retrieve(), s.retrieve());
        (r != U512::ZERO && s != U512::ZERO).then_some(Signature { r, s })
    }
}

/// A GOST 34.10-2015 512-bit public key (a curve point other than the identity).
///
/// ```
/// use qoltanba_gost::{GostError, VerifyingKey, PAIR_LEN};
///
/// // x‖y that is not on the curve is refused when read, not when verifying.
/// assert_eq!(VerifyingKey::from_kz_bytes(&[1u8; PAIR_LEN]), Err(GostError::InvalidPublicKey));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct VerifyingKey {
    q: Point,
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.q.equals(&other.q)
    }
}

impl VerifyingKey {
    /// Reads x‖y, 64 bytes each, little-endian (the content of the certificate's OCTET STRING).
    pub fn from_kz_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != PAIR_LEN {
            return Err(GostError::InvalidPublicKey);
        }
        let (x, y) = bytes.split_at(SCALAR_LEN);
        let q = Point::from_affine(&U512::from_le_slice(x), &U512::from_le_slice(y))
            .ok_or(GostError::InvalidPublicKey)?;
        Ok(VerifyingKey { q })
    }

    /// x‖y, 64 bytes each, little-endian.
    pub fn to_kz_bytes(&self) -> [u8; PAIR_LEN] {
        let (x, y) = self.q.to_affine().unwrap_or((U512::ZERO, U512::ZERO));
        let mut out = [0u8; PAIR_LEN];
        out[..SCALAR_LEN].copy_from_slice(&x.to_le_bytes());
        out[SCALAR_LEN..].copy_from_slice(&y.to_le_bytes());
        out
    }

    /// Verifies a signature over `message` (hashed with Streebog-512).
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<()> {
        self.verify_digest(&streebog512(message), signature)
    }

    /// GOST 34.10 §6.2: v = e⁻¹, C = (s·v)P + (−r·v)Q, accept iff x(C) mod q = r.
    pub fn verify_digest(&self, digest: &[u8; DIGEST_LEN], signature: &Signature) -> Result<()> {
        let e = digest_to_e(digest);
        let (v, _) = e.invert();
        let r = Fq::new(&signature.r);
        let z1 = Fq::new(&signature.s) * v;
        let z2 = -(r * v);
        let c = double_scalar::mul_add_vartime(&z1.retrieve(), &self.q, &z2.retrieve());
        let (x, _) = c.to_affine().ok_or(GostError::BadSignature)?;
        if Fq::new(&x).retrieve() == signature.r {
            Ok(())
        } else {
            Err(GostError::BadSignature)
        }
    }
}

/// A signature (r, s), both in 1..q-1.
///
/// ```
/// use qoltanba_gost::{GostError, Signature, PAIR_LEN};
///
/// assert_eq!(Signature::from_kz_bytes(&[0u8; PAIR_LEN]), Err(GostError::MalformedSignature));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    r: U512,
    s: U512,
}

impl Signature {
    /// Reads r‖s, 64 bytes each, little-endian: certificates, CMS and XMLDSig in Kazakhstan.
    pub fn from_kz_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != PAIR_LEN {
            return Err(GostError::MalformedSignature);
        }
        let (r, s) = bytes.split_at(SCALAR_LEN);
        Self::new(U512::from_le_slice(r), U512::from_le_slice(s))
    }

    /// r‖s, 64 bytes each, little-endian.
    pub fn to_kz_bytes(&self) -> [u8; PAIR_LEN] {
        let mut out = [0u8; PAIR_LEN];
        out[..SCALAR_LEN].copy_from_slice(&self.r.to_le_bytes());
        out[SCALAR_LEN..].copy_from_slice(&self.s.to_le_bytes());
        out
    }

    /// s‖r, 64 bytes each, big-endian (RFC 4491/7091, what OpenSSL's gost engine reads).
    pub fn to_rfc4491_bytes(&self) -> [u8; PAIR_LEN] {
        let mut out = self.to_kz_bytes();
        out.reverse();
        out
    }

    fn new(r: U512, s: U512) -> Result<Self> {
        if in_scalar_range(&r) && in_scalar_range(&s) {
            Ok(Signature { r, s })
        } else {
            Err(GostError::MalformedSignature)
        }
    }
}

/// Reproducible pseudo-random scalars for tests: Streebog-512 of each counter.
#[cfg(test)]
fn pseudo_random_scalars(counters: std::ops::Range<u32>) -> impl Iterator<Item = U512> {
    counters.map(|i| U512::from_le_slice(&streebog512(&i.to_le_bytes())))
}

#[cfg(test)]
mod tests;
