//! Byline's persistence: one [`Store`] over SQLite (embedded default) or
//! PostgreSQL (scale-out), with versioned migrations for each.
//!
//! SQL is written once with `$n` placeholders, which both drivers accept; the
//! few real differences between the dialects live in [`dialect`].

/// Declares one capability's view of the store: a small `Copy` handle,
/// reached with `store.<accessor>()`, whose `impl` block in the
/// capability's module holds that capability's SQL. The handle derefs to
/// the `Store` so its methods reach the backend and the shared helpers.
macro_rules! capability {
    ($(#[$doc:meta])* $name:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'s>(&'s $crate::Store);

        impl std::ops::Deref for $name<'_> {
            type Target = $crate::Store;
            fn deref(&self) -> &$crate::Store {
                self.0
            }
        }

        impl $crate::Store {
            $(#[$doc])*
            pub fn $accessor(&self) -> $name<'_> {
                $name(self)
            }
        }
    };
}

#[macro_use]
mod dialect;
#[macro_use]
pub mod audit;
#[macro_use]
pub mod vault;
pub mod attachments;
#[macro_use]
pub mod publishing;
#[macro_use]
pub mod channels;
#[macro_use]
mod bylines;
pub mod bulk;
pub mod communities;
mod credentials;
pub mod dashboard;
mod error;
pub mod feed;
pub mod follows;
pub mod investigations;
pub mod listening;
#[macro_use]
pub mod jobs;
#[macro_use]
pub mod tickets;
#[macro_use]
pub mod messages;
pub mod notifications;
#[macro_use]
pub mod articles;
#[macro_use]
pub mod posts;
mod memo;
pub mod moderation;
pub mod profiles;
pub mod rosters;
pub mod search;
pub mod sessions;
pub mod shared_profiles;
pub mod sign_in_failures;
pub mod sla;
pub mod speak;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod users;
mod visibility;

pub(crate) use dialect::Backend;
pub use dialect::{StoreOptions, Synchronous};
pub use error::StoreError;

/// Handle to the database; cheap to clone (pools are shared).
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// What the store remembers between calls (see `memo.rs`).
    memo: std::sync::Arc<memo::Memo>,
    /// Who holds which session or token (see `credentials.rs`).
    credentials: std::sync::Arc<credentials::Credentials>,
}

/// Connection-pool figures for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Open connections.
    pub size: u32,
    /// Open connections not in use.
    pub idle: u32,
    /// Most connections the pool will open.
    pub max: u32,
}

/// How SQLite's writes have shared commits since the store connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitFigures {
    /// Commits made (each one fsync).
    pub commits: u64,
    /// Writes those commits held.
    pub writes: u64,
}

impl Store {
    /// Group-commit figures: `None` on PostgreSQL, where each write is its
    /// own transaction.
    pub fn commit_figures(&self) -> Option<CommitFigures> {
        match &self.backend {
            Backend::Sqlite { group, .. } => Some(group.figures()),
            Backend::Postgres(_) => None,
        }
    }

    async fn applied_migrations(&self) -> Result<usize, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?
        });
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Ready means: the database answers and every migration this binary
    /// knows has been applied.
    pub async fn readiness(&self) -> Result<(), StoreError> {
        read!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        // A database that answers but has no migrations table is simply
        // not migrated yet.
        let applied = self.applied_migrations().await.unwrap_or(0);
        let known = self.migrator().iter().count();
        if applied < known {
            return Err(StoreError::NotMigrated { applied, known });
        }
        Ok(())
    }
}
