//! Bulk loading: millions of rows into an empty database, for restoring
//! an organisation from another system and for the benchmark's synthetic
//! ones. Secondary indexes and search triggers are set aside while rows go
//! in by multi-row INSERTs and rebuilt once at the end, which is several
//! times faster than keeping them up to date row by row.
//!
//! Also here: the raw single-row write rate of the database, the physical
//! limit that Byline's own writes are measured against.

use crate::dialect::tooling::{Conn, restore_after_load};
use crate::{Store, StoreError};
use byline_core::Timestamp;
use std::time::{Duration, Instant};

/// A value in a bulk row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// An integer (ids, times in µs, counts, flags).
    Int(i64),
    /// SQL NULL.
    Null,
    /// Text.
    Text(String),
    /// Bytes (digests, hashes).
    Bytes(Vec<u8>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Cell {
        v.map_or(Cell::Null, Cell::Int)
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_owned())
    }
}

impl From<Vec<u8>> for Cell {
    fn from(v: Vec<u8>) -> Cell {
        Cell::Bytes(v)
    }
}

/// The tables a bulk load fills, in an order where each refers only to
/// tables before it; rows are written in that order, so references hold
/// even on PostgreSQL, which checks them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    /// `id, email, display_name, password_hash, role, created_at`
    Users,
    /// `id, handle, kind, display_name, user_id, attribution_policy, created_at`
    Profiles,
    /// `id, user_id, name, token_digest, created_at, last_used_at`
    ApiTokens,
    /// `profile_id, user_id, role, created_at`
    ProfileMembers,
    /// `id, profile_id, user_id, time_zone, starts_local, ends_local, recurrence, first_start, created_by, created_at`
    Shifts,
    /// `id, user_id, profile_id, started_at, last_active_at, ended_at, end_reason, source_address, user_agent`
    ActingSessions,
    /// `follower_id, followee_id, created_at`
    Follows,
    /// `id, slug, name, description, visibility, created_by, created_at, member_count`
    Communities,
    /// `community_id, profile_id, role, state, created_at`
    CommunityMembers,
    /// `id, author_profile_id, written_by_user_id, community_id, reply_to_id, thread_root_id, body, body_html, reply_count, created_at, acting_session_id, attribution_policy`
    Posts,
    /// `tag, post_id`
    PostTags,
    /// `post_id, profile_id`
    PostMentions,
    /// `post_id, profile_id, reaction, created_at`
    Reactions,
    /// `seq, at, user_id, profile_id, action, target, source_address, details, prev_hash, hash`
    AuditEvents,
    /// `profile_id, assignment, open_limit, auto_close_days, next_number, enabled_by, enabled_at, time_zone`
    /// (on, as its default says)
    HelpDesks,
    /// `profile_id, weekday, start_minute, end_minute` (weekday 0 is Monday)
    BusinessBlocks,
    /// `profile_id, priority, first_response_minutes, next_response_minutes, resolution_minutes, warn_before_minutes`
    SlaPolicies,
    /// `id, profile_id, number, requester_profile_id, subject, status, priority, assignee_user_id, source_post_id, thread_root_id, created_at, updated_at, solved_at, closed_at`
    Tickets,
    /// `id, ticket_id, at, kind, by_user_id, post_id, detail, body_html`
    TicketEvents,
    /// `ticket_id, profile_id, tag`
    TicketTags,
}

