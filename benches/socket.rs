//! Socket figures for issue 3: round-trip latency (version, login), RSS per idle connection,
//! 50 MB detached CMS over the socket vs `openssl cms -sign`. Run: cargo bench --bench socket

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use qoltanba::policy::ApprovalStore;
use qoltanba::prompt::scripted::{KeyAnswer, ScriptedPrompt};
use qoltanba::prompt::{Approval, Prompt};
use qoltanba::server::{self, Config};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::MaybeTlsStream;

const ORIGIN: &str = "https://portal.example.kz";

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn keystores() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs-test/keystores")
}

async fn connect(port: u16) -> Ws {
    let mut request = format!("ws://127.0.0.1:{port}/")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Origin", HeaderValue::from_static(ORIGIN));
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(4096)
        .max_message_size(None)
        .max_frame_size(None);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false)
        .await
        .expect("connect");
    ws.next().await.expect("greeting").expect("frame");
    ws
}

/// Sends `text` (moved, not copied: a 67 MB request would otherwise be timed twice) and
/// returns the next text frame.
async fn ask(ws: &mut Ws, text: impl Into<String>) -> String {
    ws.send(Message::text(text.into())).await.expect("send");
    loop {
        if let Message::Text(reply) = ws.next().await.expect("open").expect("frame") {
            return reply.as_str().to_string();
        }
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    (at(0.5), at(0.99))
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn rss_kib_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// RSS growth of a separate `qoltanba serve` process per idle connection: the service's own
/// cost, without this benchmark's client side.
async fn serve_process_kib_per_connection(connections: usize) -> f64 {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let config = tempfile::tempdir().expect("dir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qoltanba"))
        .args([
            "serve",
            "--no-tls",
            "--port",
            &port.to_string(),
            "--config-dir",
        ])
        .arg(config.path())
        .args(["--allow-origin", ORIGIN])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("qoltanba serve starts");
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // One connection first, so one-time allocations are not counted per connection.
    let first = connect(port).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib_of(child.id());
    let mut idle = Vec::new();
    for _ in 0..connections {
        idle.push(connect(port).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib_of(child.id());
    drop((first, idle));
    let _ = child.kill();
    let _ = child.wait();
    after.saturating_sub(before) as f64 / connections as f64
}

/// `cargo bench --bench socket -- NAME...` runs only the named parts: latency, idle, cms.
#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |part: &str| only.is_empty() || only.iter().any(|o| o == part);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let config_dir = tempfile::tempdir().expect("dir");
    let prompt = Arc::new(ScriptedPrompt::new(
        Approval::Once,
        KeyAnswer::first("individual_auth.p12", "Qwerty12"),
        Duration::ZERO,
    ));
    let shown: Arc<dyn Prompt> = prompt.clone();
    let config = Config {
        keystore_dirs: vec![keystores()],
        ..Config::default()
    };
    let approvals = ApprovalStore::load(config_dir.path(), &[ORIGIN.to_string()]).expect("store");
    tokio::spawn(server::serve(
        listener,
        config,
        shown,
        Arc::new(approvals),
        std::future::pending(),
    ));

    let mut ws = connect(port).await;
    if wanted("latency") {
        latency(&mut ws).await;
    }
    if wanted("idle") {
        idle_connections(port).await;
    }
    if wanted("cms") {
        cms(port, &prompt).await;
    }
}

async fn latency(ws: &mut Ws) {
    let version = r#"{"jsonrpc":"2.0","id":1,"method":"qoltanba.version"}"#;
    let mut samples = Vec::new();
    for _ in 0..2000 {
        let start = Instant::now();
        ask(ws, version).await;
        samples.push(start.elapsed());
    }
    let (p50, p99) = percentiles(samples);
    println!("qoltanba.version round trip: p50 {p50:?}, p99 {p99:?}");

    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 32]);
    let login = format!(
        r#"{{"jsonrpc":"2.0","id":2,"method":"qoltanba.login","params":{{"challenge":"{challenge}"}}}}"#
    );
    let mut samples = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        let reply = ask(ws, &login).await;
        assert!(reply.contains("\"result\""), "{reply}");
        samples.push(start.elapsed());
    }
    let (login_p50, login_p99) = percentiles(samples);
    let path = keystores().join("individual_auth.p12");
    let mut crypto = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        let keystore = qoltanba::keystore::open(&path, "Qwerty12").expect("open");
        let signer = qoltanba::sign::EntrySigner::new(&keystore.entries[0], Default::default())
            .expect("signer");
        qoltanba::sign::sign_raw(&signer, &[0u8; 64]).expect("sign");
        crypto.push(start.elapsed());
    }
    let (crypto_p50, _) = percentiles(crypto);
    println!(
        "qoltanba.login round trip (scripted prompt): p50 {login_p50:?}, p99 {login_p99:?}; \
         decrypt + sign alone p50 {crypto_p50:?} ({:.0}% of p50)",
        100.0 * crypto_p50.as_secs_f64() / login_p50.as_secs_f64()
    );
}

