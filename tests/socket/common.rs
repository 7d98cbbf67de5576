//! A real server on a free port with a scripted prompt, and a real WebSocket client.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use qoltanba::policy::ApprovalStore;
use qoltanba::prompt::scripted::{KeyAnswer, ScriptedPrompt};
use qoltanba::prompt::Approval;
use qoltanba::server::{self, Config};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ORIGIN: &str = "https://portal.example.kz";
pub const PASSWORD: &str = "Qwerty12";
pub const GREETING: &str = r#"{"result":{"version":"1.4"}}"#;
/// No reply in this time means the server lost the request.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn keystores_dir() -> PathBuf {
    repo().join("certs-test/keystores")
}

/// How a test server is set up; defaults: origin pre-approved, key from individual_sign.p12.
pub struct Setup {
    pub approval: Approval,
    pub key: KeyAnswer,
    pub delay: Duration,
    pub allow: Vec<String>,
    pub config: Config,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            approval: Approval::Once,
            key: KeyAnswer::first("individual_sign.p12", PASSWORD),
            delay: Duration::ZERO,
            allow: vec![ORIGIN.to_string()],
            config: Config {
                keystore_dirs: vec![keystores_dir()],
                tsa: Some(local_tsa()),
                ..Config::default()
            },
        }
    }
}

/// The openssl TSA every test server of this binary asks (never NCA's over the network); an
/// external server was started with `--tsa-url` on QOLTANBA_TEST_TSA_PORT, where it listens.
pub fn local_tsa() -> qoltanba::protocol::Tsa {
    static TSA: std::sync::OnceLock<crate::openssl_tsa::OpensslTsa> = std::sync::OnceLock::new();
    let tsa = TSA.get_or_init(|| {
        let port = std::env::var("QOLTANBA_TEST_TSA_PORT").ok();
        crate::openssl_tsa::OpensslTsa::start_on(port.map_or(0, |p| p.parse().expect("a port")))
    });
    qoltanba::protocol::Tsa::http(qoltanba::timestamp::TsaSettings {
        url: tsa.url.clone(),
        policy: None,
    })
}

