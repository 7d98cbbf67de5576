//! NCALayer-style enveloped XMLDSig: one `ds:Signature` under the root, inclusive C14N,
//! RSA-SHA256, the signer's certificate in KeyInfo — the shape `qoltanba` and NCALayer produce.

use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use qoltanba_core::cert::Purpose;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use uppsala::{Document, NodeId};

use crate::error::{Result, VerifyError};
use crate::identity::check_certificate;
use crate::pubkey::{self, PublicKey};
use crate::token::decode_base64;
use crate::trust::{parse_cert, TrustStore};
use crate::VerifiedSignature;

use qoltanba_core::sign::xml::{
    C14N, C14N_WITH_COMMENTS, DSIG_NS, ENVELOPED, GOST2015_512, RSA_SHA256, SHA256, STREEBOG_512,
};
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

/// Verifies an enveloped signature over the whole document; `wanted: Purpose::Unknown` accepts
/// AUTH and SIGN certificates alike, as NCALayer's `signXml` does.
pub fn verify_xml(
    trust: &TrustStore,
    xml: &str,
    wanted: Purpose,
    now: OffsetDateTime,
) -> Result<VerifiedSignature> {
    // The signer's parser and limits: no DOCTYPE, no entities, bounded depth.
    let doc = qoltanba_core::sign::xml::parse(xml).map_err(|e| malformed(e.to_string()))?;
    let root = doc
        .document_element()
        .ok_or_else(|| malformed("the document has no root element".into()))?;
    let mut signatures = doc
        .children(root)
        .into_iter()
        .filter(|&id| is_dsig(&doc, id, "Signature"));
    let signature = signatures
        .next()
        .ok_or_else(|| malformed("no ds:Signature under the root element".into()))?;
    if signatures.next().is_some() {
        return Err(malformed(
            "more than one ds:Signature under the root".into(),
        ));
    }

    let signed_info = child(&doc, signature, "SignedInfo")?;
    let c14n_method = algorithm(&doc, child(&doc, signed_info, "CanonicalizationMethod")?)?;
    let signed_info_nodes = match c14n_method.as_str() {
        C14N => NodeSet::tree_without_comments(signed_info, &doc),
        C14N_WITH_COMMENTS => NodeSet::tree_with_comments(signed_info, &doc),
        other => return Err(unsupported(other)),
    };
    let method = algorithm(&doc, child(&doc, signed_info, "SignatureMethod")?)?;
    // Each signature method goes with one digest: RSA with SHA-256, KZ GOST with Streebog-512.
    let (signature_oid, expected_digest) = match method.as_str() {
        RSA_SHA256 => (SHA256_WITH_RSA, SHA256),
        GOST2015_512 => (pubkey::GOST2015_512_SIGNATURE, STREEBOG_512),
        other => return Err(unsupported(other)),
    };
    let references: Vec<NodeId> = doc
        .children(signed_info)
        .into_iter()
        .filter(|&id| is_dsig(&doc, id, "Reference"))
        .collect();
    let [reference] = references[..] else {
        return Err(malformed("expected exactly one ds:Reference".into()));
    };
    if doc.get_attribute(reference, "URI") != Some("") {
        return Err(malformed(
            "the ds:Reference must cover the whole document (URI=\"\")".into(),
        ));
    }
    check_transforms(&doc, reference)?;
    let digest_method = algorithm(&doc, child(&doc, reference, "DigestMethod")?)?;
    if digest_method != expected_digest {
        return Err(unsupported(&digest_method));
    }
    let digest_value = base64_text(&doc, child(&doc, reference, "DigestValue")?, "DigestValue")?;
    let signature_value = base64_text(
        &doc,
        child(&doc, signature, "SignatureValue")?,
        "SignatureValue",
    )?;
    let key_info = child(&doc, signature, "KeyInfo")?;
    let x509_data = child(&doc, key_info, "X509Data")?;
    let certificate = base64_text(
        &doc,
        child(&doc, x509_data, "X509Certificate")?,
        "X509Certificate",
    )?;

    let checked = check_certificate(trust, &certificate, wanted, &[], now)?;

    // URI="" selects the document without comments; the enveloped transform removes the signature.
    let document_nodes =
        NodeSet::all_without_comments(&doc).subtract(&NodeSet::tree_with_comments(signature, &doc));
    let canonical = canonicalize(&doc, &document_nodes)?;
    let digest = if expected_digest == STREEBOG_512 {
        qoltanba_core::gost::streebog512(&canonical).to_vec()
    } else {
        Sha256::digest(&canonical).to_vec()
    };
    if digest != digest_value {
        return Err(VerifyError::DigestMismatch);
    }
    let signed_info_c14n = canonicalize(&doc, &signed_info_nodes)?;
    let cert = parse_cert(&checked.certificate.der).map_err(VerifyError::BadCertificate)?;
    pubkey::verify(
        &PublicKey::of(&cert),
        signature_oid,
        None,
        &signed_info_c14n,
        &signature_value,
    )?;
    Ok(VerifiedSignature {
        identity: checked.identity,
        certificate: checked.certificate.der,
        content: None,
    })
}

/// Only the enveloped transform, optionally followed by inclusive C14N, as NCALayer writes.
fn check_transforms(doc: &Document<'_>, reference: NodeId) -> Result<()> {
    let transforms = child(doc, reference, "Transforms")?;
    let mut enveloped = false;
    for transform in doc
        .children(transforms)
        .into_iter()
        .filter(|&id| is_dsig(doc, id, "Transform"))
    {
        match algorithm(doc, transform)?.as_str() {
            ENVELOPED => enveloped = true,
            C14N | C14N_WITH_COMMENTS => {}
            other => return Err(unsupported(other)),
        }
    }
    if enveloped {
        Ok(())
    } else {
        Err(malformed(
            "the reference lacks the enveloped-signature transform".into(),
        ))
    }
}

fn canonicalize(doc: &Document<'_>, nodes: &NodeSet) -> Result<Vec<u8>> {
    bergshamra_c14n::canonicalize_doc(doc, C14nMode::Inclusive, Some(nodes), &[] as &[&str])
        .map_err(|e| malformed(format!("canonicalization failed: {e}")))
}

fn is_dsig(doc: &Document<'_>, id: NodeId, local_name: &str) -> bool {
    doc.element(id)
        .is_some_and(|e| e.matches_name_ns(DSIG_NS, local_name))
}

fn child(doc: &Document<'_>, parent: NodeId, local_name: &str) -> Result<NodeId> {
    doc.children(parent)
        .into_iter()
        .find(|&id| is_dsig(doc, id, local_name))
        .ok_or_else(|| malformed(format!("ds:{local_name} is missing")))
}

fn algorithm(doc: &Document<'_>, element: NodeId) -> Result<String> {
    doc.get_attribute(element, "Algorithm")
        .map(str::to_string)
        .ok_or_else(|| malformed("an element lacks its Algorithm attribute".into()))
}

/// Base64 element text; line breaks (Santuario wraps at 76 columns) are not part of the value.
fn base64_text(doc: &Document<'_>, element: NodeId, what: &str) -> Result<Vec<u8>> {
    let text: String = doc
        .text_content_deep(element)
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    decode_base64(&text, what)
}

fn malformed(why: String) -> VerifyError {
    VerifyError::Malformed(format!("XML signature: {why}"))
}

fn unsupported(uri: &str) -> VerifyError {
    VerifyError::UnsupportedAlgorithm(format!("XML signature algorithm {uri}"))
}
