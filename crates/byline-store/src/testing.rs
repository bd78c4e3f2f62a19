//! Fresh databases for tests: a SQLite file in its own temporary directory,
//! or a PostgreSQL database created for one test and dropped afterwards.
//!
//! PostgreSQL is used when `BYLINE_TEST_DATABASE_URL` is set (for example
//! `postgres://postgres@127.0.0.1:5432/test`); when it is not, the first
//! request says so once on the terminal and the PostgreSQL cases are skipped,
//! except when `CI` is set: then each PostgreSQL case fails, saying why.

use crate::{Store, StoreOptions, Synchronous};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

/// The variable that points the tests at a PostgreSQL server.
pub const DATABASE_URL_VAR: &str = "BYLINE_TEST_DATABASE_URL";

/// Which backend a test case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL from `BYLINE_TEST_DATABASE_URL`.
    Postgres,
}

/// A database that exists for one test and is removed when dropped.
pub struct TestDatabase {
    /// Options that reach it (pass to `Store::connect` or a server).
    pub options: StoreOptions,
    /// The directory for files (and SQLite's database).
    pub data_dir: PathBuf,
    postgres: Option<(String, String)>,
}

static SKIP_NOTICE: Once = Once::new();

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("{nanos}_{:08x}", rand::random::<u32>())
}

impl TestDatabase {
    /// A fresh database of `kind`, or `None` when PostgreSQL is asked for but
    /// not configured (a one-line notice is printed the first time).
    pub async fn new(kind: Kind) -> Option<TestDatabase> {
        let data_dir = std::env::temp_dir().join(format!("byline-test-{}", unique_suffix()));
        if let Err(e) = std::fs::create_dir_all(&data_dir) {
            panic!("cannot create {}: {e}", data_dir.display());
        }
        match kind {
            Kind::Sqlite => Some(TestDatabase {
                options: StoreOptions {
                    synchronous: Synchronous::Normal,
                    ..StoreOptions::embedded(&data_dir)
                },
                data_dir,
                postgres: None,
            }),
            Kind::Postgres => {
                let Ok(admin_url) = std::env::var(DATABASE_URL_VAR) else {
                    // In CI a skipped half would pass unseen: refuse instead.
                    if std::env::var_os("CI").is_some() {
                        panic!(
                            "CI is set but {DATABASE_URL_VAR} is not: the PostgreSQL half of the suite \
                             would be skipped. Set it, e.g. {DATABASE_URL_VAR}=postgres://postgres@127.0.0.1:5432/test"
                        );
                    }
                    SKIP_NOTICE.call_once(|| {
                        // Written past the test harness's capture on purpose:
                        // a skipped half must be visible in every run.
                        let _ = writeln!(
                            std::io::stderr(),
                            "NOTE: {DATABASE_URL_VAR} is not set: the PostgreSQL half of the contract suite was SKIPPED (SQLite ran)."
                        );
                    });
                    let _ = std::fs::remove_dir_all(&data_dir);
                    return None;
                };
                let name = format!("byline_test_{}", unique_suffix());
                let admin = admin_connection(&admin_url).await;
                drop_stale_databases(&admin).await;
                if let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                {
                    panic!("cannot create test database {name}: {e}");
                }
                admin.close().await;
                let url = with_database(&admin_url, &name);
                Some(TestDatabase {
                    options: StoreOptions {
                        database_url: Some(url),
                        max_connections: 4,
                        ..StoreOptions::embedded(&data_dir)
                    },
                    data_dir,
                    postgres: Some((admin_url, name)),
                })
            }
        }
    }

    /// Connects and migrates a store on this database.
    pub async fn store(&self) -> Store {
        let store = match Store::connect(&self.options).await {
            Ok(s) => s,
            Err(e) => panic!("cannot connect to test database: {e}"),
        };
        if let Err(e) = store.migrate().await {
            panic!("cannot migrate test database: {e}");
        }
        store
    }
}

