//! Windows: "remember the password" keeps it in the Credential Manager through keyring's
//! Windows backend. `make windows` runs this under Wine, which implements the Cred* API.
#![cfg(windows)]

use std::path::Path;

use qoltanba_app::secrets::{keystore_account, KeyringSecrets, Secrets};

#[test]
fn the_credential_manager_keeps_a_keystore_password_until_it_is_forgotten() {
    let account = keystore_account(Path::new(r"C:\Users\test\Documents\AUTH_RSA256.p12"));
    let secrets = KeyringSecrets;
    secrets.delete(&account).expect("start clean");
    assert!(secrets.get(&account).expect("read").is_none());

    secrets.set(&account, "Qwerty12").expect("remember");
    let store = keyring_core::get_default_store().expect("a store is in use");
    assert!(
        store.vendor().starts_with("Windows Credential Manager"),
        "{}",
        store.vendor()
    );
    let kept = secrets.get(&account).expect("read");
    assert_eq!(kept.as_deref().map(String::as_str), Some("Qwerty12"));

    secrets.delete(&account).expect("forget");
    assert!(secrets.get(&account).expect("read").is_none());
}
