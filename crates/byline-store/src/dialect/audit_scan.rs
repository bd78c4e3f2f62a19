//! Reading the whole audit chain as fast as it can be hashed. The verifier
//! needs every event once, oldest first, from one snapshot. On SQLite the
//! rows are stepped through by `rusqlite` on one blocking thread (sqlx
//! would hand every row across a channel from its worker thread, which
//! costs more than hashing it); on PostgreSQL they are streamed by sqlx
//! inside one read-only repeatable-read transaction. Either way the rows
//! are packed into batches that own one buffer each, and the batches go to
//! the checker on another thread while the next one is read.

use crate::{Backend, Store, StoreError};
use byline_core::audit::{EventContent, StoredEvent};
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Events per batch handed to the checker.
const BATCH: usize = 16_384;

/// Where one event's fields lie in its batch's buffer.
struct Row {
    seq: i64,
    at: i64,
    user_id: Option<i64>,
    profile_id: Option<i64>,
    action: Range<usize>,
    target: Range<usize>,
    source_address: Range<usize>,
    details: Range<usize>,
    prev_hash: Range<usize>,
    hash: Range<usize>,
}

/// A run of consecutive stored events, packed into one buffer.
#[derive(Default)]
pub(crate) struct ScanBatch {
    bytes: Vec<u8>,
    rows: Vec<Row>,
}

/// The fields of one stored event, as read.
pub(crate) struct RawEvent<'a> {
    pub seq: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub profile_id: Option<i64>,
    pub action: &'a [u8],
    pub target: &'a [u8],
    pub source_address: &'a [u8],
    pub details: &'a [u8],
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
}

impl ScanBatch {
    fn put(&mut self, b: &[u8]) -> Range<usize> {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(b);
        start..self.bytes.len()
    }

    fn push(&mut self, e: RawEvent<'_>) {
        let row = Row {
            seq: e.seq,
            at: e.at,
            user_id: e.user_id,
            profile_id: e.profile_id,
            action: self.put(e.action),
            target: self.put(e.target),
            source_address: self.put(e.source_address),
            details: self.put(e.details),
            prev_hash: self.put(e.prev_hash),
            hash: self.put(e.hash),
        };
        self.rows.push(row);
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    /// The events, borrowing this batch's buffer. Text that is not UTF-8
    /// (only tampering puts it there) reads as U+FFFD, so its hash fails.
    pub(crate) fn events(&self) -> Vec<StoredEvent<'_>> {
        let text =
            |r: &Range<usize>| std::str::from_utf8(&self.bytes[r.clone()]).unwrap_or("\u{FFFD}");
        self.rows
            .iter()
            .map(|r| StoredEvent {
                content: EventContent {
                    seq: r.seq,
                    at: r.at,
                    user_id: r.user_id,
                    profile_id: r.profile_id,
                    action: text(&r.action),
                    target: text(&r.target),
                    source_address: text(&r.source_address),
                    details: text(&r.details),
                },
                prev_hash: &self.bytes[r.prev_hash.clone()],
                hash: &self.bytes[r.hash.clone()],
            })
            .collect()
    }
}

/// The chain's head, read in the same snapshot as its events.
pub(crate) struct Head {
    pub seq: i64,
    pub hash: Vec<u8>,
}

const EVENTS: &str = "SELECT seq, at, user_id, profile_id, action, target, source_address, details, prev_hash, hash \
                      FROM audit_events ORDER BY seq";
const HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// Sends full batches to the checker; stops early once it hangs up.
struct Batcher {
    batch: ScanBatch,
    to_checker: SyncSender<ScanBatch>,
}

impl Batcher {
    /// Adds an event; false once the checker wants no more.
    fn push(&mut self, e: RawEvent<'_>) -> bool {
        self.batch.push(e);
        if self.batch.len() < BATCH {
            return true;
        }
        let full = std::mem::take(&mut self.batch);
        self.to_checker.send(full).is_ok()
    }

    fn finish(self) {
        if self.batch.len() > 0 {
            let _ = self.to_checker.send(self.batch);
        }
    }
}

