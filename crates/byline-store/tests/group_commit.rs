//! Concurrent writes share commits on SQLite without sharing fates: a
//! write that fails, or whose caller goes away halfway, takes nothing else
//! with it, and the writer never waits for a write that will not come back.

mod common;
use common::add_user;

use byline_core::{Email, Handle};
use byline_store::contract_test;
use byline_store::{Store, StoreError};
use std::time::Duration;

/// Whether the user and their personal profile are there: both or neither.
async fn whole_or_absent(store: &Store, n: usize) -> bool {
    let email = Email::parse(&format!("p{n}@example.com")).expect("email");
    let handle = Handle::parse(&format!("p{n}")).expect("handle");
    let user = store.users().user_for_sign_in(&email).await;
    let profile = store.profiles().profile_by_handle(&handle).await;
    match (user, profile) {
        (Ok(_), Ok(_)) => true,
        (Err(StoreError::NotFound), Err(StoreError::NotFound)) => false,
        (u, p) => panic!("user {n} is half there: {:?} / {:?}", u.is_ok(), p.is_ok()),
    }
}

contract_test!(
    concurrent_writes_commit_together_and_fail_alone,
    |store| async move {
        // Forty writers at once; every fifth reuses a handle already taken
        // (a conflict inside the batch).
        let mut tasks = Vec::new();
        for n in 0..40usize {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let handle = if n % 5 == 4 {
                    format!("p{}", n - 1)
                } else {
                    format!("p{n}")
                };
                add_user(&store, &format!("p{n}@example.com"), &handle).await
            }));
        }
        // Writes n-1 and n (for n % 5 == 4) want the same handle: whichever
        // commits first has it (on PostgreSQL they truly race), the other
        // is a conflict and leaves nothing behind.
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("task"));
        }
        for (n, result) in results.iter().enumerate() {
            let paired = n % 5 == 3 || n % 5 == 4;
            if !paired {
                assert!(result.is_ok(), "write {n}: {:?}", result.as_ref().err());
            }
        }
        for first in (3..40usize).step_by(5) {
            let (a, b) = (&results[first], &results[first + 1]);
            assert!(
                a.is_ok() != b.is_ok(),
                "exactly one of writes {first} and {} has the handle: {:?} / {:?}",
                first + 1,
                a.as_ref().map(|u| u.id),
                b.as_ref().map(|u| u.id)
            );
            let loser = if a.is_ok() { b } else { a };
            assert!(
                matches!(loser, Err(StoreError::Conflict { field: "handle" })),
                "{:?}",
                loser.as_ref().map(|u| u.id)
            );
        }
        for (n, result) in results.iter().enumerate() {
            let email = Email::parse(&format!("p{n}@example.com")).expect("email");
            let there = store.users().user_for_sign_in(&email).await.is_ok();
            assert_eq!(there, result.is_ok(), "user {n} after the batch");
        }
        if let Some(figures) = store.commit_figures() {
            assert!(
                figures.writes > figures.commits,
                "some commits held several writes: {figures:?}"
            );
        }
    }
);

contract_test!(
    a_write_dropped_halfway_takes_nothing_with_it,
    |store| async move {
        // Callers that give up after a few hundred microseconds, at every
        // point of a write, beside writers that wait.
        let mut n = 100usize;
        for round in 0..30u64 {
            let patient = {
                let store = store.clone();
                let k = n;
                tokio::spawn(async move {
                    add_user(&store, &format!("p{k}@example.com"), &format!("p{k}")).await
                })
            };
            let hasty = n + 1;
            let _ = tokio::time::timeout(
                Duration::from_micros(50 * round),
                add_user(
                    &store,
                    &format!("p{hasty}@example.com"),
                    &format!("p{hasty}"),
                ),
            )
            .await;
            let done = tokio::time::timeout(Duration::from_secs(10), patient)
                .await
                .expect("a patient write is never left waiting")
                .expect("task");
            assert!(done.is_ok(), "patient write {n}: {:?}", done.err());
            assert!(
                whole_or_absent(&store, n).await,
                "patient write {n} is there"
            );
            whole_or_absent(&store, hasty).await;
            n += 2;
        }
        // The writer is still free: a write on its own commits at once.
        let last = tokio::time::timeout(
            Duration::from_secs(10),
            add_user(&store, "last@example.com", "last"),
        )
        .await
        .expect("the writer is free");
        assert!(last.is_ok(), "{:?}", last.err());
    }
);
