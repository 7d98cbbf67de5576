//! Qoltanba core: keystores, NCA certificates and signatures.
#![forbid(unsafe_code)]

pub mod cert;
pub mod error;
pub mod gost;
pub mod keystore;
pub mod local_channel;
pub mod native_host;
pub mod sign;

// Local WebSocket service (issue 3).
pub mod policy;
pub mod private_file;
pub mod prompt;
pub mod protocol;
pub mod server;

pub use error::{Action, Error, Result};
