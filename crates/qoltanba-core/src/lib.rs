//! Qoltanba's core — keystores, NCA certificates, signatures and login tokens — with no network, no async runtime and no unsafe.
//!
//! The only file I/O is what an API names: [`keystore::open`] reads the keystore it is given and
//! [`keystore::find`] the folders it is given. The desktop service (`qoltanba`), the tray app, the
//! portal-side verifier (`qoltanba-verify`) and the reference portal all build on this crate.
//!
//! ```
//! use qoltanba_core::keystore;
//! use qoltanba_core::sign::{sign_raw, EntrySigner};
//!
//! let store = keystore::open("../../certs-test/keystores/individual_auth.p12".as_ref(), "Qwerty12")?;
//! let signer = EntrySigner::new(&store.entries[0], Default::default())?;
//! let signature = sign_raw(&signer, b"challenge")?;
//! # Ok::<(), qoltanba_core::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod cert;
pub mod error;
pub mod keystore;
pub mod sign;
pub mod token;

/// GOST R 34.10-2015, re-exported so `qoltanba_core::gost` names the same types the keystore holds.
pub use qoltanba_gost as gost;

pub use error::{Action, Error, Result};
