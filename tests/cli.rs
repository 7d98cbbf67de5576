//! The command line: stable output, one-sentence errors, a distinct exit code per error kind.

mod common;
#[path = "support/openssl_tsa.rs"]
mod openssl_tsa;

use std::path::Path;
use std::process::{Command, Output};

use common::{nca_fixtures, path_str, run, test_ca, test_keystore, PASSWORD};

fn qoltanba(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qoltanba"))
        .args(args)
        .output()
        .unwrap()
}

fn password_file(dir: &Path, password: &str) -> String {
    let file = dir.join(format!("password-{}", password.len()));
    std::fs::write(&file, format!("{password}\n")).unwrap();
    path_str(&file).to_string()
}

#[test]
fn certs_list_prints_keystore_paths_one_per_line() {
    let out = qoltanba(&["certs", "list", path_str(&test_keystore(""))]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.ends_with("individual_auth.p12")));
    assert!(text
        .lines()
        .all(|l| l.ends_with(".p12") || l.ends_with(".pfx")));
}

#[test]
fn certs_show_json_has_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let keystore = test_keystore("legal_ceo_auth.p12");
    let out = qoltanba(&[
        "certs",
        "show",
        path_str(&keystore),
        "--password-file",
        &password_file(dir.path(), PASSWORD),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "path",
        "algorithm",
        "purpose",
        "holder",
        "role",
        "iin",
        "bin",
        "fullName",
        "surname",
        "givenName",
        "patronymic",
        "organization",
        "email",
        "serial",
        "issuer",
        "notBefore",
        "notAfter",
        "expired",
        "sha256Fingerprint",
        "keyUsage",
        "extKeyUsage",
        "policies",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["purpose"], "AUTH");
    assert_eq!(json["holder"], "legalEntity");
    assert_eq!(json["role"], "ceo");
    assert_eq!(json["bin"], "123456789021");
    assert_eq!(json["expired"], false);
    assert!(json["notAfter"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn each_error_kind_has_its_own_exit_code_and_one_line_message() {
    let dir = tempfile::tempdir().unwrap();
    let right = password_file(dir.path(), PASSWORD);
    let cases = [
        ("individual_auth.p12", "wrong", 5, "wrong password"),
        ("not_a_keystore.p12", PASSWORD, 4, "not a PKCS#12"),
        ("truncated.p12", PASSWORD, 6, "damaged"),
        ("missing.p12", PASSWORD, 3, "cannot read"),
    ];
    for (file, password, code, words) in cases {
        let pw = if password == PASSWORD {
            right.clone()
        } else {
            password_file(dir.path(), password)
        };
        let out = qoltanba(&[
            "certs",
            "show",
            path_str(&test_keystore(file)),
            "--password-file",
            &pw,
        ]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(code), "{file}: {stderr}");
        assert!(stderr.contains(words), "{file}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("wrong\n") && !stderr.contains(PASSWORD));
    }
}

#[test]
fn signing_refuses_expired_and_unsupported_keys_with_distinct_codes() {
    let dir = tempfile::tempdir().unwrap();
    let pw = password_file(dir.path(), PASSWORD);
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "data").unwrap();
    let out_file = dir.path().join("out");
    let sign = |keystore: &str, extra: &[&str]| {
        let keystore = test_keystore(keystore);
        let mut args = vec!["sign", "raw", "--keystore", path_str(&keystore)];
        args.extend(["--password-file", &pw, "--in", path_str(&input)]);
        args.extend(["--out", path_str(&out_file)]);
        args.extend(extra);
        qoltanba(&args)
    };
    assert_eq!(sign("expired_sign.p12", &[]).status.code(), Some(11));
    assert_eq!(
        sign("expired_sign.p12", &["--allow-expired"]).status.code(),
        Some(0)
    );
    assert_eq!(sign("ec_p256_auth.p12", &[]).status.code(), Some(9));
}

#[test]
fn sign_cms_detached_pem_and_xml_produce_files_the_verifiers_accept() {
    let dir = tempfile::tempdir().unwrap();
    let pw = password_file(dir.path(), PASSWORD);
    let keystore = test_keystore("individual_sign.p12");
    let data = dir.path().join("data.xml");
    std::fs::write(&data, "<doc><a>1</a></doc>").unwrap();

    let cms = dir.path().join("data.p7s");
    let out = qoltanba(&[
        "sign",
        "cms",
        "--keystore",
        path_str(&keystore),
        "--password-file",
        &pw,
        "--in",
        path_str(&data),
        "--out",
        path_str(&cms),
        "--detached",
        "--pem",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&cms)
        .unwrap()
        .starts_with("-----BEGIN CMS-----"));
    let verified = run(
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "PEM",
            "-in",
            path_str(&cms),
            "-content",
            path_str(&data),
            "-CAfile",
            path_str(&test_ca("chain.pem")),
            "-out",
            "/dev/null",
        ],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );

    let signed = dir.path().join("signed.xml");
    let out = qoltanba(&[
        "sign",
        "xml",
        "--keystore",
        path_str(&keystore),
        "--password-file",
        &pw,
        "--in",
        path_str(&data),
        "--out",
        path_str(&signed),
        "--layout",
        "wrapped",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verified = run(
        "xmlsec1",
        &[
            "--verify",
            "--trusted-pem",
            path_str(&test_ca("root.pem")),
            "--untrusted-pem",
            path_str(&test_ca("intermediate.pem")),
            path_str(&signed),
        ],
    );
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

#[test]
fn invalid_xml_input_is_refused_with_its_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let pw = password_file(dir.path(), PASSWORD);
    let data = dir.path().join("bad.xml");
    std::fs::write(&data, "<doc><a>1</doc>").unwrap();
    let out = qoltanba(&[
        "sign",
        "xml",
        "--keystore",
        path_str(&test_keystore("individual_sign.p12")),
        "--password-file",
        &pw,
        "--in",
        path_str(&data),
        "--out",
        path_str(&dir.path().join("o")),
    ]);
    assert_eq!(out.status.code(), Some(13));
}

#[test]
fn gost_2015_keystore_signs_raw_cms_and_xml_when_expiry_is_allowed() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let keystore = fixtures.join("keystores/GOST512_individual.p12");
    let dir = tempfile::tempdir().unwrap();
    let pw = password_file(dir.path(), PASSWORD);
    let input = dir.path().join("in.xml");
    std::fs::write(&input, "<doc>Қолтаңба</doc>").unwrap();
    let sign = |kind: &str, extra: &[&str]| {
        let out_file = dir.path().join(format!("out.{kind}"));
        let mut args = vec!["sign", kind, "--keystore", path_str(&keystore)];
        args.extend(["--password-file", &pw, "--in", path_str(&input)]);
        args.extend(["--out", path_str(&out_file)]);
        args.extend(extra);
        let out = qoltanba(&args);
        (out, std::fs::read(&out_file).unwrap_or_default())
    };
    let (expired, _) = sign("raw", &[]);
    assert_eq!(expired.status.code(), Some(11), "{expired:?}");
    let (out, raw) = sign("raw", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(raw.len(), 128);
    let (out, cms) = sign("cms", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(cms[0], 0x30);
    let (out, xml) = sign("xml", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains("gostr34102015-gostr34112015-512"), "{xml}");
}

/// `qoltanba sign cms --tsa URL` on a small document; returns its folder, the output path and
/// the process's result.
fn sign_cms_with_tsa(tsa_url: &str) -> (tempfile::TempDir, std::path::PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("doc.txt");
    std::fs::write(&input, b"timestamped by the CLI").unwrap();
    let output = dir.path().join("doc.p7s");
    let keystore = test_keystore("individual_sign.p12");
    let out = qoltanba(&[
        "sign",
        "cms",
        "--keystore",
        path_str(&keystore),
        "--password-file",
        &password_file(dir.path(), PASSWORD),
        "--in",
        path_str(&input),
        "--out",
        path_str(&output),
        "--tsa",
        tsa_url,
    ]);
    (dir, output, out)
}

#[test]
fn sign_cms_with_tsa_writes_cades_t_that_openssl_verifies() {
    let tsa = openssl_tsa::OpensslTsa::start();
    let (dir, output, out) = sign_cms_with_tsa(&tsa.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cms = std::fs::read(&output).unwrap();
    let tokens = qoltanba::timestamp::cades::signature_timestamps(&cms).unwrap();
    assert_eq!(tokens.len(), 1);
    let (_, signature) = qoltanba::timestamp::cades::signer_signature(&cms).unwrap();
    std::fs::write(dir.path().join("token.der"), &tokens[0]).unwrap();
    std::fs::write(dir.path().join("signature.bin"), &signature).unwrap();
    let verified = run(
        "openssl",
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            path_str(&dir.path().join("token.der")),
            "-data",
            path_str(&dir.path().join("signature.bin")),
            "-CAfile",
            path_str(&test_ca("root.pem")),
            "-untrusted",
            path_str(&test_ca("intermediate.pem")),
        ],
    );
    assert!(
        verified.status.success(),
        "openssl ts -verify: {}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

#[test]
fn sign_cms_with_an_unreachable_tsa_fails_with_code_15_and_writes_nothing() {
    let (_dir, output, out) = sign_cms_with_tsa(&openssl_tsa::OpensslTsa::down_url());
    assert_eq!(
        out.status.code(),
        Some(15),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !output.exists(),
        "no signature without the timestamp asked for"
    );
}
