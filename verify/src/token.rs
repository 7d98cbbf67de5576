//! `qoltanba.login` and `qoltanba.register` replies, checked against the portal's own origin and
//! challenge: the reply never gets to say which site or challenge it was meant for.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use qoltanba_core::cert::Purpose;
use qoltanba_core::token::{self, RETIRED_FORMATS};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::challenge::ChallengeStore;
use crate::error::{Result, VerifyError};
use crate::identity::{check_certificate, CheckedCertificate, Identity};
use crate::pubkey::{self, PublicKey};
use crate::trust::{parse_cert, TrustStore};

pub use qoltanba_core::token::{Action, LOGIN_FORMAT, REGISTER_FORMAT};
/// RSASSA-PKCS1-v1_5 with SHA-256.
pub const RS256: &str = "RS256";
/// GOST 34.10-2015 512-bit with Streebog-512, KZ byte order (NCA keys since 2024).
pub const GOST512: &str = "GOST512";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

/// The JSON the page forwards from `qoltanba.login`.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginReply {
    pub format: String,
    /// What the user agreed to in the prompt; the signature covers it. Absent in version 1.
    pub action: Option<Action>,
    pub algorithm: String,
    pub certificate: String,
    pub signature: String,
}

/// The JSON the page forwards from `qoltanba.register`.
#[derive(Debug, Clone, Deserialize)]
pub struct RegisterReply {
    pub format: String,
    pub algorithm: String,
    pub certificate: String,
    /// RFC 8785 canonical JSON of {challenge, email, entity, origin}: the signed bytes.
    pub payload: String,
    pub signature: String,
}

/// Individual or legal entity, as the user chose on the registration page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    Individual,
    Legal,
}

/// A verified registration: who, and the e-mail and entity kind they signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    pub identity: Identity,
    pub email: String,
    pub entity: Entity,
}

/// The register payload's fields; field order is RFC 8785 order (sorted keys).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RegisterPayload {
    challenge: String,
    email: String,
    entity: Entity,
    origin: String,
}

/// The portal's verifier: its origin (from configuration) and its trusted CAs.
#[derive(Debug, Clone)]
pub struct Verifier {
    origin: String,
    trust: TrustStore,
}

