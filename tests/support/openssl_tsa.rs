//! A TSA that is not ours: `openssl ts -reply` with the test PKI's TSA certificate, behind a
//! small HTTP endpoint on 127.0.0.1 that this test code starts and stops.
//!
//! Shared by several test crates with `#[path = "…/tests/support/openssl_tsa.rs"] mod …;`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running `openssl ts -reply` behind HTTP; stopped when dropped.
pub struct OpensslTsa {
    pub url: String,
    /// Requests answered so far.
    pub answered: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// certs-test/, found from this file's crate or the workspace root.
pub fn certs_test() -> PathBuf {
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

impl OpensslTsa {
    pub fn start() -> Self {
        Self::start_on(0)
    }

    /// On a given port (0: any), for a server started before the test that must know the URL.
    pub fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("serial"), "01\n").expect("serial file");
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        // `openssl ts -reply` rewrites the serial file: one reply at a time.
        let lock = Arc::new(Mutex::new(()));
        let thread = {
            let (stop, answered, work) = (stop.clone(), answered.clone(), dir.path().to_owned());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (answered, work, lock) =
                                (answered.clone(), work.clone(), lock.clone());
                            std::thread::spawn(move || {
                                if serve(stream, &work, &lock).is_ok() {
                                    answered.fetch_add(1, Ordering::SeqCst);
                                }
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        OpensslTsa {
            url: format!("http://127.0.0.1:{port}/tsp"),
            answered,
            stop,
            port,
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// A URL on which nothing listens (the TSA is down).
    pub fn down_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        format!("http://127.0.0.1:{port}/tsp")
    }
}

impl Drop for OpensslTsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one POST, has openssl answer it, writes the reply.
fn serve(mut stream: TcpStream, work: &Path, lock: &Mutex<()>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head_len, body_len) = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut request = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(head_len)) = request.parse(&buffer) {
            let length = request
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                .unwrap_or(0usize);
            break (head_len, length);
        }
    };
    while buffer.len() < head_len + body_len {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let query = &buffer[head_len..head_len + body_len];
    let reply = {
        let _one = lock.lock().unwrap_or_else(|p| p.into_inner());
        let id = format!("{:?}", std::thread::current().id())
            .replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let (tsq, tsr) = (
            work.join(format!("{id}.tsq")),
            work.join(format!("{id}.tsr")),
        );
        std::fs::write(&tsq, query)?;
        let certs = certs_test();
        let output = Command::new("openssl")
            .args(["ts", "-reply", "-config"])
            .arg(certs.join("conf/tsa.cnf"))
            .arg("-queryfile")
            .arg(&tsq)
            .arg("-out")
            .arg(&tsr)
            .env("QOLTANBA_TSA_DIR", work)
            .env("QOLTANBA_PKI_CA", certs.join("ca"))
            .output()?;
        if !output.status.success() {
            let why = String::from_utf8_lossy(&output.stderr).into_owned();
            let _ = stream.write_all(
                format!("HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{why}", why.len()).as_bytes(),
            );
            return Err(std::io::Error::other(why));
        }
        std::fs::read(&tsr)?
    };
    stream.write_all(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            reply.len()
        )
        .as_bytes(),
    )?;
    stream.write_all(&reply)?;
    stream.flush()
}
