//! Jacobian coordinates (x = X/Z², y = Y/Z³) for verification's variable-time ladder: a doubling
//! costs 3M + 5S against 10M + 3S for the complete projective formula. These formulas have
//! exceptions (the identity, P + P, P + (−P)); each is caught by a branch, which is fine here
//! because only public values pass through.

use super::field::Fp;
use super::point::{AffinePoint, Point};

#[derive(Clone, Copy, Debug)]
pub struct JacobianPoint {
    x: Fp,
    y: Fp,
    z: Fp,
}

impl JacobianPoint {
    /// Z = 0 stands for the identity.
    pub const IDENTITY: JacobianPoint = JacobianPoint {
        x: Fp::ONE,
        y: Fp::ONE,
        z: Fp::ZERO,
    };

    fn is_identity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// Projective (X:Y:Z) = (X/Z, Y/Z) is Jacobian (X·Z, Y·Z², Z).
    pub fn from_point(point: &Point) -> JacobianPoint {
        let (x, y, z) = point.coordinates();
        JacobianPoint {
            x: x * z,
            y: y * z.square(),
            z,
        }
    }

    /// Jacobian (X, Y, Z) is projective (X·Z : Y : Z³).
    pub fn to_point(self) -> Point {
        if self.is_identity() {
            return Point::IDENTITY;
        }
        Point::from_coordinates(self.x * self.z, self.y, self.z.square() * self.z)
    }

    pub fn neg(&self) -> JacobianPoint {
        JacobianPoint {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// dbl-2001-b (a = −3): 3M + 5S. The identity doubles to Z = 0 again; the curve has prime
    /// order, so no point of order 2 sends a non-identity to it.
    pub fn double(&self) -> JacobianPoint {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t + t + t;
        let beta2 = beta + beta;
        let beta4 = beta2 + beta2;
        let beta8 = beta4 + beta4;
        let x = alpha.square() - beta8;
        let z = (self.y + self.z).square() - gamma - delta;
        let gamma_sq = gamma.square();
        let gamma_sq2 = gamma_sq + gamma_sq;
        let gamma_sq4 = gamma_sq2 + gamma_sq2;
        let y = alpha * (beta4 - x) - (gamma_sq4 + gamma_sq4);
        JacobianPoint { x, y, z }
    }

    /// self + (x2, y2) (madd, 8M + 3S), with the identity and equal or opposite points handled.
    pub fn add_affine(&self, rhs: &AffinePoint) -> JacobianPoint {
        let (x2, y2) = rhs.coordinates();
        if self.is_identity() {
            return JacobianPoint {
                x: x2,
                y: y2,
                z: Fp::ONE,
            };
        }
        let z1z1 = self.z.square();
        let u2 = x2 * z1z1;
        let s2 = y2 * self.z * z1z1;
        self.finish_add(self.x, self.y, u2, s2, self.z, || JacobianPoint {
            x: x2,
            y: y2,
            z: Fp::ONE,
        })
    }

    /// self + rhs (add-1998-cmo-2, 12M + 4S), with the exceptions handled.
    pub fn add(&self, rhs: &JacobianPoint) -> JacobianPoint {
        if self.is_identity() {
            return *rhs;
        }
        if rhs.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = rhs.z.square();
        let u1 = self.x * z2z2;
        let u2 = rhs.x * z1z1;
        let s1 = self.y * rhs.z * z2z2;
        let s2 = rhs.y * self.z * z1z1;
        self.finish_add(u1, s1, u2, s2, self.z * rhs.z, || *rhs)
    }

    /// The common tail: H = U2 − U1, R = S2 − S1; H = 0 means equal x, so the points are equal
    /// (R = 0: double) or opposite (the identity). `z1z2` is the product of both Z.
    fn finish_add(
        &self,
        u1: Fp,
        s1: Fp,
        u2: Fp,
        s2: Fp,
        z1z2: Fp,
        rhs: impl Fn() -> JacobianPoint,
    ) -> JacobianPoint {
        let h = u2 - u1;
        let r = s2 - s1;
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                rhs().double()
            } else {
                JacobianPoint::IDENTITY
            };
        }
        let hh = h.square();
        let hhh = h * hh;
        let v = u1 * hh;
        let x = r.square() - hhh - (v + v);
        let y = r * (v - x) - s1 * hhh;
        JacobianPoint { x, y, z: z1z2 * h }
    }
}
