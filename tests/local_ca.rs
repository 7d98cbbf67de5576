//! The local CA cannot be turned against the user: it is constrained to this computer's names,
//! its key is gone once the server certificate is signed, and the config dir is private.
//! openssl and certutil judge the certificates, not our own parser.

mod common;

use std::path::{Path, PathBuf};

use common::{path_str, run};
use qoltanba::policy::{ApprovalStore, APPROVALS_FILE};
use qoltanba::server::tls::{self, Issued};

fn openssl(args: &[&str]) -> (bool, String) {
    let output = run("openssl", args);
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// The CA's public key as openssl prints it.
fn ca_public_key(ca: &Path) -> String {
    let (ok, text) = openssl(&["x509", "-in", path_str(ca), "-noout", "-pubkey"]);
    assert!(ok, "{text}");
    text
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Every PEM private key in any file under `dir`, each written to its own file in `out`.
fn private_keys_under(dir: &Path, out: &Path) -> Vec<PathBuf> {
    let mut keys = Vec::new();
    for file in files_under(dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).expect("read")).into_owned();
        for block in text.split("-----BEGIN ").skip(1) {
            if block.starts_with("PRIVATE KEY-----") || block.contains(" PRIVATE KEY-----") {
                let end = block.find("-----END").expect("PEM end");
                let key = out.join(format!("found-{}.pem", keys.len()));
                let pem = format!("-----BEGIN {}", &block[..end]);
                let label = block.split("-----").next().expect("label");
                std::fs::write(&key, format!("{pem}-----END {label}-----\n")).expect("write");
                keys.push(key);
            }
        }
    }
    keys
}

/// What a thief does with a key: sign a certificate as `ca` and check browsers-style
/// verification accepts it. True when the forged certificate verifies.
fn mint_with(ca: &Path, key: &Path, work: &Path, host: &str) -> bool {
    let request = work.join("forged.csr");
    let forged = work.join("forged.pem");
    let _ = std::fs::remove_file(&forged);
    let (ok, text) = openssl(&[
        "req",
        "-new",
        "-key",
        path_str(key),
        "-subj",
        &format!("/CN={host}"),
        "-addext",
        &format!("subjectAltName=DNS:{host}"),
        "-out",
        path_str(&request),
    ]);
    assert!(ok, "{text}");
    let (signed, _) = openssl(&[
        "x509",
        "-req",
        "-in",
        path_str(&request),
        "-CA",
        path_str(ca),
        "-CAkey",
        path_str(key),
        "-copy_extensions",
        "copy",
        "-days",
        "30",
        "-out",
        path_str(&forged),
    ]);
    if !signed {
        return false;
    }
    let (verified, _) = openssl(&[
        "verify",
        "-CAfile",
        path_str(ca),
        "-verify_hostname",
        host,
        path_str(&forged),
    ]);
    verified
}

#[test]
fn local_ca_is_name_constrained_to_loopback_with_path_length_zero() {
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    let (ok, text) = openssl(&["x509", "-in", path_str(&files.ca()), "-noout", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("X509v3 Name Constraints: critical"), "{text}");
    let constraints = text
        .split("X509v3 Name Constraints: critical")
        .nth(1)
        .expect("constraints section");
    let permitted = constraints
        .split("X509v3 ")
        .next()
        .expect("section end")
        .to_string();
    assert!(permitted.contains("Permitted:"), "{permitted}");
    assert!(!permitted.contains("Excluded:"), "{permitted}");
    for name in [
        "DNS:localhost",
        "IP:127.0.0.1/255.255.255.255",
        "IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
    ] {
        assert!(permitted.contains(name), "{name} missing in {permitted}");
    }
    // Exactly three names: a fourth would widen what the CA may vouch for.
    assert_eq!(
        permitted.matches("DNS:").count() + permitted.matches("IP:").count(),
        3,
        "{permitted}"
    );
    assert!(
        text.contains("X509v3 Basic Constraints: critical"),
        "{text}"
    );
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
}

#[test]
fn the_server_certificate_verifies_under_the_constrained_ca() {
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    let ca = path_str(&files.ca()).to_string();
    let server = path_str(&files.server()).to_string();
    for (flag, name) in [
        ("-verify_hostname", "localhost"),
        ("-verify_ip", "127.0.0.1"),
        ("-verify_ip", "::1"),
    ] {
        let (ok, text) = openssl(&["verify", "-CAfile", &ca, flag, name, &server]);
        assert!(ok, "{name}: {text}");
    }
    let (ok, text) = openssl(&[
        "verify",
        "-CAfile",
        &ca,
        "-verify_hostname",
        "egov.kz",
        &server,
    ]);
    assert!(
        !ok,
        "the server certificate must not pass as egov.kz: {text}"
    );
}

#[test]
fn a_stolen_config_dir_cannot_mint_certificates_for_other_sites() {
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    let work = tempfile::tempdir().expect("work");
    let keys = private_keys_under(config.path(), work.path());
    // The server key is there (wss:// needs it); the scan does find keys.
    assert_eq!(keys.len(), 1, "{keys:?}");
    let ca_key = ca_public_key(&files.ca());
    for key in &keys {
        let (ok, public) = openssl(&["pkey", "-in", path_str(key), "-pubout"]);
        assert!(ok, "{public}");
        assert_ne!(
            public, ca_key,
            "the CA's private key is under the config dir"
        );
        assert!(!mint_with(&files.ca(), key, work.path(), "egov.kz"));
        assert!(!mint_with(&files.ca(), key, work.path(), "localhost"));
    }
}

#[test]
fn minting_works_when_a_ca_key_is_at_hand() {
    // Control for the test above: the same forgery succeeds with a CA whose key exists.
    let work = tempfile::tempdir().expect("work");
    let ca = work.path().join("ca.pem");
    let key = work.path().join("ca-key.pem");
    let (ok, text) = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        path_str(&key),
        "-out",
        path_str(&ca),
        "-subj",
        "/CN=thief CA",
        "-days",
        "30",
    ]);
    assert!(ok, "{text}");
    assert!(mint_with(&ca, &key, work.path(), "egov.kz"));
}

