//! Points of y² = x³ − 3x + b over GF(p) in projective coordinates, with the complete
//! (exception-free) formulas of Renes–Costello–Batina 2015, so no input needs a special case.

use crypto_bigint::U512;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::field::{Fp, B, GENERATOR_X, GENERATOR_Y};

/// A projective point (X:Y:Z); the identity is (0:1:0).
#[derive(Clone, Copy, Debug)]
pub struct Point {
    x: Fp,
    y: Fp,
    z: Fp,
}

/// An affine point (x, y), never the identity: the entries of precomputed tables.
#[derive(Clone, Copy, Debug)]
pub struct AffinePoint {
    x: Fp,
    y: Fp,
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

impl ConditionallySelectable for AffinePoint {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        AffinePoint {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
        }
    }
}

impl AffinePoint {
    /// (x, y): for the Jacobian formulas of verification.
    pub fn coordinates(&self) -> (Fp, Fp) {
        (self.x, self.y)
    }

    /// −(x, y) = (x, −y).
    pub fn neg(&self) -> AffinePoint {
        AffinePoint {
            x: self.x,
            y: -self.y,
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
    pub const fn generator() -> Point {
        Point {
            x: GENERATOR_X,
            y: GENERATOR_Y,
            z: Fp::ONE,
        }
    }

    /// (X, Y, Z) as stored: for the Jacobian formulas of verification.
    pub fn coordinates(&self) -> (Fp, Fp, Fp) {
        (self.x, self.y, self.z)
    }

    /// The point (X:Y:Z), unchecked: only for coordinates that came from a point.
    pub fn from_coordinates(x: Fp, y: Fp, z: Fp) -> Point {
        Point { x, y, z }
    }

    /// Accepts (x, y) only if both are below p and the point is on the curve.
    pub fn from_affine(x: &U512, y: &U512) -> Option<Point> {
        let x = Option::<Fp>::from(Fp::from_u512(x))?;
        let y = Option::<Fp>::from(Fp::from_u512(y))?;
        let lhs = y.square();
        let rhs = x.square() * x - triple(x) + B;
        bool::from(lhs.ct_eq(&rhs)).then_some(Point { x, y, z: Fp::ONE })
    }

    /// The affine coordinates, or none for the identity.
    pub fn to_affine(self) -> Option<(U512, U512)> {
        let z_inv = Option::<Fp>::from(self.z.invert())?;
        Some(((self.x * z_inv).to_u512(), (self.y * z_inv).to_u512()))
    }

    /// The affine forms of points none of which is the identity, with one inversion for all
    /// (Montgomery's trick); none if one is the identity. For public points only: tables.
    pub fn batch_to_affine(points: &[Point]) -> Option<Vec<AffinePoint>> {
        // prefix[i] = z_0 · … · z_{i−1}.
        let mut prefix = Vec::with_capacity(points.len());
        let mut product = Fp::ONE;
        for point in points {
            prefix.push(product);
            product = product * point.z;
        }
        let mut inverse = Option::<Fp>::from(product.invert())?;
        let mut out = vec![
            AffinePoint {
                x: Fp::ZERO,
                y: Fp::ZERO
            };
            points.len()
        ];
        for ((point, before), slot) in points.iter().zip(prefix).zip(out.iter_mut()).rev() {
            // inverse = (z_0 · … · z_i)⁻¹ here, so z_i⁻¹ = inverse · (z_0 · … · z_{i−1}).
            let z_inv = inverse * before;
            inverse = inverse * point.z;
            *slot = AffinePoint {
                x: point.x * z_inv,
                y: point.y * z_inv,
            };
        }
        Some(out)
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

    /// RCB 2015 Algorithm 4 with Z2 = 1 (their Algorithm 5): complete as long as `rhs`, being
    /// affine, is not the identity; `self` may be.
    pub fn add_affine(&self, rhs: &AffinePoint) -> Point {
        let xx = self.x * rhs.x;
        let yy = self.y * rhs.y;
        let zz = self.z;
        let xy_pairs = ((self.x + self.y) * (rhs.x + rhs.y)) - (xx + yy);
        let yz_pairs = rhs.y * self.z + self.y;
        let xz_pairs = rhs.x * self.z + self.x;

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
    /// Signing uses `fixed_base`; this stays as the plain reference the faster paths are checked
    /// against.
    #[cfg(test)]
    pub fn mul(&self, scalar: &U512) -> Point {
        use crypto_bigint::Encoding;
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
    use crate::field::{ORDER, PRIME};

    #[test]
    fn generator_lies_on_the_curve() {
        let (x, y) = (GENERATOR_X.to_u512(), GENERATOR_Y.to_u512());
        assert!(Point::from_affine(&x, &y).is_some());
    }

    #[test]
    fn point_off_the_curve_is_rejected() {
        let y = GENERATOR_Y.to_u512().wrapping_add(&U512::ONE);
        assert!(Point::from_affine(&GENERATOR_X.to_u512(), &y).is_none());
    }

    #[test]
    fn coordinate_not_below_p_is_rejected() {
        assert!(Point::from_affine(&PRIME, &GENERATOR_Y.to_u512()).is_none());
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
