//! The portal's trusted CAs and CRLs: path building leaf → intermediates → root, and revocation.

use std::path::Path;

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
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Self-signed certificates: a path must end in one of these.
    roots: Vec<Vec<u8>>,
    /// Configured CA certificates that are not self-signed: path material, not anchors.
    intermediates: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
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

    /// Adds every CRL of a PEM file or one DER CRL; returns how many.
    pub fn add_crl_file(&mut self, path: impl AsRef<Path>) -> Result<usize> {
        let ders = read_objects(path.as_ref(), "X509 CRL")?;
        for der in &ders {
            self.add_crl_der(der)?;
        }
        Ok(ders.len())
    }

    /// Adds one DER CRL; its signature is checked when it is used, against the path's CA.
    pub fn add_crl_der(&mut self, der: &[u8]) -> Result<()> {
        CertificateRevocationList::from_der(der)
            .map_err(|e| VerifyError::Malformed(format!("not a CRL: {e}")))?;
        self.crls.push(der.to_vec());
        Ok(())
    }

    pub fn roots(&self) -> usize {
        self.roots.len()
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

    /// Each certificate below the root is checked against its issuer's CRL, when one is configured;
    /// the leaf's issuer must have one once any CRL is configured.
    fn check_revocation(&self, path: &[&[u8]], now: OffsetDateTime) -> Result<()> {
        if self.crls.is_empty() {
            return Ok(());
        }
        for (index, pair) in path.windows(2).enumerate() {
            let cert = parse_cert(pair[0]).map_err(VerifyError::BadCertificate)?;
            let issuer = parse_cert(pair[1]).map_err(VerifyError::BadCertificate)?;
            let issuer_name = issuer.subject().to_string();
            let mut covered = false;
            for crl_der in &self.crls {
                let Ok((_, crl)) = CertificateRevocationList::from_der(crl_der) else {
                    continue;
                };
                if crl.issuer().as_raw() != issuer.subject().as_raw() {
                    continue;
                }
                let bad_crl = |why: String| VerifyError::BadCrl {
                    issuer: issuer_name.clone(),
                    why,
                };
                pubkey::verify(
                    &PublicKey::of(&issuer),
                    &crl.signature_algorithm.algorithm.to_id_string(),
                    None,
                    crl.tbs_cert_list.as_ref(),
                    &crl.signature_value.data,
                )
                .map_err(|e| bad_crl(format!("its signature does not verify ({e})")))?;
                if let Some(next) = crl.next_update() {
                    if next.to_datetime() < now {
                        return Err(bad_crl(format!(
                            "it is out of date (next update was {})",
                            next.to_datetime()
                        )));
                    }
                }
                covered = true;
                if crl
                    .iter_revoked_certificates()
                    .any(|r| r.raw_serial() == cert.raw_serial())
                {
                    return Err(VerifyError::Revoked {
                        serial: cert.raw_serial_as_string(),
                    });
                }
            }
            if !covered && index == 0 {
                return Err(VerifyError::RevocationUnknown {
                    issuer: issuer_name,
                });
            }
        }
        Ok(())
    }
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

/// The DER objects of a file: every PEM block with `label`, or the whole file as DER.
fn read_objects(path: &Path, label: &str) -> Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path).map_err(|e| VerifyError::Io {
        path: path.display().to_string(),
        why: e.to_string(),
    })?;
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
