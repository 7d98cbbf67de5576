//! Signatures made from keystores verify with tools we did not write: openssl and xmlsec1.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{nca_fixtures, path_str, run, test_ca, test_keystore, PASSWORD};
use qoltanba_core::keystore::{self, Keystore};
use qoltanba_core::sign::xml::{sign_enveloped, XmlLayout};
use qoltanba_core::sign::{cms::sign_cms, sign_raw, EntrySigner, SignOptions};
use qoltanba_core::Error;
use time::OffsetDateTime;

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><request xmlns="urn:test"><iin>123456789011</iin><note>Өтініш — заявление</note></request>"#;

fn open(name: &str) -> Keystore {
    keystore::open(&test_keystore(name), PASSWORD).unwrap()
}

fn now() -> SignOptions {
    SignOptions::default()
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

fn cms_verifies(signature: &Path, content: Option<&Path>, out: &Path) -> bool {
    let chain = test_ca("chain.pem");
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        path_str(signature),
        "-CAfile",
        path_str(&chain),
        "-out",
        path_str(out),
    ];
    if let Some(content) = content {
        args.extend(["-content", path_str(content)]);
    }
    run("openssl", &args).status.success()
}

#[test]
fn attached_cms_verifies_with_openssl_and_returns_the_content() {
    let store = open("individual_sign.p12");
    let signer = EntrySigner::new(&store.entries[0], now()).unwrap();
    let data = "Мен келісемін / I agree".as_bytes();
    let cms = sign_cms(&signer, data, false, SystemTime::now()).unwrap();
    let scratch = Scratch::new();
    let signature = scratch.write("sig.p7s", &cms);
    let out = scratch.dir.path().join("content");
    assert!(cms_verifies(&signature, None, &out));
    assert_eq!(std::fs::read(out).unwrap(), data);
}

#[test]
fn detached_cms_verifies_and_a_changed_byte_fails() {
    let store = open("legal_ceo_sign_legacy.p12");
    let signer = EntrySigner::new(&store.entries[0], now()).unwrap();
    let data = vec![7u8; 10_000];
    let cms = sign_cms(&signer, &data, true, SystemTime::now()).unwrap();
    let scratch = Scratch::new();
    let signature = scratch.write("sig.p7s", &cms);
    let content = scratch.write("data.bin", &data);
    let out = scratch.dir.path().join("out");
    assert!(cms_verifies(&signature, Some(&content), &out));

    let mut tampered = data.clone();
    tampered[5000] ^= 1;
    let content = scratch.write("data.bin", &tampered);
    assert!(!cms_verifies(&signature, Some(&content), &out));
}

#[test]
fn xml_verifies_with_xmlsec1_in_both_layouts_and_a_changed_byte_fails() {
    let store = open("individual_sign.p12");
    let signer = EntrySigner::new(&store.entries[0], now()).unwrap();
    let scratch = Scratch::new();
    for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
        let signed = sign_enveloped(DOCUMENT, &signer, layout).unwrap();
        let xmlsec = |file: &Path| {
            run(
                "xmlsec1",
                &[
                    "--verify",
                    "--trusted-pem",
                    path_str(&test_ca("root.pem")),
                    "--untrusted-pem",
                    path_str(&test_ca("intermediate.pem")),
                    path_str(file),
                ],
            )
            .status
            .success()
        };
        assert!(
            xmlsec(&scratch.write("signed.xml", signed.as_bytes())),
            "{layout:?}"
        );
        let tampered = signed.replace("123456789011", "123456789012");
        assert!(
            !xmlsec(&scratch.write("tampered.xml", tampered.as_bytes())),
            "{layout:?}"
        );
    }
}

