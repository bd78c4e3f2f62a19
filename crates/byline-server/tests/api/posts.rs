//! Posting, threads, edits, deletion, reactions, follows, timelines and
//! notifications.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn handles(page: &Value) -> Vec<String> {
    page["posts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

app_test!(
    a_post_renders_markdown_and_links_mentions_and_tags,
    |app| async move {
        let sam = app.staff_client().await;
        let r = app.post_json(&sam, "/api/v1/posts", json!({"text": "**Wifi** is back, thanks @ada and @nobody! #WiFi <script>x</script>"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let post: Value = r.json().await.expect("json");
        let html = post["html"].as_str().expect("html");
        assert!(html.contains("<strong>Wifi</strong>"));
        assert!(html.contains("href=\"/profiles/ada\""), "{html}");
        assert!(
            !html.contains("/profiles/nobody"),
            "unknown handles stay text"
        );
        assert!(html.contains("href=\"/tags/wifi\""));
        assert!(!html.contains("<script>"));
        assert_eq!(post["author"]["handle"], "sam");

        let ada = app.admin_client().await;
        let notes = app.json(&ada, "/api/v1/me/notifications").await;
        assert_eq!(notes["unread"], 1);
        assert_eq!(notes["notifications"][0]["kind"], "mention");
        assert_eq!(notes["notifications"][0]["post"], post["id"]);
        let tagged = app.json(&ada, "/api/v1/tags/wifi/posts").await;
        assert_eq!(tagged["posts"][0]["id"], post["id"]);
        let r = app
            .post_json(&ada, "/api/v1/me/notifications/read", json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.json(&ada, "/api/v1/me/notifications").await["unread"],
            0
        );
    }
);

app_test!(
    empty_oversize_and_misdirected_posts_are_refused_and_write_nothing,
    |app| async move {
        let sam = app.staff_client().await;
        for body in [
            json!({"text": ""}),
            json!({"text": "   \n  "}),
            json!({"text": "x".repeat(5001)}),
            json!({"text": "hi", "reply_to": "999999"}),
            json!({"text": "hi", "reply_to": "not-an-id"}),
        ] {
            let r = app.post_json(&sam, "/api/v1/posts", body.clone()).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "hi", "community": "no-such-place"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "hi", "mood": "happy"}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown fields"
        );
        assert_eq!(
            app.json(&sam, "/api/v1/feeds/home").await["posts"]
                .as_array()
                .map(Vec::len),
            Some(0)
        );
        // Exactly 5,000 characters is fine.
        let r = app
            .post_json(&sam, "/api/v1/posts", json!({"text": "é".repeat(5000)}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
);

app_test!(
    replies_form_threads_and_deletion_leaves_a_tombstone,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let root = app
            .post(&sam, json!({"text": "Printer on floor 3 is jammed"}))
            .await;
        let reply = app
            .post(&ada, json!({"text": "On it", "reply_to": root}))
            .await;
        let nested = app
            .post(&sam, json!({"text": "Thanks!", "reply_to": reply}))
            .await;
        let thread = app
            .json(&ada, &format!("/api/v1/posts/{nested}/thread"))
            .await;
        let ids: Vec<&str> = thread["posts"]
            .as_array()
            .expect("posts")
            .iter()
            .map(|p| p["id"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(ids, [root.as_str(), reply.as_str(), nested.as_str()]);
        assert_eq!(thread["posts"][0]["reply_count"], 1);
        assert_eq!(thread["posts"][2]["thread_root"], root.as_str());
        // Sam was told about Ada's reply.
        let notes = app.json(&sam, "/api/v1/me/notifications").await;
        assert_eq!(notes["notifications"][0]["kind"], "reply");

        // Only the author deletes (no admin here is a moderator; admins may delete).
        assert_eq!(
            app.delete(&sam, &format!("/api/v1/posts/{reply}"))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.delete(&ada, &format!("/api/v1/posts/{reply}"))
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        let thread = app
            .json(&sam, &format!("/api/v1/posts/{root}/thread"))
            .await;
        assert_eq!(
            thread["posts"][1]["deleted"], true,
            "a tombstone keeps its place"
        );
        assert_eq!(thread["posts"][1]["text"], "");
        assert_eq!(thread["posts"][2]["text"], "Thanks!");
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "more", "reply_to": reply}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid",
            "no replies to deleted posts"
        );
    }
);

app_test!(edits_keep_every_earlier_version, |app| async move {
    let sam = app.staff_client().await;
    let id = app.post(&sam, json!({"text": "Meeting at 3"})).await;
    let r = app
        .patch_json(
            &sam,
            &format!("/api/v1/posts/{id}"),
            json!({"text": "Meeting at 4"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.patch_json(
        &sam,
        &format!("/api/v1/posts/{id}"),
        json!({"text": "Meeting at 5 #moved"}),
    )
    .await;
    let ada = app.admin_client().await;
    assert_eq!(
        app.patch_json(
            &ada,
            &format!("/api/v1/posts/{id}"),
            json!({"text": "hacked"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch_json(&sam, &format!("/api/v1/posts/{id}"), json!({"text": ""}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let history = app
        .json(&ada, &format!("/api/v1/posts/{id}/versions"))
        .await;
    assert_eq!(history["current"]["version"], 3);
    assert!(history["current"]["edited_at"].is_string());
    let earlier: Vec<&str> = history["earlier"]
        .as_array()
        .expect("earlier")
        .iter()
        .map(|v| v["html"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(earlier, ["<p>Meeting at 3</p>\n", "<p>Meeting at 4</p>\n"]);
    assert_eq!(
        app.json(&ada, "/api/v1/tags/moved/posts").await["posts"][0]["id"],
        id.as_str(),
        "tags follow edits"
    );
});

app_test!(each_profile_gives_each_reaction_once, |app| async move {
    let sam = app.staff_client().await;
    let ada = app.admin_client().await;
    let id = app.post(&sam, json!({"text": "Cake in the kitchen"})).await;
    for _ in 0..2 {
        assert_eq!(
            app.put(&ada, &format!("/api/v1/posts/{id}/reactions/heart"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let r = app
        .put(&sam, &format!("/api/v1/posts/{id}/reactions/%F0%9F%8E%89"))
        .await;
    let post: Value = r.json().await.expect("json");
    let tallies: Vec<(String, i64, bool)> = post["reactions"]
        .as_array()
        .expect("r")
        .iter()
        .map(|r| {
            (
                r["reaction"].as_str().unwrap_or_default().to_owned(),
                r["count"].as_i64().unwrap_or(0),
                r["mine"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        tallies,
        [("heart".to_owned(), 1, false), ("tada".to_owned(), 1, true)]
    );
    let r = app
        .put(&ada, &format!("/api/v1/posts/{id}/reactions/poop"))
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid"
    );
    app.delete(&ada, &format!("/api/v1/posts/{id}/reactions/heart"))
        .await;
    let post = app.json(&sam, &format!("/api/v1/posts/{id}")).await;
    assert_eq!(post["reactions"].as_array().map(Vec::len), Some(1));
    let notes = app.json(&sam, "/api/v1/me/notifications").await;
    assert_eq!(notes["notifications"][0]["kind"], "reaction");
});

app_test!(
    the_home_timeline_follows_follows_and_pages_by_cursor,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let omar = app.new_member("omar", "Omar Haddad").await;
        for i in 0..5 {
            app.post(&ada, json!({"text": format!("ada {i}")})).await;
            app.post(&omar, json!({"text": format!("omar {i}")})).await;
        }
        app.post(&sam, json!({"text": "sam 0"})).await;
        assert_eq!(
            handles(&app.json(&sam, "/api/v1/feeds/home").await),
            ["sam 0"]
        );
        assert_eq!(
            app.put(&sam, "/api/v1/profiles/ada/follow").await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.put(&sam, "/api/v1/profiles/sam/follow").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.put(&sam, "/api/v1/profiles/nobody/follow")
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let page1 = app.json(&sam, "/api/v1/feeds/home?limit=4").await;
        assert_eq!(handles(&page1), ["sam 0", "ada 4", "ada 3", "ada 2"]);
        let cursor = page1["next_cursor"].as_str().expect("cursor");
        let page2 = app
            .json(&sam, &format!("/api/v1/feeds/home?limit=4&before={cursor}"))
            .await;
        assert_eq!(handles(&page2), ["ada 1", "ada 0"]);
        assert!(page2.get("next_cursor").is_none());
        assert_eq!(
            app.get(&sam, "/api/v1/feeds/home?limit=101").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.get(&sam, "/api/v1/feeds/home?before=abc")
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let notes = app.json(&ada, "/api/v1/me/notifications").await;
        assert_eq!(notes["notifications"][0]["kind"], "follow");
        app.delete(&sam, "/api/v1/profiles/ada/follow").await;
        assert_eq!(
            handles(&app.json(&sam, "/api/v1/feeds/home").await),
            ["sam 0"]
        );
        let omars = app.json(&sam, "/api/v1/profiles/omar/posts?limit=2").await;
        assert_eq!(handles(&omars), ["omar 4", "omar 3"]);
    }
);
