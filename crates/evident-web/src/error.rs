//! The one error enum of `evident-web`, and the only place where errors become HTTP statuses: JSON `{"error": {"code", "message"}}` with no internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use evident_core::article::RuleError;
use evident_engine::EngineError;
use evident_engine::store::StoreError;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("sign in with a valid API token")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("too many requests: try again in {} s", .0.as_secs().max(1))]
    RateLimited(Duration),
    #[error("the request was refused: {0}")]
    Csrf(&'static str),
    /// Something failed inside; the message is logged, never sent.
    #[error("internal error")]
    Internal(String),
    /// An error response from outside the handlers (a body over the limit, unreadable JSON,
    /// a timeout, an unknown route or method), re-shaped by `failsafe::error_shape`.
    #[error("{}", rejected_message(*.status, .message))]
    Rejected { status: StatusCode, message: String },
}

/// A rejection's own message, unless it is empty or from a server error (never sent).
fn rejected_message(status: StatusCode, message: &str) -> String {
    if message.is_empty() || status.is_server_error() {
        crate::failsafe::default_message(status).to_string()
    } else {
        message.to_string()
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) | WebError::Csrf(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::Rejected { status, .. } => *status,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthenticated => "unauthenticated",
            WebError::Forbidden(_) => "forbidden",
            WebError::Csrf(_) => "csrf",
            WebError::NotFound(_) => "not_found",
            WebError::Conflict(_) => "conflict",
            WebError::Invalid(_) => "invalid",
            WebError::RateLimited(_) => "rate_limited",
            WebError::Internal(_) => "internal",
            WebError::Rejected { status, .. } => match status.as_u16() {
                401 => "unauthenticated",
                403 => "forbidden",
                404 => "not_found",
                405 => "method_not_allowed",
                408 => "timeout",
                409 => "conflict",
                413 => "too_large",
                415 => "unsupported_media_type",
                422 => "invalid",
                429 => "rate_limited",
                503 => "unavailable",
                _ if status.is_server_error() => "internal",
                _ => "bad_request",
            },
        }
    }

    /// The header a 429 carries.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            WebError::RateLimited(d) => HeaderValue::from_str(&(d.as_secs() + 1).to_string()).ok(),
            _ => None,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// unauthenticated, forbidden, csrf, not_found, conflict, invalid, rate_limited, internal;
    /// for requests refused before a handler: bad_request, method_not_allowed, timeout,
    /// too_large, unsupported_media_type, unavailable
    pub code: String,
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match &self {
            WebError::Internal(detail) => tracing::error!("internal error: {detail}"),
            WebError::Rejected { status, message } if status.is_server_error() => {
                tracing::error!("{status}: {message}");
            }
            _ => {}
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.to_string(),
            },
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(v) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rule(rule) => match rule {
                RuleError::Forbidden { .. } | RuleError::OwnVersion { .. } => {
                    WebError::Forbidden(rule.to_string())
                }
                RuleError::IllegalTransition { .. }
                | RuleError::StaleVersion { .. }
                | RuleError::EditRejected => WebError::Conflict(rule.to_string()),
                RuleError::UnnamedVersion { .. } => WebError::Invalid(rule.to_string()),
            },
            StoreError::Conflict(_) => WebError::Conflict(e.to_string()),
            StoreError::NotFound(_) => WebError::NotFound(e.to_string()),
            StoreError::Unauthenticated => WebError::Unauthenticated,
            StoreError::Invalid(m) => WebError::Invalid(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<EngineError> for WebError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Store(s) => s.into(),
            EngineError::NotFound(what) => WebError::NotFound(format!("no {what}")),
            EngineError::Usage(m) => WebError::Invalid(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}
