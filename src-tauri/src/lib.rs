//! Qoltanba's tray app: a thin shell over the core and the socket service.

pub mod broker;
mod commands;
pub mod i18n;
pub mod manager;
pub mod secrets;
pub mod service;
pub mod settings;
mod tray;
mod windows;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use clap::builder::BoolishValueParser;
use clap::Parser;
use qoltanba::policy::ApprovalStore;
use qoltanba::server::Config;
use tauri::{Emitter, Manager, RunEvent, WindowEvent};
use tauri_plugin_notification::NotificationExt;

use crate::broker::Broker;
use crate::i18n::{Lang, Strings};
use crate::secrets::{KeyringSecrets, MemorySecrets, Secrets};
use crate::service::Status;
use crate::settings::SettingsStore;

/// Command-line options (also from the environment, which is how GUI tests pass them).
#[derive(Debug, Parser)]
#[command(name = "qoltanba-app", version, about = "Qoltanba tray app")]
pub struct Args {
    /// Port of the local WebSocket service (NCALayer's by default).
    #[arg(long, env = "QOLTANBA_PORT", default_value_t = qoltanba::server::DEFAULT_PORT)]
    pub port: u16,
    /// Where settings, approved sites and the local CA live.
    #[arg(long, env = "QOLTANBA_CONFIG_DIR")]
    pub config_dir: Option<PathBuf>,
    /// Keystore folders to search instead of home, Documents and Downloads (until the user
    /// picks folders in the manager).
    #[arg(
        long = "keystore-dir",
        env = "QOLTANBA_KEYSTORE_DIRS",
        value_delimiter = ':'
    )]
    pub keystore_dirs: Vec<PathBuf>,
    /// Serve ws:// only (tests).
    #[arg(long, env = "QOLTANBA_NO_TLS", value_parser = BoolishValueParser::new())]
    pub no_tls: bool,
    /// Keep remembered passwords in memory only, never in the OS keychain (tests).
    #[arg(long, env = "QOLTANBA_MEMORY_KEYCHAIN", value_parser = BoolishValueParser::new())]
    pub memory_keychain: bool,
    /// Open the manager on start at this tab: certificates, sites, settings or about.
    #[arg(long, env = "QOLTANBA_SHOW")]
    pub show: Option<String>,
}

/// State shared by commands, the tray and the service.
pub struct AppState {
    pub broker: Arc<Broker>,
    pub settings: Arc<SettingsStore>,
    pub secrets: Arc<dyn Secrets>,
    pub approvals: Arc<ApprovalStore>,
    pub default_dirs: Vec<PathBuf>,
    pub config_dir: PathBuf,
    pub tls_files: Option<qoltanba::server::tls::TlsFiles>,
    status: Mutex<Status>,
    /// The keystore the manager opened last: certificates only, for export.
    opened: Mutex<Option<manager::OpenedKeystore>>,
}

impl AppState {
    pub fn lang(&self) -> Lang {
        self.settings.get().language.unwrap_or_else(Lang::from_os)
    }

    pub fn strings(&self) -> Strings {
        Strings::new(self.lang())
    }

    pub fn status(&self) -> Status {
        lock(&self.status).clone()
    }

