//! One TCP connection: TLS or not, HTTP head checks, then the status page or the WebSocket.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::admission::Connected;
use super::head::{self, HeadError, HEAD_TIMEOUT};
use super::jobs::{self, Connection, Job};
use super::large_reads::{MessageGate, Metered, SLOT_TIMEOUT};
use super::rewind::Rewind;
use super::Service;
use crate::policy;
use crate::protocol::{self, ncalayer, Context, Frame, Outcome};

/// Requests whose JSON is larger than this are routed on a blocking thread (JSON, base64, XML).
const LARGE_FRAME: usize = 64 * 1024;
const TLS_HANDSHAKE: u8 = 0x16;
/// Small enough for many idle pages, large enough for typical requests in one read.
const READ_BUFFER: usize = 8 * 1024;

pub(super) async fn handle(stream: TcpStream, peer: SocketAddr, service: Arc<Service>) {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(HEAD_TIMEOUT, stream.peek(&mut first)).await;
    if !matches!(peeked, Ok(Ok(1))) {
        return;
    }
    if first[0] == TLS_HANDSHAKE {
        let Some(tls) = service.config.tls.clone() else {
            tracing::debug!(%peer, "TLS ClientHello but TLS is not configured");
            return;
        };
        // Boxed, like every step before the WebSocket runs: a future's size is that of its
        // largest state, and a connection task lives as long as its page stays open.
        let accepted = Box::pin(tokio::time::timeout(
            HEAD_TIMEOUT,
            tokio_rustls::TlsAcceptor::from(tls).accept(stream),
        ))
        .await;
        match accepted {
            Ok(Ok(tls_stream)) => Box::pin(serve_http(tls_stream, peer, service, true)).await,
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
    } else {
        Box::pin(serve_http(stream, peer, service, false)).await;
    }
}

async fn respond<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: &str,
    content_type: &str,
    body: &str,
) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn serve_http<S>(mut stream: S, peer: SocketAddr, service: Arc<Service>, secure: bool)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Malformed and ambiguous heads are refused before any policy step sees them.
    let (head, mut bytes) = match Box::pin(head::read_head(&mut stream)).await {
        Ok(Some(read)) => read,
        Ok(None) => return,
        Err(e) => {
            refuse_head(&mut stream, peer, e).await;
            return;
        }
    };
    if !policy::host_allowed(head.host.as_deref(), service.address.port()) {
        tracing::warn!(%peer, "refused: Host is not this machine's loopback address");
        respond(
            &mut stream,
            "403 Forbidden",
            "text/plain",
            "Forbidden: wrong Host\n",
        )
        .await;
        return;
    }
    if !head.upgrade {
        if head.method == "GET" || head.method == "HEAD" {
            let page = status_page(&service, secure);
            respond(&mut stream, "200 OK", "text/html", &page).await;
        } else {
            respond(
                &mut stream,
                "405 Method Not Allowed",
                "text/plain",
                "Use GET\n",
            )
            .await;
        }
        return;
    }
    let origin = match policy::check_origin(head.origin.as_deref()) {
        Ok(origin) => origin,
        Err(e) => {
            tracing::warn!(%peer, reason = %e, "refused origin");
            respond(
                &mut stream,
                "403 Forbidden",
                "text/plain",
                &format!("Forbidden: {e}\n"),
            )
            .await;
            return;
        }
    };
    let config = socket_config(&service);
    // The handshake re-reads exactly the head (tungstenite refuses bytes after it as junk); a
    // frame the client sent without waiting for the 101 follows once the WebSocket reads.
    let pipelined = bytes.split_off(head.length);
    let stream = Rewind::new(bytes, Rewind::new(pipelined, stream));
    let connected = service.config.admission.connect(&origin);
    let (stream, gate) = metered(stream, &connected, &service);
    let handshake = tokio_tungstenite::accept_async_with_config(stream, Some(config));
    let ws = match Box::pin(handshake).await {
        Ok(ws) => ws,
        Err(e) => {
            tracing::debug!(%peer, error = %e, "WebSocket handshake failed");
            return;
        }
    };
    tracing::info!(%peer, %origin, secure, "connected");
    Box::pin(run_socket(ws, connected, gate, service, origin)).await;
    tracing::info!(%peer, "disconnected");
}

fn socket_config(service: &Service) -> WebSocketConfig {
    WebSocketConfig::default()
        // tungstenite preallocates the read buffer: 128 KiB by default, per idle connection.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(READ_BUFFER)
        .max_message_size(Some(service.config.max_message_size))
        .max_frame_size(Some(service.config.max_message_size))
}

fn metered<S>(
    stream: S,
    connected: &Connected,
    service: &Service,
) -> (Metered<S>, Arc<MessageGate>) {
    Metered::new(
        stream,
        connected.large_readers(),
        service.config.admission.large_readers(),
        SLOT_TIMEOUT,
    )
}

