//! Independent check: OpenSSL's gost engine (Debian libengine-gost-openssl) accepts our GOST
//! 34.10-2015 signatures once the harness maps KZ OIDs to TC26 ones and reverses the bytes.

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::openssl_gost::{gost_engine_available, tc26_public_key_pem};
use common::{nca_fixtures, path_str, run, PASSWORD};
use qoltanba_core::keystore;
use qoltanba_core::sign::{sign_raw, EntrySigner, SignOptions};

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
