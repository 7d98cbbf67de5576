//! What the windows may ask of the app: one command per user action, plain data in and out.

use std::path::PathBuf;
use std::sync::Arc;

use qoltanba::prompt::Approval;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_dialog::DialogExt;
use zeroize::Zeroizing;

use crate::broker::{BrokerError, ErrorView, View};
use crate::i18n::Lang;
use crate::manager::{self, ManagerState, OpenedKeystore};
use crate::secrets::keystore_account;
use crate::{lock, tray, windows, AppState};

type AppStateRef<'a> = State<'a, Arc<AppState>>;

/// A command's failure, as the window shows it: `kind` picks the translated sentence.
#[derive(Debug, Serialize)]
pub struct CommandError {
    kind: &'static str,
    message: String,
}

impl CommandError {
    fn new(kind: &'static str, message: impl ToString) -> Self {
        CommandError {
            kind,
            message: message.to_string(),
        }
    }
}

impl From<BrokerError> for CommandError {
    fn from(e: BrokerError) -> Self {
        let kind = match e {
            BrokerError::Stale => "stale",
            BrokerError::NotSelectable => "notSelectable",
        };
        CommandError::new(kind, e)
    }
}

impl From<ErrorView> for CommandError {
    fn from(e: ErrorView) -> Self {
        CommandError {
            kind: e.kind,
            message: e.message,
        }
    }
}

fn settings_error(e: crate::settings::SettingsError) -> CommandError {
    CommandError::new("settings", e)
}

type Reply<T> = Result<T, CommandError>;

/// The file dialogs offer keystores only.
const KEYSTORE_FILTER: (&str, &[&str]) = ("PKCS#12 (.p12, .pfx)", &["p12", "pfx", "P12", "PFX"]);

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        prompt_view,
        prompt_approve,
        prompt_unlock,
        prompt_browse,
        prompt_back,
        prompt_choose,
        prompt_cancel,
        manager_state,
        manager_add_folder,
        manager_add_file,
        manager_remove,
        manager_rescan,
        manager_open,
        manager_export,
        manager_forget_password,
        manager_revoke_site,
        set_language,
        set_autostart,
        trust_tls,
    ]
}

// ---- prompt window ----

#[tauri::command]
async fn prompt_view(state: AppStateRef<'_>) -> Reply<View> {
    Ok(state.broker.view())
}

#[tauri::command]
async fn prompt_approve(state: AppStateRef<'_>, id: u64, answer: String) -> Reply<()> {
    let answer = match answer.as_str() {
        "once" => Approval::Once,
        "always" => Approval::Always,
        "deny" => Approval::Deny,
        other => return Err(CommandError::new("badAnswer", other)),
    };
    Ok(state.broker.answer_approval(id, answer)?)
}

#[tauri::command]
async fn prompt_unlock(
    state: AppStateRef<'_>,
    id: u64,
    path: PathBuf,
    password: Option<String>,
    remember: bool,
) -> Reply<View> {
    let password = password.map(Zeroizing::new);
    let broker = Arc::clone(&state.broker);
    // Key derivation takes a moment: keep it off the async workers.
    tauri::async_runtime::spawn_blocking(move || {
        broker.unlock(id, &path, password, remember)?;
        Ok(broker.view())
    })
    .await
    .map_err(|e| CommandError::new("internal", e))?
}

#[tauri::command]
async fn prompt_browse(app: AppHandle, state: AppStateRef<'_>, id: u64) -> Reply<View> {
    let mut dialog = app
        .dialog()
        .file()
        .add_filter(KEYSTORE_FILTER.0, KEYSTORE_FILTER.1);
    if let Some(window) = app.get_webview_window(windows::PROMPT) {
        dialog = dialog.set_parent(&window);
    }
    if let Some(path) = dialog.blocking_pick_file().and_then(|p| p.into_path().ok()) {
        state.broker.browsed(id, path)?;
    }
    Ok(state.broker.view())
}

