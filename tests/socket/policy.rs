//! Host and Origin checks at the handshake, origin approval before any keystore prompt.

use qoltanba::prompt::scripted::Event;
use qoltanba::prompt::Approval;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::common::*;

fn assert_refused_403(result: Result<Ws, WsError>) {
    match result {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
        Err(other) => panic!("expected HTTP 403, got {other}"),
        Ok(_) => panic!("expected HTTP 403, the handshake succeeded"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_host_is_refused_at_the_handshake() {
    let server = start(Setup::default()).await;
    let port = server.port;
    assert_refused_403(
        try_connect(port, Some(ORIGIN), Some(&format!("evil.example:{port}"))).await,
    );
    assert_refused_403(try_connect(port, Some(ORIGIN), Some("127.0.0.1:1")).await);
    assert!(
        try_connect(port, Some(ORIGIN), Some(&format!("localhost:{port}")))
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn insecure_or_missing_origin_is_refused_at_the_handshake() {
    let server = start(Setup::default()).await;
    assert_refused_403(try_connect(server.port, Some("http://portal.example.kz"), None).await);
    assert_refused_403(try_connect(server.port, Some("null"), None).await);
    assert_refused_403(try_connect(server.port, None, None).await);
    assert!(
        try_connect(server.port, Some("http://localhost:8080"), None)
            .await
            .is_ok()
    );
    assert!(
        try_connect(server.port, Some("http://127.0.0.1:3000"), None)
            .await
            .is_ok()
    );
}

fn sign_request() -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.sign", "params": {"format": "raw", "data": "AAAA"}})
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn unapproved_origin_is_asked_before_the_keystore_prompt() {
    in_process_only!("reads the order of its scripted prompt's questions");
    let server = start(Setup {
        allow: Vec::new(),
        approval: Approval::Once,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    let reply = ask(&mut ws, &sign_request()).await;
    assert!(reply.contains("\"result\""), "{reply}");
    let events = server.prompt.events();
    assert_eq!(
        events[0],
        Event::Approval {
            origin: ORIGIN.into(),
            locale: None,
        }
    );
    assert!(matches!(events[1], Event::Key { .. }));
    // "Once" lasts while the site has a connection open: no second question.
    ask(&mut ws, &sign_request()).await;
    let approvals = server
        .prompt
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Approval { .. }))
        .count();
    assert_eq!(approvals, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_origin_gets_an_error_and_never_a_keystore_prompt() {
    in_process_only!("its scripted user denies the origin");
    let server = start(Setup {
        allow: Vec::new(),
        approval: Approval::Deny,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    for _ in 0..2 {
        let reply = ask(&mut ws, &sign_request()).await;
        assert_eq!(
            reply,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"This site is not allowed to use signing keys","data":{"reason":"origin_denied"}}}"#
        );
    }
    let keystores = json!({"jsonrpc": "2.0", "id": 2, "method": "qoltanba.keystores"}).to_string();
    assert!(ask(&mut ws, &keystores).await.contains("origin_denied"));
    assert_eq!(
        server.prompt.events(),
        vec![Event::Approval {
            origin: ORIGIN.into(),
            locale: None,
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn always_approval_is_saved_and_not_asked_again() {
    in_process_only!("its scripted user approves for always and it reads the saved file");
    let server = start(Setup {
        allow: Vec::new(),
        approval: Approval::Always,
        ..Setup::default()
    })
    .await;
    let mut ws = connect(&server).await;
    ask(&mut ws, &sign_request()).await;
    let saved = std::fs::read_to_string(
        server
            .config_dir
            .path()
            .join(qoltanba::policy::APPROVALS_FILE),
    )
    .expect("approvals saved");
    assert!(saved.contains(ORIGIN));
    let sites = qoltanba::policy::ApprovalStore::load(server.config_dir.path(), &[])
        .expect("reload")
        .sites();
    assert!(sites[0].last_used.is_some(), "the request records last use");
    let mut again = connect(&server).await;
    ask(&mut again, &sign_request()).await;
    let approvals = server
        .prompt
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Approval { .. }))
        .count();
    assert_eq!(approvals, 1);
}

async fn http_get(port: u16, host: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_get_serves_a_status_page_and_wrong_host_gets_403() {
    let server = start(Setup::default()).await;
    let port = server.port;
    let page = http_get(port, &format!("127.0.0.1:{port}")).await;
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(
        page.contains(env!("CARGO_PKG_VERSION")) && page.contains(&format!("127.0.0.1:{port}"))
    );
    // The external server serves wss:// too (tests/wine/socket_suite.sh), with its CA untrusted.
    let tls = if external_port().is_some() {
        "TLS: on; local CA not installed yet"
    } else {
        "TLS: off"
    };
    assert!(page.contains(tls), "{page}");
    let refused = http_get(port, "attacker.example").await;
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
}
