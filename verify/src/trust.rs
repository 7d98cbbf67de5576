//! The portal's trusted CAs and CRLs: path building leaf → intermediates → root, and revocation.

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};
use std::time::SystemTime;

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::error::{Result, VerifyError};
use crate::pubkey::{self, PublicKey};

/// Longest path tried (leaf + intermediates + root); NCA paths have three certificates.
const MAX_PATH: usize = 6;

/// Trusted roots, optional intermediates and CRLs, loaded from PEM or DER files.
///
/// CRL files are read again when they change (checked before each use), so an operator who
/// replaces a CRL file — atomically, by writing a new file and renaming it — needs no restart.
#[derive(Debug, Default)]
pub struct TrustStore {
    /// Self-signed certificates: a path must end in one of these.
    roots: Vec<Vec<u8>>,
    /// Configured CA certificates that are not self-signed: path material, not anchors.
    intermediates: Vec<Vec<u8>>,
    /// Behind a lock because a check (`&self`) may re-read a changed file.
    crls: RwLock<Vec<CrlSource>>,
    /// Asked first about the leaf; CRLs remain the fallback when it cannot answer.
    ocsp: Option<std::sync::Arc<crate::OcspChecker>>,
    /// Fetches a current CRL from the certificate's distribution point when the held one is out of date.
    cdp: Option<std::sync::Arc<crate::cdp::CdpFetcher>>,
}

impl Clone for TrustStore {
    fn clone(&self) -> Self {
        TrustStore {
            roots: self.roots.clone(),
            intermediates: self.intermediates.clone(),
            crls: RwLock::new(self.read_sources().clone()),
            ocsp: self.ocsp.clone(),
            cdp: self.cdp.clone(),
        }
    }
}

/// CRLs given as bytes (`path` None) or read from a file, with what the file looked like then.
#[derive(Debug, Clone)]
struct CrlSource {
    path: Option<PathBuf>,
    /// The distribution point it was fetched from.
    url: Option<String>,
    stamp: Option<FileStamp>,
    ders: Vec<Vec<u8>>,
}

/// A file's modification time and length: either changing means "read it again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl FileStamp {
    fn of(path: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
        Ok(FileStamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        })
    }
}

impl CrlSource {
    /// Reads the file again when its stamp changed; an unreadable file is an error, never an
    /// empty list, so a broken CRL file refuses logins instead of skipping revocation.
    fn refresh(&mut self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let unusable = |e: VerifyError| VerifyError::BadCrl {
            issuer: path.display().to_string(),
            why: format!("the file changed and cannot be used ({e})"),
        };
        let stamp = FileStamp::of(path).map_err(unusable)?;
        if self.stamp == Some(stamp) {
            return Ok(());
        }
        self.ders = read_crls(path).map_err(unusable)?;
        self.stamp = Some(stamp);
        Ok(())
    }

