//! Live updates over server-sent events.

use crate::app_test;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Reads the event stream until `needle` appears or the time runs out.
async fn wait_for(r: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, r.chunk()).await;
        match chunk {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            _ => break,
        }
    }
    seen
}

app_test!(
    a_followed_post_and_a_mention_arrive_live,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        app.put(&ada, "/api/v1/profiles/sam/follow").await;
        let mut stream = ada
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        assert_eq!(stream.status(), StatusCode::OK);
        assert!(
            stream.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/event-stream")
        );
        // Give the subscription a moment to be registered before publishing.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let id = app
            .post(&sam, json!({"text": "Lunch is on me today, @ada"}))
            .await;
        let seen = wait_for(&mut stream, "event: notifications").await;
        assert!(
            seen.contains(&format!("event: post\ndata: {{\"id\":\"{id}\"}}")),
            "{seen}"
        );
        assert!(seen.contains("data: {\"unread\":1}"), "{seen}");
    }
);

app_test!(
    the_stream_carries_nothing_an_outsider_may_not_see,
    |app| async move {
        let sam = app.staff_client().await;
        let omar = app.new_member("omar", "Omar").await;
        app.put(&omar, "/api/v1/profiles/sam/follow").await;
        app.post_json(
            &sam,
            "/api/v1/communities",
            json!({"slug": "exec", "name": "Exec", "visibility": "secret"}),
        )
        .await;
        let mut stream = omar
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let hidden = app
            .post(
                &sam,
                json!({"text": "secret plans @omar", "community": "exec"}),
            )
            .await;
        let public = app.post(&sam, json!({"text": "public news"})).await;
        let seen = wait_for(&mut stream, &format!("\"id\":\"{public}\"")).await;
        assert!(seen.contains(&public), "{seen}");
        assert!(!seen.contains(&format!("\"id\":\"{hidden}\"")), "{seen}");
        assert!(
            !seen.contains("event: notifications"),
            "no notification about the secret mention: {seen}"
        );
    }
);

app_test!(the_event_stream_needs_a_signed_in_user, |app| async move {
    let r = crate::helpers::client()
        .get(app.url("/api/v1/me/events"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
});
