//! Durable jobs: work due at a time, kept in the database so that no
//! restart or crash loses it. A runner claims due jobs under a lease (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several server processes
//! never claim one job together; on SQLite the one writer serialises
//! claims), and reports each back as done or failed. Every claim counts an
//! attempt, and the attempt number fences the report: a runner whose lease
//! ran out and whose job was claimed again cannot finish it.

use crate::StoreError;
use byline_core::Timestamp;

/// What a job is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting to be due, or claimed and running.
    Pending,
    /// Ran to the end.
    Done,
    /// Gave up after its last attempt.
    Failed,
    /// Taken back before it ran.
    Cancelled,
}

impl JobState {
    fn parse(s: &str) -> Result<JobState, StoreError> {
        Ok(match s {
            "pending" => JobState::Pending,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            "cancelled" => JobState::Cancelled,
            other => return Err(StoreError::Corrupt(format!("job state '{other}'"))),
        })
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// A job to schedule.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    /// Which handler runs it (`"ticket.sla_breach"`).
    pub kind: &'a str,
    /// Names the job by what it is for; scheduling a key that is already
    /// scheduled keeps the first and returns its id.
    pub key: Option<&'a str>,
    /// The handler's input, JSON.
    pub payload: &'a str,
    /// When it should run.
    pub due_at: Timestamp,
    /// Attempts before it is given up as failed.
    pub max_attempts: u32,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Handler.
    pub kind: String,
    /// Key, if named.
    pub key: Option<String>,
    /// Input, JSON.
    pub payload: String,
    /// When it is (next) due.
    pub due_at: Timestamp,
    /// State.
    pub state: JobState,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// The runner holding it, while claimed.
    pub leased_by: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it ended (done, failed or cancelled).
    pub finished_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    job_key: Option<String>,
    payload: String,
    due_at: i64,
    state: String,
    attempts: i64,
    max_attempts: i64,
    leased_by: Option<String>,
    last_error: Option<String>,
    finished_at: Option<i64>,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Job, StoreError> {
        Ok(Job {
            id: r.id,
            kind: r.kind,
            key: r.job_key,
            payload: r.payload,
            due_at: Timestamp(r.due_at),
            state: JobState::parse(&r.state)?,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            leased_by: r.leased_by,
            last_error: r.last_error,
            finished_at: r.finished_at.map(Timestamp),
        })
    }
}

/// A job a runner has claimed: run it, then report with its `attempt`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedJob {
    /// Id.
    pub id: i64,
    /// Handler.
    pub kind: String,
    /// Input, JSON.
    pub payload: String,
    /// This claim's number (1 for the first): fences the report.
    pub attempts: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// When it was due.
    pub due_at: i64,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Due or waiting.
    pub pending: i64,
    /// Done.
    pub done: i64,
    /// Given up.
    pub failed: i64,
    /// Cancelled.
    pub cancelled: i64,
}

/// Counts by state from `(state, count)` rows.
fn tally(rows: Vec<(String, i64)>) -> Result<JobCounts, StoreError> {
    let mut counts = JobCounts::default();
    for (state, n) in rows {
        match JobState::parse(&state)? {
            JobState::Pending => counts.pending = n,
            JobState::Done => counts.done = n,
            JobState::Failed => counts.failed = n,
            JobState::Cancelled => counts.cancelled = n,
        }
    }
    Ok(counts)
}

/// Schedules a job inside the write transaction `$tx`, so that it exists
/// exactly when the write that wants it does; evaluates to its id (the
/// earlier job's when its key was already scheduled).
macro_rules! schedule_job {
    ($tx:ident, $job:expr, $now:expr) => {{
        let job: &$crate::jobs::NewJob<'_> = $job;
        if job.kind.is_empty() || job.kind.len() > 64 || job.max_attempts == 0 {
            return Err($crate::StoreError::Refused(
                "a job needs a kind of 1 to 64 characters and at least one attempt".into(),
            ));
        }
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO jobs (kind, job_key, payload, due_at, max_attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_key) DO NOTHING RETURNING id",
        )
        .bind(job.kind)
        .bind(job.key)
        .bind(job.payload)
        .bind(job.due_at.micros())
        .bind(i64::from(job.max_attempts))
        .bind($now.micros())
        .fetch_optional(&mut *$tx)
        .await?;
        match inserted {
            Some(id) => id,
            None => {
                sqlx::query_scalar::<_, i64>("SELECT id FROM jobs WHERE job_key = $1")
                    .bind(job.key)
                    .fetch_one(&mut *$tx)
                    .await?
            }
        }
    }};
}

const JOB_COLUMNS: &str = "id, kind, job_key, payload, due_at, state, attempts, max_attempts, \
    leased_by, last_error, finished_at";

