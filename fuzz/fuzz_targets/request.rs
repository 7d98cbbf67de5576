//! Any text frame a page can send must route to a reply or a job, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qoltanba::protocol::{route, Context};

fuzz_target!(|text: &str| {
    let context = Context {
        origin: "https://egov.kz".to_string(),
    };
    let _ = route(text, &context);
});
