//! Who may wait for the user: per-origin and global limits on waiting requests and queued bytes,
//! and each origin's answer to the approval question, shared by all its connections.
//!
//! A site that opens many sockets gets one approval question, at most
//! [`Limits::requests_per_origin`] waiting requests and [`Limits::bytes_per_origin`] bytes of
//! queued documents; beyond that it gets `busy` while other sites are unaffected. The global
//! bounds keep the service's memory bounded whatever arrives before the user answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Semaphore;

use crate::protocol::Failure;

/// The bounds on what may wait for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests of one origin waiting for (or on) the screen.
    pub requests_per_origin: usize,
    /// Bytes of the messages those requests hold.
    pub bytes_per_origin: usize,
    /// Requests of all origins together.
    pub requests: usize,
    /// Bytes of all queued messages together.
    pub bytes: usize,
    /// Connections that may hold a message larger than 128 KiB (`super::large_reads`).
    pub large_readers: usize,
    /// Of those, connections of one origin.
    pub large_readers_per_origin: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_origin: 4,
            bytes_per_origin: 256 * 1024 * 1024,
            requests: 256,
            bytes: 512 * 1024 * 1024,
            large_readers: 4,
            large_readers_per_origin: 2,
        }
    }
}

/// The user's answer for an origin while the service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// "Allow once": holds while the origin has a connection open.
    AllowedOnce,
    /// "Deny": holds until the service stops, across reconnects.
    Denied,
}

#[derive(Debug, Default)]
struct OriginState {
    connections: usize,
    requests: usize,
    bytes: usize,
    answer: Option<Answer>,
    /// The origin's share of the large-message slots, while it has connections.
    large_readers: Option<Arc<Semaphore>>,
}

impl OriginState {
    /// Nothing left worth remembering: no connection, no request, no denial.
    fn forgettable(&self) -> bool {
        self.connections == 0 && self.requests == 0 && self.answer != Some(Answer::Denied)
    }
}

#[derive(Debug, Default)]
struct State {
    origins: HashMap<String, OriginState>,
    requests: usize,
    bytes: usize,
}

/// The shared accounting; the server holds one, tests read its counters.
#[derive(Debug)]
pub struct Admission {
    limits: Limits,
    state: Mutex<State>,
    /// Slots for reading large messages (`super::large_reads`).
    large_readers: Arc<Semaphore>,
}

impl Default for Admission {
    fn default() -> Self {
        Admission::new(Limits::default())
    }
}

impl Admission {
    pub fn new(limits: Limits) -> Self {
        Admission {
            limits,
            state: Mutex::default(),
            large_readers: Arc::new(Semaphore::new(limits.large_readers)),
        }
    }

