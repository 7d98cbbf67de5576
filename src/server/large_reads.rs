//! Only a few connections may read large messages, so the service's memory stays bounded.
//!
//! The WebSocket layer reads a whole message (up to the 64 MiB limit) before the service sees
//! it, and keeps that much buffer for as long as the connection lives (tungstenite reserves its
//! read buffer to the frame's length and hands out a view of it). So messages arriving together
//! add up before [`super::admission`] can refuse them, and stay. Each connection may read
//! [`SMALL_MESSAGE`] bytes of a message freely (logins, typical documents); a larger message
//! needs a slot of its site and a global one, which the connection then keeps until it closes.
//! Memory is then at most connections × 128 KiB plus slots × the message limit; one site cannot
//! take every slot, and a message that trickles in loses its connection after [`SLOT_TIMEOUT`].

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;
use tokio_util::sync::PollSemaphore;

/// Bytes of one message a connection may read without a slot.
pub const SMALL_MESSAGE: usize = 128 * 1024;
/// How long one message may hold a slot: 64 MiB over loopback takes well under a second.
pub const SLOT_TIMEOUT: Duration = Duration::from_secs(60);

/// What the connection tells its reader: a message has been taken, the next one starts.
#[derive(Debug, Default)]
pub(super) struct MessageGate {
    read: AtomicUsize,
}

impl MessageGate {
    pub fn message_done(&self) {
        self.read.store(0, Ordering::Relaxed);
    }
}

/// A stream whose reads past [`SMALL_MESSAGE`] of one message wait for a site and a global slot.
pub(super) struct Metered<S> {
    inner: S,
    site_slots: PollSemaphore,
    global_slots: PollSemaphore,
    /// The slots this connection holds, once it has read a large message: (site, global).
    site_slot: Option<OwnedSemaphorePermit>,
    global_slot: Option<OwnedSemaphorePermit>,
    gate: Arc<MessageGate>,
    timeout: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<S> Metered<S> {
    pub fn new(
        inner: S,
        site_slots: Arc<Semaphore>,
        global_slots: Arc<Semaphore>,
        timeout: Duration,
    ) -> (Self, Arc<MessageGate>) {
        let gate = Arc::new(MessageGate::default());
        let metered = Metered {
            inner,
            site_slots: PollSemaphore::new(site_slots),
            global_slots: PollSemaphore::new(global_slots),
            site_slot: None,
            global_slot: None,
            gate: Arc::clone(&gate),
            timeout,
            deadline: None,
        };
        (metered, gate)
    }
}

/// Takes a permit into `slot` unless it is already held; Pending until one is free.
fn take(
    slot: &mut Option<OwnedSemaphorePermit>,
    slots: &mut PollSemaphore,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    if slot.is_none() {
        match slots.poll_acquire(cx) {
            Poll::Ready(Some(permit)) => *slot = Some(permit),
            Poll::Ready(None) => return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            Poll::Pending => return Poll::Pending,
        }
    }
    Poll::Ready(Ok(()))
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let read = this.gate.read.load(Ordering::Relaxed);
        let allowed = if read < SMALL_MESSAGE {
            this.deadline = None;
            SMALL_MESSAGE - read
        } else {
            // The site's slot first, so one site waiting never holds a global slot idle.
            ready!(take(&mut this.site_slot, &mut this.site_slots, cx))?;
            ready!(take(&mut this.global_slot, &mut this.global_slots, cx))?;
            let timeout = this.timeout;
            let deadline = this
                .deadline
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "a large message took too long to arrive",
                )));
            }
            buf.remaining()
        };
        // Without a slot, never read past the small allowance, even into a larger buffer.
        let mut limited = ReadBuf::new(buf.initialize_unfilled_to(allowed.min(buf.remaining())));
        let polled = Pin::new(&mut this.inner).poll_read(cx, &mut limited);
        let n = limited.filled().len();
        buf.advance(n);
        this.gate.read.fetch_add(n, Ordering::Relaxed);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Metered<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type Reader = Metered<tokio::io::DuplexStream>;

    fn slots(n: usize) -> Arc<Semaphore> {
        Arc::new(Semaphore::new(n))
    }

    /// A connection whose peer has sent `len` bytes and stays open.
    async fn sender(len: usize, site: &Arc<Semaphore>, global: &Arc<Semaphore>) -> Reader {
        let (mut client, server) = tokio::io::duplex(len + 1);
        client.write_all(&vec![7u8; len]).await.unwrap();
        std::mem::forget(client); // keeps the pipe open: the sender has more to say
        Metered::new(server, Arc::clone(site), Arc::clone(global), SLOT_TIMEOUT).0
    }

    /// Reads until `len` bytes or until nothing more comes for 200 ms.
    async fn read_up_to(reader: &mut Reader, len: usize) -> usize {
        let mut buf = vec![0u8; len];
        let mut total = 0;
        while total < len {
            let read =
                tokio::time::timeout(Duration::from_millis(200), reader.read(&mut buf[total..]))
                    .await;
            match read {
                Ok(Ok(n)) if n > 0 => total += n,
                _ => break,
            }
        }
        total
    }

    #[tokio::test]
    async fn a_large_reader_keeps_its_slot_until_its_connection_closes() {
        let global = slots(1);
        let len = SMALL_MESSAGE * 2;
        let mut first = sender(len, &slots(2), &global).await;
        let mut second = sender(len, &slots(2), &global).await;
        assert_eq!(read_up_to(&mut first, len).await, len);
        first.gate.message_done();
        assert_eq!(
            read_up_to(&mut second, len).await,
            SMALL_MESSAGE,
            "the second reads only its small allowance while the first keeps its buffer"
        );
        drop(first);
        assert_eq!(read_up_to(&mut second, len).await, len - SMALL_MESSAGE);
    }

    #[tokio::test]
    async fn small_messages_never_wait_for_a_slot() {
        let mut reader = sender(SMALL_MESSAGE, &slots(0), &slots(0)).await;
        assert_eq!(read_up_to(&mut reader, SMALL_MESSAGE).await, SMALL_MESSAGE);
    }

    #[tokio::test]
    async fn one_site_cannot_take_every_large_message_slot() {
        let (flooder, global) = (slots(1), slots(2));
        let len = SMALL_MESSAGE + 1;
        let mut first = sender(len, &flooder, &global).await;
        let mut second = sender(len, &flooder, &global).await;
        let mut other_site = sender(len, &slots(1), &global).await;
        assert_eq!(read_up_to(&mut first, len).await, len);
        assert_eq!(read_up_to(&mut second, len).await, SMALL_MESSAGE);
        assert_eq!(read_up_to(&mut other_site, len).await, len);
    }

    #[tokio::test]
    async fn a_message_that_trickles_in_is_cut_off_after_the_timeout() {
        let (mut client, server) = tokio::io::duplex(SMALL_MESSAGE + 2);
        client
            .write_all(&vec![7u8; SMALL_MESSAGE + 1])
            .await
            .unwrap();
        let (mut slow, _gate) = Metered::new(server, slots(1), slots(1), Duration::from_millis(50));
        assert_eq!(
            read_up_to(&mut slow, SMALL_MESSAGE + 1).await,
            SMALL_MESSAGE + 1
        );
        let err = slow.read(&mut [0u8; 16]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
