//! The exact bytes a login or registration token signs, shared by the client and `verify`.
//!
//! Every token message starts with a fixed, versioned label, and no other method a page can call
//! signs bytes that start with [`RESERVED_PREFIX`]: raw signing refuses such input, CMS signs a
//! DER `SET OF Attribute` (first byte 0x31) and XMLDSig signs a canonical `<ds:SignedInfo`
//! element (first byte `<`), neither of which can begin with the letter `q`. So a page can never
//! obtain a signature that verifies as another origin's token (docs/PROTOCOL.md, "Tokens").

use sha2::{Digest, Sha256};

/// The start of every token label; raw signing refuses data that begins with it.
pub const RESERVED_PREFIX: &[u8] = b"qoltanba-";
/// The `format` of a login reply, and the first part of its signed label.
pub const LOGIN_FORMAT: &str = "qoltanba-login:2";
/// The `format` of a registration reply, and the first part of its signed label.
pub const REGISTER_FORMAT: &str = "qoltanba-register:2";
/// Formats of the retired version 1, which raw signing could forge; verifiers refuse them.
pub const RETIRED_FORMATS: [&str; 2] = ["qoltanba-login:1", "qoltanba-register:1"];

/// What a login token lets the portal do: each action signs a different label, so a token made
/// for one can never be used for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Sign in to the site.
    Login,
    /// Set a new password for the account on the site.
    ChangePassword,
}

impl Action {
    /// The action's name in requests, replies and the signed label.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::ChangePassword => "change-password",
        }
    }

    /// Parses a request's `action`; None for anything else.
    pub fn parse(name: &str) -> Option<Action> {
        [Action::Login, Action::ChangePassword]
            .into_iter()
            .find(|action| action.as_str() == name)
    }
}

/// `"qoltanba-login:2" 0x00 action 0x00 SHA-256(origin) SHA-256(challenge)`.
///
/// ```
/// use qoltanba_core::token::{is_reserved, login_message, Action};
///
/// let message = login_message(Action::Login, "https://egov.kz", b"challenge");
/// assert_eq!(message.len(), 16 + 1 + 5 + 1 + 32 + 32);
/// assert!(is_reserved(&message)); // raw signing refuses to sign such bytes for a page
/// ```
pub fn login_message(action: Action, origin: &str, challenge: &[u8]) -> Vec<u8> {
    let mut message = label(LOGIN_FORMAT, Some(action));
    message.extend_from_slice(&Sha256::digest(origin.as_bytes()));
    message.extend_from_slice(&Sha256::digest(challenge));
    message
}

/// `"qoltanba-register:2" 0x00 payload` (the payload is RFC 8785 JSON, so it has no 0x00).
pub fn register_message(payload: &str) -> Vec<u8> {
    let mut message = label(REGISTER_FORMAT, None);
    message.extend_from_slice(payload.as_bytes());
    message
}

/// True when raw signing of `data` could produce a token signature.
pub fn is_reserved(data: &[u8]) -> bool {
    data.starts_with(RESERVED_PREFIX)
}

fn label(format: &str, action: Option<Action>) -> Vec<u8> {
    let mut label = Vec::with_capacity(96 + format.len());
    label.extend_from_slice(format.as_bytes());
    label.push(0);
    if let Some(action) = action {
        label.extend_from_slice(action.as_str().as_bytes());
        label.push(0);
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_message_is_label_action_then_origin_and_challenge_hashes() {
        let message = login_message(Action::Login, "https://egov.kz", b"challenge");
        let label = b"qoltanba-login:2\0login\0";
        assert_eq!(&message[..label.len()], label);
        let rest = &message[label.len()..];
        assert_eq!(&rest[..32], Sha256::digest(b"https://egov.kz").as_slice());
        assert_eq!(&rest[32..], Sha256::digest(b"challenge").as_slice());
    }

    #[test]
    fn login_message_matches_the_worked_example_of_the_protocol_docs() {
        let challenge: Vec<u8> = (0..32).collect();
        let message = login_message(Action::Login, "https://portal.example.kz", &challenge);
        assert_eq!(
            hex::encode(message),
            "716f6c74616e62612d6c6f67696e3a3200\
             6c6f67696e00\
             06f591803b02a998445a95fdce8cd8df80ad4fef8ce94d5844134704276e1530\
             630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
        );
    }

    #[test]
    fn password_change_signs_a_different_label_than_login() {
        let login = login_message(Action::Login, "https://egov.kz", b"c");
        let change = login_message(Action::ChangePassword, "https://egov.kz", b"c");
        assert!(change.starts_with(b"qoltanba-login:2\0change-password\0"));
        assert_ne!(login, change);
    }

    #[test]
    fn register_message_is_label_then_payload() {
        assert_eq!(register_message("{}"), b"qoltanba-register:2\0{}");
    }

    #[test]
    fn every_token_message_is_reserved() {
        assert!(is_reserved(&login_message(Action::Login, "o", b"c")));
        assert!(is_reserved(&login_message(
            Action::ChangePassword,
            "o",
            b"c"
        )));
        assert!(is_reserved(&register_message("{}")));
        assert!(!is_reserved(b"qoltanba"));
        assert!(!is_reserved(b"\x31\x81"));
    }

    #[test]
    fn actions_round_trip_by_name() {
        for action in [Action::Login, Action::ChangePassword] {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert_eq!(Action::parse("Login"), None);
    }
}
