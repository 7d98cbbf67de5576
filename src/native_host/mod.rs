//! `qoltanba native-host`: the browser extension's way in, over native messaging.
//!
//! The browser starts one host per page connection and speaks length-prefixed JSON on
//! stdin/stdout. The host opens the local channel to the running service (only this OS user
//! can), sends the page origin the browser gave the extension, then relays the page's WebSocket
//! frames over it; the service treats them exactly as a page's own socket (policy, prompt, sign).

pub mod cli;
pub mod frame;
pub mod manifest;
pub mod messages;

use std::io;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::local_channel::{self, Hello, Stream, ACCEPTED, MAX_HELLO};
use frame::{Incoming, MAX_INCOMING};
use messages::{reason, FromPage, ToPage};

/// Text to the browser goes in parts of at most this many bytes: JSON escaping at most
/// sextuples it, which keeps every frame under the browser's 1 MiB limit.
const TEXT_PART: usize = 128 * 1024;
/// How long the service may take to answer the hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

type Socket = WebSocketStream<Stream>;

/// Runs the host on stdin/stdout until the browser closes stdin.
pub fn run() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (pages, incoming) = mpsc::channel(1);
    // Blocking reads of stdin on their own thread; the relay waits for them asynchronously.
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        while let Ok(Some(read)) = frame::read(&mut stdin, MAX_INCOMING) {
            if pages.blocking_send(read).is_err() {
                break;
            }
        }
    });
    let (out, writer) = Out::stdout();
    runtime.block_on(relay(&local_channel::runtime_dir(), incoming, &out));
    // Every frame (the close above all) reaches the browser before the process exits.
    drop(out);
    let _ = writer.join();
    Ok(())
}

/// Frames to the browser, written in order by one thread.
pub struct Out(std::sync::mpsc::Sender<Vec<u8>>);

impl Out {
    fn stdout() -> (Out, std::thread::JoinHandle<()>) {
        let (sender, receiver) = std::sync::mpsc::channel::<Vec<u8>>();
        let writer = std::thread::spawn(move || {
            let mut stdout = io::stdout().lock();
            for json in receiver {
                if frame::write(&mut stdout, &json).is_err() {
                    break;
                }
            }
        });
        (Out(sender), writer)
    }

    fn send(&self, message: &ToPage<'_>) {
        if let Ok(json) = serde_json::to_vec(message) {
            let _ = self.0.send(json);
        }
    }

    fn error(&self, reason: &str, message: &str) {
        self.send(&ToPage::Error { reason, message });
    }

    /// Sends `text` in parts below the browser's frame limit.
    fn text(&self, mut text: &str) {
        loop {
            let mut cut = text.len().min(TEXT_PART);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let (part, rest) = text.split_at(cut);
            self.send(&ToPage::Text {
                data: part,
                more: !rest.is_empty(),
            });
            if rest.is_empty() {
                return;
            }
            text = rest;
        }
    }
}

/// Relays one page connection; bad input gets an error and the host carries on, until the
/// socket closes or the browser closes stdin.
pub async fn relay(dir: &Path, mut incoming: mpsc::Receiver<Incoming>, out: &Out) {
    let mut socket: Option<Socket> = None;
    loop {
        let event = match socket.as_mut() {
            None => match incoming.recv().await {
                Some(read) => Event::Page(read),
                None => return,
            },
            Some(ws) => tokio::select! {
                read = incoming.recv() => match read {
                    Some(read) => Event::Page(read),
                    None => {
                        let _ = ws.close(None).await;
                        return;
                    }
                },
                message = ws.next() => Event::Service(message),
            },
        };
        match event {
            Event::Page(read) => {
                if let Some(opened) = from_page(dir, read, socket.as_mut(), out).await {
                    socket = Some(opened);
                }
            }
            Event::Service(message) => {
                // One host per page socket: once it is closed the host's work is done.
                if !to_page(message, out) {
                    return;
                }
            }
        }
    }
}

