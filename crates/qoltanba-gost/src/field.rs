//! paramSetA's numbers: the group order q (crypto-bigint Montgomery residues, few operations per
//! signature) and the curve's constants in GF(p) (the pseudo-Mersenne field of `fp`).

use crypto_bigint::modular::constant_mod::{Residue, ResidueParams};
use crypto_bigint::{impl_modulus, U512};

pub use super::fp::Fp;

impl_modulus!(
    OrderModulus,
    U512,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275"
);

/// An integer modulo the group order q (scalars, r, s, e).
pub type Fq = Residue<OrderModulus, { U512::LIMBS }>;

/// The group order q as an integer.
pub const ORDER: U512 = <OrderModulus as ResidueParams<{ U512::LIMBS }>>::MODULUS;
/// The field prime p = 2^512 − 569 as an integer (tests check coordinates ≥ p are refused).
#[cfg(test)]
pub const PRIME: U512 = U512::from_be_hex(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
);

/// Curve coefficient b (a = -3 is built into the point formulas).
pub const B: Fp = Fp::from_be_hex(
    "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
);
/// Base point P = (3, y).
pub const GENERATOR_X: Fp = Fp::from_be_hex(
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003",
);
pub const GENERATOR_Y: Fp = Fp::from_be_hex(
    "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
);
