//! CMS signatures checked against the `openssl` CLI and re-parsed with the `cms` crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::SignedData;
use const_oid::db::rfc5911;
use der::{Decode, Encode};
use qoltanba_core::sign::cms::{sign_cms, sign_cms_digest, to_pem, CmsError};
use qoltanba_core::sign::{KeyError, RawSigner, SignatureAlgorithm};
use sha2::{Digest, Sha256};
use x509_cert::time::Time;

/// A throwaway root → intermediate → leaf chain made by the openssl CLI.
struct Pki {
    dir: tempfile::TempDir,
    leaf_der: Vec<u8>,
    leaf_pkcs8: Vec<u8>,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).expect("write fixture file")
        };
        write(
            "ca.ext",
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
             subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        write(
            "leaf.ext",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
             subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        // Commands run inside the tempdir; arguments are split on whitespace.
        let commands = [
            "req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 30 \
             -subj /CN=Qoltanba_Test_Root -addext basicConstraints=critical,CA:TRUE \
             -addext keyUsage=critical,keyCertSign,cRLSign",
            "req -newkey rsa:2048 -nodes -keyout intermediate.key -out intermediate.csr \
             -subj /CN=Qoltanba_Test_Intermediate",
            "x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -set_serial 0x1001 \
             -days 30 -extfile ca.ext -out intermediate.pem",
            "req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr \
             -subj /C=KZ/CN=TEST_SIGNER/serialNumber=IIN123456789012",
            // 20 serial octets with the high bit set: DER adds a sign byte the sid must keep.
            "x509 -req -in leaf.csr -CA intermediate.pem -CAkey intermediate.key \
             -set_serial 0x8f0102030405060708090a0b0c0d0e0f10111213 \
             -days 30 -extfile leaf.ext -out leaf.pem",
            "x509 -in leaf.pem -outform DER -out leaf.der",
            "pkcs8 -topk8 -nocrypt -in leaf.key -outform DER -out leaf.pk8",
        ];
        for command in commands {
            let out = Command::new("openssl")
                .args(command.split_whitespace())
                .current_dir(dir.path())
                .output()
                .expect("run openssl");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "openssl {command}: {stderr}");
        }
        let read = |name: &str| std::fs::read(dir.path().join(name)).expect("read fixture file");
        // OpenSSL 3.0's `cms -verify -certfile` only looks up signer certificates there, not
        // chain links, and the CMS carries just the leaf: the intermediate joins the CA file.
        let chain = [read("root.pem"), read("intermediate.pem")].concat();
        std::fs::write(dir.path().join("ca-chain.pem"), chain).expect("write ca-chain.pem");
        let leaf_der = read("leaf.der");
        let leaf_pkcs8 = read("leaf.pk8");
        Pki {
            dir,
            leaf_der,
            leaf_pkcs8,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn signer(&self) -> TestSigner {
        TestSigner {
            key: RsaKeyPair::from_pkcs8(&self.leaf_pkcs8).expect("leaf PKCS#8"),
            cert: self.leaf_der.clone(),
        }
    }

    /// Writes `cms` and runs `openssl cms -verify` on it with the test chain.
    fn verify(&self, cms: &[u8], extra: &[&str]) -> Output {
        let sig = self.path("sig.p7s");
        std::fs::write(&sig, cms).expect("write sig.p7s");
        let mut args = vec!["cms", "-verify", "-inform", "DER", "-in", path_str(&sig)];
        let root = self.path("ca-chain.pem");
        let intermediate = self.path("intermediate.pem");
        args.extend([
            "-CAfile",
            path_str(&root),
            "-certfile",
            path_str(&intermediate),
        ]);
        args.extend(extra);
        run_openssl(&args)
    }

    fn verify_attached(&self, cms: &[u8]) -> Output {
        let out = self.path("content.out");
        self.verify(cms, &["-out", path_str(&out)])
    }

    fn verify_detached(&self, cms: &[u8], content: &[u8]) -> Output {
        let data = self.path("data.bin");
        std::fs::write(&data, content).expect("write data.bin");
        let out = self.path("content.out");
        self.verify(
            cms,
            &[
                "-content",
                path_str(&data),
                "-binary",
                "-out",
                path_str(&out),
            ],
        )
    }
}

struct TestSigner {
    key: RsaKeyPair,
    cert: Vec<u8>,
}

impl RawSigner for TestSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaSha256
    }
    fn certificate_der(&self) -> &[u8] {
        &self.cert
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| KeyError("aws-lc refused".into()))?;
        Ok(sig)
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