const TABLES: [Table; 20] = [
    Table::Users,
    Table::Profiles,
    Table::ApiTokens,
    Table::ProfileMembers,
    Table::Shifts,
    Table::ActingSessions,
    Table::Follows,
    Table::Communities,
    Table::CommunityMembers,
    Table::Posts,
    Table::PostTags,
    Table::PostMentions,
    Table::Reactions,
    Table::AuditEvents,
    Table::HelpDesks,
    Table::BusinessBlocks,
    Table::SlaPolicies,
    Table::Tickets,
    Table::TicketEvents,
    Table::TicketTags,
];

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Users => "users",
            Table::Profiles => "profiles",
            Table::ApiTokens => "api_tokens",
            Table::ProfileMembers => "profile_members",
            Table::Shifts => "shifts",
            Table::ActingSessions => "acting_sessions",
            Table::Follows => "follows",
            Table::Communities => "communities",
            Table::CommunityMembers => "community_members",
            Table::Posts => "posts",
            Table::PostTags => "post_tags",
            Table::PostMentions => "post_mentions",
            Table::Reactions => "reactions",
            Table::AuditEvents => "audit_events",
            Table::HelpDesks => "help_desks",
            Table::BusinessBlocks => "business_blocks",
            Table::SlaPolicies => "sla_policies",
            Table::Tickets => "tickets",
            Table::TicketEvents => "ticket_events",
            Table::TicketTags => "ticket_tags",
        }
    }

    /// The columns a row gives, in order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Users => &[
                "id",
                "email",
                "display_name",
                "password_hash",
                "role",
                "created_at",
            ],
            Table::Profiles => &[
                "id",
                "handle",
                "kind",
                "display_name",
                "user_id",
                "attribution_policy",
                "created_at",
            ],
            Table::ApiTokens => &[
                "id",
                "user_id",
                "name",
                "token_digest",
                "created_at",
                "last_used_at",
            ],
            Table::ProfileMembers => &["profile_id", "user_id", "role", "created_at"],
            Table::Shifts => &[
                "id",
                "profile_id",
                "user_id",
                "time_zone",
                "starts_local",
                "ends_local",
                "recurrence",
                "first_start",
                "created_by",
                "created_at",
            ],
            Table::ActingSessions => &[
                "id",
                "user_id",
                "profile_id",
                "started_at",
                "last_active_at",
                "ended_at",
                "end_reason",
                "source_address",
                "user_agent",
            ],
            Table::Follows => &["follower_id", "followee_id", "created_at"],
            Table::Communities => &[
                "id",
                "slug",
                "name",
                "description",
                "visibility",
                "created_by",
                "created_at",
                "member_count",
            ],
            Table::CommunityMembers => {
                &["community_id", "profile_id", "role", "state", "created_at"]
            }
            Table::Posts => &[
                "id",
                "author_profile_id",
                "written_by_user_id",
                "community_id",
                "reply_to_id",
                "thread_root_id",
                "body",
                "body_html",
                "reply_count",
                "created_at",
                "acting_session_id",
                "attribution_policy",
            ],
            Table::PostTags => &["tag", "post_id"],
            Table::PostMentions => &["post_id", "profile_id"],
            Table::Reactions => &["post_id", "profile_id", "reaction", "created_at"],
            Table::AuditEvents => &[
                "seq",
                "at",
                "user_id",
                "profile_id",
                "action",
                "target",
                "source_address",
                "details",
                "prev_hash",
                "hash",
            ],
            Table::HelpDesks => &[
                "profile_id",
                "assignment",
                "open_limit",
                "auto_close_days",
                "next_number",
                "enabled_by",
                "enabled_at",
                "time_zone",
            ],
            Table::BusinessBlocks => &["profile_id", "weekday", "start_minute", "end_minute"],
            Table::SlaPolicies => &[
                "profile_id",
                "priority",
                "first_response_minutes",
                "next_response_minutes",
                "resolution_minutes",
                "warn_before_minutes",
            ],
            Table::Tickets => &[
                "id",
                "profile_id",
                "number",
                "requester_profile_id",
                "subject",
                "status",
                "priority",
                "assignee_user_id",
                "source_post_id",
                "thread_root_id",
                "created_at",
                "updated_at",
                "solved_at",
                "closed_at",
            ],
            Table::TicketEvents => &[
                "id",
                "ticket_id",
                "at",
                "kind",
                "by_user_id",
                "post_id",
                "detail",
                "body_html",
            ],
            Table::TicketTags => &["ticket_id", "profile_id", "tag"],
        }
    }

    /// Tables whose `id` PostgreSQL generates: loading sets it explicitly
    /// and moves the generator past the largest afterwards.
    fn has_identity(self) -> bool {
        self.columns().first() == Some(&"id")
    }
}

