//! Points of y² = x³ − 3x + b over GF(p) in projective coordinates, with the complete
//! (exception-free) formulas of Renes–Costello–Batina 2015, so no input needs a special case.

use crypto_bigint::{Encoding, U512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, CtOption};

use super::field::{Fp, B, GENERATOR_X, GENERATOR_Y};

/// A projective point (X:Y:Z); the identity is (0:1:0).
#[derive(Clone, Copy, Debug)]
pub struct Point {
    x: Fp,
    y: Fp,
    z: Fp,
}

impl ConditionallySelectable for Point {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Point {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
            z: Fp::conditional_select(&a.z, &b.z, choice),
        }
    }
}

fn double(v: Fp) -> Fp {
    v + v
}

fn triple(v: Fp) -> Fp {
    v + v + v
}

impl Point {
    pub const IDENTITY: Point = Point {
        x: Fp::ZERO,
        y: Fp::ONE,
        z: Fp::ZERO,
    };

    /// The base point P of paramSetA.
    pub fn generator() -> Point {
        Point {
            x: Fp::new(&GENERATOR_X),
            y: Fp::new(&GENERATOR_Y),
            z: Fp::ONE,
        }
    }

    /// Accepts (x, y) only if both are below p and the point is on the curve.
    pub fn from_affine(x: &U512, y: &U512) -> Option<Point> {
        let x = Option::<Fp>::from(Fp::new_checked(x))?;
        let y = Option::<Fp>::from(Fp::new_checked(y))?;
        let lhs = y.square();
        let rhs = x.square() * x - triple(x) + B;
        bool::from(lhs.ct_eq(&rhs)).then_some(Point { x, y, z: Fp::ONE })
    }

    /// The affine coordinates, or none for the identity.
    pub fn to_affine(self) -> Option<(U512, U512)> {
        let (z_inv, invertible) = self.z.invert();
        let affine = CtOption::new((self.x * z_inv, self.y * z_inv), Choice::from(invertible));
        Option::from(affine).map(|(x, y): (Fp, Fp)| (x.retrieve(), y.retrieve()))
    }

    #[cfg(test)]
    pub fn is_identity(&self) -> bool {
        bool::from(self.z.ct_eq(&Fp::ZERO))
    }

    /// RCB 2015 Algorithm 4 (complete addition, a = −3).
    pub fn add(&self, rhs: &Point) -> Point {
        let xx = self.x * rhs.x;
        let yy = self.y * rhs.y;
        let zz = self.z * rhs.z;
        let xy_pairs = ((self.x + self.y) * (rhs.x + rhs.y)) - (xx + yy);
        let yz_pairs = ((self.y + self.z) * (rhs.y + rhs.z)) - (yy + zz);
        let xz_pairs = ((self.x + self.z) * (rhs.x + rhs.z)) - (xx + zz);

        let bzz3 = triple(xz_pairs - B * zz);
        let yy_m_bzz3 = yy - bzz3;
        let yy_p_bzz3 = yy + bzz3;

        let zz3 = triple(zz);
        let bxz3 = triple(B * xz_pairs - (zz3 + xx));
        let xx3_m_zz3 = triple(xx) - zz3;

        Point {
            x: (yy_p_bzz3 * xy_pairs) - (yz_pairs * bxz3),
            y: (yy_p_bzz3 * yy_m_bzz3) + (xx3_m_zz3 * bxz3),
            z: (yy_m_bzz3 * yz_pairs) + (xy_pairs * xx3_m_zz3),
        }
    }

    /// RCB 2015 Algorithm 6 (exception-free doubling, a = −3).
    pub fn double(&self) -> Point {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz = self.z.square();
        let xy2 = double(self.x * self.y);
        let xz2 = double(self.x * self.z);

        let bzz3 = triple(B * zz - xz2);
        let yy_m_bzz3 = yy - bzz3;
        let yy_p_bzz3 = yy + bzz3;

        let zz3 = triple(zz);
        let bxz6 = triple(B * xz2 - (zz3 + xx));
        let xx3_m_zz3 = triple(xx) - zz3;

        let yz2 = double(self.y * self.z);
        Point {
            x: yy_m_bzz3 * xy2 - bxz6 * yz2,
            y: yy_p_bzz3 * yy_m_bzz3 + xx3_m_zz3 * bxz6,
            z: double(double(yz2 * yy)),
        }
    }

    #[cfg(test)]
    pub fn neg(&self) -> Point {
        Point {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// k·self in constant time: 4-bit fixed windows, every table entry read on every step.
    pub fn mul(&self, scalar: &U512) -> Point {
        let mut table = [Point::IDENTITY; 16];
        for i in 1..16 {
            table[i] = table[i - 1].add(self);
        }
        let bytes = scalar.to_be_bytes();
        let mut acc = Point::IDENTITY;
        for byte in bytes {
            for nibble in [byte >> 4, byte & 0x0f] {
                acc = acc.double().double().double().double();
                let mut chosen = Point::IDENTITY;
                for (i, entry) in table.iter().enumerate() {
                    chosen.conditional_assign(entry, (i as u8).ct_eq(&nibble));
                }
                acc = acc.add(&chosen);
            }
        }
        acc
    }

    /// Projective equality: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1.
    pub fn equals(&self, other: &Point) -> bool {
        let x = (self.x * other.z).ct_eq(&(other.x * self.z));
        let y = (self.y * other.z).ct_eq(&(other.y * self.z));
        bool::from(x & y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::field::{ORDER, PRIME};

    #[test]
    fn generator_lies_on_the_curve() {
        assert!(Point::from_affine(&GENERATOR_X, &GENERATOR_Y).is_some());
    }

    #[test]
    fn point_off_the_curve_is_rejected() {
        let y = GENERATOR_Y.wrapping_add(&U512::ONE);
        assert!(Point::from_affine(&GENERATOR_X, &y).is_none());
    }

    #[test]
    fn coordinate_not_below_p_is_rejected() {
        assert!(Point::from_affine(&PRIME, &GENERATOR_Y).is_none());
    }

    #[test]
    fn order_times_generator_is_identity() {
        assert!(Point::generator().mul(&ORDER).is_identity());
        let almost = ORDER.wrapping_sub(&U512::ONE);
        assert!(Point::generator()
            .mul(&almost)
            .equals(&Point::generator().neg()));
    }

    #[test]
    fn doubling_equals_adding_to_itself_and_scalar_two() {
        let g = Point::generator();
        assert!(g.double().equals(&g.add(&g)));
        assert!(g.mul(&U512::from_u8(2)).equals(&g.double()));
        assert!(!g.double().equals(&g));
    }

    #[test]
    fn identity_is_neutral_for_addition() {
        let g = Point::generator();
        assert!(g.add(&Point::IDENTITY).equals(&g));
        assert!(Point::IDENTITY.add(&g).equals(&g));
        assert!(g.add(&g.neg()).is_identity());
        assert!(Point::IDENTITY.to_affine().is_none());
    }

    #[test]
    fn scalar_multiplication_distributes_over_scalar_addition() {
        let g = Point::generator();
        let a = U512::from_be_hex(
            "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        );
        let b = U512::from_u64(0xdead_beef);
        let sum = a.wrapping_add(&b);
        assert!(g.mul(&a).add(&g.mul(&b)).equals(&g.mul(&sum)));
        let (x, y) = g.mul(&sum).to_affine().expect("not the identity");
        assert!(Point::from_affine(&x, &y).is_some());
    }
}
