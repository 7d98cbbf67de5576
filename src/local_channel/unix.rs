//! Unix socket side of the local channel: owner-only folder and socket, peer uid checks.

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::{UnixListener, UnixStream};

use super::SOCKET_NAME;

pub type Stream = UnixStream;

/// This process's effective uid: the user both ends must be.
pub fn own_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Creates `dir` (0700) or checks an existing one: owned by this user, closed to everyone else.
pub fn prepare_dir(dir: &Path) -> io::Result<()> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    check_private(dir)
}

/// Refuses a folder another user owns or may enter: someone could put their socket there.
fn check_private(dir: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(io::Error::other(format!(
            "{} is not a folder",
            dir.display()
        )));
    }
    if meta.uid() != own_uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} belongs to another user", dir.display()),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is open to other users (mode {:o})",
                dir.display(),
                meta.mode() & 0o777
            ),
        ));
    }
    Ok(())
}

/// True when the process at the other end of `stream` runs as this user (SO_PEERCRED).
pub fn peer_is_same_user(stream: &UnixStream) -> bool {
    match stream.peer_cred() {
        Ok(credentials) => credentials.uid() == own_uid(),
        Err(_) => false,
    }
}

/// The service's end: a socket only this user may open.
pub struct Listener {
    listener: UnixListener,
    path: PathBuf,
    /// Device and inode of the socket file this listener created: Drop removes only that file.
    file: Option<(u64, u64)>,
}

impl Listener {
    /// Binds `dir/service.sock` (0600) after checking `dir`; a stale socket of a previous run is
    /// replaced, a live one (another running service) is an error.
    pub async fn bind(dir: &Path) -> io::Result<Listener> {
        prepare_dir(dir)?;
        Self::bind_at(&dir.join(SOCKET_NAME)).await
    }

    /// Binds the socket at `path` without the folder checks (tests of the peer check).
    pub async fn bind_at(path: &Path) -> io::Result<Listener> {
        if UnixStream::connect(path).await.is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("another Qoltanba service listens on {}", path.display()),
            ));
        }
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        let file = std::fs::symlink_metadata(path)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        Ok(Listener {
            listener,
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next connection from this user; connections from other users are dropped here.
    pub async fn accept(&self) -> io::Result<UnixStream> {
        loop {
            let (stream, _) = self.listener.accept().await?;
            if peer_is_same_user(&stream) {
                return Ok(stream);
            }
            let uid = stream.peer_cred().map(|c| c.uid()).ok();
            tracing::warn!(?uid, "refused a local channel peer that is not this user");
        }
    }
}

impl Drop for Listener {
    /// Removes the socket file unless another service has since replaced it with its own.
    fn drop(&mut self) {
        let current = std::fs::symlink_metadata(&self.path)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        if current.is_some() && current == self.file {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The host's end: connects to `dir/service.sock` and checks the service runs as this user.
pub async fn connect(dir: &Path) -> io::Result<UnixStream> {
    check_private(dir)?;
    let stream = UnixStream::connect(dir.join(SOCKET_NAME)).await?;
    if !peer_is_same_user(&stream) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the local channel's service runs as another user",
        ));
    }
    Ok(stream)
}
