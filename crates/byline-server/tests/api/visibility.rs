//! Visibility is the heart of the social network: for every read route, an
//! outsider sees nothing of a closed or secret community, while members see
//! it all. Admin rank grants nothing here.

use crate::app_test;
use crate::helpers::TestApp;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct World {
    owner: Client,
    outsiders: Vec<(&'static str, Client)>,
    open_post: String,
    closed_post: String,
    secret_post: String,
    secret_reply: String,
    /// The secret community's short name (it carries a random suffix).
    exec: String,
}

/// Sam owns an open, a closed and a secret community and posts in each,
/// mentioning the outsiders and tagging #quarterly; the outsiders follow him.
async fn world(app: &TestApp) -> World {
    let owner = app.staff_client().await;
    let mut exec = String::new();
    for (slug, vis) in [
        ("lounge", "open"),
        ("hr-private", "closed"),
        ("exec", "secret"),
    ] {
        let r = app
            .post_json(
                &owner,
                "/api/v1/communities",
                json!({"slug": slug, "name": format!("The {slug}"), "visibility": vis}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let made: Value = r.json().await.expect("json");
        if vis == "secret" {
            exec = made["slug"].as_str().expect("slug").to_owned();
        }
    }
    let admin = app.admin_client().await;
    let omar = app.new_member("omar", "Omar Outsider").await;
    for c in [&admin, &omar] {
        assert_eq!(
            app.put(c, "/api/v1/profiles/sam/follow").await.status(),
            StatusCode::NO_CONTENT
        );
    }
    let text = |place: &str| json!({"text": format!("{place}: @ada @omar see #quarterly numbers"), "community": place});
    let open_post = app.post(&owner, text("lounge")).await;
    let closed_post = app.post(&owner, text("hr-private")).await;
    let secret_post = app.post(&owner, text(&exec)).await;
    let secret_reply = app
        .post(
            &owner,
            json!({"text": "reply mentioning @omar #quarterly", "reply_to": secret_post}),
        )
        .await;
    app.put(
        &owner,
        &format!("/api/v1/posts/{secret_post}/reactions/heart"),
    )
    .await;
    World {
        owner,
        outsiders: vec![("admin", admin), ("staff", omar)],
        open_post,
        closed_post,
        secret_post,
        secret_reply,
        exec,
    }
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

app_test!(
    outsiders_see_nothing_of_closed_and_secret_communities,
    |app| async move {
        let w = world(app).await;
        let hidden = [&w.closed_post, &w.secret_post, &w.secret_reply];
        let nonexistent = app
            .get(&w.owner, "/api/v1/communities/no-such-thing")
            .await
            .text()
            .await
            .expect("body");
        for (who, c) in &w.outsiders {
            // The community list names open and closed communities, never the secret one.
            let list = app.json(c, "/api/v1/communities").await;
            let slugs: Vec<&str> = list["communities"]
                .as_array()
                .expect("list")
                .iter()
                .map(|c| c["slug"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(slugs.len(), 2, "{who}: {slugs:?}");
            assert!(!list.to_string().contains("exec"), "{who}");

            // Every route about the secret community answers exactly like a community that does not exist.
            for path in [
                format!("/api/v1/communities/{}", w.exec),
                format!("/api/v1/communities/{}/posts", w.exec),
                format!("/api/v1/communities/{}/members", w.exec),
                format!("/api/v1/communities/{}/requests", w.exec),
            ] {
                let r = app.get(c, &path).await;
                assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who} {path}");
                let body = r.text().await.expect("body");
                assert_eq!(
                    strip_request_id(&body),
                    strip_request_id(&nonexistent),
                    "{who} {path}: same error as for nothing"
                );
            }
            for action in ["join", "leave"] {
                let r = c
                    .post(app.url(&format!("/api/v1/communities/{}/{action}", w.exec)))
                    .send()
                    .await
                    .expect("send");
                assert!(
                    matches!(r.status(), StatusCode::NOT_FOUND),
                    "{who} {action}: {}",
                    r.status()
                );
            }
            let r = app
                .post_json(
                    c,
                    "/api/v1/posts",
                    json!({"text": "hi", "community": w.exec}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who} posting into exec");

            // Closed: visible, but its content is not.
            assert_eq!(
                app.get(c, "/api/v1/communities/hr-private").await.status(),
                StatusCode::OK
            );
            assert_eq!(
                app.get(c, "/api/v1/communities/hr-private/posts")
                    .await
                    .status(),
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                app.get(c, "/api/v1/communities/hr-private/members")
                    .await
                    .status(),
                StatusCode::FORBIDDEN
            );

            // Hidden posts are not found on any post route; replying and reacting fail like for a missing post.
            for id in hidden {
                for suffix in ["", "/thread", "/versions"] {
                    assert_eq!(
                        app.get(c, &format!("/api/v1/posts/{id}{suffix}"))
                            .await
                            .status(),
                        StatusCode::NOT_FOUND,
                        "{who} {id}{suffix}"
                    );
                }
                assert_eq!(
                    app.put(c, &format!("/api/v1/posts/{id}/reactions/heart"))
                        .await
                        .status(),
                    StatusCode::NOT_FOUND
                );
                assert_eq!(
                    app.patch_json(c, &format!("/api/v1/posts/{id}"), json!({"text": "x"}))
                        .await
                        .status(),
                    StatusCode::NOT_FOUND
                );
                assert_eq!(
                    app.delete(c, &format!("/api/v1/posts/{id}")).await.status(),
                    StatusCode::NOT_FOUND
                );
                let reply = app
                    .post_json(c, "/api/v1/posts", json!({"text": "x", "reply_to": id}))
                    .await;
                let missing = app
                    .post_json(
                        c,
                        "/api/v1/posts",
                        json!({"text": "x", "reply_to": "987654321"}),
                    )
                    .await;
                assert_eq!(reply.status(), missing.status());
                let (a, b): (Value, Value) = (
                    reply.json().await.expect("json"),
                    missing.json().await.expect("json"),
                );
                assert_eq!(
                    a["error"]["message"], b["error"]["message"],
                    "{who}: same words as for a missing post"
                );
            }

            // Timelines: home (they follow Sam), Sam's profile, the hashtag.
            for path in [
                "/api/v1/feeds/home",
                "/api/v1/profiles/sam/posts",
                "/api/v1/tags/quarterly/posts",
            ] {
                let page = app.json(c, path).await;
                let got = ids(&page, "posts");
                for id in hidden {
                    assert!(!got.contains(id), "{who} {path} leaks {id}");
                }
                assert!(
                    !page.to_string().contains("hr-private") && !page.to_string().contains("exec"),
                    "{who} {path}"
                );
            }
            assert!(
                ids(&app.json(c, "/api/v1/profiles/sam/posts").await, "posts")
                    .contains(&w.open_post),
                "open posts are public"
            );

            // Search: posts, communities and hashtag counts see only what the timelines show.
            let found = app.json(c, "/api/v1/search?q=quarterly").await;
            let posts: Vec<&str> = found["posts"]
                .as_array()
                .expect("posts")
                .iter()
                .map(|h| h["post"]["id"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(
                posts,
                [w.open_post.as_str()],
                "{who}: search finds only the open post"
            );
            assert_eq!(
                found["tags"][0]["posts"], 1,
                "{who}: the tag count ignores hidden posts"
            );
            let found = app.json(c, "/api/v1/search?q=exec&type=communities").await;
            assert_eq!(
                found["communities"].as_array().map(Vec::len),
                Some(0),
                "{who}: the secret community is not found"
            );
            let found = app.json(c, "/api/v1/search?q=the").await;
            assert!(
                !found.to_string().contains("exec") && !found.to_string().contains("hr-private\"}"),
                "{who}"
            );

            // Notifications and their counts: no mention from inside.
            let notes = app.json(c, "/api/v1/me/notifications").await;
            let about: Vec<&str> = notes["notifications"]
                .as_array()
                .expect("n")
                .iter()
                .filter_map(|n| n["post"].as_str())
                .collect();
            for id in hidden {
                assert!(
                    !about.contains(&id.as_str()),
                    "{who} notified about {id}: {notes}"
                );
            }
            assert!(
                !notes.to_string().contains("exec") && !notes.to_string().contains("hr-private"),
                "{who}: {notes}"
            );
            let kinds: Vec<&str> = notes["notifications"]
                .as_array()
                .expect("n")
                .iter()
                .map(|n| n["kind"].as_str().unwrap_or_default())
                .collect();
            let mentions = kinds.iter().filter(|k| **k == "mention").count();
            assert_eq!(
                mentions, 1,
                "{who}: only the open community's mention, got {kinds:?}"
            );
            assert_eq!(
                notes["unread"].as_i64(),
                Some(kinds.len() as i64),
                "{who}: unread count matches what is visible"
            );
        }
    }
);

app_test!(
    members_see_everything_their_membership_allows,
    |app| async move {
        let w = world(app).await;
        let home = ids(&app.json(&w.owner, "/api/v1/feeds/home").await, "posts");
        for id in [
            &w.open_post,
            &w.closed_post,
            &w.secret_post,
            &w.secret_reply,
        ] {
            assert!(home.contains(id), "owner's home has {id}");
        }
        let tagged = ids(
            &app.json(&w.owner, "/api/v1/tags/quarterly/posts").await,
            "posts",
        );
        assert_eq!(tagged.len(), 4);
        let thread = app
            .json(
                &w.owner,
                &format!("/api/v1/posts/{}/thread", w.secret_reply),
            )
            .await;
        assert_eq!(
            ids(&thread, "posts"),
            [w.secret_post.clone(), w.secret_reply.clone()]
        );

        // Once invited and joined, the outsider sees the secret community too.
        app.post_json(
            &w.owner,
            &format!("/api/v1/communities/{}/invitations", w.exec),
            json!({"handle": "omar"}),
        )
        .await;
        let (_, omar) = &w.outsiders[1];
        assert_eq!(
            omar.post(app.url(&format!("/api/v1/communities/{}/join", w.exec)))
                .send()
                .await
                .expect("send")
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            app.get(omar, &format!("/api/v1/posts/{}", w.secret_post))
                .await
                .status(),
            StatusCode::OK
        );
        assert!(
            ids(
                &app.json(omar, "/api/v1/tags/quarterly/posts").await,
                "posts"
            )
            .contains(&w.secret_reply)
        );
    }
);

fn strip_request_id(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    json!({"code": v["error"]["code"], "message": v["error"]["message"]}).to_string()
}
