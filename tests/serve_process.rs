//! `qoltanba serve` as a process: first run creates the local CA, SIGTERM shuts down cleanly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[test]
fn first_run_creates_the_local_ca_and_sigterm_stops_the_service() {
    let config = tempfile::tempdir().expect("config dir");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qoltanba"))
        .args(["serve", "--port", &port.to_string(), "--config-dir"])
        .arg(config.path())
        .args(["--keystore-dir", "certs-test/keystores"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut log = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    let mut seen = String::new();
    while !line.contains("listening") {
        line.clear();
        let read = log.read_line(&mut line).expect("log");
        seen.push_str(&line);
        assert!(read > 0, "exited before listening; it said:\n{seen}");
    }

    let tls = config.path().join("tls");
    assert!(tls.join("ca.pem").exists() && tls.join("server.pem").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tls.join("server-key.pem"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let mut http = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    http.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(http, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").expect("request");
    let mut page = String::new();
    http.read_to_string(&mut page).expect("page");
    assert!(
        page.contains("TLS: on; local CA not installed yet"),
        "{page}"
    );

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut rest = String::new();
    log.read_to_string(&mut rest).expect("log");
    let status = child.wait().expect("exit");
    assert!(status.success(), "exit status {status}; log: {rest}");
    assert!(rest.contains("shutting down"), "{rest}");
}