pub struct TestServer {
    pub port: u16,
    pub prompt: Arc<ScriptedPrompt>,
    pub config_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(setup: Setup) -> TestServer {
    let config_dir = tempfile::tempdir().expect("temp dir");
    start_in(setup, config_dir).await
}

/// `QOLTANBA_TEST_SERVER=127.0.0.1:PORT` runs the suite against a server started outside this
/// process (the Windows build under Wine: tests/wine/socket_suite.sh), set up as
/// `Setup::default()` describes, with TLS on.
pub fn external_port() -> Option<u16> {
    let address = std::env::var("QOLTANBA_TEST_SERVER").ok()?;
    let address: std::net::SocketAddr = address
        .parse()
        .expect("QOLTANBA_TEST_SERVER is 127.0.0.1:PORT");
    Some(address.port())
}

/// The external server's local CA (`QOLTANBA_TEST_SERVER_CA`, a PEM file).
pub fn external_ca() -> Option<PathBuf> {
    external_port()?;
    let ca = std::env::var_os("QOLTANBA_TEST_SERVER_CA").expect("QOLTANBA_TEST_SERVER_CA is set");
    Some(PathBuf::from(ca))
}

/// Ends a test that needs in-process control of the server (another scripted answer, other
/// limits, the prompt's record) when the suite runs against an external server.
macro_rules! in_process_only {
    ($why:literal) => {
        if $crate::common::external_port().is_some() {
            eprintln!("not run against an external server: {}", $why);
            return;
        }
    };
}
pub(crate) use in_process_only;

pub async fn start_in(setup: Setup, config_dir: tempfile::TempDir) -> TestServer {
    let prompt = Arc::new(ScriptedPrompt::new(setup.approval, setup.key, setup.delay));
    if let Some(port) = external_port() {
        // The external server answers as Setup::default() does; its prompt is its own.
        return TestServer {
            port,
            prompt,
            config_dir,
            stop: None,
        };
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let approvals = ApprovalStore::load(config_dir.path(), &setup.allow).expect("approvals");
    let (stop, stopped) = oneshot::channel::<()>();
    let shown: Arc<dyn qoltanba::prompt::Prompt> = prompt.clone();
    tokio::spawn(server::serve(
        listener,
        setup.config,
        shown,
        Arc::new(approvals),
        async {
            let _ = stopped.await;
        },
    ));
    TestServer {
        port,
        prompt,
        config_dir,
        stop: Some(stop),
    }
}

/// Opens a WebSocket with this Origin (None: no Origin header) and Host override.
pub async fn try_connect(
    port: u16,
    origin: Option<&str>,
    host: Option<&str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("ws://127.0.0.1:{port}/")
        .into_client_request()
        .expect("request");
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
    }
    if let Some(host) = host {
        request
            .headers_mut()
            .insert("Host", HeaderValue::from_str(host).expect("host"));
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

/// Connects from ORIGIN and checks the greeting.
pub async fn connect(server: &TestServer) -> Ws {
    connect_from(server, ORIGIN).await
}

pub async fn connect_from(server: &TestServer, origin: &str) -> Ws {
    let mut ws = try_connect(server.port, Some(origin), None)
        .await
        .expect("connect");
    assert_eq!(next_text(&mut ws).await, GREETING);
    ws
}

pub async fn next_text<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocketStream<S>) -> String {
    loop {
        let message = tokio::time::timeout(REPLY_TIMEOUT, ws.next())
            .await
            .expect("reply in time")
            .expect("connection open")
            .expect("frame");
        match message {
            Message::Text(text) => return text.as_str().to_string(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Sends one text frame and returns the next text frame.
pub async fn ask<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    request: &str,
) -> String {
    ws.send(Message::text(request)).await.expect("send");
    next_text(ws).await
}

/// Sends `request` as a binary frame with `document` after a zero byte, the native API's
/// binary documents, and returns the reply as JSON.
pub async fn ask_with_document(
    ws: &mut Ws,
    request: &serde_json::Value,
    document: &[u8],
) -> serde_json::Value {
    let mut message = request.to_string().into_bytes();
    message.push(0);
    message.extend_from_slice(document);
    ws.send(Message::binary(message)).await.expect("send");
    let reply = next_text(ws).await;
    serde_json::from_str(&reply).unwrap_or_else(|_| panic!("reply is JSON: {reply}"))
}

pub async fn ask_json(ws: &mut Ws, request: &serde_json::Value) -> serde_json::Value {
    let reply = ask(ws, &request.to_string()).await;
    serde_json::from_str(&reply).unwrap_or_else(|_| panic!("reply is JSON: {reply}"))
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("base64")
}

pub fn unb64url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

/// Runs a tool and returns (success, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Verifies a CMS (DER or PEM) with openssl against the test CA chain; returns the content.
pub fn openssl_cms_verify(
    dir: &Path,
    cms: &[u8],
    pem: bool,
    detached: Option<&[u8]>,
) -> (bool, Vec<u8>, String) {
    let input = dir.join("sig.cms");
    let output = dir.join("content.out");
    std::fs::write(&input, cms).expect("write cms");
    let chain = repo().join("certs-test/ca/chain.pem");
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-purpose",
        "any",
        "-inform",
        if pem { "PEM" } else { "DER" },
        "-in",
        path_str(&input),
        "-CAfile",
        path_str(&chain),
        "-out",
        path_str(&output),
    ];
    let content_path = dir.join("content.in");
    if let Some(content) = detached {
        std::fs::write(&content_path, content).expect("write content");
        args.extend(["-content", path_str(&content_path)]);
    }
    let (ok, log) = run("openssl", &args);
    let content = std::fs::read(&output).unwrap_or_default();
    (ok, content, log)
}

/// Verifies an enveloped XML signature with xmlsec1 against the test CA.
pub fn xmlsec_verify(dir: &Path, xml: &str) -> (bool, String) {
    let file = dir.join("signed.xml");
    std::fs::write(&file, xml).expect("write xml");
    let root = repo().join("certs-test/ca/root.pem");
    let intermediate = repo().join("certs-test/ca/intermediate.pem");
    run(
        "xmlsec1",
        &[
            "--verify",
            "--trusted-pem",
            path_str(&root),
            "--untrusted-pem",
            path_str(&intermediate),
            path_str(&file),
        ],
    )
}

/// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature with openssl and the certificate's key.
pub fn openssl_verify_raw(
    dir: &Path,
    certificate_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    let cert = dir.join("signer.der");
    let key = dir.join("signer.pub");
    let msg = dir.join("message.bin");
    let sig = dir.join("signature.bin");
    std::fs::write(&cert, certificate_der).expect("write cert");
    std::fs::write(&msg, message).expect("write message");
    std::fs::write(&sig, signature).expect("write sig");
    let (ok, log) = run(
        "openssl",
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            path_str(&cert),
            "-pubkey",
            "-noout",
            "-out",
            path_str(&key),
        ],
    );
    assert!(ok, "{log}");
    let (ok, _) = run(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            path_str(&key),
            "-signature",
            path_str(&sig),
            path_str(&msg),
        ],
    );
    ok
}

pub fn key(keystore: &str) -> KeyAnswer {
    KeyAnswer::first(keystore, PASSWORD)
}

/// Polls `condition` every 10 ms for up to 5 s.
pub async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}
