//! The one error type of the store.

use thiserror::Error;

/// What can go wrong talking to the database.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The row asked for does not exist (or is not visible to the asker).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write; `field` names the taken value.
    #[error("that {field} is already taken")]
    Conflict {
        /// Which value is taken, e.g. `"email"` or `"handle"`.
        field: &'static str,
    },
    /// A rule checked inside the write's transaction refused it (e.g. a
    /// shift that overlaps another of the same member's).
    #[error("{0}")]
    Refused(String),
    /// The policy refused, inside the write transaction, something said as
    /// a shared profile (the refusal is already audited).
    #[error("refused: {0:?}")]
    SpeechRefused(byline_core::policy::Denial),
    /// The database URL or data directory is unusable.
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// The schema is older than this binary.
    #[error(
        "database is not migrated ({applied} of {known} migrations applied); run `byline migrate`"
    )]
    NotMigrated {
        /// Migrations recorded in the database.
        applied: usize,
        /// Migrations this binary carries.
        known: usize,
    },
    /// A stored value that no code path writes (hand edits, corruption).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The database cannot be reached right now (pool exhausted or closed,
    /// connection lost).
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The commit that held a write did not happen (the write is not there).
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
    /// Any other driver error.
    #[error(transparent)]
    Database(sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint; SQLite puts "table.column"
                // in the message. Either way the column name appears.
                let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
                let field = ["email", "handle", "token_digest"]
                    .into_iter()
                    .find(|f| text.contains(f))
                    .unwrap_or("value");
                StoreError::Conflict { field }
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e)
            }
            _ => StoreError::Database(e),
        }
    }
}
