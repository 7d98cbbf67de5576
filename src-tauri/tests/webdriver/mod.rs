//! A small W3C WebDriver client for driving the real app through tauri-driver.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a UI change may take before the test gives up.
pub const WAIT: Duration = Duration::from_secs(30);

pub struct Session {
    agent: ureq::Agent,
    base: String,
}

impl Session {
    /// Starts the app at `application` through the driver on `port`.
    pub fn start(port: u16, application: &str) -> Session {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let driver = format!("http://127.0.0.1:{port}");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "tauri:options": {"application": application}
        }}});
        let reply = send(
            &agent,
            "POST",
            &format!("{driver}/session"),
            Some(capabilities),
        );
        let id = reply["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_string();
        Session {
            agent,
            base: format!("{driver}/session/{id}"),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        send(&self.agent, method, &format!("{}{path}", self.base), body)
    }

    /// Like `call`, but a WebDriver error comes back as `Err` instead of a panic.
    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Value> {
        try_send(&self.agent, method, &format!("{}{path}", self.base), body)
    }

    pub fn windows(&self) -> Vec<String> {
        let handles = self.call("GET", "/window/handles", None);
        handles
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Switches to the window showing `page` (e.g. "prompt.html"), waiting for it to open.
    pub fn switch_to_page(&self, page: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            for handle in self.windows() {
                self.call("POST", "/window", Some(json!({"handle": handle})));
                let path = self.script("return location.pathname", json!([]));
                if path.as_str().is_some_and(|p| p.ends_with(page)) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("no window shows {page}");
    }

    pub fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Retries `attempt` until it succeeds: the page re-renders while the app's state changes,
    /// so an element found a moment ago may be gone ("stale element reference").
    fn retry<T>(&self, what: &str, mut attempt: impl FnMut() -> Result<T, Value>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            match attempt() {
                Ok(value) => return value,
                Err(error) if Instant::now() > deadline => {
                    let page = self
                        .try_call(
                            "POST",
                            "/execute/sync",
                            Some(json!({"script": "return location.pathname + '\\n' + document.body.innerText.slice(0, 1500)", "args": []})),
                        )
                        .unwrap_or_default();
                    panic!(
                        "{what}: {error}; the page shows: {}",
                        page.as_str().unwrap_or("")
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// The displayed element `selector` matches now.
    fn displayed(&self, selector: &str) -> Result<String, Value> {
        let found = self.try_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        )?;
        let id = found[ELEMENT]
            .as_str()
            .ok_or_else(|| json!("no element"))?
            .to_string();
        let shown = self.try_call(
            "POST",
            "/execute/sync",
            Some(json!({
                "script": "const e = arguments[0]; return !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && !e.closest('[hidden]');",
                "args": [{ELEMENT: id}],
            })),
        )?;
        if shown.as_bool() == Some(true) {
            Ok(id)
        } else {
            Err(json!("not displayed"))
        }
    }

    /// Waits until `selector` matches a displayed element.
    pub fn wait_for(&self, selector: &str) {
        self.retry(&format!("{selector} did not appear"), || {
            self.displayed(selector)
        });
    }

    /// Waits until the text of `selector` satisfies `check`; returns it.
    pub fn wait_text(&self, selector: &str, check: impl Fn(&str) -> bool) -> String {
        self.retry(
            &format!("{selector} never showed the expected text"),
            || {
                let id = self.displayed(selector)?;
                let text = self.try_call("GET", &format!("/element/{id}/text"), None)?;
                let text = text.as_str().unwrap_or_default().to_string();
                if check(&text) {
                    Ok(text)
                } else {
                    Err(json!(format!("it shows {text:?}")))
                }
            },
        )
    }

    /// Clicks the displayed element `selector` from a script: WebKitWebDriver's own click waits
    /// for the page to settle and times out when the click hides the window (the last step of
    /// a prompt), although the click happened.
    pub fn click(&self, selector: &str) {
        self.retry(&format!("cannot click {selector}"), || {
            let id = self.displayed(selector)?;
            self.try_call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "arguments[0].click();", "args": [{ELEMENT: id}]})),
            )
        });
    }

    /// Replaces the text of the input `selector`.
    pub fn type_into(&self, selector: &str, text: &str) {
        self.retry(&format!("cannot type into {selector}"), || {
            let id = self.displayed(selector)?;
            self.try_call("POST", &format!("/element/{id}/clear"), Some(json!({})))?;
            self.try_call(
                "POST",
                &format!("/element/{id}/value"),
                Some(json!({"text": text})),
            )
        });
    }

    /// A PNG of the current window; waits a second first so the frame shows the last change.
    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        std::thread::sleep(Duration::from_secs(1));
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        std::fs::write(path, bytes).expect("write screenshot");
    }

    pub fn end(self) {
        let _ = self.try_call("DELETE", "", None);
    }
}

fn send(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Value {
    try_send(agent, method, url, body)
        .unwrap_or_else(|error| panic!("{method} {url} failed: {error}"))
}

fn try_send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, Value> {
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, Some(body)) => agent.post(url).send_json(body),
        (_, None) => agent.post(url).send_empty(),
    };
    let mut response = response.map_err(|e| json!(e.to_string()))?;
    let ok = response.status().is_success();
    let reply: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| json!(e.to_string()))?;
    let value = reply["value"].clone();
    if ok {
        Ok(value)
    } else {
        Err(value)
    }
}