/// A WebSocket relayed by the native-messaging host: `origin` is the one the browser gave the
/// extension, already checked; from here on it is the same path as a page's socket.
pub(super) async fn serve_relayed<S>(stream: S, origin: String, service: Arc<Service>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connected = service.config.admission.connect(&origin);
    let (stream, gate) = metered(stream, &connected, &service);
    let ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
        stream,
        Role::Server,
        Some(socket_config(&service)),
    )
    .await;
    tracing::info!(%origin, "connected through the browser extension");
    Box::pin(run_socket(ws, connected, gate, service, origin)).await;
    tracing::info!("extension connection closed");
}

async fn refuse_head<S: AsyncWrite + Unpin>(stream: &mut S, peer: SocketAddr, e: HeadError) {
    tracing::warn!(%peer, reason = %e, "refused request head");
    let body = format!("Bad request: {e}\n");
    respond(stream, e.status(), "text/plain", &body).await;
}

fn status_page(service: &Service, secure: bool) -> String {
    let tls = match (&service.config.tls, service.config.tls_installed) {
        (None, _) => "off (ws:// only)",
        (Some(_), true) => "on; local CA installed in browser trust stores",
        (Some(_), false) => "on; local CA not installed yet (run: qoltanba tls install)",
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Qoltanba</title></head><body>\
         <h1>Qoltanba {}</h1><ul><li>Listening on {}</li><li>TLS: {}</li><li>This page was served over {}</li></ul>\
         </body></html>\n",
        env!("CARGO_PKG_VERSION"),
        service.address,
        tls,
        if secure { "https" } else { "http" }
    )
}

async fn run_socket<S>(
    ws: tokio_tungstenite::WebSocketStream<S>,
    connected: Connected,
    gate: Arc<MessageGate>,
    service: Arc<Service>,
    origin: String,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = ws.split();
    let (out, mut outbox) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = outbox.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let _ = out.send(Message::text(ncalayer::GREETING));

    let (closed_tx, closed) = watch::channel(false);
    let connection = Arc::new(Connection {
        _connected: connected,
        origin: origin.clone(),
        locale: Mutex::new(None),
    });
    let context = Context {
        origin,
        tsa: service.config.tsa.clone(),
    };
    let mut shutdown = service.shutdown.clone();
    loop {
        let message = tokio::select! {
            message = stream.next() => message,
            _ = shutdown.wait_for(|stop| *stop) => {
                let _ = out.send(close(CloseCode::Away, "service is shutting down"));
                break;
            }
        };
        // The message is whole: the next one starts with its small allowance.
        gate.message_done();
        // What a queued request holds in memory: its whole message.
        let size = match &message {
            Some(Ok(Message::Text(text))) => text.len(),
            Some(Ok(Message::Binary(bytes))) => bytes.len(),
            _ => 0,
        };
        let frame = match message {
            Some(Ok(Message::Text(text))) => Frame::text(text),
            // JSON as a binary frame, maybe with a raw document after it.
            Some(Ok(Message::Binary(bytes))) => match Frame::binary(bytes) {
                Ok(frame) => frame,
                Err(_) => {
                    let _ = out.send(Message::text(ncalayer::invalid_json()));
                    continue;
                }
            },
            Some(Ok(Message::Close(_))) | None => break,
            Some(Ok(_)) => continue,
            Some(Err(WsError::Capacity(e))) => {
                tracing::warn!(error = %e, "message too large");
                let _ = out.send(close(CloseCode::Size, "message too large"));
                break;
            }
            Some(Err(e)) => {
                tracing::debug!(error = %e, "read failed");
                let _ = out.send(close(CloseCode::Protocol, "protocol error"));
                break;
            }
        };
        // Only the JSON is parsed here; an attached document waits for the key untouched.
        let outcome = if frame.json.len() > LARGE_FRAME {
            let context = context.clone();
            match tokio::task::spawn_blocking(move || protocol::route(&frame, &context)).await {
                Ok(outcome) => outcome,
                Err(_) => Outcome::Reply(ncalayer::common_error("Internal error", None)),
            }
        } else {
            protocol::route(&frame, &context)
        };
        match outcome {
            Outcome::Reply(reply) => {
                let _ = out.send(Message::text(reply));
            }
            Outcome::Silent => {}
            Outcome::Locale { locale, reply } => {
                *connection.locale.lock().unwrap_or_else(|p| p.into_inner()) = Some(locale);
                let _ = out.send(Message::text(reply));
            }
            Outcome::Key(job) => {
                jobs::start(&service, &connection, Job::Key(*job), size, &out, &closed)
            }
            Outcome::Keystores(job) => jobs::start(
                &service,
                &connection,
                Job::Keystores(job),
                size,
                &out,
                &closed,
            ),
        }
    }
    // Cancels this connection's queued and visible prompts.
    let _ = closed_tx.send(true);
    drop(out);
    let _ = writer.await;
}

fn close(code: CloseCode, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
