//! Remembered credentials (`credentials.rs`): whatever takes access away,
//! in this process or another one on the same database, refuses the very
//! next lookup; writes that keep access are seen at once where they were
//! made.

use byline_core::Role;
use byline_store::testing::another_process;
use byline_store::{Store, StoreError, contract_test, sessions::NewSession};

mod common;
use common::{T0, add_user, audit};

const SESSION: [u8; 32] = [41u8; 32];
const TOKEN: [u8; 32] = [42u8; 32];

/// A staff member with a session and a token, each looked up once (so
/// remembered where the backend remembers).
async fn signed_in(store: &Store, email: &str, handle: &str) -> byline_store::users::User {
    let user = add_user(store, email, handle).await.expect("user");
    store
        .sessions()
        .create_session(
            &NewSession {
                user_id: user.id,
                token_digest: &SESSION,
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
        .create_api_token(user.id, "ci", &TOKEN, &audit(), T0)
        .await
        .expect("token");
    for _ in 0..2 {
        store
            .sessions()
            .session_user(&SESSION, T0.plus_seconds(1))
            .await
            .expect("session works");
        store
            .tokens()
            .token_user(&TOKEN)
            .await
            .expect("token works");
    }
    user
}

fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "{what}: expected refusal, got {r:?}"
    );
}

contract_test!(
    a_token_revoked_in_another_process_is_refused_at_once,
    |store| async move {
        let user = signed_in(&store, "jane@example.com", "jane").await;
        let other = another_process(&store);
        let (token, _) = other.tokens().token_user(&TOKEN).await.expect("there too");
        other
            .tokens()
            .revoke_api_token(user.id, token.id, &audit(), T0.plus_seconds(2))
            .await
            .expect("revoke");
        refused(store.tokens().token_user(&TOKEN).await, "revoked token");
        refused(
            other.tokens().token_user(&TOKEN).await,
            "revoked token, there",
        );
        store
            .sessions()
            .session_user(&SESSION, T0.plus_seconds(3))
            .await
            .expect("the session is another credential and still works");
    }
);

contract_test!(
    a_sign_out_in_another_process_is_refused_at_once,
    |store| async move {
        signed_in(&store, "jane@example.com", "jane").await;
        let other = another_process(&store);
        assert!(
            other
                .sessions()
                .revoke_session(&SESSION, Some(&audit()), T0.plus_seconds(2))
                .await
                .expect("sign out")
        );
        refused(
            store
                .sessions()
                .session_user(&SESSION, T0.plus_seconds(3))
                .await,
            "signed-out session",
        );
    }
);

contract_test!(
    deactivation_in_another_process_refuses_both_credentials_at_once,
    |store| async move {
        let user = signed_in(&store, "jane@example.com", "jane").await;
        another_process(&store)
            .users()
            .deactivate_user(user.id, &audit(), T0.plus_seconds(2))
            .await
            .expect("deactivate");
        refused(
            store
                .sessions()
                .session_user(&SESSION, T0.plus_seconds(3))
                .await,
            "deactivated user's session",
        );
        refused(
            store.tokens().token_user(&TOKEN).await,
            "deactivated user's token",
        );
    }
);

contract_test!(
    a_password_reset_in_another_process_ends_the_session_at_once,
    |store| async move {
        let user = signed_in(&store, "jane@example.com", "jane").await;
        another_process(&store)
            .users()
            .set_password_hash(user.id, "$argon2id$new", &audit(), T0.plus_seconds(2))
            .await
            .expect("reset");
        refused(
            store
                .sessions()
                .session_user(&SESSION, T0.plus_seconds(3))
                .await,
            "session after a password reset",
        );
    }
);

contract_test!(
    a_role_change_in_another_process_is_seen_at_once,
    |store| async move {
        let user = signed_in(&store, "jane@example.com", "jane").await;
        let promoted = another_process(&store)
            .users()
            .set_role(user.id, Role::Admin, &audit(), T0.plus_seconds(2))
            .await
            .expect("promote");
        assert_eq!(promoted.role, Role::Admin);
        let found = store
            .sessions()
            .session_user(&SESSION, T0.plus_seconds(3))
            .await
            .expect("session");
        assert_eq!(
            found.user.role,
            Role::Admin,
            "the session carries the new role"
        );
        let (_, owner) = store.tokens().token_user(&TOKEN).await.expect("token");
        assert_eq!(owner.role, Role::Admin, "the token carries the new role");
    }
);

contract_test!(
    a_remembered_session_still_expires_and_keeps_its_touch,
    |store| async move {
        signed_in(&store, "jane@example.com", "jane").await;
        store
            .sessions()
            .touch_session(&SESSION, T0.plus_seconds(100), T0.plus_seconds(7200))
            .await
            .expect("touch");
        let found = store
            .sessions()
            .session_user(&SESSION, T0.plus_seconds(5000))
            .await
            .expect("the pushed-back expiry holds");
        assert_eq!(found.last_seen_at, T0.plus_seconds(100));
        let there = another_process(&store)
            .sessions()
            .session_user(&SESSION, T0.plus_seconds(5000))
            .await
            .expect("the database agrees");
        assert_eq!(there.last_seen_at, T0.plus_seconds(100));
        refused(
            store
                .sessions()
                .session_user(&SESSION, T0.plus_seconds(7201))
                .await,
            "expired session",
        );
    }
);
