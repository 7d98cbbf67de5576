//! CRLs refreshed from the certificate's distribution point: once the held CRL has passed its
//! nextUpdate, the trust store fetches the issuer's new CRL over plain HTTP from the URL in the
//! certificate (a server this test starts), and a certificate the new CRL revokes is refused.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use qoltanba_verify::{TrustStore, VerifyError};
use time::{Duration, OffsetDateTime};

/// A CRL distribution point on 127.0.0.1 serving `body` at `/intermediate.crl`.
struct Cdp {
    served: Arc<AtomicUsize>,
}

impl Cdp {
    fn start(listener: TcpListener, body: Vec<u8>) -> Self {
        let served = Arc::new(AtomicUsize::new(0));
        let count = served.clone();
        // Lives as long as the test binary; answers one request per connection.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 1024];
                let path = loop {
                    let Ok(n) = stream.read(&mut chunk) else {
                        break None;
                    };
                    if n == 0 {
                        break None;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    let mut headers = [httparse::EMPTY_HEADER; 32];
                    let mut request = httparse::Request::new(&mut headers);
                    if let Ok(httparse::Status::Complete(_)) = request.parse(&buffer) {
                        break request.path.map(str::to_string);
                    }
                };
                let answer = if path.as_deref() == Some("/intermediate.crl") {
                    count.fetch_add(1, Ordering::SeqCst);
                    let mut head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    head.extend_from_slice(&body);
                    head
                } else {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                };
                let _ = stream.write_all(&answer);
            }
        });
        Cdp { served }
    }

    fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A leaf under the test intermediate whose CDP is `http://127.0.0.1:{port}/intermediate.crl`,
/// the intermediate's CRL now (nextUpdate in an hour, nothing revoked) and after revoking the
/// leaf (nextUpdate in two days): (leaf DER, old CRL DER, new CRL DER).
struct Issued {
    leaf: Vec<u8>,
    old_crl: Vec<u8>,
    new_crl: Vec<u8>,
    _dir: tempfile::TempDir,
}

fn issue(port: u16) -> Issued {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let ca: PathBuf = common::test_ca("intermediate.pem");
    let key: PathBuf = common::test_ca("private/intermediate.key");
    let (ca, key) = (ca.to_str().unwrap(), key.to_str().unwrap());
    std::fs::write(
        d.join("ext.cnf"),
        format!(
            "[leaf]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n\
             crlDistributionPoints = URI:http://127.0.0.1:{port}/intermediate.crl\n"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("ca.cnf"),
        "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
         default_md = sha256\n",
    )
    .unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("crlnumber"), "1000\n").unwrap();
    openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=CDP refresh test",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            ca,
            "-CAkey",
            key,
            "-set_serial",
            "0x7E57CD90",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "leaf",
            "-outform",
            "DER",
            "-out",
            "leaf.der",
        ],
    );
    openssl(
        d,
        &[
            "x509", "-in", "leaf.der", "-inform", "DER", "-out", "leaf.pem",
        ],
    );
    let crl = |name: &str, hours: &str| {
        openssl(
            d,
            &[
                "ca",
                "-config",
                "ca.cnf",
                "-gencrl",
                "-cert",
                ca,
                "-keyfile",
                key,
                "-crlhours",
                hours,
                "-out",
                &format!("{name}.pem"),
            ],
        );
        openssl(
            d,
            &[
                "crl",
                "-in",
                &format!("{name}.pem"),
                "-outform",
                "DER",
                "-out",
                &format!("{name}.der"),
            ],
        );
        std::fs::read(d.join(format!("{name}.der"))).unwrap()
    };
    let old_crl = crl("old", "1");
    openssl(
        d,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-revoke",
            "leaf.pem",
            "-cert",
            ca,
            "-keyfile",
            key,
            "-crl_reason",
            "keyCompromise",
        ],
    );
    let new_crl = crl("new", "48");
    Issued {
        leaf: std::fs::read(d.join("leaf.der")).unwrap(),
        old_crl,
        new_crl,
        _dir: dir,
    }
}

fn trust_holding(old_crl: &[u8], refresh: bool) -> TrustStore {
    let mut trust = common::trust();
    trust.add_crl_der(old_crl).expect("old CRL");
    if refresh {
        trust.refresh_crls_from_cdp();
    }
    trust
}

/// A listener and the certificates naming its port, and the CDP serving `body(issued)`.
fn serving(body: impl FnOnce(&Issued) -> Vec<u8>) -> (Issued, Cdp) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let issued = issue(listener.local_addr().unwrap().port());
    let cdp = Cdp::start(listener, body(&issued));
    (issued, cdp)
}

#[test]
fn a_certificate_revoked_in_the_new_crl_is_refused_after_the_old_crls_next_update() {
    let (issued, cdp) = serving(|i| i.new_crl.clone());
    let trust = trust_holding(&issued.old_crl, true);
    let now = OffsetDateTime::now_utc();
    let today = trust.check_path(&issued.leaf, &[], now);
    assert!(today.is_ok(), "the old CRL is current: {today:?}");
    assert_eq!(cdp.served(), 0, "no fetch while the held CRL is current");
    let later = trust.check_path(&issued.leaf, &[], now + Duration::hours(2));
    assert!(
        matches!(later, Err(VerifyError::Revoked { ref serial }) if serial == "7e:57:cd:90"),
        "{later:?}"
    );
    assert_eq!(cdp.served(), 1);
}

#[test]
fn without_refreshing_the_stale_crl_refuses_with_its_reason() {
    let (issued, cdp) = serving(|i| i.new_crl.clone());
    let trust = trust_holding(&issued.old_crl, false);
    let later = trust.check_path(
        &issued.leaf,
        &[],
        OffsetDateTime::now_utc() + Duration::hours(2),
    );
    assert!(
        matches!(later, Err(VerifyError::BadCrl { .. })),
        "{later:?}"
    );
    assert_eq!(cdp.served(), 0);
}

#[test]
fn a_crl_from_another_issuer_at_the_distribution_point_is_not_used() {
    let root_crl = std::fs::read(common::test_ca("root.crl")).expect("root CRL");
    let (issued, cdp) = serving(|_| root_crl);
    let trust = trust_holding(&issued.old_crl, true);
    let later = trust.check_path(
        &issued.leaf,
        &[],
        OffsetDateTime::now_utc() + Duration::hours(2),
    );
    assert!(
        matches!(later, Err(VerifyError::BadCrl { .. })),
        "{later:?}"
    );
    assert_eq!(cdp.served(), 1, "it was asked, and its answer refused");
}

#[test]
fn the_distribution_point_is_not_asked_again_at_once_after_a_useless_answer() {
    let (issued, cdp) = serving(|i| i.old_crl.clone());
    let trust = trust_holding(&issued.old_crl, true);
    let later = OffsetDateTime::now_utc() + Duration::hours(2);
    for _ in 0..3 {
        let refused = trust.check_path(&issued.leaf, &[], later);
        assert!(
            matches!(refused, Err(VerifyError::BadCrl { .. })),
            "{refused:?}"
        );
    }
    assert_eq!(cdp.served(), 1);
}
