//! Malformed requests, modelled on NCALayer's own error behaviour: each gets its documented
//! error, no prompt is shown, and the connection keeps answering.

use serde_json::json;

use crate::common::*;

const CU: &str = "kz.gov.pki.knca.commonUtils";

/// The expected reply: whole, or its beginning where it quotes a parser's message.
enum Expect {
    Exact(String),
    Prefix(String),
}

fn cu(method: serde_json::Value, args: serde_json::Value) -> String {
    json!({"module": CU, "method": method, "args": args}).to_string()
}

fn mismatch(method: &str) -> Expect {
    Expect::Exact(format!(
        r#"{{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch. Method: {method}"}}"#
    ))
}

fn not_found(method: &str) -> Expect {
    Expect::Exact(format!(
        r#"{{"code":"500","message":"Method not found: {method}"}}"#
    ))
}

fn message(text: &str) -> Expect {
    Expect::Exact(format!(r#"{{"code":"500","message":"{text}"}}"#))
}

fn invalid_xml() -> Expect {
    Expect::Prefix(r#"{"code":"500","message":"Invalid XML: "#.into())
}

fn basics(args: serde_json::Value) -> String {
    json!({"module": "kz.gov.pki.knca.basics", "method": "sign", "args": args}).to_string()
}

fn basics_invalid(details: &str) -> Expect {
    Expect::Exact(format!(
        r#"{{"status":false,"code":"INVALID_PARAMETERS","message":"Invalid request parameters","details":"{}"}}"#,
        details.replace('"', "\\\"")
    ))
}

fn rpc(method: &str, params: serde_json::Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

fn rpc_error(code: i64, text: &str) -> Expect {
    Expect::Exact(format!(
        r#"{{"jsonrpc":"2.0","id":1,"error":{{"code":{code},"message":"{}","data":{{"reason":"bad_request"}}}}}}"#,
        text.replace('"', "\\\"")
    ))
}

/// "AAAA" decodes to three bytes: no key signs a hash that short.
const HASH_LENGTH_3: &str =
    "Invalid hash length: 3 bytes (expected 32 for SHA-256 or 64 for GOST 34.11-2015 (Streebog-512))";

fn module_not_found() -> Expect {
    Expect::Exact(r#"{"success":false,"errorCode":"MODULE_NOT_FOUND"}"#.into())
}

fn cases() -> Vec<(String, Expect)> {
    let xml_ok = "<a/>";
    let long_challenge = "A".repeat(300);
    vec![
        // commonUtils: wrong types, nulls, numbers for strings.
        (cu(json!("getKeyInfo"), json!([123])), mismatch("getKeyInfo")),
        (cu(json!("getKeyInfo"), json!([null])), mismatch("getKeyInfo")),
        (cu(json!("getKeyInfo"), json!([true])), mismatch("getKeyInfo")),
        (cu(json!("getKeyInfo"), json!([["PKCS12"]])), mismatch("getKeyInfo")),
        (cu(json!("getKeyInfo"), json!([{}])), mismatch("getKeyInfo")),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", 123, "", ""])), mismatch("signXml")),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", null, "", ""])), mismatch("signXml")),
        (cu(json!("signXml"), json!(["PKCS12", 1, xml_ok, "", ""])), mismatch("signXml")),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", xml_ok, null, ""])), mismatch("signXml")),
        (cu(json!("signXmls"), json!(["PKCS12", "SIGNATURE", xml_ok, "", ""])), mismatch("signXmls")),
        (cu(json!("signXmls"), json!(["PKCS12", "SIGNATURE", [1], "", ""])), mismatch("signXmls")),
        (cu(json!("createCMSSignatureFromBase64"), json!(["PKCS12", "SIGNATURE", "AAAA", "true"])), mismatch("createCMSSignatureFromBase64")),
        (cu(json!("createCMSSignatureFromBase64"), json!(["PKCS12", "SIGNATURE", 123, true])), mismatch("createCMSSignatureFromBase64")),
        (cu(json!("createCAdESFromBase64"), json!(["PKCS12", "SIGNATURE", null, false])), mismatch("createCAdESFromBase64")),
        (cu(json!("changeLocale"), json!([5])), mismatch("changeLocale")),
        (json!({"module": CU, "method": "getActiveTokens", "args": "x"}).to_string(), mismatch("getActiveTokens")),
        (
            json!({"module": CU, "method": "getKeyInfo", "args": [1], "uuid": 7}).to_string(),
            Expect::Exact(r#"{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch. Method: getKeyInfo","uuid":7}"#.into()),
        ),
        // commonUtils: wrong argument counts and unknown methods.
        (cu(json!("getKeyInfo"), json!([])), not_found("getKeyInfo")),
        (cu(json!("getKeyInfo"), json!(["PKCS12", "x"])), not_found("getKeyInfo")),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", xml_ok, ""])), not_found("signXml")),
        (cu(json!("createCMSSignatureFromBase64"), json!(["PKCS12", "SIGNATURE", "AAAA"])), not_found("createCMSSignatureFromBase64")),
        (cu(json!("fooBar"), json!([])), not_found("fooBar")),
        (cu(json!(42), json!([])), not_found("42")),
        (json!({"module": CU, "args": []}).to_string(), not_found("null")),
        // commonUtils: bad values.
        (cu(json!("getKeyInfo"), json!(["AKKaztokenStore"])), message("Storage not supported: AKKaztokenStore")),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", "not xml", "", ""])), invalid_xml()),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", "<a><b></a>", "", ""])), invalid_xml()),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", "", "", ""])), invalid_xml()),
        (cu(json!("signXml"), json!(["PKCS12", "SIGNATURE", xml_ok, "/a", ""])), message("XPath selection is not supported: sign the whole document")),
        (cu(json!("signXmls"), json!(["PKCS12", "SIGNATURE", [], "", ""])), message("No XML documents to sign")),
        (cu(json!("signXmls"), json!(["PKCS12", "SIGNATURE", [xml_ok, "bad"], "", ""])), invalid_xml()),
        (cu(json!("createCMSSignatureFromBase64"), json!(["PKCS12", "SIGNATURE", "!!notbase64", true])), message("Invalid base64 data")),
        (cu(json!("createCMSSignatureFromBase64"), json!(["PKCS12", "SIGNATURE", "AAA", true])), message("Invalid base64 data")),
        (cu(json!("createCAdESFromBase64Hash"), json!(["PKCS12", "SIGNATURE", "%%%"])), message("Invalid base64 data")),
        (cu(json!("createCAdESFromBase64Hash"), json!(["PKCS12", "SIGNATURE", "AAAA"])), message(HASH_LENGTH_3)),
        (cu(json!("createCAdESFromBase64Hash"), json!(["PKCS12", "SIGNATURE", 32])), mismatch("createCAdESFromBase64Hash")),
        (cu(json!("changeLocale"), json!(["de"])), message("Unsupported locale: de")),
        // Not JSON, not an object, unknown modules.
        ("not json".into(), message("Invalid JSON")),
        ("{".into(), message("Invalid JSON")),
        ("".into(), message("Invalid JSON")),
        ("[]".into(), message("Invalid request")),
        ("null".into(), message("Invalid request")),
        ("42".into(), message("Invalid request")),
        (json!({"module": "kz.digiflow.mobile.extensions", "method": "getVersion"}).to_string(), module_not_found()),
        (json!({"module": null}).to_string(), module_not_found()),
        (json!({"method": "x"}).to_string(), module_not_found()),
        (json!({"module": 123}).to_string(), module_not_found()),
        // basics.sign.
        (json!({"module": "kz.gov.pki.knca.basics", "method": "sign"}).to_string(), basics_invalid("args must be an object")),
        (json!({"module": "kz.gov.pki.knca.basics", "method": "sign", "args": []}).to_string(), basics_invalid("args must be an object")),
        (
            json!({"module": "kz.gov.pki.knca.basics", "method": "verify", "args": {}}).to_string(),
            Expect::Exact(r#"{"status":false,"code":"METHOD_NOT_FOUND","message":"Unknown method","details":"verify"}"#.into()),
        ),
        (basics(json!({"format": "pdf", "data": "x"})), basics_invalid("format must be \"cms\" or \"xml\"")),
        (basics(json!({"format": "cms", "data": 5})), basics_invalid("data must be a string or an array of strings")),
        (basics(json!({"format": "cms", "data": [1]})), basics_invalid("data must be an array of strings")),
        (basics(json!({"format": "cms", "data": []})), basics_invalid("data is empty")),
        (basics(json!({"format": "cms", "data": "x", "signingParams": {"decode": "yes"}})), basics_invalid("decode must be true or false")),
        (basics(json!({"format": "cms", "data": "x", "signingParams": "x"})), basics_invalid("signingParams must be an object")),
        (basics(json!({"format": "cms", "data": "!!", "signingParams": {"decode": true}})), basics_invalid("data is not valid base64")),
        (
            basics(json!({"format": "xml", "data": "not xml"})),
            Expect::Prefix(r#"{"status":false,"code":"INVALID_PARAMETERS","message":"Invalid request parameters","details":"Invalid XML"#.into()),
        ),
        (
            basics(json!({"format": "cms", "data": "x", "allowedStorages": ["AKKZIDCardStore"]})),
            Expect::Exact(r#"{"status":false,"code":"STORAGE_NOT_SUPPORTED","message":"None of the allowed storages is available","details":"only PKCS12 files are supported"}"#.into()),
        ),
        (basics(json!({"format": "cms", "data": "x", "allowedStorages": "PKCS12"})), basics_invalid("allowedStorages must be an array of strings")),
        (basics(json!({"format": "cms", "data": "x", "signerParams": {"extKeyUsageOids": "1.2"}})), basics_invalid("extKeyUsageOids must be an array of strings")),
        (basics(json!({"format": "cms", "data": "x", "signerParams": {"iin": 123}})), basics_invalid("iin must be a string")),
        (basics(json!({"format": "cms", "data": "AAAA", "signingParams": {"digested": "true", "decode": "true"}})), basics_invalid(HASH_LENGTH_3)),
        (basics(json!({"format": "xml", "data": "<a/>", "signingParams": {"digested": true}})), basics_invalid("digested is only for format \"cms\"")),
        // Native JSON-RPC.
        (
            r#"{"jsonrpc":"2.0","#.into(),
            Expect::Exact(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error","data":{"reason":"bad_request"}}}"#.into()),
        ),
        (json!({"jsonrpc": "1.0", "id": 1, "method": "qoltanba.version"}).to_string(), rpc_error(-32600, "Invalid Request: jsonrpc must be \"2.0\"")),
        (json!({"jsonrpc": "2.0", "id": 1}).to_string(), rpc_error(-32600, "Invalid Request: method must be a string")),
        (json!({"jsonrpc": "2.0", "id": 1, "method": 5}).to_string(), rpc_error(-32600, "Invalid Request: method must be a string")),
        (rpc("qoltanba.nope", json!({})), rpc_error(-32601, "Method not found")),
        (
            json!({"jsonrpc": "2.0", "id": {}, "method": "qoltanba.version"}).to_string(),
            Expect::Exact(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id","data":{"reason":"bad_request"}}}"#.into()),
        ),
        (json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.version", "params": []}).to_string(), rpc_error(-32602, "params must be an object")),
        (rpc("qoltanba.login", json!({})), rpc_error(-32602, "challenge must be a string")),
        (rpc("qoltanba.login", json!({"challenge": 123})), rpc_error(-32602, "challenge must be a string")),
        (rpc("qoltanba.login", json!({"challenge": "***"})), rpc_error(-32602, "challenge must be base64url")),
        (rpc("qoltanba.login", json!({"challenge": long_challenge})), rpc_error(-32602, "challenge must be 32 to 96 bytes")),
        (rpc("qoltanba.sign", json!({"format": "pdf", "data": "AAAA"})), rpc_error(-32602, "format must be cms, xml or raw")),
        (rpc("qoltanba.sign", json!({"format": "cms", "data": "!!"})), rpc_error(-32602, "data must be base64")),
        (rpc("qoltanba.sign", json!({"format": "raw", "data": "AAAA", "purpose": "x"})), rpc_error(-32602, "purpose must be auth or sign")),
        (rpc("qoltanba.sign", json!({"format": "cms", "data": "AAAA", "detached": "yes"})), rpc_error(-32602, "detached must be a boolean")),
        (
            rpc("qoltanba.sign", json!({"format": "xml", "data": "<a>"})),
            Expect::Prefix(r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"data: "#.into()),
        ),
        (rpc("qoltanba.register", json!({"challenge": "A".repeat(43), "email": "a@b.kz", "entity": "company"})), rpc_error(-32602, "entity must be \"individual\" or \"legal\"")),
        (rpc("qoltanba.register", json!({"challenge": "A".repeat(43), "email": "nope", "entity": "legal"})), rpc_error(-32602, "email must be an e-mail address")),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_documented_errors_and_the_connection_stays_usable() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for (request, expected) in &cases {
        let reply = ask(&mut ws, request).await;
        match expected {
            Expect::Exact(text) => assert_eq!(&reply, text, "request: {request}"),
            Expect::Prefix(text) => assert!(
                reply.starts_with(text.as_str()),
                "request: {request}\nreply: {reply}"
            ),
        }
    }
    assert!(server.prompt.events().is_empty(), "no prompt for bad input");
    assert_eq!(ask(&mut ws, "--heartbeat--").await, "--heartbeat--");
    let version = ask(&mut ws, &rpc("qoltanba.version", json!({}))).await;
    assert!(version.contains("\"result\""), "{version}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_rpc_notification_gets_no_reply() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    use futures_util::SinkExt;
    let notification = json!({"jsonrpc": "2.0", "method": "qoltanba.version"}).to_string();
    ws.send(tokio_tungstenite::tungstenite::Message::text(notification))
        .await
        .expect("send");
    assert_eq!(ask(&mut ws, "--heartbeat--").await, "--heartbeat--");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversize_message_closes_with_1009() {
    in_process_only!("needs a 1 KiB message limit");
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::Message;
    let server = start(Setup {
        config: qoltanba::server::Config {
            keystore_dirs: vec![keystores_dir()],
            max_message_size: 1024,
            tsa: Some(local_tsa()),
            ..qoltanba::server::Config::default()
        },
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    assert_eq!(
        ask(&mut ws, &"x".repeat(1000)).await,
        r#"{"code":"500","message":"Invalid JSON"}"#
    );
    ws.send(Message::text("x".repeat(4096)))
        .await
        .expect("send");
    let frame = loop {
        match tokio::time::timeout(REPLY_TIMEOUT, ws.next())
            .await
            .expect("in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(frame.expect("close frame").code, CloseCode::Size);
}

/// Every prefix of valid requests (truncated JSON, cut strings, half numbers) and byte-flipped
/// copies: each frame is answered or ignored, never fatal, and the connection keeps working.
#[tokio::test(flavor = "multi_thread")]
async fn truncated_and_mutated_requests_never_break_the_connection() {
    in_process_only!("its scripted user cancels");
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = start(Setup {
        key: qoltanba::prompt::scripted::KeyAnswer::Cancel,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let valid = [
        cu(
            json!("signXml"),
            json!(["PKCS12", "SIGNATURE", "<a>ä</a>", "", ""]),
        ),
        cu(
            json!("createCMSSignatureFromBase64"),
            json!(["PKCS12", "SIGNATURE", "AAAA", true]),
        ),
        basics(
            json!({"format": "cms", "data": ["AAAA"], "signingParams": {"decode": "true"}, "signerParams": {"iin": "1"}}),
        ),
        rpc("qoltanba.login", json!({"challenge": "A".repeat(43)})),
        rpc(
            "qoltanba.sign",
            json!({"format": "xml", "data": "<x y=\"1\"/>", "detached": false}),
        ),
    ];
    let mut frames = Vec::new();
    for request in &valid {
        for (cut, _) in request.char_indices() {
            frames.push(request[..cut].to_string());
        }
        for position in (0..request.len()).step_by(3) {
            let mut bytes = request.clone().into_bytes();
            bytes[position] = b"{}[]\",:0\\ "[position % 10];
            frames.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    assert!(frames.len() > 500, "{} frames", frames.len());
    for frame in &frames {
        ws.send(Message::text(frame.as_str())).await.expect("send");
        ws.send(Message::text("--heartbeat--")).await.expect("send");
        while next_text(&mut ws).await != "--heartbeat--" {}
    }
    let version = ask(&mut ws, &rpc("qoltanba.version", json!({}))).await;
    assert!(version.contains("\"result\""), "{version}");
}
