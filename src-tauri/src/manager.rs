//! The certificate manager's logic: what the manager window shows and the keystores it opens.

use std::path::{Path, PathBuf};

use qoltanba::cert::{CertInfo, Certificate, Validity};
use serde::Serialize;
use time::OffsetDateTime;

use crate::broker::{ErrorView, KeystoreView};
use crate::i18n::Lang;
use crate::service::Status;
use crate::settings::{KnownCertificate, Settings};

/// Everything the manager window shows, sent whole after each change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagerState {
    pub lang: Lang,
    pub autostart: bool,
    pub folders: Vec<PathBuf>,
    /// True while the user has not chosen folders and the defaults are searched.
    pub default_folders: bool,
    pub files: Vec<PathBuf>,
    pub keystores: Vec<KeystoreView>,
    pub sites: Vec<qoltanba::policy::Site>,
    pub about: About,
    pub expiring: Vec<KnownCertificate>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: &'static str,
    pub status: &'static str,
    pub address: String,
    pub tls_trusted: bool,
    pub config_dir: PathBuf,
}

impl ManagerState {
    /// Assembles the state; `expiring` lists known certificates ending within 30 days.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        lang: Lang,
        autostart: bool,
        settings: &Settings,
        default_dirs: &[PathBuf],
        sites: Vec<qoltanba::policy::Site>,
        status: &Status,
        config_dir: &Path,
        now: OffsetDateTime,
    ) -> Self {
        let default_folders = settings.keystore_dirs.is_empty();
        let folders = if default_folders {
            default_dirs.to_vec()
        } else {
            settings.keystore_dirs.clone()
        };
        let keystores = settings
            .keystores(default_dirs)
            .iter()
            .map(|p| {
                KeystoreView::new(
                    p,
                    settings.recent.contains(p),
                    settings.remembered.contains(p),
                )
            })
            .collect();
        let horizon = now + time::Duration::days(EXPIRY_WARNING_DAYS);
        let expiring = settings
            .known_certificates
            .iter()
            .filter(|c| c.not_after > now && c.not_after <= horizon)
            .cloned()
            .collect();
        ManagerState {
            lang,
            autostart,
            folders,
            default_folders,
            files: settings.keystore_files.clone(),
            keystores,
            sites,
            about: About {
                version: env!("CARGO_PKG_VERSION"),
                status: status.code(),
                address: status.address(),
                tls_trusted: status.tls_trusted,
                config_dir: config_dir.to_path_buf(),
            },
            expiring,
        }
    }
}

/// Certificates are announced this many days before they expire.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// An opened keystore as the manager shows it: certificates only, no key leaves the core.
#[derive(Debug, Clone, Serialize)]
pub struct OpenedKeystore {
    pub path: PathBuf,
    pub certificates: Vec<CertificateDetails>,
    #[serde(skip)]
    pub ders: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateDetails {
    pub index: usize,
    pub info: CertInfo,
    /// Issuers found in the keystore, nearest first.
    pub chain: Vec<ChainLink>,
    pub validity: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainLink {
    pub subject: String,
    pub issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub sha256_fingerprint: String,
}

/// Opens a keystore to show its certificates; the private keys are dropped (and zeroized) here.
pub fn open_keystore(
    path: &Path,
    password: &str,
    now: OffsetDateTime,
) -> Result<OpenedKeystore, ErrorView> {
    let keystore =
        qoltanba::keystore::open(path, password).map_err(|e| ErrorView::from_core(&e))?;
    let others = &keystore.other_certificates;
    let mut certificates = Vec::new();
    let mut ders = Vec::new();
    for (index, entry) in keystore.entries.iter().enumerate() {
        let certificate = &entry.certificate;
        certificates.push(CertificateDetails {
            index,
            info: certificate.info.clone(),
            chain: chain(certificate, others),
            validity: match certificate.validity_at(now) {
                Validity::Valid => "valid",
                Validity::Expired => "expired",
                Validity::NotYetValid => "notYetValid",
            },
        });
        ders.push(certificate.der.clone());
    }
    Ok(OpenedKeystore {
        path: path.to_path_buf(),
        certificates,
        ders,
    })
}

/// Follows issuer names through `others`; stops at a self-signed root or a missing link.
fn chain(certificate: &Certificate, others: &[Certificate]) -> Vec<ChainLink> {
    let mut links: Vec<ChainLink> = Vec::new();
    let mut current = certificate;
    while let Some(issuer) = others.iter().find(|c| {
        c.info.subject == current.info.issuer
            && links
                .iter()
                .all(|l| l.sha256_fingerprint != c.info.sha256_fingerprint)
    }) {
        links.push(ChainLink {
            subject: issuer.info.subject.clone(),
            issuer: issuer.info.issuer.clone(),
            not_after: issuer.info.not_after,
            sha256_fingerprint: issuer.info.sha256_fingerprint.clone(),
        });
        if issuer.info.subject == issuer.info.issuer {
            break;
        }
        current = issuer;
    }
    links
}

/// PEM or DER bytes of a certificate for export.
pub fn export(der: &[u8], format: &str) -> Option<Vec<u8>> {
    match format {
        "der" => Some(der.to_vec()),
        "pem" => Certificate::from_der(der)
            .ok()
            .map(|c| c.to_pem().into_bytes()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/fixtures/nca/keystores")
            .join(name)
    }

    #[test]
    fn opening_a_real_nca_keystore_shows_its_certificate_and_fingerprint() {
        let now = time::macros::datetime!(2023-06-01 0:00 UTC);
        let opened =
            open_keystore(&fixture("GOST512_individual.p12"), "Qwerty12", now).expect("opens");
        assert_eq!(opened.certificates.len(), 1);
        let details = &opened.certificates[0];
        assert_eq!(details.validity, "valid");
        assert_eq!(details.info.sha256_fingerprint.len(), 64);
        assert!(details.info.iin.is_some());
        assert_eq!(opened.ders.len(), 1);
    }

    #[test]
    fn a_wrong_password_is_reported_as_such() {
        let error = open_keystore(
            &fixture("GOST512_individual.p12"),
            "wrong",
            OffsetDateTime::now_utc(),
        )
        .expect_err("refused");
        assert_eq!(error.kind, "wrongPassword");
    }

    #[test]
    fn export_gives_pem_armour_or_the_exact_der() {
        let opened = open_keystore(
            &fixture("GOST512_individual.p12"),
            "Qwerty12",
            OffsetDateTime::now_utc(),
        )
        .expect("opens");
        let der = &opened.ders[0];
        assert_eq!(export(der, "der").as_deref(), Some(der.as_slice()));
        let pem = String::from_utf8(export(der, "pem").expect("pem")).expect("text");
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(export(der, "txt").is_none());
    }
}
