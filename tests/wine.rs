//! The Windows build (`qoltanba.exe`, x86_64-pc-windows-gnu) under Wine answers as the Linux
//! build does on the real NCA keystores, and what it signs verifies with openssl and xmlsec1.
//!
//! Ignored by `cargo test`; `make windows` cross-builds the exe, prepares a throwaway Wine
//! prefix and runs these with `--ignored` (docs/windows.md).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use common::openssl_gost::{gost_engine_available, tc26_public_key_pem};
use common::{nca_fixtures, path_str, run, PASSWORD};

const RSA_SIGN: &str = "RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12";
const RSA_AUTH: &str = "AUTH_RSA256_b2c70a9ff7a5dc59de0ccc3c0ddde3437cc1f12d.p12";
const GOST_2015: &str = "GOSTKNCA_13a3741b52d7bf860aab199b56fad1f4652e357b.p12";
const GOST_2015_INDIVIDUAL: &str = "GOST512_individual.p12";

/// The cross-built exe `make windows` names in QOLTANBA_WINDOWS_EXE.
fn windows_exe() -> PathBuf {
    let exe = std::env::var_os("QOLTANBA_WINDOWS_EXE")
        .map(PathBuf::from)
        .expect("QOLTANBA_WINDOWS_EXE names qoltanba.exe (run these with `make windows`)");
    assert!(exe.is_file(), "no {}", exe.display());
    exe
}

/// A Linux path as the Windows program sees it: Wine maps `/` to drive Z:.
fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Runs `qoltanba.exe` under Wine (the prefix comes from WINEPREFIX, set by `make windows`).
fn windows(args: &[&str]) -> Output {
    Command::new("wine")
        .arg(windows_exe())
        .args(args)
        .env("WINEDEBUG", "-all")
        .output()
        .expect("wine runs")
}

