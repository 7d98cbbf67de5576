//! The attack of issue 12: a site the user approved (`https://evil.example`) fetches a real
//! portal's challenge and calls every method a page can call, trying to get bytes that
//! `qoltanba-verify` accepts as a login, password-change or registration token for the portal.
//! Each attempt runs through the core's real request handlers with the user's real key; every
//! signature the attacker receives is then tried as a token, and every one is refused. The same
//! key through the portal's own origin logs in (the control).

#[path = "../verify/tests/common/mod.rs"]
mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use qoltanba::keystore::{self, Entry};
use qoltanba::protocol::{route, Context, Frame, Outcome, Signing};
use qoltanba::sign::{EntrySigner, RawSigner, SignOptions};
use qoltanba_core::token::{self, Action};
use qoltanba_verify::{TrustStore, Verifier};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

const PORTAL: &str = "https://portal.test";
const EVIL: &str = "https://evil.example";

/// One keystore entry, the portal trust that accepts it, and a moment it is valid.
struct User {
    entry: Entry,
    trust: TrustStore,
    at: OffsetDateTime,
}

impl User {
    fn test_pki(name: &str) -> User {
        let entry = common::entry(name);
        let at = OffsetDateTime::now_utc().max(entry.certificate.info.not_before);
        User {
            entry,
            trust: common::trust(),
            at,
        }
    }

    /// NCA's GOST 2015 test keystore, signed inside its year of validity.
    fn nca_gost() -> Option<User> {
        let dir = common::nca_fixtures()?;
        let mut store =
            keystore::open(&dir.join("keystores/GOST512_individual.p12"), "Qwerty12").unwrap();
        let entry = store.entries.remove(0);
        let at = entry.certificate.info.not_before + time::Duration::days(1);
        let mut trust = TrustStore::new();
        trust
            .add_ca_file(dir.join("ca/root_test_gost_2022.crt"))
            .unwrap();
        trust
            .add_ca_file(dir.join("ca/nca_gost2022_test.crt"))
            .unwrap();
        Some(User { entry, trust, at })
    }

    fn algorithm(&self) -> &'static str {
        EntrySigner::new(
            &self.entry,
            SignOptions {
                now: self.at,
                allow_expired: false,
            },
        )
        .unwrap()
        .algorithm()
        .token_name()
    }

    /// What a page on `origin` gets back for `request` when the user picks this key, or None
    /// when the request does not accept this certificate.
    fn ask(&self, origin: &str, request: &Value) -> Option<String> {
        let context = Context {
            origin: origin.to_string(),
        };
        match route(&Frame::text(request.to_string()), &context) {
            Outcome::Reply(reply) => Some(reply),
            Outcome::Key(job) => job.filter.matches(&self.entry.certificate).then(|| {
                let system_time = std::time::SystemTime::UNIX_EPOCH
                    + std::time::Duration::from_secs(self.at.unix_timestamp() as u64);
                (job.sign)(
                    &self.entry,
                    Signing {
                        now: self.at,
                        system_time,
                    },
                )
            }),
            _ => None,
        }
    }
}

/// The bytes an attacker would like signed: every token message for the portal, version 1's
/// unlabelled one, and the bare registration payload.
fn wanted_messages(challenge: &str) -> Vec<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(challenge).unwrap();
    let mut v1 = Sha256::digest(PORTAL.as_bytes()).to_vec();
    v1.extend_from_slice(&Sha256::digest(&bytes));
    let payload = register_payload(challenge);
    vec![
        token::login_message(Action::Login, PORTAL, &bytes),
        token::login_message(Action::ChangePassword, PORTAL, &bytes),
        token::register_message(&payload),
        v1,
        payload.into_bytes(),
    ]
}

fn register_payload(challenge: &str) -> String {
    serde_jcs::to_string(&json!({
        "challenge": challenge, "email": "attacker@evil.example",
        "entity": "individual", "origin": PORTAL,
    }))
    .unwrap()
}

fn rpc(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
}

fn common_utils(method: &str, args: Value) -> Value {
    json!({"module": "kz.gov.pki.knca.commonUtils", "method": method, "args": args})
}

fn basics_sign(format: &str, data: Value, digested: bool) -> Value {
    json!({"module": "kz.gov.pki.knca.basics", "method": "sign", "args": {
        "allowedStorages": ["PKCS12"], "format": format, "data": data,
        "signingParams": {"decode": true, "encapsulate": !digested, "digested": digested},
        "signerParams": {"extKeyUsageOids": [], "chain": []}, "locale": "en"}})
}

