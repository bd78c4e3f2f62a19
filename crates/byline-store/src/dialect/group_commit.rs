//! Group commit for SQLite's one writer.
//!
//! Each write still runs alone on the writer connection, but inside a
//! savepoint of a transaction that the writes queued behind it share: the
//! last write of a batch (the one that finds nobody waiting) commits, and
//! one fsync makes the whole batch durable. A write that finds others
//! waiting releases its savepoint and, instead of committing, queues for
//! the writer again; when it gets it back, either its batch has been
//! committed (it learns how that went) or it commits the batch itself. So
//! a lone write commits at once, a burst shares one commit, and nobody is
//! acknowledged before the commit that holds their write is on disk.
//!
//! A write that returns early (an error, a refusal) or whose request is
//! dropped leaves its savepoint open; whoever takes the writer next rolls
//! that savepoint back before anything else, and a janitor task makes sure
//! somebody does. The statements that begin, release and commit run in
//! spawned tasks, so a request dropped halfway through one cannot leave
//! the batch in a state nobody knows.

use crate::StoreError;
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Most writes one commit holds: bounds how long the first of a batch
/// waits for its acknowledgement.
const MOST_PER_BATCH: usize = 64;

/// How many failed batches are remembered for writers still to learn it.
const FAILURES_KEPT: usize = 256;

/// The writer, shared by every clone of the store.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("waiting", &self.shared.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

struct Shared {
    pool: SqlitePool,
    batch: Arc<Mutex<Batch>>,
    /// Writes queued for the writer, including those back to learn how
    /// their batch went.
    waiting: AtomicUsize,
    /// Batches committed, and the writes they held, since start.
    counts: Arc<Counts>,
}

struct Batch {
    /// The transaction open now, if any.
    open: Option<Open>,
    /// Number of the last batch begun.
    last: u64,
    /// Recent batches whose commit failed.
    failed: VecDeque<u64>,
    /// Where committed batches are counted.
    counts: Arc<Counts>,
    /// Fault injection for the crash suite: a pause before each commit
    /// (`BYLINE_FAULT_COMMIT_DELAY_MS`), so that kills land inside
    /// commits. Zero unless set.
    commit_delay: Duration,
}

/// Batches committed and the writes they held.
#[derive(Default)]
struct Counts {
    commits: AtomicU64,
    writes: AtomicU64,
}

struct Open {
    conn: PoolConnection<Sqlite>,
    number: u64,
    /// Writes released into it.
    members: usize,
    /// A write's savepoint is still open (it returned early or was dropped).
    dirty: bool,
}

/// Counts a write as queued while it waits for the writer.
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Queued<'a> {
        n.fetch_add(1, Ordering::SeqCst);
        Queued(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl GroupCommit {
    /// The group writer over the one-connection writer pool.
    pub(crate) fn new(pool: SqlitePool) -> GroupCommit {
        let counts = Arc::new(Counts::default());
        let commit_delay = std::env::var("BYLINE_FAULT_COMMIT_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::ZERO, Duration::from_millis);
        let batch = Batch {
            open: None,
            last: 0,
            failed: VecDeque::new(),
            counts: counts.clone(),
            commit_delay,
        };
        GroupCommit {
            shared: Arc::new(Shared {
                pool,
                batch: Arc::new(Mutex::new(batch)),
                waiting: AtomicUsize::new(0),
                counts,
            }),
        }
    }

    /// Commits made and the writes they held, since the store connected.
    pub(crate) fn figures(&self) -> crate::CommitFigures {
        crate::CommitFigures {
            commits: self.shared.counts.commits.load(Ordering::Relaxed),
            writes: self.shared.counts.writes.load(Ordering::Relaxed),
        }
    }

    async fn lock(&self) -> OwnedMutexGuard<Batch> {
        let _queued = Queued::new(&self.shared.waiting);
        self.shared.batch.clone().lock_owned().await
    }

    /// Takes the writer and opens this write's savepoint, in the open batch
    /// or a new one.
    pub(crate) async fn enter(&self) -> Result<Slot, StoreError> {
        let guard = self.lock().await;
        let group = self.clone();
        run_to_end(async move {
            let mut guard = guard;
            let opened = open_savepoint(&group.shared.pool, &mut guard).await;
            let number = guard.open.as_ref().map_or(0, |o| o.number);
            let slot = Slot {
                guard: Some(guard),
                group,
                number,
            };
            opened.map(|()| slot)
        })
        .await
    }
}

/// One write's hold on the writer, from its savepoint to its release.
pub(crate) struct Slot {
    guard: Option<OwnedMutexGuard<Batch>>,
    group: GroupCommit,
    number: u64,
}

impl Slot {
    /// The writer connection, inside this write's savepoint.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        let open = self
            .guard
            .as_mut()
            .and_then(|g| g.open.as_mut())
            .expect("a slot holds the writer with its batch open");
        &mut open.conn
    }

    /// Releases the savepoint and returns once the batch holding this
    /// write is committed (by this write or a later one).
    pub(crate) async fn finish(mut self) -> Result<(), StoreError> {
        let Some(guard) = self.guard.take() else {
            return Err(StoreError::NotCommitted("the write lost its slot".into()));
        };
        let number = self.number;
        let group = self.group.clone();
        // If this request is dropped before it learns how its batch went,
        // the janitor still sees the batch committed.
        let mut pending = Pending {
            group: group.clone(),
            number,
            settled: false,
        };
        let deferred = run_to_end({
            let group = group.clone();
            async move {
                let mut guard = guard;
                let released = release(&mut guard).await;
                if released.is_err() {
                    // The savepoint could not be released: the batch is
                    // in an unknown state, so it is rolled back whole.
                    abandon(&mut guard);
                    return released.map(|()| false);
                }
                let full = guard
                    .open
                    .as_ref()
                    .is_some_and(|o| o.members >= MOST_PER_BATCH);
                if full || group.shared.waiting.load(Ordering::SeqCst) == 0 {
                    commit(&mut guard).await.map(|()| false)
                } else {
                    Ok(true)
                }
            }
        })
        .await;
        if !matches!(deferred, Ok(true)) {
            pending.settled = true;
            return deferred.map(|_| ());
        }
        // Queue again behind the writes that made this one wait.
        let guard = group.lock().await;
        let outcome = run_to_end(async move {
            let mut guard = guard;
            settle(&mut guard, number).await
        })
        .await;
        pending.settled = true;
        outcome
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Returned early or dropped with its savepoint open: make sure the
        // savepoint is rolled back and the batch committed even if no other
        // write comes.
        if let Some(guard) = self.guard.take() {
            drop(guard);
            janitor(self.group.clone(), self.number);
        }
    }
}

/// A write waiting to learn how its batch went.
struct Pending {
    group: GroupCommit,
    number: u64,
    settled: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.settled {
            janitor(self.group.clone(), self.number);
        }
    }
}

