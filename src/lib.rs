//! Qoltanba core: keystores, NCA certificates and signatures.
#![forbid(unsafe_code)]

pub mod cert;
pub mod error;
pub mod gost;
pub mod keystore;
pub mod ocsp;
pub mod sign;
pub mod signature_check;
pub mod timestamp;

// Local WebSocket service (issue 3).
pub mod policy;
pub mod private_file;
pub mod prompt;
pub mod protocol;
pub mod server;
// TSA requests over HTTP (issue 14).
pub mod http_client;

pub use error::{Action, Error, Result};
