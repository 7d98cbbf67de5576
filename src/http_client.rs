//! The HTTP POST that carries timestamp requests to a TSA: blocking, plain http (NCA's TSA is
//! `http://`), with a whole-exchange timeout and a size limit on the answer.

use std::time::Duration;

use crate::timestamp::{Transport, MAX_RESPONSE_LEN};

/// How long one exchange with a TSA may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// A blocking HTTP client; call it from a blocking thread, never on the async workers.
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl HttpTransport {
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // A redirect could move a POST elsewhere: the configured URL is the only one asked.
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        HttpTransport { agent }
    }
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport::new(DEFAULT_TIMEOUT)
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
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{url} answered HTTP {status}"));
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_LEN as u64)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))
    }
}
