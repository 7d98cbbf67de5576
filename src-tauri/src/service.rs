//! Runs the socket service inside the app and reports whether pages can reach it.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use qoltanba::policy::ApprovalStore;
use qoltanba::prompt::Prompt;
use qoltanba::server::{self, Config};

use crate::secrets::Secrets;

/// While the port is taken (NCALayer running), try again this often.
const RETRY: Duration = Duration::from_secs(5);

/// What the tray shows about the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    pub port: u16,
    pub tls_trusted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Starting,
    Listening,
    /// Another program (usually NCALayer) holds the port.
    PortInUse,
    Failed(String),
}

impl Status {
    pub fn new(port: u16, tls_trusted: bool) -> Self {
        Status {
            state: State::Starting,
            port,
            tls_trusted,
        }
    }

    /// The code the manager window translates.
    pub fn code(&self) -> &'static str {
        match self.state {
            State::Starting => "starting",
            State::Listening => "listening",
            State::PortInUse => "portInUse",
            State::Failed(_) => "stopped",
        }
    }

    pub fn address(&self) -> String {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)).to_string()
    }
}

/// Binds 127.0.0.1:`port` and serves until the app exits; waits while the port is taken.
///
/// `report` hears every status change (tray icon, notifications).
pub async fn run(
    config: Config,
    port: u16,
    prompt: Arc<dyn Prompt>,
    approvals: Arc<ApprovalStore>,
    tls_trusted: bool,
    report: impl Fn(Status) + Send + 'static,
) {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut status = Status::new(port, tls_trusted);
    let listener = loop {
        match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => break listener,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                if status.state != State::PortInUse {
                    tracing::warn!(%address, "port in use; retrying every {RETRY:?}");
                    status.state = State::PortInUse;
                    report(status.clone());
                }
                tokio::time::sleep(RETRY).await;
            }
            Err(e) => {
                tracing::error!(%address, error = %e, "cannot listen");
                status.state = State::Failed(e.to_string());
                report(status);
                return;
            }
        }
    };
    status.state = State::Listening;
    report(status.clone());
    // The browser extension's way in (qoltanba native-host); pages' sockets work without it.
    let dir = qoltanba::local_channel::runtime_dir();
    let mut config = config;
    match qoltanba::local_channel::Listener::bind(&dir).await {
        Ok(channel) => config.local_channel = Some(Arc::new(channel)),
        Err(e) => tracing::warn!(error = %e, "no local channel for the browser extension"),
    }
    if let Err(e) = server::serve(listener, config, prompt, approvals, std::future::pending()).await
    {
        tracing::error!(error = %e, "service stopped");
        status.state = State::Failed(e.to_string());
        report(status);
    }
}

/// The local CA and server certificate for wss://, created on first start.
pub struct Tls {
    pub server: Arc<rustls::ServerConfig>,
    pub files: server::tls::TlsFiles,
}

/// Prepares wss://; a CA an older version kept the key of is replaced, and its key is deleted
/// from the keychain too, so no copy can sign for a CA a browser may still trust.
pub fn tls(config_dir: &std::path::Path, secrets: &dyn Secrets) -> anyhow::Result<Tls> {
    let (files, issued) = server::tls::prepare(config_dir, false)?;
    if issued == server::tls::Issued::ReplacedOldCa {
        match secrets.delete(crate::secrets::OLD_TLS_CA_KEY) {
            Ok(()) => tracing::info!("the old local CA key is gone from the system keychain"),
            Err(e) => {
                tracing::warn!(error = %e, "could not delete the old local CA key from the keychain")
            }
        }
    }
    Ok(Tls {
        server: server::tls::server_config(&files)?,
        files,
    })
}

/// The user's home, where browsers keep their NSS trust stores.
pub fn home() -> Option<PathBuf> {
    directories::UserDirs::new().map(|u| u.home_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn an_old_ca_key_in_the_keychain_is_deleted_when_its_ca_is_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        // An install from before the key was destroyed: CA files, its key moved to the keychain.
        let old = server::tls::init(dir.path(), false).expect("init");
        std::fs::remove_file(old.dir.join("ca-key-destroyed")).expect("as an old version left it");
        let old_ca = std::fs::read(old.ca()).expect("old ca");
        let secrets = crate::secrets::MemorySecrets::default();
        secrets
            .set(
                crate::secrets::OLD_TLS_CA_KEY,
                "-----BEGIN PRIVATE KEY-----",
            )
            .expect("set");

        let tls = tls(dir.path(), &secrets).expect("tls");
        assert!(secrets
            .get(crate::secrets::OLD_TLS_CA_KEY)
            .expect("get")
            .is_none());
        assert_ne!(std::fs::read(tls.files.ca()).expect("new ca"), old_ca);
        assert!(!tls.files.installed());
    }

    /// Only a migration deletes: otherwise every start would open (and maybe unlock) the keychain.
    #[test]
    fn a_current_ca_leaves_the_keychain_alone() {
        let dir = tempfile::tempdir().expect("dir");
        server::tls::init(dir.path(), false).expect("init");
        let secrets = crate::secrets::MemorySecrets::default();
        secrets.set("keystore:/keys/AUTH.p12", "pw").expect("set");
        secrets
            .set(crate::secrets::OLD_TLS_CA_KEY, "unrelated")
            .expect("set");
        tls(dir.path(), &secrets).expect("tls");
        assert!(secrets
            .get(crate::secrets::OLD_TLS_CA_KEY)
            .expect("get")
            .is_some());
    }

    #[tokio::test]
    async fn a_taken_port_is_reported_not_fatal() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = taken.local_addr().expect("addr").port();
        let dir = tempfile::tempdir().expect("dir");
        let approvals = Arc::new(ApprovalStore::load(dir.path(), &[]).expect("store"));
        let prompt: Arc<dyn Prompt> = Arc::new(qoltanba::prompt::ScriptedPrompt::new(
            qoltanba::prompt::Approval::Deny,
            qoltanba::prompt::scripted::KeyAnswer::Cancel,
            Duration::ZERO,
        ));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let service = tokio::spawn(run(
            Config::default(),
            port,
            prompt,
            approvals,
            false,
            move |s| record.lock().expect("lock").push(s.state),
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(*seen.lock().expect("lock"), [State::PortInUse]);
        // Once the other program lets go, the service takes the port.
        drop(taken);
        tokio::time::sleep(RETRY + Duration::from_secs(1)).await;
        assert_eq!(
            *seen.lock().expect("lock"),
            [State::PortInUse, State::Listening]
        );
        service.abort();
    }
}
