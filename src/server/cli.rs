//! `qoltanba serve` and `qoltanba tls init|install`: flags and the code that runs them.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};

use super::{tls, Config, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_PORT};
use crate::policy::{self, ApprovalStore};
use crate::prompt::scripted::KeyAnswer;
use crate::prompt::{Approval, Prompt, ScriptedPrompt, TerminalPrompt};

/// Which dialogs the service shows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PromptKind {
    /// Questions in this terminal, passwords without echo.
    Tty,
    /// Test only: allows every origin once and answers with `--scripted-keystore`, no human.
    Scripted,
}

/// Flags of `qoltanba serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (NCALayer's is 13579; portal pages expect it).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Folder with .p12 keystores (repeatable; default: home, Documents and Downloads).
    #[arg(long = "keystore-dir", value_name = "DIR")]
    pub keystore_dirs: Vec<PathBuf>,
    /// Search keystore folders' subfolders too.
    #[arg(long)]
    pub recursive: bool,
    /// Origin allowed without asking, e.g. `https://egov.kz` (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    #[arg(long, value_enum, default_value = "tty")]
    pub prompt: PromptKind,
    /// Test only (`--prompt scripted`): keystore file name the scripted user picks.
    #[arg(long, hide = true, value_name = "FILE")]
    pub scripted_keystore: Option<String>,
    /// Test only (`--prompt scripted`): the password the scripted user types.
    #[arg(long, hide = true, default_value = "")]
    pub scripted_password: String,
    /// Seconds a prompt waits for the user before the request is cancelled.
    #[arg(long, default_value_t = 300)]
    pub prompt_timeout: u64,
    /// Largest WebSocket message in bytes (bigger ones close the connection with 1009).
    #[arg(long, default_value_t = DEFAULT_MAX_MESSAGE_SIZE)]
    pub max_message_size: usize,
    /// Where approvals and TLS files live (default: the user's config dir).
    #[arg(long, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Serve ws:// only (no local CA is created).
    #[arg(long)]
    pub no_tls: bool,
    /// The RFC 3161 TSA asked when a page wants a timestamped signature (plain http://).
    #[arg(long, value_name = "URL", default_value = crate::timestamp::NCA_TSA_URL)]
    pub tsa_url: String,
    /// Do not open the local channel the browser extension's native-messaging host uses.
    #[arg(long)]
    pub no_native_channel: bool,
}

/// `qoltanba tls ...`.
#[derive(Debug, Subcommand)]
pub enum TlsCommand {
    /// Create the local CA and the 127.0.0.1/localhost certificate.
    Init {
        #[arg(long, value_name = "DIR")]
        config_dir: Option<PathBuf>,
        /// Replace existing files (browsers must trust the new CA again).
        #[arg(long)]
        force: bool,
    },
    /// Add the local CA to the browsers' trust stores (NSS on Linux; the user's Root store and
    /// Firefox's enterprise roots on Windows).
    Install {
        #[arg(long, value_name = "DIR")]
        config_dir: Option<PathBuf>,
    },
    /// Remove every Qoltanba CA from the trust stores `install` uses.
    Uninstall {
        #[arg(long, value_name = "DIR")]
        config_dir: Option<PathBuf>,
    },
}

fn config_dir(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    flag.or_else(policy::default_config_dir)
        .context("no config dir: pass --config-dir")
}

/// The folders searched for keystores when none is given: the system's usual places.
pub fn default_keystore_dirs() -> Vec<PathBuf> {
    crate::folders::keystore_dirs()
}

/// Runs `qoltanba serve` until SIGINT or SIGTERM.
pub fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let config_dir = config_dir(args.config_dir)?;
    let (tls, tls_installed) = if args.no_tls {
        (None, false)
    } else {
        let files = tls::init(&config_dir, false)?;
        (Some(tls::server_config(&files)?), files.installed())
    };
    let keystore_dirs = if args.keystore_dirs.is_empty() {
        default_keystore_dirs()
    } else {
        args.keystore_dirs
    };
    let mut config = Config {
        keystore_dirs,
        recursive: args.recursive,
        max_message_size: args.max_message_size,
        prompt_timeout: Duration::from_secs(args.prompt_timeout),
        tls,
        tls_installed,
        tsa: Some(crate::protocol::Tsa::http(crate::timestamp::TsaSettings {
            url: args.tsa_url,
            policy: None,
        })),
        ..Config::default()
    };
    let approvals = ApprovalStore::load(&config_dir, &args.allow_origins)?;
    let prompt: Arc<dyn Prompt> = match args.prompt {
        PromptKind::Tty => Arc::new(TerminalPrompt::new()),
        PromptKind::Scripted => {
            let keystore = args
                .scripted_keystore
                .context("--prompt scripted needs --scripted-keystore")?;
            Arc::new(ScriptedPrompt::new(
                Approval::Once,
                KeyAnswer::first(&keystore, &args.scripted_password),
                Duration::ZERO,
            ))
        }
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        if !args.no_native_channel {
            // Without it the extension cannot reach this service; the socket still works.
            let dir = crate::local_channel::runtime_dir();
            match crate::local_channel::Listener::bind(&dir).await {
                Ok(listener) => config.local_channel = Some(Arc::new(listener)),
                Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "no local channel for the browser extension"),
            }
        }
        super::serve(
            listener,
            config,
            prompt,
            Arc::new(approvals),
            shutdown_signal(),
        )
        .await?;
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn home_dir() -> anyhow::Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|d| d.home_dir().to_path_buf())
        .context("no home directory")
}

/// Runs `qoltanba tls init`, `install` or `uninstall`.
pub fn run_tls(command: TlsCommand) -> anyhow::Result<()> {
    match command {
        TlsCommand::Init {
            config_dir: dir,
            force,
        } => {
            let files = tls::init(&config_dir(dir)?, force)?;
            println!("Local CA: {}", files.ca().display());
            println!("Server certificate: {}", files.server().display());
            println!("Next: qoltanba tls install");
        }
        TlsCommand::Install { config_dir: dir } => {
            let files = tls::init(&config_dir(dir)?, false)?;
            let results = tls::install(&files, &home_dir()?);
            for installed in &results {
                match &installed.result {
                    Ok(()) => println!("Installed in {}", installed.database.display()),
                    Err(e) => println!("Failed for {}: {e}", installed.database.display()),
                }
            }
            if !results.iter().any(|r| r.result.is_ok()) {
                println!("No browser trust store was updated.");
                print!("{}", tls::manual_steps(&files));
            }
            println!("Restart the browser for the change to take effect.");
        }
        TlsCommand::Uninstall { config_dir: dir } => {
            let files = tls::TlsFiles::new(&config_dir(dir)?);
            let results = tls::uninstall(&files, &home_dir()?);
            let mut failed = false;
            for removed in &results {
                match &removed.result {
                    Ok(()) => println!("Removed from {}", removed.database.display()),
                    Err(e) => {
                        failed = true;
                        println!("Failed for {}: {e}", removed.database.display());
                    }
                }
            }
            if failed {
                anyhow::bail!("the local CA could not be removed everywhere");
            }
        }
    }
    Ok(())
}