/// Binds non-NULL cells in order to a one-off (uncached) statement; the
/// same code for either driver's query type.
macro_rules! bind_cells {
    ($query:expr, $cells:expr) => {{
        let mut q = $query.persistent(false);
        for cell in $cells {
            q = match cell {
                Cell::Int(v) => q.bind(v),
                Cell::Null => q,
                Cell::Text(v) => q.bind(v),
                Cell::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Bound parameters per statement: under SQLite's limit (32,766) and
/// PostgreSQL's (65,535).
const PARAMS_PER_STATEMENT: usize = 800;

/// What a finished load did.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Rows written, all tables.
    pub rows: u64,
    /// Time spent inserting rows.
    pub insert_time: Duration,
    /// Time spent rebuilding indexes and search afterwards.
    pub index_time: Duration,
}

/// A load in progress: rows are buffered per table and written in batches.
/// A load that fails part-way leaves a database to throw away.
pub struct BulkLoad {
    conn: Conn,
    buffers: Vec<Vec<Cell>>,
    /// Index and trigger definitions set aside, to create again at the end.
    set_aside: Vec<String>,
    report: LoadReport,
}

impl Store {
    /// Starts a bulk load; refused unless the database is migrated and has
    /// no users yet (a bulk load into live data would bypass every rule).
    pub async fn bulk_load(&self) -> Result<BulkLoad, StoreError> {
        let users: i64 = read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await?
        });
        if users > 0 {
            return Err(StoreError::Refused(
                "bulk loading needs an empty database (this one has users)".into(),
            ));
        }
        let names: Vec<&str> = TABLES.iter().map(|t| t.name()).collect();
        let (conn, set_aside) = self.set_indexes_aside(&names).await?;
        Ok(BulkLoad {
            conn,
            buffers: vec![Vec::new(); TABLES.len()],
            set_aside,
            report: LoadReport::default(),
        })
    }

    /// Single-row insert transactions per second into a plain table, with
    /// this store's connection and durability settings, for `for_how_long`.
    /// The table is made for the measurement and dropped after it.
    pub async fn raw_write_rate(&self, for_how_long: Duration) -> Result<f64, StoreError> {
        let create = self.probe_table_sql();
        unbatched_write_tx!(self, |tx| {
            sqlx::query(create).execute(&mut *tx).await?;
        });
        let started = Instant::now();
        let mut n: u64 = 0;
        while started.elapsed() < for_how_long {
            let at = i64::try_from(n).unwrap_or(i64::MAX);
            unbatched_write_tx!(self, |tx| {
                sqlx::query("INSERT INTO raw_write_probe (at, body) VALUES ($1, $2)")
                    .bind(at)
                    .bind("a row about as long as a short post, to write somewhere")
                    .execute(&mut *tx)
                    .await?;
            });
            n += 1;
        }
        let rate = n as f64 / started.elapsed().as_secs_f64();
        unbatched_write_tx!(self, |tx| {
            sqlx::query("DROP TABLE raw_write_probe")
                .execute(&mut *tx)
                .await?;
        });
        Ok(rate)
    }

    /// Marks solved, at `now`, every ticket still open whose id is above
    /// `loaded`: those an earlier benchmark run opened. The members'
    /// open-ticket loads go back to what was loaded, so a run hands its
    /// tickets out as the first one did instead of finding everyone at the
    /// limit.
    pub async fn solve_tickets_above(
        &self,
        loaded: i64,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        Ok(unbatched_write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE tickets SET status = 'solved', solved_at = $1, updated_at = $1 \
                 WHERE id > $2 AND status IN ('new', 'open', 'pending', 'on_hold')",
            )
            .bind(now.micros())
            .bind(loaded)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        }))
    }

    /// Gives the shared profile `handle` a content calendar for the
    /// benchmark: a feed channel, a campaign and `n` publications due
    /// evenly over `[from, to)` (scheduled, published, approved and failed
    /// in turn, every other one in the campaign), each published one with
    /// a short link. Evaluates to the short links' codes. Done once: a
    /// later run finds the calendar made and only reads its codes.
    pub async fn plan_publications(
        &self,
        handle: &str,
        writer: i64,
        n: usize,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        const CHANNEL: &str = "Benchmark feed";
        let made: Option<i64> = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT c.id FROM channels c JOIN profiles p ON p.id = c.profile_id \
                 WHERE p.handle = $1 AND c.name = $2",
            )
            .bind(handle)
            .bind(CHANNEL)
            .fetch_optional(pool)
            .await?
        });
        if made.is_none() {
            let step = (to.micros() - from.micros()) / i64::try_from(n.max(1)).unwrap_or(1);
            unbatched_write_tx!(self, |tx| {
                let profile: i64 = sqlx::query_scalar("SELECT id FROM profiles WHERE handle = $1")
                    .bind(handle)
                    .fetch_one(&mut *tx)
                    .await?;
                let at = from.micros();
                let channel: i64 = sqlx::query_scalar(
                    "INSERT INTO channels (profile_id, kind, name, settings, created_by, created_at) \
                     VALUES ($1, 'feed', $2, '{\"syndicate\":false}', $3, $4) RETURNING id",
                )
                .bind(profile)
                .bind(CHANNEL)
                .bind(writer)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let campaign: i64 = sqlx::query_scalar(
                    "INSERT INTO campaigns (profile_id, name, starts_on, ends_on, budget_cents, goal, created_by, created_at) \
                     VALUES ($1, 'Benchmark campaign', '2000-01-01', '2999-12-31', 100000, '', $2, $3) RETURNING id",
                )
                .bind(profile)
                .bind(writer)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                for i in 0..n {
                    let due = at + step * i64::try_from(i).unwrap_or(0);
                    let status = ["scheduled", "published", "approved", "failed"][i % 4];
                    let in_campaign = (i % 2 == 0).then_some(campaign);
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO publications (profile_id, title, status, campaign_id, written_by, due_at, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                    )
                    .bind(profile)
                    .bind(format!("Benchmark publication {i}"))
                    .bind(status)
                    .bind(in_campaign)
                    .bind(writer)
                    .bind(due)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO publication_variants (publication_id, channel_id, subject, body) VALUES ($1, $2, '', $3)",
                    )
                    .bind(id)
                    .bind(channel)
                    .bind(format!("Benchmark words {i}: https://example.com/offer/{i}"))
                    .execute(&mut *tx)
                    .await?;
                    if status == "published" {
                        sqlx::query(
                            "INSERT INTO short_links (code, campaign_id, publication_id, channel_id, target, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(bench_code(i))
                        .bind(in_campaign)
                        .bind(id)
                        .bind(channel)
                        .bind(format!("https://example.com/offer/{i}?utm_source=benchmark-feed&utm_medium=feed"))
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            });
        }
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT l.code FROM short_links l JOIN channels c ON c.id = l.channel_id \
                 JOIN profiles p ON p.id = c.profile_id WHERE p.handle = $1 AND c.name = $2 ORDER BY l.code",
            )
            .bind(handle)
            .bind(CHANNEL)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Clicks counted on every short link so far.
    pub async fn total_clicks(&self) -> Result<i64, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar("SELECT CAST(COALESCE(SUM(clicks), 0) AS BIGINT) FROM link_clicks")
                .fetch_one(pool)
                .await?
        }))
    }
}