    /// True when the file is unchanged since it was read (or the CRLs came as bytes).
    fn is_fresh(&self) -> bool {
        match &self.path {
            None => true,
            Some(path) => FileStamp::of(path).ok() == self.stamp,
        }
    }
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every certificate of a PEM bundle or one DER certificate; returns how many.
    pub fn add_ca_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        let ders = read_objects(path.as_ref(), "CERTIFICATE")?;
        for der in &ders {
            self.add_ca_der(der)?;
        }
        Ok(ders.len())
    }

    /// Adds one CA certificate: self-signed ones become trust anchors, others intermediates.
    pub fn add_ca_der(&mut self, der: &[u8]) -> Result<()> {
        let cert = parse_cert(der).map_err(VerifyError::Malformed)?;
        let self_signed = cert.subject().as_raw() == cert.issuer().as_raw()
            && check_signed_by(&cert, &cert).is_ok();
        if self_signed {
            self.roots.push(der.to_vec());
        } else {
            self.intermediates.push(der.to_vec());
        }
        Ok(())
    }

    /// Adds every CRL of a PEM file or one DER CRL, and re-reads the file whenever it changes;
    /// returns how many CRLs it holds now.
    pub fn add_crl_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        let path = path.as_ref();
        let stamp = FileStamp::of(path)?;
        let ders = read_crls(path)?;
        let count = ders.len();
        self.crl_sources().push(CrlSource {
            path: Some(path.to_path_buf()),
            url: None,
            stamp: Some(stamp),
            ders,
        });
        Ok(count)
    }

    /// Adds one DER CRL; its signature is checked when it is used, against the path's CA.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<()> {
        check_crl(der)?;
        self.crl_sources().push(CrlSource {
            path: None,
            url: None,
            stamp: None,
            ders: vec![der.to_vec()],
        });
        Ok(())
    }

    /// Checks the leaf's revocation with OCSP before (and instead of) the CRLs.
    pub fn set_ocsp(&mut self, checker: std::sync::Arc<crate::OcspChecker>) {
        self.ocsp = Some(checker);
    }

    /// When the CRLs held for a certificate's issuer are out of date (past nextUpdate) or
    /// missing, fetches one from the certificate's `http://` CRL distribution point; a fetched
    /// CRL is used only when its issuer signed it and it is current.
    pub fn refresh_crls_from_cdp(&mut self) {
        self.cdp = Some(std::sync::Arc::new(crate::cdp::CdpFetcher::default()));
    }

    pub fn roots(&self) -> usize {
        self.roots.len()
    }

    fn crl_sources(&mut self) -> std::sync::RwLockWriteGuard<'_, Vec<CrlSource>> {
        self.crls.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_sources(&self) -> std::sync::RwLockReadGuard<'_, Vec<CrlSource>> {
        // Every write replaces a source's CRLs whole: a panic cannot leave half a list.
        self.crls.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The CRLs as they are now: files that changed since they were read are read again first.
    fn current_crls(&self) -> Result<std::sync::RwLockReadGuard<'_, Vec<CrlSource>>> {
        {
            let sources = self.read_sources();
            if sources.iter().all(CrlSource::is_fresh) {
                return Ok(sources);
            }
        }
        {
            let mut sources = self.crls.write().unwrap_or_else(PoisonError::into_inner);
            // A failed re-read leaves the old stamp, so the next check tries again.
            for source in sources.iter_mut() {
                source.refresh()?;
            }
        }
        Ok(self.read_sources())
    }

    /// Builds a path from `leaf` to a configured root (using `extra` certificates, e.g. from a
    /// CMS, as intermediates only), then checks revocation when CRLs are configured.
    ///
    /// Returns the path, leaf first.
    pub fn check_path(
        &self,
        leaf: &[u8],
        extra: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Result<Vec<Vec<u8>>> {
        if self.roots.is_empty() {
            return Err(VerifyError::UntrustedChain(
                "no trusted CA certificate is configured".into(),
            ));
        }
        let pool: Vec<&[u8]> = self
            .roots
            .iter()
            .chain(&self.intermediates)
            .chain(extra)
            .map(Vec::as_slice)
            .collect();
        let mut path = vec![leaf];
        self.extend(&mut path, &pool, now)?;
        self.check_revocation(&path, now)?;
        Ok(path.into_iter().map(<[u8]>::to_vec).collect())
    }

    /// Depth-first search for an issuer chain ending at a root; the last failure explains why.
    fn extend<'p>(
        &self,
        path: &mut Vec<&'p [u8]>,
        pool: &[&'p [u8]],
        now: OffsetDateTime,
    ) -> Result<()> {
        let current_der = path[path.len() - 1];
        if path.len() > 1 && self.roots.iter().any(|r| r == current_der) {
            return Ok(());
        }
        let current = parse_cert(current_der).map_err(VerifyError::BadCertificate)?;
        let mut why = format!(
            "no configured CA certificate is the issuer {:?}",
            current.issuer().to_string()
        );
        if path.len() >= MAX_PATH {
            return Err(VerifyError::UntrustedChain(format!(
                "no trusted root within {MAX_PATH} certificates"
            )));
        }
        for &candidate_der in pool {
            if path.contains(&candidate_der) {
                continue;
            }
            let Ok(candidate) = parse_cert(candidate_der) else {
                continue;
            };
            if candidate.subject().as_raw() != current.issuer().as_raw() {
                continue;
            }
            let name = candidate.subject().to_string();
            // Certificates below this candidate, excluding the leaf: what pathLen limits.
            let intermediates_below = path.len() - 1;
            if let Err(problem) = ca_problem(&candidate, intermediates_below, now) {
                why = format!("{name:?} {problem}");
                continue;
            }
            match check_signed_by(&current, &candidate) {
                Ok(()) => {}
                Err(e @ VerifyError::UnsupportedAlgorithm(_)) => return Err(e),
                Err(_) => {
                    why = format!("the signature by {name:?} does not verify");
                    continue;
                }
            }
            path.push(candidate_der);
            match self.extend(path, pool, now) {
                Ok(()) => return Ok(()),
                Err(VerifyError::UntrustedChain(deeper)) => why = deeper,
                Err(other) => return Err(other),
            }
            path.pop();
        }
        Err(VerifyError::UntrustedChain(why))
    }

    /// Each certificate below the root is checked against its issuer's CRLs, when any is
    /// configured; the leaf's issuer must have one once any CRL is configured. A certificate on an
    /// authentic CRL is revoked however old that CRL is; otherwise one of the issuer's CRLs must be
    /// current (thisUpdate <= now <= nextUpdate), or revocation is unknown and the path refused.
    fn check_revocation(&self, path: &[&[u8]], now: OffsetDateTime) -> Result<()> {
        let first = self.check_revocation_with_held(path, now);
        let issuer = match (&first, &self.cdp) {
            (
                Err(VerifyError::BadCrl { issuer, .. } | VerifyError::RevocationUnknown { issuer }),
                Some(_),
            ) => issuer.clone(),
            _ => return first,
        };
        if self.fetch_from_cdp(path, &issuer, now) {
            self.check_revocation_with_held(path, now)
        } else {
            first
        }
    }

    /// Fetches a current CRL for the certificate of `path` issued by `issuer_name` from its
    /// distribution point and holds it (replacing one from the same URL); true when one came.
    fn fetch_from_cdp(&self, path: &[&[u8]], issuer_name: &str, now: OffsetDateTime) -> bool {
        let Some(cdp) = &self.cdp else {
            return false;
        };
        for pair in path.windows(2) {
            let (Ok(cert), Ok(issuer)) = (parse_cert(pair[0]), parse_cert(pair[1])) else {
                continue;
            };
            if issuer.subject().to_string() != issuer_name {
                continue;
            }
            for url in crate::cdp::urls(&cert) {
                if let Ok(der) = cdp.fetch(&url, &issuer, now) {
                    let mut sources = self.crl_sources_shared();
                    sources.retain(|s| s.url.as_deref() != Some(url.as_str()));
                    sources.push(CrlSource {
                        path: None,
                        url: Some(url),
                        stamp: None,
                        ders: vec![der],
                    });
                    return true;
                }
            }
        }
        false
    }

    fn crl_sources_shared(&self) -> std::sync::RwLockWriteGuard<'_, Vec<CrlSource>> {
        self.crls.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Revocation with the CRLs held now (and OCSP for the leaf).
    fn check_revocation_with_held(&self, path: &[&[u8]], now: OffsetDateTime) -> Result<()> {
        let leaf_by_ocsp = self.check_ocsp(path, now)?;
        let sources = self.current_crls()?;
        if sources.is_empty() {
            return match (&self.ocsp, leaf_by_ocsp) {
                (Some(_), Err(why)) => Err(VerifyError::OcspFailed(why)),
                _ => Ok(()),
            };
        }
        let crls: Vec<&[u8]> = sources
            .iter()
            .flat_map(|s| s.ders.iter().map(Vec::as_slice))
            .collect();
        for (index, pair) in path.windows(2).enumerate() {
            if index == 0 && leaf_by_ocsp.is_ok() {
                continue;
            }
            let cert = parse_cert(pair[0]).map_err(VerifyError::BadCertificate)?;
            let issuer = parse_cert(pair[1]).map_err(VerifyError::BadCertificate)?;
            let issuer_name = issuer.subject().to_string();
            let bad_crl = |why: String| VerifyError::BadCrl {
                issuer: issuer_name.clone(),
                why,
            };
            let mut covered = false;
            let mut out_of_date = None;
            for crl_der in &crls {
                let Ok((_, crl)) = CertificateRevocationList::from_der(crl_der) else {
                    continue;
                };
                if crl.issuer().as_raw() != issuer.subject().as_raw() {
                    continue;
                }
                pubkey::verify(
                    &PublicKey::of(&issuer),
                    &crl.signature_algorithm.algorithm.to_id_string(),
                    None,
                    crl.tbs_cert_list.as_ref(),
                    &crl.signature_value.data,
                )
                .map_err(|e| bad_crl(format!("its signature does not verify ({e})")))?;
                if crl
                    .iter_revoked_certificates()
                    .any(|r| r.raw_serial() == cert.raw_serial())
                {
                    return Err(VerifyError::Revoked {
                        serial: cert.raw_serial_as_string(),
                    });
                }
                match crl_freshness(&crl, now) {
                    Ok(()) => covered = true,
                    Err(why) => out_of_date = Some(why),
                }
            }
            if covered {
                continue;
            }
            if let Some(why) = out_of_date {
                return Err(bad_crl(why));
            }
            if index == 0 {
                return Err(VerifyError::RevocationUnknown {
                    issuer: issuer_name,
                });
            }
        }
        Ok(())
    }
}

