//! Every place SQLite and PostgreSQL differ, each behind a named function
//! or macro: connecting and pool shape, how a write transaction begins,
//! lock clauses, the shape of the feed queries, full-text search
//! (`full_text`), online copies, and the bulk loader's and the schema
//! test's catalogue work (`tooling`). Everything else is SQL written once
//! with `$n` placeholders.

pub(crate) mod audit_scan;
pub(crate) mod full_text;
pub(crate) mod group_commit;
pub(crate) mod joined;
pub(crate) mod tooling;

use crate::StoreError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How hard SQLite works to keep a commit on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// fsync at every commit: no acknowledged write is lost even if the
    /// machine loses power. The default.
    #[default]
    Full,
    /// fsync at checkpoints: survives a process crash, may lose the last
    /// commits on power loss. About five times the write rate.
    Normal,
}

/// Where the data lives and how many connections to use.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `postgres://…` selects PostgreSQL; `sqlite://PATH` a specific SQLite
    /// file; `None` the embedded default inside `data_dir`.
    pub database_url: Option<String>,
    /// Directory for the embedded database and uploaded files.
    pub data_dir: PathBuf,
    /// Upper bound on pooled connections (readers on SQLite).
    pub max_connections: u32,
    /// SQLite durability.
    pub synchronous: Synchronous,
}

impl StoreOptions {
    /// The embedded default in `data_dir`.
    pub fn embedded(data_dir: impl Into<PathBuf>) -> StoreOptions {
        StoreOptions {
            database_url: None,
            data_dir: data_dir.into(),
            max_connections: 8,
            synchronous: Synchronous::Full,
        }
    }
}

/// The connected database.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// One writer connection (SQLite serialises writes anyway; one writer
    /// per process means no lock upgrades fail with SQLITE_BUSY) and a pool
    /// of read-only connections that WAL lets run beside it.
    Sqlite {
        /// The single writer's pool (one connection), for migrations,
        /// the bulk loader and the raw-rate probe.
        write: SqlitePool,
        /// Writes go through it, several requests' sharing a commit.
        group: group_commit::GroupCommit,
        /// Readers.
        read: SqlitePool,
        /// The database file, for the audit verifier's own reader.
        path: PathBuf,
    },
    /// A PostgreSQL pool.
    Postgres(PgPool),
}

impl Backend {
    pub(crate) async fn connect(options: &StoreOptions) -> Result<Backend, StoreError> {
        match options.database_url.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let connect = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?
                    .application_name("byline")
                    // Prepared statements would switch to one generic plan
                    // after five runs; ours have skewed parameters (a common
                    // or a rare search word, ten follows or two thousand),
                    // where the generic plan was 25 times slower.
                    .options([("plan_cache_mode", "force_custom_plan")]);
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(connect)
                    .await?;
                Ok(Backend::Postgres(pool))
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                Self::connect_sqlite(PathBuf::from(path), options).await
            }
            Some(other) => Err(StoreError::Config(format!(
                "database URL must start with postgres://, postgresql:// or sqlite:// (got '{}')",
                other.split(':').next().unwrap_or_default()
            ))),
            None => {
                std::fs::create_dir_all(&options.data_dir).map_err(|e| {
                    StoreError::Config(format!(
                        "cannot create data directory {}: {e}",
                        options.data_dir.display()
                    ))
                })?;
                Self::connect_sqlite(options.data_dir.join("byline.db"), options).await
            }
        }
    }

    async fn connect_sqlite(path: PathBuf, options: &StoreOptions) -> Result<Backend, StoreError> {
        let synchronous = match options.synchronous {
            Synchronous::Full => SqliteSynchronous::Full,
            Synchronous::Normal => SqliteSynchronous::Normal,
        };
        let base = SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-32768");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(base.clone().create_if_missing(true))
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(base.read_only(true))
            .await?;
        let group = group_commit::GroupCommit::new(write.clone());
        Ok(Backend::Sqlite {
            write,
            group,
            read,
            path,
        })
    }
}

/// Runs `$body` with `$pool` bound to a reading pool of either backend.
macro_rules! read {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { read: $pool, .. } => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a write transaction `$tx` and commits it; an early
/// return through `?` rolls it back. On SQLite `$tx` is the one writer
/// inside a savepoint of a batch that concurrent writes share, and the
/// call returns once the commit holding the write is durable (see
/// `group_commit.rs`); the batch takes the write lock up front (`BEGIN
/// IMMEDIATE`) so that a second process writing at the same time waits
/// instead of failing. PostgreSQL already groups the WAL flushes of
/// concurrent commits, so there each write is its own transaction.
macro_rules! write_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { group, .. } => {
                let mut slot = group.enter().await?;
                #[allow(unused_mut)]
                let mut $tx = slot.conn();
                let out = $body;
                slot.finish().await?;
                out
            }
            $crate::Backend::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}

