//! Where Qoltanba keeps its settings and looks for keystores: each system's own places.

#[cfg(not(windows))]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(not(windows))]
pub use unix::{config_dir, keystore_dirs};
#[cfg(windows)]
pub use windows::{config_dir, keystore_dirs};
