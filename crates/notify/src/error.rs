//! What can go wrong talking to Notify, and whether trying again can help.
//!
//! Every failure is either **retryable** (429 rate or daily limit, any 5xx,
//! could not connect, timed out) or **permanent** (400 validation or bad
//! request, 401/403 authentication, 404, a malformed key, a success answer we
//! cannot read). A sending worker retries the first kind with
//! [`crate::Backoff`] and records the second kind against the message, because
//! sending the same request again will get the same answer.
//!
//! Notify's error bodies are `{"status_code": 400, "errors": [{"error":
//! "ValidationError", "message": "..."}]}`; both are kept. Notify asks
//! integrators to branch on the status code and error type, not the message
//! text, which "can sometimes change"; [`NotifyError::is_retryable`] does.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One entry of Notify's `errors` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorItem {
    /// The error type: `ValidationError`, `BadRequestError`, `AuthError`,
    /// `RateLimitError`, `TooManyRequestsError`, `NoResultFound`, `Exception`...
    pub error: String,
    /// Notify's human-readable message.
    pub message: String,
}

/// Retryable or permanent; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Trying the same request later may succeed.
    Retryable,
    /// The same request will fail the same way; fix the data or configuration.
    Permanent,
}

/// Everything that can go wrong sending to or reading from Notify.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The API key is not shaped like a Notify key. Found before any request.
    /// The message never contains the key.
    #[error("invalid Notify API key: {0}")]
    InvalidKey(String),
    /// The client was configured wrongly (a base URL that is not http(s)).
    #[error("invalid Notify client configuration: {0}")]
    Config(String),
    /// Notify answered with an error status.
    #[error("Notify answered {status_code}: {}", ErrorList(.errors))]
    Api {
        /// The HTTP status (Notify repeats it in the body's `status_code`).
        status_code: u16,
        /// The body's `errors`; empty when the body was not Notify's JSON
        /// (a load balancer's 502 page, say).
        errors: Vec<ApiErrorItem>,
        /// A `Retry-After` header, in seconds form, when one was sent.
        retry_after: Option<Duration>,
    },
    /// No answer: could not resolve, connect, or finish in time. Retryable.
    /// Note that after a timeout the request may still have been accepted.
    #[error("could not reach Notify: {0}")]
    Transport(String),
    /// Notify said yes (2xx) but the body is not what the contract promises.
    /// Permanent: the message was probably accepted, so sending it again
    /// would risk a duplicate.
    #[error("unexpected answer from Notify (status {status_code}): {detail}")]
    InvalidResponse {
        /// The HTTP status.
        status_code: u16,
        /// What was wrong with the body.
        detail: String,
    },
}

struct ErrorList<'a>(&'a [ApiErrorItem]);

impl fmt::Display for ErrorList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(no Notify error body)");
        }
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.error, e.message)?;
        }
        Ok(())
    }
}

impl NotifyError {
    /// Retryable or permanent.
    pub fn kind(&self) -> FailureKind {
        match self {
            NotifyError::Api { status_code, .. } => {
                if *status_code == 429 || (500..=599).contains(status_code) {
                    FailureKind::Retryable
                } else {
                    FailureKind::Permanent
                }
            }
            NotifyError::Transport(_) => FailureKind::Retryable,
            NotifyError::InvalidKey(_)
            | NotifyError::Config(_)
            | NotifyError::InvalidResponse { .. } => FailureKind::Permanent,
        }
    }

    /// Whether sending the same request again later might succeed.
    pub fn is_retryable(&self) -> bool {
        self.kind() == FailureKind::Retryable
    }

    /// The HTTP status Notify answered with, if it answered.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            NotifyError::Api { status_code, .. }
            | NotifyError::InvalidResponse { status_code, .. } => Some(*status_code),
            _ => None,
        }
    }

    /// Notify's `errors` array (empty unless Notify answered with one).
    pub fn errors(&self) -> &[ApiErrorItem] {
        match self {
            NotifyError::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// Whether any entry of `errors` has this type (`"AuthError"`, ...).
    pub fn has_error_type(&self, error: &str) -> bool {
        self.errors().iter().any(|e| e.error == error)
    }

    /// The `Retry-After` the server sent, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NotifyError::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status_code: u16, error: &str) -> NotifyError {
        NotifyError::Api {
            status_code,
            errors: vec![ApiErrorItem {
                error: error.into(),
                message: "m".into(),
            }],
            retry_after: None,
        }
    }

    #[test]
    fn classification_follows_the_status_code() {
        for (status, error) in [
            (429, "RateLimitError"),
            (429, "TooManyRequestsError"),
            (500, "Exception"),
            (502, ""),
            (503, ""),
            (504, ""),
        ] {
            assert!(
                api(status, error).is_retryable(),
                "{status} should be retryable"
            );
        }
        for (status, error) in [
            (400, "ValidationError"),
            (400, "BadRequestError"),
            (401, "AuthError"),
            (403, "AuthError"),
            (404, "NoResultFound"),
        ] {
            assert!(
                !api(status, error).is_retryable(),
                "{status} should be permanent"
            );
        }
        assert!(NotifyError::Transport("timed out".into()).is_retryable());
        assert!(!NotifyError::InvalidKey("short".into()).is_retryable());
        assert!(!NotifyError::InvalidResponse {
            status_code: 201,
            detail: "x".into()
        }
        .is_retryable());
    }

    #[test]
    fn display_lists_notifys_errors() {
        let e = api(400, "ValidationError");
        assert_eq!(e.to_string(), "Notify answered 400: ValidationError: m");
        assert!(e.has_error_type("ValidationError"));
        assert_eq!(e.status_code(), Some(400));
    }
}
