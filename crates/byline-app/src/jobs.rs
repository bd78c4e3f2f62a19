//! The job runner: claims due jobs from the store (`byline_store::jobs`),
//! runs each through the handler registered for its kind, and reports it
//! done, due again after a backoff, or failed. Help-desk clocks, auto-close
//! and reminders are jobs; publishing, retention and listening reuse the
//! same runner.
//!
//! A job runs once unless its runner dies, or overruns its lease, before
//! reporting back; then it is claimed again once the lease has run out.
//! Handlers are therefore written so that running twice does no harm
//! (each checks, in the write it makes, that its work is still to do).

use crate::{App, Error, now};
use byline_core::Timestamp;
use byline_store::jobs::ClaimedJob;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Why a handler did not finish its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// Something that may pass (the database was busy): try again later.
    Retry(String),
    /// Running it again cannot help (its input is wrong): give up now.
    GiveUp(String),
}

impl From<Error> for JobFailure {
    fn from(e: Error) -> JobFailure {
        JobFailure::Retry(e.to_string())
    }
}

/// What a handler returns.
pub type JobOutcome = Result<(), JobFailure>;

type Handler =
    Arc<dyn Fn(App, ClaimedJob) -> Pin<Box<dyn Future<Output = JobOutcome> + Send>> + Send + Sync>;

/// The handlers a runner knows, by job kind.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<&'static str, Handler>,
}

impl Handlers {
    /// No handlers.
    pub fn new() -> Handlers {
        Handlers::default()
    }

    /// Runs jobs of `kind` with `handler`.
    pub fn on<F, Fut>(mut self, kind: &'static str, handler: F) -> Handlers
    where
        F: Fn(App, ClaimedJob) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobOutcome> + Send + 'static,
    {
        let handler = Arc::new(handler);
        self.by_kind.insert(
            kind,
            Arc::new(move |app, job| {
                let handler = handler.clone();
                Box::pin(async move { handler(app, job).await })
            }),
        );
        self
    }

    /// The kinds handled, which is all a runner claims: a job of a kind
    /// this build does not know waits for a runner that does.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.by_kind.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }
}

/// The most a runner adds to a wait, in milliseconds.
const JITTER_MS: u64 = 150;

/// How a runner paces itself.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// How long a claim holds before another runner may take the job.
    pub lease: Duration,
    /// Jobs claimed at once.
    pub batch: u32,
    /// Longest wait between looks for due jobs (jobs scheduled by other
    /// processes are seen within it).
    pub idle_wait: Duration,
    /// The first retry's delay; each further one doubles it.
    pub retry_after: Duration,
    /// The longest delay between retries.
    pub retry_cap: Duration,
}

impl Default for RunnerSettings {
    fn default() -> RunnerSettings {
        RunnerSettings {
            lease: Duration::from_secs(300),
            batch: 200,
            idle_wait: Duration::from_secs(1),
            retry_after: Duration::from_secs(10),
            retry_cap: Duration::from_secs(3600),
        }
    }
}

/// What one pass of the runner did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Jobs claimed.
    pub claimed: usize,
    /// Reported done.
    pub done: usize,
    /// Due again later.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
}

/// Claims and runs due jobs.
pub struct Runner {
    app: App,
    handlers: Handlers,
    settings: RunnerSettings,
    name: String,
}

