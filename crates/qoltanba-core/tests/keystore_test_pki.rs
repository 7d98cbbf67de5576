//! The generated test PKI (certs-test/) opens in both encodings; broken files fail distinctly.

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::{test_keystore, PASSWORD};
use qoltanba_core::cert::{Holder, KeyAlgorithm, Purpose, Role};
use qoltanba_core::keystore::{self, PrivateKey};
use qoltanba_core::Error;

/// Opens `<name>.p12` (OpenSSL 3 default: PBES2/AES-256, SHA-256 MAC) and `<name>_legacy.p12`.
fn both_encodings(name: &str) -> Vec<keystore::Keystore> {
    [format!("{name}.p12"), format!("{name}_legacy.p12")]
        .iter()
        .map(|file| {
            keystore::open(&test_keystore(file), PASSWORD).unwrap_or_else(|e| panic!("{file}: {e}"))
        })
        .collect()
}

#[test]
fn individual_auth_and_sign_are_classified_in_both_encodings() {
    for (name, purpose) in [
        ("individual_auth", Purpose::Auth),
        ("individual_sign", Purpose::Sign),
    ] {
        for store in both_encodings(name) {
            let info = &store.entries[0].certificate.info;
            assert_eq!(info.purpose, purpose, "{name}");
            assert_eq!(info.holder, Holder::Individual);
            assert_eq!(info.iin.as_deref(), Some("123456789011"));
            assert_eq!(info.bin, None);
            assert_eq!(info.algorithm, KeyAlgorithm::Rsa);
            assert_eq!(info.full_name.as_deref(), Some("ТЕСТОВ ТЕСТ ТЕСТОВИЧ"));
            assert!(matches!(store.entries[0].key, PrivateKey::Rsa(_)));
        }
    }
}

#[test]
fn legal_entity_ceo_keys_carry_bin_organisation_and_role() {
    for (name, purpose) in [
        ("legal_ceo_auth", Purpose::Auth),
        ("legal_ceo_sign", Purpose::Sign),
    ] {
        for store in both_encodings(name) {
            let info = &store.entries[0].certificate.info;
            assert_eq!(info.purpose, purpose, "{name}");
            assert_eq!(
                (info.holder, info.role),
                (Holder::LegalEntity, Some(Role::Ceo))
            );
            assert_eq!(info.iin.as_deref(), Some("123456789022"));
            assert_eq!(info.bin.as_deref(), Some("123456789021"));
            assert_eq!(
                info.organization.as_deref(),
                Some("ТОО \"Тестовая организация\"")
            );
        }
    }
}

#[test]
fn modern_files_keep_the_intermediate_ca_apart_from_the_key_entry() {
    let store = keystore::open(&test_keystore("individual_sign.p12"), PASSWORD).unwrap();
    assert_eq!(store.entries.len(), 1);
    assert_eq!(store.other_certificates.len(), 1);
    assert!(store.other_certificates[0].info.is_ca);
    assert!(!store.entries[0].certificate.info.is_ca);
}

#[test]
fn a_certificate_without_iin_parses() {
    for store in both_encodings("no_iin_sign") {
        let info = &store.entries[0].certificate.info;
        assert_eq!(info.iin, None);
        assert_eq!(info.bin.as_deref(), Some("123456789099"));
        assert_eq!(info.full_name.as_deref(), Some("TEST INFORMATION SYSTEM"));
    }
}

#[test]
fn ec_key_opens_but_is_named_as_unsupported() {
    for store in both_encodings("ec_p256_auth") {
        let entry = &store.entries[0];
        assert_eq!(
            entry.certificate.info.algorithm,
            KeyAlgorithm::Other("EC P-256".into())
        );
        assert!(
            matches!(&entry.key, PrivateKey::Unsupported(KeyAlgorithm::Other(name)) if name == "EC P-256")
        );
    }
}