enum Event {
    Page(Incoming),
    Service(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
}

/// Handles one message from the page; returns a newly opened socket.
async fn from_page(
    dir: &Path,
    read: Incoming,
    socket: Option<&mut Socket>,
    out: &Out,
) -> Option<Socket> {
    let bytes = match read {
        Incoming::Message(bytes) => bytes,
        Incoming::TooLarge(length) => {
            let message =
                format!("a message of {length} bytes is over the {MAX_INCOMING}-byte limit");
            out.error(reason::TOO_LARGE, &message);
            return None;
        }
    };
    let message = match serde_json::from_slice::<FromPage>(&bytes) {
        Ok(message) => message,
        Err(_) => {
            out.error(reason::MALFORMED, "not a Qoltanba extension message");
            return None;
        }
    };
    match (message, socket) {
        (FromPage::Open { origin }, None) => match open(dir, &origin).await {
            Ok(ws) => {
                out.send(&ToPage::Open);
                Some(ws)
            }
            Err((why, message)) => {
                out.error(why, &message);
                None
            }
        },
        (FromPage::Open { .. }, Some(_)) => {
            out.error(reason::ALREADY_OPEN, "this connection is already open");
            None
        }
        (_, None) => {
            out.error(reason::NOT_OPEN, "open the connection first");
            None
        }
        (FromPage::Text { data }, Some(ws)) => {
            let _ = ws.send(Message::text(data)).await;
            None
        }
        (FromPage::Binary { data }, Some(ws)) => {
            match base64::engine::general_purpose::STANDARD.decode(data.as_bytes()) {
                Ok(bytes) => {
                    let _ = ws.send(Message::binary(bytes)).await;
                }
                Err(_) => out.error(reason::MALFORMED, "binary data is not base64"),
            }
            None
        }
        (FromPage::Close { code, reason }, Some(ws)) => {
            let frame = CloseFrame {
                code: CloseCode::from(code.unwrap_or(1000)),
                reason: reason.unwrap_or_default().into(),
            };
            let _ = ws.close(Some(frame)).await;
            None
        }
    }
}

/// Passes one service message to the page; false once the socket is closed.
fn to_page(
    message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    out: &Out,
) -> bool {
    match message {
        Some(Ok(Message::Text(text))) => {
            out.text(text.as_str());
            true
        }
        Some(Ok(Message::Close(frame))) => {
            let (code, why) = frame
                .map(|f| (u16::from(f.code), f.reason.to_string()))
                .unwrap_or((1005, String::new()));
            out.send(&ToPage::Close { code, reason: &why });
            false
        }
        Some(Ok(_)) => true,
        Some(Err(_)) | None => {
            out.send(&ToPage::Close {
                code: 1006,
                reason: "",
            });
            false
        }
    }
}

/// Opens the local channel and introduces the page's origin; the error says why not.
async fn open(dir: &Path, origin: &str) -> Result<Socket, (&'static str, String)> {
    let mut stream = local_channel::connect(dir).await.map_err(|e| {
        (
            reason::NOT_RUNNING,
            format!(
                "Qoltanba is not running (no service at {}: {e})",
                dir.display()
            ),
        )
    })?;
    let hello = serde_json::to_string(&Hello {
        origin: origin.to_string(),
    })
    .map_err(|e| (reason::MALFORMED, e.to_string()))?;
    let answer = tokio::time::timeout(HELLO_TIMEOUT, async {
        stream.write_all(format!("{hello}\n").as_bytes()).await?;
        read_line(&mut stream).await
    })
    .await;
    match answer {
        Ok(Ok(line)) if line == ACCEPTED => {}
        Ok(Ok(line)) => return Err((reason::REFUSED, line)),
        Ok(Err(e)) => return Err((reason::NOT_RUNNING, format!("the service closed: {e}"))),
        Err(_) => return Err((reason::NOT_RUNNING, "the service did not answer".into())),
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_INCOMING))
        .max_frame_size(Some(MAX_INCOMING));
    Ok(WebSocketStream::from_raw_socket(stream, Role::Client, Some(config)).await)
}

async fn read_line(stream: &mut Stream) -> io::Result<String> {
    let mut line = Vec::new();
    loop {
        let byte = stream.read_u8().await?;
        if byte == b'\n' {
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
        if line.len() >= MAX_HELLO {
            return Err(io::Error::other("answer line too long"));
        }
        line.push(byte);
    }
}
