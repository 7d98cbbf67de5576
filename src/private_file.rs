//! Files and folders only this user may read: everything Qoltanba keeps in its config dir.
//!
//! On Unix that means mode 0600 for files and 0700 for folders, also for ones an older version
//! made wider. Other systems get the same atomic write; their ACLs come with their installers.

use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` (and missing parents) and makes `dir` itself 0700, even if it already existed.
///
/// Only the last component is narrowed: parents such as `~/.config` belong to the user.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    restrict_dir(dir)
}

/// Replaces `path` with `bytes`, readable by this user only, without ever exposing a half-written
/// or wider-mode file.
///
/// The bytes go to a temporary file created 0600 in the same folder, are synced, then renamed
/// over `path`; an existing file of any mode is replaced by the new 0600 one. The folder is
/// created 0700 if missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".qoltanba-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut temporary = builder.tempfile_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

#[cfg(unix)]
fn restrict_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn restrict_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Makes the rename durable: without it a crash can bring back the old file.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn a_world_readable_file_becomes_0600_when_rewritten() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_private(&path, b"new").expect("write_private");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
    }

    #[test]
    fn a_new_file_and_its_new_folder_are_private_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().expect("dir");
        let folder = dir.path().join("qoltanba");
        let path = folder.join("approved-sites.json");
        write_private(&path, b"{}").expect("write_private");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&folder), 0o700);
        let names: Vec<_> = std::fs::read_dir(&folder)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["approved-sites.json"]);
    }

    #[test]
    fn an_existing_open_config_dir_is_narrowed_to_0700() {
        let dir = tempfile::tempdir().expect("dir");
        let config = dir.path().join("qoltanba");
        std::fs::create_dir(&config).expect("mkdir");
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        create_private_dir(&config).expect("create_private_dir");
        assert_eq!(mode(&config), 0o700);
    }
}
