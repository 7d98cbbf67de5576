//! The real app under Xvfb, driven through tauri-driver and WebKitWebDriver, answering a page
//! that talks to it over the socket. Run by `make gui-test` (it starts Xvfb and D-Bus).

mod webdriver;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use qoltanba_verify::{TrustStore, Verifier};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use webdriver::Session;

const ORIGIN: &str = "http://localhost:8080";
const PASSWORD: &str = "Qwerty12";

/// `N` free ports, all different: each stays bound until all are chosen (two ports picked one
/// after the other can be the same, and the app's socket then meets WebKitWebDriver).
fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("free port"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("bound").port())
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where screenshots go: $GUI_SCREENSHOTS, or target/gui-screenshots (not committed).
fn screenshots() -> PathBuf {
    let dir = std::env::var_os("GUI_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/gui-screenshots"));
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// tauri-driver with the app's environment; killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct App {
    session: Option<Session>,
    _driver: Driver,
    port: u16,
    keystores: PathBuf,
    _home: tempfile::TempDir,
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            session.end();
        }
    }
}

impl App {
    fn session(&self) -> &Session {
        self.session.as_ref().expect("session")
    }
}

/// Starts the app (with the manager open, so WebDriver has a window) on a fresh home.
fn launch() -> App {
    let home = tempfile::tempdir().expect("home");
    let keystores = home.path().join("keys");
    std::fs::create_dir_all(&keystores).expect("keys dir");
    for name in ["individual_auth.p12", "expired_sign.p12"] {
        std::fs::copy(
            repo().join("certs-test/keystores").join(name),
            keystores.join(name),
        )
        .expect("copy keystore");
    }
    let nca = repo().join("../shared/fixtures/nca/keystores/GOST512_individual.p12");
    if nca.exists() {
        std::fs::copy(&nca, keystores.join("GOST512_individual.p12")).expect("copy NCA keystore");
    }
    let [port, driver_port, native_port] = free_ports();
    let driver = Command::new(std::env::var("TAURI_DRIVER").unwrap_or("tauri-driver".into()))
        .args(["--port", &driver_port.to_string()])
        .args(["--native-port", &native_port.to_string()])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("LANG", "en_US.UTF-8")
        .env("LANGUAGE", "en")
        .env("QOLTANBA_PORT", port.to_string())
        .env("QOLTANBA_CONFIG_DIR", home.path().join("config"))
        .env("QOLTANBA_KEYSTORE_DIRS", &keystores)
        .env("QOLTANBA_NO_TLS", "true")
        .env("QOLTANBA_MEMORY_KEYCHAIN", "true")
        .env("QOLTANBA_SHOW", "certificates")
        .spawn()
        .expect("tauri-driver runs (cargo install tauri-driver --locked)");
    let driver = Driver(driver);
    wait_for_port(driver_port);
    let session = Session::start(driver_port, env!("CARGO_BIN_EXE_qoltanba-app"));
    wait_for_port(port);
    App {
        session: Some(session),
        _driver: driver,
        port,
        keystores,
        _home: home,
    }
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + webdriver::WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A page's request over the socket, answered when the user acts in the prompt.
fn page_request(
    runtime: &tokio::runtime::Runtime,
    port: u16,
    request: Value,
) -> tokio::task::JoinHandle<Value> {
    runtime.spawn(async move {
        let mut handshake = format!("ws://127.0.0.1:{port}/")
            .into_client_request()
            .expect("request");
        handshake
            .headers_mut()
            .insert("Origin", ORIGIN.parse().expect("header"));
        let (mut ws, _) = tokio_tungstenite::connect_async(handshake)
            .await
            .expect("connect");
        ws.send(Message::text(request.to_string()))
            .await
            .expect("send");
        while let Some(frame) = ws.next().await {
            if let Message::Text(text) = frame.expect("frame") {
                let reply: Value = serde_json::from_str(text.as_str()).expect("JSON");
                if reply.get("id") == request.get("id") {
                    return reply;
                }
            }
        }
        panic!("connection closed without a reply");
    })
}

fn challenge() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 32])
}

