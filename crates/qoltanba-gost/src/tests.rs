use super::*;

/// GOST 34.11-2012 (RFC 6986) prints messages and hashes as big-endian integers; the hash's
/// byte string is the reverse.
fn from_standard_hex(hex_text: &str) -> Vec<u8> {
    let mut bytes = hex::decode(hex_text).expect("valid hex");
    bytes.reverse();
    bytes
}

#[test]
fn streebog512_matches_the_standard_example_m1() {
    let m1 = from_standard_hex(
        "323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130",
    );
    assert_eq!(
        m1,
        b"012345678901234567890123456789012345678901234567890123456789012"
    );
    let expected = from_standard_hex(
        "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b",
    );
    assert_eq!(streebog512(&m1).to_vec(), expected);
}

#[test]
fn streebog512_matches_the_standard_example_m2() {
    let m2 = from_standard_hex(
        "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1",
    );
    let expected = from_standard_hex(
        "28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e",
    );
    assert_eq!(streebog512(&m2).to_vec(), expected);
}

fn test_key() -> SigningKey {
    let mut d = [0u8; SCALAR_LEN];
    d[..32].copy_from_slice(&streebog512(b"qoltanba test key")[..32]);
    SigningKey::from_kz_bytes(&d).expect("valid scalar")
}

#[test]
fn signature_made_verifies_and_tampering_breaks_it() {
    let key = test_key();
    let public = key.verifying_key();
    let signature = key.sign(b"document").expect("signs");
    assert_eq!(public.verify(b"document", &signature), Ok(()));
    assert_eq!(
        public.verify(b"documenT", &signature),
        Err(GostError::BadSignature)
    );
    let mut bytes = signature.to_kz_bytes();
    bytes[3] ^= 1;
    let flipped = Signature::from_kz_bytes(&bytes).expect("still in range");
    assert_eq!(
        public.verify(b"document", &flipped),
        Err(GostError::BadSignature)
    );
}

#[test]
fn signature_does_not_verify_under_another_key() {
    let signature = test_key().sign(b"document").expect("signs");
    let other = SigningKey::from_kz_bytes(&[7u8; SCALAR_LEN]).expect("valid scalar");
    assert_eq!(
        other.verifying_key().verify(b"document", &signature),
        Err(GostError::BadSignature)
    );
}

#[test]
fn random_nonces_give_different_signatures_that_all_verify() {
    let key = test_key();
    let a = key.sign(b"same").expect("signs");
    let b = key.sign(b"same").expect("signs");
    assert_ne!(a, b);
    assert!(key.verifying_key().verify(b"same", &b).is_ok());
}

#[test]
fn fixed_nonce_signing_is_deterministic_and_follows_the_equations() {
    let key = test_key();
    let digest = streebog512(b"known answer");
    let k = U512::from_u64(0x1234_5678_9abc_def1);
    let a = key.sign_digest_with_nonce(&digest, &k).expect("signs");
    let b = key.sign_digest_with_nonce(&digest, &k).expect("signs");
    assert_eq!(a, b);
    // r = x(kP) mod q, s = r·d + k·e mod q, recomputed from the parts.
    let (x, _) = Point::generator()
        .mul(&k)
        .to_affine()
        .expect("not identity");
    assert_eq!(a.r, Fq::new(&x).retrieve());
    let s = Fq::new(&a.r) * key.d + Fq::new(&k) * digest_to_e(&digest);
    assert_eq!(a.s, s.retrieve());
    assert!(key.verifying_key().verify_digest(&digest, &a).is_ok());
}

#[test]
fn nonce_outside_one_to_q_minus_one_is_refused() {
    let key = test_key();
    let digest = streebog512(b"x");
    assert!(key.sign_digest_with_nonce(&digest, &U512::ZERO).is_none());
    assert!(key.sign_digest_with_nonce(&digest, &ORDER).is_none());
}

#[test]
fn zero_digest_is_signed_as_e_equals_one() {
    let key = test_key();
    let zero = [0u8; DIGEST_LEN];
    let mut one = [0u8; DIGEST_LEN];
    one[0] = 1;
    let signature = key.sign_digest(&zero).expect("signs");
    assert!(key.verifying_key().verify_digest(&one, &signature).is_ok());
}

#[test]
fn private_key_must_be_64_bytes_between_one_and_q_minus_one() {
    assert_eq!(
        SigningKey::from_kz_bytes(&[0u8; SCALAR_LEN]).unwrap_err(),
        GostError::InvalidPrivateKey
    );
    assert_eq!(
        SigningKey::from_kz_bytes(&ORDER.to_le_bytes()).unwrap_err(),
        GostError::InvalidPrivateKey
    );
    assert_eq!(
        SigningKey::from_kz_bytes(&[1u8; 32]).unwrap_err(),
        GostError::InvalidPrivateKey
    );
    assert!(SigningKey::from_kz_bytes(&ORDER.wrapping_sub(&U512::ONE).to_le_bytes()).is_ok());
}

