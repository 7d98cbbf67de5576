//! The native-messaging host manifest each browser reads to find `qoltanba native-host`.

use std::io;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

/// The name extensions connect to (`chrome.runtime.connectNative`).
pub const HOST_NAME: &str = "kz.qoltanba.host";
/// The unpacked extension's id, fixed by the public `key` in extension/chromium/manifest.json.
pub const CHROMIUM_EXTENSION_ID: &str = "dblpclcpkgpaigpniomjeolagffgblfi";
/// The Firefox build's id (`browser_specific_settings.gecko.id`).
pub const FIREFOX_EXTENSION_ID: &str = "native-messaging@qoltanba.kz";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Browser {
    Chrome,
    Chromium,
    Edge,
    Firefox,
}

impl Browser {
    pub const ALL: [Browser; 4] = [
        Browser::Chrome,
        Browser::Chromium,
        Browser::Edge,
        Browser::Firefox,
    ];
}

/// Why a manifest folder cannot be chosen.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("Firefox reads host manifests only from ~/.mozilla/native-messaging-hosts, not from a profile: leave out --profile")]
    FirefoxProfile,
    #[error("no home directory")]
    NoHome,
}

/// The per-user folder the browser reads host manifests from (Linux).
pub fn user_dir(browser: Browser, home: &Path) -> PathBuf {
    match browser {
        Browser::Chrome => home.join(".config/google-chrome/NativeMessagingHosts"),
        Browser::Chromium => home.join(".config/chromium/NativeMessagingHosts"),
        Browser::Edge => home.join(".config/microsoft-edge/NativeMessagingHosts"),
        Browser::Firefox => home.join(".mozilla/native-messaging-hosts"),
    }
}

/// The folder for `--profile DIR`: Chromium-family browsers also read their user data dir's own
/// `NativeMessagingHosts/` (what tests and portable profiles use).
pub fn profile_dir(browser: Browser, profile: &Path) -> Result<PathBuf, ManifestError> {
    match browser {
        Browser::Firefox => Err(ManifestError::FirefoxProfile),
        _ => Ok(profile.join("NativeMessagingHosts")),
    }
}

/// The manifest: which program to start and which extension may start it.
pub fn manifest(browser: Browser, launcher: &Path) -> serde_json::Value {
    let mut value = serde_json::json!({
        "name": HOST_NAME,
        "description": "Qoltanba: electronic signature for Kazakhstan e-government portals",
        "path": launcher,
        "type": "stdio",
    });
    if browser == Browser::Firefox {
        value["allowed_extensions"] = serde_json::json!([FIREFOX_EXTENSION_ID]);
    } else {
        value["allowed_origins"] =
            serde_json::json!([format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/")]);
    }
    value
}

/// The launcher the manifest names: the browser starts it with its own arguments only, so it
/// adds `native-host` and runs `qoltanba`.
pub fn launcher_script(qoltanba: &Path) -> String {
    let quoted = qoltanba.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n# Qoltanba's native-messaging host (written by qoltanba native-host install).\nexec '{quoted}' native-host \"$@\"\n"
    )
}

/// Writes the manifest and its launcher into `dir`; returns the manifest's path.
pub fn install(dir: &Path, browser: Browser, qoltanba: &Path) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let launcher = dir.join(HOST_NAME);
    std::fs::write(&launcher, launcher_script(qoltanba))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755))?;
    }
    let path = dir.join(format!("{HOST_NAME}.json"));
    let json =
        serde_json::to_string_pretty(&manifest(browser, &launcher)).map_err(io::Error::other)?;
    std::fs::write(&path, json + "\n")?;
    Ok(path)
}

/// Removes the manifest and its launcher from `dir`; false when there was nothing to remove.
pub fn uninstall(dir: &Path) -> io::Result<bool> {
    let mut removed = false;
    for name in [format!("{HOST_NAME}.json"), HOST_NAME.to_string()] {
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => removed = true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chromium_manifest_admits_only_the_qoltanba_extension() {
        let value = manifest(Browser::Chromium, Path::new("/x/host"));
        assert_eq!(
            value["allowed_origins"],
            serde_json::json!(["chrome-extension://dblpclcpkgpaigpniomjeolagffgblfi/"])
        );
        assert!(value.get("allowed_extensions").is_none());
    }

    #[test]
    fn firefox_manifest_names_the_gecko_id() {
        let value = manifest(Browser::Firefox, Path::new("/x/host"));
        assert_eq!(
            value["allowed_extensions"],
            serde_json::json!([FIREFOX_EXTENSION_ID])
        );
    }

    #[test]
    fn a_path_with_a_quote_cannot_break_out_of_the_launcher() {
        let script = launcher_script(Path::new("/opt/it's/qoltanba"));
        assert!(script.contains(r"exec '/opt/it'\''s/qoltanba' native-host"));
    }

    #[test]
    fn firefox_has_no_profile_folder() {
        assert!(profile_dir(Browser::Firefox, Path::new("/p")).is_err());
        assert_eq!(
            profile_dir(Browser::Chromium, Path::new("/p")).unwrap(),
            Path::new("/p/NativeMessagingHosts")
        );
    }

    #[test]
    fn uninstall_removes_what_install_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = install(
            dir.path(),
            Browser::Chromium,
            Path::new("/usr/bin/qoltanba"),
        )
        .unwrap();
        assert!(path.exists());
        assert!(uninstall(dir.path()).unwrap());
        assert!(!path.exists() && !dir.path().join(HOST_NAME).exists());
        assert!(!uninstall(dir.path()).unwrap());
    }
}

#[cfg(test)]
mod deb_tests {
    use super::*;

    /// The .deb's system-wide manifests (src-tauri/native-messaging/) are what `install` writes.
    #[test]
    fn the_deb_manifests_match_the_installed_ones() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/native-messaging");
        let launcher = Path::new("/usr/lib/qoltanba/kz.qoltanba.host");
        for (file, browser) in [
            ("chromium.json", Browser::Chromium),
            ("firefox.json", Browser::Firefox),
        ] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let shipped: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(shipped, manifest(browser, launcher), "{file}");
        }
    }
}
