//! Blocking plain-HTTP POST for OCSP requests: no TLS and no async runtime in the verifier.

use std::time::Duration;

use qoltanba_core::ocsp::MAX_RESPONSE_LEN;
use qoltanba_core::timestamp::Transport;

/// A whole exchange with a responder, connection included, must end within this.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct HttpTransport {
    agent: ureq::Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(DEFAULT_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        HttpTransport { agent }
    }
}

impl Transport for HttpTransport {
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, String> {
        let mut response = self
            .agent
            .post(url)
            .content_type(content_type)
            .send(body)
            .map_err(|e| format!("{url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered HTTP {}", response.status()));
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_LEN as u64)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))
    }
}
