//! Any bytes opened as a keystore must give a typed error or a keystore, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = qoltanba::keystore::open_bytes(bytes, "Qwerty12");
});
