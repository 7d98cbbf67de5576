//! Requests that need the user: the prompt queue, origin approval, timeouts, cancellation.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{mpsc, watch, SemaphorePermit};
use tokio_tungstenite::tungstenite::Message;

use super::admission::{Answer, Connected};
use super::Service;
use crate::keystore::Entry;
use crate::prompt::{Approval, KeyRequest};
use crate::protocol::{Failure, KeyFilter, KeyJob, KeystoreInfo, KeystoresJob, Signing, Task};

/// What the server remembers about one WebSocket connection.
pub(super) struct Connection {
    pub origin: String,
    /// The language this page asked for (NCALayer's changeLocale); its prompts only.
    pub locale: Mutex<Option<String>>,
    /// Counts the connection for its origin while it is open.
    pub _connected: Connected,
}

impl Connection {
    fn locale(&self) -> Option<String> {
        self.locale
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Resolves when the connection is gone (or its state was dropped).
async fn closed(mut receiver: watch::Receiver<bool>) {
    let _ = receiver.wait_for(|closed| *closed).await;
}

impl Service {
    /// The origin's standing in this run: allowed (saved or once), denied, or not yet asked.
    fn standing(&self, origin: &str) -> Option<bool> {
        if self.approvals.is_approved(origin) {
            return Some(true);
        }
        self.config
            .admission
            .answer(origin)
            .map(|answer| answer == Answer::AllowedOnce)
    }

    /// Waits for the screen; the request already holds its place in the queue (`Ticket`).
    async fn take_screen(
        &self,
        gone: &watch::Receiver<bool>,
    ) -> Result<SemaphorePermit<'_>, Failure> {
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

    /// Asks about the origin unless this run already has an answer; call with the screen held,
    /// so an origin's concurrent connections share one question.
    async fn approve(
        &self,
        connection: &Connection,
        gone: &watch::Receiver<bool>,
    ) -> Result<(), Failure> {
        match self.standing(&connection.origin) {
            Some(true) => return Ok(()),
            Some(false) => return Err(Failure::OriginDenied),
            None => {}
        }
        let locale = connection.locale();
        let answer = tokio::select! {
            answer = self.prompt.approve(&connection.origin, locale.as_deref()) => answer,
            _ = closed(gone.clone()) => return Err(Failure::Cancelled),
            _ = tokio::time::sleep(self.config.prompt_timeout) => return Err(Failure::Timeout),
        };
        tracing::info!(origin = %connection.origin, ?answer, "origin approval");
        let admission = &self.config.admission;
        match answer {
            Approval::Once => admission.remember(&connection.origin, Answer::AllowedOnce),
            Approval::Always => {
                admission.remember(&connection.origin, Answer::AllowedOnce);
                if let Err(e) = self.approvals.approve_always(&connection.origin) {
                    tracing::warn!(error = %e, "could not save the approval");
                }
            }
            Approval::Deny => {
                admission.remember(&connection.origin, Answer::Denied);
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
        if self.standing(&connection.origin) == Some(false) {
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
            locale: connection.locale(),
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

/// A request that waits for the user: a key, or (after approval) the keystore list.
pub(super) enum Job {
    Key(KeyJob),
    Keystores(KeystoresJob),
}

impl Job {
    /// The reply when the request never reaches the user.
    fn fail(self, failure: Failure) -> String {
        match self {
            Job::Key(job) => (job.fail)(failure),
            Job::Keystores(job) => (job.fail)(failure),
        }
    }
}

/// Queues `job` for the user, or answers `busy` at once when its site is over a limit; the
/// ticket holds the request's place and bytes until it is answered.
pub(super) fn start(
    service: &Arc<Service>,
    connection: &Arc<Connection>,
    job: Job,
    size: usize,
    out: &mpsc::UnboundedSender<Message>,
    gone: &watch::Receiver<bool>,
) {
    let ticket = match service.config.admission.admit(&connection.origin, size) {
        Ok(ticket) => ticket,
        Err(failure) => {
            let _ = out.send(Message::text(job.fail(failure)));
            return;
        }
    };
    let (service, connection) = (Arc::clone(service), Arc::clone(connection));
    let (out, gone) = (out.clone(), gone.clone());
    tokio::spawn(async move {
        let _ticket = ticket;
        match job {
            Job::Key(job) => run_key_job(service, connection, job, out, gone).await,
            Job::Keystores(job) => run_keystores_job(service, connection, job, out, gone).await,
        }
    });
}

async fn run_key_job(
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

async fn run_keystores_job(
    service: Arc<Service>,
    connection: Arc<Connection>,
    job: KeystoresJob,
    out: mpsc::UnboundedSender<Message>,
    gone: watch::Receiver<bool>,
) {
    let approved = match service.standing(&connection.origin) {
        Some(true) => Ok(()),
        Some(false) => Err(Failure::OriginDenied),
        None => match service.take_screen(&gone).await {
            Ok(_screen) => service.approve(&connection, &gone).await,
            Err(failure) => Err(failure),
        },
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
