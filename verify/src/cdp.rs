//! CRLs fetched from a certificate's CRL distribution point (plain http) when the held CRL of
//! its issuer has passed its nextUpdate, so a portal's CRLs stay current without an operator.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::pubkey::{self, PublicKey};

/// Largest CRL read from a distribution point (NCA's full CRLs are tens of megabytes at most).
pub const MAX_CRL_LEN: u64 = 64 * 1024 * 1024;
/// How long a distribution point is left alone after a try, so a dead one is not hammered.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);
/// How long one download may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Downloads CRLs from distribution points, at most once per [`RETRY_AFTER`] per URL.
pub struct CdpFetcher {
    http: qoltanba_http::HttpTransport,
    tried: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for CdpFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdpFetcher").finish_non_exhaustive()
    }
}

impl Default for CdpFetcher {
    fn default() -> Self {
        CdpFetcher {
            http: qoltanba_http::HttpTransport::new(TIMEOUT),
            tried: Mutex::new(HashMap::new()),
        }
    }
}

impl CdpFetcher {
    /// A CRL from `url` that `issuer` signed and that is current at `now`, or why not.
    pub(crate) fn fetch(
        &self,
        url: &str,
        issuer: &X509Certificate<'_>,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, String> {
        {
            let mut tried = self.tried.lock().unwrap_or_else(|e| e.into_inner());
            if tried.get(url).is_some_and(|at| at.elapsed() < RETRY_AFTER) {
                return Err(format!("{url} was tried less than {RETRY_AFTER:?} ago"));
            }
            tried.insert(url.to_string(), Instant::now());
        }
        let der = self.http.get(url, MAX_CRL_LEN)?;
        let crl = match CertificateRevocationList::from_der(&der) {
            Ok(([], crl)) => crl,
            Ok(_) => return Err(format!("{url}: trailing bytes after the CRL")),
            Err(e) => return Err(format!("{url}: not a DER CRL: {e}")),
        };
        if crl.issuer().as_raw() != issuer.subject().as_raw() {
            return Err(format!("{url}: the CRL is not the issuer's"));
        }
        pubkey::verify(
            &PublicKey::of(issuer),
            &crl.signature_algorithm.algorithm.to_id_string(),
            None,
            crl.tbs_cert_list.as_ref(),
            &crl.signature_value.data,
        )
        .map_err(|e| format!("{url}: the CRL's signature does not verify ({e})"))?;
        crate::trust::crl_freshness(&crl, now).map_err(|why| format!("{url}: {why}"))?;
        Ok(der)
    }
}

/// The certificate's `http://` CRL distribution points.
pub(crate) fn urls(cert: &X509Certificate<'_>) -> Vec<String> {
    let mut found = Vec::new();
    for extension in cert.extensions() {
        let ParsedExtension::CRLDistributionPoints(points) = extension.parsed_extension() else {
            continue;
        };
        for point in points.iter() {
            let Some(DistributionPointName::FullName(names)) = &point.distribution_point else {
                continue;
            };
            for name in names {
                if let GeneralName::URI(uri) = name {
                    if uri.starts_with("http://") {
                        found.push((*uri).to_string());
                    }
                }
            }
        }
    }
    found
}
