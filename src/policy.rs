//! Who may talk to the service: loopback Host (DNS-rebinding defence), https Origin, approval.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The file in the config dir that keeps the "always" answers.
pub const APPROVALS_FILE: &str = "approved-sites.json";

/// True when `host` (the Host header) names this machine's loopback with our port.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}"))
}

/// Why an Origin header is refused before anything else happens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("the request has no Origin header")]
    Missing,
    #[error("the origin is not a scheme://host[:port] origin")]
    Malformed,
    #[error("only https origins (and http://localhost for development) may connect")]
    Insecure,
}

/// Checks and normalises an Origin: https, or http on localhost/127.0.0.1 for development.
pub fn check_origin(origin: Option<&str>) -> Result<String, OriginError> {
    let origin = origin
        .ok_or(OriginError::Missing)?
        .trim()
        .to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://").ok_or(OriginError::Malformed)?;
    let valid_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if authority.is_empty() || !authority.chars().all(valid_char) {
        return Err(OriginError::Malformed);
    }
    let host = split_host(authority).ok_or(OriginError::Malformed)?;
    match scheme {
        "https" => Ok(origin),
        "http" if host == "localhost" || host == "127.0.0.1" => Ok(origin),
        "http" => Err(OriginError::Insecure),
        _ => Err(OriginError::Malformed),
    }
}

/// The host part of `host[:port]` or `[v6][:port]`; None when the port is not a number.
fn split_host(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        let rest = &authority[end..];
        (
            &authority[..end],
            rest.strip_prefix(':').or(rest.is_empty().then_some(""))?,
        )
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, port),
            None => (authority, ""),
        }
    };
    let port_ok = port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    (!host.is_empty() && port_ok).then_some(host)
}

/// Why the approval store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a valid approval list: {source}", path.display())]
    Format {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// A site the user allowed "always", as the allowed-sites list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub origin: String,
    #[serde(with = "time::serde::rfc3339")]
    pub approved: OffsetDateTime,
    /// When the site last asked for a key; None until it does.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used: Option<OffsetDateTime>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ApprovalFile {
    sites: BTreeMap<String, Site>,
}

/// Origins the user allowed "always", plus those pre-approved on the command line.
#[derive(Debug)]
pub struct ApprovalStore {
    path: PathBuf,
    saved: Mutex<BTreeMap<String, Site>>,
    preapproved: BTreeSet<String>,
}

/// Last-use times closer together than this are not written to disk again.
const TOUCH_RESOLUTION: time::Duration = time::Duration::minutes(1);

impl ApprovalStore {
    /// Loads the saved list from `config_dir` (a missing file is an empty list).
    pub fn load(config_dir: &Path, preapproved: &[String]) -> Result<Self, StoreError> {
        let path = config_dir.join(APPROVALS_FILE);
        let saved = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice::<ApprovalFile>(&bytes)
                    .map_err(|source| StoreError::Format {
                        path: path.clone(),
                        source,
                    })?
                    .sites
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let preapproved = preapproved
            .iter()
            .filter_map(|o| check_origin(Some(o)).ok())
            .collect();
        Ok(ApprovalStore {
            path,
            saved: Mutex::new(saved),
            preapproved,
        })
    }

