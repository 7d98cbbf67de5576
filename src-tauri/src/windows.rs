//! The app's two windows: the prompt (one at a time, on top) and the certificate manager.

use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::broker::{Screen, ScreenView, View};
use crate::AppState;

pub const PROMPT: &str = "prompt";
pub const MANAGER: &str = "manager";

/// The broker's screen: the prompt window, shown while a question waits.
pub struct PromptScreen {
    app: AppHandle,
    /// The question the window last came forward for: focus is taken once per question, not on
    /// every re-render, so a site cannot pull the user's keystrokes into its prompt.
    raised_for: Mutex<Option<u64>>,
}

impl PromptScreen {
    pub fn new(app: AppHandle) -> Self {
        PromptScreen {
            app,
            raised_for: Mutex::new(None),
        }
    }
}

impl Screen for PromptScreen {
    fn changed(&self, view: &View) {
        let _ = self.app.emit_to(PROMPT, "prompt-changed", view);
        let question = view.screen.as_ref().map(ScreenView::id);
        let new_question = {
            let mut raised = self.raised_for.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *raised, question) != question
        };
        let app = self.app.clone();
        // Windows are made and moved on the main thread; the broker must not wait for it.
        let _ = self.app.run_on_main_thread(move || match question {
            Some(_) if new_question => show_prompt(&app),
            Some(_) => {}
            None => {
                if let Some(window) = app.get_webview_window(PROMPT) {
                    let _ = window.hide();
                }
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
