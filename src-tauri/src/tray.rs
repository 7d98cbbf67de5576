//! The tray icon: the service's status at a glance and the app's menu.

use std::sync::Arc;

use tauri::image::Image;
use tauri::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu,
};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_autostart::ManagerExt;

use crate::i18n::Lang;
use crate::service::State;
use crate::{commands, windows, AppState};

const TRAY: &str = "main";

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let (menu, icon, tooltip) = contents(app)?;
    TrayIconBuilder::with_id(TRAY)
        .icon(icon)
        .tooltip(tooltip)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu)
        .build(app)?;
    Ok(())
}

/// Rebuilds the menu, icon and tooltip after a status or language change.
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    match contents(app) {
        Ok((menu, icon, tooltip)) => {
            let _ = tray.set_menu(Some(menu));
            let _ = tray.set_icon(Some(icon));
            let _ = tray.set_tooltip(Some(tooltip));
        }
        Err(e) => tracing::warn!(error = %e, "cannot update the tray"),
    }
}

fn contents(app: &AppHandle) -> tauri::Result<(Menu<Wry>, Image<'static>, String)> {
    let state = app.state::<Arc<AppState>>();
    let strings = state.strings();
    let status = state.status();
    let port = status.port.to_string();
    let (line, icon): (String, &[u8]) = match &status.state {
        State::Listening if status.tls_trusted || state.tls_files.is_none() => (
            strings.get("tray.listening", &[("address", &status.address())]),
            include_bytes!("../icons/tray.png"),
        ),
        State::Listening => (
            strings.get("tray.tlsNotTrusted", &[]),
            include_bytes!("../icons/tray-warning.png"),
        ),
        State::Starting => (
            strings.get("app.name", &[]),
            include_bytes!("../icons/tray.png"),
        ),
        State::PortInUse | State::Failed(_) => (
            strings.get("tray.portInUse", &[("port", &port)]),
            include_bytes!("../icons/tray-error.png"),
        ),
    };
    let status_item = MenuItem::with_id(app, "status", &line, false, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let certificates = MenuItem::with_id(
        app,
        "certificates",
        strings.get("tray.certificates", &[]),
        true,
        None::<&str>,
    )?;
    let sites = MenuItem::with_id(
        app,
        "sites",
        strings.get("tray.sites", &[]),
        true,
        None::<&str>,
    )?;
    let current = state.lang();
    let languages = Lang::ALL
        .iter()
        .map(|lang| {
            CheckMenuItem::with_id(
                app,
                format!("lang-{}", lang.code()),
                lang.native_name(),
                true,
                *lang == current,
                None::<&str>,
            )
        })
        .collect::<tauri::Result<Vec<_>>>()?;
    let language_refs: Vec<&dyn IsMenuItem<Wry>> = languages
        .iter()
        .map(|i| i as &dyn IsMenuItem<Wry>)
        .collect();
    let language =
        Submenu::with_items(app, strings.get("tray.language", &[]), true, &language_refs)?;
    let autostart = CheckMenuItem::with_id(
        app,
        "autostart",
        strings.get("tray.autostart", &[]),
        true,
        app.autolaunch().is_enabled().unwrap_or(false),
        None::<&str>,
    )?;
    let trust = MenuItem::with_id(
        app,
        "trust-tls",
        strings.get("tray.trustTls", &[]),
        state.tls_files.is_some() && !status.tls_trusted,
        None::<&str>,
    )?;
    let separator2 = PredefinedMenuItem::separator(app)?;
    let about = MenuItem::with_id(
        app,
        "about",
        strings.get("tray.about", &[]),
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(
        app,
        "quit",
        strings.get("tray.quit", &[]),
        true,
        None::<&str>,
    )?;
    let menu = Menu::with_items(
        app,
        &[
            &status_item,
            &separator,
            &certificates,
            &sites,
            &language,
            &autostart,
            &trust,
            &separator2,
            &about,
            &quit,
        ],
    )?;
    Ok((menu, Image::from_bytes(icon)?, line))
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id.as_ref() {
        "certificates" => windows::open_manager(app, "certificates"),
        "sites" => windows::open_manager(app, "sites"),
        "about" => windows::open_manager(app, "about"),
        "autostart" => {
            let enabled = app.autolaunch().is_enabled().unwrap_or(false);
            let _ = commands::apply_autostart(app, !enabled);
        }
        "trust-tls" => commands::apply_trust_tls(app),
        "quit" => app.exit(0),
        id => {
            if let Some(lang) = id.strip_prefix("lang-").and_then(Lang::from_tag) {
                let _ = commands::apply_language(app, lang);
            }
        }
    }
}
