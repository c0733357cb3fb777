//! Error replies: a stable machine code and a message for people.

use serde::{Deserialize, Serialize};

/// Stable error codes; clients branch on these, people read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
    RateLimited,
    TooLarge,
    UnsupportedVersion,
    /// Nobody can serve this right now (e.g. a skill group without agents).
    Unavailable,
    /// The password was right but the account has a second factor: send `login` again with
    /// `totp` (a code from the app, or a recovery code).
    TotpRequired,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// With `rate_limited`: how many seconds to wait before trying again, when the server
    /// knows (login throttling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }
    /// `rate_limited`, to be retried after `secs` seconds.
    pub fn retry_after(message: impl Into<String>, secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(secs),
            ..Self::new(ErrorCode::RateLimited, message)
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error; the server logged it")
    }
}
