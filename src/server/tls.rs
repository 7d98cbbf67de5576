//! wss:// on the same port: a local CA in the config dir, a 127.0.0.1/localhost certificate,
//! and installing the CA into the browsers' NSS trust stores.
//!
//! The CA's private key lives only in memory while it signs the server certificate: nothing on
//! this computer can mint another certificate under the CA the browsers trust. Renewing makes a
//! new CA, which the user must trust again.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
#[cfg(not(windows))]
use std::process::Command;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
    SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::private_file::{create_private_dir, write_private};

/// The name the CA gets in trust stores (and that `certutil -D -n` removes).
pub const CA_NICKNAME: &str = "Qoltanba local CA";
const CA_FILE: &str = "ca.pem";
/// Where versions before the key was destroyed kept the CA's private key.
const OLD_CA_KEY_FILE: &str = "ca-key.pem";
/// Holds the SHA-256 of the CA whose key was dropped after signing; absent in older installs.
const KEY_DESTROYED_MARKER: &str = "ca-key-destroyed";
const SERVER_FILE: &str = "server.pem";
const SERVER_KEY_FILE: &str = "server-key.pem";
const INSTALLED_MARKER: &str = "installed";
/// A server certificate this close to expiry is replaced (with a new CA) at start.
const RENEW_BEFORE: Duration = Duration::days(30);
/// Browsers refuse server certificates valid for more than 825 days.
const SERVER_VALIDITY: Duration = Duration::days(820);
/// Earlier Qoltanba CAs `install` removes from one trust store at most (renewals, migrations).
#[cfg(not(windows))]
const MAX_OLD_CAS: usize = 16;

/// Why the local TLS files could not be made, read or installed.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not create the local certificates: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("{} is not a usable PEM file: {reason}", path.display())]
    Pem { path: PathBuf, reason: String },
    #[error("the TLS configuration was refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where the TLS files of a config dir live.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub dir: PathBuf,
}

impl TlsFiles {
    pub fn new(config_dir: &Path) -> Self {
        TlsFiles {
            dir: config_dir.join("tls"),
        }
    }
    pub fn ca(&self) -> PathBuf {
        self.dir.join(CA_FILE)
    }
    pub fn server(&self) -> PathBuf {
        self.dir.join(SERVER_FILE)
    }
    pub fn server_key(&self) -> PathBuf {
        self.dir.join(SERVER_KEY_FILE)
    }
    /// True once `init` has run.
    pub fn exist(&self) -> bool {
        self.ca().exists() && self.server().exists() && self.server_key().exists()
    }
    /// True once `install` put the CA into at least one trust store.
    pub fn installed(&self) -> bool {
        self.dir.join(INSTALLED_MARKER).exists()
    }
    fn old_ca_key(&self) -> PathBuf {
        self.dir.join(OLD_CA_KEY_FILE)
    }
    fn key_destroyed_marker(&self) -> PathBuf {
        self.dir.join(KEY_DESTROYED_MARKER)
    }
}

/// What `prepare` did; anything but `Kept` means browsers must be told to trust the new CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issued {
    /// The existing CA and server certificate stay.
    Kept,
    /// There were no certificates: a first CA.
    Created,
    /// The server certificate was close to expiry, or a new CA was asked for.
    Renewed,
    /// The CA came from a version that kept its private key (on disk or in the keychain); it
    /// was replaced and the key file deleted.
    ReplacedOldCa,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates the local CA and the 127.0.0.1/localhost certificate (kept if usable unless `force`).
pub fn init(config_dir: &Path, force: bool) -> Result<TlsFiles, TlsError> {
    prepare(config_dir, force).map(|(files, _)| files)
}

/// Makes sure a usable server certificate exists under a CA whose key is gone, and says what
/// changed so the caller can ask the user to trust a new CA.
pub fn prepare(config_dir: &Path, force: bool) -> Result<(TlsFiles, Issued), TlsError> {
    prepare_at(config_dir, force, OffsetDateTime::now_utc())
}