async fn idle_connections(port: u16) {
    let before = rss_kib();
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(connect(port).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib();
    println!(
        "1000 idle connections: +{} KiB RSS, {:.1} KiB per connection (client and server sides together)",
        after - before,
        (after - before) as f64 / 1000.0
    );
    drop(idle);
    let server_side = serve_process_kib_per_connection(1000).await;
    println!("1000 idle connections to `qoltanba serve` (its own process): {server_side:.1} KiB RSS per connection, server side alone");
}

const RUNS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// 50 MB detached CMS over the socket vs `openssl cms -sign` on the same file, five runs each.
///
/// The document goes as base64 in the JSON (the NCALayer-era way) or as a binary document
/// after it. Two clients: tungstenite's, which builds and masks the whole frame inside the
/// timing, and a pre-framed one that only writes bytes it encoded beforehand (as openssl's
/// input is ready on disk), which isolates the service. Each on fresh connections (every
/// buffer newly allocated and faulted in) and repeated on one connection (buffers reused).
async fn cms(port: u16, prompt: &ScriptedPrompt) {
    let dir = tempfile::tempdir().expect("dir");
    let document: Vec<u8> = (0..50_000_000u32).map(|i| (i % 251) as u8).collect();
    let file = dir.path().join("doc.bin");
    std::fs::write(&file, &document).expect("write");
    prompt.set_key(KeyAnswer::first("individual_sign.p12", "Qwerty12"));
    let base64 = Message::text(format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"qoltanba.sign","params":{{"format":"cms","detached":true,"data":"{}"}}}}"#,
        base64::engine::general_purpose::STANDARD.encode(&document)
    ));
    let mut binary =
        br#"{"jsonrpc":"2.0","id":3,"method":"qoltanba.sign","params":{"format":"cms","detached":true}}"#
            .to_vec();
    binary.push(0);
    binary.extend_from_slice(&document);
    let binary = Message::binary(binary);

    // Once, so no run also pays for opening the keystore.
    let mut ws = connect(port).await;
    let small = r#"{"jsonrpc":"2.0","id":4,"method":"qoltanba.sign","params":{"format":"cms","detached":true,"data":"AAAA"}}"#;
    ask(&mut ws, small).await;

    let mut rows = Vec::new();
    for (encoding, message) in [("base64", &base64), ("binary", &binary)] {
        let framed = pre_framed(message);
        for client in ["tungstenite", "pre-framed"] {
            let framed = (client == "pre-framed").then_some(framed.as_slice());
            // A page connects when it loads and sends the document later: each fresh
            // connection idles first, so the previous one's teardown is not timed.
            let mut fresh = Vec::new();
            for _ in 0..RUNS {
                let mut ws = connect(port).await;
                tokio::time::sleep(Duration::from_millis(200)).await;
                fresh.push(timed_sign(&mut ws, message, framed).await);
            }
            rows.push((encoding, client, "fresh connections", fresh));
            let mut again = Vec::new();
            for _ in 0..RUNS {
                again.push(timed_sign(&mut ws, message, framed).await);
            }
            rows.push((encoding, client, "one connection", again));
        }
    }

    let pem = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let p12 = keystores().join("individual_sign.p12");
    for (select, out) in [("-nocerts", &pem), ("-clcerts", &cert)] {
        let status = std::process::Command::new("openssl")
            .args(["pkcs12", "-in"])
            .arg(&p12)
            .args(["-passin", "pass:Qwerty12", "-nodes", select, "-out"])
            .arg(out)
            .status()
            .expect("openssl");
        assert!(status.success());
    }
    let mut openssl = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let status = std::process::Command::new("openssl")
            .args([
                "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-in",
            ])
            .arg(&file)
            .arg("-signer")
            .arg(&cert)
            .arg("-inkey")
            .arg(&pem)
            .arg("-out")
            .arg(dir.path().join("openssl.cms"))
            .status()
            .expect("openssl");
        openssl.push(start.elapsed());
        assert!(status.success());
    }
    let openssl = median(openssl);
    println!("50 MB detached CMS: openssl cms -sign {openssl:?} (median of {RUNS})");
    for (encoding, client, connections, runs) in rows {
        let socket = median(runs.clone());
        println!(
            "  socket, {encoding}, {client} client, {connections}: {socket:?} (median; runs {runs:?}), ratio {:.2}",
            openssl.as_secs_f64() / socket.as_secs_f64()
        );
    }
}

/// `message` masked and framed as a client sends it, ready to write.
fn pre_framed(message: &Message) -> Vec<u8> {
    let (payload, opcode) = match message {
        Message::Text(text) => (Bytes::from(text.clone()), Data::Text),
        Message::Binary(bytes) => (bytes.clone(), Data::Binary),
        _ => unreachable!("a request is text or binary"),
    };
    let mut frame = Frame::message(payload, OpCode::Data(opcode), true);
    frame.header_mut().mask = Some([0x5a, 0xc3, 0x17, 0x8e]);
    let mut framed = Vec::new();
    frame.format(&mut framed).expect("frame");
    framed
}

/// One 50 MB sign request and its reply: sent through tungstenite, or as the pre-encoded
/// `framed` bytes written straight to the socket.
async fn timed_sign(ws: &mut Ws, message: &Message, framed: Option<&[u8]>) -> Duration {
    let message = message.clone();
    let start = Instant::now();
    match framed {
        None => ws.send(message).await.expect("send"),
        Some(framed) => {
            let MaybeTlsStream::Plain(stream) = ws.get_mut() else {
                panic!("plain ws");
            };
            stream.write_all(framed).await.expect("write");
        }
    }
    let reply = loop {
        if let Message::Text(reply) = ws.next().await.expect("open").expect("frame") {
            break reply.as_str().to_string();
        }
    };
    let elapsed = start.elapsed();
    assert!(
        reply.contains("\"result\""),
        "{}",
        &reply[..reply.len().min(300)]
    );
    elapsed
}
