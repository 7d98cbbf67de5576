//! End-to-end: sign with a throwaway openssl-made RSA key and verify with xmlsec1.

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use qoltanba_core::sign::xml::{reference_digest, sign_enveloped, XmlError, XmlLayout};
use qoltanba_core::sign::{KeyError, RawSigner, SignatureAlgorithm};
use tempfile::TempDir;

/// A CA and a leaf key/certificate issued by it, in a directory that lives as long as the fixture.
struct Fixture {
    dir: TempDir,
    signer: TestSigner,
}

struct TestSigner {
    key: RsaKeyPair,
    certificate: Vec<u8>,
}

impl RawSigner for TestSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaSha256
    }
    fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| KeyError("RSA signing failed".into()))?;
        Ok(signature)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Fixture {
    fn new() -> Self {
        let dir = TempDir::new().expect("tempdir");
        let d = dir.path();
        #[rustfmt::skip]
        let steps: &[&[&str]] = &[
            &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Qoltanba Test CA", "-days", "2"],
            &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "leaf.key"],
            &["req", "-new", "-key", "leaf.key", "-subj", "/CN=Qoltanba Test Signer", "-out", "leaf.csr"],
            &["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", "leaf.pem"],
            &["x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der"],
            &["pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-outform", "DER", "-out", "leaf.p8"],
        ];
        for step in steps {
            openssl(d, step);
        }
        let pkcs8 = std::fs::read(d.join("leaf.p8")).expect("pkcs8");
        let signer = TestSigner {
            key: RsaKeyPair::from_pkcs8(&pkcs8).expect("RSA PKCS#8"),
            certificate: std::fs::read(d.join("leaf.der")).expect("certificate"),
        };
        Fixture { dir, signer }
    }

    fn sign(&self, xml: &str, layout: XmlLayout) -> String {
        sign_enveloped(xml, &self.signer, layout).expect("signs")
    }

    /// Runs `xmlsec1 --verify` trusting only the test CA; Ok(()) on exit 0, Err(stderr) otherwise.
    fn xmlsec_verify(&self, signed: &str, extra: &[&str]) -> Result<(), String> {
        let file: PathBuf = self.dir.path().join("signed.xml");
        std::fs::write(&file, signed).expect("write signed.xml");
        let ca = self.dir.path().join("ca.pem");
        let out = Command::new("xmlsec1")
            .arg("--verify")
            .arg("--trusted-pem")
            .arg(&ca)
            .args(extra)
            .arg(&file)
            .output()
            .expect("xmlsec1 runs (apt-get install -y xmlsec1)");
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn assert_verifies(&self, signed: &str) {
        if let Err(e) = self.xmlsec_verify(signed, &[]) {
            panic!("xmlsec1 rejected a signature we made:\n{e}\n--- document ---\n{signed}");
        }
    }
}

/// The text of the (last) `ds:Signature` element, tags included.
fn signature_element(signed: &str) -> &str {
    let start = signed.rfind("<ds:Signature ").expect("ds:Signature start");
    let end = signed.rfind("</ds:Signature>").expect("ds:Signature end") + "</ds:Signature>".len();
    &signed[start..end]
}

fn element_text<'a>(signed: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = signed.rfind(&open).expect("element") + open.len();
    let end = start + signed[start..].find("</").expect("end tag");
    &signed[start..end]
}

#[test]
fn digest_value_matches_ncalayer_test_vector() {
    let fx = Fixture::new();
    let expected = "<ds:DigestValue>soDZFGIUsZ1x0sK/7x1bJvtGeQsO0BKOVwAvKxC3RJY=</ds:DigestValue>";
    for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
        assert!(fx.sign("<tag>data</tag>", layout).contains(expected));
    }
    let digest = reference_digest("<tag>data</tag>").expect("digest");
    assert_eq!(digest[..4], [0xb2, 0x80, 0xd9, 0x14]);
}

#[test]
fn compact_signature_verifies_and_has_no_line_breaks() {
    let fx = Fixture::new();
    let signed = fx.sign("<tag>data</tag>", XmlLayout::Compact);
    let signature = signature_element(&signed);
    assert!(!signature.contains('\n') && !signature.contains('\r'));
    assert!(signed.starts_with(
        "<tag>data<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
    ));
    assert!(signed.ends_with("</ds:Signature></tag>"));
    fx.assert_verifies(&signed);
}

