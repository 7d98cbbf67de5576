//! The native JSON-RPC API: origin-bound login, register, sign, keystores, error reasons.

use std::time::Duration;

use futures_util::SinkExt;
use qoltanba::prompt::scripted::{Event, KeyAnswer};
use qoltanba::server::Config;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

fn rpc(id: u64, method: &str, params: serde_json::Value) -> serde_json::Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn challenge() -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..48u8)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    use base64::Engine;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
    (bytes, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn version_reports_version_protocol_and_features() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask(&mut ws, &rpc(1, "qoltanba.version", json!({})).to_string()).await;
    assert_eq!(
        reply,
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"result":{{"version":"{}","protocol":2,"features":["login","register","sign","keystores","ncalayer"]}}}}"#,
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_signature_verifies_only_with_the_connection_origin() {
    in_process_only!("its scripted user picks another keystore");
    let server = start(Setup {
        key: key("individual_auth.p12"),
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let (bytes, text) = challenge();
    let reply = ask_json(
        &mut ws,
        &rpc(2, "qoltanba.login", json!({"challenge": text})),
    )
    .await;
    let result = &reply["result"];
    assert_eq!(result["format"], "qoltanba-login:2", "{reply}");
    assert_eq!(result["action"], "login", "{reply}");
    assert_eq!(result["algorithm"], "RS256");
    let certificate = unb64(result["certificate"].as_str().expect("cert"));
    let signature = unb64url(result["signature"].as_str().expect("sig"));
    // docs/PROTOCOL.md: label, action, then SHA-256(origin) ‖ SHA-256(challenge).
    let message = |origin: &str| {
        let mut m = b"qoltanba-login:2\0login\0".to_vec();
        m.extend_from_slice(&Sha256::digest(origin.as_bytes()));
        m.extend_from_slice(&Sha256::digest(&bytes));
        m
    };
    let dir = tempfile::tempdir().expect("dir");
    assert!(openssl_verify_raw(
        dir.path(),
        &certificate,
        &message(ORIGIN),
        &signature
    ));
    assert!(!openssl_verify_raw(
        dir.path(),
        &certificate,
        &message("https://evil.example"),
        &signature
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn login_refuses_a_short_challenge_without_prompting() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &rpc(3, "qoltanba.login", json!({"challenge": "AAAA"})),
    )
    .await;
    assert_eq!(reply["error"]["data"]["reason"], "bad_request");
    assert!(server.prompt.events().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn register_signs_the_canonical_json_of_challenge_email_entity_origin() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let (_, text) = challenge();
    let reply = ask_json(
        &mut ws,
        &rpc(
            4,
            "qoltanba.register",
            json!({"challenge": text, "email": "a@b.kz", "entity": "individual"}),
        ),
    )
    .await;
    let result = &reply["result"];
    assert_eq!(result["format"], "qoltanba-register:2", "{reply}");
    let payload = result["payload"].as_str().expect("payload");
    assert_eq!(
        payload,
        format!(
            r#"{{"challenge":"{text}","email":"a@b.kz","entity":"individual","origin":"{ORIGIN}"}}"#
        )
    );
    let certificate = unb64(result["certificate"].as_str().expect("cert"));
    let signature = unb64url(result["signature"].as_str().expect("sig"));
    let dir = tempfile::tempdir().expect("dir");
    let signed = [b"qoltanba-register:2\0".as_slice(), payload.as_bytes()].concat();
    assert!(openssl_verify_raw(
        dir.path(),
        &certificate,
        &signed,
        &signature
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn register_as_legal_entity_refuses_an_individual_certificate() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let (_, text) = challenge();
    let reply = ask_json(
        &mut ws,
        &rpc(
            5,
            "qoltanba.register",
            json!({"challenge": text, "email": "a@b.kz", "entity": "legal"}),
        ),
    )
    .await;
    assert_eq!(
        reply["error"]["data"]["reason"], "no_matching_certificate",
        "{reply}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_cms_raw_and_xml_verify_with_independent_tools() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let dir = tempfile::tempdir().expect("dir");
    let data = b"native sign";

    let cms = ask_json(
        &mut ws,
        &rpc(
            6,
            "qoltanba.sign",
            json!({"format": "cms", "data": b64(data), "detached": true, "purpose": "sign"}),
        ),
    )
    .await;
    let der = unb64(cms["result"]["signature"].as_str().expect("cms"));
    let (ok, _, log) = openssl_cms_verify(dir.path(), &der, false, Some(data));
    assert!(ok, "openssl: {log}");

    let raw = ask_json(
        &mut ws,
        &rpc(
            7,
            "qoltanba.sign",
            json!({"format": "raw", "data": b64(data)}),
        ),
    )
    .await;
    let certificate = unb64(raw["result"]["certificate"].as_str().expect("cert"));
    let signature = unb64(raw["result"]["signature"].as_str().expect("sig"));
    assert!(openssl_verify_raw(
        dir.path(),
        &certificate,
        data,
        &signature
    ));

    let xml = ask_json(
        &mut ws,
        &rpc(
            8,
            "qoltanba.sign",
            json!({"format": "xml", "data": "<doc><v>1</v></doc>"}),
        ),
    )
    .await;
    let (ok, log) = xmlsec_verify(
        dir.path(),
        xml["result"]["signature"].as_str().expect("xml"),
    );
    assert!(ok, "xmlsec1: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn keystores_lists_display_names_never_paths() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask(
        &mut ws,
        &rpc(9, "qoltanba.keystores", json!({})).to_string(),
    )
    .await;
    assert!(
        !reply.contains(keystores_dir().to_str().expect("path")),
        "{reply}"
    );
    let value: serde_json::Value = serde_json::from_str(&reply).expect("json");
    let list = value["result"].as_array().expect("array");
    assert!(list.iter().any(|k| k["name"] == "individual_auth.p12"));
    assert!(list
        .iter()
        .all(|k| !k["name"].as_str().unwrap_or("/").contains('/')));
    assert!(list.iter().all(|k| k["modified"].is_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_is_error_with_reason_cancelled() {
    in_process_only!("its scripted user cancels");
    let server = start(Setup {
        key: KeyAnswer::Cancel,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let (_, text) = challenge();
    let reply = ask(
        &mut ws,
        &rpc(10, "qoltanba.login", json!({"challenge": text})).to_string(),
    )
    .await;
    assert_eq!(
        reply,
        r#"{"jsonrpc":"2.0","id":10,"error":{"code":-32001,"message":"The user cancelled","data":{"reason":"cancelled"}}}"#
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn three_wrong_passwords_give_wrong_password_and_a_fourth_is_not_tried() {
    in_process_only!("its scripted user types wrong passwords");
    let server = start(Setup {
        key: KeyAnswer::Use {
            keystore: "individual_sign.p12".into(),
            passwords: vec!["a".into(), "b".into(), "c".into(), PASSWORD.into()],
            index: 0,
        },
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &rpc(
            11,
            "qoltanba.sign",
            json!({"format": "raw", "data": "AAAA"}),
        ),
    )
    .await;
    assert_eq!(
        reply["error"]["data"]["reason"], "wrong_password",
        "{reply}"
    );
    let wrong = server
        .prompt
        .events()
        .iter()
        .filter(|e| **e == Event::WrongPassword)
        .count();
    assert_eq!(wrong, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_then_right_password_signs() {
    in_process_only!("its scripted user types a wrong password first");
    let server = start(Setup {
        key: KeyAnswer::Use {
            keystore: "individual_sign_legacy.p12".into(),
            passwords: vec!["wrong".into(), PASSWORD.into()],
            index: 0,
        },
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &rpc(
            12,
            "qoltanba.sign",
            json!({"format": "raw", "data": "AAAA"}),
        ),
    )
    .await;
    assert!(reply["result"]["signature"].is_string(), "{reply}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unanswered_prompt_times_out_with_reason_timeout() {
    in_process_only!("needs a short prompt timeout");
    let server = start(Setup {
        key: KeyAnswer::Hang,
        config: Config {
            keystore_dirs: vec![keystores_dir()],
            prompt_timeout: Duration::from_millis(300),
            tsa: Some(local_tsa()),
            ..Config::default()
        },
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &rpc(
            13,
            "qoltanba.sign",
            json!({"format": "raw", "data": "AAAA"}),
        ),
    )
    .await;
    assert_eq!(reply["error"]["data"]["reason"], "timeout", "{reply}");
    assert!(server.prompt.events().contains(&Event::Cancelled));
}

#[tokio::test(flavor = "multi_thread")]
async fn unsupported_ec_key_is_reported_as_unsupported_key() {
    in_process_only!("its scripted user picks an EC keystore");
    let server = start(Setup {
        key: key("ec_p256_auth.p12"),
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let (_, text) = challenge();
    let reply = ask_json(
        &mut ws,
        &rpc(14, "qoltanba.login", json!({"challenge": text})),
    )
    .await;
    assert_eq!(
        reply["error"]["data"]["reason"], "unsupported_key",
        "{reply}"
    );
}

/// The reply's CMS verifies with openssl over `data` (given beside it when detached).
fn assert_cms_verifies(reply: &serde_json::Value, data: &[u8], detached: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let der = unb64(reply["result"]["signature"].as_str().expect("cms"));
    let (ok, out, log) = openssl_cms_verify(dir.path(), &der, false, detached.then_some(data));
    assert!(ok, "openssl (detached {detached}): {log}");
    assert_eq!(out, data);
}

/// Several megabytes: the document crosses many decode chunks and waits in its frame.
fn large_document() -> Vec<u8> {
    (0..3_000_005u32).map(|i| (i % 253) as u8).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_document_signs_detached_and_attached_and_verifies_with_openssl() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let data = large_document();
    for (id, detached) in [(8, true), (9, false)] {
        let reply = ask_json(
            &mut ws,
            &rpc(
                id,
                "qoltanba.sign",
                json!({"format": "cms", "data": b64(&data), "detached": detached}),
            ),
        )
        .await;
        assert_cms_verifies(&reply, &data, detached);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_detached_signature_does_not_verify_a_changed_document() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut data = large_document();
    let reply = ask_json(
        &mut ws,
        &rpc(
            10,
            "qoltanba.sign",
            json!({"format": "cms", "data": b64(&data), "detached": true}),
        ),
    )
    .await;
    let der = unb64(reply["result"]["signature"].as_str().expect("cms"));
    data[2_500_000] ^= 1;
    let (ok, _, _) = openssl_cms_verify(dir.path(), &der, false, Some(&data));
    assert!(
        !ok,
        "one changed byte deep in the document must fail verification"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_binary_document_after_the_json_signs_detached_and_attached() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    // Raw bytes, zero bytes included: only the first zero ends the JSON.
    let mut data = large_document();
    data[0] = 0;
    for (id, detached) in [(11, true), (12, false)] {
        let request = rpc(
            id,
            "qoltanba.sign",
            json!({"format": "cms", "detached": detached}),
        );
        let reply = ask_with_document(&mut ws, &request, &data).await;
        assert_cms_verifies(&reply, &data, detached);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_binary_document_signs_raw() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let dir = tempfile::tempdir().expect("dir");
    let data = b"raw bytes \x00\xff to sign";
    let request = rpc(13, "qoltanba.sign", json!({"format": "raw"}));
    let reply = ask_with_document(&mut ws, &request, data).await;
    let certificate = unb64(reply["result"]["certificate"].as_str().expect("cert"));
    let signature = unb64(reply["result"]["signature"].as_str().expect("sig"));
    assert!(openssl_verify_raw(
        dir.path(),
        &certificate,
        data,
        &signature
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_binary_document_is_refused_where_it_does_not_belong() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let cases = [
        rpc(
            14,
            "qoltanba.sign",
            json!({"format": "cms", "data": b64(b"twice")}),
        ),
        rpc(15, "qoltanba.sign", json!({"format": "xml"})),
        rpc(16, "qoltanba.version", json!({})),
    ];
    for request in cases {
        let reply = ask_with_document(&mut ws, &request, b"document").await;
        assert_eq!(reply["error"]["code"], -32602, "{request}: {reply}");
        assert_eq!(reply["error"]["data"]["reason"], "bad_request", "{reply}");
    }
    let version = ask_json(&mut ws, &rpc(17, "qoltanba.version", json!({}))).await;
    assert!(version["result"].is_object(), "still answers: {version}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_sent_as_a_binary_frame_without_a_document_still_works() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let request = rpc(18, "qoltanba.version", json!({}));
    ws.send(Message::binary(request.to_string().into_bytes()))
        .await
        .expect("send");
    let reply: serde_json::Value = serde_json::from_str(&next_text(&mut ws).await).expect("json");
    assert!(reply["result"].is_object(), "{reply}");
}
