//! Bad input gets a clear error in the documented shape and changes nothing.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::Value;

app_test!(malformed_json_is_a_bad_request, |app| async move {
    let c = app.admin_client().await;
    let r = c
        .post(app.url("/api/v1/users"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "bad_request");
    assert_eq!(app.user_count().await, 2);
});

app_test!(unknown_fields_are_refused, |app| async move {
    let c = app.admin_client().await;
    let r = c
        .post(app.url("/api/v1/users"))
        .json(&serde_json::json!({"email": "x@example.com", "display_name": "X", "password": "a fine password", "is_admin": true}))
        .send()
        .await
        .expect("send");
    let status = r.status();
    let body: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("is_admin"),
        "{body}"
    );
    assert_eq!(app.user_count().await, 2);
});

app_test!(
    bodies_without_json_content_type_are_refused,
    |app| async move {
        let c = app.admin_client().await;
        let r = c
            .post(app.url("/api/v1/users"))
            .body("email=x")
            .send()
            .await
            .expect("send");
        assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "bad_request");
    }
);

app_test!(oversize_bodies_are_refused, |app| async move {
    let c = app.admin_client().await;
    let huge = format!(
        "{{\"email\": \"x@example.com\", \"display_name\": \"{}\", \"password\": \"a fine password\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let r = c
        .post(app.url("/api/v1/users"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
    assert_eq!(app.user_count().await, 2);
});

app_test!(
    unknown_api_routes_and_ids_are_not_found_in_shape,
    |app| async move {
        let c = app.admin_client().await;
        assert_eq!(
            error_code(
                app.get(&c, "/api/v1/nothing-here").await,
                StatusCode::NOT_FOUND
            )
            .await,
            "not_found"
        );
        assert_eq!(
            error_code(
                app.get(&c, "/api/v1/users/not-a-number").await,
                StatusCode::NOT_FOUND
            )
            .await,
            "not_found"
        );
        assert_eq!(
            error_code(
                app.get(&c, "/api/v1/profiles/@no_such_person").await,
                StatusCode::NOT_FOUND
            )
            .await,
            "not_found"
        );
        assert_eq!(
            error_code(
                app.get(&c, "/api/v1/profiles/%3Cscript%3E").await,
                StatusCode::NOT_FOUND
            )
            .await,
            "not_found"
        );
        let r = c.put(app.url("/api/v1/me")).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        let body: Value = r.json().await.expect("json");
        assert!(body["error"]["code"].is_string());
    }
);

app_test!(
    unknown_query_parameters_are_a_bad_request_as_documented,
    |app| async move {
        let c = app.admin_client().await;
        let r = app.get(&c, "/api/v1/messages?foo=1").await;
        assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "bad_request");
        let r = c
            .post(app.url("/api/v1/messages/1/read?foo=1"))
            .send()
            .await
            .expect("send");
        assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "bad_request");
        let r = app.get(&c, "/api/v1/search?q=x&limit=many").await;
        assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "bad_request");
    }
);
