//! Durable jobs: due work is claimed once under a lease, reported back
//! only by the claim that holds it, retried and given up as scheduled, and
//! shared out exactly once between processes claiming at the same time.

use byline_store::jobs::{JobState, NewJob};
use byline_store::testing::{Kind, TestDatabase};
use byline_store::{Store, StoreError, contract_test};
use std::collections::HashMap;

mod common;
use common::T0;

fn job<'a>(kind: &'a str, key: Option<&'a str>, due_in_s: i64) -> NewJob<'a> {
    NewJob {
        kind,
        key,
        payload: "{\"ticket\":1}",
        due_at: T0.plus_seconds(due_in_s),
        max_attempts: 3,
    }
}

contract_test!(
    only_due_jobs_of_known_kinds_are_claimed,
    |store| async move {
        let jobs = store.jobs();
        let now_due = jobs
            .schedule_job(&job("sla.warn", None, 0), T0)
            .await
            .expect("a");
        let later = jobs
            .schedule_job(&job("sla.warn", None, 60), T0)
            .await
            .expect("b");
        let other = jobs
            .schedule_job(&job("publish", None, 0), T0)
            .await
            .expect("c");
        let claimed = jobs
            .claim_jobs(
                "r1",
                &["sla.warn"],
                T0.plus_seconds(1),
                T0.plus_seconds(300),
                10,
            )
            .await
            .expect("claim");
        assert_eq!(
            claimed.iter().map(|j| j.id).collect::<Vec<_>>(),
            vec![now_due]
        );
        assert_eq!(claimed[0].attempts, 1);
        assert_eq!(claimed[0].payload, "{\"ticket\":1}");
        assert!(
            jobs.claim_jobs(
                "r2",
                &["sla.warn"],
                T0.plus_seconds(2),
                T0.plus_seconds(300),
                10
            )
            .await
            .expect("claim again")
            .is_empty(),
            "a leased job is nobody else's, the later one is not due"
        );
        let counts = jobs.job_counts().await.expect("counts");
        assert_eq!(counts.pending, 3);
        assert_eq!(
            jobs.job(later).await.expect("later").state,
            JobState::Pending
        );
        assert_eq!(jobs.job(other).await.expect("other").attempts, 0);
        assert_eq!(
            jobs.next_job_due().await.expect("next"),
            Some(T0),
            "the claimed job is still pending"
        );
    }
);