/// Every request a page can send to have `message` signed, in every format and purpose.
fn attacks(message: &[u8], user: &User) -> Vec<(String, Value)> {
    let data = STANDARD.encode(message);
    let hash = match user.algorithm() {
        "GOST512" => qoltanba::gost::streebog512(message).to_vec(),
        _ => Sha256::digest(message).to_vec(),
    };
    let hash = STANDARD.encode(hash);
    let xml = format!("<a>{data}</a>");
    let mut list = Vec::new();
    for purpose in ["auth", "sign"] {
        for format in ["raw", "cms"] {
            for detached in [false, true] {
                list.push(rpc(
                    "qoltanba.sign",
                    json!({"format": format, "data": data, "purpose": purpose, "detached": detached}),
                ));
            }
        }
        list.push(rpc(
            "qoltanba.sign",
            json!({"format": "xml", "data": xml, "purpose": purpose}),
        ));
    }
    for key_type in ["AUTHENTICATION", "SIGNATURE", ""] {
        for attached in [false, true] {
            for method in ["createCMSSignatureFromBase64", "createCAdESFromBase64"] {
                list.push(common_utils(
                    method,
                    json!(["PKCS12", key_type, data, attached]),
                ));
            }
        }
        list.push(common_utils(
            "createCAdESFromBase64Hash",
            json!(["PKCS12", key_type, hash]),
        ));
        list.push(common_utils(
            "signXml",
            json!(["PKCS12", key_type, xml, "", ""]),
        ));
        list.push(common_utils(
            "signXmls",
            json!(["PKCS12", key_type, [xml], "", ""]),
        ));
    }
    list.push(basics_sign("cms", json!(data), false));
    list.push(basics_sign("cms", json!(hash), true));
    list.push(basics_sign("xml", json!(xml), false));
    list.into_iter()
        .map(|request| (request.to_string(), request))
        .collect()
}

/// Every signature value a reply carries: raw signatures, CMS signer infos, XML SignatureValues.
fn signatures_in(reply: &str) -> Vec<Vec<u8>> {
    let mut strings = Vec::new();
    collect_strings(
        &serde_json::from_str(reply).unwrap_or(Value::Null),
        &mut strings,
    );
    let mut found = Vec::new();
    for text in strings {
        let pem_body: String = text
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        if let Ok(bytes) = STANDARD
            .decode(pem_body.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(pem_body.trim()))
        {
            found.extend(cms_signatures(&bytes));
            found.push(bytes);
        }
        for part in text.split("SignatureValue>").skip(1).step_by(2) {
            let value: String = part
                .split('<')
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            found.extend(STANDARD.decode(value));
        }
    }
    found.retain(|bytes| bytes.len() == 128 || bytes.len() == 256);
    found
}

fn collect_strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

fn cms_signatures(der: &[u8]) -> Vec<Vec<u8>> {
    let Ok(info) = ContentInfo::from_der(der) else {
        return Vec::new();
    };
    let Ok(signed) = info.content.to_der().and_then(|d| SignedData::from_der(&d)) else {
        return Vec::new();
    };
    signed
        .signer_infos
        .0
        .iter()
        .map(|signer| signer.signature.as_bytes().to_vec())
        .collect()
}

/// Wraps `signature` as every token the portal accepts and checks that none verifies.
fn assert_no_token_verifies(user: &User, verifier: &Verifier, challenge: &str, signature: &[u8]) {
    let certificate = STANDARD.encode(&user.entry.certificate.der);
    let algorithm = user.algorithm();
    let signature = URL_SAFE_NO_PAD.encode(signature);
    for format in ["qoltanba-login:2", "qoltanba-login:1"] {
        for action in ["login", "change-password"] {
            let reply = json!({"format": format, "action": action, "algorithm": algorithm,
                               "certificate": certificate, "signature": signature})
            .to_string();
            assert!(verifier.check_login(&reply, challenge, user.at).is_err());
            assert!(verifier
                .check_change_password(&reply, challenge, user.at)
                .is_err());
        }
    }
    for format in ["qoltanba-register:2", "qoltanba-register:1"] {
        let reply = json!({"format": format, "algorithm": algorithm, "certificate": certificate,
                           "payload": register_payload(challenge), "signature": signature})
        .to_string();
        assert!(verifier.check_register(&reply, challenge, user.at).is_err());
    }
}

