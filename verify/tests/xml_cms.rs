//! NCALayer-style XMLDSig and CMS made by the core verify; changed ones do not.

mod common;

use common::*;
use qoltanba_core::sign::xml::XmlLayout;
use qoltanba_verify::{Purpose, TrustStore, Verifier, VerifyError};
use time::OffsetDateTime;

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request xmlns=\"urn:egov\"><iin>123456789011</iin><!-- c --><sum>100</sum></request>";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn xml_signed_by_the_core_verifies_in_both_layouts() {
    for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
        let signed = sign_xml("individual_sign", XML, layout);
        let verified = verifier()
            .verify_xml(&signed, Purpose::Sign, now())
            .unwrap_or_else(|e| panic!("{layout:?}: {e}"));
        assert_eq!(verified.identity.iin.as_deref(), Some("123456789011"));
    }
}

#[test]
fn xml_with_changed_content_fails_the_digest() {
    let signed = sign_xml("individual_sign", XML, XmlLayout::Compact);
    let tampered = signed.replace("<sum>100</sum>", "<sum>900</sum>");
    let err = verifier()
        .verify_xml(&tampered, Purpose::Unknown, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::DigestMismatch), "{err}");
}

#[test]
fn xml_with_a_changed_signed_info_fails_the_signature() {
    let signed = sign_xml("individual_sign", XML, XmlLayout::Compact);
    // Same digest, but SignedInfo gains an attribute the signature did not cover.
    let tampered = signed.replacen(
        "<ds:Reference URI=\"\"",
        "<ds:Reference Id=\"x\" URI=\"\"",
        1,
    );
    let err = verifier()
        .verify_xml(&tampered, Purpose::Unknown, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn xml_signed_with_an_auth_key_is_refused_where_sign_is_wanted() {
    let signed = sign_xml("individual_auth", XML, XmlLayout::Compact);
    let err = verifier()
        .verify_xml(&signed, Purpose::Sign, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::WrongPurpose { .. }), "{err}");
    verifier()
        .verify_xml(&signed, Purpose::Unknown, now())
        .unwrap();
}

#[test]
fn xml_by_a_revoked_certificate_is_refused_with_the_crl() {
    let signed = sign_xml("revoked_auth", XML, XmlLayout::Compact);
    let err = Verifier::new(ORIGIN, trust_with_crl())
        .verify_xml(&signed, Purpose::Unknown, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err}");
}

#[test]
fn xml_without_a_signature_or_not_xml_is_malformed() {
    for xml in [XML, "<a>", ""] {
        let err = verifier()
            .verify_xml(xml, Purpose::Unknown, now())
            .unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{xml:?}: {err}");
    }
}

#[test]
fn xml_from_an_untrusted_ca_is_refused() {
    let signed = sign_xml("individual_sign", XML, XmlLayout::Compact);
    let err = Verifier::new(ORIGIN, TrustStore::new())
        .verify_xml(&signed, Purpose::Unknown, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedChain(_)), "{err}");
}

#[test]
fn attached_cms_verifies_and_returns_the_content() {
    let cms = sign_cms("legal_ceo_sign", b"payment order 42", false);
    let verified = verifier()
        .verify_cms(&cms, None, Purpose::Sign, now())
        .unwrap();
    assert_eq!(verified.content.as_deref(), Some(&b"payment order 42"[..]));
    assert_eq!(verified.identity.bin.as_deref(), Some("123456789021"));
}

#[test]
fn detached_cms_verifies_against_the_supplied_content() {
    let cms = sign_cms("individual_sign", b"document", true);
    let verified = verifier()
        .verify_cms(&cms, Some(b"document"), Purpose::Sign, now())
        .unwrap();
    assert_eq!(verified.content, None);
}

#[test]
fn detached_cms_over_other_content_fails_the_digest() {
    let cms = sign_cms("individual_sign", b"document", true);
    let err = verifier()
        .verify_cms(&cms, Some(b"Document"), Purpose::Sign, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::DigestMismatch), "{err}");
}

#[test]
fn attached_cms_with_changed_content_fails_the_digest() {
    let mut cms = sign_cms("individual_sign", b"payment order 42", false);
    let at = cms
        .windows(16)
        .position(|w| w == b"payment order 42")
        .unwrap();
    cms[at + 14] = b'9';
    let err = verifier()
        .verify_cms(&cms, None, Purpose::Sign, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::DigestMismatch), "{err}");
}

#[test]
fn cms_with_a_changed_signature_value_fails() {
    let mut cms = sign_cms("individual_sign", b"document", false);
    // The SignatureValue is the last element of a SignerInfo without unsigned attributes.
    let last = cms.len() - 1;
    cms[last] ^= 0x01;
    let err = verifier()
        .verify_cms(&cms, None, Purpose::Sign, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn cms_misuse_and_garbage_are_malformed() {
    let detached = sign_cms("individual_sign", b"document", true);
    let attached = sign_cms("individual_sign", b"document", false);
    type Case<'a> = (&'a str, &'a [u8], Option<&'a [u8]>);
    let cases: [Case<'_>; 3] = [
        ("garbage", b"\x30\x03\x02\x01", None),
        ("detached without content", &detached, None),
        ("attached with content too", &attached, Some(b"document")),
    ];
    for (what, cms, content) in cases {
        let err = verifier()
            .verify_cms(cms, content, Purpose::Unknown, now())
            .unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{what}: {err}");
    }
}

#[test]
fn cms_by_a_revoked_or_expired_certificate_is_refused() {
    let revoked = sign_cms("revoked_auth", b"x", false);
    let err = Verifier::new(ORIGIN, trust_with_crl())
        .verify_cms(&revoked, None, Purpose::Unknown, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::Revoked { .. }), "{err}");
    let expired = sign_cms("expired_sign", b"x", false);
    let err = verifier()
        .verify_cms(&expired, None, Purpose::Sign, now())
        .unwrap_err();
    assert!(matches!(err, VerifyError::CertificateExpired(_)), "{err}");
}
