//! The one error type of the server, rendered as JSON under `/api` and as an
//! HTML page for the web UI (see `pages::PageError`).

use crate::telemetry::current_request_id;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::CoreError;
use byline_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that could not be parsed (malformed JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// Input that parsed but broke a rule.
    #[error("{0}")]
    Invalid(String),
    /// Nobody is signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but not allowed.
    #[error("you are not allowed to do that")]
    Forbidden,
    /// Signed in, not allowed, and told why (the reason reveals nothing
    /// the asker may not know, e.g. "you are not on shift").
    #[error("{0}")]
    ForbiddenBecause(String),
    /// Nothing here (or nothing the asker may know exists).
    #[error("not found")]
    NotFound,
    /// A unique value is taken.
    #[error("that {0} is already taken")]
    Conflict(&'static str),
    /// The request asks for what is already so (e.g. joining twice).
    #[error("{0}")]
    AlreadyDone(&'static str),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than this server accepts")]
    PayloadTooLarge,
    /// Too many attempts; try again after the given seconds.
    #[error("too many attempts; try again in {0} seconds")]
    RateLimited(i64),
    /// The request took longer than the configured limit.
    #[error("the request took too long and was stopped")]
    Timeout,
    /// The database is unreachable or not migrated.
    #[error("the service is not available right now")]
    Unavailable,
    /// The vault cannot open an entry (missing or wrong master key,
    /// tampered bytes); the message says which and holds no value.
    #[error("{0}")]
    Vault(String),
    /// A bug or an infrastructure failure; details go to the log only.
    #[error("internal error")]
    Internal(String),
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `conflict`, `not_found`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request id to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl AppError {
    /// HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::ForbiddenBecause(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::AlreadyDone(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) | AppError::Vault(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::Forbidden | AppError::ForbiddenBecause(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) | AppError::AlreadyDone(_) => "conflict",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::RateLimited(_) => "rate_limited",
            AppError::Timeout => "timeout",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
            AppError::Vault(_) => "vault",
        }
    }

    /// The message shown to the client (never internal details).
    pub fn public_message(&self) -> String {
        match self {
            // Key paths, key ids and OS errors are the operator's business.
            AppError::Vault(detail) if *detail != CoreError::VaultTampered.to_string() => {
                "the vault cannot open this entry now: its master key is missing or is not the one \
                 it was sealed with (the server's log says which)"
                    .to_owned()
            }
            other => other.to_string(),
        }
    }

    /// Logs server-side failures once, where they are turned into responses.
    pub(crate) fn log(&self) {
        if let AppError::Internal(detail) | AppError::Vault(detail) = self {
            tracing::error!(error = %detail, "request failed");
        }
    }

    /// Extra headers some errors carry.
    pub(crate) fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            AppError::RateLimited(secs) => HeaderValue::from_str(&(*secs).max(1).to_string()).ok(),
            AppError::Unavailable | AppError::Timeout => Some(HeaderValue::from_static("5")),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.public_message(),
                request_id: current_request_id(),
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(v) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { field } => AppError::Conflict(field),
            StoreError::Refused(why) => AppError::Invalid(why),
            StoreError::SpeechRefused(denial) => AppError::from(denial),
            StoreError::NotMigrated { .. } => AppError::Unavailable,
            StoreError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> AppError {
        match e {
            CoreError::Forbidden => AppError::Forbidden,
            CoreError::Hashing => AppError::Internal("password hashing failed".into()),
            e @ (CoreError::VaultTampered | CoreError::VaultWrongKey { .. }) => {
                AppError::Vault(e.to_string())
            }
            other => AppError::Invalid(other.to_string()),
        }
    }
}

impl From<byline_core::policy::Denial> for AppError {
    fn from(d: byline_core::policy::Denial) -> AppError {
        match d {
            byline_core::policy::Denial::SignInRequired => {
                AppError::Unauthenticated("sign in first")
            }
            byline_core::policy::Denial::Forbidden => AppError::Forbidden,
            byline_core::policy::Denial::OffShift => AppError::ForbiddenBecause(
                "you are not on shift: this profile speaks only through members on shift (see its roster)"
                    .into(),
            ),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> AppError {
        AppError::Internal(format!("background task failed: {e}"))
    }
}

/// The one place a service's error becomes an HTTP answer.
impl From<byline_app::Error> for AppError {
    fn from(e: byline_app::Error) -> AppError {
        use byline_app::Error as E;
        match e {
            E::Invalid(why) => AppError::Invalid(why),
            E::Unauthenticated(why) => AppError::Unauthenticated(why),
            E::Forbidden => AppError::Forbidden,
            E::ForbiddenBecause(why) => AppError::ForbiddenBecause(why),
            E::NotFound => AppError::NotFound,
            E::Conflict(field) => AppError::Conflict(field),
            E::AlreadyDone(what) => AppError::AlreadyDone(what),
            E::TooLarge => AppError::PayloadTooLarge,
            E::RateLimited(secs) => AppError::RateLimited(secs),
            E::Unavailable => AppError::Unavailable,
            E::Vault(why) => AppError::Vault(why),
            E::Internal(detail) => AppError::Internal(detail),
        }
    }
}