/// The whole attack for one user; returns how many signatures the attacker obtained.
fn approved_foreign_origin_cannot_forge_a_portal_token(user: &User) -> usize {
    let verifier = Verifier::new(PORTAL, user.trust.clone());
    let challenge = URL_SAFE_NO_PAD.encode([7u8; 32]);
    let mut obtained = 0;
    for message in wanted_messages(&challenge) {
        for (what, request) in attacks(&message, user) {
            let Some(reply) = user.ask(EVIL, &request) else {
                continue;
            };
            if token::is_reserved(&message) && what.contains("\"raw\"") {
                assert!(reply.contains("bad_request"), "{what}: {reply}");
                assert!(reply.contains("reserved"), "{what}: {reply}");
            }
            for signature in signatures_in(&reply) {
                obtained += 1;
                assert_no_token_verifies(user, &verifier, &challenge, &signature);
            }
        }
    }
    // The attacker's own origin-bound methods: tokens for evil.example, replayed to the portal.
    for action in ["login", "change-password"] {
        let request = rpc(
            "qoltanba.login",
            json!({"challenge": challenge, "action": action}),
        );
        if let Some(reply) = user.ask(EVIL, &request) {
            let result = serde_json::from_str::<Value>(&reply).unwrap()["result"].to_string();
            if result != "null" {
                obtained += 1;
                assert!(verifier.check_login(&result, &challenge, user.at).is_err());
                assert!(verifier
                    .check_change_password(&result, &challenge, user.at)
                    .is_err());
            }
        }
    }
    let register = rpc(
        "qoltanba.register",
        json!({"challenge": challenge, "email": "attacker@evil.example", "entity": "individual"}),
    );
    if let Some(reply) = user.ask(EVIL, &register) {
        let result = serde_json::from_str::<Value>(&reply).unwrap()["result"].clone();
        if let Some(signature) = result["signature"].as_str() {
            obtained += 1;
            assert!(verifier
                .check_register(&result.to_string(), &challenge, user.at)
                .is_err());
            let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
            assert_no_token_verifies(user, &verifier, &challenge, &signature);
        }
    }
    obtained
}

/// The control: the same key through the portal's own origin makes a token the portal accepts.
fn real_origin_token_verifies(user: &User) {
    let verifier = Verifier::new(PORTAL, user.trust.clone());
    let challenge = URL_SAFE_NO_PAD.encode([9u8; 32]);
    let (method, params) = if user
        .entry
        .certificate
        .info
        .purpose
        .serves(qoltanba::cert::Purpose::Auth)
    {
        ("qoltanba.login", json!({"challenge": challenge}))
    } else {
        (
            "qoltanba.register",
            json!({"challenge": challenge, "email": "user@example.kz", "entity": "individual"}),
        )
    };
    let reply = user
        .ask(PORTAL, &rpc(method, params))
        .expect("the key fits");
    let result = serde_json::from_str::<Value>(&reply).unwrap()["result"].to_string();
    if method == "qoltanba.login" {
        verifier.check_login(&result, &challenge, user.at).unwrap();
    } else {
        verifier
            .check_register(&result, &challenge, user.at)
            .unwrap();
    }
}

#[test]
fn rsa_auth_key_cannot_be_used_by_a_foreign_origin_to_log_in_to_the_portal() {
    let user = User::test_pki("individual_auth");
    assert!(approved_foreign_origin_cannot_forge_a_portal_token(&user) > 10);
    real_origin_token_verifies(&user);
}

#[test]
fn rsa_sign_key_cannot_be_used_by_a_foreign_origin_to_register_at_the_portal() {
    let user = User::test_pki("individual_sign");
    assert!(approved_foreign_origin_cannot_forge_a_portal_token(&user) > 10);
    real_origin_token_verifies(&user);
}

#[test]
fn nca_gost_2015_key_cannot_be_used_by_a_foreign_origin_to_forge_any_portal_token() {
    let Some(user) = User::nca_gost() else { return };
    assert!(approved_foreign_origin_cannot_forge_a_portal_token(&user) > 10);
    real_origin_token_verifies(&user);
}

#[test]
fn raw_signing_still_signs_data_outside_the_reserved_prefix() {
    let user = User::test_pki("individual_auth");
    let request = rpc(
        "qoltanba.sign",
        json!({"format": "raw", "data": STANDARD.encode(b"qoltanba"), "purpose": "auth"}),
    );
    let reply = user.ask(EVIL, &request).expect("the key fits");
    assert_eq!(signatures_in(&reply).len(), 1, "{reply}");
}
