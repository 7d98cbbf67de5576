//! The NCALayer-compatible API, results checked with openssl and xmlsec1.

use qoltanba::prompt::scripted::{Event, KeyAnswer};
use serde_json::json;

use crate::common::*;

const CU: &str = "kz.gov.pki.knca.commonUtils";

fn common(method: &str, args: serde_json::Value) -> serde_json::Value {
    json!({"module": CU, "method": method, "args": args, "uuid": "req-1"})
}

#[tokio::test(flavor = "multi_thread")]
async fn greeting_is_sent_first_byte_for_byte() {
    let server = start(Setup::default()).await;
    let mut ws = try_connect(server.port, Some(ORIGIN), None)
        .await
        .expect("connect");
    assert_eq!(next_text(&mut ws).await, r#"{"result":{"version":"1.4"}}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeat_is_echoed_unchanged() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    assert_eq!(ask(&mut ws, "--heartbeat--").await, "--heartbeat--");
    assert_eq!(ask(&mut ws, "--heartbeat--").await, "--heartbeat--");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_active_tokens_lists_no_tokens_and_echoes_uuid() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask(&mut ws, &common("getActiveTokens", json!([])).to_string()).await;
    assert_eq!(
        reply,
        r#"{"code":"200","responseObject":[],"uuid":"req-1"}"#
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_key_info_returns_the_chosen_certificate() {
    in_process_only!("its scripted user picks another keystore");
    let server = start(Setup {
        key: key("individual_auth.p12"),
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask_json(&mut ws, &common("getKeyInfo", json!(["PKCS12"]))).await;
    assert_eq!(reply["code"], "200");
    let info = &reply["responseObject"];
    let expected_pem =
        std::fs::read_to_string(keystores_dir().join("individual_auth.cer")).expect("cer");
    let pem_body = |pem: &str| -> String {
        pem.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
    };
    assert_eq!(
        pem_body(info["pem"].as_str().expect("pem")),
        pem_body(&expected_pem)
    );
    for field in [
        "alias",
        "keyId",
        "algorithm",
        "subjectCn",
        "subjectDn",
        "issuerCn",
        "issuerDn",
        "serialNumber",
        "authorityKeyIdentifier",
    ] {
        assert!(info[field].is_string(), "{field} in {info}");
    }
    assert_eq!(info["algorithm"], "RSA");
    let before: i64 = info["certNotBefore"]
        .as_str()
        .expect("string")
        .parse()
        .expect("millis");
    let after: i64 = info["certNotAfter"]
        .as_str()
        .expect("string")
        .parse()
        .expect("millis");
    assert!(before > 1_500_000_000_000 && after > before);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_xml_is_wrapped_with_crlf_and_verifies_with_xmlsec1() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &common(
            "signXml",
            json!(["PKCS12", "SIGNATURE", "<tag>data</tag>", "", ""]),
        ),
    )
    .await;
    assert_eq!(reply["code"], "200", "{reply}");
    let signed = reply["responseObject"].as_str().expect("xml");
    assert!(signed.contains("<ds:Signature"));
    assert!(signed.contains("\r\n"));
    assert!(signed.contains("soDZFGIUsZ1x0sK/7x1bJvtGeQsO0BKOVwAvKxC3RJY="));
    let dir = tempfile::tempdir().expect("dir");
    let (ok, log) = xmlsec_verify(dir.path(), signed);
    assert!(ok, "xmlsec1: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_xmls_signs_each_document() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &common(
            "signXmls",
            json!(["PKCS12", "SIGNATURE", ["<a>1</a>", "<b x=\"2\"/>"], "", ""]),
        ),
    )
    .await;
    let signed = reply["responseObject"].as_array().expect("array");
    assert_eq!(signed.len(), 2);
    let dir = tempfile::tempdir().expect("dir");
    for xml in signed {
        let (ok, log) = xmlsec_verify(dir.path(), xml.as_str().expect("xml"));
        assert!(ok, "xmlsec1: {log}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cms_from_base64_attached_verifies_with_openssl() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let data = b"document to sign";
    for method in ["createCMSSignatureFromBase64", "createCAdESFromBase64"] {
        let reply = ask_json(
            &mut ws,
            &common(method, json!(["PKCS12", "SIGNATURE", b64(data), true])),
        )
        .await;
        assert_eq!(reply["code"], "200", "{reply}");
        let cms = unb64(reply["responseObject"].as_str().expect("b64"));
        let dir = tempfile::tempdir().expect("dir");
        let (ok, content, log) = openssl_cms_verify(dir.path(), &cms, false, None);
        assert!(ok, "openssl: {log}");
        assert_eq!(content, data);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cms_from_base64_detached_verifies_only_with_the_content() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let data = b"detached content";
    let reply = ask_json(
        &mut ws,
        &common(
            "createCMSSignatureFromBase64",
            json!(["PKCS12", "SIGNATURE", b64(data), false]),
        ),
    )
    .await;
    let cms = unb64(reply["responseObject"].as_str().expect("b64"));
    let dir = tempfile::tempdir().expect("dir");
    let (ok, _, log) = openssl_cms_verify(dir.path(), &cms, false, Some(data));
    assert!(ok, "openssl: {log}");
    let (ok, _, _) = openssl_cms_verify(dir.path(), &cms, false, Some(b"other content"));
    assert!(!ok, "a detached signature must not verify other content");
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn cades_from_hash_is_a_detached_cms_that_verifies_with_the_original_content() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let document = b"the page hashed this document itself";
    let reply = ask_json(
        &mut ws,
        &common(
            "createCAdESFromBase64Hash",
            json!(["PKCS12", "SIGNATURE", b64(&sha256(document))]),
        ),
    )
    .await;
    assert_eq!(reply["code"], "200", "{reply}");
    let cms = unb64(reply["responseObject"].as_str().expect("b64"));
    let dir = tempfile::tempdir().expect("dir");
    let (ok, _, log) = openssl_cms_verify(dir.path(), &cms, false, Some(document));
    assert!(ok, "openssl: {log}");
    let (ok, _, _) = openssl_cms_verify(dir.path(), &cms, false, Some(b"another document"));
    assert!(!ok, "the signature must cover only the hashed document");
}

#[tokio::test(flavor = "multi_thread")]
async fn cades_from_hash_refuses_a_hash_the_chosen_key_does_not_use() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let streebog_sized = [7u8; 64];
    let reply = ask(
        &mut ws,
        &common(
            "createCAdESFromBase64Hash",
            json!(["PKCS12", "SIGNATURE", b64(&streebog_sized)]),
        )
        .to_string(),
    )
    .await;
    assert_eq!(
        reply,
        r#"{"code":"500","message":"the hash is 64 bytes, but this RSA key signs SHA-256 hashes of 32 bytes","uuid":"req-1"}"#
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn change_locale_accepts_kz_ru_en() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    for locale in ["kk", "kz", "ru", "en"] {
        let reply = ask(
            &mut ws,
            &common("changeLocale", json!([locale])).to_string(),
        )
        .await;
        assert_eq!(reply, r#"{"code":"200","uuid":"req-1"}"#);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn common_utils_cancel_is_action_canceled() {
    in_process_only!("its scripted user cancels");
    let server = start(Setup {
        key: KeyAnswer::Cancel,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask(
        &mut ws,
        &common(
            "createCMSSignatureFromBase64",
            json!(["PKCS12", "SIGNATURE", "AAAA", true]),
        )
        .to_string(),
    )
    .await;
    assert_eq!(
        reply,
        r#"{"code":"500","message":"action.canceled","uuid":"req-1"}"#
    );
}

fn basics(args: serde_json::Value) -> serde_json::Value {
    json!({"module": "kz.gov.pki.knca.basics", "method": "sign", "args": args})
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_sign_cms_array_with_string_booleans_returns_pem_cms_each_verifying() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let documents: [&[u8]; 2] = [b"first", b"second"];
    let reply = ask_json(
        &mut ws,
        &basics(json!({
            "allowedStorages": ["PKCS12"],
            "format": "cms",
            "data": [b64(documents[0]), b64(documents[1])],
            "signingParams": {"decode": "true", "encapsulate": "true", "digested": "false"},
            "signerParams": {"extKeyUsageOids": ["1.3.6.1.5.5.7.3.4"]},
            "locale": "ru"
        })),
    )
    .await;
    assert_eq!(reply["status"], true, "{reply}");
    let results = reply["body"]["result"].as_array().expect("array");
    assert_eq!(results.len(), 2);
    let dir = tempfile::tempdir().expect("dir");
    for (pem, document) in results.iter().zip(documents) {
        let pem = pem.as_str().expect("pem");
        assert!(pem.starts_with("-----BEGIN CMS-----"), "{pem}");
        let (ok, content, log) = openssl_cms_verify(dir.path(), pem.as_bytes(), true, None);
        assert!(ok, "openssl: {log}");
        assert_eq!(content, document);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_sign_digested_returns_detached_pem_cms_verifying_with_the_content() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let document = b"hashed by the portal";
    let reply = ask_json(
        &mut ws,
        &basics(json!({
            "format": "cms",
            "data": [b64(&sha256(document))],
            "signingParams": {"decode": "true", "digested": "true", "encapsulate": "false"},
        })),
    )
    .await;
    assert_eq!(reply["status"], true, "{reply}");
    let pem = reply["body"]["result"][0].as_str().expect("pem");
    assert!(pem.starts_with("-----BEGIN CMS-----"), "{pem}");
    let dir = tempfile::tempdir().expect("dir");
    let (ok, _, log) = openssl_cms_verify(dir.path(), pem.as_bytes(), true, Some(document));
    assert!(ok, "openssl: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_sign_xml_is_compact_and_verifies_with_xmlsec1() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &basics(json!({"format": "xml", "data": "<tag>data</tag>", "signingParams": {}, "signerParams": {}})),
    )
    .await;
    let signed = reply["body"]["result"][0].as_str().expect("xml");
    let signature = &signed[signed.find("<ds:Signature").expect("signature")..];
    assert!(
        !signature.contains('\n') && !signature.contains('\r'),
        "{signature}"
    );
    let dir = tempfile::tempdir().expect("dir");
    let (ok, log) = xmlsec_verify(dir.path(), signed);
    assert!(ok, "xmlsec1: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_output_cert_returns_signatures_and_certificate() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &basics(json!({"format": "cms", "data": "text", "signingParams": {"outputCert": true}})),
    )
    .await;
    let result = &reply["body"]["result"];
    assert_eq!(
        result["signatures"].as_array().expect("signatures").len(),
        1
    );
    assert!(result["certificate"]
        .as_str()
        .expect("pem")
        .starts_with("-----BEGIN CERTIFICATE-----"));
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_cancel_is_status_true_with_empty_body() {
    in_process_only!("its scripted user cancels");
    let server = start(Setup {
        key: KeyAnswer::Cancel,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask(
        &mut ws,
        &basics(json!({"format": "cms", "data": "x"})).to_string(),
    )
    .await;
    assert_eq!(reply, r#"{"status":true,"body":{}}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_signer_iin_filters_out_other_holders() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask(
        &mut ws,
        &basics(json!({"format": "cms", "data": "x", "signerParams": {"iin": "000000000000"}}))
            .to_string(),
    )
    .await;
    assert_eq!(
        reply,
        r#"{"status":false,"code":"NO_CERTIFICATE","message":"No certificate matches the request","details":""}"#
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_certificate_is_shown_but_selectable_only_with_allow_expired() {
    in_process_only!("reads what its scripted prompt was shown");
    let server = start(Setup {
        key: key("expired_sign.p12"),
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let refused = ask_json(&mut ws, &basics(json!({"format": "cms", "data": "x"}))).await;
    assert_eq!(refused["code"], "NO_CERTIFICATE", "{refused}");
    assert!(server.prompt.events().iter().any(|e| matches!(
        e,
        Event::Key {
            shown: 1,
            selectable: 0,
            ..
        }
    )));
    let allowed = ask_json(
        &mut ws,
        &basics(json!({"format": "cms", "data": "x", "signingParams": {"allowExpired": "true"}})),
    )
    .await;
    assert_eq!(allowed["status"], true, "{allowed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_module_and_digiflow_probe_get_module_not_found() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    for module in [
        "kz.digiflow.mobile.extensions",
        "kz.gov.pki.knca.applet.Applet",
        "nope",
    ] {
        let reply = ask(
            &mut ws,
            &json!({"module": module, "method": "getVersion", "args": []}).to_string(),
        )
        .await;
        assert_eq!(reply, r#"{"success":false,"errorCode":"MODULE_NOT_FOUND"}"#);
        assert!(!reply.contains("\"200\""));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_sign_of_a_large_document_without_encapsulation_verifies_with_the_content() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let document: Vec<u8> = (0..2_000_003u32).map(|i| (i % 241) as u8).collect();
    let reply = ask_json(
        &mut ws,
        &basics(json!({
            "format": "cms",
            "data": b64(&document),
            "signingParams": {"decode": true, "encapsulate": false},
        })),
    )
    .await;
    assert_eq!(reply["status"], true, "{reply}");
    let pem = reply["body"]["result"][0].as_str().expect("pem");
    let dir = tempfile::tempdir().expect("dir");
    let (ok, _, log) = openssl_cms_verify(dir.path(), pem.as_bytes(), true, Some(&document));
    assert!(ok, "openssl: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn basics_sign_without_decode_signs_the_string_itself() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let reply = ask_json(
        &mut ws,
        &basics(json!({
            "format": "cms",
            "data": "plain text, not base64!",
            "signingParams": {"decode": false},
        })),
    )
    .await;
    assert_eq!(reply["status"], true, "{reply}");
    let pem = reply["body"]["result"][0].as_str().expect("pem");
    let dir = tempfile::tempdir().expect("dir");
    let (ok, content, log) = openssl_cms_verify(dir.path(), pem.as_bytes(), true, None);
    assert!(ok, "openssl: {log}");
    assert_eq!(content, b"plain text, not base64!");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_binary_document_is_only_for_the_native_api() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let request = common(
        "createCMSSignatureFromBase64",
        json!(["PKCS12", "SIGNATURE", "", false]),
    );
    let reply = ask_with_document(&mut ws, &request, b"document").await;
    assert_eq!(reply["code"], "500", "{reply}");
    assert_eq!(
        reply["message"], "Binary documents are only for qoltanba.sign",
        "{reply}"
    );
}