fn linux(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qoltanba"))
        .args(args)
        .output()
        .expect("qoltanba runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn keystore(fixtures: &Path, name: &str) -> PathBuf {
    fixtures.join("keystores").join(name)
}

fn password_file(dir: &Path, password: &str) -> PathBuf {
    let file = dir.join(format!("password-{password}"));
    std::fs::write(&file, format!("{password}\n")).expect("password file");
    file
}

/// `sign` on both builds with the same arguments, paths given in each one's own form.
struct Signing {
    scratch: tempfile::TempDir,
    keystore: PathBuf,
    input: PathBuf,
}

impl Signing {
    /// A scratch folder holding `content` as `name`, to be signed with `keystore`.
    fn new(keystore: PathBuf, name: &str, content: &str) -> Self {
        let scratch = tempfile::tempdir().expect("dir");
        let input = scratch.path().join(name);
        std::fs::write(&input, content).expect("input");
        Signing {
            scratch,
            keystore,
            input,
        }
    }

    fn dir(&self) -> &Path {
        self.scratch.path()
    }

    fn windows(&self, format: &str, out: &str, extra: &[&str]) -> (Output, Vec<u8>) {
        let password = password_file(self.dir(), PASSWORD);
        let out = self.dir().join(out);
        let mut args = vec!["sign".to_string(), format.to_string()];
        for (flag, path) in [
            ("--keystore", &self.keystore),
            ("--password-file", &password),
            ("--in", &self.input),
            ("--out", &out),
        ] {
            args.extend([flag.to_string(), win(path)]);
        }
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = windows(&args);
        (output, std::fs::read(&out).unwrap_or_default())
    }

    fn linux(&self, format: &str, out: &str, extra: &[&str]) -> (Output, Vec<u8>) {
        let password = password_file(self.dir(), PASSWORD);
        let out = self.dir().join(out);
        let mut args = vec!["sign", format, "--keystore", path_str(&self.keystore)];
        args.extend(["--password-file", path_str(&password)]);
        args.extend(["--in", path_str(&self.input), "--out", path_str(&out)]);
        args.extend(extra);
        let output = linux(&args);
        (output, std::fs::read(&out).unwrap_or_default())
    }
}

/// The NCA test CA chain of a keystore's family, as one PEM file for openssl.
fn nca_chain(fixtures: &Path, dir: &Path) -> PathBuf {
    let chain = [
        std::fs::read_to_string(fixtures.join("ca/nca_rsa_test.crt")).expect("nca ca"),
        std::fs::read_to_string(fixtures.join("ca/root_rsa_test.crt")).expect("root ca"),
    ];
    let file = dir.join("nca-chain.pem");
    std::fs::write(&file, chain.join("\n")).expect("chain");
    file
}

/// The keystore's first key entry, read on the Linux side for its certificate.
fn signer_certificate(keystore: &Path) -> qoltanba::keystore::Entry {
    let mut store = qoltanba::keystore::open(keystore, PASSWORD).expect("keystore opens");
    store.entries.remove(0)
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn version_matches_the_linux_build() {
    let out = windows(&["--version"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stdout), text(&linux(&["--version"]).stdout));
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn certs_list_finds_the_same_nca_keystores_as_the_linux_build() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let dir = fixtures.join("keystores");
    let names = |listing: &str, separator: char| -> Vec<String> {
        let mut names: Vec<String> = listing
            .lines()
            .filter_map(|l| l.rsplit(separator).next())
            .map(str::to_string)
            .collect();
        names.sort();
        names
    };
    let on_windows = windows(&["certs", "list", &win(&dir)]);
    assert!(on_windows.status.success(), "{on_windows:?}");
    let found = names(&text(&on_windows.stdout), '\\');
    assert!(found.iter().any(|n| n == GOST_2015), "{found:?}");
    assert_eq!(
        found,
        names(
            &text(&linux(&["certs", "list", path_str(&dir)]).stdout),
            '/'
        )
    );
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn certs_show_prints_what_the_linux_build_prints_for_rsa_and_gost_keystores() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let scratch = tempfile::tempdir().expect("dir");
    let password = password_file(scratch.path(), PASSWORD);
    for name in [RSA_SIGN, RSA_AUTH, GOST_2015, GOST_2015_INDIVIDUAL] {
        let file = keystore(&fixtures, name);
        let on_windows = windows(&[
            "certs",
            "show",
            &win(&file),
            "--password-file",
            &win(&password),
        ]);
        let on_linux = linux(&[
            "certs",
            "show",
            path_str(&file),
            "--password-file",
            path_str(&password),
        ]);
        assert!(on_windows.status.success(), "{name}: {on_windows:?}");
        assert!(text(&on_windows.stdout).contains("Owner"), "{name}");
        assert_eq!(text(&on_windows.stdout), text(&on_linux.stdout), "{name}");

        let json = |out: Output| -> serde_json::Value {
            let mut value: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("one JSON object");
            value["path"] = serde_json::Value::Null;
            value
        };
        let on_windows = windows(&[
            "certs",
            "show",
            &win(&file),
            "--password-file",
            &win(&password),
            "--json",
        ]);
        let on_linux = linux(&[
            "certs",
            "show",
            path_str(&file),
            "--password-file",
            path_str(&password),
            "--json",
        ]);
        assert_eq!(json(on_windows), json(on_linux), "{name}");
    }
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn rsa_raw_signature_is_byte_for_byte_the_linux_one_and_openssl_verifies_it() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let signing = Signing::new(
        keystore(&fixtures, RSA_SIGN),
        "message.txt",
        "Қолтаңба on Windows",
    );
    let (scratch, input) = (signing.dir(), &signing.input);
    let (out, on_windows) = signing.windows("raw", "windows.sig", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    let (_, on_linux) = signing.linux("raw", "linux.sig", &["--allow-expired"]);
    // RSASSA-PKCS1-v1_5 is deterministic: the same key and message give the same bytes.
    assert_eq!(on_windows.len(), 256);
    assert_eq!(on_windows, on_linux);

    let certificate = scratch.join("signer.der");
    std::fs::write(
        &certificate,
        signer_certificate(&signing.keystore).certificate.der,
    )
    .expect("cert");
    let public = scratch.join("signer.pub");
    let out = run(
        "openssl",
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            path_str(&certificate),
            "-pubkey",
            "-noout",
        ],
    );
    std::fs::write(&public, &out.stdout).expect("public key");
    let verified = run(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            path_str(&public),
            "-signature",
            path_str(&scratch.join("windows.sig")),
            path_str(input),
        ],
    );
    assert!(verified.status.success(), "{verified:?}");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn rsa_cms_from_windows_verifies_with_openssl_against_the_nca_test_ca() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let signing = Signing::new(keystore(&fixtures, RSA_SIGN), "data.txt", "document");
    let (scratch, input) = (signing.dir(), &signing.input);
    let attime = (signer_certificate(&signing.keystore)
        .certificate
        .info
        .not_before
        .unix_timestamp()
        + 86_400)
        .to_string();
    let chain = nca_chain(&fixtures, scratch);
    for (extra, inform) in [(&[][..], "DER"), (&["--detached", "--pem"][..], "PEM")] {
        let mut flags = vec!["--allow-expired"];
        flags.extend(extra);
        let (out, cms) = signing.windows("cms", "signed.p7s", &flags);
        assert!(out.status.success(), "{out:?}");
        assert!(!cms.is_empty());
        let content = scratch.join("content.out");
        let mut args = vec!["cms", "-verify", "-binary", "-inform", inform];
        let signed = scratch.join("signed.p7s");
        args.extend(["-in", path_str(&signed), "-CAfile", path_str(&chain)]);
        args.extend(["-attime", &attime, "-out", path_str(&content)]);
        if inform == "PEM" {
            args.extend(["-content", path_str(input)]);
        }
        let verified = run("openssl", &args);
        assert!(verified.status.success(), "{inform}: {verified:?}");
        assert_eq!(std::fs::read(&content).expect("content"), b"document");
    }
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn rsa_xml_from_windows_is_the_linux_document_and_xmlsec1_verifies_it() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let signing = Signing::new(
        keystore(&fixtures, RSA_SIGN),
        "doc.xml",
        "<doc><name>Қолтаңба</name></doc>",
    );
    let scratch = signing.dir();
    let (out, on_windows) = signing.windows("xml", "windows.xml", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    let (_, on_linux) = signing.linux("xml", "linux.xml", &["--allow-expired"]);
    assert_eq!(text(&on_windows), text(&on_linux));

    let valid = signer_certificate(&signing.keystore)
        .certificate
        .info
        .not_before
        + time::Duration::days(1);
    let at = format!(
        "{:04}-{:02}-{:02} 00:00:00",
        valid.year(),
        u8::from(valid.month()),
        valid.day()
    );
    let verify = |file: &Path| {
        run(
            "xmlsec1",
            &[
                "--verify",
                "--verification-gmt-time",
                &at,
                "--trusted-pem",
                path_str(&fixtures.join("ca/root_rsa_test.crt")),
                "--untrusted-pem",
                path_str(&fixtures.join("ca/nca_rsa_test.crt")),
                path_str(file),
            ],
        )
    };
    let signed = scratch.join("windows.xml");
    let verified = verify(&signed);
    assert!(verified.status.success(), "{verified:?}");
    let tampered = scratch.join("tampered.xml");
    std::fs::write(&tampered, text(&on_windows).replace("Қолтаңба", "Qoltanba")).expect("write");
    assert!(!verify(&tampered).status.success(), "tampered XML accepted");
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn gost_2015_signatures_from_windows_verify_with_the_openssl_gost_engine() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let signing = Signing::new(
        keystore(&fixtures, GOST_2015_INDIVIDUAL),
        "doc.xml",
        "<doc>Қолтаңба</doc>",
    );
    let (scratch, input) = (signing.dir(), &signing.input);
    let (expired, _) = signing.windows("raw", "refused.sig", &[]);
    assert_eq!(expired.status.code(), Some(11), "{expired:?}");

    let (out, mut raw) = signing.windows("raw", "gost.sig", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(raw.len(), 128);
    let (out, cms) = signing.windows("cms", "gost.p7s", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(cms.first(), Some(&0x30));
    let (out, xml) = signing.windows("xml", "gost.xml", &["--allow-expired"]);
    assert!(out.status.success(), "{out:?}");
    assert!(text(&xml).contains("gostr34102015-gostr34112015-512"));

    if !gost_engine_available() {
        return;
    }
    // KZ r‖s little-endian halves → RFC 4491 s‖r big-endian: the whole buffer reversed.
    raw.reverse();
    let signature = scratch.join("gost-rfc4491.sig");
    std::fs::write(&signature, &raw).expect("sig");
    let public = scratch.join("gost.pub");
    let certificate = signer_certificate(&signing.keystore).certificate.der;
    std::fs::write(&public, tc26_public_key_pem(&certificate)).expect("pub");
    let verified = run(
        "openssl",
        &[
            "dgst",
            "-engine",
            "gost",
            "-md_gost12_512",
            "-verify",
            path_str(&public),
            "-signature",
            path_str(&signature),
            path_str(input),
        ],
    );
    assert!(
        text(&verified.stdout).contains("Verified OK"),
        "{verified:?}"
    );
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn errors_have_the_linux_exit_codes_and_messages() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let scratch = tempfile::tempdir().expect("dir");
    let wrong = password_file(scratch.path(), "wrong");
    let right = password_file(scratch.path(), PASSWORD);
    let not_a_keystore = scratch.path().join("not_a_keystore.p12");
    std::fs::write(&not_a_keystore, "hello").expect("write");
    let cases = [
        (keystore(&fixtures, RSA_AUTH), &wrong),
        (not_a_keystore, &right),
        (scratch.path().join("missing.p12"), &right),
    ];
    for (file, password) in cases {
        let on_windows = windows(&[
            "certs",
            "show",
            &win(&file),
            "--password-file",
            &win(password),
        ]);
        let on_linux = linux(&[
            "certs",
            "show",
            path_str(&file),
            "--password-file",
            path_str(password),
        ]);
        assert_ne!(on_linux.status.code(), Some(0));
        assert_eq!(on_windows.status.code(), on_linux.status.code(), "{file:?}");
        // The same message, with the path in each system's own spelling; the OS error text
        // of a missing file is the system's own ("The system cannot find the file…").
        let message = |out: &Output, path: &str| {
            let stderr = text(&out.stderr);
            let first = stderr
                .lines()
                .next()
                .unwrap_or_default()
                .replace(path, "FILE");
            first
                .split(" (os error")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let windows_message = message(&on_windows, &win(&file));
        assert_eq!(text(&on_windows.stderr).trim_end().lines().count(), 1);
        assert!(!text(&on_windows.stderr).contains(PASSWORD));
        if on_linux.status.code() != Some(3) {
            assert_eq!(windows_message, message(&on_linux, path_str(&file)));
        } else {
            assert!(windows_message.contains("cannot read"), "{windows_message}");
        }
    }
}

/// Tests that change the prefix's Root store or installed programs run one at a time.
static PREFIX_STATE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn prefix() -> PathBuf {
    PathBuf::from(std::env::var_os("WINEPREFIX").expect("WINEPREFIX is set by make windows"))
}

/// The Wine user's profile folder (Wine names it after the Unix user).
fn profile() -> PathBuf {
    let user = run("id", &["-un"]);
    prefix()
        .join("drive_c/users")
        .join(text(&user.stdout).trim())
}

/// `reg query` of a key under the prefix's HKEY_CURRENT_USER: (found, output).
fn registry(key: &str) -> (bool, String) {
    let out = Command::new("wine")
        .args(["reg", "query", &format!("HKCU\\{key}")])
        .env("WINEDEBUG", "-all")
        .output()
        .expect("wine reg runs");
    (out.status.success(), text(&out.stdout))
}

const ROOT_STORE_KEY: &str = "Software\\Microsoft\\SystemCertificates\\Root\\Certificates";

/// The registry key Windows keeps a Root-store certificate under: its SHA-1, in hex capitals.
fn root_store_key(ca_pem: &Path) -> String {
    let out = run(
        "openssl",
        &[
            "x509",
            "-in",
            path_str(ca_pem),
            "-noout",
            "-fingerprint",
            "-sha1",
        ],
    );
    let fingerprint = text(&out.stdout);
    let hex = fingerprint.trim().rsplit('=').next().unwrap_or_default();
    format!("{ROOT_STORE_KEY}\\{}", hex.replace(':', ""))
}

/// "Qoltanba local CA" as the hex digits `reg query` prints a blob with.
fn hex_of_ca_name() -> String {
    qoltanba::server::tls::CA_NICKNAME
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn tls_install_puts_the_local_ca_in_the_users_root_store_and_uninstall_takes_it_out() {
    let _one_at_a_time = PREFIX_STATE.lock().unwrap_or_else(|p| p.into_inner());
    let config = tempfile::tempdir().expect("config dir");
    let dir = win(config.path());
    let out = windows(&["tls", "install", "--config-dir", &dir]);
    assert!(out.status.success(), "{out:?}");
    // install finds the certificate again by its name before it says so.
    assert!(
        text(&out.stdout).contains("Installed in Cert:\\CurrentUser\\Root"),
        "{out:?}"
    );
    let key = root_store_key(&config.path().join("tls/ca.pem"));
    let (found, blob) = registry(&key);
    assert!(found, "{key} missing");
    assert!(blob.contains(&hex_of_ca_name()), "{blob}");

    // `tls uninstall` deletes it through CryptoAPI, but Wine 8 writes a system store's deletions
    // only when the store is released, and its collection store keeps a reference per deleted
    // certificate (WINEDEBUG=+crypt: Collection_release ref=2 after CertCloseStore): the key stays
    // in Wine's registry. Here it must at least succeed; docs/windows.md has the details.
    let out = windows(&["tls", "uninstall", "--config-dir", &dir]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stdout).contains("Removed from Cert:\\CurrentUser\\Root"),
        "{out:?}"
    );
}

#[test]
#[ignore = "needs Wine and the installer: make windows"]
fn the_installer_installs_silently_runs_and_uninstalls_leaving_nothing_behind() {
    let Some(fixtures) = nca_fixtures() else {
        return;
    };
    let _one_at_a_time = PREFIX_STATE.lock().unwrap_or_else(|p| p.into_inner());
    let installer = PathBuf::from(
        std::env::var_os("QOLTANBA_WINDOWS_INSTALLER").expect("QOLTANBA_WINDOWS_INSTALLER is set"),
    );
    let wine = |program: &Path, args: &[&str]| {
        Command::new("wine")
            .arg(program)
            .args(args)
            .env("WINEDEBUG", "-all")
            .output()
            .expect("wine runs")
    };
    let out = wine(&installer, &["/S"]);
    assert!(out.status.success(), "{out:?}");

    let installed = profile().join("AppData/Local/Programs/Qoltanba");
    let menu = profile().join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Qoltanba");
    let uninstall_key = "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Qoltanba";
    let exe = installed.join("qoltanba.exe");
    assert!(exe.is_file() && installed.join("uninstall.exe").is_file());
    assert!(menu.join("Qoltanba.lnk").is_file());
    assert!(registry(uninstall_key).1.contains("QuietUninstallString"));

    let out = wine(&exe, &["--version"]);
    assert_eq!(text(&out.stdout), text(&linux(&["--version"]).stdout));
    let scratch = tempfile::tempdir().expect("dir");
    let password = password_file(scratch.path(), PASSWORD);
    let keystore = keystore(&fixtures, GOST_2015);
    let out = wine(
        &exe,
        &[
            "certs",
            "show",
            &win(&keystore),
            "--password-file",
            &win(&password),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let on_linux = linux(&[
        "certs",
        "show",
        path_str(&keystore),
        "--password-file",
        path_str(&password),
    ]);
    assert_eq!(text(&out.stdout), text(&on_linux.stdout));

    // The user trusted the local CA: uninstalling must take that trust away too.
    let out = wine(&exe, &["tls", "install"]);
    assert!(out.status.success(), "{out:?}");
    let ca_key = root_store_key(&profile().join("AppData/Roaming/Qoltanba/tls/ca.pem"));
    assert!(registry(&ca_key).0);

    let out = wine(&installed.join("uninstall.exe"), &["/S"]);
    assert!(out.status.success(), "{out:?}");
    // The uninstaller runs from a copy in %TEMP% and returns at once: wait for it.
    for _ in 0..600 {
        if !installed.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!installed.exists(), "{} left behind", installed.display());
    assert!(!menu.exists(), "Start-menu folder left behind");
    assert!(!registry(uninstall_key).0, "uninstall entry left behind");
    assert!(
        !registry("Software\\Qoltanba").0,
        "settings key left behind"
    );
    // The uninstaller ran `tls uninstall`; Wine keeps the deleted key (see the test above).
    assert!(!profile().join("AppData/Roaming/Qoltanba/tls").exists());
}

#[test]
#[ignore = "needs Wine and the cross-built exe: make windows"]
fn a_port_taken_by_another_program_is_reported_as_on_linux() {
    // NCALayer holding 13579 looks like this to Qoltanba: the port is bound by someone else.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let config = tempfile::tempdir().expect("config dir");
    let on_windows = windows(&[
        "serve",
        "--port",
        &port,
        "--no-tls",
        "--config-dir",
        &win(config.path()),
    ]);
    let on_linux = linux(&[
        "serve",
        "--port",
        &port,
        "--no-tls",
        "--config-dir",
        path_str(config.path()),
    ]);
    assert_eq!(on_windows.status.code(), on_linux.status.code());
    assert_ne!(on_windows.status.code(), Some(0));
    let last_line = |out: &Output| {
        let stderr = text(&out.stderr);
        let line = stderr.lines().last().unwrap_or_default().to_string();
        line.split(": ").take(2).collect::<Vec<_>>().join(": ")
    };
    assert_eq!(last_line(&on_windows), last_line(&on_linux));
    assert!(
        last_line(&on_windows).contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{on_windows:?}"
    );
}

/// The tray app's exe next to qoltanba.exe (`make windows` builds both).
fn windows_app_exe() -> PathBuf {
    let exe = windows_exe().with_file_name("qoltanba-app.exe");
    assert!(exe.is_file(), "no {}", exe.display());
    exe
}

#[test]
#[ignore = "needs Wine, Xvfb and the cross-built tray app: make windows"]
fn the_tray_app_serves_the_socket_under_wine_and_stays_up_without_webview2() {
    use std::io::{Read, Write};
    use std::os::unix::process::CommandExt;

    let config = tempfile::tempdir().expect("config dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut app = Command::new("xvfb-run")
        .args(["-a", "wine"])
        .arg(windows_app_exe())
        .args([
            "--port",
            &port.to_string(),
            "--config-dir",
            &win(config.path()),
        ])
        .arg("--memory-keychain")
        .env("WINEDEBUG", "-all")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .expect("xvfb-run starts");
    let stop = |app: &mut std::process::Child| {
        let group = format!("-{}", app.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = app.wait();
    };
    // The app logs to its console; wait for its port instead (the first start makes the CA).
    let mut listening = false;
    for _ in 0..1200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            listening = true;
            break;
        }
        if app.try_wait().expect("status").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if !listening {
        stop(&mut app);
        panic!("the tray app did not listen within 120 s");
    }

    let status_page = || {
        let mut http = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        http.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        write!(http, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").expect("request");
        let mut page = String::new();
        let _ = http.read_to_string(&mut page);
        page
    };
    let page = status_page();
    let mut request = format!("ws://127.0.0.1:{port}/")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Origin",
        "https://portal.example.kz".parse().expect("origin"),
    );
    let greeting = tokio_tungstenite::tungstenite::connect(request)
        .map_err(|e| e.to_string())
        .and_then(|(mut ws, _)| ws.read().map_err(|e| e.to_string()));
    // With no WebView2 runtime the windows cannot open; the process and its service stay up.
    std::thread::sleep(std::time::Duration::from_secs(5));
    let still_running = app.try_wait().expect("status").is_none();
    let later = status_page();
    stop(&mut app);

    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("TLS: on"), "{page}");
    let greeting = greeting.expect("WebSocket greeting");
    assert_eq!(
        greeting.to_text().expect("text"),
        r#"{"result":{"version":"1.4"}}"#
    );
    assert!(still_running, "the tray app exited");
    assert!(later.starts_with("HTTP/1.1 200 OK"), "{later}");
}
