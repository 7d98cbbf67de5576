//! k·P for paramSetA's base point P in constant time, from a table computed once per process:
//! entry [i][j] = (j + 1)·16^i·P in affine form. k is recoded into 129 signed 4-bit digits in
//! −8..=7, so each digit costs one mixed addition and a scan of all 8 entries of its row, and
//! no doubling at all (the fixed-window ladder needed 512).

use std::sync::OnceLock;

use crypto_bigint::{Encoding, U512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use super::point::{AffinePoint, Point};

/// 128 nibbles of a 512-bit scalar, plus the recoding's final carry.
const WINDOWS: usize = 129;
/// Multiples 1..=8 of each row's 16^i·P.
const ENTRIES: usize = 8;

type Row = [AffinePoint; ENTRIES];

/// The table (129 × 8 affine points, 132 KB), built on first use in about a millisecond.
fn table() -> &'static [Row] {
    static TABLE: OnceLock<Vec<Row>> = OnceLock::new();
    TABLE.get_or_init(build)
}

fn build() -> Vec<Row> {
    let mut points = Vec::with_capacity(WINDOWS * ENTRIES);
    let mut base = Point::generator();
    for _ in 0..WINDOWS {
        let mut multiple = base;
        for _ in 0..ENTRIES {
            points.push(multiple);
            multiple = multiple.add(&base);
        }
        base = base.double().double().double().double();
    }
    // (j + 1)·16^i·P is never the identity: q is a prime above 8 that does not divide 16^i.
    let affine = Point::batch_to_affine(&points).expect("no table entry is the identity");
    affine
        .chunks_exact(ENTRIES)
        .map(|row| {
            let mut out = [row[0]; ENTRIES];
            out.copy_from_slice(row);
            out
        })
        .collect()
}

/// Digits d_i in −8..=7 (the last in 0..=1) with k = Σ d_i·16^i, computed without branches.
fn recode(k: &U512) -> [i8; WINDOWS] {
    let mut bytes = k.to_le_bytes();
    let mut digits = [0i8; WINDOWS];
    let mut carry = 0u8;
    for (i, digit) in digits.iter_mut().take(WINDOWS - 1).enumerate() {
        let nibble = (bytes[i / 2] >> (4 * (i % 2))) & 0x0f;
        let v = nibble + carry; // 0..=16
        carry = (v + 8) >> 4; // 1 exactly when v ≥ 8
        *digit = v as i8 - (carry << 4) as i8;
    }
    digits[WINDOWS - 1] = carry as i8;
    bytes.zeroize();
    digits
}

/// k·P, constant-time in k: every digit reads its whole row and always computes the addition.
pub fn mul_base(k: &U512) -> Point {
    let mut digits = recode(k);
    let mut acc = Point::IDENTITY;
    for (row, &digit) in table().iter().zip(digits.iter()) {
        let sign = digit >> 7; // −1 when negative, else 0
        let magnitude = (digit ^ sign).wrapping_sub(sign) as u8; // 0..=8
        let mut entry = row[0];
        for (j, candidate) in row.iter().enumerate().skip(1) {
            entry.conditional_assign(candidate, magnitude.ct_eq(&(j as u8 + 1)));
        }
        let entry =
            AffinePoint::conditional_select(&entry, &entry.neg(), Choice::from(sign as u8 & 1));
        let sum = acc.add_affine(&entry);
        acc = Point::conditional_select(&acc, &sum, !magnitude.ct_eq(&0));
    }
    digits.zeroize();
    acc
}

/// Σ d_i·16^i in 576 bits (the top digit is worth 2^512), or none if negative: the tests'
/// check of [`recode`].
#[cfg(test)]
fn digits_value(digits: &[i8; WINDOWS]) -> Option<crypto_bigint::U576> {
    use crypto_bigint::U576;
    let (mut plus, mut minus) = (U576::ZERO, U576::ZERO);
    for &d in digits.iter().rev() {
        plus = plus.shl_vartime(4);
        minus = minus.shl_vartime(4);
        if d >= 0 {
            plus = plus.wrapping_add(&U576::from_u8(d as u8));
        } else {
            minus = minus.wrapping_add(&U576::from_u8(d.unsigned_abs()));
        }
    }
    (plus >= minus).then(|| plus.wrapping_sub(&minus))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::ORDER;

    fn scalars() -> Vec<U512> {
        let mut out = vec![
            U512::ZERO,
            U512::ONE,
            U512::from_u8(8),
            U512::from_u8(0x88),
            ORDER.wrapping_sub(&U512::ONE),
            ORDER,
            U512::MAX,
            U512::from_be_hex(&"8".repeat(128)),
            U512::from_be_hex(&"7".repeat(128)),
            U512::from_be_hex(&"f0".repeat(64)),
        ];
        out.extend(crate::pseudo_random_scalars(0u32..12));
        out
    }

    #[test]
    fn recoded_digits_are_small_and_add_up_to_the_scalar() {
        for k in scalars() {
            let digits = recode(&k);
            assert!(digits[..WINDOWS - 1].iter().all(|d| (-8..=7).contains(d)));
            assert!((0..=1).contains(&digits[WINDOWS - 1]));
            assert_eq!(digits_value(&digits), Some(k.resize()), "{k}");
        }
    }

    #[test]
    fn fixed_base_product_equals_the_plain_ladder() {
        for k in scalars() {
            let fast = mul_base(&k);
            let plain = Point::generator().mul(&k);
            assert!(fast.equals(&plain), "{k}");
        }
    }

    #[test]
    fn zero_and_the_order_give_the_identity() {
        assert!(mul_base(&U512::ZERO).is_identity());
        assert!(mul_base(&ORDER).is_identity());
        assert!(!mul_base(&U512::ONE).is_identity());
    }

    #[test]
    fn table_rows_hold_consecutive_multiples_of_powers_of_sixteen() {
        let table = table();
        assert_eq!(table.len(), WINDOWS);
        let sixteen = U512::from_u8(16);
        let (x, y) = Point::generator()
            .mul(&sixteen.wrapping_mul(&U512::from_u8(3)))
            .to_affine()
            .expect("not the identity");
        let entry = Point::from_affine(&x, &y).expect("on the curve");
        assert!(entry.equals(&Point::IDENTITY.add_affine(&table[1][2])));
    }
}
