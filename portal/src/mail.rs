//! The portal's mail: every message is recorded in the `outbox` table (tests and operators read
//! it) and, when an SMTP server is configured (`--smtp URL`), also sent there. A failed send keeps
//! the message in the outbox with the error; the user's request still succeeds.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::{db, Portal};

/// Default sender address (`--mail-from`).
pub const DEFAULT_FROM: &str = "noreply@portal.localhost";

/// How long one SMTP delivery may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Why the mail settings were refused at start.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// The URL is not one `lettre`'s `from_url` understands. The URL itself is not repeated: it
    /// may carry the relay's password.
    #[error("not a usable SMTP URL (smtp://host:port, smtp://...?tls=required, smtps://user:pass@host:465): {0}")]
    Url(String),
    #[error("not a usable sender address: {0}")]
    From(String),
}

/// One message: recipient, subject and a plain-text body.
#[derive(Debug, Clone)]
pub struct Mail {
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Where the portal's mail goes: the outbox only, or the outbox and an SMTP server.
#[derive(Clone, Default)]
pub struct Mailer {
    smtp: Option<Smtp>,
}

#[derive(Clone)]
struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    // The transport holds the relay's credentials: say only whether SMTP is on.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("smtp", &self.smtp.is_some())
            .finish()
    }
}

impl Mailer {
    /// Mail is recorded in the outbox and goes nowhere else (the portal's behaviour without `--smtp`).
    pub fn outbox_only() -> Self {
        Mailer { smtp: None }
    }

    /// Mail is recorded in the outbox and sent through the SMTP server at `url`
    /// (`smtp://host:port` plain, `smtp://…?tls=required` STARTTLS, `smtps://user:pass@host:465`),
    /// from the address `from`.
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailConfigError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailConfigError::From(e.to_string()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailConfigError::Url(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Mailer {
            smtp: Some(Smtp { transport, from }),
        })
    }

    /// The mailer the command line asks for: SMTP when `url` is given, else the outbox only.
    pub fn from_options(url: Option<&str>, from: &str) -> Result<Self, MailConfigError> {
        match url {
            Some(url) => Self::smtp(url, from),
            None => Ok(Self::outbox_only()),
        }
    }

    /// True when messages are also sent over SMTP.
    pub fn sends_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    async fn send(smtp: &Smtp, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e: lettre::address::AddressError| format!("recipient address: {e}"))?;
        let message = Message::builder()
            .from(smtp.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("message: {e}"))?;
        smtp.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Sends an outbox message (row `id`) over SMTP when configured and records the outcome on the
/// row: `sent_at` on success, `error` on failure. Never fails: the outbox keeps the message either
/// way. Runs in its own task, so a client that disconnects does not cut a delivery short.
pub(crate) async fn deliver(portal: &Arc<Portal>, id: i64, mail: Mail) {
    let Some(smtp) = portal.mailer.smtp.clone() else {
        return;
    };
    let task_portal = portal.clone();
    let task = tokio::spawn(async move {
        let outcome = Mailer::send(&smtp, &mail).await;
        let now = task_portal.now();
        let recorded = task_portal.with_db(|db| match &outcome {
            Ok(()) => db::mark_mail_sent(db, id, now),
            Err(error) => db::mark_mail_failed(db, id, error, now),
        });
        // Log the row and the error only: never the recipient, the password or the body.
        match &outcome {
            Ok(()) => tracing::info!(outbox = id, "mail sent over SMTP"),
            Err(error) => tracing::warn!(
                outbox = id,
                %error,
                "SMTP delivery failed; the message stays in the outbox"
            ),
        }
        if let Err(e) = recorded {
            tracing::error!(outbox = id, error = %e, "cannot record the delivery outcome");
        }
    });
    if let Err(e) = task.await {
        tracing::error!(outbox = id, error = %e, "SMTP delivery task failed");
    }
}