/// The benchmark's short code for publication `i`: `b` and seven
/// characters of the short-code alphabet.
fn bench_code(i: usize) -> String {
    let alphabet = byline_core::campaign::SHORT_CODE_ALPHABET;
    let mut rest = i;
    let mut code = vec![b'b'; 8];
    for c in code.iter_mut().skip(1).rev() {
        *c = alphabet[rest % alphabet.len()];
        rest /= alphabet.len();
    }
    String::from_utf8_lossy(&code).into_owned()
}

impl BulkLoad {
    /// Adds a row (cells in [`Table::columns`] order), writing a batch when
    /// the table's buffer is full.
    pub async fn push(&mut self, table: Table, row: Vec<Cell>) -> Result<(), StoreError> {
        let width = table.columns().len();
        if row.len() != width {
            return Err(StoreError::Refused(format!(
                "a {} row has {width} cells, not {}",
                table.name(),
                row.len()
            )));
        }
        let buffer = &mut self.buffers[table as usize];
        buffer.extend(row);
        if buffer.len() + width > PARAMS_PER_STATEMENT {
            // Earlier tables first, so that what this batch refers to is in.
            for t in TABLES.iter().copied().filter(|t| *t <= table) {
                self.flush(t).await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self, table: Table) -> Result<(), StoreError> {
        let cells = std::mem::take(&mut self.buffers[table as usize]);
        if cells.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let columns = table.columns();
        let width = columns.len();
        let rows = cells.len() / width;
        let mut sql = format!("INSERT INTO {} ({})", table.name(), columns.join(", "));
        if matches!(self.conn, Conn::Postgres(_)) && table.has_identity() {
            sql.push_str(" OVERRIDING SYSTEM VALUE");
        }
        sql.push_str(" VALUES ");
        // NULLs are written into the statement: a bound NULL carries a type,
        // which on PostgreSQL must match its column's.
        let mut n = 0usize;
        for (i, cell) in cells.iter().enumerate() {
            sql.push_str(match (i % width, i) {
                (0, 0) => "(",
                (0, _) => "), (",
                _ => ", ",
            });
            if *cell == Cell::Null {
                sql.push_str("NULL");
            } else {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
        sql.push(')');
        // Each statement differs (where its NULLs are): not worth caching.
        match &mut self.conn {
            Conn::Sqlite(c) => {
                bind_cells!(sqlx::query(&sql), cells)
                    .execute(&mut **c)
                    .await?;
            }
            Conn::Postgres(c) => {
                bind_cells!(sqlx::query(&sql), cells)
                    .execute(&mut **c)
                    .await?;
            }
        };
        self.report.rows += rows as u64;
        self.report.insert_time += started.elapsed();
        Ok(())
    }

    /// Writes what is buffered, rebuilds indexes and search, points the
    /// audit chain's head at its last event and restores the settings.
    pub async fn finish(mut self) -> Result<LoadReport, StoreError> {
        for t in TABLES {
            self.flush(t).await?;
        }
        let started = Instant::now();
        let head = "UPDATE audit_head SET seq = last.seq, hash = last.hash \
                    FROM (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS last WHERE audit_head.id = 1";
        // Loaded profiles start with the policy they were loaded with.
        let history = "INSERT INTO attribution_policy_changes (profile_id, since, seq, policy) \
                       SELECT id, created_at, 0, attribution_policy FROM profiles WHERE kind = 'shared'";
        let identity: Vec<&str> = TABLES
            .iter()
            .filter(|t| t.has_identity())
            .map(|t| t.name())
            .collect();
        restore_after_load(&mut self.conn, &self.set_aside, &identity, &[head, history]).await?;
        self.report.index_time = started.elapsed();
        Ok(self.report)
    }
}

/// Makes (or empties) database `name` on the PostgreSQL server that
/// `server_url` reaches, and returns the URL of the new one. For
/// throw-away databases: benchmarks and tests.
pub async fn fresh_postgres_database(server_url: &str, name: &str) -> Result<String, StoreError> {
    use sqlx::Connection;
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(StoreError::Config(format!(
            "database name '{name}' must be lowercase letters, digits and _"
        )));
    }
    let mut c = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut c)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await?;
    c.close().await?;
    let (base, _) = server_url
        .split_once('?')
        .map_or((server_url, ""), |(b, q)| (b, q));
    let root = base
        .rsplit_once('/')
        .map(|(r, _)| r)
        .filter(|r| r.contains("//") && !r.ends_with('/'))
        .unwrap_or(base);
    Ok(format!("{root}/{name}"))
}
