//! Secrets the user lets the OS keychain keep: keystore passwords.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use zeroize::Zeroizing;

/// The keychain "service" under which Qoltanba's secrets are filed.
pub const SERVICE: &str = "kz.qoltanba.app";
/// Where older versions kept the local TLS CA's private key; deleted when that CA is replaced.
pub const OLD_TLS_CA_KEY: &str = "tls-ca-key";

/// Why the keychain could not be used; the user can go on typing the password.
#[derive(Debug, thiserror::Error)]
#[error("the system keychain is not available: {0}")]
pub struct SecretsError(String);

/// A keychain: the OS one in the app, an in-memory one in tests.
pub trait Secrets: Send + Sync + 'static {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, SecretsError>;
    fn set(&self, account: &str, secret: &str) -> Result<(), SecretsError>;
    /// Deleting what is not there is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretsError>;
}

/// The account under which a keystore's password is kept.
pub fn keystore_account(path: &Path) -> String {
    format!("keystore:{}", path.display())
}

/// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
pub struct KeyringSecrets;

impl KeyringSecrets {
    fn entry(account: &str) -> Result<keyring::Entry, SecretsError> {
        keyring::Entry::new(SERVICE, account).map_err(|e| SecretsError(e.to_string()))
    }
}

impl Secrets for KeyringSecrets {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, SecretsError> {
        match Self::entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretsError(e.to_string())),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SecretsError> {
        Self::entry(account)?
            .set_password(secret)
            .map_err(|e| SecretsError(e.to_string()))
    }

    fn delete(&self, account: &str) -> Result<(), SecretsError> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretsError(e.to_string())),
        }
    }
}

/// A keychain that forgets everything on exit: tests, and `--memory-keychain`.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<String, Zeroizing<String>>>);

impl MemorySecrets {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Zeroizing<String>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Secrets for MemorySecrets {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, SecretsError> {
        Ok(self.map().get(account).cloned())
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SecretsError> {
        self.map()
            .insert(account.to_string(), Zeroizing::new(secret.to_string()));
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), SecretsError> {
        self.map().remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_mock_backend_keeps_and_forgets_a_password() {
        // The keyring crate's own mock store: the same calls the app makes, no real keychain.
        keyring_core::set_default_store(keyring_core::mock::Store::new().expect("mock store"));
        let entry = keyring_core::Entry::new(SERVICE, "keystore:/keys/AUTH.p12").expect("entry");
        entry.set_password("Qwerty12").expect("set");
        assert_eq!(entry.get_password().expect("get"), "Qwerty12");
        entry.delete_credential().expect("delete");
        assert!(matches!(
            entry.get_password(),
            Err(keyring_core::Error::NoEntry)
        ));
    }

    #[test]
    fn memory_keychain_forgets_on_delete() {
        let secrets = MemorySecrets::default();
        secrets.set("a", "secret").expect("set");
        assert_eq!(
            secrets
                .get("a")
                .expect("get")
                .as_deref()
                .map(|s| s.as_str()),
            Some("secret")
        );
        secrets.delete("a").expect("delete");
        secrets.delete("a").expect("deleting twice is fine");
        assert!(secrets.get("a").expect("get").is_none());
    }
}
