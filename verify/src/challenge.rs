//! Single-use login/registration challenges: the portal's half of origin-bound authentication.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use time::{Duration, OffsetDateTime};

use crate::error::{Result, VerifyError};

/// How long an issued challenge may be answered; a login dialog takes well under this.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Random bytes in a challenge; the client accepts 32–96.
pub const CHALLENGE_BYTES: usize = 32;

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

/// Issued, not yet consumed challenges; share one store across threads (it is `Sync`).
pub struct ChallengeStore {
    clock: Arc<dyn Clock>,
    issued: Mutex<HashMap<String, OffsetDateTime>>,
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
        ChallengeStore {
            clock,
            issued: Mutex::new(HashMap::new()),
        }
    }

    /// The store's current time, which verification also uses for certificate validity.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A fresh challenge: 32 random bytes, base64url without padding.
    pub fn issue(&self) -> Result<String> {
        let mut bytes = [0u8; CHALLENGE_BYTES];
        aws_lc_rs::rand::fill(&mut bytes)
            .map_err(|_| VerifyError::Malformed("the system random generator failed".into()))?;
        let challenge = URL_SAFE_NO_PAD.encode(bytes);
        let now = self.clock.now();
        let mut issued = self.lock();
        // Forget abandoned challenges so the map stays as small as the live sessions.
        issued.retain(|_, at| now - *at <= CHALLENGE_LIFETIME);
        issued.insert(challenge.clone(), now);
        Ok(challenge)
    }

    /// Removes the challenge; succeeds once per issued challenge, only within its lifetime.
    pub fn consume(&self, challenge: &str) -> Result<()> {
        let issued_at = self
            .lock()
            .remove(challenge)
            .ok_or(VerifyError::UnknownOrReusedChallenge)?;
        if self.clock.now() - issued_at > CHALLENGE_LIFETIME {
            return Err(VerifyError::ChallengeExpired);
        }
        Ok(())
    }

    /// Number of outstanding challenges (monitoring, tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, OffsetDateTime>> {
        // A panic elsewhere cannot leave the map half-updated: every operation is one call.
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }
}