#[test]
fn an_old_install_with_its_ca_key_on_disk_gets_a_new_ca_and_loses_the_key() {
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    // What an older version left: a CA whose key sits next to it, trusted by the browsers.
    let (ok, text) = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        path_str(&files.dir.join("ca-key.pem")),
        "-out",
        path_str(&files.ca()),
        "-subj",
        "/CN=Qoltanba local CA",
        "-days",
        "30",
    ]);
    assert!(ok, "{text}");
    std::fs::write(files.dir.join("installed"), b"").expect("installed marker");
    let old_ca = std::fs::read(files.ca()).expect("old ca");
    assert!(files.installed());

    let (files, issued) = tls::prepare(config.path(), false).expect("prepare");
    assert_eq!(issued, Issued::ReplacedOldCa);
    assert!(!files.dir.join("ca-key.pem").exists());
    assert_ne!(std::fs::read(files.ca()).expect("new ca"), old_ca);
    assert!(!files.installed(), "the new CA must be trusted again");
    let work = tempfile::tempdir().expect("work");
    assert!(private_keys_under(config.path(), work.path())
        .iter()
        .all(|key| !mint_with(&files.ca(), key, work.path(), "localhost")));
    let (ok, text) = openssl(&[
        "verify",
        "-CAfile",
        path_str(&files.ca()),
        path_str(&files.server()),
    ]);
    assert!(
        ok,
        "the new server certificate chains to the new CA: {text}"
    );
}

#[test]
fn a_current_ca_is_kept_across_restarts() {
    let config = tempfile::tempdir().expect("config");
    let (files, issued) = tls::prepare(config.path(), false).expect("first");
    assert_eq!(issued, Issued::Created);
    let ca = std::fs::read(files.ca()).expect("ca");
    let (files, issued) = tls::prepare(config.path(), false).expect("second");
    assert_eq!(issued, Issued::Kept);
    assert_eq!(std::fs::read(files.ca()).expect("ca"), ca);
}

#[test]
fn renewal_creates_a_ca_with_a_different_key() {
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    let before = ca_public_key(&files.ca());
    let (files, issued) = tls::prepare(config.path(), true).expect("renew");
    assert_eq!(issued, Issued::Renewed);
    assert_ne!(ca_public_key(&files.ca()), before);
}

#[test]
fn renewal_removes_the_old_ca_from_the_browsers_trust_store() {
    let home = tempfile::tempdir().expect("home");
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("db dir");
    let db_arg = format!("sql:{}", db.display());
    let created = run("certutil", &["-N", "-d", &db_arg, "--empty-password"]);
    assert!(created.status.success(), "{created:?}");
    let config = tempfile::tempdir().expect("config");
    let files = tls::init(config.path(), false).expect("init");
    assert!(tls::install(&files, home.path())[0].result.is_ok());
    let files = tls::init(config.path(), true).expect("renew");
    assert!(!files.installed());
    let results = tls::install(&files, home.path());
    assert!(results[0].result.is_ok(), "{:?}", results[0].result);
    assert!(files.installed());

    let listed = run(
        "certutil",
        &["-L", "-d", &db_arg, "-n", tls::CA_NICKNAME, "-a"],
    );
    assert!(listed.status.success(), "{listed:?}");
    let trusted = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert_eq!(trusted.matches("BEGIN CERTIFICATE").count(), 1, "{trusted}");
    let normalise = |pem: &str| pem.split_whitespace().collect::<String>();
    assert_eq!(
        normalise(&trusted),
        normalise(&std::fs::read_to_string(files.ca()).expect("ca")),
        "the trusted CA is the new one"
    );
}

#[cfg(unix)]
#[test]
fn every_file_under_the_config_dir_is_0600_and_every_folder_0700() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    let parent = tempfile::tempdir().expect("parent");
    let config = parent.path().join("qoltanba");
    tls::init(&config, false).expect("init");
    ApprovalStore::load(&config, &[])
        .expect("load")
        .approve_always("https://egov.kz")
        .expect("save");
    let files = files_under(&config);
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&config), 0o700);
    assert_eq!(mode(&config.join("tls")), 0o700);
}

#[cfg(unix)]
#[test]
fn a_world_readable_approvals_file_from_an_older_version_becomes_0600_after_a_save() {
    use std::os::unix::fs::PermissionsExt;
    let config = tempfile::tempdir().expect("config");
    let path = config.path().join(APPROVALS_FILE);
    std::fs::write(&path, br#"{"sites":{}}"#).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let store = ApprovalStore::load(config.path(), &[]).expect("load");
    store.approve_always("https://egov.kz").expect("save");
    let mode = std::fs::metadata(&path)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(ApprovalStore::load(config.path(), &[])
        .expect("reload")
        .is_approved("https://egov.kz"));
}
