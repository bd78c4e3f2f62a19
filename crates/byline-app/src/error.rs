//! The one error type of the services. It says what went wrong in the
//! domain's words; the server maps each variant to an HTTP status once.

use byline_core::CoreError;
use byline_core::policy::Denial;
use byline_store::StoreError;

/// Everything a service call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that broke a rule.
    #[error("{0}")]
    Invalid(String),
    /// The credentials are wrong.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but not allowed.
    #[error("you are not allowed to do that")]
    Forbidden,
    /// Not allowed, and told why (the reason reveals nothing the caller
    /// may not know, e.g. "you are not on shift").
    #[error("{0}")]
    ForbiddenBecause(String),
    /// Nothing here (or nothing the caller may know exists).
    #[error("not found")]
    NotFound,
    /// A unique value is taken.
    #[error("that {0} is already taken")]
    Conflict(&'static str),
    /// The call asks for what is already so (e.g. joining twice).
    #[error("{0}")]
    AlreadyDone(&'static str),
    /// An upload is larger than Byline accepts.
    #[error("the upload is larger than this server accepts")]
    TooLarge,
    /// Too many attempts; try again after the given seconds.
    #[error("too many attempts; try again in {0} seconds")]
    RateLimited(i64),
    /// The database is unreachable or not migrated.
    #[error("the service is not available right now")]
    Unavailable,
    /// The vault cannot open an entry: its master key is missing or wrong,
    /// or the stored bytes fail their integrity check. Says which, never a
    /// value.
    #[error("{0}")]
    Vault(String),
    /// A bug or an infrastructure failure; details go to the log only.
    #[error("internal error")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict { field } => Error::Conflict(field),
            StoreError::Refused(why) => Error::Invalid(why),
            StoreError::SpeechRefused(denial) => Error::from(denial),
            StoreError::NotMigrated { .. } => Error::Unavailable,
            StoreError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                Error::Unavailable
            }
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Error {
        match e {
            CoreError::Forbidden => Error::Forbidden,
            CoreError::Hashing => Error::Internal("password hashing failed".into()),
            e @ (CoreError::VaultTampered | CoreError::VaultWrongKey { .. }) => {
                Error::Vault(e.to_string())
            }
            other => Error::Invalid(other.to_string()),
        }
    }
}

impl From<Denial> for Error {
    fn from(d: Denial) -> Error {
        match d {
            Denial::SignInRequired => Error::Unauthenticated("sign in first"),
            Denial::Forbidden => Error::Forbidden,
            Denial::OffShift => Error::ForbiddenBecause(
                "you are not on shift: this profile speaks only through members on shift (see its roster)"
                    .into(),
            ),
        }
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Error {
        Error::Internal(format!("background task failed: {e}"))
    }
}
