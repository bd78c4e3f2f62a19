//! Ranked full-text search finds what the viewer may read even when the
//! best-ranked matches are hidden from them, on both backends.

mod common;
use common::{T0, add_user};

use byline_core::community::{Slug, Visibility};
use byline_core::search::SearchQuery;
use byline_store::contract_test;
use byline_store::posts::{NewPost, PostContent};

contract_test!(
    hidden_best_matches_do_not_hide_the_readable_ones,
    |store| async move {
        let owner = add_user(&store, "owner@example.com", "owner")
            .await
            .expect("owner");
        let reader = add_user(&store, "reader@example.com", "reader")
            .await
            .expect("reader");
        let secret = store
            .communities()
            .create_community(
                &Slug::parse("hush").expect("slug"),
                "Hush",
                "",
                Visibility::Secret,
                owner.profile_id,
                T0,
            )
            .await
            .expect("community");
        let post = |text: &'static str, community: Option<i64>| {
            let store = store.clone();
            async move {
                store
                    .posts()
                    .create_post(
                        owner.id,
                        &NewPost {
                            community_id: community,
                            reply_to: None,
                            content: PostContent {
                                body: text,
                                body_html: text,
                                mentioned_profile_ids: &[],
                                tags: &[],
                            },
                            attachment_ids: &[],
                            intake: &[],
                        },
                        T0,
                    )
                    .await
                    .expect("post")
                    .id
            }
        };
        // The secret posts say the word three times in few words, so they
        // rank first; the readable ones say it once among many.
        for _ in 0..100 {
            post("wombat wombat wombat", Some(secret)).await;
        }
        let mut readable = Vec::new();
        for _ in 0..5 {
            readable.push(
                post(
                    "a long note about the garden, the weather and a wombat seen near the gate",
                    None,
                )
                .await,
            );
        }
        let q = SearchQuery::parse("wombat").expect("query");
        let hits = store
            .search()
            .search_posts(&q, reader.profile_id, 20)
            .await
            .expect("search");
        let mut found: Vec<i64> = hits.iter().map(|h| h.post_id).collect();
        found.sort_unstable();
        assert_eq!(found, readable, "exactly the readable matches");
        // The owner, a member, sees the secret ones first: still ranked.
        let hits = store
            .search()
            .search_posts(&q, owner.profile_id, 20)
            .await
            .expect("search");
        assert_eq!(hits.len(), 20);
        assert!(
            hits.iter().all(|h| !readable.contains(&h.post_id)),
            "the denser matches rank above the readable ones"
        );
    }
);
