//! wss:// on the same port as ws://, with the local CA `tls init` creates.

use std::sync::Arc;

use qoltanba::server::{tls, Config};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn wss_and_ws_share_the_port_and_wss_trusts_the_local_ca() {
    let config_dir = tempfile::tempdir().expect("dir");
    let files = tls::init(config_dir.path(), false).expect("tls init");
    let server = start_in(
        Setup {
            config: Config {
                keystore_dirs: vec![keystores_dir()],
                tls: Some(tls::server_config(&files).expect("server config")),
                tsa: Some(local_tsa()),
                ..Config::default()
            },
            ..Setup::default()
        },
        config_dir,
    )
    .await;

    let mut roots = rustls::RootCertStore::empty();
    let ca = external_ca().unwrap_or_else(|| files.ca());
    let ca = CertificateDer::from_pem_file(ca).expect("ca pem");
    roots.add(ca).expect("root");
    let client = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("tcp");
    let name = ServerName::try_from("127.0.0.1").expect("name");
    let tls_stream = connector
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the local CA");
    let mut request = format!("wss://127.0.0.1:{}/", server.port)
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Origin", HeaderValue::from_static(ORIGIN));
    let (mut wss, _) = tokio_tungstenite::client_async(request, tls_stream)
        .await
        .expect("wss handshake");
    assert_eq!(next_text(&mut wss).await, GREETING);
    assert_eq!(ask(&mut wss, "--heartbeat--").await, "--heartbeat--");

    let mut ws = connect(&server).await;
    assert_eq!(ask(&mut ws, "--heartbeat--").await, "--heartbeat--");
}

#[tokio::test(flavor = "multi_thread")]
async fn wss_client_without_the_local_ca_is_refused() {
    let config_dir = tempfile::tempdir().expect("dir");
    let files = tls::init(config_dir.path(), false).expect("tls init");
    let server = start_in(
        Setup {
            config: Config {
                tls: Some(tls::server_config(&files).expect("server config")),
                tsa: Some(local_tsa()),
                ..Config::default()
            },
            ..Setup::default()
        },
        config_dir,
    )
    .await;
    let other = tempfile::tempdir().expect("dir");
    let other_files = tls::init(other.path(), false).expect("other CA");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(other_files.ca()).expect("pem"))
        .expect("root");
    let client = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("tcp");
    let name = ServerName::try_from("127.0.0.1").expect("name");
    let result = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(name, tcp)
        .await;
    assert!(result.is_err());
}

#[cfg(unix)]
#[test]
fn tls_init_writes_its_files_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let files = tls::init(dir.path(), false).expect("init");
    for key in [files.server_key(), files.server(), files.ca()] {
        let mode = std::fs::metadata(&key)
            .expect("key file")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{}", key.display());
    }
    let (ok, text) = run(
        "openssl",
        &[
            "x509",
            "-in",
            path_str(&files.server()),
            "-noout",
            "-ext",
            "subjectAltName",
        ],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("127.0.0.1") && text.contains("localhost"),
        "{text}"
    );
}

#[test]
fn tls_install_adds_the_ca_to_an_nss_database() {
    let home = tempfile::tempdir().expect("home");
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("db dir");
    let db_arg = format!("sql:{}", db.display());
    let (ok, text) = run("certutil", &["-N", "-d", &db_arg, "--empty-password"]);
    assert!(ok, "{text}");
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    let results = tls::install(&files, home.path());
    assert_eq!(results.len(), 1);
    assert!(results[0].result.is_ok(), "{:?}", results[0].result);
    let (ok, list) = run("certutil", &["-L", "-d", &db_arg]);
    assert!(ok && list.contains(tls::CA_NICKNAME), "{list}");
    assert!(files.installed());
}

#[test]
fn tls_uninstall_takes_every_qoltanba_ca_out_of_an_nss_database() {
    let home = tempfile::tempdir().expect("home");
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("db dir");
    let db_arg = format!("sql:{}", db.display());
    let (ok, text) = run("certutil", &["-N", "-d", &db_arg, "--empty-password"]);
    assert!(ok, "{text}");
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    assert!(tls::install(&files, home.path())[0].result.is_ok());

    let results = tls::uninstall(&files, home.path());
    assert_eq!(results.len(), 1);
    assert!(results[0].result.is_ok(), "{:?}", results[0].result);
    let (ok, list) = run("certutil", &["-L", "-d", &db_arg]);
    assert!(ok && !list.contains(tls::CA_NICKNAME), "{list}");
    assert!(!files.installed());
}
