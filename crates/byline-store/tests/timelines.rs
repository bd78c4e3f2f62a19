//! A home timeline is the same posts whichever plan reads it. The plan
//! (per followed profile, or walking all posts newest first) depends on
//! how many profiles the viewer follows, and the store remembers that
//! count for a while, so another server process may still use the other
//! plan after the count changed: both must give the same page.

use byline_core::{DisplayName, Email, Handle, Role, Timestamp};
use byline_store::audit::AuditEntry;
use byline_store::feed::Window;
use byline_store::posts::{NewPost, PostContent};
use byline_store::users::{NewUser, User};
use byline_store::{Store, contract_test, testing::another_process};

const T0: Timestamp = Timestamp(1_790_000_000_000_000);

async fn person(store: &Store, n: usize) -> User {
    store
        .users()
        .create_user(
            &NewUser {
                email: &Email::parse(&format!("p{n}@example.com")).expect("email"),
                display_name: &DisplayName::parse("Someone").expect("name"),
                handle: &Handle::parse(&format!("p{n}")).expect("handle"),
                password_hash: "$argon2id$x",
                role: Role::Staff,
            },
            &AuditEntry::new(None, "test.action", "test".into(), "127.0.0.1"),
            T0,
        )
        .await
        .expect("user")
}

async fn say(store: &Store, user: &User, at: Timestamp) -> i64 {
    store
        .posts()
        .create_post(
            user.id,
            &NewPost {
                community_id: None,
                reply_to: None,
                content: PostContent {
                    body: "words",
                    body_html: "<p>words</p>",
                    mentioned_profile_ids: &[],
                    tags: &[],
                },
                attachment_ids: &[],
                intake: &[],
            },
            at,
        )
        .await
        .expect("post")
        .id
}

async fn page(store: &Store, viewer: i64) -> Vec<i64> {
    let w = Window {
        before: i64::MAX,
        limit: 30,
    };
    let page = store.feeds().home_feed(viewer, w).await.expect("home");
    page.posts.iter().map(|p| p.id).collect()
}

contract_test!(
    a_home_timeline_is_the_same_whichever_plan_reads_it,
    |store| async move {
        let viewer = person(&store, 0).await;
        let mut authors = Vec::new();
        for n in 1..=130 {
            authors.push(person(&store, n).await);
        }
        let mut said = Vec::new();
        for (i, a) in authors.iter().enumerate() {
            said.push(say(&store, a, T0.plus_seconds(i as i64)).await);
        }
        let own = say(&store, &viewer, T0.plus_seconds(500)).await;
        // 40 follows: the per-profile plan, remembered by this process.
        for a in authors.iter().step_by(2).take(40) {
            store
                .follows()
                .follow(viewer.profile_id, a.profile_id, T0)
                .await
                .expect("follow");
        }
        let few = page(&store, viewer.profile_id).await;
        assert_eq!(few.len(), 30);
        assert_eq!(few[0], own, "own post first");
        // Another process makes the viewer follow all 130 authors: past
        // the threshold, but this process still remembers "few".
        let other = another_process(&store);
        for a in &authors {
            other
                .follows()
                .follow(viewer.profile_id, a.profile_id, T0)
                .await
                .expect("follow");
        }
        let stale = page(&store, viewer.profile_id).await;
        let fresh = page(&other, viewer.profile_id).await;
        assert_eq!(stale, fresh, "both plans give the same page");
        // Their own post, then the 29 newest of everyone they follow.
        let mut expected = vec![own];
        expected.extend(said.iter().rev().take(29));
        assert_eq!(fresh, expected);
        assert_ne!(few, expected, "the page changed with the follows");
    }
);