/// [`write_tx!`] with one transaction and one commit per call on either
/// backend: for measuring the raw single-row transaction rate.
macro_rules! unbatched_write_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite { write, .. } => {
                #[allow(unused_mut)]
                let mut $tx = write.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            // Already one transaction per write there.
            $crate::Backend::Postgres(_) => write_tx!($store, |$tx| $body),
        }
    };
}

impl crate::Store {
    /// The clause that locks the rows a statement reads against change
    /// until the transaction ends: PostgreSQL's `FOR SHARE`; nothing on
    /// SQLite, where the write transaction already holds the only write lock.
    pub(crate) fn share_lock(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "",
            Backend::Postgres(_) => " FOR SHARE",
        }
    }

    /// The clause that locks the rows a statement reads for update until
    /// the transaction ends: PostgreSQL's `FOR UPDATE`; nothing on SQLite.
    pub(crate) fn update_lock(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "",
            Backend::Postgres(_) => " FOR UPDATE",
        }
    }

    /// Appended to a query choosing rows to claim, so that concurrent
    /// claimers pass over each other's rows instead of waiting on them:
    /// PostgreSQL's `FOR UPDATE SKIP LOCKED`; nothing on SQLite, where the
    /// one writer runs claims one after another.
    pub(crate) fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "",
            Backend::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        }
    }
}

impl crate::Store {
    /// An aggregate joining `expr` over the group with commas, in `order`:
    /// `group_concat` on SQLite, `string_agg` on PostgreSQL.
    pub(crate) fn joined(&self, expr: &str, order: &str) -> String {
        match self.backend {
            Backend::Sqlite { .. } => format!("group_concat({expr}, ',' ORDER BY {order})"),
            Backend::Postgres(_) => format!("string_agg({expr}, ',' ORDER BY {order})"),
        }
    }

    /// The newest posts (outside communities) of the profiles `$1`
    /// follows, below id `$2`, at most `$3` of each. PostgreSQL reads each
    /// followed profile's newest posts with a lateral join (given the `IN`
    /// form it walks the whole table backwards looking for a few authors'
    /// posts); SQLite plans the `IN` form over the author index well.
    pub(crate) fn newest_posts_of_followed(&self) -> &'static str {
        match self.backend {
            Backend::Postgres(_) => {
                "SELECT x.id FROM follows f CROSS JOIN LATERAL (SELECT p.id FROM posts p \
                   WHERE p.author_profile_id = f.followee_id AND p.community_id IS NULL AND p.deleted_at IS NULL \
                   AND p.id < $2 ORDER BY p.id DESC LIMIT $3) x WHERE f.follower_id = $1"
            }
            Backend::Sqlite { .. } => {
                "SELECT p.id FROM posts p WHERE p.author_profile_id IN \
                   (SELECT followee_id FROM follows WHERE follower_id = $1) AND p.community_id IS NULL \
                   AND p.deleted_at IS NULL AND p.id < $2 ORDER BY p.id DESC LIMIT $3"
            }
        }
    }

    /// The newest posts, below id `$2` and at most `$3`, of the communities
    /// `$1` is a member of; lateral on PostgreSQL for the same reason.
    pub(crate) fn newest_posts_of_joined(&self) -> &'static str {
        match self.backend {
            Backend::Postgres(_) => {
                "SELECT x.id FROM community_members m CROSS JOIN LATERAL (SELECT p.id FROM posts p \
                   WHERE p.community_id = m.community_id AND p.deleted_at IS NULL AND p.id < $2 \
                   ORDER BY p.id DESC LIMIT $3) x WHERE m.profile_id = $1 AND m.state = 'member'"
            }
            Backend::Sqlite { .. } => {
                "SELECT p.id FROM posts p WHERE p.community_id IN \
                   (SELECT community_id FROM community_members WHERE profile_id = $1 AND state = 'member') \
                   AND p.deleted_at IS NULL AND p.id < $2 ORDER BY p.id DESC LIMIT $3"
            }
        }
    }
}

/// Each backend's migrations, embedded in the binary.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

impl crate::Store {
    /// Connects to the database that `options` names (no migrations run).
    pub async fn connect(options: &StoreOptions) -> Result<crate::Store, StoreError> {
        let backend = Backend::connect(options).await?;
        let credentials = match &backend {
            Backend::Sqlite { path, .. } => crate::credentials::Credentials::beside(path),
            Backend::Postgres(_) => crate::credentials::Credentials::none(),
        };
        Ok(crate::Store {
            backend,
            memo: Default::default(),
            credentials: std::sync::Arc::new(credentials),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub(crate) fn migrator(&self) -> &'static Migrator {
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

    /// Figures about the connection pool (the writer pool on SQLite is
    /// reported together with the readers).
    pub fn pool_state(&self) -> crate::PoolState {
        match &self.backend {
            Backend::Sqlite { write, read, .. } => crate::PoolState {
                size: write.size() + read.size(),
                idle: u32::try_from(write.num_idle() + read.num_idle()).unwrap_or(u32::MAX),
                max: write.options().get_max_connections() + read.options().get_max_connections(),
            },
            Backend::Postgres(pool) => crate::PoolState {
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            },
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { write, read, .. } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}