impl Store {
    /// Reads every audit event oldest first and the chain's head from one
    /// snapshot, handing the events in batches to `check` on a thread of
    /// its own (it returns false to stop early). Returns the head, or
    /// `None` when `check` stopped the scan.
    pub(crate) async fn scan_audit<F>(&self, mut check: F) -> Result<Option<Head>, StoreError>
    where
        F: FnMut(&ScanBatch) -> bool + Send + 'static,
    {
        let (to_checker, batches): (SyncSender<ScanBatch>, Receiver<ScanBatch>) = sync_channel(2);
        let checker = tokio::task::spawn_blocking(move || {
            for batch in batches {
                if !check(&batch) {
                    return false;
                }
            }
            true
        });
        let mut batcher = Batcher {
            batch: ScanBatch::default(),
            to_checker,
        };
        let head = match &self.backend {
            Backend::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || scan_sqlite(&path, batcher))
                    .await
                    .map_err(|e| StoreError::Config(format!("the audit reader failed: {e}")))??
            }
            Backend::Postgres(pool) => {
                use futures_util::TryStreamExt;
                use sqlx::Row as _;
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                let (seq, hash): (i64, Vec<u8>) = sqlx::query_as(HEAD).fetch_one(&mut *tx).await?;
                let mut rows = sqlx::query(EVENTS).fetch(&mut *tx);
                let mut going = true;
                while going && let Some(r) = rows.try_next().await? {
                    going = batcher.push(RawEvent {
                        seq: r.try_get(0)?,
                        at: r.try_get(1)?,
                        user_id: r.try_get(2)?,
                        profile_id: r.try_get(3)?,
                        action: r.try_get::<&str, _>(4)?.as_bytes(),
                        target: r.try_get::<&str, _>(5)?.as_bytes(),
                        source_address: r.try_get::<&str, _>(6)?.as_bytes(),
                        details: r.try_get::<&str, _>(7)?.as_bytes(),
                        prev_hash: r.try_get(8)?,
                        hash: r.try_get(9)?,
                    });
                }
                drop(rows);
                batcher.finish();
                tx.rollback().await?;
                Head { seq, hash }
            }
        };
        let finished = checker
            .await
            .map_err(|e| StoreError::Config(format!("the audit checker failed: {e}")))?;
        Ok(finished.then_some(head))
    }
}

fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Config(format!("reading the audit log: {e}"))
}

/// Steps through the chain on this thread, inside one read transaction.
fn scan_sqlite(path: &std::path::Path, mut batcher: Batcher) -> Result<Head, StoreError> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sqlite_error)?;
    // One transaction: the head and every event come from one snapshot.
    conn.execute_batch("BEGIN").map_err(sqlite_error)?;
    let (seq, hash): (i64, Vec<u8>) = conn
        .query_row(HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sqlite_error)?;
    let mut statement = conn.prepare(EVENTS).map_err(sqlite_error)?;
    let mut rows = statement.query([]).map_err(sqlite_error)?;
    // Text and blobs are read in place, never copied into values of
    // their own; a tampered row of the wrong type reads as empty, and its
    // hash then fails.
    fn raw<'a>(v: ValueRef<'a>) -> &'a [u8] {
        match v {
            ValueRef::Text(b) | ValueRef::Blob(b) => b,
            _ => &[],
        }
    }
    fn int(v: ValueRef<'_>) -> Option<i64> {
        match v {
            ValueRef::Integer(i) => Some(i),
            _ => None,
        }
    }
    while let Some(r) = rows.next().map_err(sqlite_error)? {
        let cell = |i: usize| r.get_ref(i).map_err(sqlite_error);
        let going = batcher.push(RawEvent {
            seq: int(cell(0)?).unwrap_or(0),
            at: int(cell(1)?).unwrap_or(0),
            user_id: int(cell(2)?),
            profile_id: int(cell(3)?),
            action: raw(cell(4)?),
            target: raw(cell(5)?),
            source_address: raw(cell(6)?),
            details: raw(cell(7)?),
            prev_hash: raw(cell(8)?),
            hash: raw(cell(9)?),
        });
        if !going {
            break;
        }
    }
    batcher.finish();
    Ok(Head { seq, hash })
}