fn prepare_at(
    config_dir: &Path,
    force: bool,
    now: OffsetDateTime,
) -> Result<(TlsFiles, Issued), TlsError> {
    let files = TlsFiles::new(config_dir);
    create_private_dir(config_dir).map_err(io_error(config_dir))?;
    create_private_dir(&files.dir).map_err(io_error(&files.dir))?;
    let issued = if !files.exist() {
        Issued::Created
    } else if kept_its_key(&files) {
        Issued::ReplacedOldCa
    } else if force || renewal_due(&files, now) {
        Issued::Renewed
    } else {
        return Ok((files, Issued::Kept));
    };
    issue(&files, now)?;
    match std::fs::remove_file(files.old_ca_key()) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(io_error(&files.old_ca_key())(e))
        }
        _ => {}
    }
    match issued {
        Issued::ReplacedOldCa => tracing::warn!(
            "the local CA's private key was kept by an older version: replaced by a new CA \
             whose key is destroyed; trust it again (`qoltanba tls install` or the tray's \
             \"Trust the local certificate\")"
        ),
        Issued::Renewed => tracing::warn!(
            "the local certificate was renewed under a new CA; trust it again \
             (`qoltanba tls install` or the tray's \"Trust the local certificate\")"
        ),
        _ => tracing::info!(ca = %files.ca().display(), "local CA created"),
    }
    Ok((files, issued))
}

/// True for installs whose CA key may still exist: a key file, or no proof it was destroyed.
fn kept_its_key(files: &TlsFiles) -> bool {
    if files.old_ca_key().exists() {
        return true;
    }
    let proof = std::fs::read_to_string(files.key_destroyed_marker()).unwrap_or_default();
    match CertificateDer::from_pem_file(files.ca()) {
        Ok(ca) => proof.trim() != fingerprint(&ca),
        Err(_) => true,
    }
}

/// True when the server certificate expires within `RENEW_BEFORE` (or cannot be read).
fn renewal_due(files: &TlsFiles, now: OffsetDateTime) -> bool {
    let Ok(leaf) = CertificateDer::from_pem_file(files.server()) else {
        return true;
    };
    match x509_parser::parse_x509_certificate(&leaf) {
        Ok((_, cert)) => cert.validity().not_after.to_datetime() - now < RENEW_BEFORE,
        Err(_) => true,
    }
}

fn fingerprint(certificate: &CertificateDer<'_>) -> String {
    hex::encode(Sha256::digest(certificate.as_ref()))
}

/// Writes a new CA and server certificate; the CA's key is dropped when this returns.
fn issue(files: &TlsFiles, now: OffsetDateTime) -> Result<(), TlsError> {
    // First, so a crash below never leaves a new CA marked as trusted.
    match std::fs::remove_file(files.dir.join(INSTALLED_MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(io_error(&files.dir.join(INSTALLED_MARKER))(e))
        }
        _ => {}
    }
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NICKNAME);
    name.push(DnType::OrganizationName, "Qoltanba (this computer only)");
    // Each CA gets its own subject, so trust stores never confuse a renewed CA with the old one.
    let created = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    name.push(DnType::OrganizationalUnitName, format!("created {created}"));
    ca.distinguished_name = name;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 1], [255, 255, 255, 255])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(Ipv6Addr::LOCALHOST.octets(), [0xff; 16])),
        ],
        excluded_subtrees: Vec::new(),
    });
    ca.not_before = now - Duration::days(1);
    ca.not_after = now + SERVER_VALIDITY + Duration::days(1);
    let ca_cert = ca.self_signed(&ca_key)?;

    let server_key = KeyPair::generate()?;
    let mut server = CertificateParams::new(vec!["localhost".to_string()])?;
    server
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    server
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "127.0.0.1");
    server.distinguished_name = name;
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.use_authority_key_identifier_extension = true;
    server.not_before = now - Duration::days(1);
    server.not_after = now + SERVER_VALIDITY;
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key)?;
    // The one signature this CA will ever make is done.
    drop(ca_key);

    let write = |path: PathBuf, contents: &str| {
        write_private(&path, contents.as_bytes()).map_err(io_error(&path))
    };
    write(files.server_key(), &server_key.serialize_pem())?;
    write(
        files.server(),
        &format!("{}{}", server_cert.pem(), ca_cert.pem()),
    )?;
    write(files.ca(), &ca_cert.pem())?;
    write(files.key_destroyed_marker(), &fingerprint(ca_cert.der()))
}