impl TrustStore {
    /// OCSP about the leaf: `Ok(Ok(()))` good, `Ok(Err(why))` no usable answer (CRLs decide),
    /// `Err` revoked or unknown to its CA.
    fn check_ocsp(
        &self,
        path: &[&[u8]],
        now: OffsetDateTime,
    ) -> Result<std::result::Result<(), String>> {
        let (Some(ocsp), [leaf, issuer, ..]) = (&self.ocsp, path) else {
            return Ok(Err("no OCSP responder is configured".into()));
        };
        match ocsp.status(leaf, issuer, now.into()) {
            Ok(answer) => match answer.status {
                qoltanba_core::ocsp::Status::Good => Ok(Ok(())),
                qoltanba_core::ocsp::Status::Revoked { .. } => {
                    let cert = parse_cert(leaf).map_err(VerifyError::BadCertificate)?;
                    Err(VerifyError::Revoked {
                        serial: cert.raw_serial_as_string(),
                    })
                }
                qoltanba_core::ocsp::Status::Unknown => Err(VerifyError::OcspUnknown),
            },
            Err(e) => Ok(Err(e.to_string())),
        }
    }
}

/// Why a CRL cannot vouch for `now`: issued later (thisUpdate in the future), past its
/// nextUpdate, or without a nextUpdate (its freshness cannot be judged).
pub(crate) fn crl_freshness(
    crl: &CertificateRevocationList<'_>,
    now: OffsetDateTime,
) -> Result<(), String> {
    let this_update = crl.last_update().to_datetime();
    if this_update > now {
        return Err(format!(
            "it is not valid yet (thisUpdate {this_update} is after now, {now}): check the clock"
        ));
    }
    let Some(next_update) = crl.next_update().map(|t| t.to_datetime()) else {
        return Err("it has no nextUpdate, so its freshness cannot be judged".into());
    };
    if next_update < now {
        return Err(format!(
            "it is out of date (next update was {next_update}): fetch the CA's current CRL"
        ));
    }
    Ok(())
}

