//! `--prompt tty`: questions on stdout, answers from the terminal, passwords without echo.
//!
//! Reads block, so one thread owns the terminal and serves read requests in order. A prompt
//! that the server drops (connection closed, timeout) leaves its read pending: the next line
//! typed is discarded, which the cancellation notice tells the user.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::{mpsc, Mutex};

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tokio::sync::oneshot;
use zeroize::Zeroizing;

use super::{summary, Approval, KeyRequest, Prompt, PromptError, PASSWORD_TRIES};
use crate::keystore::Entry;
use crate::Error;

struct ReadRequest {
    hidden: bool,
    reply: oneshot::Sender<Option<Zeroizing<String>>>,
}

/// The terminal prompt; create one per process.
pub struct TerminalPrompt {
    reads: Mutex<mpsc::Sender<ReadRequest>>,
    /// Certificates seen in keystores unlocked earlier, so the list can show owners.
    known: Mutex<HashMap<PathBuf, Vec<String>>>,
}

impl Default for TerminalPrompt {
    fn default() -> Self {
        Self::new()
    }
}

impl TerminalPrompt {
    pub fn new() -> Self {
        let (sender, receiver) = mpsc::channel::<ReadRequest>();
        std::thread::spawn(move || {
            for request in receiver {
                let line = if request.hidden {
                    rpassword::read_password().ok().map(Zeroizing::new)
                } else {
                    let mut line = String::new();
                    match std::io::stdin().lock().read_line(&mut line) {
                        Ok(0) | Err(_) => None,
                        Ok(_) => Some(Zeroizing::new(line.trim().to_string())),
                    }
                };
                let _ = request.reply.send(line);
            }
        });
        TerminalPrompt {
            reads: Mutex::new(sender),
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Prints `question` and waits for a line; None at end of input.
    async fn ask(&self, question: &str, hidden: bool) -> Option<Zeroizing<String>> {
        print!("{question}");
        let _ = std::io::stdout().flush();
        let (reply, answer) = oneshot::channel();
        let sent = self
            .reads
            .lock()
            .map(|reads| reads.send(ReadRequest { hidden, reply }).is_ok())
            .unwrap_or(false);
        if !sent {
            return None;
        }
        let cancelled = CancelNotice { armed: true };
        let line = answer.await.ok().flatten();
        cancelled.disarm();
        line
    }

    /// Reads a number from 1 to `count`; None when the user gives up (empty line or EOF).
    async fn ask_number(&self, question: &str, count: usize) -> Option<usize> {
        loop {
            let line = self.ask(question, false).await?;
            if line.is_empty() {
                return None;
            }
            match line.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => return Some(n - 1),
                _ => println!("Type a number from 1 to {count}, or press Enter to cancel."),
            }
        }
    }

    async fn choose(&self, request: &KeyRequest) -> Result<Entry, PromptError> {
        println!();
        println!("{} asks to use a key: {}", request.origin, request.task);
        println!("Purpose: {:?}", request.filter.purpose);
        if request.keystores.is_empty() {
            println!("No keystore (.p12) files were found in the keystore folders.");
            return Err(PromptError::NoMatchingCertificate);
        }
        for (number, path) in request.keystores.iter().enumerate() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let known = self.known.lock().ok().and_then(|k| k.get(path).cloned());
            match known {
                Some(lines) => println!("  {}) {name}: {}", number + 1, lines.join("; ")),
                None => println!("  {}) {name} (locked)", number + 1),
            }
        }
        let index = self
            .ask_number(
                "Keystore number (Enter to cancel): ",
                request.keystores.len(),
            )
            .await
            .ok_or(PromptError::Cancelled)?;
        let path = &request.keystores[index];
        for _ in 0..PASSWORD_TRIES {
            let password = self
                .ask("Password: ", true)
                .await
                .ok_or(PromptError::Cancelled)?;
            let candidates = match request.unlock(path, &password) {
                Err(Error::WrongPassword) => {
                    println!("Wrong password.");
                    continue;
                }
                Err(e) => {
                    println!("{e}");
                    return Err(PromptError::Keystore(e));
                }
                Ok(candidates) => candidates,
            };
            let lines: Vec<String> = candidates.iter().map(|c| summary(c, request.now)).collect();
            if let Ok(mut known) = self.known.lock() {
                known.insert(path.clone(), lines.clone());
            }
            if !candidates.iter().any(|c| c.selectable) {
                println!("No certificate in this keystore can be used for this request.");
                return Err(PromptError::NoMatchingCertificate);
            }
            for (number, line) in lines.iter().enumerate() {
                println!("  {}) {line}", number + 1);
            }
            let selectable = candidates.iter().filter(|c| c.selectable).count();
            let chosen = if selectable == 1 {
                candidates.iter().position(|c| c.selectable)
            } else {
                loop {
                    let n = self
                        .ask_number("Certificate number (Enter to cancel): ", candidates.len())
                        .await
                        .ok_or(PromptError::Cancelled)?;
                    if candidates[n].selectable {
                        break Some(n);
                    }
                    println!("That certificate cannot be used for this request.");
                }
            };
            return chosen
                .and_then(|n| candidates.into_iter().nth(n))
                .map(|c| c.entry)
                .ok_or(PromptError::NoMatchingCertificate);
        }
        println!("Wrong password {PASSWORD_TRIES} times; the request is refused.");
        Err(PromptError::WrongPassword)
    }
}

/// Tells the user when a visible question was withdrawn while waiting for input.
struct CancelNotice {
    armed: bool,
}

impl CancelNotice {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelNotice {
    fn drop(&mut self) {
        if self.armed {
            println!("\n(The request was cancelled; press Enter to continue.)");
        }
    }
}

impl Prompt for TerminalPrompt {
    fn approve<'a>(&'a self, origin: &'a str, _locale: Option<&'a str>) -> BoxFuture<'a, Approval> {
        async move {
            println!();
            loop {
                let question = format!(
                    "Allow {origin} to use your signing keys? [o]nce / [a]lways / [d]eny: "
                );
                let Some(answer) = self.ask(&question, false).await else {
                    return Approval::Deny;
                };
                match answer.to_ascii_lowercase().as_str() {
                    "o" | "once" => return Approval::Once,
                    "a" | "always" => return Approval::Always,
                    "d" | "deny" | "" => return Approval::Deny,
                    _ => println!("Type o, a or d."),
                }
            }
        }
        .boxed()
    }

    fn choose_key<'a>(
        &'a self,
        request: &'a KeyRequest,
    ) -> BoxFuture<'a, Result<Entry, PromptError>> {
        self.choose(request).boxed()
    }
}