/// The rustls configuration for wss://, from the files `init` wrote.
pub fn server_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let pem_error = |path: PathBuf| {
        move |e: rustls::pki_types::pem::Error| TlsError::Pem {
            path,
            reason: e.to_string(),
        }
    };
    let chain = CertificateDer::pem_file_iter(files.server())
        .map_err(pem_error(files.server()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error(files.server()))?;
    let key =
        PrivateKeyDer::from_pem_file(files.server_key()).map_err(pem_error(files.server_key()))?;
    // Named, not process-default: a program linking rustls with two providers has no default.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// NSS databases (cert9.db) of Chrome/Chromium and Firefox profiles under `home`.
pub fn nss_databases(home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let chrome = home.join(".pki/nssdb");
    if chrome.join("cert9.db").exists() {
        found.push(chrome);
    }
    for profiles in [
        ".mozilla/firefox",
        "snap/firefox/common/.mozilla/firefox",
        ".var/app/org.mozilla.firefox/.mozilla/firefox",
    ] {
        let Ok(entries) = std::fs::read_dir(home.join(profiles)) else {
            continue;
        };
        let mut profiles: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("cert9.db").exists())
            .collect();
        profiles.sort();
        found.extend(profiles);
    }
    found
}

/// What `install` did for one trust store.
#[derive(Debug)]
pub struct Installed {
    pub database: PathBuf,
    pub result: Result<(), String>,
}

/// Adds the local CA to the user's trust stores (NSS databases under `home` on Linux; the Root
/// store and Firefox's enterprise-roots preference on Windows), after removing the Qoltanba CAs
/// it replaces.
pub fn install(files: &TlsFiles, home: &Path) -> Vec<Installed> {
    #[cfg(not(windows))]
    let results: Vec<Installed> = nss_databases(home)
        .into_iter()
        .map(|database| {
            let result = remove_old_cas(&database).and_then(|()| add_ca(files, &database));
            Installed { database, result }
        })
        .collect();
    #[cfg(windows)]
    let results = {
        let _ = home;
        install_windows(files)
    };
    if results.iter().any(|r| r.result.is_ok()) {
        let marker = files.dir.join(INSTALLED_MARKER);
        if let Err(e) = write_private(&marker, b"") {
            tracing::warn!(path = %marker.display(), error = %e, "cannot record the trust step");
        }
    }
    results
}

/// Removes every Qoltanba CA from the trust stores `install` uses.
pub fn uninstall(files: &TlsFiles, home: &Path) -> Vec<Installed> {
    #[cfg(not(windows))]
    let results: Vec<Installed> = nss_databases(home)
        .into_iter()
        .map(|database| {
            let result = remove_old_cas(&database);
            Installed { database, result }
        })
        .collect();
    #[cfg(windows)]
    let results = {
        let _ = home;
        uninstall_windows()
    };
    match std::fs::remove_file(files.dir.join(INSTALLED_MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(error = %e, "cannot clear the trust record");
        }
        _ => {}
    }
    results
}

#[cfg(windows)]
fn install_windows(files: &TlsFiles) -> Vec<Installed> {
    use super::{firefox_enterprise_roots as firefox, windows_root_store as root_store};
    let store = CertificateDer::from_pem_file(files.ca())
        .map_err(|e| format!("{} is not a usable PEM file: {e}", files.ca().display()))
        .and_then(|ca| root_store::install(ca.as_ref(), CA_NICKNAME));
    let mut results = vec![Installed {
        database: PathBuf::from(root_store::STORE_NAME),
        result: store,
    }];
    let appdata = directories::BaseDirs::new().map(|d| d.config_dir().to_path_buf());
    for profile in appdata.map(|a| firefox::profiles(&a)).unwrap_or_default() {
        let result = firefox::enable(&profile).map_err(|e| e.to_string());
        results.push(Installed {
            database: profile.join("user.js"),
            result,
        });
    }
    results
}

#[cfg(windows)]
fn uninstall_windows() -> Vec<Installed> {
    use super::{firefox_enterprise_roots as firefox, windows_root_store as root_store};
    let mut results = vec![Installed {
        database: PathBuf::from(root_store::STORE_NAME),
        result: root_store::remove(CA_NICKNAME).map(|_| ()),
    }];
    let appdata = directories::BaseDirs::new().map(|d| d.config_dir().to_path_buf());
    for profile in appdata.map(|a| firefox::profiles(&a)).unwrap_or_default() {
        let result = firefox::disable(&profile).map_err(|e| e.to_string());
        results.push(Installed {
            database: profile.join("user.js"),
            result,
        });
    }
    results
}

