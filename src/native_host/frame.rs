//! The browser's native-messaging framing: a 32-bit length in native byte order, then JSON.

use std::io::{self, Read, Write};

/// Largest message a page may send: a 64 MiB document as base64, with room for its JSON.
pub const MAX_INCOMING: usize = 96 * 1024 * 1024;
/// Browsers refuse messages from a host larger than 1 MiB (Chrome's documented limit).
pub const MAX_OUTGOING: usize = 1024 * 1024;

/// One read from the browser: a message, or one the host refused (and skipped past).
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Message(Vec<u8>),
    TooLarge(usize),
}

/// Reads one frame; `None` at a clean end of input. A frame over `max` is read and dropped,
/// so the stream stays in step and the host keeps serving.
pub fn read(input: &mut impl Read, max: usize) -> io::Result<Option<Incoming>> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let length = u32::from_ne_bytes(length) as usize;
    if length > max {
        let skipped = io::copy(&mut input.take(length as u64), &mut io::sink())?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Ok(Some(Incoming::TooLarge(length)));
    }
    let mut body = vec![0u8; length];
    input.read_exact(&mut body)?;
    Ok(Some(Incoming::Message(body)))
}

/// Writes one frame and flushes it (the browser reads whole frames).
pub fn write(output: &mut impl Write, json: &[u8]) -> io::Result<()> {
    let length = u32::try_from(json.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    output.write_all(&length.to_ne_bytes())?;
    output.write_all(json)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut bytes = (body.len() as u32).to_ne_bytes().to_vec();
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn a_frame_over_the_limit_is_skipped_and_the_next_one_is_read() {
        let mut input = framed(&[b'x'; 100]);
        input.extend(framed(b"{}"));
        let mut reader = &input[..];
        assert_eq!(
            read(&mut reader, 10).unwrap(),
            Some(Incoming::TooLarge(100))
        );
        assert_eq!(
            read(&mut reader, 10).unwrap(),
            Some(Incoming::Message(b"{}".to_vec()))
        );
        assert_eq!(read(&mut reader, 10).unwrap(), None);
    }

    #[test]
    fn a_truncated_frame_is_an_error_not_a_message() {
        let input = framed(b"{\"type\":\"open\"}");
        let mut reader = &input[..input.len() - 3];
        assert!(read(&mut reader, 1024).is_err());
    }

    #[test]
    fn written_frames_read_back() {
        let mut out = Vec::new();
        write(&mut out, b"{\"a\":1}").unwrap();
        assert_eq!(
            read(&mut &out[..], 1024).unwrap(),
            Some(Incoming::Message(b"{\"a\":1}".to_vec()))
        );
    }
}