async fn admin_connection(url: &str) -> sqlx::PgPool {
    match sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
    {
        Ok(p) => p,
        Err(e) => panic!("{DATABASE_URL_VAR} is set but PostgreSQL is unreachable: {e}"),
    }
}

/// Drops test databases left by runs that crashed more than an hour ago
/// (their names start with the creation time in seconds).
async fn drop_stale_databases(admin: &sqlx::PgPool) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'byline_test_%'",
    )
    .fetch_all(admin)
    .await
    else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for name in names {
        let created: u64 = name
            .trim_start_matches("byline_test_")
            .split('_')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(u64::MAX);
        if created.saturating_add(3600) < now {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(admin)
                .await;
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[prefix_end..].find('/') {
        Some(i) => &base[..prefix_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop may run inside a runtime; use a thread with its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Declares one test per backend from one async body taking a [`Store`]:
/// `contract_test!(name, |store| async move { ... });` makes
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! contract_test {
    ($name:ident, |$store:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case($store: $crate::Store) {
                $body.await
            }

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDatabase::new($crate::testing::Kind::Sqlite)
                    .await
                    .expect("sqlite is always available");
                case(db.store().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) =
                    $crate::testing::TestDatabase::new($crate::testing::Kind::Postgres).await
                else {
                    return;
                };
                let store = db.store().await;
                case(store.clone()).await;
                store.close().await;
            }
        }
    };
}

/// The same database as `store` seen by another server process: the same
/// connections, none of its memories (`memo.rs`, `credentials.rs`).
pub fn another_process(store: &Store) -> Store {
    Store {
        backend: store.backend.clone(),
        memo: Default::default(),
        credentials: std::sync::Arc::new(store.credentials.another()),
    }
}

/// Runs raw SQL against a store, for tests that play an attacker with
/// database access (tampering with the audit log, for instance).
pub async fn execute_raw(store: &Store, sql: &str) {
    let result = match &store.backend {
        crate::Backend::Sqlite { write, .. } => sqlx::query(sql).execute(write).await.map(|_| ()),
        crate::Backend::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    };
    if let Err(e) = result {
        panic!("raw SQL failed: {e}: {sql}");
    }
}

/// The shape of a migrated database, spelled the same way for both
/// backends, so a test can show that the two migration sets agree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// Table name to its shape.
    pub tables: std::collections::BTreeMap<String, TableShape>,
}

/// One table: columns, keys, indexes and constraints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableShape {
    /// Column name to (type family, nullable).
    pub columns: std::collections::BTreeMap<String, (&'static str, bool)>,
    /// Primary key columns, in order.
    pub primary_key: Vec<String>,
    /// Indexes as (columns, unique, partial), unnamed.
    pub indexes: std::collections::BTreeSet<(Vec<String>, bool, bool)>,
    /// Foreign keys as (columns, referenced table).
    pub foreign_keys: std::collections::BTreeSet<(Vec<String>, String)>,
    /// CHECK constraints other than the 0/1 check SQLite needs for a boolean.
    pub checks: usize,
}

/// A column type's family: both spellings of an integer, a boolean (an
/// integer on SQLite), text, bytes, and anything else as itself.
fn type_family(spelled: &str) -> &'static str {
    match spelled.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int" | "smallint" | "boolean" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "blob" | "bytea" => "bytes",
        "real" | "double precision" => "real",
        "tsvector" => "tsvector",
        _ => "other",
    }
}

/// Reads the schema of a migrated store (the migrations' own table left out).
pub async fn schema_of(store: &Store) -> Schema {
    let result = match &store.backend {
        crate::Backend::Sqlite { write, .. } => sqlite_schema(write).await,
        crate::Backend::Postgres(pool) => postgres_schema(pool).await,
    };
    match result {
        Ok(s) => s,
        Err(e) => panic!("cannot read the schema: {e}"),
    }
}

