//! Revocation fails closed: the portal needs a revocation source to start, and a login whose
//! revocation status is unknown is refused with a reason that says it is the portal's side.

use axum::http::StatusCode;
use qoltanba_verify::VerifyError;

use crate::i18n::Text;
use crate::{refuse, PortalError};

/// How the portal checks revocation, decided at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// Certificates are checked against the configured CRLs.
    Crl,
    /// The operator turned checking off (`--no-revocation-check`): development only.
    Unchecked,
}

/// Why the portal refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "CA certificates are configured but no revocation source: give the CAs' CRLs with --crl FILE, \
         or pass --no-revocation-check to accept revoked certificates (development only)"
    )]
    NoRevocationSource,
    #[error("--crl and --no-revocation-check contradict each other")]
    Contradiction,
}

/// The revocation mode for `cas` CA files and `crls` CRL files, or why the portal must not start.
pub fn policy(
    cas: usize,
    crls: usize,
    no_revocation_check: bool,
) -> Result<Revocation, StartError> {
    match (cas > 0, crls > 0, no_revocation_check) {
        (_, true, true) => Err(StartError::Contradiction),
        (_, true, false) => Ok(Revocation::Crl),
        (_, false, true) => Ok(Revocation::Unchecked),
        (true, false, false) => Err(StartError::NoRevocationSource),
        // No CA, no CRL: every certificate is refused as untrusted anyway.
        (false, false, false) => Ok(Revocation::Crl),
    }
}

/// The user-facing refusal when a verification failed because revocation could not be checked
/// (a CRL out of date, not yet valid, unreadable or missing): the portal's problem, not the
/// user's certificate. `None` for every other failure.
pub(crate) fn refusal(error: &VerifyError) -> Option<PortalError> {
    match error {
        VerifyError::BadCrl { .. }
        | VerifyError::RevocationUnknown { .. }
        | VerifyError::OcspFailed(_) => Some(refuse(
            Text::RevocationUnavailable,
            StatusCode::SERVICE_UNAVAILABLE,
        )),
        _ => None,
    }
}
