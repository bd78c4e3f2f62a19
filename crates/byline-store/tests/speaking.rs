//! The one speak function against what can change under it: a member's
//! removal, their deactivation, their shift being taken off the roster or
//! running out. Each race runs on SQLite and on PostgreSQL; either a post
//! commits with its byline while the member still held the right, or it is
//! refused and audited. Never a post after the change committed.

use byline_core::policy::Denial;
use byline_core::shared_profile::{AttributionPolicy, ProfileRole};
use byline_core::{DisplayName, Email, Handle, Role, Timestamp};
use byline_store::audit::{AuditEntry, AuditEvent};
use byline_store::feed::Window;
use byline_store::posts::{NewPost, PostContent};
use byline_store::rosters::NewShift;
use byline_store::speak::{Spoken, Utterance, Voice};
use byline_store::users::NewUser;
use byline_store::{Store, StoreError, contract_test};

/// 2026-09-22T00:00:00Z.
const T0: Timestamp = Timestamp(1_790_035_200_000_000);
const SPEAKERS: usize = 4;
const POSTS_EACH: usize = 60;

fn audit(action: &'static str) -> AuditEntry {
    AuditEntry::new(None, action, "test".into(), "127.0.0.1")
}

async fn add_user(store: &Store, handle: &str) -> i64 {
    let email = Email::parse(&format!("{handle}@example.com")).expect("email");
    let handle = Handle::parse(handle).expect("handle");
    let name = DisplayName::parse("Test Person").expect("name");
    store
        .users()
        .create_user(
            &NewUser {
                email: &email,
                display_name: &name,
                handle: &handle,
                password_hash: "$argon2id$x",
                role: Role::Staff,
            },
            &audit("user.create"),
            T0,
        )
        .await
        .expect("user")
        .id
}

/// A sealed profile with one editor switched in; returns (profile, editor,
/// acting session).
async fn profile_with_editor(store: &Store) -> (i64, i64, i64) {
    let editor = add_user(store, "jane").await;
    let profile = store
        .shared_profiles()
        .create_shared_profile(
            &Handle::parse("helpdesk").expect("handle"),
            &DisplayName::parse("Help desk").expect("name"),
            AttributionPolicy::Sealed,
            &audit("profile.create"),
            T0,
        )
        .await
        .expect("profile");
    store
        .shared_profiles()
        .set_profile_member(
            profile,
            editor,
            Some(ProfileRole::Editor),
            &audit("profile.member_set"),
            T0,
        )
        .await
        .expect("member");
    let session = store
        .shared_profiles()
        .start_acting(
            editor,
            profile,
            "127.0.0.1",
            "test",
            &audit("acting.start"),
            T0,
        )
        .await
        .expect("acting");
    (profile, editor, session)
}

async fn post_as(
    store: &Store,
    voice: &Voice<'_>,
    text: &str,
    at: Timestamp,
) -> Result<Spoken, StoreError> {
    let html = format!("<p>{text}</p>");
    let new = NewPost {
        community_id: None,
        reply_to: None,
        content: PostContent {
            body: text,
            body_html: &html,
            mentioned_profile_ids: &[],
            tags: &[],
        },
        attachment_ids: &[],
        intake: &[],
    };
    store.speak(voice, Utterance::Post(&new), at).await
}

/// Posts as the profile from several tasks at once, each until refused or
/// done; returns how many were accepted and refused.
async fn speak_until_refused(
    store: &Store,
    profile: i64,
    editor: i64,
    session: i64,
    at: impl Fn(usize) -> Timestamp + Copy + Send + 'static,
) -> (usize, usize) {
    let mut tasks = Vec::new();
    for t in 0..SPEAKERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let voice = Voice::new(editor, profile, session, "127.0.0.1");
            let (mut ok, mut refused) = (0, 0);
            for i in 0..POSTS_EACH {
                let n = t * POSTS_EACH + i;
                match post_as(&store, &voice, &format!("post {t}-{i}"), at(n)).await {
                    Ok(Spoken::Post(_)) => ok += 1,
                    Ok(other) => panic!("a post came back as {other:?}"),
                    Err(StoreError::SpeechRefused(_)) => refused += 1,
                    Err(e) => panic!("speaking failed: {e}"),
                }
                tokio::task::yield_now().await;
            }
            (ok, refused)
        }));
    }
    let mut totals = (0, 0);
    for task in tasks {
        let (ok, refused) = task.await.expect("speaker task");
        totals.0 += ok;
        totals.1 += refused;
    }
    totals
}

async fn all_events(store: &Store) -> Vec<AuditEvent> {
    store.audit().audit_events(0, 100_000).await.expect("audit")
}

