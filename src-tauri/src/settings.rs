//! What the app remembers between runs: keystore folders and files, language, known certificates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::i18n::Lang;

pub const SETTINGS_FILE: &str = "app-settings.json";
/// The prompt offers this many recently used keystores first.
const RECENT: usize = 5;

/// A certificate the user has opened, kept to warn before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnownCertificate {
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    pub owner: String,
    pub keystore: PathBuf,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Set once the expiry notification was shown.
    #[serde(default)]
    pub warned: bool,
}

impl KnownCertificate {
    pub fn of(info: &qoltanba::cert::CertInfo, keystore: &Path) -> Self {
        KnownCertificate {
            fingerprint: info.sha256_fingerprint.clone(),
            owner: info
                .full_name
                .clone()
                .or_else(|| info.subject_cn.clone())
                .unwrap_or_default(),
            keystore: keystore.to_path_buf(),
            not_after: info.not_after,
            warned: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Folders searched for .p12/.pfx files; empty means home, Documents and Downloads.
    pub keystore_dirs: Vec<PathBuf>,
    /// Keystore files added one by one (e.g. on a USB stick).
    pub keystore_files: Vec<PathBuf>,
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// None follows the OS locale.
    pub language: Option<Lang>,
    /// Keystores whose password the OS keychain keeps (never the password itself).
    pub remembered: BTreeSet<PathBuf>,
    pub known_certificates: Vec<KnownCertificate>,
    /// The RFC 3161 TSA for timestamped signatures; None is NCA's (read when the service starts).
    pub tsa_url: Option<String>,
}

impl Settings {
    /// Where timestamps are requested: the configured TSA, or NCA's.
    pub fn tsa(&self) -> qoltanba::timestamp::TsaSettings {
        match &self.tsa_url {
            Some(url) if !url.trim().is_empty() => qoltanba::timestamp::TsaSettings {
                url: url.trim().to_string(),
                policy: None,
            },
            _ => qoltanba::timestamp::TsaSettings::nca(),
        }
    }
}

impl Settings {
    /// The keystore files the prompt and the manager offer: folders' files, added files, recent ones.
    pub fn keystores(&self, default_dirs: &[PathBuf]) -> Vec<PathBuf> {
        let dirs = if self.keystore_dirs.is_empty() {
            default_dirs
        } else {
            &self.keystore_dirs
        };
        let mut found = qoltanba::keystore::find(dirs, false);
        // Files chosen with Browse… stay offered while they exist.
        let recent = self.recent.iter().filter(|p| p.is_file());
        for file in self.keystore_files.iter().chain(recent) {
            if !found.contains(file) {
                found.push(file.clone());
            }
        }
        found
    }

    pub fn used(&mut self, keystore: &Path) {
        self.recent.retain(|p| p != keystore);
        self.recent.insert(0, keystore.to_path_buf());
        self.recent.truncate(RECENT);
    }

    /// Adds or refreshes a certificate seen in a keystore.
    pub fn know(&mut self, certificate: KnownCertificate) {
        match self
            .known_certificates
            .iter_mut()
            .find(|c| c.fingerprint == certificate.fingerprint)
        {
            Some(known) => known.keystore = certificate.keystore,
            None => self.known_certificates.push(certificate),
        }
    }

    /// Known certificates that expire within `days` and were not warned about yet; marks them.
    pub fn take_expiry_warnings(
        &mut self,
        now: OffsetDateTime,
        days: i64,
    ) -> Vec<KnownCertificate> {
        let horizon = now + time::Duration::days(days);
        let mut due = Vec::new();
        for known in &mut self.known_certificates {
            if !known.warned && known.not_after > now && known.not_after <= horizon {
                known.warned = true;
                due.push(known.clone());
            }
        }
        due
    }
}

/// Why the settings file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a valid settings file: {source}", path.display())]
    Format {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// The settings file and its in-memory copy.
#[derive(Debug)]
pub struct SettingsStore {
    path: PathBuf,
    current: Mutex<Settings>,
}

impl SettingsStore {
    /// Loads `config_dir/app-settings.json`; a missing file gives the defaults.
    pub fn load(config_dir: &Path) -> Result<Self, SettingsError> {
        let path = config_dir.join(SETTINGS_FILE);
        let current = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| SettingsError::Format {
                    path: path.clone(),
                    source,
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(source) => return Err(SettingsError::Io { path, source }),
        };
        Ok(SettingsStore {
            path,
            current: Mutex::new(current),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Settings> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self) -> Settings {
        self.lock().clone()
    }

    /// Changes the settings and writes them (to a 0600 temporary file first, then renamed).
    pub fn update<T>(&self, change: impl FnOnce(&mut Settings) -> T) -> Result<T, SettingsError> {
        let (result, json) = {
            let mut current = self.lock();
            let result = change(&mut current);
            let json =
                serde_json::to_vec_pretty(&*current).map_err(|source| SettingsError::Format {
                    path: self.path.clone(),
                    source,
                })?;
            (result, json)
        };
        // Keystore paths and certificate names are the user's business: 0600, replaced atomically.
        qoltanba::private_file::write_private(&self.path, &json).map_err(|source| {
            SettingsError::Io {
                path: self.path.clone(),
                source,
            }
        })?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn known(fingerprint: &str, not_after: OffsetDateTime) -> KnownCertificate {
        KnownCertificate {
            fingerprint: fingerprint.into(),
            owner: "ТЕСТОВ ТЕСТ".into(),
            keystore: "/keys/AUTH.p12".into(),
            not_after,
            warned: false,
        }
    }

    #[test]
    fn settings_survive_a_reload() {
        let dir = tempfile::tempdir().expect("dir");
        let store = SettingsStore::load(dir.path()).expect("load");
        store
            .update(|s| {
                s.keystore_dirs.push("/media/usb".into());
                s.language = Some(Lang::Kk);
            })
            .expect("save");
        let reloaded = SettingsStore::load(dir.path()).expect("reload").get();
        assert_eq!(reloaded.keystore_dirs, [PathBuf::from("/media/usb")]);
        assert_eq!(reloaded.language, Some(Lang::Kk));
    }

    #[cfg(unix)]
    #[test]
    fn a_world_readable_settings_file_from_an_older_version_becomes_0600_on_save() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, b"{}").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let store = SettingsStore::load(dir.path()).expect("load");
        store.update(|s| s.language = Some(Lang::Ru)).expect("save");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            SettingsStore::load(dir.path())
                .expect("reload")
                .get()
                .language,
            Some(Lang::Ru)
        );
    }

    #[test]
    fn the_tsa_is_ncas_unless_a_url_is_set() {
        let mut settings = Settings::default();
        assert_eq!(settings.tsa().url, "http://tsp.pki.gov.kz");
        settings.tsa_url = Some(" http://127.0.0.1:3180/tsp ".into());
        assert_eq!(settings.tsa().url, "http://127.0.0.1:3180/tsp");
        assert_eq!(settings.tsa().host(), "127.0.0.1:3180");
    }

    #[test]
    fn a_damaged_settings_file_is_a_format_error_not_defaults() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(SETTINGS_FILE), b"{not json").expect("write");
        assert!(matches!(
            SettingsStore::load(dir.path()),
            Err(SettingsError::Format { .. })
        ));
    }

    #[test]
    fn recent_keystores_are_most_recent_first_without_duplicates() {
        let mut settings = Settings::default();
        for name in ["a.p12", "b.p12", "a.p12"] {
            settings.used(Path::new(name));
        }
        assert_eq!(
            settings.recent,
            [PathBuf::from("a.p12"), PathBuf::from("b.p12")]
        );
    }

    #[test]
    fn added_files_are_offered_after_the_folders_keystores() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("AUTH.p12"), b"x").expect("write");
        std::fs::write(dir.path().join("notes.txt"), b"x").expect("write");
        let settings = Settings {
            keystore_dirs: vec![dir.path().to_path_buf()],
            keystore_files: vec!["/media/usb/RSA.pfx".into()],
            ..Settings::default()
        };
        assert_eq!(
            settings.keystores(&[]),
            [
                dir.path().join("AUTH.p12"),
                PathBuf::from("/media/usb/RSA.pfx")
            ]
        );
    }

    #[test]
    fn expiry_warning_comes_once_within_thirty_days() {
        let now = datetime!(2026-11-23 12:00 UTC);
        let mut settings = Settings::default();
        settings.know(known("soon", now + time::Duration::days(10)));
        settings.know(known("later", now + time::Duration::days(200)));
        settings.know(known("gone", now - time::Duration::days(1)));
        let due = settings.take_expiry_warnings(now, 30);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].fingerprint, "soon");
        assert!(settings.take_expiry_warnings(now, 30).is_empty());
    }
}
