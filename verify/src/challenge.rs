//! Single-use login/registration challenges: the portal's half of origin-bound authentication.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use time::{Duration, OffsetDateTime};

use crate::error::{Result, VerifyError};

/// How long an issued challenge may be answered; a login dialog takes well under this.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Random bytes in a challenge; the client accepts 32–96.
pub const CHALLENGE_BYTES: usize = 32;
/// Outstanding challenges a store holds by default: memory stays bounded under a flood.
pub const MAX_OUTSTANDING: usize = 100_000;

/// Why no challenge was issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the system random generator failed")]
    Random,
    #[error("{0} challenges are outstanding; no more until some are used or expire")]
    Full(usize),
}

/// The time source, so tests can move past the lifetime without sleeping.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Issued, not yet consumed challenges, at most a fixed number; share one store across threads
/// (it is `Sync`). Issue, consume and expiry are (amortised) O(1).
pub struct ChallengeStore {
    clock: Arc<dyn Clock>,
    capacity: usize,
    issued: Mutex<Issued>,
}

/// The live challenges, and every issued one in issue order so the oldest expire first.
#[derive(Default)]
struct Issued {
    live: HashMap<String, OffsetDateTime>,
    /// May still name consumed challenges; compacted once it is twice the capacity.
    order: VecDeque<(OffsetDateTime, String)>,
}

impl Issued {
    /// Drops challenges older than the lifetime, and consumed ones, from the front.
    fn expire(&mut self, now: OffsetDateTime) {
        while let Some((at, challenge)) = self.order.front() {
            let expired = now - *at > CHALLENGE_LIFETIME;
            let consumed = self.live.get(challenge) != Some(at);
            if !expired && !consumed {
                break;
            }
            if expired && !consumed {
                self.live.remove(challenge);
            }
            self.order.pop_front();
        }
    }

    /// Forgets consumed challenges in the middle of the queue: O(n) once per n issues.
    fn compact(&mut self, capacity: usize) {
        if self.order.len() > capacity.saturating_mul(2) {
            let live = &self.live;
            self.order.retain(|(at, c)| live.get(c) == Some(at));
        }
    }
}

impl Default for ChallengeStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ChallengeStore {
    /// A store on the wall clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// A store on an injected clock (tests).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self::with_capacity(clock, MAX_OUTSTANDING)
    }

    /// A store that holds at most `capacity` outstanding challenges and refuses more.
    pub fn with_capacity(clock: Arc<dyn Clock>, capacity: usize) -> Self {
        ChallengeStore {
            clock,
            capacity,
            issued: Mutex::new(Issued::default()),
        }
    }

    /// The store's current time, which verification also uses for certificate validity.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A fresh challenge: 32 random bytes, base64url without padding; refused while the store
    /// is full of unexpired challenges.
    pub fn issue(&self) -> Result<String, IssueError> {
        let mut bytes = [0u8; CHALLENGE_BYTES];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| IssueError::Random)?;
        let challenge = URL_SAFE_NO_PAD.encode(bytes);
        let now = self.clock.now();
        let mut issued = self.lock();
        issued.expire(now);
        if issued.live.len() >= self.capacity {
            return Err(IssueError::Full(self.capacity));
        }
        issued.compact(self.capacity);
        issued.live.insert(challenge.clone(), now);
        issued.order.push_back((now, challenge.clone()));
        Ok(challenge)
    }

    /// Removes the challenge; succeeds once per issued challenge, only within its lifetime.
    pub fn consume(&self, challenge: &str) -> Result<()> {
        let issued_at = self
            .lock()
            .live
            .remove(challenge)
            .ok_or(VerifyError::UnknownOrReusedChallenge)?;
        if self.clock.now() - issued_at > CHALLENGE_LIFETIME {
            return Err(VerifyError::ChallengeExpired);
        }
        Ok(())
    }

    /// Number of outstanding challenges (monitoring, tests); expired ones count until the next
    /// issue forgets them.
    pub fn len(&self) -> usize {
        self.lock().live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Issued> {
        // A panic elsewhere cannot leave the map half-updated: every operation is one call.
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }
}
