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
        for (n, task) in tasks.into_iter().enumerate() {
            let result = task.await.expect("task");
            if n % 5 == 4 {
                assert!(
                    matches!(result, Err(StoreError::Conflict { field: "handle" })),
                    "write {n} reused a handle: {:?}",
                    result.map(|u| u.id)
                );
            } else {
                assert!(result.is_ok(), "write {n}: {:?}", result.err());
            }
        }
        for n in 0..40usize {
            let email = Email::parse(&format!("p{n}@example.com")).expect("email");
            let there = store.users().user_for_sign_in(&email).await.is_ok();
            assert_eq!(there, n % 5 != 4, "user {n} after the batch");
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