#[test]
fn wrapped_signature_verifies_with_crlf_tags_and_76_column_base64() {
    let fx = Fixture::new();
    let signed = fx.sign("<tag>data</tag>", XmlLayout::Wrapped);
    let signature = signature_element(&signed);
    assert!(signature.starts_with(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\r\n<ds:SignedInfo>\r\n<ds:CanonicalizationMethod "
    ));
    assert!(signature.ends_with("</ds:KeyInfo>\r\n</ds:Signature>"));
    assert!(signed.ends_with("</ds:Signature></tag>"), "no CRLF outside");
    assert_eq!(
        signature.matches('\n').count(),
        signature.matches("\r\n").count(),
        "every line break is CRLF"
    );
    for name in ["ds:SignatureValue", "ds:X509Certificate"] {
        let text = element_text(&signed, name);
        assert!(text.starts_with("\r\n") && text.ends_with("\r\n"), "{name}");
        let lines: Vec<&str> = text.trim_matches(['\r', '\n']).split("\r\n").collect();
        let (last, full) = lines.split_last().expect("lines");
        assert!(!full.is_empty(), "{name} spans several lines");
        assert!(full.iter().all(|l| l.len() == 76), "{name}: {lines:?}");
        assert!(!last.is_empty() && last.len() <= 76);
    }
    fx.assert_verifies(&signed);
}

#[test]
fn namespaced_cyrillic_document_with_declaration_and_comments_verifies() {
    let fx = Fixture::new();
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <!-- заявление -->\n\
        <doc xmlns=\"urn:egov:test\" xmlns:p=\"urn:p\" xml:lang=\"kk\" p:id=\"42\">\r\n\
        \x20 <p:name>Сәлем, әлем! &amp; &lt;ok&gt;</p:name>\n\
        \x20 <!-- ішкі түсініктеме -->\n\
        \x20 <data><![CDATA[<not-a-tag> & ]]></data>\n\
        \x20 <empty/>\n\
        </doc>\n<!-- after -->\n";
    for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
        let signed = fx.sign(xml, layout);
        let sig_start = signed.find("<ds:Signature ").expect("signature");
        assert_eq!(
            &signed[..sig_start],
            &xml[..xml.find("</doc>").expect("end")]
        );
        fx.assert_verifies(&signed);
    }
}

#[test]
fn self_closing_root_is_opened_and_verifies() {
    let fx = Fixture::new();
    let signed = fx.sign("<a xmlns=\"urn:x\" b=\"1\"/>", XmlLayout::Wrapped);
    assert!(signed.starts_with("<a xmlns=\"urn:x\" b=\"1\"><ds:Signature "));
    assert!(signed.ends_with("</ds:Signature></a>"));
    fx.assert_verifies(&signed);
}

#[test]
fn changed_content_byte_fails_verification() {
    let fx = Fixture::new();
    for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
        let signed = fx.sign("<doc><item>hello</item></doc>", layout);
        fx.assert_verifies(&signed);
        let tampered = signed.replacen("hello", "hellp", 1);
        assert!(fx.xmlsec_verify(&tampered, &[]).is_err(), "{layout:?}");
    }
}

#[test]
fn changed_signature_value_fails_verification() {
    let fx = Fixture::new();
    for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
        let signed = fx.sign("<doc><item>hello</item></doc>", layout);
        fx.assert_verifies(&signed);
        let value = element_text(&signed, "ds:SignatureValue");
        let at = signed.rfind(value).expect("value") + value.len() / 2;
        let flipped = if signed.as_bytes()[at] == b'A' {
            "B"
        } else {
            "A"
        };
        let mut tampered = signed.clone();
        tampered.replace_range(at..at + 1, flipped);
        assert_ne!(tampered, signed);
        assert!(fx.xmlsec_verify(&tampered, &[]).is_err(), "{layout:?}");
    }
}

#[test]
fn second_signature_is_appended_and_verifies() {
    let fx = Fixture::new();
    let once = fx.sign("<doc><item>hello</item></doc>", XmlLayout::Compact);
    let twice = fx.sign(&once, XmlLayout::Wrapped);
    assert!(twice.starts_with(&once[..once.len() - "</doc>".len()]));
    assert_eq!(twice.matches("<ds:Signature ").count(), 2);
    let second = ["--node-xpath", "(//*[local-name()='Signature'])[2]"];
    if let Err(e) = fx.xmlsec_verify(&twice, &second) {
        panic!("second signature rejected:\n{e}");
    }
}

#[test]
fn malformed_xml_is_invalid_xml() {
    let fx = Fixture::new();
    for bad in [
        "",
        "<a>",
        "<a></b>",
        "<a x='1' x='2'/>",
        "no markup",
        "<a/><b/>",
    ] {
        match sign_enveloped(bad, &fx.signer, XmlLayout::Compact) {
            Err(XmlError::InvalidXml(message)) => assert!(!message.is_empty()),
            other => panic!("{bad:?}: expected InvalidXml, got {other:?}"),
        }
    }
}
