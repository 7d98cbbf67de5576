//! The NCA RK certificate profile: key algorithm, purpose, holder, role and names.
//! Facts from shared/fixtures/nca/README.md, checked against real NCA test certificates.

use serde::Serialize;
use x509_parser::extensions::{ExtendedKeyUsage, KeyUsage};

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_GOST2004: &str = "1.2.398.3.10.1.1.1.1";
const OID_GOST2015_512: &str = "1.2.398.3.10.1.1.2.2";
const OID_TC26_GOST2012_256: &str = "1.2.643.7.1.1.1.1";
const OID_TC26_GOST2012_512: &str = "1.2.643.7.1.1.1.2";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";

const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
const EKU_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
const EKU_INDIVIDUAL: &str = "1.2.398.3.3.4.1.1";
const EKU_ORGANISATION: &str = "1.2.398.3.3.4.1.2";

/// The key algorithm, as NCA's software distinguishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa,
    /// GOST 34.310-2004 (NCA keys before 2024).
    Gost2004,
    /// GOST 34.10-2015 512-bit: one key for login and signing (NCA keys since 2024).
    Gost2015,
    /// Anything else, with a human name ("EC P-256", "GOST R 34.10-2012 (512-bit)", an OID).
    Other(String),
}

impl KeyAlgorithm {
    /// Classifies by the key's OID and, for EC, its curve OID.
    pub fn from_key_oid(oid: &str, parameter_oid: Option<&str>) -> Self {
        match oid {
            OID_RSA => KeyAlgorithm::Rsa,
            OID_GOST2004 => KeyAlgorithm::Gost2004,
            OID_GOST2015_512 => KeyAlgorithm::Gost2015,
            OID_TC26_GOST2012_256 => KeyAlgorithm::Other("GOST R 34.10-2012 (256-bit)".into()),
            OID_TC26_GOST2012_512 => KeyAlgorithm::Other("GOST R 34.10-2012 (512-bit)".into()),
            OID_ED25519 => KeyAlgorithm::Other("Ed25519".into()),
            OID_EC => KeyAlgorithm::Other(match parameter_oid {
                Some("1.2.840.10045.3.1.7") => "EC P-256".into(),
                Some("1.3.132.0.34") => "EC P-384".into(),
                Some("1.3.132.0.35") => "EC P-521".into(),
                Some(curve) => format!("EC (curve {curve})"),
                None => "EC".into(),
            }),
            other => KeyAlgorithm::Other(format!("key algorithm {other}")),
        }
    }

    /// The short code used in JSON: RSA, GOST2004, GOST2015 or other.
    pub fn code(&self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::Gost2004 => "GOST2004",
            KeyAlgorithm::Gost2015 => "GOST2015",
            KeyAlgorithm::Other(_) => "other",
        }
    }
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyAlgorithm::Rsa => f.write_str("RSA"),
            KeyAlgorithm::Gost2004 => f.write_str("GOST 34.310-2004"),
            KeyAlgorithm::Gost2015 => f.write_str("GOST 34.10-2015 (512-bit)"),
            KeyAlgorithm::Other(name) => f.write_str(name),
        }
    }
}

impl Serialize for KeyAlgorithm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// What a certificate is for: logging in, signing, or both (GOST 2015 single key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Purpose {
    Auth,
    Sign,
    Both,
    Unknown,
}

impl Purpose {
    /// True when a certificate of this purpose may serve a request for `wanted`.
    pub fn serves(self, wanted: Purpose) -> bool {
        self == wanted || self == Purpose::Both || wanted == Purpose::Unknown
    }
}

/// Who holds the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Holder {
    Individual,
    LegalEntity,
    Unknown,
}

/// An employee's role in a legal entity, from the EKU under 1.2.398.3.3.4.1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Ceo,
    Signer,
    FinancialSigner,
    Hr,
    Employee,
}

