//! Real NCA RK test keystores open and are classified as the NCA profile says.

#[path = "../../../tests/common/mod.rs"]
mod common;

use common::{nca_fixtures, PASSWORD};
use qoltanba_core::cert::{Holder, KeyAlgorithm, Purpose, Role};
use qoltanba_core::keystore::{self, PrivateKey};
use qoltanba_core::Error;

fn open(name: &str) -> Option<keystore::Keystore> {
    let dir = nca_fixtures()?;
    Some(keystore::open(&dir.join("keystores").join(name), PASSWORD).expect(name))
}

#[test]
fn every_nca_keystore_opens_with_one_entry_named_by_its_key_identifier() {
    let Some(dir) = nca_fixtures() else { return };
    let files = keystore::find(&[dir.join("keystores")], false);
    assert_eq!(files.len(), 10, "{files:?}");
    for file in files {
        let store = keystore::open(&file, PASSWORD).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        assert_eq!(store.entries.len(), 1, "{file:?}");
        let entry = &store.entries[0];
        let alias = entry.alias.as_deref().expect("NCA sets friendlyName");
        assert_eq!(
            Some(alias),
            entry.certificate.info.subject_key_id.as_deref()
        );
        let stem = file.file_stem().unwrap().to_str().unwrap();
        if !stem.starts_with("GOST512") {
            assert!(stem.ends_with(alias), "{stem} vs {alias}");
        }
    }
}

#[test]
fn rsa_auth_of_an_individual_is_classified() {
    let Some(store) = open("AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12") else {
        return;
    };
    let entry = &store.entries[0];
    let info = &entry.certificate.info;
    assert!(matches!(entry.key, PrivateKey::Rsa(_)));
    assert_eq!(info.algorithm, KeyAlgorithm::Rsa);
    assert_eq!(info.purpose, Purpose::Auth);
    assert_eq!(info.holder, Holder::Individual);
    assert_eq!(info.iin.as_deref(), Some("123456789011"));
    assert_eq!(info.bin, None);
    assert_eq!(info.surname.as_deref(), Some("ТЕСТОВ"));
    assert_eq!(info.given_name.as_deref(), Some("ТЕСТ"));
    assert_eq!(info.patronymic.as_deref(), Some("ТЕСТОВИЧ"));
    assert_eq!(info.full_name.as_deref(), Some("ТЕСТОВ ТЕСТ ТЕСТОВИЧ"));
    assert_eq!(info.key_usage, ["digitalSignature", "keyEncipherment"]);
    assert_eq!(info.policies, ["1.2.398.3.3.2.4"]);
}

#[test]
fn rsa_sign_of_an_individual_is_classified() {
    let Some(store) = open("RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12") else {
        return;
    };
    let info = &store.entries[0].certificate.info;
    assert_eq!(info.purpose, Purpose::Sign);
    assert_eq!(info.holder, Holder::Individual);
    assert_eq!(info.iin.as_deref(), Some("123456789011"));
}

#[test]
fn rsa_auth_of_a_legal_entity_ceo_is_classified() {
    let Some(store) = open("AUTH_RSA256_d682726b55b3e62600ea8fe1c74e75fc96f47790.p12") else {
        return;
    };
    let info = &store.entries[0].certificate.info;
    assert_eq!(info.purpose, Purpose::Auth);
    assert_eq!(info.holder, Holder::LegalEntity);
    assert_eq!(info.role, Some(Role::Ceo));
    assert_eq!(info.bin.as_deref(), Some("123456789021"));
    assert_eq!(info.organization.as_deref(), Some("АО \"ТЕСТ\""));
}

#[test]
fn gost_2004_key_is_recognised_and_its_certificate_shown() {
    let Some(store) = open("GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12") else {
        return;
    };
    let entry = &store.entries[0];
    assert_eq!(entry.certificate.info.algorithm, KeyAlgorithm::Gost2004);
    assert_eq!(entry.certificate.info.purpose, Purpose::Sign);
    assert_eq!(entry.certificate.info.holder, Holder::LegalEntity);
    assert!(matches!(
        &entry.key,
        PrivateKey::Unsupported(KeyAlgorithm::Gost2004)
    ));
}

#[test]
fn gost_2015_keys_serve_both_purposes() {
    let Some(individual) = open("GOST512_individual.p12") else {
        return;
    };
    let info = &individual.entries[0].certificate.info;
    assert_eq!(info.algorithm, KeyAlgorithm::Gost2015);
    assert_eq!(info.purpose, Purpose::Both);
    assert_eq!(info.holder, Holder::Individual);
    assert_eq!(info.iin.as_deref(), Some("123456789012"));
    assert!(matches!(
        &individual.entries[0].key,
        PrivateKey::Gost2015(_)
    ));

    let Some(legal) = open("GOST512_legal_ceo.p12") else {
        return;
    };
    let info = &legal.entries[0].certificate.info;
    assert_eq!(info.purpose, Purpose::Both);
    assert_eq!(info.holder, Holder::LegalEntity);
    assert_eq!(info.role, Some(Role::Ceo));
}

#[test]
fn wrong_password_on_an_nca_keystore_is_reported_as_such() {
    let Some(dir) = nca_fixtures() else { return };
    let file = dir.join("keystores/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12");
    assert!(matches!(
        keystore::open(&file, "qwerty12"),
        Err(Error::WrongPassword)
    ));
}

#[test]
fn nca_certificates_are_expired_today_and_valid_within_their_year() {
    let Some(store) = open("RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12") else {
        return;
    };
    let certificate = &store.entries[0].certificate;
    assert!(certificate.is_expired_at(time::OffsetDateTime::now_utc()));
    let inside = certificate.info.not_before + time::Duration::days(1);
    assert!(!certificate.is_expired_at(inside));
}

#[test]
fn certificate_files_next_to_keystores_match_the_keystore_certificate() {
    let Some(dir) = nca_fixtures() else { return };
    let cer = std::fs::read_to_string(
        dir.join("keystores/AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.cer"),
    )
    .unwrap();
    let Some(store) = open("AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12") else {
        return;
    };
    assert_eq!(
        store.entries[0].certificate.to_pem().trim(),
        cer.trim().replace("\r\n", "\n")
    );
}