#[test]
fn public_key_encoding_round_trips_and_rejects_points_off_the_curve() {
    let public = test_key().verifying_key();
    let bytes = public.to_kz_bytes();
    assert_eq!(VerifyingKey::from_kz_bytes(&bytes), Ok(public));
    let mut bad = bytes;
    bad[100] ^= 1;
    assert_eq!(
        VerifyingKey::from_kz_bytes(&bad),
        Err(GostError::InvalidPublicKey)
    );
    assert_eq!(
        VerifyingKey::from_kz_bytes(&bytes[..127]),
        Err(GostError::InvalidPublicKey)
    );
}

#[test]
fn signature_encoding_is_r_then_s_little_endian_and_rfc4491_is_its_reverse() {
    let signature = test_key().sign(b"m").expect("signs");
    let kz = signature.to_kz_bytes();
    assert_eq!(&kz[..SCALAR_LEN], &signature.r.to_le_bytes()[..]);
    assert_eq!(&kz[SCALAR_LEN..], &signature.s.to_le_bytes()[..]);
    let rfc = signature.to_rfc4491_bytes();
    assert_eq!(&rfc[..SCALAR_LEN], &signature.s.to_be_bytes()[..]);
    assert_eq!(Signature::from_kz_bytes(&kz), Ok(signature));
}

#[test]
fn signature_with_zero_or_oversized_halves_is_malformed() {
    let mut bytes = [0u8; PAIR_LEN];
    bytes[SCALAR_LEN] = 1;
    assert_eq!(
        Signature::from_kz_bytes(&bytes),
        Err(GostError::MalformedSignature)
    );
    bytes[0] = 1;
    assert!(Signature::from_kz_bytes(&bytes).is_ok());
    bytes[..SCALAR_LEN].copy_from_slice(&ORDER.to_le_bytes());
    assert_eq!(
        Signature::from_kz_bytes(&bytes),
        Err(GostError::MalformedSignature)
    );
    assert_eq!(
        Signature::from_kz_bytes(&bytes[1..]),
        Err(GostError::MalformedSignature)
    );
}

#[test]
fn debug_output_of_a_private_key_shows_no_scalar() {
    let text = format!("{:?}", test_key());
    assert_eq!(text, "gost::SigningKey(512-bit paramSetA)");
}

/// A known answer for paramSetA from an independent implementation's published test suite (the
/// digest α and nonce k of GOST R 34.10-2012 appendix A.2; key, public key and signature printed
/// big-endian, the signature as r ‖ s).
#[test]
fn param_set_a_known_answer_matches_an_independent_implementation() {
    let d = from_standard_hex(
        "480f669784fd01b5cb7b5f919159af5b9a78c332ec07ca2602de83529e061b49\
         88ac5b38345206df49894c6a4428825acf2f6ff1ecb5e578584e654f9dfd7192",
    );
    let alpha: [u8; DIGEST_LEN] = from_standard_hex(
        "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591\
         7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
    )
    .try_into()
    .expect("64 bytes");
    let k = U512::from_be_hex(
        "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F3658\
         86748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
    );
    let expected_public = "e25d47f1cc5391e872213ef0a55c90ef21cef5c28f1c075f7a15e741791e1290\
         3e62ea39e0075b83b4346678c63d5451be6f53a1e7507f7d1cc6a3ea6a0d69ad\
         14f216dbc88698a8f0267d6fc8f46b59ead371a7c5a87774b0c0f071f456e48f\
         f32ec0f8cdc93432e528e50925bd571546e431aa3cfef1f2efa57ca5f9bb0865";
    let expected_signature = "561b01afb058d86534a5bbbe50ec01b620bc4379318d7bf6f6c9248696920c68\
         a2fab805f89d252138577516a866df301abf7be0329a6eb64765f564db8dc11c\
         062952d8f0ff0597be2185f67d423af24aca3361b6bfc149fe1f81f698c49e52\
         632b44349164a0ea52420646bacf5b91acead74a6a30dc6588f4a137e9e53f7a";

    let key = SigningKey::from_kz_bytes(&d).expect("key");
    // KZ order is X ‖ Y, each little-endian; the vector prints each big-endian.
    let public = key.verifying_key().to_kz_bytes();
    let mut x = public[..64].to_vec();
    let mut y = public[64..].to_vec();
    x.reverse();
    y.reverse();
    assert_eq!(hex::encode([x, y].concat()), expected_public);

    let signature = key.sign_digest_with_nonce(&alpha, &k).expect("signs");
    let r_then_s = format!("{}{}", signature.r, signature.s).to_lowercase();
    assert_eq!(r_then_s, expected_signature);
    assert!(key
        .verifying_key()
        .verify_digest(&alpha, &signature)
        .is_ok());
}
