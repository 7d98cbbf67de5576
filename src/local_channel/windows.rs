//! Windows side of the local channel: a named pipe restricted to this user (issue of the Windows
//! port). Until it lands the host reports the channel as unavailable instead of guessing.

use std::io;
use std::path::Path;

/// Placeholder type so the service compiles; the named pipe replaces it.
pub type Stream = tokio::io::DuplexStream;

fn unavailable() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "the local channel (named pipe) is not implemented on this platform yet",
    )
}

pub fn prepare_dir(_dir: &Path) -> io::Result<()> {
    Err(unavailable())
}

pub struct Listener;

impl Listener {
    pub async fn bind(_dir: &Path) -> io::Result<Listener> {
        Err(unavailable())
    }

    pub async fn accept(&self) -> io::Result<Stream> {
        Err(unavailable())
    }
}

pub async fn connect(_dir: &Path) -> io::Result<Stream> {
    Err(unavailable())
}
