//! A prompt that answers from a script and records what it was asked, for tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use super::{Approval, KeyRequest, Prompt, PromptError, PASSWORD_TRIES};
use crate::keystore::Entry;
use crate::protocol::Task;
use crate::Error;

/// What the scripted user does when asked for a key.
#[derive(Debug, Clone)]
pub enum KeyAnswer {
    /// Open the keystore with this file name, trying the passwords in order, and pick the
    /// `index`-th certificate the request accepts.
    Use {
        keystore: String,
        passwords: Vec<String>,
        index: usize,
    },
    /// Close the dialog.
    Cancel,
    /// Never answer (until the server drops the prompt).
    Hang,
}

impl KeyAnswer {
    /// Opens `keystore` with the test password and picks its first matching certificate.
    pub fn first(keystore: &str, password: &str) -> Self {
        KeyAnswer::Use {
            keystore: keystore.into(),
            passwords: vec![password.into()],
            index: 0,
        }
    }
}

/// What the scripted prompt saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Approval {
        origin: String,
        /// The language the page asked for, if any.
        locale: Option<String>,
    },
    Key {
        origin: String,
        task: Task,
        shown: usize,
        selectable: usize,
        locale: Option<String>,
    },
    WrongPassword,
    /// The server dropped a prompt before it was answered.
    Cancelled,
}

/// A prompt driven by a script; tests inspect its events and how many prompts overlapped.
pub struct ScriptedPrompt {
    approval: Mutex<Approval>,
    key: Mutex<KeyAnswer>,
    delay: Duration,
    events: Mutex<Vec<Event>>,
    showing: AtomicUsize,
    max_showing: AtomicUsize,
}

impl ScriptedPrompt {
    /// `delay` is how long the scripted user looks at each prompt before answering.
    pub fn new(approval: Approval, key: KeyAnswer, delay: Duration) -> Self {
        ScriptedPrompt {
            approval: Mutex::new(approval),
            key: Mutex::new(key),
            delay,
            events: Mutex::new(Vec::new()),
            showing: AtomicUsize::new(0),
            max_showing: AtomicUsize::new(0),
        }
    }

    pub fn set_approval(&self, approval: Approval) {
        *lock(&self.approval) = approval;
    }

    pub fn set_key(&self, key: KeyAnswer) {
        *lock(&self.key) = key;
    }

    pub fn events(&self) -> Vec<Event> {
        lock(&self.events).clone()
    }

    /// The most prompts that were on screen at the same moment.
    pub fn max_concurrent(&self) -> usize {
        self.max_showing.load(Ordering::SeqCst)
    }

    fn record(&self, event: Event) {
        lock(&self.events).push(event);
    }

    fn show(&self) -> Showing<'_> {
        let now = self.showing.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_showing.fetch_max(now, Ordering::SeqCst);
        Showing {
            prompt: self,
            answered: false,
        }
    }

    /// Waits the scripted user's reading time; zero means no timer (tokio rounds up to 1 ms).
    async fn look(&self) {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
    }

    fn answer_key(&self, request: &KeyRequest) -> Result<Entry, PromptError> {
        let (keystore, passwords, index) = match lock(&self.key).clone() {
            KeyAnswer::Use {
                keystore,
                passwords,
                index,
            } => (keystore, passwords, index),
            KeyAnswer::Cancel | KeyAnswer::Hang => return Err(PromptError::Cancelled),
        };
        let path = request
            .keystores
            .iter()
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy() == keystore)
            })
            .ok_or(PromptError::NoMatchingCertificate)?;
        for password in passwords.iter().take(PASSWORD_TRIES) {
            match request.unlock(path, password) {
                Err(Error::WrongPassword) => self.record(Event::WrongPassword),
                Err(e) => return Err(PromptError::Keystore(e)),
                Ok(candidates) => {
                    let selectable = candidates.iter().filter(|c| c.selectable).count();
                    self.record(Event::Key {
                        origin: request.origin.clone(),
                        task: request.task.clone(),
                        shown: candidates.len(),
                        selectable,
                        locale: request.locale.clone(),
                    });
                    return candidates
                        .into_iter()
                        .filter(|c| c.selectable)
                        .nth(index)
                        .map(|c| c.entry)
                        .ok_or(PromptError::NoMatchingCertificate);
                }
            }
        }
        Err(PromptError::WrongPassword)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One prompt on screen; dropping it unanswered records a cancellation.
struct Showing<'a> {
    prompt: &'a ScriptedPrompt,
    answered: bool,
}

impl Drop for Showing<'_> {
    fn drop(&mut self) {
        self.prompt.showing.fetch_sub(1, Ordering::SeqCst);
        if !self.answered {
            self.prompt.record(Event::Cancelled);
        }
    }
}

impl Prompt for ScriptedPrompt {
    fn approve<'a>(&'a self, origin: &'a str, locale: Option<&'a str>) -> BoxFuture<'a, Approval> {
        async move {
            let mut showing = self.show();
            self.record(Event::Approval {
                origin: origin.to_string(),
                locale: locale.map(str::to_string),
            });
            self.look().await;
            showing.answered = true;
            *lock(&self.approval)
        }
        .boxed()
    }

    fn choose_key<'a>(
        &'a self,
        request: &'a KeyRequest,
    ) -> BoxFuture<'a, Result<Entry, PromptError>> {
        async move {
            let mut showing = self.show();
            self.look().await;
            if matches!(*lock(&self.key), KeyAnswer::Hang) {
                std::future::pending::<()>().await;
            }
            let answer = self.answer_key(request);
            showing.answered = true;
            answer
        }
        .boxed()
    }
}
