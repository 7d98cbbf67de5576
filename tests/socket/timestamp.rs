//! Timestamped signatures over the socket: ncalayer-js-client's presets, NCALayer's
//! createCMSSignatureFromBase64 and native `timestamp: true` come back as CAdES-T stamped by
//! the local openssl TSA; with the TSA down the page gets an error, never an unstamped CMS.

use qoltanba::prompt::scripted::Event;
use qoltanba::protocol::{Task, Tsa};
use qoltanba::server::Config;
use qoltanba::timestamp::cades::{signature_timestamps, signer_signature};
use qoltanba::timestamp::TsaSettings;
use serde_json::json;

use crate::common::*;
use crate::openssl_tsa::{certs_test, OpensslTsa};

fn basics(data: &[u8], signing_params: serde_json::Value) -> serde_json::Value {
    json!({
        "module": "kz.gov.pki.knca.basics",
        "method": "sign",
        "args": {
            "allowedStorages": ["PKCS12"],
            "format": "cms",
            "data": b64(data),
            "signingParams": signing_params,
            "signerParams": {"extKeyUsageOids": []},
            "locale": "ru"
        }
    })
}

/// The PEM CMS of a basics reply, as DER.
fn der_of(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    unb64(&body)
}

/// `openssl ts -verify` of the CMS's signature timestamp against the test PKI.
fn token_verifies_with_openssl(cms: &[u8]) -> (bool, String) {
    let tokens = signature_timestamps(cms).expect("CMS parses");
    assert_eq!(tokens.len(), 1, "one signature timestamp");
    let (_, signature) = signer_signature(cms).expect("signature");
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token.der");
    let data = dir.path().join("signature.bin");
    std::fs::write(&token, &tokens[0]).expect("write");
    std::fs::write(&data, &signature).expect("write");
    let ca = certs_test().join("ca");
    run(
        "openssl",
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            path_str(&token),
            "-data",
            path_str(&data),
            "-CAfile",
            path_str(&ca.join("root.pem")),
            "-untrusted",
            path_str(&ca.join("intermediate.pem")),
        ],
    )
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn ncalayer_js_client_presets_come_back_as_cades_t_from_the_local_tsa() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let data = b"portal document";
    // basicsCMSParamsDetached, basicsCMSParamsAttached, basicsCMSParamsDetachedHash.
    let presets = [
        (
            json!({"decode": true, "encapsulate": false, "digested": false, "tsaProfile": {}}),
            data.to_vec(),
            Some(&data[..]),
        ),
        (
            json!({"decode": true, "encapsulate": true, "digested": false, "tsaProfile": {}}),
            data.to_vec(),
            None,
        ),
        (
            json!({"decode": true, "encapsulate": false, "digested": true, "tsaProfile": {}}),
            sha256(data),
            Some(&data[..]),
        ),
    ];
    let dir = tempfile::tempdir().expect("dir");
    for (params, sent, detached) in presets {
        let reply = ask_json(&mut ws, &basics(&sent, params.clone())).await;
        assert_eq!(reply["status"], true, "{params}: {reply}");
        let pem = reply["body"]["result"][0].as_str().expect("one PEM");
        let (ok, content, log) = openssl_cms_verify(dir.path(), pem.as_bytes(), true, detached);
        assert!(ok, "{params}: openssl cms: {log}");
        assert_eq!(content, data);
        let (ok, log) = token_verifies_with_openssl(&der_of(pem));
        assert!(ok, "{params}: openssl ts: {log}");
    }
    if external_port().is_some() {
        return; // the external server's prompt is its own: what it showed is not recorded here
    }
    let tasks: Vec<Task> = server
        .prompt
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Key { task, .. } => Some(task),
            _ => None,
        })
        .collect();
    assert_eq!(tasks.len(), 3);
    for task in tasks {
        assert!(
            task.to_string().contains(", timestamped by 127.0.0.1:"),
            "the prompt names the TSA: {task}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_tsa_profile_basics_sign_adds_no_timestamp() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(&mut ws, &basics(b"x", json!({"decode": true}))).await;
    let pem = reply["body"]["result"][0].as_str().expect("PEM");
    assert_eq!(
        signature_timestamps(&der_of(pem)).expect("CMS"),
        Vec::<Vec<u8>>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_cms_signature_from_base64_timestamps_and_create_cades_does_not() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let mut counts = Vec::new();
    for method in ["createCMSSignatureFromBase64", "createCAdESFromBase64"] {
        let request = json!({"module": "kz.gov.pki.knca.commonUtils", "method": method,
            "args": ["PKCS12", "SIGNATURE", b64(b"doc"), true]});
        let reply = ask_json(&mut ws, &request).await;
        assert_eq!(reply["code"], "200", "{reply}");
        let cms = unb64(reply["responseObject"].as_str().expect("b64"));
        counts.push(signature_timestamps(&cms).expect("CMS").len());
        if method == "createCMSSignatureFromBase64" {
            let (ok, log) = token_verifies_with_openssl(&cms);
            assert!(ok, "openssl ts: {log}");
        }
    }
    assert_eq!(counts, [1, 0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn native_sign_with_timestamp_true_returns_cades_t() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.sign",
        "params": {"format": "cms", "data": b64(b"native"), "timestamp": true}});
    let reply = ask_json(&mut ws, &request).await;
    let cms = unb64(reply["result"]["signature"].as_str().expect("signature"));
    let (ok, log) = token_verifies_with_openssl(&cms);
    assert!(ok, "openssl ts: {log}");
}

fn tsa_down() -> Setup {
    Setup {
        config: Config {
            keystore_dirs: vec![keystores_dir()],
            tsa: Some(Tsa::http(TsaSettings {
                url: OpensslTsa::down_url(),
                policy: None,
            })),
            ..Config::default()
        },
        ..Setup::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_tsa_down_every_api_answers_with_its_timestamp_error() {
    in_process_only!("the server must ask a TSA that is down; the external one asks the suite's");
    let server = start(tsa_down()).await;
    let mut ws = connect(&server).await;

    let reply = ask_json(
        &mut ws,
        &basics(b"x", json!({"decode": true, "tsaProfile": {}})),
    )
    .await;
    assert_eq!(reply["status"], false, "{reply}");
    assert_eq!(reply["code"], "TSA_UNAVAILABLE", "{reply}");
    assert!(reply.get("body").is_none(), "no signature: {reply}");

    let request = json!({"module": "kz.gov.pki.knca.commonUtils",
        "method": "createCMSSignatureFromBase64", "args": ["PKCS12", "SIGNATURE", b64(b"x"), true]});
    let reply = ask_json(&mut ws, &request).await;
    assert_eq!(reply["code"], "500", "{reply}");
    let message = reply["message"].as_str().expect("message");
    assert!(message.starts_with("TSA_UNAVAILABLE: "), "{message}");

    let request = json!({"jsonrpc": "2.0", "id": 7, "method": "qoltanba.sign",
        "params": {"format": "cms", "data": b64(b"x"), "timestamp": true}});
    let reply = ask_json(&mut ws, &request).await;
    assert_eq!(
        reply["error"]["data"]["reason"], "timestamp_failed",
        "{reply}"
    );
    assert!(reply.get("result").is_none(), "{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_cades_t_stamps_the_users_own_cms_and_refuses_another_signers() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let common = |method: &str, args: serde_json::Value| json!({"module": "kz.gov.pki.knca.commonUtils", "method": method, "args": args});
    let reply = ask_json(
        &mut ws,
        &common(
            "createCAdESFromBase64",
            json!(["PKCS12", "SIGNATURE", b64(b"doc"), true]),
        ),
    )
    .await;
    let plain = reply["responseObject"].as_str().expect("CMS").to_string();
    let reply = ask_json(
        &mut ws,
        &common("applyCAdEST", json!(["PKCS12", "SIGNATURE", plain])),
    )
    .await;
    assert_eq!(reply["code"], "200", "{reply}");
    let stamped = unb64(reply["responseObject"].as_str().expect("CMS"));
    let (ok, log) = token_verifies_with_openssl(&stamped);
    assert!(ok, "openssl ts: {log}");
    let dir = tempfile::tempdir().expect("dir");
    let (ok, content, log) = openssl_cms_verify(dir.path(), &stamped, false, None);
    assert!(ok, "openssl cms: {log}");
    assert_eq!(content, b"doc");

    // Someone else's signature: the user's key did not make it, nothing is stamped.
    let other = qoltanba::keystore::open(&keystores_dir().join("legal_ceo_sign.p12"), PASSWORD)
        .expect("keystore")
        .entries
        .remove(0);
    let signer = qoltanba::sign::EntrySigner::new(&other, Default::default()).expect("signer");
    let foreign = qoltanba::sign::cms::sign_cms(&signer, b"x", false, std::time::SystemTime::now())
        .expect("CMS");
    let reply = ask_json(
        &mut ws,
        &common("applyCAdEST", json!(["PKCS12", "SIGNATURE", b64(&foreign)])),
    )
    .await;
    assert_eq!(reply["code"], "500", "{reply}");
    assert_eq!(
        reply["message"],
        "The chosen key did not make this signature"
    );
}
