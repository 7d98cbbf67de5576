//! The app's two windows: the prompt (one at a time, on top) and the certificate manager.

use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::broker::{Screen, View};
use crate::AppState;

pub const PROMPT: &str = "prompt";
pub const MANAGER: &str = "manager";

/// The broker's screen: the prompt window, shown while a question waits.
pub struct PromptScreen {
    app: AppHandle,
}

impl PromptScreen {
    pub fn new(app: AppHandle) -> Self {
        PromptScreen { app }
    }
}

impl Screen for PromptScreen {
    fn changed(&self, view: &View) {
        let _ = self.app.emit_to(PROMPT, "prompt-changed", view);
        let asking = view.screen.is_some();
        let app = self.app.clone();
        // Windows are made and moved on the main thread; the broker must not wait for it.
        let _ = self.app.run_on_main_thread(move || {
            if asking {
                show_prompt(&app);
            } else if let Some(window) = app.get_webview_window(PROMPT) {
                let _ = window.hide();
            }
        });
    }
}

fn show_prompt(app: &AppHandle) {
    let window = match app.get_webview_window(PROMPT) {
        Some(window) => window,
        None => {
            let title = app.state::<Arc<AppState>>().strings().get("app.name", &[]);
            match WebviewWindowBuilder::new(app, PROMPT, WebviewUrl::App("prompt.html".into()))
                .title(title)
                .inner_size(560.0, 680.0)
                .min_inner_size(480.0, 520.0)
                .center()
                .always_on_top(true)
                .build()
            {
                Ok(window) => window,
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the prompt window");
                    return;
                }
            }
        }
    };
    bring_forward(&window);
}

fn bring_forward(window: &tauri::WebviewWindow) {
    let _ = window.show();
    let _ = window.unminimize();
    let _ = window.set_focus();
}

/// Opens (or brings forward) the manager at `tab`: certificates, sites, settings or about.
pub fn open_manager(app: &AppHandle, tab: &str) {
    if let Some(window) = app.get_webview_window(MANAGER) {
        let _ = window.emit("manager-tab", tab);
        bring_forward(&window);
        return;
    }
    let title = app.state::<Arc<AppState>>().strings().get("app.name", &[]);
    let url = WebviewUrl::App(format!("manager.html#{tab}").into());
    if let Err(e) = WebviewWindowBuilder::new(app, MANAGER, url)
        .title(title)
        .inner_size(860.0, 600.0)
        .min_inner_size(700.0, 480.0)
        .center()
        .build()
    {
        tracing::error!(error = %e, "cannot open the manager window");
    }
}
