//! Portal-side verification of Qoltanba and NCALayer replies, with no network, no async runtime and no files but those its API names.
//!
//! Login and registration tokens bound to the portal's origin and single-use challenge, enveloped
//! XMLDSig and CMS, each with the same certificate checks (purpose, validity, chain to configured
//! CAs, CRL).
//!
//! ```
//! use qoltanba_verify::{ChallengeStore, TrustStore, Verifier};
//!
//! let mut trust = TrustStore::new();
//! trust.add_ca_file("../certs-test/ca/chain.pem")?; // NCA's root and intermediates in production
//! let verifier = Verifier::new("https://portal.example.kz", trust);
//! let challenges = ChallengeStore::new();
//! let challenge = challenges.issue()?; // the page passes it to qoltanba.login
//! // The page posts back Qoltanba's reply; anything but a valid token is refused.
//! let refused = verifier.login(r#"{"format":"qoltanba-login:2"}"#, &challenge, &challenges);
//! assert!(refused.is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod cdp;
pub mod challenge;
pub mod cms;
pub mod error;
pub mod identity;
pub mod ocsp;
mod pubkey;
pub mod timestamp;
pub mod token;
pub mod trust;
pub mod xml;

pub use challenge::{ChallengeStore, Clock, SystemClock, CHALLENGE_LIFETIME};
pub use error::{Result, VerifyError};
pub use identity::{check_certificate, CheckedCertificate, Identity};
pub use ocsp::OcspChecker;
pub use qoltanba_core::cert::{Holder, Purpose, Role};
pub use timestamp::{ProvenTime, TimestampTrust};
pub use token::{Action, Entity, Registration, Verifier, LOGIN_FORMAT, REGISTER_FORMAT};
pub use trust::TrustStore;

/// A verified XML or CMS signature: who signed, with which certificate, and (attached CMS) what.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    pub identity: Identity,
    /// The signer's certificate (DER).
    pub certificate: Vec<u8>,
    /// The signed content of an attached CMS; `None` for XML and detached CMS.
    pub content: Option<Vec<u8>>,
    /// The time a trusted TSA proves the signature existed (CMS with a checked timestamp).
    pub timestamp: Option<ProvenTime>,
}

impl Verifier {
    /// Verifies an NCALayer-style enveloped XML signature with this portal's trust settings.
    pub fn verify_xml(
        &self,
        xml: &str,
        wanted: Purpose,
        now: time::OffsetDateTime,
    ) -> Result<VerifiedSignature> {
        xml::verify_xml(self.trust(), xml, wanted, now)
    }

    /// Verifies a CMS SignedData (DER); `detached` is the content when the CMS does not embed it.
    pub fn verify_cms(
        &self,
        cms_der: &[u8],
        detached: Option<&[u8]>,
        wanted: Purpose,
        now: time::OffsetDateTime,
    ) -> Result<VerifiedSignature> {
        cms::verify_cms_with(
            self.trust(),
            self.timestamps(),
            cms_der,
            detached,
            wanted,
            now,
        )
    }
}
