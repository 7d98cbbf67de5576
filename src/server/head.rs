//! The HTTP request head: read up to its blank line, parsed by `httparse`, refused when ambiguous.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

/// A client that has not sent its request head (or TLS handshake) by then is dropped.
pub(super) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Request heads larger than this are not browsers.
const MAX_HEAD: usize = 16 * 1024;
/// A browser's WebSocket upgrade sends about fifteen header lines.
const MAX_HEADERS: usize = 64;
/// One read; a browser's head fits in one.
const CHUNK: usize = 2048;

/// The parts of an HTTP request head the policy looks at.
#[derive(Debug)]
pub(super) struct Head {
    pub method: String,
    pub host: Option<String>,
    pub origin: Option<String>,
    pub upgrade: bool,
    /// Bytes up to and including the blank line; whatever follows was pipelined.
    pub length: usize,
}

/// Why a head is refused before any policy step; the text goes back in the error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum HeadError {
    #[error("malformed request head ({0})")]
    Malformed(httparse::Error),
    #[error("request head too large (at most {MAX_HEAD} bytes and {MAX_HEADERS} headers)")]
    TooLarge,
    /// Two Hosts or two Origins: the policy could check one while the handshake uses the other.
    #[error("duplicate {0} header")]
    Duplicate(&'static str),
    #[error("{0} header is not UTF-8")]
    NotUtf8(&'static str),
}

impl HeadError {
    pub fn status(&self) -> &'static str {
        match self {
            HeadError::TooLarge => "431 Request Header Fields Too Large",
            _ => "400 Bad Request",
        }
    }
}

/// Reads until the head is complete and returns it with every byte read, the head's and any
/// after it (a pipelined WebSocket frame), for the handshake to re-read. `Ok(None)`: the client
/// left or stalled.
pub(super) async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Result<Option<(Head, Vec<u8>)>, HeadError> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; CHUNK];
    let read = async {
        loop {
            let n = match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return Ok(None),
                Ok(n) => n,
            };
            buffer.extend_from_slice(&chunk[..n]);
            // A head ends with a line feed, so only such a read can complete it: a client
            // trickling bytes costs one parse per line, not one per byte.
            if memchr::memchr(b'\n', &chunk[..n]).is_some() {
                if let Some(head) = parse_head(&buffer)? {
                    return if head.length <= MAX_HEAD {
                        Ok(Some((head, buffer)))
                    } else {
                        Err(HeadError::TooLarge)
                    };
                }
            }
            if buffer.len() > MAX_HEAD {
                return Err(HeadError::TooLarge);
            }
        }
    };
    tokio::time::timeout(HEAD_TIMEOUT, read)
        .await
        .unwrap_or(Ok(None))
}

/// The head; `None` while httparse has not seen its end.
fn parse_head(bytes: &[u8]) -> Result<Option<Head>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let length = match request.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(e) => return Err(HeadError::Malformed(e)),
    };
    let mut head = Head {
        method: request.method.unwrap_or_default().to_string(),
        host: None,
        origin: None,
        upgrade: false,
        length,
    };
    for header in request.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("host") {
            set_once(&mut head.host, "Host", header.value)?;
        } else if name.eq_ignore_ascii_case("origin") {
            set_once(&mut head.origin, "Origin", header.value)?;
        } else if name.eq_ignore_ascii_case("upgrade") {
            // Any WebSocket upgrade takes the stricter path: the Origin check.
            head.upgrade |= header.value.trim_ascii().eq_ignore_ascii_case(b"websocket");
        }
    }
    Ok(Some(head))
}

