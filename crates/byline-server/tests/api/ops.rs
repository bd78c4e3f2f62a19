//! Operations endpoints and the OpenAPI document.

use crate::app_test;
use crate::helpers::client;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

app_test!(health_and_readiness_answer, |app| async move {
    let c = client();
    let r = app.get(&c, "/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
    let ready: Value = app.get(&c, "/readyz").await.json().await.expect("json");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["backend"], app.store.backend_name());
});

app_test!(
    metrics_count_requests_by_route_and_show_the_pool,
    |app| async move {
        let c = app.staff_client().await;
        app.get(&c, "/api/v1/profiles/ada").await;
        let text = app.get(&c, "/metrics").await.text().await.expect("text");
        assert!(
            text.lines().any(|l| l.starts_with("http_requests_total")
                && l.contains("route=\"/api/v1/profiles/{handle}\"")),
            "requests are labelled by route pattern, not raw path"
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket"),
            "latency histogram"
        );
        assert!(text.contains("db_pool_connections"), "pool state");
        assert!(
            !text.contains("/api/v1/profiles/ada\""),
            "raw paths never become labels"
        );
    }
);

app_test!(request_ids_from_a_proxy_are_kept, |app| async move {
    let r = client()
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers()["x-request-id"], "abc-123");
});

/// Every route the server has, as (method, path). A new route must be added
/// here and, by construction, to the OpenAPI document.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/current"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/me/tokens"),
    ("post", "/api/v1/me/tokens"),
    ("delete", "/api/v1/me/tokens/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("patch", "/api/v1/users/{id}"),
    ("post", "/api/v1/users/{id}/deactivate"),
    ("put", "/api/v1/users/{id}/password"),
    ("get", "/api/v1/profiles/{handle}"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/api/openapi.json"),
    ("get", "/"),
    ("get", "/sign-in"),
    ("post", "/sign-in"),
    ("post", "/sign-out"),
    ("get", "/profiles/{handle}"),
    ("get", "/admin/users"),
    ("post", "/admin/users"),
    ("post", "/admin/users/{id}/deactivate"),
    ("get", "/static/byline.css"),
];

app_test!(
    the_openapi_document_is_3_1_and_lists_every_route,
    |app| async move {
        let spec: Value = app
            .get(&client(), "/api/openapi.json")
            .await
            .json()
            .await
            .expect("json");
        assert!(
            spec["openapi"]
                .as_str()
                .unwrap_or_default()
                .starts_with("3.1"),
            "{}",
            spec["openapi"]
        );
        let mut documented = BTreeSet::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                    documented.insert((method.clone(), path.clone()));
                }
            }
        }
        let expected: BTreeSet<_> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(documented, expected);
        // Every documented operation is really served (not a 404 from the router).
        for (method, path) in ROUTES {
            let concrete = path.replace("{id}", "1").replace("{handle}", "ada");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = client()
                .request(m, app.url(&concrete))
                .send()
                .await
                .expect("send");
            let routed =
                r.status() != StatusCode::NOT_FOUND && r.status() != StatusCode::METHOD_NOT_ALLOWED;
            assert!(
                routed || concrete.contains("/1"),
                "{method} {path} is documented but not served: {}",
                r.status()
            );
        }
    }
);

app_test!(reserved_mastodon_paths_are_left_free, |app| async move {
    let spec: Value = app
        .get(&client(), "/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    let reserved = [
        "/api/v1/statuses",
        "/api/v1/timelines",
        "/api/v1/accounts",
        "/api/v1/notifications",
        "/api/v1/conversations",
        "/api/v1/apps",
        "/api/v1/media",
        "/api/v1/markers",
        "/api/v1/instance",
        "/api/v1/streaming",
        "/api/v2/",
        "/oauth/",
    ];
    for path in spec["paths"].as_object().expect("paths").keys() {
        assert!(
            !reserved.iter().any(|r| path.starts_with(r)),
            "{path} is reserved for the Mastodon client API"
        );
    }
});