fn run_openssl(args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl")
}

fn assert_verifies(out: &Output) {
    assert!(
        out.status.success(),
        "openssl cms -verify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts openssl refused the signature for `reason`, not for a chain or parse problem.
fn assert_rejected(out: &Output, reason: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "openssl accepted a broken signature");
    assert!(
        stderr.contains(reason),
        "expected {reason:?}, got: {stderr}"
    );
}

fn signed_data(cms: &[u8]) -> SignedData {
    let info = ContentInfo::from_der(cms).expect("ContentInfo");
    assert_eq!(info.content_type, rfc5911::ID_SIGNED_DATA);
    SignedData::from_der(&info.content.to_der().expect("content DER")).expect("SignedData")
}

/// Flips the first byte of `needle`'s only occurrence in `haystack`.
fn flip_inside(haystack: &mut [u8], needle: &[u8]) {
    let at = haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present");
    assert!(
        !haystack[at + 1..]
            .windows(needle.len())
            .any(|w| w == needle),
        "needle must be unique"
    );
    haystack[at] ^= 0x01;
}

const DATA: &[u8] = b"Qoltanba test document: \xd0\x9a\xd0\xb0\xd0\xb7\xd0\xb0\xd2\x9b\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd\r\n\x00\xff binary tail";

#[test]
fn attached_signature_verifies_and_yields_the_content() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, false, SystemTime::now()).expect("sign");
    assert_verifies(&pki.verify_attached(&cms));
    assert_eq!(
        std::fs::read(pki.path("content.out")).expect("content.out"),
        DATA
    );
}

#[test]
fn openssl_cades_check_accepts_the_signing_certificate_v2() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, false, SystemTime::now()).expect("sign");
    let out = pki.path("content.out");
    assert_verifies(&pki.verify(&cms, &["-cades", "-out", path_str(&out)]));
}

#[test]
fn detached_signature_verifies_against_the_external_content() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, true, SystemTime::now()).expect("sign");
    assert!(signed_data(&cms).encap_content_info.econtent.is_none());
    assert_verifies(&pki.verify_detached(&cms, DATA));
}

#[test]
fn detached_signature_rejects_changed_content() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, true, SystemTime::now()).expect("sign");
    assert_verifies(&pki.verify_detached(&cms, DATA));
    let mut changed = DATA.to_vec();
    changed[5] ^= 0x01;
    assert_rejected(&pki.verify_detached(&cms, &changed), "content verify error");
}

#[test]
fn signature_over_a_precomputed_hash_verifies_as_detached_against_the_content() {
    let pki = Pki::new();
    let cms =
        sign_cms_digest(&pki.signer(), &Sha256::digest(DATA), SystemTime::now()).expect("sign");
    assert!(signed_data(&cms).encap_content_info.econtent.is_none());
    assert_verifies(&pki.verify_detached(&cms, DATA));
}

