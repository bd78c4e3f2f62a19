//! The job runner over a real database: due jobs run through their
//! handlers, failures come back after a backoff or are given up, a panic
//! fails only its own job, and a job of a kind this runner does not know
//! is left for one that does.

use byline_app::jobs::{Handlers, JobFailure, Runner, RunnerSettings};
use byline_app::{App, now};
use byline_store::jobs::{JobState, NewJob};
use byline_store::testing::{Kind, TestDatabase};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn settings() -> RunnerSettings {
    RunnerSettings {
        lease: Duration::from_secs(60),
        batch: 50,
        idle_wait: Duration::from_millis(20),
        retry_after: Duration::from_millis(1),
        retry_cap: Duration::from_millis(5),
    }
}

async fn schedule(app: &App, kind: &str, payload: &str, max_attempts: u32) -> i64 {
    app.store
        .jobs()
        .schedule_job(
            &NewJob {
                kind,
                key: None,
                payload,
                due_at: now(),
                max_attempts,
            },
            now(),
        )
        .await
        .expect("schedule")
}

async fn runner_runs_retries_and_gives_up(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let app = App::for_tasks(db.store().await);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let flaky_tries = Arc::new(Mutex::new(0));
    let handlers = {
        let seen = seen.clone();
        let flaky_tries = flaky_tries.clone();
        Handlers::new()
            .on("echo", move |_app, job| {
                let seen = seen.clone();
                async move {
                    seen.lock().expect("lock").push(job.payload);
                    Ok(())
                }
            })
            .on("flaky", move |_app, _job| {
                let tries = flaky_tries.clone();
                async move {
                    let mut n = tries.lock().expect("lock");
                    *n += 1;
                    if *n < 3 {
                        Err(JobFailure::Retry(format!("busy, try {n}")))
                    } else {
                        Ok(())
                    }
                }
            })
            .on("bad", |_app, _job| async {
                Err(JobFailure::GiveUp("the ticket is gone".into()))
            })
            .on("panics", |_app, job| async move {
                assert!(job.payload.is_empty(), "a handler bug");
                Ok(())
            })
    };
    let echo: Vec<i64> = {
        let mut v = Vec::new();
        for i in 0..5 {
            v.push(schedule(&app, "echo", &format!("{{\"n\":{i}}}"), 3).await);
        }
        v
    };
    let flaky = schedule(&app, "flaky", "{}", 5).await;
    let bad = schedule(&app, "bad", "{}", 5).await;
    let panics = schedule(&app, "panics", "{\"x\":1}", 2).await;
    let unknown = schedule(&app, "from.a.newer.build", "{}", 1).await;

    let runner = Runner::new(app.clone(), handlers, settings());
    let first = runner.run_due().await.expect("pass");
    assert_eq!(first.claimed, 8, "everything due of a known kind");
    assert_eq!(first.done, 5);
    assert_eq!(first.failed, 1, "bad gives up at once");
    assert_eq!(first.retried, 2, "flaky and the panic come back");

    let jobs = app.store.jobs();
    let mut payloads = seen.lock().expect("lock").clone();
    payloads.sort();
    assert_eq!(payloads.len(), 5);
    assert_eq!(payloads[0], "{\"n\":0}");
    for id in &echo {
        assert_eq!(jobs.job(*id).await.expect("job").state, JobState::Done);
    }
    let bad_job = jobs.job(bad).await.expect("bad");
    assert_eq!(bad_job.state, JobState::Failed);
    assert_eq!(bad_job.attempts, 1);
    assert_eq!(bad_job.last_error.as_deref(), Some("the ticket is gone"));

    // Keep passing until the backoffs have run out.
    for _ in 0..200 {
        let f = jobs.job(flaky).await.expect("flaky").state;
        let p = jobs.job(panics).await.expect("panics").state;
        if f != JobState::Pending && p != JobState::Pending {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        runner.run_due().await.expect("pass");
    }
    let flaky_job = jobs.job(flaky).await.expect("flaky");
    assert_eq!(flaky_job.state, JobState::Done, "the third try worked");
    assert_eq!(flaky_job.attempts, 3);
    let panicked = jobs.job(panics).await.expect("panics");
    assert_eq!(panicked.state, JobState::Failed, "both attempts panicked");
    assert!(panicked.last_error.expect("why").contains("panicked"));
    let waiting = jobs.job(unknown).await.expect("unknown");
    assert_eq!((waiting.state, waiting.attempts), (JobState::Pending, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_runs_retries_and_gives_up_sqlite() {
    runner_runs_retries_and_gives_up(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_runs_retries_and_gives_up_postgres() {
    runner_runs_retries_and_gives_up(Kind::Postgres).await;
}

/// A running runner picks up a job scheduled while it waits, and stops
/// when told to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_runner_picks_up_new_jobs_and_stops() {
    let db = TestDatabase::new(Kind::Sqlite).await.expect("sqlite");
    let app = App::for_tasks(db.store().await);
    let (ran_tx, mut ran_rx) = tokio::sync::mpsc::unbounded_channel();
    let handlers = Handlers::new().on("ping", move |_app, job| {
        let ran_tx = ran_tx.clone();
        async move {
            let _ = ran_tx.send(job.id);
            Ok(())
        }
    });
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let runner = Runner::new(app.clone(), handlers, settings());
    let running = tokio::spawn(runner.run(async {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let id = schedule(&app, "ping", "{}", 1).await;
    let ran = tokio::time::timeout(Duration::from_secs(5), ran_rx.recv())
        .await
        .expect("ran within the idle wait")
        .expect("sent");
    assert_eq!(ran, id);
    let _ = stop_tx.send(());
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("stopped")
        .expect("no panic");
    for _ in 0..100 {
        if app.store.jobs().job(id).await.expect("job").state == JobState::Done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the job was not reported done");
}
