//! Any frame a page can send (text, or binary that may not be UTF-8) must route to a reply or a
//! job, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qoltanba::protocol::{route, Bytes, Context, Failure, Frame, Outcome};

fuzz_target!(|frame: &[u8]| {
    let context = Context {
        origin: "https://egov.kz".to_string(),
    };
    let Ok(frame) = Frame::binary(Bytes::copy_from_slice(frame)) else {
        return;
    };
    if let Outcome::Key(job) = route(&frame, &context) {
        let _ = (job.fail)(Failure::Cancelled);
    }
});