/// Why `ca` cannot issue here: not a CA, no keyCertSign, pathLen exceeded, or outside validity.
fn ca_problem(
    ca: &X509Certificate<'_>,
    intermediates_below: usize,
    now: OffsetDateTime,
) -> Result<(), String> {
    let constraints = ca
        .basic_constraints()
        .map_err(|e| format!("has unreadable basicConstraints: {e}"))?;
    let Some(constraints) = constraints.filter(|c| c.value.ca) else {
        return Err("is not a CA certificate".into());
    };
    if let Some(limit) = constraints.value.path_len_constraint {
        if intermediates_below > limit as usize {
            return Err(format!("allows only {limit} intermediate CA(s) below it"));
        }
    }
    if let Ok(Some(usage)) = ca.key_usage() {
        if !usage.value.key_cert_sign() {
            return Err("may not sign certificates (keyUsage)".into());
        }
    }
    let validity = ca.validity();
    if now < validity.not_before.to_datetime() || now > validity.not_after.to_datetime() {
        return Err(format!(
            "is not valid at {now} (valid {} to {})",
            validity.not_before, validity.not_after
        ));
    }
    Ok(())
}

fn check_signed_by(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Result<()> {
    pubkey::verify(
        &PublicKey::of(issuer),
        &cert.signature_algorithm.algorithm.to_id_string(),
        None,
        cert.tbs_certificate.as_ref(),
        &cert.signature_value.data,
    )
}

pub(crate) fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => Err("trailing bytes after the certificate".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> VerifyError {
    VerifyError::Io {
        path: path.display().to_string(),
        why: e.to_string(),
    }
}

/// Fails unless `der` is one CRL.
fn check_crl(der: &[u8]) -> Result<()> {
    CertificateRevocationList::from_der(der)
        .map(|_| ())
        .map_err(|e| VerifyError::Malformed(format!("not a CRL: {e}")))
}

/// Every CRL of a PEM file, or the file as one DER CRL; each must parse.
fn read_crls(path: &Path) -> Result<Vec<Vec<u8>>> {
    let ders = read_objects(path, "X509 CRL")?;
    for der in &ders {
        check_crl(der).map_err(|e| VerifyError::Malformed(format!("{}: {e}", path.display())))?;
    }
    Ok(ders)
}

/// The DER objects of a file: every PEM block with `label`, or the whole file as DER.
fn read_objects(path: &Path, label: &str) -> Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Ok(vec![bytes]);
    }
    let mut found = Vec::new();
    for pem in Pem::iter_from_buffer(&bytes) {
        let pem =
            pem.map_err(|e| VerifyError::Malformed(format!("{}: bad PEM: {e}", path.display())))?;
        if pem.label == label {
            found.push(pem.contents);
        }
    }
    if found.is_empty() {
        return Err(VerifyError::Malformed(format!(
            "{}: no {label} PEM block",
            path.display()
        )));
    }
    Ok(found)
}
