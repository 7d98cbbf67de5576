//! Windows: Firefox trusts the roots of the Windows store when its enterprise-roots preference
//! is on (the default since Firefox 120); for older or changed profiles, one line in each
//! profile's user.js turns it on, and `tls uninstall` takes that line out again.

use std::path::{Path, PathBuf};

/// The preference line, marked so uninstall removes only what install wrote.
const LINE: &str =
    "user_pref(\"security.enterprise_roots.enabled\", true); // added by Qoltanba (tls install)";

/// Firefox profiles (folders with prefs.js) under `%APPDATA%`.
pub fn profiles(appdata: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(appdata.join("Mozilla/Firefox/Profiles")) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("prefs.js").exists())
        .collect();
    found.sort();
    found
}

/// Adds the preference line to the profile's user.js unless it is there already.
pub fn enable(profile: &Path) -> std::io::Result<()> {
    let file = profile.join("user.js");
    let mut text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    if text.lines().any(|l| l == LINE) {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(LINE);
    text.push('\n');
    std::fs::write(&file, text)
}

/// Removes the line `enable` wrote; the rest of user.js stays as the user left it.
pub fn disable(profile: &Path) -> std::io::Result<()> {
    let file = profile.join("user.js");
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !text.lines().any(|l| l == LINE) {
        return Ok(());
    }
    let kept: String = text
        .lines()
        .filter(|l| *l != LINE)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(appdata: &Path, name: &str) -> PathBuf {
        let dir = appdata.join("Mozilla/Firefox/Profiles").join(name);
        std::fs::create_dir_all(&dir).expect("profile");
        std::fs::write(dir.join("prefs.js"), "").expect("prefs.js");
        dir
    }

    #[test]
    fn only_folders_with_prefs_js_are_profiles() {
        let appdata = tempfile::tempdir().expect("dir");
        let real = profile(appdata.path(), "abcd.default-release");
        std::fs::create_dir_all(
            appdata
                .path()
                .join("Mozilla/Firefox/Profiles/Crash Reports"),
        )
        .expect("dir");
        assert_eq!(profiles(appdata.path()), vec![real]);
    }

    #[test]
    fn enable_twice_writes_the_preference_once_after_the_users_own_lines() {
        let appdata = tempfile::tempdir().expect("dir");
        let dir = profile(appdata.path(), "p");
        std::fs::write(dir.join("user.js"), "user_pref(\"a\", 1);").expect("user.js");
        enable(&dir).expect("enable");
        enable(&dir).expect("again");
        let text = std::fs::read_to_string(dir.join("user.js")).expect("read");
        assert_eq!(text, format!("user_pref(\"a\", 1);\n{LINE}\n"));
    }

    #[test]
    fn disable_removes_only_our_line() {
        let appdata = tempfile::tempdir().expect("dir");
        let dir = profile(appdata.path(), "p");
        let own = "user_pref(\"security.enterprise_roots.enabled\", true);\n";
        std::fs::write(dir.join("user.js"), own).expect("user.js");
        enable(&dir).expect("enable");
        disable(&dir).expect("disable");
        assert_eq!(
            std::fs::read_to_string(dir.join("user.js")).expect("read"),
            own
        );
    }
}
