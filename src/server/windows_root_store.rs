//! Windows: the local CA in the current user's Root store, which Chrome and Edge trust, through
//! CryptoAPI (the schannel crate's safe wrapper).
//!
//! Adding a root to the user's store makes Windows ask the user to confirm, once per CA: the
//! OS's own check that no program can trust a CA silently.

use schannel::cert_context::CertContext;
use schannel::cert_store::{CertAdd, CertStore};

/// PowerShell's name for the store, shown to the user.
pub const STORE_NAME: &str = r"Cert:\CurrentUser\Root";

fn open() -> Result<CertStore, String> {
    CertStore::open_current_user("Root").map_err(|e| format!("cannot open {STORE_NAME}: {e}"))
}

/// True when the certificate's subject common name is `name`.
fn named(certificate: &CertContext, name: &str) -> bool {
    x509_parser::parse_x509_certificate(certificate.to_der())
        .ok()
        .and_then(|(_, parsed)| {
            parsed
                .subject()
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok().map(|cn| cn == name))
        })
        .unwrap_or(false)
}

/// The DER of every certificate in the store whose subject common name is `name`.
pub fn find(name: &str) -> Result<Vec<Vec<u8>>, String> {
    let store = open()?;
    let found = store
        .certs()
        .filter(|c| named(c, name))
        .map(|c| c.to_der().to_vec())
        .collect();
    Ok(found)
}

/// Removes every certificate named `name`: an old CA must not stay trusted after renewal.
pub fn remove(name: &str) -> Result<usize, String> {
    let store = open()?;
    let ours: Vec<CertContext> = store.certs().filter(|c| named(c, name)).collect();
    let count = ours.len();
    for certificate in ours {
        certificate
            .delete()
            .map_err(|e| format!("cannot remove {name} from {STORE_NAME}: {e}"))?;
    }
    Ok(count)
}

/// Replaces the certificates named `name` with `ca_der`, then finds it again by that name.
pub fn install(ca_der: &[u8], name: &str) -> Result<(), String> {
    remove(name)?;
    let certificate =
        CertContext::new(ca_der).map_err(|e| format!("Windows cannot read the local CA: {e}"))?;
    {
        let mut store = open()?;
        let added = store
            .add_cert(&certificate, CertAdd::ReplaceExisting)
            .map_err(|e| format!("{STORE_NAME} refused the local CA (declined?): {e}"))?;
        // The name certmgr.msc shows; failing to set it does not make the CA less trusted.
        if let Err(e) = added.set_friendly_name(name) {
            tracing::warn!(error = %e, "cannot name the local CA in the Windows store");
        }
        // Closing the store here writes it out before it is opened again to check.
    }
    if find(name)?.iter().any(|der| der == ca_der) {
        Ok(())
    } else {
        Err(format!(
            "the local CA is not in {STORE_NAME} after adding it"
        ))
    }
}