#[test]
fn wrong_password_is_its_own_error_in_both_encodings() {
    for file in ["individual_auth.p12", "individual_auth_legacy.p12"] {
        let result = keystore::open(&test_keystore(file), "Qwerty13");
        assert!(
            matches!(result, Err(Error::WrongPassword)),
            "{file}: {result:?}"
        );
    }
}

#[test]
fn truncated_file_is_corrupted() {
    let result = keystore::open(&test_keystore("truncated.p12"), PASSWORD);
    assert!(matches!(result, Err(Error::Corrupted(_))), "{result:?}");
}

#[test]
fn non_pkcs12_and_empty_files_are_not_keystores() {
    for file in ["not_a_keystore.p12", "empty.p12"] {
        let result = keystore::open(&test_keystore(file), PASSWORD);
        assert!(
            matches!(result, Err(Error::NotPkcs12)),
            "{file}: {result:?}"
        );
    }
}

#[test]
fn a_missing_file_is_an_io_error_naming_the_path() {
    let result = keystore::open(&test_keystore("missing.p12"), PASSWORD);
    let error = result.unwrap_err();
    assert!(matches!(error, Error::Io { .. }));
    assert!(error.to_string().contains("missing.p12"));
}

#[test]
fn errors_never_echo_the_password() {
    let secret = "S3cret-Пароль";
    for file in ["individual_auth.p12", "truncated.p12", "not_a_keystore.p12"] {
        let error = keystore::open(&test_keystore(file), secret).unwrap_err();
        assert!(!error.to_string().contains(secret) && !format!("{error:?}").contains(secret));
    }
}

#[test]
fn find_lists_only_keystore_names_sorted_and_recurses_on_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for name in ["b.p12", "a.PFX", "notes.txt", "sub/c.p12"] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let names = |recursive| {
        keystore::find(&[dir.path().to_path_buf()], recursive)
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(false), ["a.PFX", "b.p12"]);
    assert_eq!(names(true), ["a.PFX", "b.p12", "sub/c.p12"]);
}

/// Re-exports the individual AUTH key and certificate with other `openssl pkcs12` options.
fn reexport(dir: &std::path::Path, name: &str, options: &[&str]) -> std::path::PathBuf {
    let pem = dir.join("both.pem");
    let source = test_keystore("individual_auth.p12");
    let out = common::run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            common::path_str(&source),
            "-nodes",
            "-passin",
            "pass:Qwerty12",
            "-out",
            common::path_str(&pem),
        ],
    );
    assert!(out.status.success());
    let target = dir.join(name);
    let mut args = vec![
        "pkcs12",
        "-export",
        "-in",
        common::path_str(&pem),
        "-passout",
        "pass:Qwerty12",
        "-out",
        common::path_str(&target),
    ];
    args.extend(options);
    let out = common::run("openssl", &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    target
}

#[test]
fn unsupported_encryption_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let rc4 = reexport(
        dir.path(),
        "rc4.p12",
        &[
            "-legacy",
            "-keypbe",
            "PBE-SHA1-RC4-128",
            "-certpbe",
            "PBE-SHA1-RC4-128",
        ],
    );
    match keystore::open(&rc4, PASSWORD) {
        Err(Error::UnsupportedEncryption(name)) => assert_eq!(name, "pbeWithSHAAnd128BitRC4"),
        other => panic!("{other:?}"),
    }
    let camellia = reexport(
        dir.path(),
        "camellia.p12",
        &[
            "-keypbe",
            "camellia-256-cbc",
            "-certpbe",
            "camellia-256-cbc",
        ],
    );
    match keystore::open(&camellia, PASSWORD) {
        Err(Error::UnsupportedEncryption(name)) => assert!(name.starts_with("PBES2"), "{name}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_a_mac_a_wrong_password_is_still_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let file = reexport(dir.path(), "nomac.p12", &["-nomac"]);
    assert!(keystore::open(&file, PASSWORD).is_ok());
    assert!(matches!(
        keystore::open(&file, "Qwerty13"),
        Err(Error::WrongPassword)
    ));
}
