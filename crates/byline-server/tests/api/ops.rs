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
    let timing = r.headers()["server-timing"].to_str().expect("ascii");
    let ms: f64 = timing
        .strip_prefix("app;dur=")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("server time in milliseconds, got '{timing}'"));
    assert!(ms >= 0.0, "the server says how long it took");
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
    ("put", "/api/v1/profiles/{handle}/follow"),
    ("delete", "/api/v1/profiles/{handle}/follow"),
    ("get", "/api/v1/profiles/{handle}/posts"),
    ("post", "/api/v1/posts"),
    ("get", "/api/v1/posts/{id}"),
    ("patch", "/api/v1/posts/{id}"),
    ("delete", "/api/v1/posts/{id}"),
    ("get", "/api/v1/posts/{id}/versions"),
    ("get", "/api/v1/posts/{id}/thread"),
    ("put", "/api/v1/posts/{id}/reactions/{reaction}"),
    ("delete", "/api/v1/posts/{id}/reactions/{reaction}"),
    ("get", "/api/v1/feeds/home"),
    ("get", "/api/v1/tags/{tag}/posts"),
    ("get", "/api/v1/communities"),
    ("post", "/api/v1/communities"),
    ("get", "/api/v1/communities/{slug}"),
    ("get", "/api/v1/communities/{slug}/posts"),
    ("post", "/api/v1/communities/{slug}/join"),
    ("post", "/api/v1/communities/{slug}/leave"),
    ("get", "/api/v1/communities/{slug}/members"),
    ("get", "/api/v1/communities/{slug}/requests"),
    (
        "post",
        "/api/v1/communities/{slug}/requests/{handle}/approve",
    ),
    ("post", "/api/v1/communities/{slug}/invitations"),
    ("get", "/api/v1/me/notifications"),
    ("post", "/api/v1/me/notifications/read"),
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
    ("get", "/static/live.js"),
    ("get", "/api/v1/me/events"),
    ("get", "/api/v1/search"),
    ("put", "/api/v1/investigators/{handle}"),
    ("delete", "/api/v1/investigators/{handle}"),
    ("get", "/api/v1/investigations"),
    ("post", "/api/v1/investigations"),
    ("get", "/api/v1/investigations/{id}/bylines"),
    ("post", "/api/v1/investigations/{id}/close"),
    ("get", "/api/v1/shared-profiles/{handle}/investigations"),
    ("post", "/acting"),
    ("get", "/investigations"),
    ("post", "/investigations"),
    ("get", "/investigations/{id}"),
    ("post", "/investigations/{id}/close"),
    ("post", "/api/v1/shared-profiles"),
    ("patch", "/api/v1/shared-profiles/{handle}"),
    ("get", "/api/v1/shared-profiles/{handle}/members"),
    ("get", "/api/v1/shared-profiles/{handle}/roster"),
    ("get", "/profiles/{handle}/roster"),
    ("get", "/profiles/{handle}/acting"),
    ("post", "/profiles/{handle}/roster"),
    ("post", "/profiles/{handle}/roster/{id}/remove"),
    ("post", "/profiles/{handle}/roster/rule"),
    ("post", "/api/v1/shared-profiles/{handle}/roster"),
    ("delete", "/api/v1/shared-profiles/{handle}/roster/{id}"),
    ("post", "/api/v1/shared-profiles/{handle}/help-desk"),
    ("patch", "/api/v1/shared-profiles/{handle}/help-desk"),
    ("get", "/api/v1/shared-profiles/{handle}/help-desk/hours"),
    ("put", "/api/v1/shared-profiles/{handle}/help-desk/hours"),
    ("get", "/api/v1/shared-profiles/{handle}/help-desk/sla"),
    (
        "put",
        "/api/v1/shared-profiles/{handle}/help-desk/sla/{priority}",
    ),
    (
        "delete",
        "/api/v1/shared-profiles/{handle}/help-desk/sla/{priority}",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/tickets"),
    ("get", "/api/v1/shared-profiles/{handle}/tickets/{number}"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/status",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/notes",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/assignee",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/priority",
    ),
    ("get", "/api/v1/me/requests"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/presence",
    ),
    ("get", "/api/v1/articles"),
    ("get", "/api/v1/articles/suggestions"),
    ("get", "/api/v1/articles/{id}"),
    ("put", "/api/v1/articles/{id}"),
    ("put", "/api/v1/articles/{id}/feedback"),
    ("post", "/api/v1/articles/{id}/deflections"),
    ("get", "/api/v1/shared-profiles/{handle}/articles"),
    ("post", "/api/v1/shared-profiles/{handle}/articles"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/article",
    ),
    ("get", "/articles"),
    ("get", "/articles/{id}"),
    ("get", "/articles/{id}/edit"),
    ("post", "/articles/{id}/edit"),
    ("post", "/articles/{id}/feedback"),
    ("post", "/articles/{id}/solved"),
    ("get", "/profiles/{handle}/articles"),
    ("get", "/profiles/{handle}/articles/new"),
    ("post", "/profiles/{handle}/articles/new"),
    ("post", "/profiles/{handle}/tickets/{number}/article"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/rating",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/satisfaction"),
    (
        "get",
        "/api/v1/shared-profiles/{handle}/help-desk/dashboard",
    ),
    (
        "get",
        "/api/v1/shared-profiles/{handle}/help-desk/dashboard.csv",
    ),
    (
        "get",
        "/api/v1/shared-profiles/{handle}/help-desk/tickets.csv",
    ),
    ("get", "/profiles/{handle}/dashboard"),
    ("get", "/static/dashboard.js"),
    ("get", "/static/listening.js"),
    ("get", "/static/vault.js"),
    ("get", "/static/channels.js"),
    ("get", "/static/vendor/chart.umd.min.js"),
    ("post", "/profiles/{handle}/tickets/{number}/rating"),
    (
        "put",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/tags",
    ),
    ("post", "/profiles/{handle}/tickets/{number}/tags"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/tickets/{number}/replies",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/topics"),
    ("post", "/api/v1/shared-profiles/{handle}/topics"),
    ("get", "/api/v1/shared-profiles/{handle}/topics/{id}"),
    ("put", "/api/v1/shared-profiles/{handle}/topics/{id}"),
    ("delete", "/api/v1/shared-profiles/{handle}/topics/{id}"),
    ("get", "/api/v1/shared-profiles/{handle}/incidents"),
    ("get", "/api/v1/shared-profiles/{handle}/incidents/{id}"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/incidents/{id}/answer",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/digests"),
    ("post", "/api/v1/reports"),
    ("get", "/api/v1/me/reports"),
    ("get", "/api/v1/moderation/reports"),
    ("get", "/api/v1/moderation/reports/{id}"),
    ("post", "/api/v1/moderation/reports/{id}/steps"),
    ("get", "/api/v1/shared-profiles/{handle}/canned-replies"),
    ("post", "/api/v1/shared-profiles/{handle}/canned-replies"),
    (
        "delete",
        "/api/v1/shared-profiles/{handle}/canned-replies/{id}",
    ),
    ("get", "/profiles/{handle}/inbox"),
    ("get", "/posts/{id}/report"),
    ("post", "/posts/{id}/report"),
    ("get", "/reports"),
    ("get", "/moderation"),
    ("post", "/moderation/reports/{id}/steps"),
    ("get", "/profiles/{handle}/listening"),
    ("post", "/profiles/{handle}/listening/topics"),
    ("get", "/profiles/{handle}/listening/topics/{id}"),
    ("post", "/profiles/{handle}/listening/topics/{id}"),
    ("post", "/profiles/{handle}/listening/topics/{id}/delete"),
    ("get", "/profiles/{handle}/listening/digests"),
    (
        "post",
        "/profiles/{handle}/tickets/{number}/answer-everyone",
    ),
    ("get", "/profiles/{handle}/tickets/{number}"),
    ("post", "/profiles/{handle}/tickets/{number}/status"),
    ("post", "/profiles/{handle}/tickets/{number}/notes"),
    ("post", "/profiles/{handle}/tickets/{number}/reply"),
    ("get", "/requests"),
    ("get", "/api/v1/shared-profiles/{handle}/on-duty"),
    ("get", "/api/v1/shared-profiles/{handle}/acting"),
    ("put", "/api/v1/shared-profiles/{handle}/members/{member}"),
    (
        "delete",
        "/api/v1/shared-profiles/{handle}/members/{member}",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/vault"),
    ("post", "/api/v1/shared-profiles/{handle}/vault"),
    ("get", "/api/v1/shared-profiles/{handle}/vault/{id}"),
    ("patch", "/api/v1/shared-profiles/{handle}/vault/{id}"),
    ("delete", "/api/v1/shared-profiles/{handle}/vault/{id}"),
    (
        "put",
        "/api/v1/shared-profiles/{handle}/vault/{id}/custodians",
    ),
    ("post", "/api/v1/shared-profiles/{handle}/vault/{id}/reveal"),
    ("post", "/api/v1/shared-profiles/{handle}/vault/{id}/copy"),
    ("post", "/api/v1/shared-profiles/{handle}/vault/{id}/totp"),
    (
        "get",
        "/api/v1/shared-profiles/{handle}/vault/{id}/requests",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/vault/{id}/requests",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/vault/{id}/requests/{request}/approve",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/channels"),
    ("post", "/api/v1/shared-profiles/{handle}/channels"),
    ("get", "/api/v1/shared-profiles/{handle}/channels/{id}"),
    ("delete", "/api/v1/shared-profiles/{handle}/channels/{id}"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/channels/{id}/test",
    ),
    (
        "get",
        "/api/v1/shared-profiles/{handle}/channels/{id}/deliveries",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/channels/{id}/deliveries",
    ),
    ("get", "/profiles/{handle}/channels"),
    ("post", "/profiles/{handle}/channels"),
    ("post", "/profiles/{handle}/channels/{id}/test"),
    ("post", "/profiles/{handle}/channels/{id}/send"),
    ("post", "/profiles/{handle}/channels/{id}/disconnect"),
    ("get", "/api/v1/shared-profiles/{handle}/publishing"),
    ("put", "/api/v1/shared-profiles/{handle}/publishing"),
    ("get", "/api/v1/shared-profiles/{handle}/publications"),
    ("post", "/api/v1/shared-profiles/{handle}/publications"),
    ("get", "/api/v1/shared-profiles/{handle}/publications/{id}"),
    ("put", "/api/v1/shared-profiles/{handle}/publications/{id}"),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/publications/{id}/submit",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/publications/{id}/approve",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/publications/{id}/reject",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/publications/{id}/comments",
    ),
    (
        "put",
        "/api/v1/shared-profiles/{handle}/publications/{id}/schedule",
    ),
    (
        "delete",
        "/api/v1/shared-profiles/{handle}/publications/{id}/schedule",
    ),
    ("get", "/api/v1/shared-profiles/{handle}/calendar"),
    ("get", "/api/v1/calendar"),
    ("get", "/api/v1/shared-profiles/{handle}/campaigns"),
    ("post", "/api/v1/shared-profiles/{handle}/campaigns"),
    ("get", "/api/v1/shared-profiles/{handle}/campaigns/{id}"),
    (
        "get",
        "/api/v1/shared-profiles/{handle}/campaigns/{id}/report.csv",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/campaigns/{id}/spend",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/campaigns/{id}/results",
    ),
    (
        "post",
        "/api/v1/shared-profiles/{handle}/campaigns/{id}/results.csv",
    ),
    ("get", "/r/{code}"),
    ("get", "/static/calendar.js"),
    ("get", "/static/campaign.js"),
    ("get", "/profiles/{handle}/publications"),
    ("post", "/profiles/{handle}/publications"),
    ("post", "/profiles/{handle}/publishing/rules"),
    ("get", "/profiles/{handle}/publications/{id}"),
    ("post", "/profiles/{handle}/publications/{id}/edit"),
    ("post", "/profiles/{handle}/publications/{id}/submit"),
    ("post", "/profiles/{handle}/publications/{id}/approve"),
    ("post", "/profiles/{handle}/publications/{id}/reject"),
    ("post", "/profiles/{handle}/publications/{id}/schedule"),
    ("post", "/profiles/{handle}/publications/{id}/unschedule"),
    ("post", "/profiles/{handle}/publications/{id}/reschedule"),
    ("post", "/profiles/{handle}/publications/{id}/comments"),
    ("get", "/profiles/{handle}/calendar"),
    ("get", "/calendar"),
    ("get", "/profiles/{handle}/campaigns"),
    ("post", "/profiles/{handle}/campaigns"),
    ("get", "/profiles/{handle}/campaigns/{id}"),
    ("post", "/profiles/{handle}/campaigns/{id}/spend"),
    ("post", "/profiles/{handle}/campaigns/{id}/results"),
    ("post", "/profiles/{handle}/campaigns/{id}/import"),
    ("get", "/profiles/{handle}/{file}"),
    ("get", "/profiles/{handle}/vault"),
    ("post", "/profiles/{handle}/vault"),
    ("post", "/profiles/{handle}/vault/{id}/reveal"),
    ("post", "/profiles/{handle}/vault/{id}/requests"),
    (
        "post",
        "/profiles/{handle}/vault/{id}/requests/{request}/approve",
    ),
    ("post", "/profiles/{handle}/vault/{id}/custodians"),
    ("post", "/profiles/{handle}/vault/{id}/rotate"),
    ("post", "/profiles/{handle}/vault/{id}/remove"),
    ("get", "/api/v1/me/acting"),
    ("put", "/api/v1/me/acting"),
    ("delete", "/api/v1/me/acting"),
    ("get", "/api/v1/audit/events"),
    ("get", "/api/v1/audit/export"),
    ("get", "/api/v1/audit/verify"),
    ("post", "/api/v1/attachments"),
    ("get", "/api/v1/attachments/{id}"),
    ("get", "/api/v1/messages"),
    ("post", "/api/v1/messages"),
    ("get", "/api/v1/messages/{id}"),
    ("post", "/api/v1/messages/{id}"),
    ("post", "/api/v1/messages/{id}/read"),
    ("get", "/messages"),
    ("post", "/messages"),
    ("get", "/messages/{id}"),
    ("post", "/messages/{id}"),
    ("get", "/search"),
    ("post", "/posts"),
    ("get", "/posts/{id}"),
    ("get", "/posts/{id}/versions"),
    ("post", "/posts/{id}/delete"),
    ("post", "/posts/{id}/react"),
    ("get", "/fragments/posts/{id}"),
    ("post", "/profiles/{handle}/follow"),
    ("get", "/tags/{tag}"),
    ("get", "/notifications"),
    ("post", "/notifications/read"),
    ("get", "/communities"),
    ("post", "/communities"),
    ("get", "/communities/{slug}"),
    ("post", "/communities/{slug}/join"),
    ("post", "/communities/{slug}/leave"),
    ("post", "/communities/{slug}/requests/{handle}/approve"),
    ("post", "/communities/{slug}/invitations"),
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
        let ids: Vec<&str> = spec["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("item").values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len(), "operation ids are unique: {ids:?}");
        let expected: BTreeSet<_> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(documented, expected);
        // Every documented operation is really served (not a 404 from the router).
        for (method, path) in ROUTES {
            let concrete = path
                .replace("{id}", "1")
                .replace("{handle}", "ada")
                .replace("{slug}", "x")
                .replace("{tag}", "t")
                .replace("{reaction}", "heart")
                .replace("{member}", "ada")
                .replace("{number}", "1")
                .replace("{priority}", "high")
                .replace("{request}", "1")
                .replace("{file}", "feed.rss")
                .replace("{code}", "zzzzzzzz");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = client()
                .request(m, app.url(&concrete))
                .send()
                .await
                .expect("send");
            let routed =
                r.status() != StatusCode::NOT_FOUND && r.status() != StatusCode::METHOD_NOT_ALLOWED;
            // A profile's feed is "not found" until it syndicates
            // (the channels tests read one that does).
            let unsyndicated = path.contains("{file}");
            // An unknown short link is absent too.
            let unknown_link = path.contains("{code}");
            assert!(
                routed || concrete.contains("/1") || unsyndicated || unknown_link,
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
        "/api/v1/statuses",      // Mastodon client API
        "/api/v1/timelines",     // Mastodon client API
        "/api/v1/accounts",      // Mastodon client API
        "/api/v1/notifications", // Mastodon client API
        "/api/v1/conversations", // Mastodon client API
        "/api/v1/apps",          // Mastodon client API
        "/api/v1/media",         // Mastodon client API
        "/api/v1/markers",       // Mastodon client API
        "/api/v1/instance",      // Mastodon client API
        "/api/v1/streaming",     // Mastodon client API
        "/api/v2/",              // Mastodon client API
        "/oauth/",               // Mastodon client API
    ];
    for path in spec["paths"].as_object().expect("paths").keys() {
        assert!(
            !reserved.iter().any(|r| path.starts_with(r)),
            "{path} is reserved for the Mastodon client API"
        );
    }
});

#[tokio::test]
async fn an_unmigrated_database_is_not_ready() {
    let db = byline_store::testing::TestDatabase::new(byline_store::testing::Kind::Sqlite)
        .await
        .expect("sqlite");
    let store = byline_store::Store::connect(&db.options)
        .await
        .expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(byline_server::serve(
        listener,
        store,
        byline_server::Settings::default(),
        async move {
            let _ = rx.await;
        },
    ));
    let r = client()
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let health = client()
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .expect("send");
    assert_eq!(health.status(), StatusCode::OK, "alive even when not ready");
    let _ = tx.send(());
    let _ = server.await;
}

#[tokio::test]
async fn requests_over_the_time_limit_are_stopped_with_a_clear_error() {
    let settings = byline_server::Settings {
        request_timeout: std::time::Duration::from_millis(1),
        ..Default::default()
    };
    let app = crate::helpers::spawn_app_with(byline_store::testing::Kind::Sqlite, settings)
        .await
        .expect("sqlite");
    // Checking a password takes far longer than a millisecond.
    let r = app
        .post_json(
            &client(),
            "/api/v1/sessions",
            serde_json::json!({"email": "ada@example.com", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(
        crate::helpers::error_code(r, StatusCode::SERVICE_UNAVAILABLE).await,
        "timeout"
    );
    app.stop().await;
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let settings = byline_server::Settings {
        secure_cookies: true,
        ..Default::default()
    };
    let app = crate::helpers::spawn_app_with(byline_store::testing::Kind::Sqlite, settings)
        .await
        .expect("sqlite");
    let r = app
        .post_json(
            &client(),
            "/api/v1/sessions",
            serde_json::json!({"email": "ada@example.com", "password": crate::helpers::PASSWORD}),
        )
        .await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    app.stop().await;
}

app_test!(
    large_responses_are_compressed_for_clients_that_ask,
    |app| async move {
        let r = client()
            .get(app.url("/api/openapi.json"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .expect("send");
        assert_eq!(
            r.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap_or_default()),
            Some("gzip")
        );
    }
);

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app(byline_store::testing::Kind::Sqlite)
        .await
        .expect("sqlite");
    let mut s = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    // Half a request, then silence (a "slowloris" client).
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        byline_server::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(5),
        s.read_to_end(&mut buf),
    )
    .await;
    assert!(read.is_ok(), "the server closed the connection");
    assert!(
        started.elapsed() >= byline_server::HEADER_READ_TIMEOUT - std::time::Duration::from_secs(1),
        "but only after the header timeout"
    );
    let text = String::from_utf8_lossy(&buf);
    assert!(!text.contains("200 OK"), "no request was served: {text}");
    // Others are served meanwhile and after.
    let r = app.get(&client(), "/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    app.stop().await;
}

/// Generated clients and fuzzers read the parameters' places from the
/// document: a query parameter declared as a path parameter breaks them.
#[test]
fn every_parameter_is_where_the_document_says() {
    let spec = serde_json::to_value(byline_server::openapi()).expect("spec");
    let mut query_params = 0;
    let mut undocumented = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut in_path = BTreeSet::new();
            let mut has_query = false;
            for p in &params {
                let name = p["name"].as_str().expect("name");
                match p["in"].as_str() {
                    Some("path") => {
                        assert!(
                            path.contains(&format!("{{{name}}}")),
                            "{method} {path}: '{name}' is declared in: path but is not in the path"
                        );
                        in_path.insert(name.to_owned());
                    }
                    Some("query") => {
                        has_query = true;
                        query_params += 1;
                    }
                    other => panic!("{method} {path}: '{name}' is in {other:?}"),
                }
            }
            let templated: BTreeSet<String> = path
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next())
                .map(str::to_owned)
                .collect();
            assert_eq!(in_path, templated, "{method} {path}: path parameters");
            if has_query && path.starts_with("/api/") && op["responses"].get("400").is_none() {
                undocumented.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "these read a query string (a malformed one is a 400) but do not document 400: {undocumented:?}"
    );
    assert!(query_params >= 30, "only {query_params} query parameters");
    let search = &spec["paths"]["/api/v1/search"]["get"]["parameters"];
    for name in ["q", "type", "limit"] {
        assert!(
            search
                .as_array()
                .expect("params")
                .iter()
                .any(|p| p["name"] == name && p["in"] == "query"),
            "/api/v1/search takes {name} in the query"
        );
    }
}