/// Commits batch `number` if it is still open (so it never waits for a
/// write that will not come back).
fn janitor(group: GroupCommit, number: u64) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let mut guard = group.lock().await;
            let _ = settle(&mut guard, number).await;
        });
    }
}

/// Runs `work` to its end even if the caller stops waiting for it.
async fn run_to_end<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::spawn(work)
        .await
        .map_err(|e| StoreError::NotCommitted(format!("the writer task failed: {e}")))?
}

/// Batch `number`'s outcome, committing it first if it is still open.
async fn settle(batch: &mut Batch, number: u64) -> Result<(), StoreError> {
    if batch.open.as_ref().is_some_and(|o| o.number == number) {
        return commit(batch).await;
    }
    if batch.failed.contains(&number) {
        return Err(StoreError::NotCommitted(
            "the commit that held this write failed".into(),
        ));
    }
    Ok(())
}

async fn open_savepoint(pool: &SqlitePool, batch: &mut Batch) -> Result<(), StoreError> {
    clean(batch).await;
    if batch.open.is_none() {
        let mut conn = pool.acquire().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        batch.last += 1;
        batch.open = Some(Open {
            conn,
            number: batch.last,
            members: 0,
            dirty: false,
        });
    }
    if let Some(open) = batch.open.as_mut() {
        // Dirty from here on, until released: an early return leaves it so.
        open.dirty = true;
        if let Err(e) = sqlx::query("SAVEPOINT write")
            .execute(&mut *open.conn)
            .await
        {
            abandon(batch);
            return Err(e.into());
        }
    }
    Ok(())
}

async fn release(batch: &mut Batch) -> Result<(), StoreError> {
    if let Some(open) = batch.open.as_mut() {
        sqlx::query("RELEASE write")
            .execute(&mut *open.conn)
            .await?;
        open.dirty = false;
        open.members += 1;
    }
    Ok(())
}

/// Rolls back a savepoint left open; if that fails the transaction is gone
/// (SQLite rolls back the whole transaction on some errors), and so is the
/// batch.
async fn clean(batch: &mut Batch) {
    let Some(open) = batch.open.as_mut().filter(|o| o.dirty) else {
        return;
    };
    let undone = async {
        sqlx::query("ROLLBACK TO write")
            .execute(&mut *open.conn)
            .await?;
        sqlx::query("RELEASE write").execute(&mut *open.conn).await
    }
    .await;
    match undone {
        Ok(_) => open.dirty = false,
        Err(e) => {
            tracing::warn!(error = %e, "a write batch was lost with a failed write");
            abandon(batch);
        }
    }
}

/// Commits the open batch; a failure is remembered for its writers.
async fn commit(batch: &mut Batch) -> Result<(), StoreError> {
    clean(batch).await;
    let Some(mut open) = batch.open.take() else {
        // Lost in `clean`.
        return Err(StoreError::NotCommitted(
            "the batch that held this write was rolled back".into(),
        ));
    };
    if !batch.commit_delay.is_zero() {
        tokio::time::sleep(batch.commit_delay).await;
    }
    match sqlx::query("COMMIT").execute(&mut *open.conn).await {
        Ok(_) => {
            batch.counts.commits.fetch_add(1, Ordering::Relaxed);
            let members = u64::try_from(open.members).unwrap_or(u64::MAX);
            batch.counts.writes.fetch_add(members, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *open.conn).await;
            remember_failure(batch, open.number);
            Err(e.into())
        }
    }
}

/// Gives up the open batch: its connection is closed rather than returned
/// (which rolls back whatever it held) and its writers are told it failed.
fn abandon(batch: &mut Batch) {
    if let Some(open) = batch.open.take() {
        drop(open.conn.detach());
        remember_failure(batch, open.number);
    }
}

fn remember_failure(batch: &mut Batch, number: u64) {
    batch.failed.push_back(number);
    while batch.failed.len() > FAILURES_KEPT {
        batch.failed.pop_front();
    }
}
