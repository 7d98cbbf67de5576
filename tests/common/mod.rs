//! Shared paths and helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod openssl_gost;

pub const PASSWORD: &str = "Qwerty12";

/// The workspace root (where certs-test/ lives), for tests of the root package and of crates/*.
pub fn repo() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("certs-test").is_dir())
        .unwrap_or(here)
        .to_path_buf()
}

/// A keystore of the committed test PKI.
pub fn test_keystore(name: &str) -> PathBuf {
    repo().join("certs-test/keystores").join(name)
}

pub fn test_ca(name: &str) -> PathBuf {
    repo().join("certs-test/ca").join(name)
}

/// The real NCA fixtures (third-party test data read in place), or None with a plain notice.
///
/// Under CI a missing folder is a failure, not a skip.
pub fn nca_fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("QOLTANBA_NCA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/fixtures/nca"));
    if dir.join("keystores").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "NCA fixtures not found at {} (set QOLTANBA_NCA_FIXTURES)",
            dir.display()
        );
    }
    eprintln!(
        "NOTE: NCA fixtures not found at {}; real-NCA tests did not run",
        dir.display()
    );
    None
}

pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}