#[test]
fn raw_signature_verifies_with_openssl_dgst_and_a_changed_byte_fails() {
    let store = open("individual_auth_legacy.p12");
    let signer = EntrySigner::new(&store.entries[0], now()).unwrap();
    let data = b"challenge bytes from a portal";
    let signature = sign_raw(&signer, data).unwrap();
    let scratch = Scratch::new();
    let cert = scratch.write("cert.pem", store.entries[0].certificate.to_pem().as_bytes());
    let public = scratch.dir.path().join("public.pem");
    assert!(run(
        "openssl",
        &[
            "x509",
            "-in",
            path_str(&cert),
            "-pubkey",
            "-noout",
            "-out",
            path_str(&public)
        ]
    )
    .status
    .success());
    let sig = scratch.write("sig.bin", &signature);
    let verify = |data: &Path| {
        run(
            "openssl",
            &[
                "dgst",
                "-sha256",
                "-verify",
                path_str(&public),
                "-signature",
                path_str(&sig),
                path_str(data),
            ],
        )
        .status
        .success()
    };
    assert!(verify(&scratch.write("data", data)));
    assert!(!verify(
        &scratch.write("data", b"challenge bytes from a portaL")
    ));
}

#[test]
fn real_nca_rsa_key_signs_cms_that_openssl_verifies_against_the_nca_test_ca() {
    let Some(dir) = nca_fixtures() else { return };
    let store = keystore::open(
        &dir.join("keystores/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12"),
        PASSWORD,
    )
    .unwrap();
    let entry = &store.entries[0];
    // NCA test certificates are expired; sign as of a day inside their validity.
    let inside = SignOptions {
        now: entry.certificate.info.not_before + time::Duration::days(1),
        allow_expired: false,
    };
    let signer = EntrySigner::new(entry, inside).unwrap();
    let cms = sign_cms(&signer, b"data", true, SystemTime::now()).unwrap();
    let scratch = Scratch::new();
    let signature = scratch.write("sig.p7s", &cms);
    let content = scratch.write("data", b"data");
    let chain = [
        std::fs::read_to_string(dir.join("ca/nca_rsa_test.crt")).unwrap(),
        std::fs::read_to_string(dir.join("ca/root_rsa_test.crt")).unwrap(),
    ];
    let ca = scratch.write("ca.pem", chain.join("\n").as_bytes());
    let attime = (entry.certificate.info.not_before.unix_timestamp() + 86_400).to_string();
    let out = run(
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            path_str(&signature),
            "-content",
            path_str(&content),
            "-CAfile",
            path_str(&ca),
            "-attime",
            &attime,
            "-out",
            "/dev/null",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn expired_certificate_is_refused_unless_allowed() {
    let store = open("expired_sign.p12");
    let entry = &store.entries[0];
    let refused = EntrySigner::new(entry, now());
    assert!(matches!(refused, Err(Error::CertificateExpired(_))));
    let allowed = SignOptions {
        now: OffsetDateTime::now_utc(),
        allow_expired: true,
    };
    let signer = EntrySigner::new(entry, allowed).unwrap();
    assert!(sign_raw(&signer, b"x").is_ok());
}

#[test]
fn not_yet_valid_certificate_is_refused_even_when_expired_ones_are_allowed() {
    let store = open("not_yet_valid_sign_legacy.p12");
    let options = SignOptions {
        now: OffsetDateTime::now_utc(),
        allow_expired: true,
    };
    assert!(matches!(
        EntrySigner::new(&store.entries[0], options),
        Err(Error::CertificateNotYetValid(_))
    ));
}

#[test]
fn ec_and_gost_keys_are_refused_with_their_names() {
    let store = open("ec_p256_auth.p12");
    match EntrySigner::new(&store.entries[0], now()) {
        Err(Error::UnsupportedKeyAlgorithm(name)) => assert_eq!(name, "EC P-256"),
        other => panic!("{:?}", other.err()),
    }
    let Some(dir) = nca_fixtures() else { return };
    let gost = keystore::open(
        &dir.join("keystores/GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12"),
        PASSWORD,
    )
    .unwrap();
    match EntrySigner::new(
        &gost.entries[0],
        SignOptions {
            allow_expired: true,
            ..now()
        },
    ) {
        Err(Error::UnsupportedKeyAlgorithm(name)) => assert_eq!(name, "GOST 34.310-2004"),
        other => panic!("{:?}", other.err()),
    }
}
