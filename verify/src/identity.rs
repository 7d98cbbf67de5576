//! Who signed: the identity a portal stores, and the certificate checks every flow shares.

use qoltanba_core::cert::{Certificate, Holder, KeyAlgorithm, Purpose, Role, Validity};
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::{Result, VerifyError};
use crate::trust::TrustStore;

/// The signer as the certificate names them; portals key accounts on `iin` (and `bin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub surname: Option<String>,
    pub given_name: Option<String>,
    pub patronymic: Option<String>,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub email: Option<String>,
    pub holder: Holder,
    pub role: Option<Role>,
    pub purpose: Purpose,
    /// Certificate serial number, lowercase hex.
    pub serial: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

impl Identity {
    fn of(cert: &Certificate) -> Self {
        let info = &cert.info;
        Identity {
            iin: info.iin.clone(),
            bin: info.bin.clone(),
            surname: info.surname.clone(),
            given_name: info.given_name.clone(),
            patronymic: info.patronymic.clone(),
            full_name: info.full_name.clone(),
            organization: info.organization.clone(),
            email: info.email.clone(),
            holder: info.holder,
            role: info.role,
            purpose: info.purpose,
            serial: info.serial.clone(),
            not_before: info.not_before,
            not_after: info.not_after,
        }
    }
}

/// A certificate that passed decode, purpose, validity, chain and revocation checks.
#[derive(Debug, Clone)]
pub struct CheckedCertificate {
    pub certificate: Certificate,
    pub identity: Identity,
    /// The trusted path, leaf first, root last (DER).
    pub path: Vec<Vec<u8>>,
}

/// Runs the shared certificate checks in the documented order; `wanted: Purpose::Unknown` accepts any.
///
/// `extra` are untrusted certificates the signature carried (CMS), usable as intermediates.
pub fn check_certificate(
    trust: &TrustStore,
    der: &[u8],
    wanted: Purpose,
    extra: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<CheckedCertificate> {
    let certificate =
        Certificate::from_der(der).map_err(|e| VerifyError::BadCertificate(e.to_string()))?;
    let found = certificate.info.purpose;
    if !found.serves(wanted) {
        return Err(VerifyError::WrongPurpose { wanted, found });
    }
    match certificate.validity_at(now) {
        Validity::Valid => {}
        Validity::Expired => {
            return Err(VerifyError::CertificateExpired(certificate.info.not_after))
        }
        Validity::NotYetValid => {
            return Err(VerifyError::CertificateNotYetValid(
                certificate.info.not_before,
            ))
        }
    }
    // GOST 2004 certificates decode and classify, but their signatures cannot be checked.
    if let KeyAlgorithm::Gost2004 = certificate.info.algorithm {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "{} certificates (only GOST 34.10-2015 can be verified)",
            certificate.info.algorithm
        )));
    }
    let path = trust.check_path(der, extra, now)?;
    Ok(CheckedCertificate {
        identity: Identity::of(&certificate),
        certificate,
        path,
    })
}
