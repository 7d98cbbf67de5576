//! Documents from a request: checked before the prompt, decoded when signed.
//!
//! A 50 MB document arrives as 67 MB of base64 inside the frame, or as 50 MB of raw bytes
//! after the JSON of a binary frame (docs/PROTOCOL.md). Either way it stays in the frame,
//! shared and not copied, until a key is chosen; a detached signature then only needs its
//! hash, so base64 is decoded a chunk at a time straight into the hasher and never held whole
//! (SIMD base64: 2 ms to check 67 MB, 6 ms to decode it, where the `base64` crate takes 26 ms).

use std::borrow::Cow;
use std::sync::mpsc;
use std::time::SystemTime;

use bytes::Bytes;

use crate::sign::cms::{self, CmsError};
use crate::sign::{RawSigner, SignatureAlgorithm};

const ENGINE: base64_simd::Base64 = base64_simd::STANDARD;
/// Base64 characters decoded per step: 192 KiB out, small enough to stay in cache.
const CHUNK: usize = 256 * 1024;
const DECODED_CHUNK: usize = CHUNK / 4 * 3;
/// From this length on, decoding and hashing run on two threads.
const PIPELINE_FROM: usize = 8 * CHUNK;
/// Decoded chunks in flight between the two threads.
const BUFFERS: usize = 4;

/// A document to sign, as the page sent it.
#[derive(Debug, Clone)]
pub struct Document {
    form: Form,
    len: usize,
}

#[derive(Debug, Clone)]
enum Form {
    /// Standard base64, known to decode.
    Base64(Bytes),
    Raw(Bytes),
}

impl Document {
    /// Checks `text`, a string inside `frame`, and keeps it without copying. Line breaks and
    /// other ASCII whitespace are ignored (Java's MIME encoder wraps at 76); only input that
    /// has them pays for a filtered copy. None when it is not base64.
    pub fn base64(frame: &Bytes, text: &str) -> Option<Self> {
        let text = match checked_base64(text)? {
            Cow::Borrowed(_) => view(frame, text),
            Cow::Owned(compact) => Bytes::from(compact),
        };
        let len = ENGINE.decoded_length(&text).ok()?;
        Some(Document {
            form: Form::Base64(text),
            len,
        })
    }

    /// The document is these bytes: a binary attachment, or a string signed as its UTF-8.
    pub fn raw(bytes: Bytes) -> Self {
        Document {
            len: bytes.len(),
            form: Form::Raw(bytes),
        }
    }

    /// `text`, a string inside `frame`, signed as its own UTF-8 bytes.
    pub fn text(frame: &Bytes, text: &str) -> Self {
        Document::raw(view(frame, text))
    }

    /// The document's length in bytes (decoded).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// CMS SignedData over the document, as DER. Detached, only the hash is needed, so the
    /// document is never decoded whole.
    pub fn sign_cms(
        &self,
        signer: &dyn RawSigner,
        detached: bool,
        signing_time: SystemTime,
    ) -> Result<Vec<u8>, DocumentError> {
        Ok(if detached {
            let digest = self.digest(signer.algorithm())?;
            cms::sign_cms_digest(signer, &digest, signing_time)?
        } else {
            cms::sign_cms(signer, &self.bytes()?, false, signing_time)?
        })
    }

    /// The document's hash under `algorithm`. Large base64 documents are decoded on a second
    /// thread while this one hashes: decoding 50 MB takes 6 ms beside SHA-256's 28 ms, so the
    /// hash alone sets the pace.
    pub fn digest(&self, algorithm: SignatureAlgorithm) -> Result<Vec<u8>, DocumentError> {
        let mut hasher = algorithm.hasher();
        let text = match &self.form {
            Form::Raw(bytes) => {
                hasher.update(bytes);
                return Ok(hasher.finalize());
            }
            Form::Base64(text) => text,
        };
        if text.len() < PIPELINE_FROM {
            let mut buffer = vec![0u8; DECODED_CHUNK];
            for chunk in text.chunks(CHUNK) {
                hasher.update(decode_chunk(chunk, &mut buffer)?);
            }
            return Ok(hasher.finalize());
        }
        let (decoded_tx, decoded_rx) = mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);
        let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
        for _ in 0..BUFFERS {
            let _ = free_tx.send(vec![0u8; DECODED_CHUNK]);
        }
        std::thread::scope(|scope| {
            let decoder = scope.spawn(move || -> Result<(), DocumentError> {
                for chunk in text.chunks(CHUNK) {
                    let Ok(mut buffer) = free_rx.recv() else {
                        break;
                    };
                    let len = decode_chunk(chunk, &mut buffer)?.len();
                    if decoded_tx.send((buffer, len)).is_err() {
                        break;
                    }
                }
                Ok(())
            });
            // Ends when the decoder is done and has dropped its sender.
            for (buffer, len) in decoded_rx {
                hasher.update(&buffer[..len]);
                let _ = free_tx.send(buffer);
            }
            decoder.join().map_err(|_| DocumentError::NotBase64)?
        })?;
        Ok(hasher.finalize())
    }

    /// True when the document begins with `prefix`; decodes only the first few base64 groups.
    pub fn starts_with(&self, prefix: &[u8]) -> bool {
        match &self.form {
            Form::Raw(bytes) => bytes.starts_with(prefix),
            Form::Base64(text) => {
                let groups = prefix.len().div_ceil(3);
                let head = &text[..text.len().min(groups * 4)];
                ENGINE
                    .decode_to_vec(head)
                    .is_ok_and(|decoded| decoded.starts_with(prefix))
            }
        }
    }

    /// The whole document, for signatures that embed it.
    pub fn bytes(&self) -> Result<Cow<'_, [u8]>, DocumentError> {
        match &self.form {
            Form::Raw(bytes) => Ok(Cow::Borrowed(bytes)),
            Form::Base64(text) => ENGINE
                .decode_to_vec(text)
                .map(Cow::Owned)
                .map_err(|_| DocumentError::NotBase64),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Checked text that does not decode after all: a bug, reported instead of a panic.
    #[error("the document is not valid base64")]
    NotBase64,
    #[error(transparent)]
    Cms(#[from] CmsError),
}

fn decode_chunk<'b>(chunk: &[u8], buffer: &'b mut [u8]) -> Result<&'b [u8], DocumentError> {
    ENGINE
        .decode(chunk, base64_simd::Out::from_slice(buffer))
        .map(|decoded| &*decoded)
        .map_err(|_| DocumentError::NotBase64)
}