fn set_once(slot: &mut Option<String>, name: &'static str, value: &[u8]) -> Result<(), HeadError> {
    if slot.is_some() {
        return Err(HeadError::Duplicate(name));
    }
    let value = std::str::from_utf8(value).map_err(|_| HeadError::NotUtf8(name))?;
    *slot = Some(value.trim().to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    const UPGRADE: &str = "GET / HTTP/1.1\r\nHost: 127.0.0.1:13579\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: https://portal.example.kz\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    fn parsed(text: &str) -> Result<Option<Head>, HeadError> {
        parse_head(text.as_bytes())
    }

    /// Feeds `parts` to `read_head` as separate writes, as a slow or hostile client would.
    async fn read_written(parts: Vec<Vec<u8>>) -> Result<Option<(Head, Vec<u8>)>, HeadError> {
        let (mut client, mut server) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            for part in parts {
                if client.write_all(&part).await.is_err() {
                    return;
                }
                let _ = client.flush().await;
                tokio::task::yield_now().await;
            }
            // Keep the pipe open until the reader is done: EOF is not what ends a head.
            let _ = client.shutdown().await;
        });
        let read = read_head(&mut server).await;
        drop(server);
        let _ = writer.await;
        read
    }

    #[test]
    fn a_browser_upgrade_head_is_read_whole() {
        let head = parsed(UPGRADE).expect("valid").expect("complete");
        assert_eq!(head.length, UPGRADE.len());
        assert_eq!(head.method, "GET");
        assert_eq!(head.host.as_deref(), Some("127.0.0.1:13579"));
        assert_eq!(head.origin.as_deref(), Some("https://portal.example.kz"));
        assert!(head.upgrade);
    }

    #[test]
    fn duplicate_host_header_cannot_smuggle_a_second_host() {
        let text = UPGRADE.replace("\r\n\r\n", "\r\nhost: attacker.example\r\n\r\n");
        assert_eq!(
            parsed(&text).unwrap_err(),
            HeadError::Duplicate("Host"),
            "{text}"
        );
    }

    #[test]
    fn duplicate_origin_header_cannot_smuggle_an_approved_origin() {
        let text = UPGRADE.replace("\r\n\r\n", "\r\nORIGIN: https://attacker.example\r\n\r\n");
        assert_eq!(parsed(&text).unwrap_err(), HeadError::Duplicate("Origin"));
    }

    #[test]
    fn malformed_heads_are_refused_not_guessed() {
        for text in [
            "GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
            "GET / HTTP/9.9\r\n\r\n",
            "GET\x01/ HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHo st: 127.0.0.1\r\n\r\n",
        ] {
            let err = parsed(text).map(|_| ()).unwrap_err();
            assert!(matches!(err, HeadError::Malformed(_)), "{text:?}: {err:?}");
        }
    }

    #[test]
    fn a_head_without_its_blank_line_is_not_complete() {
        let text = UPGRADE.trim_end_matches("\r\n");
        assert!(parsed(text).expect("valid so far").is_none());
    }

    #[test]
    fn non_utf8_origin_is_refused() {
        let bytes = b"GET / HTTP/1.1\r\nOrigin: https://\xff.example\r\n\r\n";
        assert_eq!(
            parse_head(bytes).map(|_| ()).unwrap_err(),
            HeadError::NotUtf8("Origin")
        );
    }

    #[tokio::test]
    async fn a_head_split_across_many_small_writes_is_read_whole() {
        let parts = UPGRADE.bytes().map(|b| vec![b]).collect();
        let (head, bytes) = read_written(parts).await.expect("valid").expect("read");
        assert_eq!(bytes, UPGRADE.as_bytes());
        assert_eq!(head.origin.as_deref(), Some("https://portal.example.kz"));
    }

    #[tokio::test]
    async fn bytes_pipelined_after_the_head_are_kept_for_the_websocket() {
        let frame = [
            0x81,
            0x85,
            1,
            2,
            3,
            4,
            b'h' ^ 1,
            b'e' ^ 2,
            b'l' ^ 3,
            b'l' ^ 4,
            b'o' ^ 1,
        ];
        let mut sent = UPGRADE.as_bytes().to_vec();
        sent.extend_from_slice(&frame);
        // A pipe narrower than the frame: some of it arrives with the head, some after.
        let (mut client, mut server) = tokio::io::duplex(17);
        let written = sent.clone();
        let writer = tokio::spawn(async move {
            client.write_all(&written).await.expect("write");
            client.shutdown().await.expect("shutdown");
        });
        let (head, mut bytes) = read_head(&mut server).await.expect("valid").expect("read");
        assert_eq!(head.length, UPGRADE.len());
        assert!(bytes.len() > head.length, "the read went past the head");
        server.read_to_end(&mut bytes).await.expect("rest");
        writer.await.expect("writer");
        assert_eq!(
            bytes, sent,
            "the head's reads plus the stream give every byte once"
        );
    }

    #[tokio::test]
    async fn oversize_head_is_refused_without_reading_on() {
        let padding = format!("X-Pad: {}\r\n", "a".repeat(MAX_HEAD));
        let text = UPGRADE.replace("\r\n\r\n", &format!("\r\n{padding}\r\n"));
        let err = read_written(vec![text.into_bytes()]).await.unwrap_err();
        assert_eq!(err, HeadError::TooLarge);
        assert_eq!(err.status(), "431 Request Header Fields Too Large");
    }

    #[tokio::test]
    async fn a_head_with_too_many_headers_is_refused() {
        let many = "X-A: 1\r\n".repeat(MAX_HEADERS + 1);
        let text = UPGRADE.replace("\r\n\r\n", &format!("\r\n{many}\r\n"));
        let err = read_written(vec![text.into_bytes()]).await.unwrap_err();
        assert_eq!(err, HeadError::TooLarge);
    }

    #[tokio::test]
    async fn a_client_that_leaves_mid_head_is_dropped_quietly() {
        let parts = vec![UPGRADE.as_bytes()[..40].to_vec()];
        assert!(read_written(parts).await.expect("no refusal").is_none());
    }
}
