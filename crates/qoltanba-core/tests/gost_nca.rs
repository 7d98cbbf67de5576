//! GOST 34.10-2015 against real NCA data: the NCA test CA's signatures on the GOST512 fixtures
//! verify with our arithmetic and KZ byte orders, and the keystores' keys match their
//! certificates and sign CMS, XML and raw data that verify again.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::SystemTime;

use common::{nca_fixtures, PASSWORD};
use qoltanba_core::gost::{streebog512, GostError, Signature, VerifyingKey};
use qoltanba_core::keystore::{self, Entry, PrivateKey};
use qoltanba_core::sign::xml::{sign_enveloped, XmlLayout, GOST2015_512, STREEBOG_512};
use qoltanba_core::sign::{cms::sign_cms, sign_raw, EntrySigner, SignOptions, SignatureAlgorithm};
use x509_parser::prelude::{FromDer, X509Certificate};

const GOST_KEYSTORES: [&str; 2] = ["GOST512_individual.p12", "GOST512_legal_ceo.p12"];
const GOST2015_SIGNATURE_OID: &str = "1.2.398.3.10.1.1.2.3.2";

fn ca_der(dir: &Path, name: &str) -> Vec<u8> {
    let text = std::fs::read(dir.join("ca").join(name)).expect("CA file");
    match pem_rfc7468::decode_vec(&text) {
        Ok((_, der)) => der,
        Err(_) => text,
    }
}

fn entry(dir: &Path, name: &str) -> Entry {
    let mut store = keystore::open(&dir.join("keystores").join(name), PASSWORD).expect(name);
    store.entries.remove(0)
}

/// The certificate's public key: its subjectPublicKey is an OCTET STRING of x‖y.
fn public_key(cert: &X509Certificate<'_>) -> Result<VerifyingKey, GostError> {
    let bits = &cert.public_key().subject_public_key.data;
    match &bits[..] {
        [0x04, 0x81, 0x80, x_y @ ..] => VerifyingKey::from_kz_bytes(x_y),
        _ => Err(GostError::InvalidPublicKey),
    }
}