impl Jobs<'_> {
    /// Schedules a job on its own (see [`schedule_job!`] for one inside
    /// another write).
    pub async fn schedule_job(&self, job: &NewJob<'_>, now: Timestamp) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| { schedule_job!(tx, job, now) }))
    }

    /// Schedules several jobs in one write transaction (one commit, where
    /// one each would cost a commit each); returns their ids in order.
    pub async fn schedule_jobs(
        &self,
        jobs: &[NewJob<'_>],
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(write_tx!(self, |tx| {
            let mut ids = Vec::with_capacity(jobs.len());
            for job in jobs {
                ids.push(schedule_job!(tx, job, now));
            }
            ids
        }))
    }

    /// Claims up to `limit` due jobs of `kinds` for `runner` until
    /// `lease_until`, oldest due first, counting an attempt on each.
    pub async fn claim_jobs(
        &self,
        runner: &str,
        kinds: &[&str],
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedJob>, StoreError> {
        let sql = format!(
            "UPDATE jobs SET attempts = attempts + 1, leased_by = $1, leased_until = $2 \
             WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= $3 \
               AND (leased_until IS NULL OR leased_until <= $3) AND attempts < max_attempts \
               AND kind IN ({}) ORDER BY due_at, id LIMIT $4{}) \
             RETURNING id, kind, payload, attempts, max_attempts, due_at",
            crate::posts::placeholders(5, kinds.len()),
            self.skip_locked()
        );
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut claimed: Vec<ClaimedJob> = write_tx!(self, |tx| {
            let mut q = sqlx::query_as(&sql)
                .bind(runner)
                .bind(lease_until.micros())
                .bind(now.micros())
                .bind(i64::from(limit));
            for kind in kinds {
                q = q.bind(*kind);
            }
            q.fetch_all(&mut *tx).await?
        });
        claimed.sort_by_key(|j| (j.due_at, j.id));
        Ok(claimed)
    }

    /// Reports claimed jobs done; returns those whose claim still held
    /// (a job claimed again after its lease ran out is not this runner's).
    pub async fn finish_jobs(
        &self,
        runner: &str,
        jobs: &[(i64, i64)],
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(write_tx!(self, |tx| {
            let mut finished = Vec::with_capacity(jobs.len());
            for (id, attempt) in jobs {
                let n = sqlx::query(
                    "UPDATE jobs SET state = 'done', finished_at = $1, leased_by = NULL, leased_until = NULL \
                     WHERE id = $2 AND attempts = $3 AND leased_by = $4 AND state = 'pending'",
                )
                .bind(now.micros())
                .bind(id)
                .bind(attempt)
                .bind(runner)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    finished.push(*id);
                }
            }
            finished
        }))
    }

    /// Reports a claimed job failed: due again at `retry_at`, or failed for
    /// good when that was its last attempt or `retry_at` is `None`.
    /// Returns whether the claim still held.
    pub async fn fail_job(
        &self,
        runner: &str,
        id: i64,
        attempt: i64,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let error: String = error.chars().take(2000).collect();
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE jobs SET last_error = $1, leased_by = NULL, leased_until = NULL, \
                   state = CASE WHEN CAST($2 AS BIGINT) IS NULL OR attempts >= max_attempts THEN 'failed' ELSE 'pending' END, \
                   finished_at = CASE WHEN CAST($2 AS BIGINT) IS NULL OR attempts >= max_attempts THEN $3 ELSE NULL END, \
                   due_at = COALESCE($2, due_at) \
                 WHERE id = $4 AND attempts = $5 AND leased_by = $6 AND state = 'pending'",
            )
            .bind(&error)
            .bind(retry_at.map(Timestamp::micros))
            .bind(now.micros())
            .bind(id)
            .bind(attempt)
            .bind(runner)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Gives up, as failed, on jobs whose every attempt was claimed by a
    /// runner that never reported back (it died or overran its lease).
    pub async fn fail_abandoned_jobs(&self, now: Timestamp) -> Result<u64, StoreError> {
        Ok(write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE jobs SET state = 'failed', finished_at = $1, leased_by = NULL, leased_until = NULL, \
                   last_error = COALESCE(last_error, 'the runner stopped before it reported back') \
                 WHERE state = 'pending' AND attempts >= max_attempts AND leased_until <= $1",
            )
            .bind(now.micros())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        }))
    }

    /// Cancels the pending job with `key`; returns whether there was one.
    /// A job already claimed is not stopped: it was due.
    pub async fn cancel_job(&self, key: &str, now: Timestamp) -> Result<bool, StoreError> {
        let n = write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE jobs SET state = 'cancelled', finished_at = $1 \
                 WHERE job_key = $2 AND state = 'pending' AND (leased_until IS NULL OR leased_until <= $1)",
            )
            .bind(now.micros())
            .bind(key)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// One job.
    pub async fn job(&self, id: i64) -> Result<Job, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let row: JobRow = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_one(pool).await?
        });
        row.try_into()
    }

    /// When the next pending job is due, if any.
    pub async fn next_job_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let due: Option<i64> = read!(self, |pool| {
            sqlx::query_scalar("SELECT MIN(due_at) FROM jobs WHERE state = 'pending'")
                .fetch_one(pool)
                .await?
        });
        Ok(due.map(Timestamp))
    }

    /// Jobs whose key starts with `prefix`, by state (a benchmark counts
    /// its own jobs while the server runs others).
    pub async fn job_counts_keyed(&self, prefix: &str) -> Result<JobCounts, StoreError> {
        let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
        let rows: Vec<(String, i64)> = read!(self, |pool| {
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs WHERE job_key LIKE $1 GROUP BY state")
                .bind(&pattern)
                .fetch_all(pool)
                .await?
        });
        tally(rows)
    }

    /// Jobs by state.
    pub async fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let rows: Vec<(String, i64)> = read!(self, |pool| {
            sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state")
                .fetch_all(pool)
                .await?
        });
        tally(rows)
    }
}

capability!(
    /// The store's durable jobs.
    Jobs,
    jobs
);
