//! Communities: joining each kind, moderation.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(
    anyone_joins_an_open_community_and_posts_there,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let r = app
            .post_json(
                &sam,
                "/api/v1/communities",
                json!({"slug": "book-club", "name": "Book club", "visibility": "open"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let c: Value = r.json().await.expect("json");
        assert_eq!(
            (c["role"].as_str(), c["member_count"].as_i64()),
            (Some("owner"), Some(1))
        );
        // Reading an open community needs no membership; posting does.
        assert_eq!(
            app.get(&ada, "/api/v1/communities/book-club/posts")
                .await
                .status(),
            StatusCode::OK
        );
        let r = app
            .post_json(
                &ada,
                "/api/v1/posts",
                json!({"text": "hello", "community": "book-club"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = ada
            .post(app.url("/api/v1/communities/book-club/join"))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let again = ada
            .post(app.url("/api/v1/communities/book-club/join"))
            .send()
            .await
            .expect("send");
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let id = app
            .post(
                &ada,
                json!({"text": "Reading Dune", "community": "book-club"}),
            )
            .await;
        let feed = app.json(&sam, "/api/v1/communities/book-club/posts").await;
        assert_eq!(feed["posts"][0]["id"], id.as_str());
        assert_eq!(feed["posts"][0]["community"]["slug"], "book-club");
        assert_eq!(
            app.json(&sam, "/api/v1/communities/book-club").await["member_count"],
            2
        );
        let home = app.json(&ada, "/api/v1/feeds/home").await;
        assert_eq!(
            home["posts"][0]["id"],
            id.as_str(),
            "joined communities feed home"
        );
    }
);

app_test!(a_closed_community_needs_approval, |app| async move {
    let sam = app.staff_client().await;
    let ada = app.admin_client().await;
    app.post_json(&sam, "/api/v1/communities", json!({"slug": "wellbeing", "name": "Wellbeing", "visibility": "closed", "description": "A safe space"})).await;
    let inside = app
        .post(
            &sam,
            json!({"text": "Our first session is Friday", "community": "wellbeing"}),
        )
        .await;
    let seen = app.json(&ada, "/api/v1/communities/wellbeing").await;
    assert_eq!(
        seen["description"], "A safe space",
        "its existence is public"
    );
    assert_eq!(
        error_code(
            app.get(&ada, "/api/v1/communities/wellbeing/posts").await,
            StatusCode::FORBIDDEN
        )
        .await,
        "forbidden"
    );
    assert_eq!(
        app.get(&ada, &format!("/api/v1/posts/{inside}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let r = ada
        .post(app.url("/api/v1/communities/wellbeing/join"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(
        app.get(&ada, "/api/v1/communities/wellbeing/posts")
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "still waiting"
    );
    let notes = app.json(&sam, "/api/v1/me/notifications").await;
    assert_eq!(notes["notifications"][0]["kind"], "join_request");
    let requests = app
        .json(&sam, "/api/v1/communities/wellbeing/requests")
        .await;
    assert_eq!(requests["members"][0]["handle"], "ada");
    assert_eq!(
        app.get(&ada, "/api/v1/communities/wellbeing/requests")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let approve = sam
        .post(app.url("/api/v1/communities/wellbeing/requests/ada/approve"))
        .send()
        .await
        .expect("send");
    assert_eq!(approve.status(), StatusCode::NO_CONTENT);
    let feed = app.json(&ada, "/api/v1/communities/wellbeing/posts").await;
    assert_eq!(feed["posts"][0]["id"], inside.as_str());
    let members = app
        .json(&ada, "/api/v1/communities/wellbeing/members")
        .await;
    assert_eq!(members["members"].as_array().map(Vec::len), Some(2));
    // Leaving shuts the door again.
    assert_eq!(
        ada.post(app.url("/api/v1/communities/wellbeing/leave"))
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&ada, &format!("/api/v1/posts/{inside}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sam.post(app.url("/api/v1/communities/wellbeing/leave"))
            .send()
            .await
            .expect("send")
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the owner stays"
    );
});

app_test!(
    a_secret_community_is_entered_by_invitation_only,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let exec = app.secret_community(&sam, "exec", "Exec team").await;
        let r = ada
            .post(app.url(&format!("/api/v1/communities/{exec}/join")))
            .send()
            .await
            .expect("send");
        assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
        let r = app
            .post_json(
                &sam,
                &format!("/api/v1/communities/{exec}/invitations"),
                json!({"handle": "ada"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let seen = app.json(&ada, &format!("/api/v1/communities/{exec}")).await;
        assert_eq!(seen["membership"], "invited");
        assert_eq!(
            app.get(&ada, &format!("/api/v1/communities/{exec}/posts"))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "not yet a member"
        );
        let notes = app.json(&ada, "/api/v1/me/notifications").await;
        assert_eq!(notes["notifications"][0]["kind"], "invitation");
        let r = ada
            .post(app.url(&format!("/api/v1/communities/{exec}/join")))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            app.get(&ada, &format!("/api/v1/communities/{exec}/posts"))
                .await
                .status(),
            StatusCode::OK
        );
        let r = app
            .post_json(
                &ada,
                &format!("/api/v1/communities/{exec}/invitations"),
                json!({"handle": "sam"}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "members are not moderators"
        );
    }
);

app_test!(bad_community_input_is_refused, |app| async move {
    let sam = app.staff_client().await;
    for body in [
        json!({"slug": "9bad", "name": "X", "visibility": "open"}),
        json!({"slug": "good", "name": "", "visibility": "open"}),
        json!({"slug": "good", "name": "X", "visibility": "public"}),
        json!({"slug": "good", "name": "X", "visibility": "open", "description": "d".repeat(1001)}),
    ] {
        assert_eq!(
            app.post_json(&sam, "/api/v1/communities", body.clone())
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
    }
    app.post_json(
        &sam,
        "/api/v1/communities",
        json!({"slug": "good", "name": "X", "visibility": "open"}),
    )
    .await;
    let dup = app
        .post_json(
            &sam,
            "/api/v1/communities",
            json!({"slug": "GOOD", "name": "Y", "visibility": "open"}),
        )
        .await;
    assert_eq!(error_code(dup, StatusCode::CONFLICT).await, "conflict");
    assert_eq!(
        app.json(&sam, "/api/v1/communities").await["communities"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
});

app_test!(
    a_secret_communitys_short_name_cannot_be_probed_by_creating_one,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let create = |c: &reqwest::Client, slug: &str, visibility: &str| {
            c.post(app.url("/api/v1/communities"))
                .json(&json!({"slug": slug, "name": "Board", "visibility": visibility}))
                .send()
        };
        let secret: Value = create(&sam, "board", "secret")
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let secret_slug = secret["slug"].as_str().expect("slug").to_owned();
        assert!(secret_slug.starts_with("board-"), "{secret_slug}");
        // The outsider's attempt with the chosen name succeeds as for any
        // fresh name, so it says nothing about the secret one.
        let r = create(&ada, "board", "open").await.expect("send");
        assert_eq!(r.status(), StatusCode::CREATED);
        let open: Value = r.json().await.expect("json");
        assert_eq!(open["slug"], "board");
        // And the secret one is still only its members'.
        let r = app
            .get(&ada, &format!("/api/v1/communities/{secret_slug}"))
            .await;
        assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
        // A name taken by a community the asker can see is still refused.
        let r = create(&ada, "board", "closed").await.expect("send");
        assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");
    }
);
