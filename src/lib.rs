//! Qoltanba core: keystores, NCA certificates and signatures.
#![forbid(unsafe_code)]

pub mod cert;
pub mod error;
pub mod gost;
pub mod keystore;
pub mod sign;

pub use error::{Action, Error, Result};
