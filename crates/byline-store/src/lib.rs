//! Byline's persistence: one [`Store`] over SQLite (embedded default) or
//! PostgreSQL (scale-out), with versioned migrations for each.
//!
//! SQL is written once with `$n` placeholders, which both drivers accept; the
//! few real differences between the dialects live in [`dialect`].

#[macro_use]
mod dialect;
#[macro_use]
pub mod audit;
pub mod attachments;
#[macro_use]
mod bylines;
mod backup;
pub mod bulk;
pub mod communities;
mod error;
pub mod feed;
pub mod follows;
pub mod investigations;
#[macro_use]
pub mod messages;
pub mod notifications;
#[macro_use]
pub mod posts;
pub mod profiles;
pub mod rosters;
pub mod search;
pub mod sessions;
pub mod shared_profiles;
pub mod sign_in_failures;
pub mod speak;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod users;
mod visibility;

pub use dialect::{Backend, StoreOptions, Synchronous};
pub use error::StoreError;

use sqlx::migrate::Migrator;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Handle to the database; cheap to clone (pools are shared).
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
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

impl Store {
    /// Connects to the database that `options` names (no migrations run).
    pub async fn connect(options: &StoreOptions) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Backend::connect(options).await?,
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Backend::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies every migration not yet applied; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await.unwrap_or(0);
        match &self.backend {
            Backend::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        let after = self.applied_migrations().await?;
        Ok(after.saturating_sub(before))
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

    /// Figures about the connection pool (the writer pool on SQLite is
    /// reported together with the readers).
    pub fn pool_state(&self) -> PoolState {
        match &self.backend {
            Backend::Sqlite { write, read } => PoolState {
                size: write.size() + read.size(),
                idle: u32::try_from(write.num_idle() + read.num_idle()).unwrap_or(u32::MAX),
                max: write.options().get_max_connections() + read.options().get_max_connections(),
            },
            Backend::Postgres(pool) => PoolState {
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            },
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}
