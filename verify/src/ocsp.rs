//! OCSP as a revocation source beside CRLs: the responder from the certificate's AIA (or a
//! configured one), answers checked by the core (`qoltanba_core::ocsp`), kept a short while per
//! certificate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use der::Decode;
use qoltanba_core::ocsp::{Answer, OcspError, OcspQuery};
use qoltanba_core::timestamp::Transport;
use sha2::Digest as _;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
use x509_cert::Certificate;

/// A whole exchange with an OCSP responder, connection included, must end within this.
const OCSP_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a good answer is reused for the same certificate (never past its nextUpdate).
pub const CACHE_FOR: Duration = Duration::from_secs(5 * 60);
const ID_PE_AUTHORITY_INFO_ACCESS: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const ID_AD_OCSP: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

/// Asks OCSP responders about certificates and remembers the answers briefly.
pub struct OcspChecker {
    /// `--ocsp URL`: used for every certificate; otherwise the certificate's AIA.
    responder: Option<String>,
    transport: Arc<dyn Transport>,
    /// SHA-256 of the certificate's DER -> the answer and until when it is reused.
    cache: Mutex<HashMap<[u8; 32], (Answer, SystemTime)>>,
}

impl std::fmt::Debug for OcspChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspChecker")
            .field("responder", &self.responder)
            .finish()
    }
}

impl OcspChecker {
    /// Over plain HTTP (NCA's responder is `http://ocsp.pki.gov.kz`).
    pub fn new(responder: Option<String>) -> Self {
        Self::with_transport(
            responder,
            Arc::new(qoltanba_http::HttpTransport::new(OCSP_TIMEOUT)),
        )
    }

    /// With the caller's transport (a portal with its own HTTP client, or a test).
    pub fn with_transport(responder: Option<String>, transport: Arc<dyn Transport>) -> Self {
        OcspChecker {
            responder,
            transport,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The checked status of `cert` (issued by `issuer`) at `now`, from the cache when fresh.
    pub fn status(&self, cert: &[u8], issuer: &[u8], now: SystemTime) -> Result<Answer, OcspError> {
        let key: [u8; 32] = sha2::Sha256::digest(cert).into();
        if let Some((answer, until)) = self.cache().get(&key) {
            if now <= *until && now >= answer.this_update {
                return Ok(answer.clone());
            }
        }
        let url = match &self.responder {
            Some(url) => url.clone(),
            None => aia_ocsp_url(cert).ok_or_else(|| {
                OcspError::Unavailable("no OCSP responder: none configured, none in the AIA".into())
            })?,
        };
        let query = OcspQuery::new(cert, issuer)?;
        let response = self
            .transport
            .post(&url, "application/ocsp-request", query.der())
            .map_err(OcspError::Unavailable)?;
        let answer = query.check_response(&response, now)?;
        let until = answer
            .next_update
            .map_or(now + CACHE_FOR, |next| next.min(now + CACHE_FOR));
        self.cache().insert(key, (answer.clone(), until));
        Ok(answer)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (Answer, SystemTime)>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The first http OCSP URL in the certificate's Authority Information Access.
pub fn aia_ocsp_url(cert: &[u8]) -> Option<String> {
    let cert = Certificate::from_der(cert).ok()?;
    let extension = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == ID_PE_AUTHORITY_INFO_ACCESS)?;
    let access = AuthorityInfoAccessSyntax::from_der(extension.extn_value.as_bytes()).ok()?;
    access.0.iter().find_map(|description| {
        match (&description.access_method, &description.access_location) {
            (method, GeneralName::UniformResourceIdentifier(uri)) if *method == ID_AD_OCSP => {
                Some(uri.to_string())
            }
            _ => None,
        }
    })
}