contract_test!(a_key_is_scheduled_once, |store| async move {
    let jobs = store.jobs();
    let first = jobs
        .schedule_job(&job("sla.breach", Some("ticket:7:breach"), 10), T0)
        .await
        .expect("first");
    let again = jobs
        .schedule_job(&job("sla.breach", Some("ticket:7:breach"), 99), T0)
        .await
        .expect("again");
    assert_eq!(first, again);
    assert_eq!(
        jobs.job(first).await.expect("job").due_at,
        T0.plus_seconds(10)
    );
    assert_eq!(jobs.job_counts().await.expect("counts").pending, 1);
    assert!(matches!(
        jobs.schedule_job(
            &NewJob {
                max_attempts: 0,
                ..job("x", None, 0)
            },
            T0
        )
        .await,
        Err(StoreError::Refused(_))
    ));
    assert!(matches!(
        jobs.schedule_job(&job("", None, 0), T0).await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(
        jobs.job_counts().await.expect("counts").pending,
        1,
        "nothing written"
    );
    assert!(
        jobs.cancel_job("ticket:7:breach", T0)
            .await
            .expect("cancel")
    );
    assert!(!jobs.cancel_job("ticket:7:breach", T0).await.expect("twice"));
    assert_eq!(
        jobs.job(first).await.expect("job").state,
        JobState::Cancelled
    );
});

contract_test!(
    only_the_claim_that_holds_a_job_reports_it,
    |store| async move {
        let jobs = store.jobs();
        let id = jobs
            .schedule_job(&job("k", None, 0), T0)
            .await
            .expect("job");
        let first = jobs
            .claim_jobs("slow", &["k"], T0, T0.plus_seconds(30), 1)
            .await
            .expect("claim");
        assert_eq!(first[0].attempts, 1);
        // The lease runs out; another runner takes the job over.
        let second = jobs
            .claim_jobs("fast", &["k"], T0.plus_seconds(31), T0.plus_seconds(60), 1)
            .await
            .expect("reclaim");
        assert_eq!(second[0].id, id);
        assert_eq!(second[0].attempts, 2);
        assert!(
            jobs.finish_jobs("slow", &[(id, 1)], T0.plus_seconds(32))
                .await
                .expect("late report")
                .is_empty(),
            "the first claim no longer holds"
        );
        assert!(
            !jobs
                .fail_job("slow", id, 1, "late", None, T0.plus_seconds(32))
                .await
                .expect("late failure")
        );
        assert_eq!(
            jobs.finish_jobs("fast", &[(id, 2)], T0.plus_seconds(33))
                .await
                .expect("report"),
            vec![id]
        );
        let done = jobs.job(id).await.expect("job");
        assert_eq!(done.state, JobState::Done);
        assert_eq!(done.finished_at, Some(T0.plus_seconds(33)));
        assert_eq!(done.leased_by, None);
        assert!(
            jobs.claim_jobs("any", &["k"], T0.plus_seconds(99), T0.plus_seconds(200), 1)
                .await
                .expect("claim")
                .is_empty(),
            "done is done"
        );
    }
);

contract_test!(a_failed_job_is_retried_then_given_up, |store| async move {
    let jobs = store.jobs();
    let id = jobs
        .schedule_job(&job("k", None, 0), T0)
        .await
        .expect("job");
    let mut at = T0;
    for attempt in 1..=3 {
        let claimed = jobs
            .claim_jobs("r", &["k"], at, at.plus_seconds(30), 1)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1, "attempt {attempt} is due");
        assert_eq!(claimed[0].attempts, attempt);
        let retry = at.plus_seconds(10);
        assert!(
            jobs.fail_job(
                "r",
                id,
                attempt,
                &format!("busy {attempt}"),
                Some(retry),
                at
            )
            .await
            .expect("fail")
        );
        let j = jobs.job(id).await.expect("job");
        if attempt < 3 {
            assert_eq!(j.state, JobState::Pending);
            assert_eq!(j.due_at, retry);
            assert!(
                jobs.claim_jobs("r", &["k"], at.plus_seconds(5), at.plus_seconds(30), 1)
                    .await
                    .expect("early")
                    .is_empty(),
                "not due before its backoff"
            );
        } else {
            assert_eq!(j.state, JobState::Failed, "the last attempt failed");
            assert_eq!(j.last_error.as_deref(), Some("busy 3"));
        }
        at = retry;
    }
    let give_up = jobs
        .schedule_job(&job("k", None, 0), T0)
        .await
        .expect("job");
    let claimed = jobs
        .claim_jobs("r", &["k"], at, at.plus_seconds(30), 1)
        .await
        .expect("claim");
    assert_eq!(claimed[0].id, give_up);
    assert!(
        jobs.fail_job("r", give_up, 1, "bad input", None, at)
            .await
            .expect("give up")
    );
    assert_eq!(
        jobs.job(give_up).await.expect("job").state,
        JobState::Failed
    );
});

contract_test!(
    a_job_whose_runner_died_on_every_attempt_is_given_up,
    |store| async move {
        let jobs = store.jobs();
        let id = jobs
            .schedule_job(
                &NewJob {
                    max_attempts: 1,
                    ..job("k", None, 0)
                },
                T0,
            )
            .await
            .expect("job");
        jobs.claim_jobs("dies", &["k"], T0, T0.plus_seconds(30), 1)
            .await
            .expect("claim");
        assert_eq!(
            jobs.fail_abandoned_jobs(T0.plus_seconds(10))
                .await
                .expect("sweep"),
            0
        );
        assert_eq!(
            jobs.fail_abandoned_jobs(T0.plus_seconds(31))
                .await
                .expect("sweep"),
            1
        );
        let j = jobs.job(id).await.expect("job");
        assert_eq!(j.state, JobState::Failed);
        assert!(j.last_error.expect("why").contains("reported back"));
    }
);

/// Two processes (each its own connections), four claimers in each, take
/// 1,000 due jobs at once: every job is claimed by exactly one of them.
async fn claimers_in_two_processes_share_jobs_exactly_once(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let first = db.store().await;
    let second = Store::connect(&db.options).await.expect("second process");
    let mut ids = Vec::new();
    for i in 0..1000 {
        ids.push(
            first
                .jobs()
                .schedule_job(&job("k", None, i % 50), T0)
                .await
                .expect("schedule"),
        );
    }
    let mut claimers = tokio::task::JoinSet::new();
    for n in 0..8 {
        let store = if n % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        claimers.spawn(async move {
            let runner = format!("runner{n}");
            let mut mine = Vec::new();
            loop {
                let claimed = store
                    .jobs()
                    .claim_jobs(
                        &runner,
                        &["k"],
                        T0.plus_seconds(60),
                        T0.plus_seconds(600),
                        25,
                    )
                    .await
                    .expect("claim");
                if claimed.is_empty() {
                    break;
                }
                let reports: Vec<(i64, i64)> = claimed.iter().map(|j| (j.id, j.attempts)).collect();
                let finished = store
                    .jobs()
                    .finish_jobs(&runner, &reports, T0.plus_seconds(61))
                    .await
                    .expect("finish");
                assert_eq!(finished.len(), reports.len(), "every claim held");
                mine.extend(finished);
            }
            mine
        });
    }
    let mut runs: HashMap<i64, usize> = HashMap::new();
    let mut claimers_that_worked = 0;
    while let Some(mine) = claimers.join_next().await {
        let mine = mine.expect("claimer");
        claimers_that_worked += usize::from(!mine.is_empty());
        for id in mine {
            *runs.entry(id).or_default() += 1;
        }
    }
    assert_eq!(runs.len(), ids.len(), "every job ran");
    assert!(runs.values().all(|n| *n == 1), "no job ran twice");
    assert!(claimers_that_worked >= 2, "the work was shared");
    let counts = first.jobs().job_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.done), (0, 1000));
    second.close().await;
    first.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_claim_each_job_once_sqlite() {
    claimers_in_two_processes_share_jobs_exactly_once(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_claim_each_job_once_postgres() {
    claimers_in_two_processes_share_jobs_exactly_once(Kind::Postgres).await;
}
