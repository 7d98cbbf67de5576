//! The HTTP POST of timestamp (RFC 3161) and OCSP (RFC 6960) requests and the GET of CRLs: blocking and plain http, never TLS, never async.
//!
//! NCA's TSA and OCSP responder are `http://` services and their answers are signed, so TLS adds
//! nothing; a whole exchange has one deadline, no redirect is followed (a redirect could move the
//! POST elsewhere) and the answer is read up to the core's size limit. Call it from a blocking
//! thread, never on async workers.
//!
//! ```no_run
//! use qoltanba_core::timestamp::Transport;
//! use qoltanba_http::HttpTransport;
//!
//! let answer = HttpTransport::default().post("http://tsp.pki.gov.kz", "application/timestamp-query", b"...");
//! assert!(answer.is_err() || !answer.unwrap().is_empty());
//! ```
#![forbid(unsafe_code)]

use std::time::Duration;

use qoltanba_core::timestamp::{Transport, MAX_RESPONSE_LEN};

/// How long one exchange may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// A blocking plain-HTTP client for TSA and OCSP requests.
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl HttpTransport {
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        HttpTransport { agent }
    }
}

impl HttpTransport {
    /// GETs `url` (a CRL distribution point), reading at most `limit` bytes of the answer.
    pub fn get(&self, url: &str, limit: u64) -> Result<Vec<u8>, String> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{url} answered HTTP {status}"));
        }
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))
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