#[test]
fn precomputed_hash_of_another_length_than_the_keys_is_refused() {
    let pki = Pki::new();
    let err = sign_cms_digest(&pki.signer(), &[0u8; 64], SystemTime::now())
        .expect_err("a 64-byte hash for an RSA-SHA256 key");
    assert!(
        matches!(
            err,
            CmsError::DigestLength {
                got: 64,
                expected: 32,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn attached_signature_rejects_a_changed_econtent_byte() {
    let pki = Pki::new();
    let mut cms = sign_cms(&pki.signer(), DATA, false, SystemTime::now()).expect("sign");
    assert_verifies(&pki.verify_attached(&cms));
    flip_inside(&mut cms, DATA);
    assert_rejected(&pki.verify_attached(&cms), "content verify error");
}

#[test]
fn flipped_signature_byte_fails_verification() {
    let pki = Pki::new();
    let mut cms = sign_cms(&pki.signer(), DATA, false, SystemTime::now()).expect("sign");
    let signature = signed_data(&cms)
        .signer_infos
        .0
        .get(0)
        .expect("signer")
        .signature
        .clone();
    assert_verifies(&pki.verify_attached(&cms));
    flip_inside(&mut cms, signature.as_bytes());
    assert_rejected(
        &pki.verify_attached(&cms),
        "CMS_SignerInfo_verify:verification failure",
    );
}

#[test]
fn signed_attributes_are_exactly_the_four_cades_bes_ones() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, false, SystemTime::now()).expect("sign");
    let sd = signed_data(&cms);
    assert_eq!(sd.version, CmsVersion::V1);
    assert_eq!(sd.digest_algorithms.len(), 1);
    let certs = sd.certificates.expect("certificates");
    assert_eq!(certs.0.len(), 1);
    assert_eq!(
        certs.0.get(0).expect("cert").to_der().expect("cert DER"),
        pki.leaf_der
    );
    assert_eq!(sd.signer_infos.0.len(), 1);
    let si = sd.signer_infos.0.get(0).expect("signer");
    assert_eq!(si.version, CmsVersion::V1);
    let attrs = si.signed_attrs.as_ref().expect("signed attributes");
    let mut oids: Vec<String> = attrs.iter().map(|a| a.oid.to_string()).collect();
    oids.sort();
    assert_eq!(
        oids,
        [
            "1.2.840.113549.1.9.16.2.47", // signingCertificateV2
            "1.2.840.113549.1.9.3",       // contentType
            "1.2.840.113549.1.9.4",       // messageDigest
            "1.2.840.113549.1.9.5",       // signingTime
        ]
    );
    let digest = attrs
        .iter()
        .find(|a| a.oid == rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.get(0))
        .expect("messageDigest value");
    assert_eq!(digest.value(), Sha256::digest(DATA).as_slice());

    let print = run_openssl(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        path_str(&{
            let path = pki.path("print.p7s");
            std::fs::write(&path, &cms).expect("write");
            path
        }),
    ]);
    assert!(print.status.success());
    let text = String::from_utf8_lossy(&print.stdout);
    assert!(text.contains("id-smime-aa-signingCertificateV2"), "{text}");
    assert!(!text.contains("<unsupported>"), "{text}");
}

/// RFC 5035 structures as a verifier would read them; `hash_algorithm` must be omitted.
#[derive(der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

#[derive(der::Sequence)]
struct EssCertIdV2 {
    hash_algorithm: Option<spki::AlgorithmIdentifierOwned>,
    cert_hash: der::asn1::OctetString,
    issuer_serial: Option<IssuerSerial>,
}

#[derive(der::Sequence)]
struct IssuerSerial {
    issuer: x509_cert::ext::pkix::name::GeneralNames,
    serial_number: x509_cert::serial_number::SerialNumber,
}

#[test]
fn signing_certificate_v2_names_the_signer_certificate_with_default_sha256() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, true, SystemTime::now()).expect("sign");
    let sd = signed_data(&cms);
    let si = sd.signer_infos.0.get(0).expect("signer");
    let value = si
        .signed_attrs
        .as_ref()
        .and_then(|attrs| {
            attrs
                .iter()
                .find(|a| a.oid == rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)
        })
        .and_then(|a| a.values.get(0))
        .expect("signingCertificateV2");
    let sc = SigningCertificateV2::from_der(&value.to_der().expect("DER")).expect("decode");
    assert_eq!(sc.certs.len(), 1);
    let id = &sc.certs[0];
    assert!(
        id.hash_algorithm.is_none(),
        "DEFAULT sha256 must be omitted in DER"
    );
    assert_eq!(
        id.cert_hash.as_bytes(),
        Sha256::digest(&pki.leaf_der).as_slice()
    );
    let leaf = x509_cert::Certificate::from_der(&pki.leaf_der).expect("leaf");
    let issuer_serial = id.issuer_serial.as_ref().expect("issuerSerial");
    assert_eq!(
        issuer_serial.issuer,
        vec![x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            leaf.tbs_certificate.issuer.clone()
        )]
    );
    assert_eq!(
        issuer_serial.serial_number,
        leaf.tbs_certificate.serial_number
    );
}

