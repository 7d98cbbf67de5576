//! An OCSP responder that is not ours: `openssl ocsp -index … -port N` over the test PKI,
//! started by the test and killed (by its own handle) when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct OpensslOcsp {
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

/// certs-test/, found from this file's crate or the workspace root.
fn certs_test() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("certs-test"),
        here.join("../certs-test"),
        here.join("../../certs-test"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .expect("certs-test/ next to the crate or one level up")
}

impl OpensslOcsp {
    /// The intermediate CA's responder (certs-test/ca/ocsp.pem), answering from its issuance
    /// database minus the entries whose subject contains any of `forget` (they become unknown).
    pub fn start(forget: &[&str]) -> Self {
        let ca = certs_test().join("ca");
        Self::start_with(forget, &ca.join("ocsp.pem"), &ca.join("private/ocsp.key"))
    }

    /// The same database, but answers signed by `signer` / `key` (e.g. an unrelated key).
    pub fn start_with(forget: &[&str], signer: &Path, key: &Path) -> Self {
        let ca = certs_test().join("ca");
        let dir = tempfile::tempdir().expect("temp dir");
        let index = std::fs::read_to_string(ca.join("intermediate.index.txt")).expect("index");
        let kept: String = index
            .lines()
            .filter(|line| !forget.iter().any(|f| line.contains(f)))
            .map(|line| format!("{line}\n"))
            .collect();
        let index_path = dir.path().join("index.txt");
        std::fs::write(&index_path, kept).expect("index");
        // Several test certificates share a subject.
        std::fs::write(dir.path().join("index.txt.attr"), "unique_subject = no\n").expect("attr");
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("address").port()
        };
        let child = Command::new("openssl")
            .args(["ocsp", "-index"])
            .arg(&index_path)
            .arg("-CA")
            .arg(ca.join("intermediate.pem"))
            .arg("-rsigner")
            .arg(signer)
            .arg("-rkey")
            .arg(key)
            .args(["-port", &port.to_string(), "-nmin", "10", "-ignore_err"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl ocsp starts");
        // It prints "ACCEPT ..." once listening. (A probe connection would wedge it: it serves
        // one connection at a time and waits on an empty one.)
        let mut child = child;
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        match lines.next() {
            Some(Ok(line)) if line.starts_with("ACCEPT") => {}
            other => panic!("openssl ocsp did not listen: {other:?}"),
        }
        // Keep reading so the responder never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        OpensslOcsp {
            url: format!("http://127.0.0.1:{port}/"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for OpensslOcsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
