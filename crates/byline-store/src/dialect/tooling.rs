//! The backend-specific halves of tooling around the store: online copies
//! of the embedded database, the bulk loader's catalogue work (setting
//! indexes and triggers aside, rebuilding them, resetting sequences), the
//! raw write probe's table and the engine's version.

use crate::{Backend, Store, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite};

/// The one connection a bulk load writes through.
pub(crate) enum Conn {
    /// SQLite's writer.
    Sqlite(PoolConnection<Sqlite>),
    /// A PostgreSQL connection.
    Postgres(PoolConnection<Postgres>),
}

impl Store {
    /// Takes the connection for a bulk load, tuned for it, and drops the
    /// secondary indexes (and SQLite's search triggers) on `tables`,
    /// returning their definitions to create again at the end.
    pub(crate) async fn set_indexes_aside(
        &self,
        names: &[&str],
    ) -> Result<(Conn, Vec<String>), StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite { write, .. } => {
                let mut c = write.acquire().await?;
                // The load is all or nothing (a failed one is thrown away),
                // so it needs no fsyncs and no per-row reference checks.
                sqlx::query("PRAGMA synchronous = OFF")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("PRAGMA cache_size = -524288")
                    .execute(&mut *c)
                    .await?;
                let list = names
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(",");
                let defs: Vec<(String, String, String)> = sqlx::query_as(&format!(
                    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
                     AND sql IS NOT NULL AND tbl_name IN ({list}) ORDER BY type, name"
                ))
                .fetch_all(&mut *c)
                .await?;
                for (kind, name, _) in &defs {
                    sqlx::query(&format!("DROP {} \"{name}\"", kind.to_uppercase()))
                        .execute(&mut *c)
                        .await?;
                }
                let set_aside = defs.into_iter().map(|(_, _, sql)| sql).collect();
                (Conn::Sqlite(c), set_aside)
            }
            Backend::Postgres(pool) => {
                let mut c = pool.acquire().await?;
                sqlx::query("SET synchronous_commit = off")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("SET maintenance_work_mem = '512MB'")
                    .execute(&mut *c)
                    .await?;
                // Indexes that back a constraint (keys, uniqueness) stay.
                let defs: Vec<(String, String)> = sqlx::query_as(
                    "SELECT i.indexname::text, i.indexdef::text FROM pg_indexes i \
                     WHERE i.schemaname = current_schema() AND i.tablename = ANY($1) \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
                     ORDER BY i.indexname",
                )
                .bind(names)
                .fetch_all(&mut *c)
                .await?;
                for (name, _) in &defs {
                    sqlx::query(&format!("DROP INDEX \"{name}\""))
                        .execute(&mut *c)
                        .await?;
                }
                let set_aside = defs.into_iter().map(|(_, sql)| sql).collect();
                (Conn::Postgres(c), set_aside)
            }
        })
    }

    /// A plain table for measuring the raw single-row write rate.
    pub(crate) fn probe_table_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => {
                "CREATE TABLE IF NOT EXISTS raw_write_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)"
            }
            Backend::Postgres(_) => {
                "CREATE TABLE IF NOT EXISTS raw_write_probe (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, body TEXT NOT NULL)"
            }
        }
    }

    /// Writes a consistent snapshot of the embedded SQLite database into
    /// the new file `dest` while the server goes on serving: the copy is
    /// one read transaction (`VACUUM INTO`), and in WAL mode writers carry
    /// on beside it. Every commit acknowledged before the copy began is in
    /// it; nothing half-written is. PostgreSQL is backed up with its own
    /// tools (`pg_dump`), which give the same guarantee.
    pub async fn backup_sqlite_to(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { read, .. } => {
                let dest = dest.to_str().ok_or_else(|| {
                    StoreError::Config("the backup path must be valid UTF-8".into())
                })?;
                sqlx::query("VACUUM INTO $1")
                    .bind(dest)
                    .execute(read)
                    .await?;
                Ok(())
            }
            Backend::Postgres(_) => Err(StoreError::Config(
                "this server keeps its data in PostgreSQL: back it up with pg_dump \
                 (see docs/RELIABILITY.md) and copy the attachments directory"
                    .into(),
            )),
        }
    }
}

/// Ends a bulk load on `conn`: creates the set-aside indexes again,
/// rebuilds search (SQLite) or moves the identity sequences of
/// `identity_tables` past the loaded ids (PostgreSQL), runs `then`, and
/// brings the connection's settings back to the store's own.
pub(crate) async fn restore_after_load(
    conn: &mut Conn,
    set_aside: &[String],
    identity_tables: &[&str],
    then: &[&str],
) -> Result<(), StoreError> {
    match conn {
        Conn::Sqlite(c) => {
            for sql in set_aside {
                sqlx::query(sql).execute(&mut **c).await?;
            }
            sqlx::query("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
                .execute(&mut **c)
                .await?;
            for sql in then {
                sqlx::query(sql).execute(&mut **c).await?;
            }
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut **c)
                .await?;
            // Back to what every other connection of the store uses.
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut **c)
                .await?;
            sqlx::query("PRAGMA synchronous = FULL")
                .execute(&mut **c)
                .await?;
            sqlx::query("PRAGMA cache_size = -32768")
                .execute(&mut **c)
                .await?;
            // The connection's durability setting may not be FULL: a
            // fresh connection is the one way back to the store's own.
            c.close_on_drop();
        }
        Conn::Postgres(c) => {
            for sql in set_aside {
                sqlx::query(sql).execute(&mut **c).await?;
            }
            for name in identity_tables {
                sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name})) \
                         WHERE EXISTS (SELECT 1 FROM {name})"
                    ))
                    .execute(&mut **c)
                    .await?;
            }
            for sql in then {
                sqlx::query(sql).execute(&mut **c).await?;
            }
            // VACUUM as well as ANALYZE: it sets the visibility map and the
            // rows' hint bits, as autovacuum has on a database that grew by
            // itself. With ANALYZE alone, index-only scans went to the heap
            // for every row and each first read dirtied its page (at
            // `large`, hydrating a 200-reply thread fetched the heap for
            // 118 of its 201 reaction lookups).
            sqlx::query("VACUUM (ANALYZE)").execute(&mut **c).await?;
            c.close_on_drop();
        }
    }
    Ok(())
}

impl Store {
    /// The database engine and its version, e.g. `SQLite 3.46.0`.
    pub async fn engine_version(&self) -> Result<String, StoreError> {
        Ok(match &self.backend {
            Backend::Sqlite { read, .. } => {
                let v: String = sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(read)
                    .await?;
                format!("SQLite {v}")
            }
            Backend::Postgres(pool) => {
                let v: String = sqlx::query_scalar("SHOW server_version")
                    .fetch_one(pool)
                    .await?;
                format!("PostgreSQL {v}")
            }
        })
    }
}