#[test]
fn signing_time_uses_utctime_until_2049_and_generalizedtime_after() {
    let pki = Pki::new();
    let time_of = |t: SystemTime| -> Time {
        let cms = sign_cms(&pki.signer(), DATA, true, t).expect("sign");
        let sd = signed_data(&cms);
        let si = sd.signer_infos.0.get(0).expect("signer");
        si.signed_attrs
            .as_ref()
            .and_then(|attrs| attrs.iter().find(|a| a.oid == rfc5911::ID_SIGNING_TIME))
            .and_then(|a| a.values.get(0))
            .map(|v| Time::from_der(&v.to_der().expect("DER")).expect("Time"))
            .expect("signingTime")
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01
    assert!(matches!(time_of(now), Time::UtcTime(t) if t.to_system_time() == now));
    let later = SystemTime::UNIX_EPOCH + Duration::from_secs(2_556_144_000); // 2051-01-01
    assert!(matches!(time_of(later), Time::GeneralTime(t) if t.to_system_time() == later));
}

#[test]
fn fifty_megabytes_attached_verifies() {
    let pki = Pki::new();
    let data: Vec<u8> = (0..50 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let cms = sign_cms(&pki.signer(), &data, false, SystemTime::now()).expect("sign");
    assert!(cms.len() > data.len() && cms.len() < data.len() + 8 * 1024);
    assert_verifies(&pki.verify_attached(&cms));
    assert!(std::fs::read(pki.path("content.out")).expect("content.out") == data);
}

#[test]
fn pem_armour_has_cms_label_and_64_character_lines() {
    let pki = Pki::new();
    let cms = sign_cms(&pki.signer(), DATA, false, SystemTime::now()).expect("sign");
    let pem = to_pem(&cms);
    let lines: Vec<&str> = pem.lines().collect();
    assert_eq!(lines.first(), Some(&"-----BEGIN CMS-----"));
    assert_eq!(lines.last(), Some(&"-----END CMS-----"));
    let body = &lines[1..lines.len() - 1];
    assert!(body[..body.len() - 1].iter().all(|l| l.len() == 64));
    assert!(!body.is_empty() && body[body.len() - 1].len() <= 64);
    let path = pki.path("sig.pem");
    std::fs::write(&path, &pem).expect("write pem");
    let out = run_openssl(&[
        "cms",
        "-verify",
        "-inform",
        "PEM",
        "-in",
        path_str(&path),
        "-CAfile",
        path_str(&pki.path("ca-chain.pem")),
        "-certfile",
        path_str(&pki.path("intermediate.pem")),
    ]);
    assert_verifies(&out);
}

#[test]
fn garbage_certificate_is_an_invalid_certificate_error() {
    let pki = Pki::new();
    let mut signer = pki.signer();
    signer.cert = b"\x30\x03not a certificate".to_vec();
    let err = sign_cms(&signer, DATA, false, SystemTime::now()).expect_err("must fail");
    assert!(matches!(err, CmsError::InvalidCertificate(_)), "{err:?}");
}

#[test]
fn key_failure_surfaces_as_key_error_with_its_message() {
    struct Broken(Vec<u8>);
    impl RawSigner for Broken {
        fn algorithm(&self) -> SignatureAlgorithm {
            SignatureAlgorithm::RsaSha256
        }
        fn certificate_der(&self) -> &[u8] {
            &self.0
        }
        fn sign(&self, _: &[u8]) -> Result<Vec<u8>, KeyError> {
            Err(KeyError("token removed".into()))
        }
    }
    let pki = Pki::new();
    let err = sign_cms(
        &Broken(pki.leaf_der.clone()),
        DATA,
        false,
        SystemTime::now(),
    )
    .expect_err("must fail");
    assert!(matches!(&err, CmsError::Key(_)), "{err:?}");
    assert!(err.to_string().contains("token removed"), "{err}");
}
