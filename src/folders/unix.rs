//! Linux and macOS: the XDG config dir (Application Support on macOS); keystores in home,
//! Downloads and Documents.

use std::path::PathBuf;

/// `~/.config/qoltanba` on Linux, `~/Library/Application Support/kz.Qoltanba.qoltanba` on macOS.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("kz", "Qoltanba", "qoltanba")
        .map(|d| d.config_dir().to_path_buf())
}

/// Home, Downloads and Documents: where browsers save the keystores NCA issues.
pub fn keystore_dirs() -> Vec<PathBuf> {
    let Some(user) = directories::UserDirs::new() else {
        return Vec::new();
    };
    let mut dirs = vec![
        user.home_dir().to_path_buf(),
        user.home_dir().join("Downloads"),
    ];
    dirs.extend(user.document_dir().map(|d| d.to_path_buf()));
    dirs
}
