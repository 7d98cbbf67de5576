//! The local channel's service end: each connection from the native-messaging host is one page
//! WebSocket, whose origin the host sends first (as the browser gave it to the extension).

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::head::HEAD_TIMEOUT;
use super::Service;
use crate::local_channel::{Hello, Listener, Stream, ACCEPTED, MAX_HELLO};
use crate::policy;

/// Accepts relayed connections until the service shuts down.
pub(super) async fn serve(listener: Arc<Listener>, service: Arc<Service>) {
    let mut shutdown = service.shutdown.clone();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        match stream {
            Ok(stream) => {
                let service = Arc::clone(&service);
                tokio::spawn(async move { handle(stream, service).await });
            }
            Err(e) => {
                tracing::warn!(error = %e, "local channel accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

async fn handle(mut stream: Stream, service: Arc<Service>) {
    let hello = match tokio::time::timeout(HEAD_TIMEOUT, read_hello(&mut stream)).await {
        Ok(Ok(hello)) => hello,
        Ok(Err(reason)) => {
            tracing::warn!(%reason, "refused local channel hello");
            let _ = stream
                .write_all(format!("refused: {reason}\n").as_bytes())
                .await;
            return;
        }
        Err(_) => return,
    };
    // The same origin rule as a page's Origin header: https, or http on localhost.
    let origin = match policy::check_origin(Some(&hello.origin)) {
        Ok(origin) => origin,
        Err(e) => {
            tracing::warn!(reason = %e, "refused relayed origin");
            let _ = stream.write_all(format!("refused: {e}\n").as_bytes()).await;
            return;
        }
    };
    if stream
        .write_all(format!("{ACCEPTED}\n").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    super::connection::serve_relayed(stream, origin, service).await;
}

/// Reads the one JSON line `{"origin": ...}` byte by byte, so no WebSocket byte is consumed.
async fn read_hello(stream: &mut Stream) -> Result<Hello, String> {
    let mut line = Vec::with_capacity(256);
    loop {
        let byte = stream.read_u8().await.map_err(|e| e.to_string())?;
        if byte == b'\n' {
            break;
        }
        if line.len() >= MAX_HELLO {
            return Err("hello line too long".into());
        }
        line.push(byte);
    }
    serde_json::from_slice(&line).map_err(|_| "malformed hello".to_string())
}
