//! Full-text search on both backends.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(posts_are_found_ranked_and_highlighted, |app| async move {
    let sam = app.staff_client().await;
    let ada = app.admin_client().await;
    let wifi = app
        .post(
            &sam,
            json!({"text": "The wifi on floor 3 keeps dropping #wifi"}),
        )
        .await;
    app.post(&ada, json!({"text": "Lunch is served in the kitchen"}))
        .await;
    let printers = app
        .post(
            &ada,
            json!({"text": "Printers <b>and</b> scanners are back"}),
        )
        .await;
    let r: Value = app
        .json(&ada, "/api/v1/search?q=dropping%20wifi&type=posts")
        .await;
    assert_eq!(r["posts"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["posts"][0]["post"]["id"], wifi.as_str());
    let snippet = r["posts"][0]["snippet_html"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>"), "{snippet}");
    // Prefix match on the last word, stemming, and escaped snippets.
    let r = app.json(&ada, "/api/v1/search?q=print&type=posts").await;
    assert_eq!(r["posts"][0]["post"]["id"], printers.as_str());
    let snippet = r["posts"][0]["snippet_html"].as_str().unwrap_or_default();
    assert!(
        !snippet.contains("<b>") && snippet.contains("<mark>"),
        "stored markup never becomes markup: {snippet}"
    );
    let r = app.json(&ada, "/api/v1/search?q=kitchens&type=posts").await;
    assert_eq!(
        r["posts"].as_array().map(Vec::len),
        Some(1),
        "stemmed: kitchens finds kitchen"
    );
    // Edits and deletions are searched as they are now.
    app.patch_json(
        &sam,
        &format!("/api/v1/posts/{wifi}"),
        json!({"text": "The network is fine now"}),
    )
    .await;
    assert_eq!(
        app.json(&ada, "/api/v1/search?q=dropping&type=posts").await["posts"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    app.delete(&ada, &format!("/api/v1/posts/{printers}")).await;
    assert_eq!(
        app.json(&ada, "/api/v1/search?q=scanners&type=posts").await["posts"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
});

app_test!(people_communities_and_tags_are_found, |app| async move {
    let sam = app.staff_client().await;
    app.post_json(
        &sam,
        "/api/v1/communities",
        json!({"slug": "book-club", "name": "Book club", "visibility": "open"}),
    )
    .await;
    app.post(&sam, json!({"text": "#booknight on Friday"}))
        .await;
    let r = app.json(&sam, "/api/v1/search?q=book").await;
    assert_eq!(r["communities"][0]["slug"], "book-club");
    assert_eq!(r["tags"][0]["tag"], "booknight");
    assert_eq!(r["tags"][0]["posts"], 1);
    let r = app.json(&sam, "/api/v1/search?q=ada&type=profiles").await;
    assert_eq!(r["profiles"][0]["handle"], "ada");
    assert_eq!(
        r["posts"].as_array().map(Vec::len),
        Some(0),
        "only the kind asked for"
    );
});

app_test!(
    hostile_or_empty_queries_get_a_clear_error,
    |app| async move {
        let sam = app.staff_client().await;
        for q in ["", "%20%20", "%22%2A%28%29", &"a".repeat(201)] {
            let r = app.get(&sam, &format!("/api/v1/search?q={q}")).await;
            assert_eq!(
                error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
                "invalid",
                "{q}"
            );
        }
        // Operators are just words: no syntax error reaches the database.
        for q in [
            "wifi%20OR%20NEAR(x)",
            "%22unbalanced",
            "a*%20-b%20%5Ec",
            "100%25_done",
        ] {
            assert_eq!(
                app.get(&sam, &format!("/api/v1/search?q={q}"))
                    .await
                    .status(),
                StatusCode::OK,
                "{q}"
            );
        }
        assert_eq!(
            app.get(&sam, "/api/v1/search?q=x&type=everything")
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.get(&sam, "/api/v1/search?q=x&limit=0").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.get(&crate::helpers::client(), "/api/v1/search?q=x")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
);
