//! The pseudo-Mersenne field against an independent implementation: crypto-bigint's
//! Montgomery residues modulo the same p, on random values biased towards carry edges.

use crypto_bigint::modular::constant_mod::{Residue, ResidueParams};
use crypto_bigint::{impl_modulus, Encoding, U512};
use subtle::ConstantTimeEq;

use super::{Fp, LIMBS};

impl_modulus!(
    ReferenceModulus,
    U512,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7"
);
type Reference = Residue<ReferenceModulus, { U512::LIMBS }>;
const PRIME: U512 = <ReferenceModulus as ResidueParams<{ U512::LIMBS }>>::MODULUS;

/// splitmix64: reproducible values without a dependency.
struct Values(u64);

impl Values {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Limbs that are often 0, 1, all ones or near 569, so carries and borrows run far.
    fn limbs(&mut self) -> [u64; LIMBS] {
        let mut out = [0u64; LIMBS];
        for limb in out.iter_mut() {
            let r = self.next_u64();
            *limb = match self.next_u64() % 8 {
                0 => 0,
                1 => u64::MAX,
                2 => u64::MAX - (r % 1200),
                3 => r % 1200,
                _ => r,
            };
        }
        out
    }
}

fn u512(limbs: [u64; LIMBS]) -> U512 {
    Fp(limbs).to_u512_raw()
}

impl Fp {
    /// The stored limbs as an integer, without making them canonical.
    fn to_u512_raw(self) -> U512 {
        let mut bytes = [0u8; 64];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        U512::from_le_slice(&bytes)
    }
}

/// The reference element the stored limbs stand for (any value below 2^512, reduced mod p).
fn reference(v: Fp) -> Reference {
    let raw = v.to_u512_raw();
    let reduced = if raw >= PRIME {
        raw.wrapping_sub(&PRIME)
    } else {
        raw
    };
    Reference::new(&reduced)
}

fn same(ours: Fp, theirs: Reference) -> bool {
    ours.to_u512() == theirs.retrieve()
}

/// Edge values: 0, 1, 2, 568..570, p − 1 (= 2^512 − 570), p − 2, and the non-canonical p,
/// p + 1, 2^512 − 2, 2^512 − 1.
fn edges() -> Vec<Fp> {
    let p = PRIME;
    let mut out = vec![Fp::ZERO, Fp::ONE, Fp([2, 0, 0, 0, 0, 0, 0, 0])];
    for v in [
        p.wrapping_sub(&U512::ONE),
        p.wrapping_sub(&U512::from_u8(2)),
        U512::from_u16(568),
        U512::from_u16(569),
        U512::from_u16(570),
        p,
        p.wrapping_add(&U512::ONE),
        U512::MAX,
        U512::MAX.wrapping_sub(&U512::ONE),
    ] {
        let bytes = v.to_le_bytes();
        let mut limbs = [0u64; LIMBS];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            *limb = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        out.push(Fp(limbs));
    }
    out
}

/// The edge value whose limbs hold `raw` as they are.
fn stored(raw: U512) -> Fp {
    edges()
        .into_iter()
        .find(|v| v.to_u512_raw() == raw)
        .expect("an edge value")
}

fn samples() -> Vec<Fp> {
    let mut values = Values(0x5eed);
    let mut out = edges();
    out.extend((0..400).map(|_| Fp(values.limbs())));
    out
}

#[test]
fn arithmetic_matches_crypto_bigint_residues_on_random_and_edge_values() {
    let all = samples();
    for (i, &a) in all.iter().enumerate() {
        let ra = reference(a);
        assert!(same(a.square(), ra.square()), "square {i}");
        assert!(same(-a, -ra), "neg {i}");
        // Pair each value with a handful of others, all edges included.
        for &b in all.iter().skip(i % 37).step_by(23).chain(edges().iter()) {
            let rb = reference(b);
            assert!(same(a * b, ra * rb), "mul {a:?} {b:?}");
            assert!(same(a + b, ra + rb), "add {a:?} {b:?}");
            assert!(same(a - b, ra - rb), "sub {a:?} {b:?}");
        }
    }
}

#[test]
fn long_chains_of_operations_stay_equal_to_the_reference() {
    let mut values = Values(42);
    let mut a = Fp(values.limbs());
    let mut ra = reference(a);
    for _ in 0..5000 {
        let b = Fp(values.limbs());
        let rb = reference(b);
        a = (a * b - a.square()) + b;
        ra = (ra * rb - ra.square()) + rb;
    }
    assert!(same(a, ra));
}

#[test]
fn inverse_matches_the_reference_and_zero_has_none() {
    for a in samples().into_iter().step_by(7) {
        let ra = reference(a);
        let (inverse, invertible) = ra.invert();
        let ours = a.invert();
        assert_eq!(bool::from(ours.is_some()), bool::from(invertible));
        if bool::from(invertible) {
            let ours = ours.unwrap_or(Fp::ZERO);
            assert!(same(ours, inverse));
            assert!(bool::from((ours * a).ct_eq(&Fp::ONE)));
        }
    }
    assert!(bool::from(Fp::ZERO.invert().is_none()));
    let p_as_limbs = stored(PRIME);
    assert!(bool::from(p_as_limbs.invert().is_none()), "p is zero too");
}

#[test]
fn only_values_below_p_are_accepted_and_read_back_unchanged() {
    let p = PRIME;
    for bad in [p, p.wrapping_add(&U512::ONE), U512::MAX] {
        assert!(bool::from(Fp::from_u512(&bad).is_none()));
    }
    let mut values = Values(7);
    for v in [U512::ZERO, U512::ONE, p.wrapping_sub(&U512::ONE)]
        .into_iter()
        .chain((0..50).map(|_| u512(values.limbs())).filter(|v| v < &p))
    {
        let element = Fp::from_u512(&v);
        assert!(bool::from(element.is_some()));
        assert_eq!(element.unwrap_or(Fp::ZERO).to_u512(), v);
    }
}

#[test]
fn a_value_stored_above_p_equals_and_reads_as_its_reduction() {
    let p = PRIME;
    let five_plus_p = Fp::from_u512(&U512::from_u8(5)).unwrap_or(Fp::ZERO);
    let stored = stored(p.wrapping_add(&U512::ONE));
    assert_eq!(stored.to_u512(), U512::ONE);
    assert!(bool::from(stored.ct_eq(&Fp::ONE)));
    assert!(!bool::from(stored.ct_eq(&five_plus_p)));
}

#[test]
fn hex_constants_read_big_endian() {
    let v = Fp::from_be_hex(
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ABCD",
    );
    assert_eq!(v.to_u512(), U512::from_u16(0xabcd));
    let top = Fp::from_be_hex(
        "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000F",
    );
    assert_eq!(
        top.to_u512(),
        U512::ONE.shl_vartime(511).wrapping_add(&U512::from_u8(15))
    );
}
