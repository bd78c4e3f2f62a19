//! Personal API tokens.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(
    a_token_is_shown_once_and_works_as_a_bearer,
    |app| async move {
        let c = app.staff_client().await;
        let r = app
            .post_json(&c, "/api/v1/me/tokens", json!({"name": "deploy script"}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.expect("json");
        let secret = created["secret"].as_str().expect("secret").to_owned();
        assert!(secret.starts_with("byl_") && secret.len() > 40);

        let listed: Value = app
            .get(&c, "/api/v1/me/tokens")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(listed["tokens"][0]["name"], "deploy script");
        assert!(
            !listed.to_string().contains(&secret),
            "the secret is never shown again"
        );

        let me: Value = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(me["handle"], "sam");

        let id = created["token"]["id"].as_str().expect("id");
        let r = c
            .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .expect("send");
        assert_eq!(
            error_code(r, StatusCode::UNAUTHORIZED).await,
            "unauthenticated"
        );
    }
);

app_test!(nobody_revokes_someone_elses_token, |app| async move {
    let staff = app.staff_client().await;
    let admin = app.admin_client().await;
    let created: Value = app
        .post_json(&staff, "/api/v1/me/tokens", json!({"name": "mine"}))
        .await
        .json()
        .await
        .expect("json");
    let id = created["token"]["id"].as_str().expect("id");
    let r = admin
        .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let secret = created["secret"].as_str().expect("secret");
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(secret)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK, "still valid");
});

app_test!(
    malformed_or_unknown_bearer_tokens_are_refused,
    |app| async move {
        let c = reqwest::Client::new();
        for value in [
            "Bearer",
            "Bearer ",
            "Basic YWRhOnB3",
            "Bearer byl_notarealtoken",
        ] {
            let r = c
                .get(app.url("/api/v1/me"))
                .header("authorization", value)
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{value}");
        }
    }
);

app_test!(token_names_are_checked, |app| async move {
    let c = app.staff_client().await;
    for name in ["", "   ", &"x".repeat(101)] {
        let r = app
            .post_json(&c, "/api/v1/me/tokens", json!({"name": name}))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let listed: Value = app
        .get(&c, "/api/v1/me/tokens")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["tokens"].as_array().map(Vec::len), Some(0));
});
