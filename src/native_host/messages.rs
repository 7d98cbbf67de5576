//! What the extension and the host say to each other: a page's WebSocket, as plain data.

use serde::{Deserialize, Serialize};

/// From the extension: open (with the origin the browser gave it), frames, close.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum FromPage {
    Open {
        origin: String,
    },
    Text {
        data: String,
    },
    /// Base64 of a binary WebSocket message (JSON, a zero byte, a document).
    Binary {
        data: String,
    },
    Close {
        code: Option<u16>,
        reason: Option<String>,
    },
}

/// To the extension: opened, frames (long text in parts, `more` on all but the last), close,
/// and errors that leave the host running.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ToPage<'a> {
    Open,
    Text {
        data: &'a str,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        more: bool,
    },
    Close {
        code: u16,
        reason: &'a str,
    },
    Error {
        reason: &'a str,
        message: &'a str,
    },
}

/// Machine-readable error reasons the extension passes on to the page.
pub mod reason {
    pub const NOT_RUNNING: &str = "not_running";
    pub const REFUSED: &str = "refused";
    pub const TOO_LARGE: &str = "too_large";
    pub const MALFORMED: &str = "malformed";
    pub const NOT_OPEN: &str = "not_open";
    pub const ALREADY_OPEN: &str = "already_open";
}
