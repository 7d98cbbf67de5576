//! Password change: by EDS (a fresh login signature with the account's certificate) and by
//! e-mail (identity data checked, a generated password mailed to the registered address).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

use crate::i18n::Text;
use crate::mail::{self, Mail};
use crate::{
    db, password, refuse, same_origin, session, Failure, LangQuery, Portal, PortalError, Reply,
};

/// Generated passwords: 14 characters from a set without look-alikes, always letters and digits.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const GENERATED_LENGTH: usize = 14;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EdsChange {
    pub challenge: String,
    /// The `qoltanba.login` reply as JSON text.
    pub reply: String,
    pub new_password: String,
    pub password_confirmation: String,
}

pub(crate) async fn change_by_eds(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Json(form): Json<EdsChange>,
) -> Result<Json<Reply>, Failure> {
    let lang = q.lang;
    same_origin(&portal, &headers).map_err(|e| Failure(e, lang))?;
    let keep = session::token_hash(&headers);
    do_change_by_eds(&portal, form, keep.as_deref())
        .await
        .map_err(|e| Failure(e, lang))?;
    Ok(Json(Reply {
        ok: true,
        message: Text::PasswordChanged.in_lang(lang).to_string(),
        identity: None,
    }))
}

/// Checks the EDS signature, sets the new password and ends the account's other sessions (all
/// but `keep`, the requester's own, by token hash).
async fn do_change_by_eds(
    portal: &Arc<Portal>,
    form: EdsChange,
    keep: Option<&str>,
) -> Result<(), PortalError> {
    let bad = StatusCode::BAD_REQUEST;
    if form.new_password != form.password_confirmation {
        return Err(refuse(Text::PasswordsDiffer, bad));
    }
    if !password::strong_enough(&form.new_password) {
        return Err(refuse(Text::PasswordWeak, bad));
    }
    let (reply, challenge) = (form.reply.clone(), form.challenge.clone());
    let identity = portal
        .off_workers(move |p| {
            p.verifier
                .change_password(&reply, &challenge, &p.challenges)
        })
        .await?
        .map_err(|e| {
            tracing::info!(reason = %e, "password change signature refused");
            refuse(Text::EdsRejected, StatusCode::UNAUTHORIZED)
        })?;
    let iin = identity
        .iin
        .as_deref()
        .ok_or(refuse(Text::EdsRejected, StatusCode::UNAUTHORIZED))?;
    let account = portal
        .with_db(|db| db::find_by_certificate(db, iin, identity.bin.as_deref()))?
        .ok_or(refuse(Text::AuthorizationError, StatusCode::UNAUTHORIZED))?;
    let hash = portal
        .hashes
        .hash(&form.new_password)
        .await
        .map_err(|e| PortalError::Hashing(e.to_string()))?;
    set_password(portal, account.id, &hash, keep)?;
    Ok(())
}

/// Replaces the password and ends the account's sessions except `keep`: whoever knew the old
/// password is logged out.
fn set_password(
    portal: &Portal,
    account_id: i64,
    hash: &str,
    keep: Option<&str>,
) -> rusqlite::Result<()> {
    portal.with_db(|db| {
        let tx = db.unchecked_transaction()?;
        db::set_password(&tx, account_id, hash)?;
        let ended = db::end_other_sessions(&tx, account_id, keep)?;
        tx.commit()?;
        if ended > 0 {
            tracing::info!(
                account = account_id,
                ended,
                "password changed: other sessions ended"
            );
        }
        Ok(())
    })
}

/// Individual: IIN, identity document number and issue date; legal entity: BIN and registration number.
#[derive(Debug, Deserialize)]
#[serde(tag = "entity")]
pub enum EmailRecovery {
    #[serde(rename = "individual", rename_all = "camelCase")]
    Individual {
        iin: String,
        document_number: String,
        issue_date: String,
    },
    #[serde(rename = "legal", rename_all = "camelCase")]
    Legal {
        bin: String,
        registration_number: String,
    },
}

pub(crate) async fn recover_by_email(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Json(form): Json<EmailRecovery>,
) -> Result<Json<Reply>, Failure> {
    let lang = q.lang;
    same_origin(&portal, &headers).map_err(|e| Failure(e, lang))?;
    let (legal, holder, number, issued) = match &form {
        EmailRecovery::Individual {
            iin,
            document_number,
            issue_date,
        } => (false, iin.trim(), document_number.trim(), issue_date.trim()),
        EmailRecovery::Legal {
            bin,
            registration_number,
        } => (true, bin.trim(), registration_number.trim(), ""),
    };
    let mismatch = || {
        Failure(
            refuse(Text::RecoveryDataMismatch, StatusCode::BAD_REQUEST),
            lang,
        )
    };
    let found = portal
        .with_db(|db| -> rusqlite::Result<_> {
            let account = db::find_holder(db, legal, holder)?;
            let matches = db::document_matches(db, holder, number, issued)?;
            Ok(account.filter(|_| matches))
        })
        .map_err(|e| Failure(e.into(), lang))?;
    let (account, email) = found.ok_or_else(mismatch)?;
    let new_password = generate_password().map_err(|e| Failure(e, lang))?;
    let hash = portal
        .hashes
        .hash(&new_password)
        .await
        .map_err(|e| Failure(PortalError::Hashing(e.to_string()), lang))?;
    let keep = session::token_hash(&headers);
    let mail = Mail {
        recipient: email,
        subject: Text::NewPasswordMailSubject.in_lang(lang).to_string(),
        body: format!("{}: {new_password}", Text::Password.in_lang(lang)),
    };
    let id = portal
        .with_db(|db| -> rusqlite::Result<i64> {
            let tx = db.unchecked_transaction()?;
            db::set_password(&tx, account.id, &hash)?;
            db::end_other_sessions(&tx, account.id, keep.as_deref())?;
            let id = db::queue_mail(
                &tx,
                &mail.recipient,
                &mail.subject,
                &mail.body,
                portal.now(),
            )?;
            tx.commit()?;
            Ok(id)
        })
        .map_err(|e| Failure(e.into(), lang))?;
    // The outbox has the message; SMTP, when configured, is a further copy whose failure is
    // recorded on the row and logged, and never refuses the user.
    mail::deliver(&portal, id, mail).await;
    Ok(Json(Reply {
        ok: true,
        message: Text::NewPasswordSent.in_lang(lang).to_string(),
        identity: None,
    }))
}

/// A random password the portal's own rule accepts.
fn generate_password() -> Result<String, PortalError> {
    loop {
        let mut bytes = [0u8; GENERATED_LENGTH];
        aws_lc_rs::rand::fill(&mut bytes)
            .map_err(|_| PortalError::Hashing("the system random generator failed".into()))?;
        // 256 is not a multiple of the alphabet's size: reject the biased tail.
        let limit = 256 - 256 % ALPHABET.len();
        if bytes.iter().any(|&b| usize::from(b) >= limit) {
            continue;
        }
        let candidate: String = bytes
            .iter()
            .map(|&b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
            .collect();
        if password::strong_enough(&candidate) {
            return Ok(candidate);
        }
    }
}
