//! The store contract: every case runs on SQLite and on PostgreSQL.

use byline_core::{Email, Handle, Role};
use byline_store::audit::AuditEntry;
use byline_store::testing::{Kind, TestDatabase};
use byline_store::{Store, StoreError, contract_test, sessions::NewSession};

mod common;
use common::{T0, add_user, audit};

async fn fresh_database_is_not_ready_until_migrated(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let store = Store::connect(&db.options).await.expect("connect");
    assert!(matches!(
        store.readiness().await,
        Err(StoreError::NotMigrated { applied: 0, .. })
    ));
    assert!(store.migrate().await.expect("migrate") >= 1);
    assert_eq!(
        store.migrate().await.expect("second migrate"),
        0,
        "migrations are idempotent"
    );
    store.readiness().await.expect("ready after migrate");
    store.close().await;
}

#[tokio::test]
async fn readiness_follows_migrations_sqlite() {
    fresh_database_is_not_ready_until_migrated(Kind::Sqlite).await;
}

#[tokio::test]
async fn readiness_follows_migrations_postgres() {
    fresh_database_is_not_ready_until_migrated(Kind::Postgres).await;
}

contract_test!(a_user_comes_with_a_personal_profile, |store| async move {
    let user = add_user(&store, "Jane@Example.com", "@Jane")
        .await
        .expect("create");
    assert_eq!(user.email, "jane@example.com");
    assert_eq!(user.handle, "jane");
    assert!(user.active);
    let profile = store
        .profiles()
        .profile_by_handle(&Handle::parse("jane").expect("h"))
        .await
        .expect("profile");
    assert_eq!(profile.user_id, Some(user.id));
    assert_eq!(profile.kind, byline_core::ProfileKind::Personal);
    let (signing_in, hash) = store
        .users()
        .user_for_sign_in(&Email::parse("jane@example.com").expect("e"))
        .await
        .expect("found");
    assert_eq!(signing_in, user);
    assert_eq!(hash, "$argon2id$x");
});

contract_test!(
    taken_emails_and_handles_conflict_and_write_nothing,
    |store| async move {
        add_user(&store, "jane@example.com", "jane")
            .await
            .expect("first");
        let dup_email = add_user(&store, "JANE@example.com", "jane2").await;
        assert!(
            matches!(dup_email, Err(StoreError::Conflict { field: "email" })),
            "{dup_email:?}"
        );
        let dup_handle = add_user(&store, "other@example.com", "jane").await;
        assert!(
            matches!(dup_handle, Err(StoreError::Conflict { field: "handle" })),
            "{dup_handle:?}"
        );
        // The handle conflict happened after the user row was inserted in the
        // same transaction: it must have been rolled back.
        assert_eq!(store.users().count_users().await.expect("count"), 1);
        assert!(matches!(
            store
                .users()
                .user_for_sign_in(&Email::parse("other@example.com").expect("e"))
                .await,
            Err(StoreError::NotFound)
        ));
    }
);

contract_test!(users_are_listed_in_pages, |store| async move {
    for i in 0..5 {
        add_user(&store, &format!("u{i}@example.com"), &format!("u{i}"))
            .await
            .expect("create");
    }
    let first = store.users().list_users(0, 2).await.expect("page 1");
    let second = store
        .users()
        .list_users(first[1].id, 2)
        .await
        .expect("page 2");
    let third = store
        .users()
        .list_users(second[1].id, 2)
        .await
        .expect("page 3");
    let handles: Vec<_> = [first, second, third]
        .concat()
        .into_iter()
        .map(|u| u.handle)
        .collect();
    assert_eq!(handles, ["u0", "u1", "u2", "u3", "u4"]);
});

contract_test!(sessions_open_expire_and_revoke, |store| async move {
    let user = add_user(&store, "jane@example.com", "jane")
        .await
        .expect("create");
    let digest = [7u8; 32];
    store
        .sessions()
        .create_session(
            &NewSession {
                user_id: user.id,
                token_digest: &digest,
                expires_at: T0.plus_seconds(3600),
                source_address: "127.0.0.1",
                user_agent: "test",
            },
            &audit(),
            T0,
        )
        .await
        .expect("session");
    let found = store
        .sessions()
        .session_user(&digest, T0.plus_seconds(10))
        .await
        .expect("open");
    assert_eq!(found.user.id, user.id);
    assert!(
        matches!(
            store
                .sessions()
                .session_user(&digest, T0.plus_seconds(3601))
                .await,
            Err(StoreError::NotFound)
        ),
        "expired"
    );
    assert!(
        matches!(
            store.sessions().session_user(&[8u8; 32], T0).await,
            Err(StoreError::NotFound)
        ),
        "unknown"
    );
    assert!(
        store
            .sessions()
            .revoke_session(&digest, Some(&audit()), T0.plus_seconds(20))
            .await
            .expect("revoke")
    );
    assert!(
        !store
            .sessions()
            .revoke_session(&digest, Some(&audit()), T0.plus_seconds(21))
            .await
            .expect("revoke twice")
    );
    assert!(matches!(
        store
            .sessions()
            .session_user(&digest, T0.plus_seconds(30))
            .await,
        Err(StoreError::NotFound)
    ));
});

