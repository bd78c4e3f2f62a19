//! The job runner's pace: schedule many due jobs straight into the
//! database the server uses, then time the server's own runner until every
//! one of them has been claimed, run and reported done (#14: "the job
//! runner keeps up with 1,000 due jobs a second").

use anyhow::{Result, bail};
use byline_core::Timestamp;
use byline_store::Store;
use byline_store::jobs::NewJob;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// What the probe measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JobsProbe {
    /// Jobs scheduled, all due at one instant.
    pub jobs: u64,
    /// Seconds from that instant until the last was reported done.
    pub seconds: f64,
    /// Jobs per second over that time.
    pub per_second: f64,
}

/// Schedules `n` auto-close jobs for tickets that do not exist (each runs
/// the real handler's guarded UPDATE, which finds nothing to close), due
/// together a moment after the last is written, and waits for the running
/// server's runner to finish them.
pub async fn run(store: &Store, n: u64) -> Result<JobsProbe> {
    let now = wall_now();
    // Only this probe's jobs are counted: the server runs others meanwhile
    // (the listener's passes, say).
    let prefix = format!("bench:jobs:{}:", now.micros());
    let before = store.jobs().job_counts_keyed(&prefix).await?;
    // Due once all are written (writing them is not what is measured).
    let due_at = now.after(Duration::from_secs(2 + n / 2_000));
    let payloads: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("{prefix}{i}"),
                serde_json::json!({"ticket_id": -1 - i as i64, "solved_at": 0}).to_string(),
            )
        })
        .collect();
    // Written 64 at a time (they share commits on SQLite).
    for chunk in payloads.chunks(64) {
        let mut writes = tokio::task::JoinSet::new();
        for (key, payload) in chunk {
            let store = store.clone();
            let (key, payload) = (key.clone(), payload.clone());
            writes.spawn(async move {
                store
                    .jobs()
                    .schedule_job(
                        &NewJob {
                            kind: byline_store::tickets::AUTO_CLOSE,
                            key: Some(&key),
                            payload: &payload,
                            due_at,
                            max_attempts: 3,
                        },
                        now,
                    )
                    .await
            });
        }
        while let Some(w) = writes.join_next().await {
            w??;
        }
    }
    let wall_due = {
        let ahead = due_at.micros() - wall_now().micros();
        Instant::now() + Duration::from_micros(u64::try_from(ahead).unwrap_or(0))
    };
    let give_up = wall_due + Duration::from_secs(60 + n / 100);
    loop {
        let counts = store.jobs().job_counts_keyed(&prefix).await?;
        if counts.pending == before.pending {
            let finished = counts.done - before.done;
            if u64::try_from(finished).unwrap_or(0) != n {
                bail!(
                    "{n} jobs scheduled, {finished} done, {} failed",
                    counts.failed - before.failed
                );
            }
            break;
        }
        if Instant::now() > give_up {
            bail!(
                "the runner left {} jobs pending",
                counts.pending - before.pending
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = Instant::now()
        .saturating_duration_since(wall_due)
        .as_secs_f64()
        .max(1e-6);
    Ok(JobsProbe {
        jobs: n,
        seconds,
        per_second: n as f64 / seconds,
    })
}

/// The time now, as stored.
pub(crate) fn wall_now() -> Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp(micros)
}