fn login(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "qoltanba.login", "params": {"challenge": challenge()}})
}

/// Answers the site approval question with `button` (#approve-once, #approve-always).
fn approve(session: &Session, button: &str) {
    session.switch_to_page("prompt.html");
    let origin = session.wait_text("#origin", |t| t.contains("localhost"));
    assert!(origin.contains(ORIGIN), "origin shown as {origin:?}");
    session.screenshot(&screenshots().join("prompt-approval.png"));
    session.click(button);
}

#[test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: make gui-test"]
fn login_with_a_wrong_then_the_right_password_gives_a_token_that_verifies() {
    let app = launch();
    let session = app.session();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let reply = page_request(&runtime, app.port, login(1));

    approve(session, "#approve-always");
    let keystore = app.keystores.join("individual_auth.p12");
    let keystore_item = format!("#keystore-list [data-path=\"{}\"]", keystore.display());
    session.click(&keystore_item);
    session.type_into("#password", "not the password");
    session.click("#unlock");
    let error = session.wait_text("#error", |t| !t.is_empty());
    assert!(error.to_lowercase().contains("password"), "error: {error}");
    session.screenshot(&screenshots().join("prompt-wrong-password.png"));

    session.type_into("#password", PASSWORD);
    session.click("#unlock");
    session.click("#certificate-list [data-index=\"0\"]");
    session.screenshot(&screenshots().join("prompt-certificates.png"));
    session.click("#choose");

    let reply = runtime
        .block_on(async { tokio::time::timeout(webdriver::WAIT, reply).await })
        .expect("reply in time")
        .expect("page task");
    let result = reply
        .get("result")
        .unwrap_or_else(|| panic!("no token: {reply}"));
    let mut trust = TrustStore::new();
    trust
        .add_ca_file(repo().join("certs-test/ca/chain.pem"))
        .expect("test CA");
    let identity = Verifier::new(ORIGIN, trust)
        .check_login(
            &result.to_string(),
            &challenge(),
            time::OffsetDateTime::now_utc(),
        )
        .expect("the token verifies");
    assert!(identity.iin.is_some());

    // The manager, as the README shows it.
    session.switch_to_page("manager.html");
    session.click(&keystore_item);
    session.type_into("#manager-password", PASSWORD);
    session.click("#open-keystore");
    session.wait_text("#certificate-details", |t| t.contains("SHA-256"));
    session.screenshot(&screenshots().join("manager-certificate.png"));
    // "Always" put the site on the list, with its last use; revoking takes it off.
    session.click("#tab-sites");
    let row = format!("#site-list [data-origin=\"{ORIGIN}\"]");
    session.wait_for(&row);
    session.screenshot(&screenshots().join("manager-sites.png"));
    session.click(&format!("{row} .revoke"));
    session.wait_text("#panel-sites", |t| !t.contains(ORIGIN));
}

#[test]
#[ignore = "needs a display, tauri-driver and WebKitWebDriver: make gui-test"]
fn escape_in_the_prompt_sends_the_page_a_cancel() {
    let app = launch();
    let session = app.session();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let reply = page_request(&runtime, app.port, login(2));

    approve(session, "#approve-once");
    let task = session.wait_text("#task", |t| !t.is_empty());
    assert!(task.to_lowercase().contains("log in"), "task: {task}");
    session.screenshot(&screenshots().join("prompt-keystores.png"));
    // Esc from anywhere in the window.
    session.script(
        "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))",
        json!([]),
    );
    let reply = runtime
        .block_on(async { tokio::time::timeout(webdriver::WAIT, reply).await })
        .expect("reply in time")
        .expect("page task");
    assert_eq!(reply["error"]["data"]["reason"], "cancelled", "{reply}");
}
