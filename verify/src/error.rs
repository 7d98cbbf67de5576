//! One error per failed check, worded for the portal developer reading the log.

use time::OffsetDateTime;

/// Why a login, registration, XML or CMS signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed input: {0}")]
    Malformed(String),
    #[error("unexpected format {found:?}: expected {expected:?}")]
    WrongFormat {
        expected: &'static str,
        found: String,
    },
    #[error("format {0:?} is retired (it could be forged through raw signing): update Qoltanba")]
    RetiredFormat(String),
    #[error("the token was signed to {found}, not to {expected}")]
    WrongAction {
        expected: &'static str,
        found: &'static str,
    },
    #[error("the challenge is unknown or was already used; issue a new one")]
    UnknownOrReusedChallenge,
    #[error("the challenge expired (challenges live 5 minutes); issue a new one")]
    ChallengeExpired,
    #[error("the signed payload carries a different challenge than the one this portal issued")]
    WrongChallenge,
    #[error("the reply was made for origin {found:?}, not for this portal ({expected:?})")]
    WrongOrigin { expected: String, found: String },
    #[error("the certificate cannot be decoded: {0}")]
    BadCertificate(String),
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    #[error("the certificate's purpose is {found:?}, but {wanted:?} is needed here")]
    WrongPurpose {
        wanted: qoltanba_core::cert::Purpose,
        found: qoltanba_core::cert::Purpose,
    },
    #[error("the certificate expired on {0}")]
    CertificateExpired(OffsetDateTime),
    #[error("the certificate is not valid until {0}")]
    CertificateNotYetValid(OffsetDateTime),
    #[error("the certificate does not chain to a trusted CA: {0}")]
    UntrustedChain(String),
    #[error("the certificate with serial {serial} was revoked by its CA")]
    Revoked { serial: String },
    #[error("no usable CRL of the issuer {issuer:?} is configured, so revocation is unknown")]
    RevocationUnknown { issuer: String },
    #[error("the CRL of {issuer:?} is invalid: {why}")]
    BadCrl { issuer: String, why: String },
    #[error("the document digest does not match: the signed content was changed")]
    DigestMismatch,
    #[error(
        "the signature does not verify: tampered data, or signed for another origin or challenge"
    )]
    BadSignature,
    #[error("cannot read {path}: {why}")]
    Io { path: String, why: String },
}

pub type Result<T, E = VerifyError> = std::result::Result<T, E>;
