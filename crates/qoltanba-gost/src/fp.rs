//! GF(p) for paramSetA's prime p = 2^512 − 569 on eight 64-bit limbs.
//!
//! Because 2^512 ≡ 569 (mod p), a 1024-bit product reduces by multiplying its high half by 569
//! and adding it to the low half, instead of a Montgomery reduction. Every function runs the same
//! instructions whatever the values: carries become masks and multiplications, never branches or
//! indexes. Elements are kept below 2^512 but not always below p (the 569 values p..2^512 − 1
//! stand for 0..568); [`Fp::to_u512`] and [`Fp::ct_eq`] use the canonical value.

use std::ops::{Add, Mul, Neg, Sub};

use crypto_bigint::{Encoding, U512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

const LIMBS: usize = 8;
/// 2^512 − p: what a carry out of the top limb is worth.
const C: u64 = 569;
/// p, least significant limb first.
const P: [u64; LIMBS] = [
    0u64.wrapping_sub(C),
    u64::MAX,
    u64::MAX,
    u64::MAX,
    u64::MAX,
    u64::MAX,
    u64::MAX,
    u64::MAX,
];

/// An element of GF(p), least significant limb first.
#[derive(Clone, Copy, Debug)]
pub struct Fp([u64; LIMBS]);

impl Fp {
    pub const ZERO: Fp = Fp([0; LIMBS]);
    pub const ONE: Fp = Fp([1, 0, 0, 0, 0, 0, 0, 0]);

    /// A constant from 128 big-endian hex digits; fails to compile if the value is not below p.
    pub const fn from_be_hex(hex: &str) -> Fp {
        let bytes = hex.as_bytes();
        assert!(bytes.len() == 128, "128 hex digits");
        let mut limbs = [0u64; LIMBS];
        let mut i = 0;
        while i < 128 {
            let digit = match bytes[i] {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'f' => b - b'a' + 10,
                b @ b'A'..=b'F' => b - b'A' + 10,
                _ => panic!("not a hex digit"),
            };
            let limb = LIMBS - 1 - i / 16;
            limbs[limb] = (limbs[limb] << 4) | digit as u64;
            i += 1;
        }
        let mut below_p = false;
        let mut j = LIMBS;
        while j > 0 {
            j -= 1;
            if limbs[j] != P[j] {
                below_p = limbs[j] < P[j];
                break;
            }
        }
        assert!(below_p, "constant not below p");
        Fp(limbs)
    }

    /// The element `v`, or none when `v` ≥ p (so each element has one encoding).
    pub fn from_u512(v: &U512) -> CtOption<Fp> {
        let bytes = v.to_le_bytes();
        let mut limbs = [0u64; LIMBS];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_le_bytes(word);
        }
        let (_, carry) = add_word(limbs, C);
        CtOption::new(Fp(limbs), Choice::from((carry ^ 1) as u8))
    }

    /// The canonical value, below p.
    pub fn to_u512(self) -> U512 {
        let limbs = self.canonical();
        let mut bytes = [0u8; 64];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(limbs) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        U512::from_le_slice(&bytes)
    }

    /// The representative below p: v + 569 carries out exactly when v ≥ p, and then is v − p.
    fn canonical(&self) -> [u64; LIMBS] {
        let (minus_p, carry) = add_word(self.0, C);
        let mut out = self.0;
        let choice = Choice::from(carry as u8);
        for (o, m) in out.iter_mut().zip(minus_p) {
            o.conditional_assign(&m, choice);
        }
        out
    }

    pub fn square(&self) -> Fp {
        Fp(reduce_wide(square_wide(&self.0)))
    }

    /// self^(2^n), n squarings.
    fn square_times(&self, n: u32) -> Fp {
        let mut v = *self;
        for _ in 0..n {
            v = v.square();
        }
        v
    }

    pub fn is_zero(&self) -> Choice {
        self.ct_eq(&Fp::ZERO)
    }

    /// self^(p−2) by a fixed addition chain (Fermat); none for zero.
    pub fn invert(&self) -> CtOption<Fp> {
        // x_n = self^(2^n − 1); p − 2 = (2^502 − 1)·2^10 + 0b01_1100_0101.
        let x1 = *self;
        let x2 = x1.square() * x1;
        let x4 = x2.square_times(2) * x2;
        let x8 = x4.square_times(4) * x4;
        let x16 = x8.square_times(8) * x8;
        let x32 = x16.square_times(16) * x16;
        let x64 = x32.square_times(32) * x32;
        let x128 = x64.square_times(64) * x64;
        let x256 = x128.square_times(128) * x128;
        let x384 = x256.square_times(128) * x128;
        let x448 = x384.square_times(64) * x64;
        let x480 = x448.square_times(32) * x32;
        let x496 = x480.square_times(16) * x16;
        let x500 = x496.square_times(4) * x4;
        let x502 = x500.square_times(2) * x2;
        let mut v = x502;
        // The exponent's bits are public constants: the branch never depends on `self`.
        for bit in [0, 1, 1, 1, 0, 0, 0, 1, 0, 1] {
            v = v.square();
            if bit == 1 {
                v = v * x1;
            }
        }
        CtOption::new(v, !self.is_zero())
    }
}

impl ConstantTimeEq for Fp {
    fn ct_eq(&self, other: &Fp) -> Choice {
        self.canonical().ct_eq(&other.canonical())
    }
}

