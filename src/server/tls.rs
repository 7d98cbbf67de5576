//! wss:// on the same port: a local CA in the config dir, a 127.0.0.1/localhost certificate,
//! and installing the CA into the browsers' NSS trust stores.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
    SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};

/// The name the CA gets in trust stores (and that `certutil -D -n` removes).
pub const CA_NICKNAME: &str = "Qoltanba local CA";
const CA_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
const SERVER_FILE: &str = "server.pem";
const SERVER_KEY_FILE: &str = "server-key.pem";
const INSTALLED_MARKER: &str = "installed";

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
    /// The CA's private key; the tray app moves it into the OS keychain after `init`.
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join(CA_KEY_FILE)
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
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `contents`; secret files get mode 0600 from the start, never a wider one.
fn write_file(path: &Path, contents: &str, secret: bool) -> Result<(), TlsError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut file = options.open(path).map_err(io_error(path))?;
    file.write_all(contents.as_bytes()).map_err(io_error(path))
}

/// Creates the local CA and the 127.0.0.1/localhost certificate (kept if present unless `force`).
///
/// The CA is name-constrained to localhost and loopback addresses, so even a stolen CA key
/// cannot impersonate other sites.
pub fn init(config_dir: &Path, force: bool) -> Result<TlsFiles, TlsError> {
    let files = TlsFiles::new(config_dir);
    if files.exist() && !force {
        return Ok(files);
    }
    std::fs::create_dir_all(&files.dir).map_err(io_error(&files.dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&files.dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io_error(&files.dir))?;
    }
    let now = OffsetDateTime::now_utc();

    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NICKNAME);
    name.push(DnType::OrganizationName, "Qoltanba (this computer only)");
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
    ca.not_after = now + Duration::days(3650);
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
    // Browsers refuse server certificates valid for more than 825 days.
    server.not_after = now + Duration::days(820);
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key)?;

    write_file(&files.ca_key(), &ca_key.serialize_pem(), true)?;
    write_file(&files.server_key(), &server_key.serialize_pem(), true)?;
    write_file(&files.ca(), &ca_cert.pem(), false)?;
    write_file(
        &files.server(),
        &format!("{}{}", server_cert.pem(), ca_cert.pem()),
        false,
    )?;
    let _ = std::fs::remove_file(files.dir.join(INSTALLED_MARKER));
    Ok(files)
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

/// Adds the local CA to every NSS database found under `home` with certutil.
pub fn install(files: &TlsFiles, home: &Path) -> Vec<Installed> {
    let results: Vec<Installed> = nss_databases(home)
        .into_iter()
        .map(|database| {
            let output = Command::new("certutil")
                .arg("-A")
                .arg("-d")
                .arg(format!("sql:{}", database.display()))
                .args(["-n", CA_NICKNAME, "-t", "C,,", "-i"])
                .arg(files.ca())
                .output();
            let result = match output {
                Ok(o) if o.status.success() => Ok(()),
                Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_string()),
                Err(e) => Err(format!(
                    "certutil could not run ({e}); install libnss3-tools"
                )),
            };
            Installed { database, result }
        })
        .collect();
    if results.iter().any(|r| r.result.is_ok()) {
        let _ = write_file(&files.dir.join(INSTALLED_MARKER), "", false);
    }
    results
}

/// The steps a user follows where `install` cannot act for them.
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
