//! u·P + v·Q for verification, which only ever sees public values (the signature, the digest,
//! the public key), so it may take variable time: interleaved width-w NAF (Straus–Shamir), one
//! chain of 512 Jacobian doublings shared by both scalars. P's odd multiples are computed once
//! per process, Q's on each call.

use std::sync::OnceLock;

use crypto_bigint::{Encoding, U512};

use super::jacobian::JacobianPoint;
use super::point::{AffinePoint, Point};

/// P's window: odd multiples 1..=63 (32 affine points), one addition per 8 bits on average.
const P_WIDTH: u32 = 7;
/// Q's window: odd multiples 1..=15 (8 points, 8 additions to make), one per 6 bits.
const Q_WIDTH: u32 = 5;
/// A 512-bit scalar's NAF has at most 513 digits; one more for margin.
const DIGITS: usize = 514;

/// [1·x, 3·x, 5·x, …], `count` of them.
fn odd_multiples(x: &JacobianPoint, count: usize) -> Vec<JacobianPoint> {
    let twice = x.double();
    let mut out = Vec::with_capacity(count);
    let mut multiple = *x;
    for _ in 0..count {
        out.push(multiple);
        multiple = multiple.add(&twice);
    }
    out
}

fn p_table() -> &'static [AffinePoint] {
    static TABLE: OnceLock<Vec<AffinePoint>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let generator = JacobianPoint::from_point(&Point::generator());
        let multiples: Vec<Point> = odd_multiples(&generator, 1 << (P_WIDTH - 2))
            .into_iter()
            .map(JacobianPoint::to_point)
            .collect();
        // An odd multiple below 64 of P is not the identity: q is a prime far above 64.
        Point::batch_to_affine(&multiples).expect("no odd multiple of P is the identity")
    })
}

/// Width-w NAF: digits odd in −(2^(w−1)−1)..=2^(w−1)−1 or zero, any w consecutive holding at most
/// one non-zero, with scalar = Σ d_i·2^i. Variable time.
fn wnaf(scalar: &U512, width: u32) -> [i8; DIGITS] {
    let bytes = scalar.to_le_bytes();
    // One limb beyond 512 bits: subtracting a negative digit can carry past the top.
    let mut k = [0u64; 9];
    for (limb, chunk) in k.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    let modulus = 1i64 << width;
    let mut digits = [0i8; DIGITS];
    for digit in digits.iter_mut() {
        if k[0] & 1 == 1 {
            let mut d = (k[0] & (modulus as u64 - 1)) as i64;
            if d >= modulus / 2 {
                d -= modulus;
            }
            *digit = d as i8;
            if d > 0 {
                sub_small(&mut k, d as u64);
            } else {
                add_small(&mut k, d.unsigned_abs());
            }
        }
        for i in 0..k.len() - 1 {
            k[i] = (k[i] >> 1) | (k[i + 1] << 63);
        }
        k[k.len() - 1] >>= 1;
    }
    digits
}

fn add_small(k: &mut [u64; 9], v: u64) {
    let mut carry = v;
    for limb in k.iter_mut() {
        let (sum, c) = limb.overflowing_add(carry);
        *limb = sum;
        carry = c as u64;
    }
}

/// k − v for v ≤ k's lowest w bits, so it never borrows past the lowest limb's run.
fn sub_small(k: &mut [u64; 9], v: u64) {
    let mut borrow = v;
    for limb in k.iter_mut() {
        let (diff, b) = limb.overflowing_sub(borrow);
        *limb = diff;
        borrow = b as u64;
    }
}