async fn sqlite_schema(pool: &sqlx::SqlitePool) -> Result<Schema, sqlx::Error> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let mut schema = Schema::default();
    for (table, sql) in tables {
        let mut shape = TableShape::default();
        let columns: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(pool)
        .await?;
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (name, ty, not_null, pk_pos) in columns {
            // A primary key column is never null, whatever SQLite reports.
            shape.columns.insert(
                name.clone(),
                (type_family(&ty), not_null == 0 && pk_pos == 0),
            );
            if pk_pos > 0 {
                pk.push((pk_pos, name));
            }
        }
        pk.sort();
        shape.primary_key = pk.into_iter().map(|(_, n)| n).collect();
        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(pool)
                .await?;
        for (name, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(Option<String>,)> =
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(pool)
                    .await?;
            let cols = cols
                .into_iter()
                .map(|(c,)| c.unwrap_or_else(|| "<expression>".to_owned()))
                .collect();
            shape.indexes.insert((cols, unique == 1, partial == 1));
        }
        let fks: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, \"table\", \"from\" FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&table)
        .fetch_all(pool)
        .await?;
        let mut by_id: std::collections::BTreeMap<i64, (Vec<String>, String)> =
            std::collections::BTreeMap::new();
        for (id, to, from) in fks {
            let e = by_id.entry(id).or_insert((Vec::new(), to));
            e.0.push(from);
        }
        shape.foreign_keys = by_id.into_values().collect();
        let upper = sql.to_ascii_uppercase();
        let checks = upper.matches("CHECK (").count() + upper.matches("CHECK(").count();
        let booleans = upper.matches("IN (0, 1))").count();
        shape.checks = checks.saturating_sub(booleans);
        schema.tables.insert(table, shape);
    }
    Ok(schema)
}

async fn postgres_schema(pool: &sqlx::PgPool) -> Result<Schema, sqlx::Error> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut schema = Schema::default();
    for (table,) in tables {
        let mut shape = TableShape::default();
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&table)
        .fetch_all(pool)
        .await?;
        for (name, ty, nullable) in columns {
            shape
                .columns
                .insert(name, (type_family(&ty), nullable == "YES"));
        }
        let indexes: Vec<(bool, bool, bool, Vec<Option<String>>)> = sqlx::query_as(
            "SELECT ix.indisunique, ix.indisprimary, ix.indpred IS NOT NULL, \
               ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                     LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
                     ORDER BY k.ord) \
             FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
             WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace",
        )
        .bind(&table)
        .fetch_all(pool)
        .await?;
        for (unique, primary, partial, cols) in indexes {
            let cols: Vec<String> = cols
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "<expression>".to_owned()))
                .collect();
            if primary {
                shape.primary_key = cols;
            } else {
                shape.indexes.insert((cols, unique, partial));
            }
        }
        let constraints: Vec<(String, Vec<String>, Option<String>)> = sqlx::query_as(
            "SELECT c.contype::text, \
               ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord), \
               r.relname::text \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             LEFT JOIN pg_class r ON r.oid = c.confrelid \
             WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace",
        )
        .bind(&table)
        .fetch_all(pool)
        .await?;
        for (kind, cols, referenced) in constraints {
            match kind.as_str() {
                "f" => {
                    shape
                        .foreign_keys
                        .insert((cols, referenced.unwrap_or_default()));
                }
                "c" => shape.checks += 1,
                _ => {}
            }
        }
        schema.tables.insert(table, shape);
    }
    Ok(schema)
}

/// The posts `viewer` may read by the store's SQL predicate (for the test
/// that checks it against the policy).
pub async fn readable_post_ids(store: &Store, viewer: i64) -> Vec<i64> {
    let sql = format!(
        "SELECT p.id FROM posts p WHERE {} ORDER BY p.id",
        crate::visibility::readable_post("$1")
    );
    let result: Result<Vec<i64>, sqlx::Error> = match &store.backend {
        crate::Backend::Sqlite { read, .. } => {
            sqlx::query_scalar(&sql).bind(viewer).fetch_all(read).await
        }
        crate::Backend::Postgres(pool) => {
            sqlx::query_scalar(&sql).bind(viewer).fetch_all(pool).await
        }
    };
    match result {
        Ok(ids) => ids,
        Err(e) => panic!("readable posts: {e}"),
    }
}
