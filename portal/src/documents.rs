//! Signed applications: the account's holder posts an attached CMS (from Qoltanba or NCALayer);
//! it is verified, and what its timestamp proves about the signing time is kept for the account.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine as _;
use qoltanba_verify::{Purpose, VerifiedSignature};
use serde::{Deserialize, Serialize};

use crate::db::{self, SignedDocument};
use crate::i18n::Text;
use crate::{refuse, revocation, same_origin, session, Failure, LangQuery, Portal, PortalError};

/// The form: a CMS SignedData with the application's text attached, base64 (DER).
#[derive(Debug, Deserialize)]
pub struct SignedApplication {
    pub cms: String,
}

/// The reply: the message, and the proven signing time when the CMS carried a trusted timestamp.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentReply {
    pub ok: bool,
    pub message: String,
    pub proven_time: Option<String>,
}

/// `POST /api/applications`: verifies a signed application of the logged-in holder and records it.
pub(crate) async fn sign_application(
    State(portal): State<Arc<Portal>>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Json(form): Json<SignedApplication>,
) -> Result<Json<DocumentReply>, Failure> {
    let lang = q.lang;
    same_origin(&portal, &headers).map_err(|e| Failure(e, lang))?;
    let account = session::account(&portal, &headers)
        .map_err(|e| Failure(e, lang))?
        .ok_or(Failure(
            refuse(Text::AuthorizationError, StatusCode::UNAUTHORIZED),
            lang,
        ))?;
    let rejected = || refuse(Text::DocumentRejected, StatusCode::BAD_REQUEST);
    let der = base64::engine::general_purpose::STANDARD
        .decode(form.cms.trim())
        .map_err(|_| Failure(rejected(), lang))?;
    let verified = portal
        .off_workers(move |p| p.verifier.verify_cms(&der, None, Purpose::Sign, p.now()))
        .await
        .map_err(|e| Failure(e, lang))?
        .map_err(|e| {
            tracing::info!(reason = %e, "signed document refused");
            Failure(revocation::refusal(&e).unwrap_or_else(rejected), lang)
        })?;
    let document = accepted(&account, &verified, portal.now()).map_err(|e| Failure(e, lang))?;
    portal
        .with_db(|db| db::record_signed_document(db, account.account_id, &document))
        .map_err(|e| Failure(e.into(), lang))?;
    Ok(Json(DocumentReply {
        ok: true,
        message: Text::DocumentAccepted.in_lang(lang).to_string(),
        proven_time: verified
            .timestamp
            .map(|t| crate::account::date_time_seconds(t.gen_time.unix_timestamp())),
    }))
}

/// The record of a verified document, or why it does not belong to this account.
fn accepted(
    account: &db::SessionAccount,
    verified: &VerifiedSignature,
    now: time::OffsetDateTime,
) -> Result<SignedDocument, PortalError> {
    let content = verified
        .content
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or(refuse(Text::DocumentRejected, StatusCode::BAD_REQUEST))?;
    let identity = &verified.identity;
    let same_holder = identity.iin.as_deref() == Some(account.iin.as_str())
        && identity.bin.as_deref().unwrap_or("") == account.bin;
    if !same_holder {
        return Err(refuse(Text::DocumentSignerMismatch, StatusCode::FORBIDDEN));
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, content);
    Ok(SignedDocument {
        received_at: now.unix_timestamp(),
        content_sha256: digest.as_ref().iter().map(|b| format!("{b:02x}")).collect(),
        cert_serial: identity.serial.clone(),
        proven_time: verified
            .timestamp
            .as_ref()
            .map(|t| t.gen_time.unix_timestamp()),
    })
}
