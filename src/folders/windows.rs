//! Windows: settings in `%APPDATA%\Qoltanba` (roaming, like NCALayer's own folder); keystores
//! in the profile folder, Downloads, Documents and the Desktop.

use std::path::PathBuf;

/// `%APPDATA%\Qoltanba`: approvals and the local CA follow a roaming profile.
pub fn config_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.config_dir().join("Qoltanba"))
}

/// `%USERPROFILE%`, Downloads, Documents and Desktop: where browsers and NCA's site save the
/// keystores people later pick in NCALayer's file dialog.
pub fn keystore_dirs() -> Vec<PathBuf> {
    let Some(user) = directories::UserDirs::new() else {
        return Vec::new();
    };
    let mut dirs = vec![user.home_dir().to_path_buf()];
    for dir in [user.download_dir(), user.document_dir(), user.desktop_dir()] {
        dirs.extend(dir.map(|d| d.to_path_buf()));
    }
    dirs
}
