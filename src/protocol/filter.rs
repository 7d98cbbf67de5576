//! Which certificates a request accepts, and which of those the user may pick now.

use time::OffsetDateTime;

use crate::cert::{Certificate, Holder, Purpose, Validity};

/// The certificate constraints a page can express (keyType, signerParams, entity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFilter {
    /// `Purpose::Unknown` accepts any purpose.
    pub purpose: Purpose,
    pub iin: Option<String>,
    pub bin: Option<String>,
    /// Every listed extended key usage OID must be present.
    pub ext_key_usage_oids: Vec<String>,
    /// Lowercase hex, compared without leading zeros.
    pub serial: Option<String>,
    pub holder: Option<Holder>,
    /// Expired certificates are shown either way; this makes them selectable.
    pub allow_expired: bool,
}

impl KeyFilter {
    /// Accepts any certificate of `purpose`.
    pub fn for_purpose(purpose: Purpose) -> Self {
        KeyFilter {
            purpose,
            iin: None,
            bin: None,
            ext_key_usage_oids: Vec::new(),
            serial: None,
            holder: None,
            allow_expired: false,
        }
    }

    /// True when the certificate is one the request asks for (valid or not).
    pub fn matches(&self, certificate: &Certificate) -> bool {
        let info = &certificate.info;
        let same = |wanted: &Option<String>, have: &Option<String>| match wanted {
            Some(w) => have.as_deref() == Some(w.as_str()),
            None => true,
        };
        !info.is_ca
            && info.purpose.serves(self.purpose)
            && same(&self.iin, &info.iin)
            && same(&self.bin, &info.bin)
            && self
                .ext_key_usage_oids
                .iter()
                .all(|oid| info.ext_key_usage.iter().any(|have| have == oid))
            && self
                .serial
                .as_ref()
                .is_none_or(|s| trim_serial(s) == trim_serial(&info.serial))
            && self.holder.is_none_or(|h| h == info.holder)
    }

    /// True when a matching certificate may be used now (expired only if allowed).
    pub fn selectable(&self, certificate: &Certificate, now: OffsetDateTime) -> bool {
        match certificate.validity_at(now) {
            Validity::Valid => true,
            Validity::Expired => self.allow_expired,
            Validity::NotYetValid => false,
        }
    }
}

fn trim_serial(serial: &str) -> String {
    serial.trim_start_matches('0').to_ascii_lowercase()
}