impl Runner {
    /// A runner over `app` with `handlers`, named after this process so
    /// that a job's lease says who holds it.
    pub fn new(app: App, handlers: Handlers, settings: RunnerSettings) -> Runner {
        let name = format!(
            "pid{}-{:x}",
            std::process::id(),
            std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), now().micros())
                & 0xffff_ffff
        );
        Runner {
            app,
            handlers,
            settings,
            name,
        }
    }

    /// This runner's name, as leases record it.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn retry_at(&self, at: Timestamp, attempt: i64) -> Timestamp {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let delay = self
            .settings
            .retry_after
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.settings.retry_cap);
        at.after(delay)
    }

    /// Claims one batch of due jobs, runs them side by side and reports
    /// each back.
    pub async fn run_due(&self) -> Result<Pass, Error> {
        let kinds = self.handlers.kinds();
        if kinds.is_empty() {
            return Ok(Pass::default());
        }
        let at = now();
        let lease_until = at.after(self.settings.lease);
        let claimed = self
            .app
            .store
            .jobs()
            .claim_jobs(&self.name, &kinds, at, lease_until, self.settings.batch)
            .await?;
        let mut pass = Pass {
            claimed: claimed.len(),
            ..Pass::default()
        };
        let mut running = tokio::task::JoinSet::new();
        for job in claimed {
            // Counted by this process (`/metrics`): each claim, so that
            // several processes' claims can be added up.
            metrics::counter!("jobs_claimed_total", "kind" => job.kind.clone()).increment(1);
            let Some(handler) = self.handlers.by_kind.get(job.kind.as_str()).cloned() else {
                continue;
            };
            let app = self.app.clone();
            running.spawn(async move {
                let (id, attempt, kind) = (job.id, job.attempts, job.kind.clone());
                // A panic in a handler is a failure of that job, not of
                // the runner.
                let outcome = tokio::spawn(handler(app, job)).await.unwrap_or_else(|e| {
                    Err(JobFailure::Retry(format!("the handler panicked: {e}")))
                });
                (id, attempt, kind, outcome)
            });
        }
        let mut done = Vec::new();
        let mut done_kinds = HashMap::new();
        while let Some(joined) = running.join_next().await {
            let Ok((id, attempt, kind, outcome)) = joined else {
                continue;
            };
            match outcome {
                Ok(()) => {
                    done.push((id, attempt));
                    done_kinds.insert(id, kind);
                }
                Err(failure) => {
                    let (reason, retry_at) = match &failure {
                        JobFailure::Retry(r) => (r, Some(self.retry_at(now(), attempt))),
                        JobFailure::GiveUp(r) => (r, None),
                    };
                    tracing::warn!(job = id, kind, attempt, reason, "job failed");
                    self.app
                        .store
                        .jobs()
                        .fail_job(&self.name, id, attempt, reason, retry_at, now())
                        .await?;
                    let last = match failure {
                        JobFailure::GiveUp(_) => true,
                        JobFailure::Retry(_) => false,
                    };
                    let outcome = if last { "failed" } else { "retried" };
                    metrics::counter!("jobs_run_total", "kind" => kind, "outcome" => outcome)
                        .increment(1);
                    if last {
                        pass.failed += 1;
                    } else {
                        pass.retried += 1;
                    }
                }
            }
        }
        let finished = self
            .app
            .store
            .jobs()
            .finish_jobs(&self.name, &done, now())
            .await?;
        // Counted by this process (`/metrics`): jobs it ran and reported
        // done while its claim held.
        for id in &finished {
            if let Some(kind) = done_kinds.remove(id) {
                metrics::counter!("jobs_run_total", "kind" => kind, "outcome" => "done")
                    .increment(1);
            }
        }
        pass.done = finished.len();
        Ok(pass)
    }

    /// Runs due jobs until `shutdown` completes, waiting between passes
    /// until the next job is due (at most the idle wait). A job in flight
    /// when it stops is claimed again once its lease runs out.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut swept_at = now();
        loop {
            // Look before claiming: a claim is a write, and an idle server
            // should not take the writer every second for nothing.
            let next = self.until_next_due().await;
            let wait = if !next.is_zero() {
                next
            } else {
                self.pass_then_wait().await
            };
            if now().micros() - swept_at.micros() > 60_000_000 {
                swept_at = now();
                if let Err(e) = self.app.store.jobs().fail_abandoned_jobs(swept_at).await {
                    tracing::warn!(error = %e, "could not sweep abandoned jobs");
                }
            }
            if wait.is_zero() {
                continue;
            }
            // Several processes waking for the same due job would otherwise
            // race at the same instant, and the quicker one would take every
            // job; a little jitter shares them out.
            let jitter =
                Duration::from_millis(rand::Rng::random_range(&mut rand::rng(), 0..JITTER_MS));
            tokio::select! {
                () = tokio::time::sleep(wait + jitter) => {}
                () = &mut shutdown => break,
            }
        }
    }

    /// One pass, then how long to wait before the next.
    async fn pass_then_wait(&self) -> Duration {
        match self.run_due().await {
            Ok(pass) if pass.claimed >= self.settings.batch as usize => Duration::ZERO,
            Ok(pass) => {
                let wait = self.until_next_due().await;
                // Due but claimed by nothing: held by another runner's
                // lease, or of a kind this build does not run.
                if wait.is_zero() && pass.claimed == 0 {
                    self.settings.idle_wait
                } else {
                    wait
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the job runner could not claim jobs");
                self.settings.idle_wait
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        match self.app.store.jobs().next_job_due().await {
            Ok(Some(due)) => {
                let micros = due.micros().saturating_sub(now().micros()).max(0);
                Duration::from_micros(u64::try_from(micros).unwrap_or(0))
                    .min(self.settings.idle_wait)
            }
            _ => self.settings.idle_wait,
        }
    }
}