#[cfg(not(windows))]
fn certutil(database: &Path) -> Command {
    let mut command = Command::new("certutil");
    command.arg("-d").arg(format!("sql:{}", database.display()));
    command
}

#[cfg(not(windows))]
fn certutil_failed(e: std::io::Error) -> String {
    format!("certutil could not run ({e}); install libnss3-tools")
}

/// Deletes every certificate under our nickname: an old CA must not stay trusted after renewal.
#[cfg(not(windows))]
fn remove_old_cas(database: &Path) -> Result<(), String> {
    for _ in 0..MAX_OLD_CAS {
        let output = certutil(database)
            .args(["-D", "-n", CA_NICKNAME])
            .output()
            .map_err(certutil_failed)?;
        // certutil fails once no certificate has the nickname.
        if !output.status.success() {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(not(windows))]
fn add_ca(files: &TlsFiles, database: &Path) -> Result<(), String> {
    let output = certutil(database)
        .args(["-A", "-n", CA_NICKNAME, "-t", "C,,", "-i"])
        .arg(files.ca())
        .output()
        .map_err(certutil_failed)?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// The steps a user follows where `install` cannot act for them.
#[cfg(not(windows))]
pub fn manual_steps(files: &TlsFiles) -> String {
    let ca = files.ca();
    format!(
        "To trust the local CA by hand:\n\
         - Chrome/Chromium: Settings > Privacy and security > Security > Manage certificates > \
         Authorities > Import {ca}, tick \"Trust this certificate for identifying websites\".\n\
         - Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > \
         Import {ca}, tick \"This CA can identify websites\".\n\
         - Or with certutil: certutil -A -d sql:$HOME/.pki/nssdb -n \"{CA_NICKNAME}\" -t C,, -i {ca}\n",
        ca = ca.display()
    )
}

/// The steps a user follows where `install` cannot act for them.
#[cfg(windows)]
pub fn manual_steps(files: &TlsFiles) -> String {
    format!(
        "To trust the local CA by hand (Chrome, Edge, and Firefox 120+ read the Windows store):\n\
         - Run: certutil -user -addstore Root \"{ca}\"\n\
         - Or open {ca}, choose Install Certificate > Current User > \"Place all certificates in \
         the following store\" > Trusted Root Certification Authorities.\n",
        ca = files.ca().display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_der(files: &TlsFiles) -> Vec<u8> {
        CertificateDer::from_pem_file(files.ca())
            .expect("ca")
            .as_ref()
            .to_vec()
    }

    #[test]
    fn a_certificate_near_expiry_is_renewed_under_a_new_ca() {
        let dir = tempfile::tempdir().expect("dir");
        let now = OffsetDateTime::now_utc();
        let (files, _) = prepare_at(dir.path(), false, now).expect("create");
        let first = ca_der(&files);
        let (_, issued) = prepare_at(dir.path(), false, now + Duration::days(700)).expect("early");
        assert_eq!(issued, Issued::Kept);
        let (_, issued) = prepare_at(dir.path(), false, now + Duration::days(800)).expect("late");
        assert_eq!(issued, Issued::Renewed);
        assert_ne!(ca_der(&files), first);
    }

    #[test]
    fn a_ca_without_proof_its_key_was_destroyed_is_replaced() {
        // The tray of older versions moved the key into the keychain: no key file, no marker.
        let dir = tempfile::tempdir().expect("dir");
        let (files, _) = prepare(dir.path(), false).expect("create");
        std::fs::remove_file(files.key_destroyed_marker()).expect("remove marker");
        let first = ca_der(&files);
        let (_, issued) = prepare(dir.path(), false).expect("migrate");
        assert_eq!(issued, Issued::ReplacedOldCa);
        assert_ne!(ca_der(&files), first);
    }

    #[test]
    fn a_marker_for_another_ca_proves_nothing() {
        // A restored backup brings back an old ca.pem next to the current marker.
        let dir = tempfile::tempdir().expect("dir");
        let (files, _) = prepare(dir.path(), false).expect("create");
        let other = tempfile::tempdir().expect("other");
        let (other_files, _) = prepare(other.path(), false).expect("other");
        std::fs::copy(other_files.ca(), files.ca()).expect("restore");
        let (_, issued) = prepare(dir.path(), false).expect("check");
        assert_eq!(issued, Issued::ReplacedOldCa);
    }
}
