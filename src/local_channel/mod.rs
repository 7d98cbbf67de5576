//! The channel from the native-messaging host to the running service: only this OS user can open it.
//!
//! Unix: a socket (0600) in a runtime folder (0700) that must belong to this user, and each side
//! checks the other's uid with `SO_PEERCRED` (`getpeereid` on the BSDs). Windows: a named pipe
//! (its own module, when that platform lands).

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::{connect, own_uid, peer_is_same_user, prepare_dir, Listener, Stream};

#[cfg(not(unix))]
mod windows;
#[cfg(not(unix))]
pub use windows::{connect, prepare_dir, Listener, Stream};

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The socket's file name inside the runtime folder.
pub const SOCKET_NAME: &str = "service.sock";
/// Longest hello line the service reads (an origin is far shorter).
pub const MAX_HELLO: usize = 4096;

/// The host's first line: the page origin the browser gave the extension.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hello {
    pub origin: String,
}

/// The service's answer line: `ok`, or `refused: <reason>`.
pub const ACCEPTED: &str = "ok";

/// Where the channel lives: `$QOLTANBA_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/qoltanba`, else a
/// per-user folder in the temp dir (its owner and mode are checked before use).
pub fn runtime_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("QOLTANBA_RUNTIME_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR") {
        return PathBuf::from(dir).join("qoltanba");
    }
    #[cfg(unix)]
    let name = format!("qoltanba-{}", own_uid());
    #[cfg(not(unix))]
    let name = "qoltanba".to_string();
    std::env::temp_dir().join(name)
}