#[tauri::command]
async fn prompt_back(state: AppStateRef<'_>, id: u64) -> Reply<View> {
    state.broker.back(id)?;
    Ok(state.broker.view())
}

#[tauri::command]
async fn prompt_choose(state: AppStateRef<'_>, id: u64, index: usize) -> Reply<()> {
    Ok(state.broker.choose(id, index)?)
}

#[tauri::command]
async fn prompt_cancel(state: AppStateRef<'_>, id: u64) -> Reply<()> {
    Ok(state.broker.cancel(id)?)
}

// ---- manager window ----

/// The manager's state now, also sent with "manager-changed" after changes from elsewhere.
pub fn manager_state_of(app: &AppHandle) -> ManagerState {
    let state = app.state::<Arc<AppState>>();
    ManagerState::new(
        state.lang(),
        app.autolaunch().is_enabled().unwrap_or(false),
        &state.settings.get(),
        &state.default_dirs,
        state.approvals.sites(),
        &state.status(),
        &state.config_dir,
        time::OffsetDateTime::now_utc(),
    )
}

#[tauri::command]
async fn manager_state(app: AppHandle) -> Reply<ManagerState> {
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn manager_add_folder(app: AppHandle, state: AppStateRef<'_>) -> Reply<ManagerState> {
    if let Some(folder) = app
        .dialog()
        .file()
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
    {
        let defaults = state.default_dirs.clone();
        state
            .settings
            .update(|s| {
                // The first folder the user picks replaces the defaults, which stay listed.
                if s.keystore_dirs.is_empty() {
                    s.keystore_dirs = defaults;
                }
                if !s.keystore_dirs.contains(&folder) {
                    s.keystore_dirs.push(folder);
                }
            })
            .map_err(settings_error)?;
    }
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn manager_add_file(app: AppHandle, state: AppStateRef<'_>) -> Reply<ManagerState> {
    if let Some(file) = app
        .dialog()
        .file()
        .add_filter(KEYSTORE_FILTER.0, KEYSTORE_FILTER.1)
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
    {
        state
            .settings
            .update(|s| {
                if !s.keystore_files.contains(&file) {
                    s.keystore_files.push(file);
                }
            })
            .map_err(settings_error)?;
    }
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn manager_remove(
    app: AppHandle,
    state: AppStateRef<'_>,
    path: PathBuf,
) -> Reply<ManagerState> {
    let defaults = state.default_dirs.clone();
    state
        .settings
        .update(|s| {
            if s.keystore_dirs.is_empty() && defaults.contains(&path) {
                s.keystore_dirs = defaults;
            }
            s.keystore_dirs.retain(|d| d != &path);
            s.keystore_files.retain(|f| f != &path);
            s.recent.retain(|f| f != &path);
        })
        .map_err(settings_error)?;
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn manager_rescan(app: AppHandle) -> Reply<ManagerState> {
    // Folders are searched on every call; the rescan is the fresh state itself.
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn manager_open(
    state: AppStateRef<'_>,
    path: PathBuf,
    password: Option<String>,
) -> Reply<OpenedKeystore> {
    // No password: the one the user let the keychain remember.
    let password = match password {
        Some(typed) => Zeroizing::new(typed),
        None => state
            .secrets
            .get(&keystore_account(&path))
            .map_err(|e| CommandError::new("keychain", e))?
            .ok_or_else(|| CommandError::new("keychain", "no saved password"))?,
    };
    let now = time::OffsetDateTime::now_utc();
    let opened =
        tauri::async_runtime::spawn_blocking(move || manager::open_keystore(&path, &password, now))
            .await
            .map_err(|e| CommandError::new("internal", e))??;
    let _ = state.settings.update(|s| {
        for c in &opened.certificates {
            s.know(crate::settings::KnownCertificate::of(&c.info, &opened.path));
        }
    });
    *lock(&state.opened) = Some(opened.clone());
    Ok(opened)
}

#[tauri::command]
async fn manager_export(
    app: AppHandle,
    state: AppStateRef<'_>,
    path: PathBuf,
    index: usize,
    format: String,
) -> Reply<Option<PathBuf>> {
    let der = lock(&state.opened)
        .as_ref()
        .filter(|o| o.path == path)
        .and_then(|o| o.ders.get(index).cloned())
        .ok_or_else(|| CommandError::new("stale", "open the keystore again"))?;
    let bytes =
        manager::export(&der, &format).ok_or_else(|| CommandError::new("badFormat", &format))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "certificate".into());
    let extension = if format == "pem" { "pem" } else { "cer" };
    let Some(target) = app
        .dialog()
        .file()
        .set_file_name(format!("{name}.{extension}"))
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
    else {
        return Ok(None);
    };
    std::fs::write(&target, bytes).map_err(|e| CommandError::new("unwritable", e))?;
    Ok(Some(target))
}

#[tauri::command]
async fn manager_forget_password(
    app: AppHandle,
    state: AppStateRef<'_>,
    path: PathBuf,
) -> Reply<ManagerState> {
    state
        .secrets
        .delete(&keystore_account(&path))
        .map_err(|e| CommandError::new("keychain", e))?;
    state
        .settings
        .update(|s| {
            s.remembered.remove(&path);
        })
        .map_err(settings_error)?;
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn manager_revoke_site(
    app: AppHandle,
    state: AppStateRef<'_>,
    origin: String,
) -> Reply<ManagerState> {
    state
        .approvals
        .revoke(&origin)
        .map_err(|e| CommandError::new("settings", e))?;
    Ok(manager_state_of(&app))
}

#[tauri::command]
async fn set_language(app: AppHandle, lang: String) -> Reply<ManagerState> {
    let lang = Lang::from_tag(&lang).ok_or_else(|| CommandError::new("badLanguage", &lang))?;
    apply_language(&app, lang)?;
    Ok(manager_state_of(&app))
}

/// Saves the language and switches the prompt, the manager and the tray to it.
pub fn apply_language(app: &AppHandle, lang: Lang) -> Reply<()> {
    let state = app.state::<Arc<AppState>>();
    state
        .settings
        .update(|s| s.language = Some(lang))
        .map_err(settings_error)?;
    state.broker.set_lang(lang);
    tray::refresh(app);
    let _ = app.emit("language-changed", lang);
    Ok(())
}

#[tauri::command]
async fn set_autostart(app: AppHandle, enabled: bool) -> Reply<ManagerState> {
    apply_autostart(&app, enabled)?;
    Ok(manager_state_of(&app))
}

pub fn apply_autostart(app: &AppHandle, enabled: bool) -> Reply<()> {
    let autolaunch = app.autolaunch();
    let result = if enabled {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    result.map_err(|e| CommandError::new("autostart", e))?;
    tray::refresh(app);
    Ok(())
}

#[tauri::command]
async fn trust_tls(app: AppHandle) -> Reply<ManagerState> {
    apply_trust_tls(&app);
    Ok(manager_state_of(&app))
}

/// Puts the local CA into the browsers' trust stores and says how it went.
pub fn apply_trust_tls(app: &AppHandle) {
    let state = app.state::<Arc<AppState>>();
    let strings = state.strings();
    let Some(files) = state.tls_files.clone() else {
        return;
    };
    let installed = crate::service::home()
        .map(|home| qoltanba::server::tls::install(&files, &home))
        .unwrap_or_default();
    let trusted = files.installed();
    let mut status = state.status();
    status.tls_trusted = trusted;
    state.set_status(status);
    tray::refresh(app);
    if installed.iter().any(|i| i.result.is_ok()) {
        crate::notify(
            app,
            &strings.get("app.name", &[]),
            &strings.get("notify.tlsTrusted", &[]),
        );
    } else {
        for failure in &installed {
            tracing::warn!(database = %failure.database.display(), result = ?failure.result, "CA not installed");
        }
        tracing::info!("{}", qoltanba::server::tls::manual_steps(&files));
        crate::notify(
            app,
            &strings.get("app.name", &[]),
            &strings.get("notify.tlsFailed", &[]),
        );
    }
}
