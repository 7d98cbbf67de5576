//! The core's errors, grouped by what the user can do about them.

use std::path::PathBuf;

use time::OffsetDateTime;

/// What the person in front of the screen can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Type the password again.
    RetryPassword,
    /// Choose another file, certificate or input.
    FixInput,
    /// Nothing: the operation cannot succeed.
    GiveUp,
}

/// Everything that can go wrong between a keystore file and a signature.
///
/// Messages are one plain sentence and never contain a password or key material.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is not a PKCS#12 keystore (.p12/.pfx)")]
    NotPkcs12,
    #[error("wrong password for this keystore")]
    WrongPassword,
    #[error("the keystore file is damaged: {0}")]
    Corrupted(String),
    #[error("the keystore is protected with {0}, which is not supported")]
    UnsupportedEncryption(String),
    #[error("the keystore holds no private key")]
    NoPrivateKey,
    #[error("{0} keys are not supported for signing yet")]
    UnsupportedKeyAlgorithm(String),
    #[error("the certificate is not valid: {0}")]
    InvalidCertificate(String),
    #[error("the certificate expired on {}", crate::cert::format_date(*.0))]
    CertificateExpired(OffsetDateTime),
    #[error("the certificate is not valid until {}", crate::cert::format_date(*.0))]
    CertificateNotYetValid(OffsetDateTime),
    #[error("the input is not valid XML: {0}")]
    InvalidXml(String),
    #[error("the signature could not be made: {0}")]
    Signing(String),
}

impl Error {
    /// Groups the error by the user's next step, as prompts and replies need it.
    pub fn action(&self) -> Action {
        match self {
            Error::WrongPassword => Action::RetryPassword,
            Error::Io { .. }
            | Error::NotPkcs12
            | Error::Corrupted(_)
            | Error::UnsupportedEncryption(_)
            | Error::NoPrivateKey
            | Error::UnsupportedKeyAlgorithm(_)
            | Error::InvalidCertificate(_)
            | Error::CertificateExpired(_)
            | Error::CertificateNotYetValid(_)
            | Error::InvalidXml(_) => Action::FixInput,
            Error::Signing(_) => Action::GiveUp,
        }
    }

    /// A distinct process exit code per error kind, documented in the README.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Io { .. } => 3,
            Error::NotPkcs12 => 4,
            Error::WrongPassword => 5,
            Error::Corrupted(_) => 6,
            Error::UnsupportedEncryption(_) => 7,
            Error::NoPrivateKey => 8,
            Error::UnsupportedKeyAlgorithm(_) => 9,
            Error::InvalidCertificate(_) => 10,
            Error::CertificateExpired(_) => 11,
            Error::CertificateNotYetValid(_) => 12,
            Error::InvalidXml(_) => 13,
            Error::Signing(_) => 14,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