/// Verifies `cert`'s signature with `issuer`'s key, as GOST 34.10-2015 over the TBS bytes.
fn issued_by(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Result<(), GostError> {
    assert_eq!(
        cert.signature_algorithm.algorithm.to_id_string(),
        GOST2015_SIGNATURE_OID
    );
    let signature = Signature::from_kz_bytes(&cert.signature_value.data)?;
    public_key(issuer)?.verify(cert.tbs_certificate.as_ref(), &signature)
}

#[test]
fn nca_gost_2015_certificates_verify_against_the_nca_test_ca() {
    let Some(dir) = nca_fixtures() else { return };
    let ca = ca_der(&dir, "nca_gost2022_test.crt");
    let (_, ca) = X509Certificate::from_der(&ca).expect("CA parses");
    for name in GOST_KEYSTORES {
        let entry = entry(&dir, name);
        let (_, cert) = X509Certificate::from_der(&entry.certificate.der).expect("parses");
        assert_eq!(issued_by(&cert, &ca), Ok(()), "{name}");
    }
}

#[test]
fn nca_gost_2022_intermediate_verifies_against_the_root_and_the_root_against_itself() {
    let Some(dir) = nca_fixtures() else { return };
    let ca = ca_der(&dir, "nca_gost2022_test.crt");
    let root = ca_der(&dir, "root_test_gost_2022.crt");
    let (_, ca) = X509Certificate::from_der(&ca).expect("CA parses");
    let (_, root) = X509Certificate::from_der(&root).expect("root parses");
    assert_eq!(issued_by(&ca, &root), Ok(()));
    assert_eq!(issued_by(&root, &root), Ok(()));
}

#[test]
fn a_changed_certificate_or_the_wrong_issuer_fails_verification() {
    let Some(dir) = nca_fixtures() else { return };
    let ca = ca_der(&dir, "nca_gost2022_test.crt");
    let (_, ca) = X509Certificate::from_der(&ca).expect("CA parses");
    let entry = entry(&dir, GOST_KEYSTORES[0]);
    let (_, cert) = X509Certificate::from_der(&entry.certificate.der).expect("parses");
    let signature = Signature::from_kz_bytes(&cert.signature_value.data).expect("well formed");
    let mut tbs = cert.tbs_certificate.as_ref().to_vec();
    let last = tbs.len() - 1;
    tbs[last] ^= 1;
    assert_eq!(
        public_key(&ca).unwrap().verify(&tbs, &signature),
        Err(GostError::BadSignature)
    );
    // The leaf is not signed by the other keystore's holder.
    let other = self::entry(&dir, GOST_KEYSTORES[1]);
    let (_, other) = X509Certificate::from_der(&other.certificate.der).expect("parses");
    assert_eq!(issued_by(&cert, &other), Err(GostError::BadSignature));
    // Byte orders matter: the RFC 4491 order (s‖r big-endian) does not verify.
    let reordered = Signature::from_kz_bytes(&signature.to_rfc4491_bytes()).expect("in range");
    assert_eq!(
        public_key(&ca)
            .unwrap()
            .verify(cert.tbs_certificate.as_ref(), &reordered),
        Err(GostError::BadSignature)
    );
}

#[test]
fn keystore_private_key_matches_the_certificate_public_key() {
    let Some(dir) = nca_fixtures() else { return };
    for name in GOST_KEYSTORES {
        let entry = entry(&dir, name);
        let PrivateKey::Gost2015(key) = &entry.key else {
            panic!("{name}: not a GOST 2015 key: {:?}", entry.key);
        };
        let (_, cert) = X509Certificate::from_der(&entry.certificate.der).expect("parses");
        assert_eq!(
            key.signing.verifying_key(),
            public_key(&cert).expect("valid point"),
            "{name}"
        );
    }
}

fn expired_ok() -> SignOptions {
    SignOptions {
        allow_expired: true,
        ..SignOptions::default()
    }
}

#[test]
fn expired_gost_certificate_refuses_to_sign_unless_allowed() {
    let Some(dir) = nca_fixtures() else { return };
    let entry = entry(&dir, GOST_KEYSTORES[0]);
    assert!(matches!(
        EntrySigner::new(&entry, SignOptions::default()),
        Err(qoltanba_core::Error::CertificateExpired(_))
    ));
    assert!(EntrySigner::new(&entry, expired_ok()).is_ok());
}

#[test]
fn raw_gost_signature_from_each_fixture_verifies_with_its_certificate() {
    let Some(dir) = nca_fixtures() else { return };
    for name in GOST_KEYSTORES {
        let entry = entry(&dir, name);
        let signer = EntrySigner::new(&entry, expired_ok()).expect(name);
        let raw = sign_raw(&signer, b"payload").expect("signs");
        assert_eq!(raw.len(), 128);
        let (_, cert) = X509Certificate::from_der(&entry.certificate.der).expect("parses");
        let signature = Signature::from_kz_bytes(&raw).expect("well formed");
        let key = public_key(&cert).expect("valid point");
        assert_eq!(key.verify(b"payload", &signature), Ok(()), "{name}");
        assert_eq!(
            key.verify(b"payloaD", &signature),
            Err(GostError::BadSignature)
        );
    }
}

#[test]
fn gost_cms_carries_kz_oids_and_a_signature_over_the_signed_attributes() {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::{Decode, Encode};

    let Some(dir) = nca_fixtures() else { return };
    let entry = entry(&dir, GOST_KEYSTORES[1]);
    let signer = EntrySigner::new(&entry, expired_ok()).expect("signer");
    let content = "Құжат — document".as_bytes();
    let der = sign_cms(&signer, content, false, SystemTime::now()).expect("CMS");
    let info = ContentInfo::from_der(&der).expect("ContentInfo");
    let signed: SignedData = info.content.decode_as().expect("SignedData");
    let signer_info = signed.signer_infos.0.get(0).expect("one signer");
    assert_eq!(signer_info.digest_alg.oid.to_string(), "1.2.398.3.10.1.3.3");
    assert_eq!(
        signer_info.signature_algorithm.oid.to_string(),
        GOST2015_SIGNATURE_OID
    );
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .expect("signed attributes");
    let message_digest = attrs
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.4")
        .and_then(|a| a.values.get(0))
        .map(|v| v.value().to_vec())
        .expect("messageDigest");
    assert_eq!(message_digest, streebog512(content).to_vec());
    let signature =
        Signature::from_kz_bytes(signer_info.signature.as_bytes()).expect("well formed");
    let (_, cert) = X509Certificate::from_der(&entry.certificate.der).expect("parses");
    let to_be_signed = attrs.to_der().expect("DER");
    assert_eq!(
        public_key(&cert).unwrap().verify(&to_be_signed, &signature),
        Ok(())
    );
}

#[test]
fn gost_xml_signature_names_the_kz_algorithms_and_verifies() {
    use base64::Engine;
    let Some(dir) = nca_fixtures() else { return };
    let entry = entry(&dir, GOST_KEYSTORES[0]);
    let signer = EntrySigner::new(&entry, expired_ok()).expect("signer");
    assert_eq!(
        qoltanba_core::sign::RawSigner::algorithm(&signer),
        SignatureAlgorithm::Gost2015
    );
    let signed = sign_enveloped("<doc><a>1</a></doc>", &signer, XmlLayout::Compact).expect("XML");
    assert!(signed.contains(&format!(
        "<ds:SignatureMethod Algorithm=\"{GOST2015_512}\"/>"
    )));
    assert!(signed.contains(&format!("<ds:DigestMethod Algorithm=\"{STREEBOG_512}\"/>")));
    // DigestValue: Streebog-512 of the canonical unsigned document (here already canonical).
    let digest = qoltanba_core::gost::streebog512(b"<doc><a>1</a></doc>");
    let b64 = base64::engine::general_purpose::STANDARD;
    assert!(signed.contains(&format!(
        "<ds:DigestValue>{}</ds:DigestValue>",
        b64.encode(digest)
    )));
    // SignatureValue over the canonical SignedInfo (in document context: inherits xmlns:ds).
    let start = signed.find("<ds:SignedInfo>").expect("SignedInfo");
    let end = signed.find("</ds:SignedInfo>").expect("SignedInfo end") + "</ds:SignedInfo>".len();
    let signed_info = expand_empty_elements(&signed[start..end]).replacen(
        "<ds:SignedInfo>",
        "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">",
        1,
    );
    let value_start = signed.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let value_end = signed.find("</ds:SignatureValue>").unwrap();
    let value = b64.decode(&signed[value_start..value_end]).expect("base64");
    let signature = Signature::from_kz_bytes(&value).expect("well formed");
    let (_, cert) = X509Certificate::from_der(&entry.certificate.der).expect("parses");
    assert_eq!(
        public_key(&cert)
            .unwrap()
            .verify(signed_info.as_bytes(), &signature),
        Ok(())
    );
}

/// C14N writes `<a x="1"/>` as `<a x="1"></a>`; enough for the attribute-only elements here.
fn expand_empty_elements(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(end) = rest.find("/>") {
        let open = rest[..end].rfind('<').expect("element start");
        let name_end = rest[open..].find(' ').map(|i| open + i).unwrap_or(end);
        let name = &rest[open + 1..name_end];
        out.push_str(&rest[..end]);
        out.push_str(&format!("></{name}>"));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}