impl Verifier {
    /// `origin` is this portal's origin exactly as browsers send it, e.g. `https://portal.kz`.
    pub fn new(origin: impl Into<String>, trust: TrustStore) -> Self {
        let origin = origin.into();
        let origin = origin.strip_suffix('/').unwrap_or(&origin).to_string();
        Verifier { origin, trust }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Consumes `challenge` (the one this session was given) and checks the login reply at the
    /// store's current time. The challenge is burnt even when the reply fails.
    pub fn login(&self, reply: &str, challenge: &str, store: &ChallengeStore) -> Result<Identity> {
        store.consume(challenge)?;
        self.check_login(reply, challenge, store.now())
    }

    /// Checks a login reply against a challenge the caller has already consumed.
    pub fn check_login(
        &self,
        reply: &str,
        challenge: &str,
        now: OffsetDateTime,
    ) -> Result<Identity> {
        self.check_action(Action::Login, reply, challenge, now)
    }

    /// Consumes `challenge` and checks a reply the user signed to change their password here;
    /// a login token is refused, so signing in never lets a page change the password.
    pub fn change_password(
        &self,
        reply: &str,
        challenge: &str,
        store: &ChallengeStore,
    ) -> Result<Identity> {
        store.consume(challenge)?;
        self.check_change_password(reply, challenge, store.now())
    }

    /// Checks a password-change reply against a challenge the caller has already consumed.
    pub fn check_change_password(
        &self,
        reply: &str,
        challenge: &str,
        now: OffsetDateTime,
    ) -> Result<Identity> {
        self.check_action(Action::ChangePassword, reply, challenge, now)
    }

    /// A `qoltanba-login:2` reply for `action`, signed over this portal's origin and `challenge`.
    fn check_action(
        &self,
        action: Action,
        reply: &str,
        challenge: &str,
        now: OffsetDateTime,
    ) -> Result<Identity> {
        let reply: LoginReply = parse_json(reply, "login reply")?;
        expect_format(&reply.format, LOGIN_FORMAT)?;
        match reply.action {
            Some(found) if found == action => {}
            found => {
                return Err(VerifyError::WrongAction {
                    expected: action.as_str(),
                    found: found.map_or("nothing", Action::as_str),
                })
            }
        }
        let challenge_bytes = decode_challenge(challenge)?;
        let certificate = decode_base64(&reply.certificate, "certificate")?;
        let signature = decode_base64(&reply.signature, "signature")?;
        let checked = self.checked(&reply.algorithm, &certificate, Purpose::Auth, now)?;
        // The portal's own action, origin and challenge: nothing signed comes from the reply.
        let message = token::login_message(action, &self.origin, &challenge_bytes);
        verify_token_signature(&reply.algorithm, &checked, &message, &signature)?;
        Ok(checked.identity)
    }

    /// Consumes `challenge` and checks the registration reply at the store's current time.
    pub fn register(
        &self,
        reply: &str,
        challenge: &str,
        store: &ChallengeStore,
    ) -> Result<Registration> {
        store.consume(challenge)?;
        self.check_register(reply, challenge, store.now())
    }

    /// Checks a registration reply against a challenge the caller has already consumed.
    pub fn check_register(
        &self,
        reply: &str,
        challenge: &str,
        now: OffsetDateTime,
    ) -> Result<Registration> {
        let reply: RegisterReply = parse_json(reply, "register reply")?;
        expect_format(&reply.format, REGISTER_FORMAT)?;
        let payload: RegisterPayload = parse_json(&reply.payload, "register payload")?;
        let certificate = decode_base64(&reply.certificate, "certificate")?;
        let signature = decode_base64(&reply.signature, "signature")?;
        if payload.origin != self.origin {
            return Err(VerifyError::WrongOrigin {
                expected: self.origin.clone(),
                found: payload.origin,
            });
        }
        if payload.challenge != challenge {
            return Err(VerifyError::WrongChallenge);
        }
        // Signed bytes must be exactly the canonical form, so no two payloads mean the same.
        let canonical = serde_jcs::to_string(&payload)
            .map_err(|e| VerifyError::Malformed(format!("register payload: {e}")))?;
        if canonical != reply.payload {
            return Err(VerifyError::Malformed(
                "register payload is not RFC 8785 canonical JSON".into(),
            ));
        }
        let checked = self.checked(&reply.algorithm, &certificate, Purpose::Sign, now)?;
        verify_token_signature(
            &reply.algorithm,
            &checked,
            &token::register_message(&reply.payload),
            &signature,
        )?;
        Ok(Registration {
            identity: checked.identity,
            email: payload.email,
            entity: payload.entity,
        })
    }

    fn checked(
        &self,
        algorithm: &str,
        certificate: &[u8],
        wanted: Purpose,
        now: OffsetDateTime,
    ) -> Result<CheckedCertificate> {
        if algorithm != RS256 && algorithm != GOST512 {
            return Err(VerifyError::UnsupportedAlgorithm(format!(
                "token algorithm {algorithm:?} (expected {RS256:?} or {GOST512:?})"
            )));
        }
        check_certificate(&self.trust, certificate, wanted, &[], now)
    }
}

/// Checks a token signature with the scheme its `algorithm` names; the key must match it.
fn verify_token_signature(
    algorithm: &str,
    checked: &CheckedCertificate,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let cert = parse_cert(&checked.certificate.der).map_err(VerifyError::BadCertificate)?;
    let scheme = if algorithm == GOST512 {
        pubkey::GOST2015_512_SIGNATURE
    } else {
        SHA256_WITH_RSA
    };
    pubkey::verify(&PublicKey::of(&cert), scheme, None, message, signature)
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| VerifyError::Malformed(format!("{what}: {e}")))
}

fn expect_format(found: &str, expected: &'static str) -> Result<()> {
    if found == expected {
        Ok(())
    } else if RETIRED_FORMATS.contains(&found) {
        Err(VerifyError::RetiredFormat(found.to_string()))
    } else {
        Err(VerifyError::WrongFormat {
            expected,
            found: found.to_string(),
        })
    }
}

/// The portal's challenge: base64url of 32 to 96 bytes, as the client requires.
fn decode_challenge(challenge: &str) -> Result<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(challenge)
        .or_else(|_| URL_SAFE.decode(challenge))
        .map_err(|_| VerifyError::Malformed("the challenge is not base64url".into()))?;
    if !(32..=96).contains(&bytes.len()) {
        return Err(VerifyError::Malformed(
            "the challenge must be 32 to 96 bytes".into(),
        ));
    }
    Ok(bytes)
}

/// Base64 in either alphabet, padded or not: clients differ, and the bytes are what is signed.
pub(crate) fn decode_base64(text: &str, what: &str) -> Result<Vec<u8>> {
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| VerifyError::Malformed(format!("{what} is not valid base64")))
}
