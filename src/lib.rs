//! Qoltanba's desktop service: the local WebSocket server, site approvals, prompts and TLS, on top of `qoltanba-core`.
#![forbid(unsafe_code)]

// The pure core, re-exported so the service and its tests keep one path to each piece.
pub use qoltanba_core::{cert, error, gost, keystore, ocsp, sign, signature_check, timestamp};
pub use qoltanba_core::{Action, Error, Result};

pub mod folders;
// The browser extension's way in (issue 17).
pub mod local_channel;
pub mod native_host;

pub mod policy;
pub mod private_file;
pub mod prompt;
pub mod protocol;
pub mod server;
// TSA requests over HTTP (issue 14).
