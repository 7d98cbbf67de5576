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

pub struct Element(String);

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

    /// Waits until `selector` matches a displayed element and returns it.
    pub fn find(&self, selector: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.try_call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": selector})),
            );
            if let Ok(value) = found {
                if let Some(id) = value[ELEMENT].as_str() {
                    let element = Element(id.to_string());
                    if self.displayed(&element) {
                        return element;
                    }
                }
            }
            if Instant::now() > deadline {
                let page = self.script(
                    "return location.pathname + '\\n' + document.body.innerText.slice(0, 1500)",
                    json!([]),
                );
                panic!(
                    "{selector} did not appear; the page shows: {}",
                    page.as_str().unwrap_or("")
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn displayed(&self, element: &Element) -> bool {
        self.script(
            "const e = arguments[0]; return !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && !e.closest('[hidden]');",
            json!([{ELEMENT: element.0}]),
        )
        .as_bool()
        .unwrap_or(false)
    }

    /// Waits until the text of `selector` satisfies `check`; returns it.
    pub fn wait_text(&self, selector: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let element = self.find(selector);
            let text = self.text(&element);
            if check(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{selector} shows {text:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn click(&self, element: &Element) {
        self.call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        );
    }

    pub fn type_text(&self, element: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        );
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        );
    }

    pub fn text(&self, element: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", element.0), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
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