/// Checks what a race left behind: every accepted post is in the log once,
/// before `change` and with its byline; every refusal is audited; the
/// posts table holds exactly the accepted posts.
async fn check_outcome(store: &Store, profile: i64, change: &str, ok: usize, refused: usize) {
    let events = all_events(store).await;
    let change_seq = events
        .iter()
        .find(|e| e.action == change)
        .map(|e| e.seq)
        .unwrap_or_else(|| panic!("no {change} event"));
    let spoken: Vec<&AuditEvent> = events
        .iter()
        .filter(|e| e.action == "post.create_as_profile")
        .collect();
    assert_eq!(spoken.len(), ok, "one audit event per accepted post");
    for e in &spoken {
        assert!(
            e.seq < change_seq,
            "post audited as event {} after {change} (event {change_seq}) committed",
            e.seq
        );
        assert_eq!(e.profile_id, Some(profile));
        assert!(e.details.contains("\"policy\":\"sealed\""), "{}", e.details);
    }
    let refusals = events
        .iter()
        .filter(|e| e.action == "speak.refused")
        .count();
    assert_eq!(refusals, refused, "every refusal is audited");
    assert!(
        refused > 0,
        "the change took effect before the speakers ran out"
    );
    let window = Window {
        before: i64::MAX,
        limit: 1_000,
    };
    let stored = store
        .feeds()
        .profile_feed(profile, profile, window)
        .await
        .expect("timeline")
        .posts
        .len();
    assert_eq!(stored, ok, "exactly the accepted posts are stored");
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

/// Races speakers posting as the profile against `change` (started a
/// moment after them), then checks what it left behind; `action` is the
/// audit action the change records.
async fn race(
    store: &Store,
    (profile, editor, session): (i64, i64, i64),
    action: &str,
    change: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let changer = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        change.await;
    });
    let (ok, refused) = speak_until_refused(store, profile, editor, session, |n| {
        T0.plus_seconds(1 + n as i64 / 100)
    })
    .await;
    changer.await.expect("the change");
    check_outcome(store, profile, action, ok, refused).await;
}

contract_test!(
    a_post_racing_the_members_removal_commits_before_it_or_is_refused,
    |store| async move {
        let who = profile_with_editor(&store).await;
        let (profile, editor, _) = who;
        let s = store.clone();
        race(&store, who, "profile.member_remove", async move {
            s.shared_profiles()
                .set_profile_member(profile, editor, None, &audit("profile.member_remove"), T0)
                .await
                .expect("remove");
        })
        .await;
    }
);

contract_test!(
    a_post_racing_the_members_deactivation_commits_before_it_or_is_refused,
    |store| async move {
        let who = profile_with_editor(&store).await;
        let s = store.clone();
        race(&store, who, "user.deactivate", async move {
            s.users()
                .deactivate_user(who.1, &audit("user.deactivate"), T0)
                .await
                .expect("deactivate");
        })
        .await;
    }
);

/// Makes the profile shift-only with the editor on one shift covering
/// 2026-09-22 (UTC); returns the shift's id.
async fn one_day_shift(store: &Store, profile: i64, editor: i64) -> i64 {
    store
        .rosters()
        .set_shift_only(profile, true, &audit("roster.shift_only"), T0)
        .await
        .expect("shift only");
    store
        .rosters()
        .add_shift(
            &NewShift {
                profile_id: profile,
                user_id: editor,
                time_zone: "UTC",
                starts_local: "2026-09-22T00:00",
                ends_local: "2026-09-23T00:00",
                recurrence: None,
                note: "",
                first_start: T0,
                created_by: editor,
            },
            |_| None,
            &audit("roster.add"),
            T0,
        )
        .await
        .expect("shift")
}

contract_test!(
    a_post_racing_the_removal_of_the_members_shift_commits_before_it_or_is_refused,
    |store| async move {
        let who = profile_with_editor(&store).await;
        let (profile, editor, _) = who;
        let shift = one_day_shift(&store, profile, editor).await;
        let s = store.clone();
        race(&store, who, "roster.remove", async move {
            // Taken off the roster as of the start of the day, so no later
            // post is covered by it.
            assert!(
                s.rosters()
                    .remove_shift(profile, shift, &audit("roster.remove"), T0)
                    .await
                    .expect("remove shift")
            );
        })
        .await;
    }
);

contract_test!(
    posts_after_the_shift_ends_are_refused_as_off_shift,
    |store| async move {
        let (profile, editor, _) = profile_with_editor(&store).await;
        one_day_shift(&store, profile, editor).await;
        let end = T0.plus_seconds(86_400);
        let session = store
            .shared_profiles()
            .start_acting(
                editor,
                profile,
                "127.0.0.1",
                "test",
                &audit("acting.start"),
                end.plus_seconds(-10),
            )
            .await
            .expect("acting");
        let voice = Voice::new(editor, profile, session, "127.0.0.1");
        // Each post keeps the session alive (it idles out after 30 min).
        let mut at = end.plus_seconds(-3);
        for expected_ok in [true, true, true, false, false] {
            let outcome = post_as(&store, &voice, "last call", at).await;
            match (expected_ok, outcome) {
                (true, Ok(Spoken::Post(_))) => {}
                (false, Err(StoreError::SpeechRefused(Denial::OffShift))) => {}
                (_, other) => panic!("at {at:?}: {other:?}"),
            }
            at = at.plus_seconds(1);
        }
        let refusal = all_events(&store)
            .await
            .into_iter()
            .rfind(|e| e.action == "speak.refused")
            .expect("the refusal is audited");
        assert!(
            refusal.details.contains("\"off_shift\":true"),
            "{}",
            refusal.details
        );
    }
);
