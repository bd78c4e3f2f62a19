//! Direct messages: only participants read them; unread counts.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(
    people_write_to_each_other_and_see_unread_counts,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let r = app
            .post_json(
                &sam,
                "/api/v1/messages",
                json!({"to": ["@ada"], "text": "Can you **reset** my VPN token?"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let sent: Value = r.json().await.expect("json");
        let conversation = sent["conversation"].as_str().expect("id").to_owned();
        let list = app.json(&ada, "/api/v1/messages").await;
        assert_eq!(list["unread"], 1);
        assert_eq!(list["conversations"][0]["unread"], 1);
        assert_eq!(
            list["conversations"][0]["participants"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        let notes = app.json(&ada, "/api/v1/me/notifications").await;
        assert_eq!(notes["notifications"][0]["kind"], "message");
        assert_eq!(
            notes["notifications"][0]["conversation"],
            conversation.as_str()
        );

        let detail = app
            .json(&ada, &format!("/api/v1/messages/{conversation}"))
            .await;
        assert!(
            detail["messages"][0]["html"]
                .as_str()
                .unwrap_or_default()
                .contains("<strong>reset</strong>")
        );
        let r = ada
            .post(app.url(&format!("/api/v1/messages/{conversation}/read")))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.json(&ada, "/api/v1/messages").await["unread"], 0);

        let r = app
            .post_json(
                &ada,
                &format!("/api/v1/messages/{conversation}"),
                json!({"text": "Done, try again"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        // Writing to the same person again continues the same conversation.
        let again: Value = app
            .post_json(
                &sam,
                "/api/v1/messages",
                json!({"to": ["ada"], "text": "Works, thanks!"}),
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(again["conversation"], conversation.as_str());
        let detail = app
            .json(&sam, &format!("/api/v1/messages/{conversation}"))
            .await;
        let texts: Vec<&str> = detail["messages"]
            .as_array()
            .expect("m")
            .iter()
            .map(|m| m["text"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            texts,
            [
                "Can you **reset** my VPN token?",
                "Done, try again",
                "Works, thanks!"
            ]
        );
    }
);

app_test!(
    outsiders_cannot_read_or_write_a_conversation,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let omar = app.new_member("omar", "Omar").await;
        let sent: Value = app
            .post_json(
                &sam,
                "/api/v1/messages",
                json!({"to": ["omar"], "text": "private matter"}),
            )
            .await
            .json()
            .await
            .expect("json");
        let id = sent["conversation"].as_str().expect("id").to_owned();
        for outsider in [&ada] {
            assert_eq!(
                error_code(
                    app.get(outsider, &format!("/api/v1/messages/{id}")).await,
                    StatusCode::NOT_FOUND
                )
                .await,
                "not_found"
            );
            let r = app
                .post_json(
                    outsider,
                    &format!("/api/v1/messages/{id}"),
                    json!({"text": "let me in"}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
            assert_eq!(
                outsider
                    .post(app.url(&format!("/api/v1/messages/{id}/read")))
                    .send()
                    .await
                    .expect("send")
                    .status(),
                StatusCode::NOT_FOUND
            );
            let list = app.json(outsider, "/api/v1/messages").await;
            assert_eq!(list["conversations"].as_array().map(Vec::len), Some(0));
            assert_eq!(list["unread"], 0);
            assert!(
                !app.json(outsider, "/api/v1/me/notifications")
                    .await
                    .to_string()
                    .contains("message")
            );
            let page = app.get(outsider, &format!("/messages/{id}")).await;
            assert_eq!(page.status(), StatusCode::NOT_FOUND);
        }
        assert_eq!(app.json(&omar, "/api/v1/messages").await["unread"], 1);
        assert_eq!(
            app.json(&sam, &format!("/api/v1/messages/{id}")).await["messages"]
                .as_array()
                .map(Vec::len),
            Some(1),
            "the outsider's attempt wrote nothing"
        );
    }
);

app_test!(bad_messages_are_refused, |app| async move {
    let sam = app.staff_client().await;
    for body in [
        json!({"to": [], "text": "hi"}),
        json!({"to": ["sam"], "text": "just me"}),
        json!({"to": ["nobody-here"], "text": "hi"}),
        json!({"to": ["9bad"], "text": "hi"}),
        json!({"to": ["ada"], "text": ""}),
        json!({"to": ["ada"], "text": "x".repeat(5001)}),
    ] {
        let r = app.post_json(&sam, "/api/v1/messages", body.clone()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(
        app.json(&sam, "/api/v1/messages").await["conversations"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
});