    fn saved(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Site>> {
        self.saved.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_approved(&self, origin: &str) -> bool {
        self.preapproved.contains(origin) || self.saved().contains_key(origin)
    }

    /// The saved sites, sorted by origin.
    pub fn sites(&self) -> Vec<Site> {
        self.saved().values().cloned().collect()
    }

    /// Remembers `origin` and writes the list back.
    pub fn approve_always(&self, origin: &str) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        self.update(|saved| {
            saved.entry(origin.to_string()).or_insert(Site {
                origin: origin.to_string(),
                approved: now,
                last_used: None,
            });
            true
        })
    }

    /// Forgets a saved site: its next request asks again. False when it was not saved.
    pub fn revoke(&self, origin: &str) -> Result<bool, StoreError> {
        let mut found = false;
        self.update(|saved| {
            found = saved.remove(origin).is_some();
            found
        })?;
        Ok(found)
    }

    /// Records that a saved site used the keys now.
    pub fn touch(&self, origin: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        self.update(|saved| match saved.get_mut(origin) {
            Some(site) if site.last_used.is_none_or(|t| now - t >= TOUCH_RESOLUTION) => {
                site.last_used = Some(now);
                true
            }
            _ => false,
        })
    }

    /// Applies `change` and writes the file when it says something changed.
    fn update(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, Site>) -> bool,
    ) -> Result<(), StoreError> {
        let file = {
            let mut saved = self.saved();
            if !change(&mut saved) {
                return Ok(());
            }
            ApprovalFile {
                sites: saved.clone(),
            }
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|source| StoreError::Format {
            path: self.path.clone(),
            source,
        })?;
        // Which sites may use the keys is the user's business: 0600, replaced atomically.
        crate::private_file::write_private(&self.path, &json).map_err(|source| StoreError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// The per-user config dir (`~/.config/qoltanba` on Linux, `%APPDATA%\Qoltanba` on Windows).
pub fn default_config_dir() -> Option<PathBuf> {
    crate::folders::config_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_must_be_loopback_with_our_port() {
        assert!(host_allowed(Some("127.0.0.1:13579"), 13579));
        assert!(host_allowed(Some("LOCALHOST:13579"), 13579));
        assert!(host_allowed(Some("[::1]:13579"), 13579));
        assert!(!host_allowed(Some("127.0.0.1"), 13579));
        assert!(!host_allowed(Some("127.0.0.1:80"), 13579));
        assert!(!host_allowed(Some("evil.example:13579"), 13579));
        assert!(!host_allowed(Some("127.0.0.1.evil.example:13579"), 13579));
        assert!(!host_allowed(None, 13579));
    }

    #[test]
    fn origin_must_be_https_or_local_http() {
        assert_eq!(
            check_origin(Some("https://EGOV.kz")),
            Ok("https://egov.kz".into())
        );
        assert!(check_origin(Some("https://egov.kz:8443")).is_ok());
        assert!(check_origin(Some("https://[2001:db8::1]:443")).is_ok());
        assert!(check_origin(Some("http://localhost:3000")).is_ok());
        assert!(check_origin(Some("http://127.0.0.1")).is_ok());
        assert_eq!(
            check_origin(Some("http://egov.kz")),
            Err(OriginError::Insecure)
        );
        assert_eq!(
            check_origin(Some("http://localhost.evil.example")),
            Err(OriginError::Insecure)
        );
        assert_eq!(check_origin(Some("null")), Err(OriginError::Malformed));
        assert_eq!(
            check_origin(Some("https://egov.kz/path")),
            Err(OriginError::Malformed)
        );
        assert_eq!(
            check_origin(Some("https://egov.kz:port")),
            Err(OriginError::Malformed)
        );
        assert_eq!(check_origin(Some("file://")), Err(OriginError::Malformed));
        assert_eq!(
            check_origin(Some("chrome-extension://abc")),
            Err(OriginError::Malformed)
        );
        assert_eq!(check_origin(None), Err(OriginError::Missing));
    }

    #[test]
    fn approvals_survive_a_reload_and_preapproval_is_normalised() {
        let dir = tempfile::tempdir().expect("dir");
        let store = ApprovalStore::load(dir.path(), &["https://Portal.KZ".into()]).expect("load");
        assert!(store.is_approved("https://portal.kz"));
        assert!(!store.is_approved("https://egov.kz"));
        store.approve_always("https://egov.kz").expect("save");
        let reloaded = ApprovalStore::load(dir.path(), &[]).expect("reload");
        assert!(reloaded.is_approved("https://egov.kz"));
        assert!(!reloaded.is_approved("https://portal.kz"));
    }

    #[test]
    fn revoking_a_site_makes_it_ask_again_after_a_reload() {
        let dir = tempfile::tempdir().expect("dir");
        let store = ApprovalStore::load(dir.path(), &[]).expect("load");
        store.approve_always("https://egov.kz").expect("save");
        assert!(store.revoke("https://egov.kz").expect("revoke"));
        assert!(!store.revoke("https://egov.kz").expect("second revoke"));
        let reloaded = ApprovalStore::load(dir.path(), &[]).expect("reload");
        assert!(!reloaded.is_approved("https://egov.kz"));
    }

    #[test]
    fn last_use_is_recorded_for_saved_sites_only() {
        let dir = tempfile::tempdir().expect("dir");
        let store = ApprovalStore::load(dir.path(), &[]).expect("load");
        store.approve_always("https://egov.kz").expect("save");
        let when = time::macros::datetime!(2026-11-23 10:00 UTC);
        store.touch("https://egov.kz", when).expect("touch");
        store
            .touch("https://other.kz", when)
            .expect("touch unknown");
        let sites = ApprovalStore::load(dir.path(), &[])
            .expect("reload")
            .sites();
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].origin, "https://egov.kz");
        assert_eq!(sites[0].last_used, Some(when));
    }
}
