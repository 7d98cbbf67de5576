//! X.509 certificates and their NCA RK classification (see `cert::profile`).

mod profile;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

pub use profile::{Holder, KeyAlgorithm, Purpose, Role};

use crate::error::{Error, Result};

/// A certificate: its DER and everything Qoltanba shows or filters on, extracted once.
///
/// ```
/// use qoltanba_core::cert::{Certificate, Purpose};
///
/// let pem = std::fs::read_to_string("../../certs-test/keystores/individual_auth.cer")?;
/// let (_, der) = pem_rfc7468::decode_vec(pem.as_bytes()).expect("a PEM certificate");
/// let certificate = Certificate::from_der(&der)?;
/// assert_eq!(certificate.info.purpose, Purpose::Auth);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Certificate {
    pub der: Vec<u8>,
    pub info: CertInfo,
    public_key: Vec<u8>,
}

/// The fields of the NCA profile, ready to show or serialise.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertInfo {
    pub algorithm: KeyAlgorithm,
    pub purpose: Purpose,
    pub holder: Holder,
    pub role: Option<Role>,
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub full_name: Option<String>,
    pub surname: Option<String>,
    pub given_name: Option<String>,
    pub patronymic: Option<String>,
    pub organization: Option<String>,
    pub email: Option<String>,
    /// Serial number in lowercase hex.
    pub serial: String,
    pub subject: String,
    pub subject_cn: Option<String>,
    pub issuer: String,
    pub issuer_cn: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub sha256_fingerprint: String,
    pub key_usage: Vec<&'static str>,
    pub ext_key_usage: Vec<String>,
    pub policies: Vec<String>,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    #[serde(skip)]
    pub is_ca: bool,
}

/// Where `now` falls in a certificate's validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    NotYetValid,
    Valid,
    Expired,
}

const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_CN: &str = "2.5.4.3";
const OID_SURNAME: &str = "2.5.4.4";
const OID_GIVEN_NAME: &str = "2.5.4.42";
const OID_O: &str = "2.5.4.10";
const OID_OU: &str = "2.5.4.11";
const OID_EMAIL: &str = "1.2.840.113549.1.9.1";

impl Certificate {
    /// Parses a DER certificate; a certificate without IIN (an information system) is fine.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let (_, x509) =
            X509Certificate::from_der(der).map_err(|e| Error::InvalidCertificate(e.to_string()))?;
        let subject = x509.subject();
        let attr = |oid: &str| first_attribute(subject, oid);
        let spki = x509.public_key();
        let algorithm = KeyAlgorithm::from_key_oid(
            &spki.algorithm.algorithm.to_id_string(),
            spki.algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string())
                .as_deref(),
        );

        let mut key_usage = Vec::new();
        let mut ext_key_usage = Vec::new();
        let mut policies = Vec::new();
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut san_email = None;
        for extension in x509.extensions() {
            match extension.parsed_extension() {
                ParsedExtension::KeyUsage(usage) => key_usage = profile::key_usage_names(usage),
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    ext_key_usage = profile::ext_key_usage_oids(eku)
                }
                ParsedExtension::CertificatePolicies(list) => {
                    policies = list.iter().map(|p| p.policy_id.to_id_string()).collect()
                }
                ParsedExtension::SubjectKeyIdentifier(id) => {
                    subject_key_id = Some(hex::encode(id.0))
                }
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    authority_key_id = aki.key_identifier.as_ref().map(|id| hex::encode(id.0))
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    san_email = san.general_names.iter().find_map(|name| match name {
                        x509_parser::extensions::GeneralName::RFC822Name(mail) => {
                            Some(mail.to_string())
                        }
                        _ => None,
                    })
                }
                _ => {}
            }
        }

        let iin = attr(OID_SERIAL_NUMBER).and_then(|s| profile::tagged_number(&s, "IIN"));
        let bin = subject
            .iter_attributes()
            .filter(|a| a.attr_type().to_id_string() == OID_OU)
            .filter_map(|a| a.as_str().ok())
            .find_map(|s| profile::tagged_number(s, "BIN"));
        let names = profile::Names::new(attr(OID_CN), attr(OID_SURNAME), attr(OID_GIVEN_NAME));
        let (holder, role) = profile::holder(&ext_key_usage, iin.is_some(), bin.is_some());
        let purpose = profile::purpose(algorithm.clone(), &key_usage, &ext_key_usage);

        let info = CertInfo {
            purpose,
            holder,
            role,
            iin,
            bin,
            full_name: names.full_name,
            surname: names.surname,
            given_name: names.given_name,
            patronymic: names.patronymic,
            organization: attr(OID_O),
            email: attr(OID_EMAIL).or(san_email),
            serial: hex::encode(x509.raw_serial()),
            subject: subject.to_string(),
            subject_cn: attr(OID_CN),
            issuer: x509.issuer().to_string(),
            issuer_cn: first_attribute(x509.issuer(), OID_CN),
            not_before: x509.validity().not_before.to_datetime(),
            not_after: x509.validity().not_after.to_datetime(),
            sha256_fingerprint: hex::encode(Sha256::digest(der)),
            key_usage,
            ext_key_usage,
            policies,
            subject_key_id,
            authority_key_id,
            is_ca: x509.is_ca(),
            algorithm,
        };
        Ok(Certificate {
            der: der.to_vec(),
            info,
            public_key: spki.subject_public_key.data.to_vec(),
        })
    }

    /// The subjectPublicKey bits (for RSA: the DER RSAPublicKey).
    pub fn public_key_bytes(&self) -> &[u8] {
        &self.public_key
    }

    pub fn validity_at(&self, now: OffsetDateTime) -> Validity {
        if now < self.info.not_before {
            Validity::NotYetValid
        } else if now > self.info.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    pub fn is_expired_at(&self, now: OffsetDateTime) -> bool {
        self.validity_at(now) == Validity::Expired
    }

    /// Refuses an expired certificate unless the caller allows it; a future one always.
    pub fn check_validity(&self, now: OffsetDateTime, allow_expired: bool) -> Result<()> {
        match self.validity_at(now) {
            Validity::Valid => Ok(()),
            Validity::Expired if allow_expired => Ok(()),
            Validity::Expired => Err(Error::CertificateExpired(self.info.not_after)),
            Validity::NotYetValid => Err(Error::CertificateNotYetValid(self.info.not_before)),
        }
    }

    pub fn to_pem(&self) -> String {
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }
}

fn first_attribute(name: &X509Name<'_>, oid: &str) -> Option<String> {
    name.iter_attributes()
        .filter(|a| a.attr_type().to_id_string() == oid)
        .find_map(|a| a.as_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A date as people read it in errors: `2024-05-01`.
pub fn format_date(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    t.format(&format).unwrap_or_else(|_| t.to_string())
}
