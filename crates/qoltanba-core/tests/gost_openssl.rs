//! Independent check: OpenSSL's gost engine (Debian libengine-gost-openssl) accepts our GOST
//! 34.10-2015 signatures once the harness maps KZ OIDs to TC26 ones and reverses the bytes.

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::{nca_fixtures, path_str, run, PASSWORD};
use der::asn1::{BitString, ObjectIdentifier};
use der::{Any, Decode, Encode};
use qoltanba_core::keystore;
use qoltanba_core::sign::{sign_raw, EntrySigner, SignOptions};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_parser::prelude::{FromDer, X509Certificate};

/// id-tc26-gost3410-12-512: the TC26 name of the key type NCA calls 1.2.398.3.10.1.1.2.2.
const TC26_GOST2012_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.2");
/// id-tc26-gost-3410-12-512-paramSetA = NCA's 1.2.398.3.10.1.1.2.2.1.
const TC26_512_PARAM_SET_A: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.2.1.2.1");

/// True when `openssl` can load the gost engine; under CI its absence is a failure.
fn gost_engine_available() -> bool {
    let ok = run("openssl", &["engine", "gost"]).status.success();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "OpenSSL gost engine missing (apt-get install libengine-gost-openssl)"
        );
        eprintln!(
            "NOTE: OpenSSL gost engine not installed; the independent GOST check did not run"
        );
    }
    ok
}

/// The certificate's key as a TC26 SubjectPublicKeyInfo PEM; the x‖y octets stay as they are
/// (KZ and RFC 4491 both put little-endian coordinates there).
fn tc26_public_key_pem(cert_der: &[u8]) -> String {
    let (_, cert) = X509Certificate::from_der(cert_der).expect("certificate parses");
    let key_bits = cert.public_key().subject_public_key.data.to_vec();
    let mut params = der::asn1::SequenceOf::<ObjectIdentifier, 1>::new();
    params.add(TC26_512_PARAM_SET_A).expect("one OID");
    let params_der = params.to_der().expect("DER");
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: TC26_GOST2012_512,
            parameters: Some(Any::from_der(&params_der).expect("parameters")),
        },
        subject_public_key: BitString::from_bytes(&key_bits).expect("bits"),
    };
    let der = spki.to_der().expect("SPKI DER");
    pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).expect("PEM")
}

#[test]
fn openssl_gost_engine_verifies_our_signatures_from_each_nca_keystore() {
    let Some(dir) = nca_fixtures() else { return };
    if !gost_engine_available() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let options = SignOptions {
        allow_expired: true,
        ..SignOptions::default()
    };
    for name in ["GOST512_individual.p12", "GOST512_legal_ceo.p12"] {
        let store = keystore::open(&dir.join("keystores").join(name), PASSWORD).expect(name);
        let entry = &store.entries[0];
        let signer = EntrySigner::new(entry, options).expect("signer");
        let data = "Қолтаңба: GOST 34.10-2015 check".as_bytes();
        let mut signature = sign_raw(&signer, data).expect("signs");
        // KZ r‖s little-endian halves → RFC 4491 s‖r big-endian: the whole buffer reversed.
        signature.reverse();

        let public = scratch.path().join("pub.pem");
        let sig = scratch.path().join("sig.bin");
        let input = scratch.path().join("data");
        let other = scratch.path().join("other");
        std::fs::write(&public, tc26_public_key_pem(&entry.certificate.der)).unwrap();
        std::fs::write(&sig, &signature).unwrap();
        std::fs::write(&input, data).unwrap();
        std::fs::write(&other, b"something else").unwrap();
        let verify = |file: &std::path::Path| {
            run(
                "openssl",
                &[
                    "dgst",
                    "-engine",
                    "gost",
                    "-md_gost12_512",
                    "-verify",
                    path_str(&public),
                    "-signature",
                    path_str(&sig),
                    path_str(file),
                ],
            )
        };
        let out = verify(&input);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Verified OK"),
            "{name}: {out:?}"
        );
        let out = verify(&other);
        assert!(!out.status.success(), "{name}: tampered data accepted");
    }
}