contract_test!(
    deactivation_ends_sessions_and_tokens_at_once,
    |store| async move {
        let user = add_user(&store, "jane@example.com", "jane")
            .await
            .expect("create");
        let session = [1u8; 32];
        let token = [2u8; 32];
        store
            .sessions()
            .create_session(
                &NewSession {
                    user_id: user.id,
                    token_digest: &session,
                    expires_at: T0.plus_seconds(3600),
                    source_address: "::1",
                    user_agent: "t",
                },
                &audit(),
                T0,
            )
            .await
            .expect("session");
        store
            .tokens()
            .create_api_token(user.id, "ci", &token, &audit(), T0)
            .await
            .expect("token");
        assert_eq!(
            store
                .sessions()
                .open_session_count(user.id, T0)
                .await
                .expect("count"),
            1
        );
        let after = store
            .users()
            .deactivate_user(user.id, &audit(), T0.plus_seconds(5))
            .await
            .expect("deactivate");
        assert!(!after.active);
        assert_eq!(
            store
                .sessions()
                .open_session_count(user.id, T0)
                .await
                .expect("count"),
            0
        );
        assert!(matches!(
            store
                .sessions()
                .session_user(&session, T0.plus_seconds(6))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.tokens().token_user(&token).await,
            Err(StoreError::NotFound)
        ));
    }
);

contract_test!(a_password_reset_ends_every_session, |store| async move {
    let user = add_user(&store, "jane@example.com", "jane")
        .await
        .expect("create");
    let session = [3u8; 32];
    store
        .sessions()
        .create_session(
            &NewSession {
                user_id: user.id,
                token_digest: &session,
                expires_at: T0.plus_seconds(3600),
                source_address: "::1",
                user_agent: "t",
            },
            &audit(),
            T0,
        )
        .await
        .expect("session");
    store
        .users()
        .set_password_hash(user.id, "$argon2id$new", &audit(), T0.plus_seconds(1))
        .await
        .expect("reset");
    assert!(matches!(
        store
            .sessions()
            .session_user(&session, T0.plus_seconds(2))
            .await,
        Err(StoreError::NotFound)
    ));
    let (_, hash) = store
        .users()
        .user_for_sign_in(&Email::parse("jane@example.com").expect("e"))
        .await
        .expect("found");
    assert_eq!(hash, "$argon2id$new");
    assert!(matches!(
        store
            .users()
            .set_password_hash(9999, "x", &audit(), T0)
            .await,
        Err(StoreError::NotFound)
    ));
});

