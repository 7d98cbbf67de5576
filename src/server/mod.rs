//! The local WebSocket service: one port for ws://, wss:// and a plain HTTP status page.

mod admission;
pub mod cli;
mod connection;
#[cfg(any(windows, test))]
mod firefox_enterprise_roots;
mod head;
mod jobs;
mod large_reads;
mod local;
mod rewind;
pub mod tls;
#[cfg(windows)]
mod windows_root_store;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

pub use admission::{Admission, Limits};

use crate::policy::ApprovalStore;
use crate::prompt::Prompt;

/// NCALayer's port; existing portal pages hard-code it.
pub const DEFAULT_PORT: u16 = 13579;
/// Large enough for a 50 MB document in base64 inside JSON.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;
pub const DEFAULT_PROMPT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Lists the keystore files to offer; the tray app's folders change while it runs.
pub type KeystoreLister = Arc<dyn Fn() -> Vec<PathBuf> + Send + Sync>;

/// How the service runs; the CLI fills it from flags.
#[derive(Clone)]
pub struct Config {
    pub keystore_dirs: Vec<PathBuf>,
    /// Search the keystore folders' subfolders too.
    pub recursive: bool,
    /// When set, replaces the search of `keystore_dirs`.
    pub keystore_list: Option<KeystoreLister>,
    pub max_message_size: usize,
    pub prompt_timeout: Duration,
    /// Waiting requests and queued bytes, per origin and in all; shared so tests can read it.
    pub admission: Arc<Admission>,
    /// Present when wss:// is served on the same port.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Whether `qoltanba tls install` has put the local CA into trust stores (status page).
    pub tls_installed: bool,
    /// The TSA for requests that ask for a timestamp (default: NCA's, over HTTP).
    pub tsa: Option<crate::protocol::Tsa>,
    /// The local channel the native-messaging host relays the browser extension's pages over.
    pub local_channel: Option<Arc<crate::local_channel::Listener>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            keystore_dirs: Vec::new(),
            recursive: false,
            keystore_list: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            prompt_timeout: DEFAULT_PROMPT_TIMEOUT,
            admission: Arc::new(Admission::default()),
            tls: None,
            tls_installed: false,
            tsa: Some(crate::protocol::Tsa::http(
                crate::timestamp::TsaSettings::nca(),
            )),
            local_channel: None,
        }
    }
}

impl Config {
    /// The keystore files a prompt offers now.
    pub fn keystores(&self) -> Vec<PathBuf> {
        match &self.keystore_list {
            Some(list) => list(),
            None => crate::keystore::find(&self.keystore_dirs, self.recursive),
        }
    }
}

/// State shared by all connections.
pub struct Service {
    config: Config,
    prompt: Arc<dyn Prompt>,
    approvals: Arc<ApprovalStore>,
    /// One prompt on screen at a time: holders of the single permit may show one.
    screen: Semaphore,
    address: SocketAddr,
    shutdown: watch::Receiver<bool>,
}

/// Runs the service on `listener` until `shutdown` completes.
///
/// Open connections get a 1001 "going away" close frame on shutdown.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    prompt: Arc<dyn Prompt>,
    approvals: Arc<ApprovalStore>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let service = Arc::new(Service {
        config,
        prompt,
        approvals,
        screen: Semaphore::new(1),
        address,
        shutdown: stopped,
    });
    tracing::info!(%address, tls = service.config.tls.is_some(), "listening");
    if let Some(channel) = service.config.local_channel.clone() {
        tokio::spawn(local::serve(channel, Arc::clone(&service)));
    }
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let service = Arc::clone(&service);
                    tokio::spawn(async move {
                        connection::handle(stream, peer, service).await;
                    });
                }
                Err(e) => {
                    // Usually out of file descriptors: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    tracing::info!("shutting down");
    let _ = stop.send(true);
    // Give connections a moment to send their close frames.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}