    fn set_status(&self, status: Status) {
        *lock(&self.status) = status;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the app; returns when the user quits.
pub fn run() -> anyhow::Result<()> {
    let args = Args::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let config_dir = match &args.config_dir {
        Some(dir) => dir.clone(),
        None => qoltanba::policy::default_config_dir().context("no home folder for settings")?,
    };
    qoltanba::private_file::create_private_dir(&config_dir)
        .with_context(|| format!("cannot create {}", config_dir.display()))?;
    let show = args.show.clone();

    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second launch (menu entry, autostart) opens the manager of the running one.
            windows::open_manager(app, "certificates");
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .invoke_handler(commands::handler())
        .setup(move |app| {
            setup(app, args, config_dir)?;
            if let Some(tab) = show {
                windows::open_manager(app.handle(), &tab);
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == windows::PROMPT {
                    // Closing the prompt is the user's cancel; the window is kept for next time.
                    api.prevent_close();
                    window.state::<Arc<AppState>>().broker.cancel_current();
                }
            }
        })
        .build(tauri::generate_context!())
        .context("cannot start the app")?
        .run(|_app, event| {
            // A tray app keeps running with no window open.
            if let RunEvent::ExitRequested {
                api, code: None, ..
            } = event
            {
                api.prevent_exit();
            }
        });
    Ok(())
}

fn setup(app: &mut tauri::App, args: Args, config_dir: PathBuf) -> anyhow::Result<()> {
    let handle = app.handle().clone();
    let settings = Arc::new(SettingsStore::load(&config_dir)?);
    let secrets: Arc<dyn Secrets> = if args.memory_keychain {
        Arc::new(MemorySecrets::default())
    } else {
        Arc::new(KeyringSecrets)
    };
    let approvals = Arc::new(ApprovalStore::load(&config_dir, &[])?);
    let default_dirs = if args.keystore_dirs.is_empty() {
        qoltanba::server::cli::default_keystore_dirs()
    } else {
        args.keystore_dirs.clone()
    };
    let lang = settings.get().language.unwrap_or_else(Lang::from_os);
    let broker = Arc::new(Broker::new(
        lang,
        Box::new(windows::PromptScreen::new(handle.clone())),
        Arc::clone(&settings),
        Arc::clone(&secrets),
    ));

    let (tls, tls_files) = if args.no_tls {
        (None, None)
    } else {
        match service::tls(&config_dir, secrets.as_ref()) {
            Ok(tls) => (Some(tls.server), Some(tls.files)),
            Err(e) => {
                tracing::warn!(error = %e, "wss:// disabled");
                (None, None)
            }
        }
    };
    let tls_trusted = tls_files.as_ref().is_some_and(|f| f.installed());
    let state = Arc::new(AppState {
        broker: Arc::clone(&broker),
        settings: Arc::clone(&settings),
        secrets,
        approvals: Arc::clone(&approvals),
        default_dirs: default_dirs.clone(),
        config_dir,
        tls_files,
        status: Mutex::new(Status::new(args.port, tls_trusted)),
        opened: Mutex::new(None),
    });
    app.manage(Arc::clone(&state));
    tray::create(&handle)?;

    let keystore_settings = Arc::clone(&settings);
    let tsa = settings.get().tsa();
    let config = Config {
        tsa: Some(qoltanba::protocol::Tsa::http(tsa)),
        keystore_list: Some(Arc::new(move || {
            keystore_settings.get().keystores(&default_dirs)
        })),
        tls,
        tls_installed: tls_trusted,
        ..Config::default()
    };
    let reporter = handle.clone();
    tauri::async_runtime::spawn(service::run(
        config,
        args.port,
        broker,
        approvals,
        tls_trusted,
        move |status| status_changed(&reporter, status),
    ));
    tauri::async_runtime::spawn(watch_expiry(handle));
    Ok(())
}

/// Updates the tray and tells the user when pages cannot reach Qoltanba.
fn status_changed(app: &tauri::AppHandle, status: Status) {
    let state = app.state::<Arc<AppState>>();
    state.set_status(status.clone());
    tray::refresh(app);
    let _ = app.emit("manager-changed", commands::manager_state_of(app));
    if status.state == service::State::PortInUse {
        let strings = state.strings();
        let port = status.port.to_string();
        notify(
            app,
            &strings.get("notify.portInUseTitle", &[]),
            &strings.get("notify.portInUseBody", &[("port", &port)]),
        );
    }
}

pub(crate) fn notify(app: &tauri::AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::info!(error = %e, "notification not shown");
    }
}

/// Warns once about each known certificate that expires within 30 days; checks twice a day.
async fn watch_expiry(app: tauri::AppHandle) {
    loop {
        let state = app.state::<Arc<AppState>>();
        let now = time::OffsetDateTime::now_utc();
        match state
            .settings
            .update(|s| s.take_expiry_warnings(now, manager::EXPIRY_WARNING_DAYS))
        {
            Ok(due) => {
                let strings = state.strings();
                for known in due {
                    let date = qoltanba::cert::format_date(known.not_after);
                    notify(
                        &app,
                        &strings.get("notify.expiryTitle", &[]),
                        &strings.get(
                            "notify.expiryBody",
                            &[("owner", &known.owner), ("date", &date)],
                        ),
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not check certificate expiry"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(12 * 3600)).await;
    }
}
