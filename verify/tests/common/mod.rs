//! Test PKI paths, a trust store like a portal's, and replies signed with the core.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use qoltanba_core::keystore::{self, Entry};
use qoltanba_core::sign::{self, EntrySigner, SignOptions};
use qoltanba_core::token::{self, Action};
use qoltanba_verify::{ChallengeStore, Clock, TrustStore, Verifier};
use time::OffsetDateTime;

pub const ORIGIN: &str = "https://portal.example.kz";
pub const PASSWORD: &str = "Qwerty12";

/// The workspace root (where certs-test/ lives), for verify's tests and the root's forgery test.
pub fn repo() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("certs-test").is_dir())
        .map_or_else(|| here.clone(), PathBuf::from)
}

pub fn test_ca(name: &str) -> PathBuf {
    repo().join("certs-test/ca").join(name)
}

/// The first entry of a test-PKI keystore.
pub fn entry(name: &str) -> Entry {
    let path = repo()
        .join("certs-test/keystores")
        .join(format!("{name}.p12"));
    let mut store = keystore::open(&path, PASSWORD).expect("test keystore opens");
    store.entries.remove(0)
}

/// The portal's trust: root and intermediate of the test PKI, no CRL.
pub fn trust() -> TrustStore {
    let mut trust = TrustStore::new();
    trust.add_ca_file(test_ca("chain.pem")).expect("chain.pem");
    trust
}

/// As `trust()`, plus the intermediate's CRL (which revokes `revoked_auth`).
pub fn trust_with_crl() -> TrustStore {
    let mut trust = trust();
    trust
        .add_crl_file(test_ca("intermediate.crl"))
        .expect("intermediate.crl");
    trust
}

pub fn verifier() -> Verifier {
    Verifier::new(ORIGIN, trust())
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct FakeClock(pub Arc<Mutex<OffsetDateTime>>);

impl FakeClock {
    pub fn new() -> Self {
        FakeClock(Arc::new(Mutex::new(OffsetDateTime::now_utc())))
    }
    pub fn advance(&self, by: time::Duration) {
        *self.0.lock().unwrap() += by;
    }
    pub fn store(&self) -> ChallengeStore {
        ChallengeStore::with_clock(Arc::new(self.clone()))
    }
}

impl Clock for FakeClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

fn signer(entry: &Entry) -> EntrySigner<'_> {
    let options = SignOptions {
        now: OffsetDateTime::now_utc(),
        allow_expired: true,
    };
    // Not-yet-valid certificates cannot sign through the core; sign as of their first day.
    let options = SignOptions {
        now: options.now.max(entry.certificate.info.not_before),
        ..options
    };
    EntrySigner::new(entry, options).expect("test key signs")
}

/// A `qoltanba.login` reply as the client makes it for signing in.
pub fn login_reply(keystore: &str, origin: &str, challenge: &str) -> String {
    action_reply(keystore, Action::Login, origin, challenge)
}

/// A `qoltanba.login` reply the user signed to change their password.
pub fn change_password_reply(keystore: &str, origin: &str, challenge: &str) -> String {
    action_reply(keystore, Action::ChangePassword, origin, challenge)
}

/// A `qoltanba-login:2` reply: RS256 over the labelled message of docs/PROTOCOL.md.
pub fn action_reply(keystore: &str, action: Action, origin: &str, challenge: &str) -> String {
    let entry = entry(keystore);
    let challenge_bytes = URL_SAFE_NO_PAD.decode(challenge).expect("challenge");
    let message = token::login_message(action, origin, &challenge_bytes);
    let signature = sign::sign_raw(&signer(&entry), &message).expect("signs");
    serde_json::json!({
        "format": "qoltanba-login:2",
        "action": action.as_str(),
        "algorithm": "RS256",
        "certificate": STANDARD.encode(&entry.certificate.der),
        "signature": URL_SAFE_NO_PAD.encode(signature),
    })
    .to_string()
}

/// The RFC 8785 payload of a registration.
pub fn register_payload(challenge: &str, email: &str, entity: &str, origin: &str) -> String {
    serde_jcs::to_string(&serde_json::json!({
        "challenge": challenge, "email": email, "entity": entity, "origin": origin,
    }))
    .expect("jcs")
}

/// A `qoltanba.register` reply whose signature covers exactly `payload`.
pub fn register_reply_with_payload(keystore: &str, payload: &str) -> String {
    let entry = entry(keystore);
    let message = token::register_message(payload);
    let signature = sign::sign_raw(&signer(&entry), &message).expect("signs");
    serde_json::json!({
        "format": "qoltanba-register:2",
        "algorithm": "RS256",
        "certificate": STANDARD.encode(&entry.certificate.der),
        "payload": payload,
        "signature": STANDARD.encode(signature),
    })
    .to_string()
}

pub fn register_reply(keystore: &str, origin: &str, challenge: &str) -> String {
    let payload = register_payload(challenge, "user@example.kz", "individual", origin);
    register_reply_with_payload(keystore, &payload)
}

/// Replaces one JSON string field of a reply.
pub fn with_field(reply: &str, field: &str, value: &str) -> String {
    let mut json: serde_json::Value = serde_json::from_str(reply).unwrap();
    json[field] = serde_json::Value::String(value.to_string());
    json.to_string()
}

/// Flips one bit of a base64 field's bytes (signature tampering).
pub fn flip_bit(reply: &str, field: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(reply).unwrap();
    let text = json[field].as_str().unwrap();
    let mut bytes = STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE_NO_PAD.decode(text))
        .unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    with_field(reply, field, &STANDARD.encode(bytes))
}

pub fn sign_xml(keystore: &str, xml: &str, layout: sign::xml::XmlLayout) -> String {
    let entry = entry(keystore);
    sign::xml::sign_enveloped(xml, &signer(&entry), layout).expect("signs XML")
}

pub fn sign_cms(keystore: &str, data: &[u8], detached: bool) -> Vec<u8> {
    let entry = entry(keystore);
    sign::cms::sign_cms(&signer(&entry), data, detached, SystemTime::now()).expect("signs CMS")
}

/// The real NCA fixtures, or None with a notice (a failure under CI).
pub fn nca_fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("QOLTANBA_NCA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/fixtures/nca"));
    if dir.join("keystores").is_dir() && dir.join("ca").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "NCA fixtures not found at {} (set QOLTANBA_NCA_FIXTURES)",
            dir.display()
        );
    }
    eprintln!(
        "NOTE: NCA fixtures not found at {}; real-NCA tests did not run",
        dir.display()
    );
    None
}