impl ConditionallySelectable for Fp {
    fn conditional_select(a: &Fp, b: &Fp, choice: Choice) -> Fp {
        let mut out = a.0;
        for (o, v) in out.iter_mut().zip(b.0) {
            o.conditional_assign(&v, choice);
        }
        Fp(out)
    }
}

impl Add for Fp {
    type Output = Fp;
    /// a + b; a carry out of 2^512 is worth 569, and folding it in can carry once more.
    fn add(self, rhs: Fp) -> Fp {
        let mut out = [0u64; LIMBS];
        let mut carry = 0u64;
        for ((o, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
            let (sum, c1) = a.overflowing_add(b);
            let (sum, c2) = sum.overflowing_add(carry);
            *o = sum;
            carry = (c1 | c2) as u64;
        }
        let (out, carry) = add_word(out, C * carry);
        // After a second carry the value is below 569, so this add cannot carry.
        let (out, _) = add_word(out, C * carry);
        Fp(out)
    }
}

impl Sub for Fp {
    type Output = Fp;
    /// a − b; a borrow from 2^512 costs 569, and taking it can borrow once more.
    fn sub(self, rhs: Fp) -> Fp {
        let mut out = [0u64; LIMBS];
        let mut borrow = 0u64;
        for ((o, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
            let (diff, b1) = a.overflowing_sub(b);
            let (diff, b2) = diff.overflowing_sub(borrow);
            *o = diff;
            borrow = (b1 | b2) as u64;
        }
        let (out, borrow) = sub_word(out, C * borrow);
        // After a second borrow the value is above 2^512 − 1138, so this cannot borrow.
        let (out, _) = sub_word(out, C * borrow);
        Fp(out)
    }
}

impl Neg for Fp {
    type Output = Fp;
    fn neg(self) -> Fp {
        Fp::ZERO - self
    }
}

impl Mul for Fp {
    type Output = Fp;
    fn mul(self, rhs: Fp) -> Fp {
        Fp(reduce_wide(mul_wide(&self.0, &rhs.0)))
    }
}

/// limbs + w, and the carry out of 2^512 (0 or 1).
fn add_word(limbs: [u64; LIMBS], w: u64) -> ([u64; LIMBS], u64) {
    let mut out = limbs;
    let mut carry = w;
    for o in out.iter_mut() {
        let (sum, c) = o.overflowing_add(carry);
        *o = sum;
        carry = c as u64;
    }
    (out, carry)
}

/// limbs − w (mod 2^512), and the borrow (0 or 1).
fn sub_word(limbs: [u64; LIMBS], w: u64) -> ([u64; LIMBS], u64) {
    let mut out = limbs;
    let mut borrow = w;
    for o in out.iter_mut() {
        let (diff, b) = o.overflowing_sub(borrow);
        *o = diff;
        borrow = b as u64;
    }
    (out, borrow)
}

/// The 1024-bit product, schoolbook.
fn mul_wide(a: &[u64; LIMBS], b: &[u64; LIMBS]) -> [u64; 2 * LIMBS] {
    let mut t = [0u64; 2 * LIMBS];
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &bj) in b.iter().enumerate() {
            // (2^64−1)² + 2·(2^64−1) = 2^128 − 1: never overflows.
            let v = ai as u128 * bj as u128 + t[i + j] as u128 + carry as u128;
            t[i + j] = v as u64;
            carry = (v >> 64) as u64;
        }
        t[i + LIMBS] = carry;
    }
    t
}

/// The 1024-bit square: each cross product once, doubled, then the diagonal.
fn square_wide(a: &[u64; LIMBS]) -> [u64; 2 * LIMBS] {
    let mut t = [0u64; 2 * LIMBS];
    for i in 0..LIMBS {
        let mut carry = 0u64;
        for j in i + 1..LIMBS {
            let v = a[i] as u128 * a[j] as u128 + t[i + j] as u128 + carry as u128;
            t[i + j] = v as u64;
            carry = (v >> 64) as u64;
        }
        t[i + LIMBS] = carry;
    }
    // The cross sum is below 2^1023, so doubling it loses no bit.
    let mut top = 0u64;
    for limb in t.iter_mut() {
        let v = *limb;
        *limb = (v << 1) | top;
        top = v >> 63;
    }
    let mut carry = 0u128;
    for (i, &ai) in a.iter().enumerate() {
        let square = ai as u128 * ai as u128;
        let low = t[2 * i] as u128 + (square as u64) as u128 + carry;
        t[2 * i] = low as u64;
        let high = t[2 * i + 1] as u128 + (square >> 64) + (low >> 64);
        t[2 * i + 1] = high as u64;
        carry = high >> 64;
    }
    t
}

/// lo + 2^512·hi ≡ lo + 569·hi, folded twice more for the small carries; result below 2^512.
fn reduce_wide(t: [u64; 2 * LIMBS]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut carry = 0u128;
    for i in 0..LIMBS {
        let v = t[i] as u128 + t[i + LIMBS] as u128 * C as u128 + carry;
        out[i] = v as u64;
        carry = v >> 64;
    }
    // carry ≤ 570, so carry·569 < 2^19.
    let (out, carry) = add_word(out, carry as u64 * C);
    // After that carry the value is below 2^19, so this add cannot carry.
    let (out, _) = add_word(out, C * carry);
    out
}

#[cfg(test)]
#[path = "fp_tests.rs"]
mod tests;