pub(super) fn key_usage_names(usage: &KeyUsage) -> Vec<&'static str> {
    [
        (usage.digital_signature(), "digitalSignature"),
        (usage.non_repudiation(), "nonRepudiation"),
        (usage.key_encipherment(), "keyEncipherment"),
        (usage.data_encipherment(), "dataEncipherment"),
        (usage.key_agreement(), "keyAgreement"),
        (usage.key_cert_sign(), "keyCertSign"),
        (usage.crl_sign(), "cRLSign"),
        (usage.encipher_only(), "encipherOnly"),
        (usage.decipher_only(), "decipherOnly"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect()
}

pub(super) fn ext_key_usage_oids(eku: &ExtendedKeyUsage<'_>) -> Vec<String> {
    let known = [
        (eku.any, "2.5.29.37.0"),
        (eku.server_auth, "1.3.6.1.5.5.7.3.1"),
        (eku.client_auth, EKU_CLIENT_AUTH),
        (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
        (eku.email_protection, EKU_EMAIL_PROTECTION),
        (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
        (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
    ];
    known
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, oid)| oid.to_string())
        .chain(eku.other.iter().map(|oid| oid.to_id_string()))
        .collect()
}

/// AUTH has clientAuth; SIGN has emailProtection or nonRepudiation; GOST 2015 is both.
pub(super) fn purpose(algorithm: KeyAlgorithm, key_usage: &[&str], eku: &[String]) -> Purpose {
    let has = |oid: &str| eku.iter().any(|e| e == oid);
    if algorithm == KeyAlgorithm::Gost2015 {
        Purpose::Both
    } else if has(EKU_CLIENT_AUTH) {
        Purpose::Auth
    } else if has(EKU_EMAIL_PROTECTION) || key_usage.contains(&"nonRepudiation") {
        Purpose::Sign
    } else {
        Purpose::Unknown
    }
}

/// The holder from NCA's holder EKUs; without them, from the IIN/BIN in the subject.
pub(super) fn holder(eku: &[String], has_iin: bool, has_bin: bool) -> (Holder, Option<Role>) {
    let role_prefix = format!("{EKU_ORGANISATION}.");
    let role = eku
        .iter()
        .find_map(|oid| match oid.strip_prefix(&role_prefix)? {
            "1" => Some(Role::Ceo),
            "2" => Some(Role::Signer),
            "3" => Some(Role::FinancialSigner),
            "4" => Some(Role::Hr),
            "5" => Some(Role::Employee),
            _ => None,
        });
    let is_organisation = role.is_some() || eku.iter().any(|e| e == EKU_ORGANISATION);
    if is_organisation {
        (Holder::LegalEntity, role)
    } else if eku.iter().any(|e| e == EKU_INDIVIDUAL) {
        (Holder::Individual, None)
    } else if has_bin {
        (Holder::LegalEntity, None)
    } else if has_iin {
        (Holder::Individual, None)
    } else {
        (Holder::Unknown, None)
    }
}

/// `IIN123456789011` → `123456789011`: the tag followed by exactly twelve digits.
pub(super) fn tagged_number(value: &str, tag: &str) -> Option<String> {
    let digits = value.trim().strip_prefix(tag)?;
    (digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_string())
}

/// Person names: CN = "SURNAME NAME", SN = surname, GN holds the patronymic.
pub(super) struct Names {
    pub full_name: Option<String>,
    pub surname: Option<String>,
    pub given_name: Option<String>,
    pub patronymic: Option<String>,
}

impl Names {
    pub(super) fn new(cn: Option<String>, sn: Option<String>, gn: Option<String>) -> Self {
        let given_name = cn.as_deref().and_then(|cn| {
            let rest = match sn.as_deref() {
                Some(surname) => cn.strip_prefix(surname).unwrap_or(cn),
                None => cn.split_once(' ').map_or("", |(_, rest)| rest),
            };
            Some(rest.trim().to_string()).filter(|s| !s.is_empty() && sn.is_some())
        });
        let full_name = match (&cn, &gn) {
            (Some(cn), Some(gn)) => Some(format!("{cn} {gn}")),
            (cn, _) => cn.clone(),
        };
        Names {
            full_name,
            surname: sn,
            given_name,
            patronymic: gn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_number_requires_the_tag_and_twelve_digits() {
        assert_eq!(
            tagged_number("IIN123456789011", "IIN").as_deref(),
            Some("123456789011")
        );
        assert_eq!(tagged_number("BIN123456789011", "IIN"), None);
        assert_eq!(tagged_number("IIN12345", "IIN"), None);
    }

    #[test]
    fn given_name_is_the_cn_without_the_surname_and_gn_is_the_patronymic() {
        let names = Names::new(
            Some("ТЕСТОВ ТЕСТ".into()),
            Some("ТЕСТОВ".into()),
            Some("ТЕСТОВИЧ".into()),
        );
        assert_eq!(names.given_name.as_deref(), Some("ТЕСТ"));
        assert_eq!(names.patronymic.as_deref(), Some("ТЕСТОВИЧ"));
        assert_eq!(names.full_name.as_deref(), Some("ТЕСТОВ ТЕСТ ТЕСТОВИЧ"));
    }

    #[test]
    fn an_information_system_has_only_a_full_name() {
        let names = Names::new(Some("TEST SYSTEM".into()), None, None);
        assert_eq!(names.full_name.as_deref(), Some("TEST SYSTEM"));
        assert_eq!(names.given_name, None);
    }

    #[test]
    fn legal_entity_role_comes_from_the_organisation_eku() {
        let eku = vec![
            EKU_CLIENT_AUTH.to_string(),
            "1.2.398.3.3.4.1.2.1".to_string(),
        ];
        assert_eq!(
            holder(&eku, true, true),
            (Holder::LegalEntity, Some(Role::Ceo))
        );
    }

    #[test]
    fn gost_2015_serves_both_purposes() {
        let eku = vec![EKU_EMAIL_PROTECTION.to_string()];
        let purpose = purpose(KeyAlgorithm::Gost2015, &["digitalSignature"], &eku);
        assert_eq!(purpose, Purpose::Both);
        assert!(purpose.serves(Purpose::Auth) && purpose.serves(Purpose::Sign));
    }
}