/// `text` as a slice of `frame` when it lies inside it (no JSON escapes), else a copy.
fn view(frame: &Bytes, text: &str) -> Bytes {
    let start = frame.as_ptr() as usize;
    let at = text.as_ptr() as usize;
    if at >= start && at + text.len() <= start + frame.len() {
        frame.slice_ref(text.as_bytes())
    } else {
        Bytes::copy_from_slice(text.as_bytes())
    }
}

/// `text` if it is standard base64, else its copy without ASCII whitespace if that is; None
/// when neither is.
fn checked_base64(text: &str) -> Option<Cow<'_, [u8]>> {
    if ENGINE.check(text.as_bytes()).is_ok() {
        return Some(Cow::Borrowed(text.as_bytes()));
    }
    // Wrapped input fails at its first line break, so this costs little.
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    ENGINE.check(&compact).ok()?;
    Some(Cow::Owned(compact))
}

/// Decodes standard base64 with the same rules as [`Document::base64`].
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    ENGINE.decode_to_vec(checked_base64(text)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    fn frame_with(text: &str) -> (Bytes, std::ops::Range<usize>) {
        let frame = Bytes::from(format!(r#"{{"data":"{text}"}}"#));
        (frame, 9..9 + text.len())
    }

    #[test]
    fn starts_with_reads_only_the_head_of_base64_and_raw_documents() {
        let text = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            b"qoltanba-login:2 and more",
        );
        let document = Document::base64(&Bytes::new(), &text).expect("base64");
        assert!(document.starts_with(b"qoltanba-"));
        assert!(!document.starts_with(b"qoltanbb"));
        assert!(Document::raw(Bytes::from_static(b"qoltanba-x")).starts_with(b"qoltanba-"));
        assert!(!Document::raw(Bytes::from_static(b"qol")).starts_with(b"qoltanba-"));
    }

    #[test]
    fn a_document_inside_the_frame_is_not_copied() {
        let (frame, range) = frame_with("aGVsbG8=");
        let text = std::str::from_utf8(&frame[range]).unwrap();
        let document = Document::base64(&frame, text).expect("base64");
        let Form::Base64(kept) = &document.form else {
            panic!("base64");
        };
        assert_eq!(kept.as_ptr(), text.as_ptr());
        assert_eq!(document.bytes().unwrap().as_ref(), b"hello");
    }

    #[test]
    fn a_string_outside_the_frame_is_copied() {
        let document = Document::base64(&Bytes::new(), "aGVsbG8=").expect("base64");
        assert_eq!(document.len(), 5);
        assert_eq!(document.bytes().unwrap().as_ref(), b"hello");
    }

    #[test]
    fn the_chunked_digest_equals_the_digest_of_the_decoded_document() {
        use base64::Engine;
        // One length on each side of the two-thread pipeline.
        for len in [3 * DECODED_CHUNK + 17, 11 * DECODED_CHUNK + 2] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let text = base64::engine::general_purpose::STANDARD.encode(&data);
            let document = Document::base64(&Bytes::new(), &text).expect("base64");
            assert_eq!(document.len(), data.len());
            for algorithm in [SignatureAlgorithm::RsaSha256, SignatureAlgorithm::Gost2015] {
                assert_eq!(document.digest(algorithm).unwrap(), algorithm.digest(&data));
            }
            assert_eq!(
                document.digest(SignatureAlgorithm::RsaSha256).unwrap(),
                sha2::Sha256::digest(&data).to_vec()
            );
        }
    }

    #[test]
    fn wrapped_base64_is_accepted() {
        let document = Document::base64(&Bytes::new(), "aGVs\r\nbG8=\n").expect("base64");
        assert_eq!(document.bytes().unwrap().as_ref(), b"hello");
    }

    #[test]
    fn malformed_base64_is_refused() {
        for text in [
            "aGVsbG8",
            "aGVsbG9=",
            "a===",
            "aGVs bG8",
            "!!!!",
            "aGVsbG8=aGVsbG8=",
        ] {
            assert!(Document::base64(&Bytes::new(), text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn empty_base64_is_an_empty_document() {
        let document = Document::base64(&Bytes::new(), "").expect("base64");
        assert!(document.is_empty());
        assert_eq!(
            document
                .digest(SignatureAlgorithm::RsaSha256)
                .unwrap()
                .len(),
            32
        );
    }

    #[test]
    fn a_raw_document_hashes_and_embeds_its_own_bytes() {
        let data = Bytes::from_static(b"raw bytes, not base64!");
        let document = Document::raw(data.clone());
        assert_eq!(document.len(), data.len());
        assert_eq!(document.bytes().unwrap().as_ref(), &data[..]);
        let algorithm = SignatureAlgorithm::RsaSha256;
        assert_eq!(document.digest(algorithm).unwrap(), algorithm.digest(&data));
    }
}