contract_test!(tokens_belong_to_their_owner, |store| async move {
    let jane = add_user(&store, "jane@example.com", "jane")
        .await
        .expect("jane");
    let omar = add_user(&store, "omar@example.com", "omar")
        .await
        .expect("omar");
    let t = store
        .tokens()
        .create_api_token(jane.id, "laptop", &[9u8; 32], &audit(), T0)
        .await
        .expect("token");
    let (found, owner) = store.tokens().token_user(&[9u8; 32]).await.expect("lookup");
    assert_eq!((found.id, owner.id), (t.id, jane.id));
    assert!(
        matches!(
            store
                .tokens()
                .revoke_api_token(omar.id, t.id, &audit(), T0)
                .await,
            Err(StoreError::NotFound)
        ),
        "not omar's to revoke"
    );
    assert!(
        store.tokens().token_user(&[9u8; 32]).await.is_ok(),
        "still valid after omar's attempt"
    );
    store
        .tokens()
        .revoke_api_token(jane.id, t.id, &audit(), T0)
        .await
        .expect("revoke");
    assert!(matches!(
        store.tokens().token_user(&[9u8; 32]).await,
        Err(StoreError::NotFound)
    ));
    let listed = store.tokens().list_api_tokens(jane.id).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
    assert!(matches!(
        store
            .tokens()
            .create_api_token(omar.id, "dup", &[9u8; 32], &audit(), T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
});

contract_test!(
    sign_in_failures_are_counted_per_email_and_address,
    |store| async move {
        for i in 0..3 {
            store
                .sign_in_failures()
                .record_sign_in_failure(
                    "jane@example.com",
                    "10.0.0.1",
                    &audit(),
                    T0.plus_seconds(i),
                    T0,
                )
                .await
                .expect("record");
        }
        store
            .sign_in_failures()
            .record_sign_in_failure(
                "omar@example.com",
                "10.0.0.1",
                &audit(),
                T0.plus_seconds(5),
                T0,
            )
            .await
            .expect("record");
        let f = store
            .sign_in_failures()
            .recent_sign_in_failures("jane@example.com", "10.0.0.1", T0)
            .await
            .expect("count");
        assert_eq!((f.for_email, f.from_address), (3, 4));
        assert_eq!(f.oldest_for_email, Some(T0.micros()));
        let later = store
            .sign_in_failures()
            .recent_sign_in_failures("jane@example.com", "10.0.0.2", T0.plus_seconds(2))
            .await
            .expect("count");
        assert_eq!((later.for_email, later.from_address), (1, 0));
        store
            .sign_in_failures()
            .clear_sign_in_failures("jane@example.com")
            .await
            .expect("clear");
        let f = store
            .sign_in_failures()
            .recent_sign_in_failures("jane@example.com", "10.0.0.1", T0)
            .await
            .expect("count");
        assert_eq!((f.for_email, f.from_address), (0, 1));
    }
);

contract_test!(
    roles_change_and_unknown_users_are_not_found,
    |store| async move {
        let user = add_user(&store, "jane@example.com", "jane")
            .await
            .expect("create");
        assert_eq!(
            store
                .users()
                .set_role(user.id, Role::Admin, &audit(), T0)
                .await
                .expect("promote")
                .role,
            Role::Admin
        );
        assert!(matches!(
            store
                .users()
                .set_role(424242, Role::Admin, &audit(), T0)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.users().user_by_id(424242).await,
            Err(StoreError::NotFound)
        ));
    }
);

async fn append_n(store: &Store, n: i64) {
    for i in 0..n {
        let entry = AuditEntry::new(Some(i), "test.action", format!("thing:{i}"), "10.0.0.1");
        store
            .audit()
            .append_audit(&entry, T0.plus_seconds(i))
            .await
            .expect("append");
    }
}

contract_test!(the_audit_chain_verifies_when_intact, |store| async move {
    append_n(&store, 25).await;
    let v = store.audit().verify_audit().await.expect("verify");
    assert_eq!((v.checked, v.first_break), (25, None));
    let events = store.audit().audit_events(20, 100).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [21, 22, 23, 24, 25]
    );
});

contract_test!(an_altered_audit_event_is_named, |store| async move {
    append_n(&store, 10).await;
    byline_store::testing::execute_raw(
        &store,
        "UPDATE audit_events SET target = 'thing:999' WHERE seq = 4",
    )
    .await;
    let v = store.audit().verify_audit().await.expect("verify");
    assert_eq!(v.checked, 3);
    assert_eq!(
        v.first_break.as_deref(),
        Some("event 4 was altered after it was written")
    );
});

contract_test!(a_deleted_audit_event_is_named, |store| async move {
    append_n(&store, 10).await;
    byline_store::testing::execute_raw(&store, "DELETE FROM audit_events WHERE seq = 6").await;
    let v = store.audit().verify_audit().await.expect("verify");
    assert_eq!(
        v.first_break.as_deref(),
        Some("event 6 is missing (found 7 instead)")
    );
});

contract_test!(
    cutting_off_the_newest_audit_events_is_noticed,
    |store| async move {
        append_n(&store, 10).await;
        byline_store::testing::execute_raw(&store, "DELETE FROM audit_events WHERE seq > 8").await;
        let v = store.audit().verify_audit().await.expect("verify");
        assert_eq!(v.checked, 8);
        assert!(
            v.first_break
                .as_deref()
                .is_some_and(|b| b.contains("event 9 is missing")),
            "{v:?}"
        );
    }
);

contract_test!(reordered_audit_events_are_noticed, |store| async move {
    append_n(&store, 10).await;
    // Swap the contents (and hashes) of events 3 and 4, keeping the numbers.
    for sql in [
        "UPDATE audit_events SET seq = -3 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = -3",
    ] {
        byline_store::testing::execute_raw(&store, sql).await;
    }
    let v = store.audit().verify_audit().await.expect("verify");
    assert_eq!(v.checked, 2);
    assert_eq!(
        v.first_break.as_deref(),
        Some("event 3 does not link to the event before it (reordered or replaced)")
    );
});

contract_test!(
    concurrent_appends_form_one_unbroken_chain,
    |store| async move {
        let mut tasks = Vec::new();
        for t in 0..8 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let entry =
                        AuditEntry::new(Some(t), "test.concurrent", format!("t{t}:{i}"), "::1");
                    s.audit().append_audit(&entry, T0).await.expect("append");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let v = store.audit().verify_audit().await.expect("verify");
        assert_eq!((v.checked, v.first_break), (80, None));
    }
);

contract_test!(
    account_changes_are_audited_in_the_same_transaction,
    |store| async move {
        let user = add_user(&store, "jane@example.com", "jane")
            .await
            .expect("create");
        store
            .users()
            .deactivate_user(
                user.id,
                &AuditEntry::new(
                    Some(99),
                    "user.deactivate",
                    format!("user:{}", user.id),
                    "10.1.1.1",
                ),
                T0,
            )
            .await
            .expect("deactivate");
        // A refused change (unknown user) writes no audit event either.
        assert!(
            store
                .users()
                .set_role(424242, Role::Admin, &audit(), T0)
                .await
                .is_err()
        );
        let events = store.audit().audit_events(0, 10).await.expect("events");
        let actions: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e.action.as_str(), e.target.as_str()))
            .collect();
        assert_eq!(
            actions,
            [("test.action", "user:1"), ("user.deactivate", "user:1")]
        );
        assert_eq!(events[1].source_address, "10.1.1.1");
        assert_eq!(
            store
                .audit()
                .verify_audit()
                .await
                .expect("verify")
                .first_break,
            None
        );
    }
);