    pub(super) fn large_readers(&self) -> Arc<Semaphore> {
        Arc::clone(&self.large_readers)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes of all messages now waiting for the user.
    pub fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Requests of all origins now waiting for the user.
    pub fn waiting(&self) -> usize {
        self.lock().requests
    }

    /// Counts a connection of `origin` until the returned guard is dropped.
    pub(super) fn connect(self: &Arc<Self>, origin: &str) -> Connected {
        let per_origin = self.limits.large_readers_per_origin;
        let mut state = self.lock();
        let entry = state.origins.entry(origin.to_string()).or_default();
        entry.connections += 1;
        let large_readers = Arc::clone(
            entry
                .large_readers
                .get_or_insert_with(|| Arc::new(Semaphore::new(per_origin))),
        );
        Connected {
            admission: Arc::clone(self),
            origin: origin.to_string(),
            large_readers,
        }
    }

    /// Reserves a place in the queue for a request holding `bytes`; Busy when a bound is hit.
    pub(super) fn admit(self: &Arc<Self>, origin: &str, bytes: usize) -> Result<Ticket, Failure> {
        let limits = self.limits;
        let mut state = self.lock();
        let (requests, total) = (state.requests, state.bytes);
        let entry = state.origins.entry(origin.to_string()).or_default();
        if entry.requests >= limits.requests_per_origin
            || entry.bytes.saturating_add(bytes) > limits.bytes_per_origin
            || requests >= limits.requests
            || total.saturating_add(bytes) > limits.bytes
        {
            return Err(Failure::Busy);
        }
        entry.requests += 1;
        entry.bytes += bytes;
        state.requests += 1;
        state.bytes += bytes;
        Ok(Ticket {
            admission: Arc::clone(self),
            origin: origin.to_string(),
            bytes,
        })
    }

    /// The user's answer for `origin` in this run, if any still holds.
    pub(super) fn answer(&self, origin: &str) -> Option<Answer> {
        self.lock().origins.get(origin).and_then(|o| o.answer)
    }

    pub(super) fn remember(&self, origin: &str, answer: Answer) {
        self.lock()
            .origins
            .entry(origin.to_string())
            .or_default()
            .answer = Some(answer);
    }

    /// Gives back what a connection or a ticket counted, and forgets what no longer holds.
    fn release(&self, origin: &str, connections: usize, requests: usize, bytes: usize) {
        let mut state = self.lock();
        state.requests -= requests;
        state.bytes -= bytes;
        if let Some(entry) = state.origins.get_mut(origin) {
            entry.connections -= connections;
            entry.requests -= requests;
            entry.bytes -= bytes;
            if entry.connections == 0 && entry.answer == Some(Answer::AllowedOnce) {
                entry.answer = None;
            }
            if entry.connections == 0 {
                entry.large_readers = None;
            }
            if entry.forgettable() {
                state.origins.remove(origin);
            }
        }
    }
}

/// An open connection of an origin; its last one takes "allow once" with it.
pub(super) struct Connected {
    admission: Arc<Admission>,
    origin: String,
    large_readers: Arc<Semaphore>,
}

impl Connected {
    /// The origin's large-message slots, shared by its open connections.
    pub fn large_readers(&self) -> Arc<Semaphore> {
        Arc::clone(&self.large_readers)
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.admission.release(&self.origin, 1, 0, 0);
    }
}

/// A request's place in the queue and the bytes it holds, given back when it is answered.
pub(super) struct Ticket {
    admission: Arc<Admission>,
    origin: String,
    bytes: usize,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.admission.release(&self.origin, 0, 1, self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Arc<Admission> {
        Arc::new(Admission::new(Limits {
            requests_per_origin: 2,
            bytes_per_origin: 100,
            requests: 3,
            bytes: 150,
            large_readers: 1,
            large_readers_per_origin: 1,
        }))
    }

    #[test]
    fn one_origin_over_its_request_limit_is_busy_while_another_is_admitted() {
        let admission = small();
        let _a1 = admission.admit("https://a", 1).unwrap();
        let _a2 = admission.admit("https://a", 1).unwrap();
        assert!(matches!(
            admission.admit("https://a", 1),
            Err(Failure::Busy)
        ));
        assert!(admission.admit("https://b", 1).is_ok());
    }

    #[test]
    fn queued_bytes_never_exceed_the_origin_or_global_bound() {
        let admission = small();
        let a = admission.admit("https://a", 60).unwrap();
        assert!(
            admission.admit("https://a", 60).is_err(),
            "120 > 100 per origin"
        );
        let b = admission.admit("https://b", 90).unwrap();
        assert_eq!(admission.queued_bytes(), 150);
        assert!(admission.admit("https://c", 1).is_err(), "151 > 150 in all");
        drop(a);
        drop(b);
        assert_eq!(admission.queued_bytes(), 0);
        assert_eq!(admission.waiting(), 0);
    }

    #[test]
    fn a_denial_outlives_the_origins_connections() {
        let admission = small();
        let connected = admission.connect("https://a");
        admission.remember("https://a", Answer::Denied);
        drop(connected);
        let _again = admission.connect("https://a");
        assert_eq!(admission.answer("https://a"), Some(Answer::Denied));
    }

    #[test]
    fn allow_once_ends_with_the_origins_last_connection() {
        let admission = small();
        let first = admission.connect("https://a");
        let second = admission.connect("https://a");
        admission.remember("https://a", Answer::AllowedOnce);
        drop(first);
        assert_eq!(admission.answer("https://a"), Some(Answer::AllowedOnce));
        drop(second);
        assert_eq!(admission.answer("https://a"), None);
    }
}
