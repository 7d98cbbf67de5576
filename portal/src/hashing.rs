//! Argon2 off the async workers: a bounded number of hashes at once, each on a blocking thread.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::password;

/// Argon2id hashing and checking with at most `permits` computations running at a time (each
/// takes about 19 MiB and tens of milliseconds), so a login flood queues instead of stalling the
/// workers or exhausting memory.
pub struct HashPool {
    permits: Arc<Semaphore>,
    /// A hash of a random password, checked for unknown logins so they cost what known ones do.
    decoy: String,
}

/// Why no hash was made.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("Argon2: {0}")]
    Argon2(String),
    #[error("the hashing task ended abnormally: {0}")]
    Task(String),
}

impl HashPool {
    /// A pool running at most as many Argon2 computations at once as there are CPUs.
    pub fn for_this_machine() -> Result<Self, HashError> {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// A pool running at most `permits` Argon2 computations at once; makes the decoy hash now,
    /// so the first unknown login costs no more than later ones.
    pub fn new(permits: usize) -> Result<Self, HashError> {
        let mut random = [0u8; 24];
        aws_lc_rs::rand::fill(&mut random)
            .map_err(|_| HashError::Argon2("the system random generator failed".into()))?;
        let decoy_password: String = random.iter().map(|b| format!("{b:02x}")).collect();
        Ok(HashPool {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            decoy: password::hash(&decoy_password).map_err(HashError::Argon2)?,
        })
    }

    /// Runs `job` on a blocking thread once a permit is free.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| HashError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|e| HashError::Task(e.to_string()))
    }

    /// A new Argon2id hash of `password`.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move || password::hash(&password))
            .await?
            .map_err(HashError::Argon2)
    }

    /// True when `password` matches `stored`; `None` checks against the decoy hash (always
    /// false) so an unknown login costs the same Argon2 work as a known one.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.decoy).to_owned();
        let password = password.to_owned();
        let matches = self
            .run(move || password::verify(&password, &stored))
            .await?;
        Ok(known && matches)
    }
}
