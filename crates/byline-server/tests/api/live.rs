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
        let exec = app.secret_community(&sam, "exec", "Exec").await;
        let mut stream = omar
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let hidden = app
            .post(
                &sam,
                json!({"text": "secret plans @omar", "community": exec}),
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

app_test!(
    a_message_reaches_participants_live_and_nobody_else,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        let omar = app.new_member("omar", "Omar").await;
        let mut ada_stream = ada
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        let mut omar_stream = omar
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let sent: serde_json::Value = app
            .post_json(
                &sam,
                "/api/v1/messages",
                json!({"to": ["ada"], "text": "psst"}),
            )
            .await
            .json()
            .await
            .expect("json");
        let conversation = sent["conversation"].as_str().expect("id").to_owned();
        let seen = wait_for(&mut ada_stream, "event: message").await;
        assert!(
            seen.contains(&format!(
                "\"conversation\":\"{conversation}\",\"unread_messages\":1"
            )),
            "{seen}"
        );
        // Omar hears only his own public post, never the message.
        app.post(&omar, json!({"text": "marker"})).await;
        let other = wait_for(&mut omar_stream, "event: post").await;
        assert!(!other.contains("event: message"), "{other}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_an_open_event_stream() {
    let settings = byline_server::Settings {
        live_recheck: Duration::from_millis(100),
        ..Default::default()
    };
    let app = crate::helpers::spawn_app_with(byline_store::testing::Kind::Sqlite, settings)
        .await
        .expect("sqlite");
    let sam = app.staff_client().await;
    let mut stream = sam
        .get(app.url("/api/v1/me/events"))
        .send()
        .await
        .expect("subscribe");
    assert_eq!(stream.status(), StatusCode::OK);
    sam.delete(app.url("/api/v1/sessions/current"))
        .send()
        .await
        .expect("sign out");
    // The server closes the stream: reading reaches its end instead of waiting forever.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived the session");
    app.stop().await;
}

app_test!(
    a_member_acting_as_a_profile_hears_its_messages_live,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        let rosa = app.new_member("rosa", "Rosa").await;
        let r = app
            .post_json(
                &ada,
                "/api/v1/shared-profiles",
                json!({"handle": "desk", "display_name": "Desk", "attribution_policy": "internal"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = ada
            .put(app.url("/api/v1/shared-profiles/desk/members/sam"))
            .json(&json!({"role": "editor"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = sam
            .put(app.url("/api/v1/me/acting"))
            .json(&json!({"profile": "desk"}))
            .send()
            .await
            .expect("switch in");
        assert_eq!(r.status(), StatusCode::OK);
        let mut sam_stream = sam
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        let mut ada_stream = ada
            .get(app.url("/api/v1/me/events"))
            .send()
            .await
            .expect("subscribe");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let r = app
            .post_json(
                &rosa,
                "/api/v1/messages",
                json!({"to": ["desk"], "text": "printer on fire"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let seen = wait_for(&mut sam_stream, "event: message").await;
        assert!(seen.contains("\"unread_messages\":1"), "{seen}");
        // Someone who is neither in it nor acting as the desk hears nothing.
        let r = app
            .post(&ada, json!({"text": "a marker for the stream"}))
            .await;
        let other = wait_for(&mut ada_stream, &r).await;
        assert!(!other.contains("event: message"), "{other}");
    }
);
