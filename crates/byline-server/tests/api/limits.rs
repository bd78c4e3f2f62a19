//! Abuse limits: one person cannot write, search or mint tokens without
//! bound; the refusal says when to come back; others are not starved.

use crate::helpers::{error_code, spawn_app_with};
use byline_app::limits::{LimitSettings, Rate};
use byline_store::testing::Kind;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

fn tight() -> byline_server::Settings {
    let slow = |burst| Rate {
        burst,
        period: Duration::from_secs(120),
    };
    byline_server::Settings {
        limits: LimitSettings {
            write: slow(3),
            search: slow(2),
            token: slow(1),
            address_factor: 3,
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn writes_searches_and_tokens_are_limited_per_person_with_retry_after() {
    let app = spawn_app_with(Kind::Sqlite, tight()).await.expect("sqlite");
    let sam = app.staff_client().await;
    for i in 0..3 {
        app.post(&sam, json!({"text": format!("post {i}")})).await;
    }
    let r = app
        .post_json(&sam, "/api/v1/posts", json!({"text": "one too many"}))
        .await;
    let retry: i64 = r.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=121).contains(&retry), "wait {retry}s");
    assert_eq!(
        error_code(r, StatusCode::TOO_MANY_REQUESTS).await,
        "rate_limited"
    );
    let mine = app.json(&sam, "/api/v1/profiles/sam/posts").await;
    assert_eq!(
        mine["posts"].as_array().map(Vec::len),
        Some(3),
        "the refused post was not written"
    );

    // Someone else at the same address still gets through.
    let ada = app.admin_client().await;
    app.post(&ada, json!({"text": "still here"})).await;

    for _ in 0..2 {
        let r = app.get(&sam, "/api/v1/search?q=post").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = app.get(&sam, "/api/v1/search?q=post").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    let token = json!({"name": "script"});
    let r = app
        .post_json(&sam, "/api/v1/me/tokens", token.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app.post_json(&sam, "/api/v1/me/tokens", token).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn one_address_is_limited_across_its_people() {
    let app = spawn_app_with(Kind::Sqlite, tight()).await.expect("sqlite");
    // Address bucket: 3 people's worth of writes (9).
    let mut refused = 0;
    for n in 0..4 {
        let c = app.new_member(&format!("user{n}"), "Crowd").await;
        for i in 0..3 {
            let r = app
                .post_json(&c, "/api/v1/posts", json!({"text": format!("{n}-{i}")}))
                .await;
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 3, "12 tries from one address, 9 allowed");
    app.stop().await;
}
