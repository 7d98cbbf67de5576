//! How the service asks the user: may this site use my keys, which key, which password.
//!
//! The server shows one prompt at a time and drops the prompt's future when the connection
//! closes or the prompt times out; implementations treat a dropped future as "cancelled".

pub mod scripted;
pub mod terminal;

use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use time::OffsetDateTime;

use crate::keystore::{self, Entry};
use crate::protocol::{Failure, KeyFilter, Task};
use crate::Error;

pub use scripted::ScriptedPrompt;
pub use terminal::TerminalPrompt;

/// The password is asked at most this many times per keystore.
pub const PASSWORD_TRIES: usize = 3;

/// The user's answer to "Allow `<origin>` to use your signing keys?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// For this connection only.
    Once,
    /// Saved in the approval store.
    Always,
    Deny,
}

/// Everything a prompt shows when asking for a key.
#[derive(Debug, Clone)]
pub struct KeyRequest {
    pub origin: String,
    /// What will be signed.
    pub task: Task,
    pub filter: KeyFilter,
    /// Keystore files found in the configured folders.
    pub keystores: Vec<PathBuf>,
    pub now: OffsetDateTime,
    /// The language the page asked for ("kk", "ru", "en", NCALayer's "kz"); None: the user's.
    pub locale: Option<String>,
}

/// A certificate the request accepts, found in an unlocked keystore.
#[derive(Debug)]
pub struct Candidate {
    pub entry: Entry,
    /// False for an expired certificate the request does not allow: shown, not pickable.
    pub selectable: bool,
}

impl KeyRequest {
    /// Opens a keystore and keeps the entries this request accepts.
    pub fn unlock(&self, path: &Path, password: &str) -> Result<Vec<Candidate>, Error> {
        let opened = keystore::open(path, password)?;
        Ok(opened
            .entries
            .into_iter()
            .filter(|entry| self.filter.matches(&entry.certificate))
            .map(|entry| Candidate {
                selectable: self.filter.selectable(&entry.certificate, self.now),
                entry,
            })
            .collect())
    }
}

/// Why a prompt returned no key.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("cancelled by the user")]
    Cancelled,
    #[error("wrong password, {PASSWORD_TRIES} times")]
    WrongPassword,
    #[error("no certificate matches the request")]
    NoMatchingCertificate,
    #[error(transparent)]
    Keystore(Error),
}

impl PromptError {
    /// The protocol's view of the failure.
    pub fn failure(&self) -> Failure {
        match self {
            PromptError::Cancelled => Failure::Cancelled,
            PromptError::WrongPassword => Failure::WrongPassword,
            PromptError::NoMatchingCertificate | PromptError::Keystore(_) => {
                Failure::NoMatchingCertificate
            }
        }
    }
}

/// The dialogs the server needs; GUI, terminal and scripted implementations.
pub trait Prompt: Send + Sync + 'static {
    /// Asks whether `origin` may use the signing keys, in the page's `locale` where it can.
    fn approve<'a>(&'a self, origin: &'a str, locale: Option<&'a str>) -> BoxFuture<'a, Approval>;
    /// Lets the user pick a keystore and certificate and type the password.
    fn choose_key<'a>(
        &'a self,
        request: &'a KeyRequest,
    ) -> BoxFuture<'a, Result<Entry, PromptError>>;
}

/// Owner, IIN, BIN, purpose and validity on one line, as lists show a certificate.
pub fn summary(candidate: &Candidate, now: OffsetDateTime) -> String {
    let info = &candidate.entry.certificate.info;
    let owner = info
        .full_name
        .clone()
        .or_else(|| info.subject_cn.clone())
        .unwrap_or_else(|| "(no name)".into());
    let mut line = owner;
    if let Some(iin) = &info.iin {
        line.push_str(&format!(", IIN {iin}"));
    }
    if let Some(bin) = &info.bin {
        line.push_str(&format!(", BIN {bin}"));
    }
    line.push_str(&format!(
        ", {:?}, valid {} to {}",
        info.purpose,
        crate::cert::format_date(info.not_before),
        crate::cert::format_date(info.not_after)
    ));
    if !candidate.selectable {
        let state = if candidate.entry.certificate.is_expired_at(now) {
            "expired"
        } else {
            "not valid now"
        };
        line.push_str(&format!(" ({state}, cannot be used)"));
    }
    line
}
