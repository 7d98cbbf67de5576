//! Requests that need the user: the prompt queue, origin approval, timeouts, cancellation.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{mpsc, watch, SemaphorePermit};
use tokio_tungstenite::tungstenite::Message;

use super::Service;
use crate::keystore::Entry;
use crate::prompt::{Approval, KeyRequest};
use crate::protocol::{Failure, KeyFilter, KeyJob, KeystoreInfo, KeystoresJob, Signing, Task};

/// What the server remembers about one WebSocket connection.
pub(super) struct Connection {
    pub origin: String,
    /// The user's answer for this connection: Some(true) allowed, Some(false) denied.
    pub approved: Mutex<Option<bool>>,
}

impl Connection {
    fn answer(&self) -> Option<bool> {
        *self.approved.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, allowed: bool) {
        *self.approved.lock().unwrap_or_else(|p| p.into_inner()) = Some(allowed);
    }
}

/// Resolves when the connection is gone (or its state was dropped).
async fn closed(mut receiver: watch::Receiver<bool>) {
    let _ = receiver.wait_for(|closed| *closed).await;
}

/// Counts a request as waiting for the screen while alive.
struct Waiting<'a>(&'a Service);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Service {
    /// Joins the queue for the screen; Busy when the queue is full.
    async fn take_screen(
        &self,
        gone: &watch::Receiver<bool>,
    ) -> Result<SemaphorePermit<'_>, Failure> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.config.max_queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Failure::Busy);
        }
        let _waiting = Waiting(self);
        let permit = tokio::select! {
            permit = self.screen.acquire() => permit.map_err(|_| Failure::Cancelled)?,
            _ = closed(gone.clone()) => return Err(Failure::Cancelled),
        };
        // The connection may have closed while this request waited: show it nothing.
        if *gone.borrow() {
            return Err(Failure::Cancelled);
        }
        Ok(permit)
    }

    /// Asks about the origin unless it is already allowed; call with the screen held.
    async fn approve(
        &self,
        connection: &Connection,
        gone: &watch::Receiver<bool>,
    ) -> Result<(), Failure> {
        if self.approvals.is_approved(&connection.origin) {
            return Ok(());
        }
        match connection.answer() {
            Some(true) => return Ok(()),
            Some(false) => return Err(Failure::OriginDenied),
            None => {}
        }
        let answer = tokio::select! {
            answer = self.prompt.approve(&connection.origin) => answer,
            _ = closed(gone.clone()) => return Err(Failure::Cancelled),
            _ = tokio::time::sleep(self.config.prompt_timeout) => return Err(Failure::Timeout),
        };
        tracing::info!(origin = %connection.origin, ?answer, "origin approval");
        match answer {
            Approval::Once => connection.remember(true),
            Approval::Always => {
                connection.remember(true);
                if let Err(e) = self.approvals.approve_always(&connection.origin) {
                    tracing::warn!(error = %e, "could not save the approval");
                }
            }
            Approval::Deny => {
                connection.remember(false);
                return Err(Failure::OriginDenied);
            }
        }
        Ok(())
    }

    /// Approval (if needed), then the key prompt; one prompt on screen at a time.
    async fn obtain_key(
        &self,
        connection: &Connection,
        filter: KeyFilter,
        task: Task,
        gone: &watch::Receiver<bool>,
    ) -> Result<Entry, Failure> {
        // A denied origin gets its error at once, without queueing behind other prompts.
        if connection.answer() == Some(false) {
            return Err(Failure::OriginDenied);
        }
        let _screen = self.take_screen(gone).await?;
        self.approve(connection, gone).await?;
        let now = time::OffsetDateTime::now_utc();
        if let Err(e) = self.approvals.touch(&connection.origin, now) {
            tracing::warn!(error = %e, "could not record the site's last use");
        }
        let request = KeyRequest {
            origin: connection.origin.clone(),
            task,
            filter,
            keystores: self.config.keystores(),
            now,
        };
        tokio::select! {
            chosen = self.prompt.choose_key(&request) => chosen.map_err(|e| {
                tracing::info!(origin = %connection.origin, reason = %e, "no key");
                e.failure()
            }),
            _ = closed(gone.clone()) => Err(Failure::Cancelled),
            _ = tokio::time::sleep(self.config.prompt_timeout) => Err(Failure::Timeout),
        }
    }
}

pub(super) async fn run_key_job(
    service: Arc<Service>,
    connection: Arc<Connection>,
    job: KeyJob,
    out: mpsc::UnboundedSender<Message>,
    gone: watch::Receiver<bool>,
) {
    let KeyJob {
        filter,
        task,
        sign,
        fail,
    } = job;
    let reply = match service.obtain_key(&connection, filter, task, &gone).await {
        Ok(entry) => {
            // Signing is CPU work (and may be a 50 MB document): keep it off the reactor.
            match tokio::task::spawn_blocking(move || sign(&entry, Signing::now())).await {
                Ok(reply) => reply,
                Err(_) => {
                    tracing::error!("signing task failed");
                    fail(Failure::Cancelled)
                }
            }
        }
        Err(failure) => fail(failure),
    };
    let _ = out.send(Message::text(reply));
}

pub(super) async fn run_keystores_job(
    service: Arc<Service>,
    connection: Arc<Connection>,
    job: KeystoresJob,
    out: mpsc::UnboundedSender<Message>,
    gone: watch::Receiver<bool>,
) {
    let approved =
        if service.approvals.is_approved(&connection.origin) || connection.answer() == Some(true) {
            Ok(())
        } else if connection.answer() == Some(false) {
            Err(Failure::OriginDenied)
        } else {
            match service.take_screen(&gone).await {
                Ok(_screen) => service.approve(&connection, &gone).await,
                Err(failure) => Err(failure),
            }
        };
    let reply = match approved {
        Ok(()) => {
            let list = keystore_list(&service);
            (job.reply)(&list)
        }
        Err(failure) => (job.fail)(failure),
    };
    let _ = out.send(Message::text(reply));
}

/// Display names and dates of the keystores found; paths never leave the machine.
fn keystore_list(service: &Service) -> Vec<KeystoreInfo> {
    service
        .config
        .keystores()
        .into_iter()
        .map(|path| {
            let modified = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(rfc3339);
            KeystoreInfo {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                modified,
            }
        })
        .collect()
}

fn rfc3339(time: SystemTime) -> Option<String> {
    time::OffsetDateTime::from(time)
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}
