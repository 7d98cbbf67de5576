//! `qoltanba native-host` against the real `qoltanba serve`: the browser's framing in, the
//! service's WebSocket over the same-user local channel, and attacks on both.
#![cfg(unix)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

mod common;

/// The host's frame limit (src/native_host/frame.rs).
const MAX_INCOMING: usize = 96 * 1024 * 1024;

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `qoltanba serve` with its local channel in `runtime`, waiting until the socket exists.
fn start_service(runtime: &Path, config: &Path) -> Service {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = Command::new(env!("CARGO_BIN_EXE_qoltanba"))
        .args([
            "serve",
            "--no-tls",
            "--port",
            &port.to_string(),
            "--config-dir",
        ])
        .arg(config)
        .args([
            "--keystore-dir",
            "certs-test/keystores",
            "--prompt",
            "scripted",
        ])
        .args(["--scripted-keystore", "individual_auth.p12"])
        .args(["--scripted-password", common::PASSWORD])
        .env("QOLTANBA_RUNTIME_DIR", runtime)
        .env("RUST_LOG", "warn")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve starts");
    let service = Service(child);
    for _ in 0..400 {
        if runtime.join("service.sock").exists() {
            return service;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the service did not open its local channel");
}

/// The host as a browser starts it, with the extension's origin as its argument.
struct Host {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Host {
    fn start(runtime: &Path) -> Host {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qoltanba"))
            .args([
                "native-host",
                "chrome-extension://dblpclcpkgpaigpniomjeolagffgblfi/",
            ])
            .env("QOLTANBA_RUNTIME_DIR", runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("host starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        Host {
            child,
            stdin,
            stdout,
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        self.stdin
            .write_all(&(body.len() as u32).to_ne_bytes())
            .expect("length");
        self.stdin.write_all(body).expect("body");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    fn receive(&mut self) -> Value {
        let mut length = [0u8; 4];
        self.stdout
            .read_exact(&mut length)
            .expect("a frame from the host");
        let length = u32::from_ne_bytes(length) as usize;
        assert!(
            length <= 1024 * 1024,
            "over the browser's 1 MiB limit: {length}"
        );
        let mut body = vec![0u8; length];
        self.stdout.read_exact(&mut body).expect("frame body");
        serde_json::from_slice(&body).expect("JSON from the host")
    }

    /// A whole text message, joined from its parts.
    fn receive_text(&mut self) -> String {
        let mut text = String::new();
        loop {
            let part = self.receive();
            assert_eq!(part["type"], "text", "{part}");
            text.push_str(part["data"].as_str().expect("data"));
            if part["more"] != true {
                return text;
            }
        }
    }

    fn open(&mut self, origin: &str) {
        self.send(json!({"type": "open", "origin": origin}));
        let opened = self.receive();
        assert_eq!(opened["type"], "open", "{opened}");
        let greeting: Value = serde_json::from_str(&self.receive_text()).expect("greeting");
        assert_eq!(greeting["result"]["version"], "1.4");
    }

    fn version(&mut self) -> Value {
        self.send(json!({"type": "text", "data": r#"{"jsonrpc":"2.0","id":1,"method":"qoltanba.version"}"#}));
        serde_json::from_str(&self.receive_text()).expect("reply")
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dirs() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let base = tempfile::tempdir().expect("temp");
    let runtime = base.path().join("run");
    let config = base.path().join("config");
    std::fs::create_dir(&config).expect("config");
    (base, runtime, config)
}

#[test]
fn the_host_relays_a_page_socket_to_the_running_service() {
    let (_base, runtime, config) = dirs();
    let _service = start_service(&runtime, &config);
    let mut host = Host::start(&runtime);
    host.open("https://portal.example.kz");
    let reply = host.version();
    assert_eq!(reply["result"]["protocol"], 2, "{reply}");
    // The page closes: the service's close frame comes back, as on a socket.
    host.send(json!({"type": "close", "code": 1000, "reason": "bye"}));
    let closed = host.receive();
    assert_eq!(closed["type"], "close", "{closed}");
    assert_eq!(closed["code"], 1000);
    // One host per socket: it exits by itself, so closed sockets leave no processes behind.
    let status = host.child.wait().expect("host exits");
    assert!(status.success(), "{status}");
}

#[test]
fn the_runtime_folder_and_socket_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (_base, runtime, config) = dirs();
    let _service = start_service(&runtime, &config);
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&runtime), 0o700);
    assert_eq!(mode(&runtime.join("service.sock")), 0o600);
}

#[test]
fn oversize_message_is_refused_and_the_host_stays_up() {
    let (_base, runtime, config) = dirs();
    let _service = start_service(&runtime, &config);
    let mut host = Host::start(&runtime);
    host.send_raw(&vec![b' '; MAX_INCOMING + 1]);
    let error = host.receive();
    assert_eq!(error["type"], "error");
    assert_eq!(error["reason"], "too_large");
    host.open("https://portal.example.kz");
    assert_eq!(host.version()["result"]["protocol"], 2);
}

#[test]
fn malformed_frames_are_refused_and_the_host_stays_up() {
    let (_base, runtime, config) = dirs();
    let _service = start_service(&runtime, &config);
    let mut host = Host::start(&runtime);
    for bad in [
        &b"not json"[..],
        br#"{"type":"open"}"#,
        br#"{"type":"open","origin":"https://a.kz","sender":"forged"}"#,
        br#"{"type":"teleport"}"#,
    ] {
        host.send_raw(bad);
        let error = host.receive();
        assert_eq!(error["reason"], "malformed", "{error}");
    }
    host.send(json!({"type": "text", "data": "{}"}));
    assert_eq!(host.receive()["reason"], "not_open");
    host.open("https://portal.example.kz");
    host.send(json!({"type": "binary", "data": "***not base64***"}));
    assert_eq!(host.receive()["reason"], "malformed");
    assert_eq!(host.version()["result"]["protocol"], 2);
}

#[test]
fn an_insecure_origin_is_refused_by_the_service() {
    let (_base, runtime, config) = dirs();
    let _service = start_service(&runtime, &config);
    let mut host = Host::start(&runtime);
    host.send(json!({"type": "open", "origin": "http://evil.example"}));
    let error = host.receive();
    assert_eq!(error["reason"], "refused", "{error}");
    host.open("https://portal.example.kz");
}

#[test]
fn without_a_running_service_the_host_says_not_running() {
    let (_base, runtime, _config) = dirs();
    std::fs::create_dir(&runtime).expect("runtime");
    let mut host = Host::start(&runtime);
    host.send(json!({"type": "open", "origin": "https://portal.example.kz"}));
    let error = host.receive();
    assert_eq!(error["reason"], "not_running", "{error}");
}

/// Root only: another user's processes, and folders owned by another user.
fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[test]
fn the_host_refuses_a_runtime_folder_of_another_user() {
    if !is_root() {
        eprintln!("skipped: needs root to give a folder to another user");
        return;
    }
    let (_base, runtime, _config) = dirs();
    std::fs::create_dir(&runtime).expect("runtime");
    std::os::unix::fs::chown(&runtime, Some(65534), Some(65534)).expect("chown");
    let mut host = Host::start(&runtime);
    host.send(json!({"type": "open", "origin": "https://portal.example.kz"}));
    let error = host.receive();
    assert_eq!(error["reason"], "not_running");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("another user"),
        "{error}"
    );
}

#[tokio::test]
async fn the_service_drops_a_peer_of_another_user_and_keeps_accepting() {
    if !is_root() {
        eprintln!("skipped: needs root to run a process as another user");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // The socket made reachable on purpose: only SO_PEERCRED stands between the other user and
    // the service here.
    let base = tempfile::tempdir().expect("temp");
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = base.path().join("service.sock");
    let listener = qoltanba::local_channel::Listener::bind_at(&path)
        .await
        .expect("bind");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let accepted = tokio::spawn(async move {
        let stream = listener.accept().await.expect("accept");
        qoltanba::local_channel::peer_is_same_user(&stream)
    });
    // As nobody: connect, say hello, read what comes back (nothing: the service hung up).
    let script = "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\ns.settimeout(10)\ntry:\n  s.sendall(b'{\"origin\":\"https://a.kz\"}\\n')\n  print('closed' if s.recv(100)==b'' else 'answered')\nexcept (BrokenPipeError, ConnectionResetError):\n  print('closed')";
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .args(["-c", script])
            .arg(&path)
            .uid(65534)
            .gid(65534)
            .output()
            .expect("python3 runs")
    })
    .await
    .expect("join");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "closed",
        "{output:?}"
    );
    assert!(
        !accepted.is_finished(),
        "another user's connection was accepted"
    );
    // This user still gets in.
    let _mine = tokio::net::UnixStream::connect(base.path().join("service.sock"))
        .await
        .expect("connect");
    let same_user = tokio::time::timeout(Duration::from_secs(5), accepted)
        .await
        .expect("accepted in time")
        .expect("join");
    assert!(same_user);
}

#[tokio::test]
async fn a_second_service_does_not_take_over_a_live_channel_and_a_stale_one_is_replaced() {
    let base = tempfile::tempdir().expect("temp");
    let runtime = base.path().join("run");
    let first = qoltanba::local_channel::Listener::bind(&runtime)
        .await
        .expect("first binds");
    let second = qoltanba::local_channel::Listener::bind(&runtime).await;
    assert_eq!(
        second.err().map(|e| e.kind()),
        Some(std::io::ErrorKind::AddrInUse)
    );
    drop(first);
    assert!(!runtime.join("service.sock").exists(), "removed on drop");
    // A socket file nobody listens on (a crashed service) is replaced.
    let stale =
        std::os::unix::net::UnixListener::bind(runtime.join("service.sock")).expect("stale");
    drop(stale);
    let third = qoltanba::local_channel::Listener::bind(&runtime).await;
    assert!(third.is_ok(), "{:?}", third.err());
}
