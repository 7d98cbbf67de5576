//! Hostile input stays cheap: XML bombs and ambiguous HTTP heads are refused by name, before any
//! prompt or policy step, and the honest path beside each still works.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;

const ENTITIES_REFUSED: &str = "XML entity declarations are not accepted";

/// Ten entities, each ten of the one before: 10^9 "lol"s if expanded.
fn billion_laughs() -> String {
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
    }
    format!("<!DOCTYPE lolz [{dtd}]><lolz>&lol9;</lolz>")
}

#[tokio::test(flavor = "multi_thread")]
async fn xml_bombs_reach_the_page_as_bad_request_with_the_reason_and_no_prompt() {
    let server = start(Setup::default()).await;
    let mut ws = connect(&server).await;
    let quadratic = format!(
        "<!DOCTYPE r [<!ENTITY a \"{}\">]><r>{}</r>",
        "A".repeat(100_000),
        "&a;".repeat(100_000)
    );
    let external = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>";
    for xml in [billion_laughs(), quadratic, external.to_string()] {
        let native = json!({"jsonrpc": "2.0", "id": 1, "method": "qoltanba.sign",
            "params": {"format": "xml", "data": xml}});
        let reply = ask_json(&mut ws, &native).await;
        assert_eq!(reply["error"]["data"]["reason"], "bad_request", "{reply}");
        assert_eq!(
            reply["error"]["message"],
            format!("data: {ENTITIES_REFUSED}")
        );

        let ncalayer = json!({"module": "kz.gov.pki.knca.commonUtils", "method": "signXml",
            "args": ["PKCS12", "SIGNATURE", xml, "", ""]});
        let reply = ask_json(&mut ws, &ncalayer).await;
        assert_eq!(reply["code"], "500", "{reply}");
        let message = reply["message"].as_str().expect("message");
        assert!(message.ends_with(ENTITIES_REFUSED), "{message}");
    }
    let dtd = json!({"module": "kz.gov.pki.knca.basics", "method": "sign",
        "args": {"format": "xml", "data": "<!DOCTYPE a SYSTEM \"http://attacker.example/a.dtd\"><a/>"}});
    let reply = ask_json(&mut ws, &dtd).await;
    assert_eq!(reply["code"], "INVALID_PARAMETERS", "{reply}");
    let details = reply["details"].as_str().expect("details");
    assert!(
        details.ends_with("XML with a DOCTYPE (DTD) is not accepted"),
        "{details}"
    );
    assert!(
        server.prompt.events().is_empty(),
        "no prompt for a refused document"
    );
}

/// A WebSocket upgrade from ORIGIN; `extra` header lines go just before the blank line.
fn upgrade_head(port: u16, extra: &str) -> String {
    format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

/// A client's (masked) text frame.
fn masked_text(payload: &str) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let length = u8::try_from(payload.len()).expect("short payload");
    assert!(length < 126);
    let mut frame = vec![0x81, 0x80 | length];
    frame.extend_from_slice(&mask);
    frame.extend(payload.bytes().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Writes `parts` one by one, then reads until `until` shows up or the server closes.
async fn exchange(port: u16, parts: Vec<Vec<u8>>, until: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    for part in parts {
        stream.write_all(&part).await.expect("write");
        stream.flush().await.expect("flush");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
            if String::from_utf8_lossy(&received).contains(until) {
                break;
            }
        }
    };
    tokio::time::timeout(REPLY_TIMEOUT, read)
        .await
        .expect("answer in time");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_origin_header_cannot_smuggle_an_approved_origin() {
    let server = start(Setup::default()).await;
    let head = upgrade_head(
        server.port,
        &format!("Origin: https://attacker.example\r\nOrigin: {ORIGIN}\r\n"),
    );
    let answer = exchange(server.port, vec![head.into_bytes()], "Origin header\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("Bad request: duplicate Origin header\n"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_host_header_cannot_smuggle_a_loopback_host() {
    let server = start(Setup::default()).await;
    let port = server.port;
    let head = upgrade_head(port, &format!("Origin: {ORIGIN}\r\n")).replacen(
        "Host: ",
        "Host: attacker.example\r\nHost: ",
        1,
    );
    let answer = exchange(port, vec![head.into_bytes()], "Host header\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("Bad request: duplicate Host header\n"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_head_split_across_many_small_writes_still_connects() {
    let server = start(Setup::default()).await;
    let head = upgrade_head(server.port, &format!("Origin: {ORIGIN}\r\n"));
    let parts = head.as_bytes().chunks(3).map(<[u8]>::to_vec).collect();
    let answer = exchange(server.port, parts, GREETING).await;
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    assert!(answer.contains(GREETING), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frame_pipelined_with_the_head_is_not_lost() {
    let server = start(Setup::default()).await;
    let mut first = upgrade_head(server.port, &format!("Origin: {ORIGIN}\r\n")).into_bytes();
    first.extend(masked_text("--heartbeat--"));
    let answer = exchange(server.port, vec![first], "--heartbeat--").await;
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    assert!(answer.contains(GREETING), "{answer}");
    assert!(
        answer.contains("--heartbeat--"),
        "the pipelined frame got its answer: {answer}"
    );
}

/// Limit on a request head in the service (src/server/head.rs).
const MAX_HEAD: usize = 16 * 1024;

/// An upgrade head padded to exactly `length` bytes; `complete: false` leaves off its blank line.
fn padded_head(port: u16, length: usize, complete: bool) -> Vec<u8> {
    let start = upgrade_head(port, &format!("Origin: {ORIGIN}\r\nX-Padding: "));
    let start = start.trim_end_matches("\r\n");
    let end = if complete { "\r\n\r\n" } else { "" };
    let padding = "a".repeat(length - start.len() - end.len());
    let head = format!("{start}{padding}{end}").into_bytes();
    assert_eq!(head.len(), length);
    head
}

#[tokio::test(flavor = "multi_thread")]
async fn oversize_head_is_refused_with_431_and_a_head_at_the_limit_connects() {
    let server = start(Setup::default()).await;
    let port = server.port;
    // Exactly one byte over, all of which the service reads: its close is clean, not a reset.
    let over = padded_head(port, MAX_HEAD + 1, false);
    let answer = exchange(port, vec![over], "Too Large").await;
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{answer}"
    );
    let at_limit = padded_head(port, MAX_HEAD, true);
    let answer = exchange(port, vec![at_limit], GREETING).await;
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
}