/// u·P + v·q, variable time in u, v and q: for verification only.
pub fn mul_add_vartime(u: &U512, q: &Point, v: &U512) -> Point {
    let p_table = p_table();
    let q_table = odd_multiples(&JacobianPoint::from_point(q), 1 << (Q_WIDTH - 2));
    let (u_digits, v_digits) = (wnaf(u, P_WIDTH), wnaf(v, Q_WIDTH));
    let Some(top) = (0..DIGITS)
        .rev()
        .find(|&i| u_digits[i] != 0 || v_digits[i] != 0)
    else {
        return Point::IDENTITY;
    };
    let mut acc = JacobianPoint::IDENTITY;
    for i in (0..=top).rev() {
        acc = acc.double();
        let d = u_digits[i];
        if d != 0 {
            let entry = &p_table[usize::from(d.unsigned_abs() / 2)];
            acc = acc.add_affine(&if d > 0 { *entry } else { entry.neg() });
        }
        let d = v_digits[i];
        if d != 0 {
            let entry = &q_table[usize::from(d.unsigned_abs() / 2)];
            acc = acc.add(&if d > 0 { *entry } else { entry.neg() });
        }
    }
    acc.to_point()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::ORDER;

    fn scalars() -> Vec<U512> {
        let mut out = vec![
            U512::ZERO,
            U512::ONE,
            U512::from_u8(63),
            U512::from_u8(64),
            ORDER.wrapping_sub(&U512::ONE),
            U512::MAX,
            U512::from_be_hex(&"5".repeat(128)),
            U512::from_be_hex(&("f".repeat(127).replace("fff", "fef") + "f")),
        ];
        out.extend(crate::pseudo_random_scalars(100u32..110));
        out
    }

    /// Σ d_i·2^i as (positive part, negative part) in 576 bits.
    fn naf_value(digits: &[i8; DIGITS]) -> crypto_bigint::U576 {
        use crypto_bigint::U576;
        let (mut plus, mut minus) = (U576::ZERO, U576::ZERO);
        for &d in digits.iter().rev() {
            plus = plus.shl_vartime(1);
            minus = minus.shl_vartime(1);
            if d >= 0 {
                plus = plus.wrapping_add(&U576::from_u8(d as u8));
            } else {
                minus = minus.wrapping_add(&U576::from_u8(d.unsigned_abs()));
            }
        }
        plus.wrapping_sub(&minus)
    }

    #[test]
    fn wnaf_digits_are_odd_sparse_and_add_up_to_the_scalar() {
        for width in [P_WIDTH, Q_WIDTH] {
            let bound = 1i16 << (width - 1);
            for k in scalars() {
                let digits = wnaf(&k, width);
                assert_eq!(naf_value(&digits), k.resize(), "{k} w={width}");
                for (i, &d) in digits.iter().enumerate() {
                    if d != 0 {
                        assert!(d % 2 != 0 && i16::from(d).abs() < bound, "{k}: {d}");
                        let next = &digits[i + 1..(i + width as usize).min(DIGITS)];
                        assert!(next.iter().all(|&n| n == 0), "{k}: dense at {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn double_scalar_product_equals_two_plain_ladders() {
        let q = Point::generator().mul(&U512::from_u64(0x0123_4567_89ab_cdef));
        let all = scalars();
        for (i, u) in all.iter().enumerate() {
            let v = &all[(i * 7 + 3) % all.len()];
            let fast = mul_add_vartime(u, &q, v);
            let plain = Point::generator().mul(u).add(&q.mul(v));
            assert!(fast.equals(&plain), "u={u} v={v}");
        }
    }

    #[test]
    fn equal_terms_double_through_the_jacobian_exception() {
        // u·P + u·P with Q = P: the last additions meet equal points (H = 0, R = 0).
        for u in [U512::ONE, U512::from_u8(3), U512::from_u64(0xfff1)] {
            let fast = mul_add_vartime(&u, &Point::generator(), &u);
            let plain = Point::generator().mul(&u.wrapping_add(&u));
            assert!(fast.equals(&plain), "{u}");
        }
    }

    #[test]
    fn opposite_terms_cancel_to_the_identity() {
        // u·P + (q − u)·P = q·P = O, with Q = P: every cancellation path runs.
        let u = U512::from_u64(12345);
        let v = ORDER.wrapping_sub(&u);
        assert!(mul_add_vartime(&u, &Point::generator(), &v).is_identity());
        assert!(mul_add_vartime(&U512::ZERO, &Point::generator(), &U512::ZERO).is_identity());
    }
}
