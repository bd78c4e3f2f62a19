//! Everything said as a shared profile goes through the attributed-write
//! gate: edits, deletions, reactions and messages carry a byline and an
//! audit event, and roles decide who may say what.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// @desk (internal): Sam and Tess edit, Olive observes; Ada is admin.
async fn desk(app: &TestApp) -> (Client, Client, Client, Client) {
    let ada = app.admin_client().await;
    let sam = app.staff_client().await;
    let tess = app.new_member("tess", "Tess Editor").await;
    let olive = app.new_member("olive", "Olive Observer").await;
    app.shared_profile(
        &ada,
        "desk",
        "internal",
        &[("sam", "editor"), ("tess", "editor"), ("olive", "observer")],
    )
    .await;
    (ada, sam, tess, olive)
}

async fn audit_actions(app: &TestApp, admin: &Client) -> Vec<Value> {
    app.json(admin, "/api/v1/audit/events?limit=1000").await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn count(events: &[Value], action: &str) -> usize {
    events.iter().filter(|e| e["action"] == action).count()
}

app_test!(
    members_edit_and_delete_the_profiles_posts_with_their_byline,
    |app| async move {
        let (ada, sam, tess, olive) = desk(app).await;
        let id = app
            .post(
                &sam,
                json!({"text": "Printers are down", "acting_as": "desk"}),
            )
            .await;
        let path = format!("/api/v1/posts/{id}");

        let r = app
            .patch_json(&tess, &path, json!({"text": "Printers are back up"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let edited: Value = r.json().await.expect("json");
        assert_eq!(edited["author"]["handle"], "desk");
        assert_eq!(
            edited["byline"]["handle"], "tess",
            "internal: members see who wrote the current text"
        );

        // Observers and outsiders may not change the profile's words.
        let rosa = app.new_member("rosa", "Rosa Outsider").await;
        for who in [&olive, &rosa] {
            let r = app
                .patch_json(who, &path, json!({"text": "hijacked"}))
                .await;
            assert_eq!(error_code(r, StatusCode::FORBIDDEN).await, "forbidden");
        }
        let post = app.json(&rosa, &path).await;
        assert!(
            post["text"]
                .as_str()
                .unwrap_or_default()
                .contains("back up")
        );
        assert!(
            post.get("byline").is_none() || post["byline"].is_null(),
            "outsiders see only the profile"
        );

        let r = app.delete(&sam, &path).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let events = audit_actions(app, &ada).await;
        assert_eq!(count(&events, "post.edit_as_profile"), 1);
        assert_eq!(count(&events, "post.delete_as_profile"), 1);
        assert!(
            count(&events, "speak.refused") >= 1,
            "the observer's try is audited"
        );
        let edit = events
            .iter()
            .find(|e| e["action"] == "post.edit_as_profile")
            .expect("edit event");
        assert_eq!(edit["target"], format!("post:{id}"));
        assert!(edit["details"].to_string().contains("acting_session"));
    }
);

app_test!(reactions_as_a_profile_pass_the_gate, |app| async move {
    let (ada, sam, _tess, olive) = desk(app).await;
    let rosa = app.new_member("rosa", "Rosa Outsider").await;
    let id = app
        .post(&rosa, json!({"text": "Thanks for fixing the wifi!"}))
        .await;
    let path = format!("/api/v1/posts/{id}/reactions/heart?acting_as=desk");
    let r = app.put(&sam, &path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let post: Value = r.json().await.expect("json");
    let hearts = post["reactions"]
        .as_array()
        .expect("reactions")
        .iter()
        .find(|r| r["reaction"] == "heart")
        .expect("a heart")
        .clone();
    assert_eq!(hearts["count"], 1);
    let notes = app.json(&rosa, "/api/v1/me/notifications").await;
    assert!(
        notes.to_string().contains("desk"),
        "Rosa hears that @desk reacted: {notes}"
    );
    for who in [&olive, &rosa] {
        let r = app.put(who, &path).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = app.delete(&sam, &path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let events = audit_actions(app, &ada).await;
    assert_eq!(count(&events, "post.react_as_profile"), 1);
    assert_eq!(count(&events, "post.unreact_as_profile"), 1);
});

app_test!(
    messages_as_a_profile_reach_its_members_and_keep_their_byline,
    |app| async move {
        let (ada, sam, _tess, olive) = desk(app).await;
        let rosa = app.new_member("rosa", "Rosa Outsider").await;
        let r = app
            .post_json(
                &sam,
                "/api/v1/messages",
                json!({"to": ["rosa"], "text": "Your laptop is ready", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let sent: Value = r.json().await.expect("json");
        let conversation = sent["conversation"].as_str().expect("id").to_owned();

        let seen_by_rosa = app
            .json(&rosa, &format!("/api/v1/messages/{conversation}"))
            .await;
        let first = &seen_by_rosa["messages"][0];
        assert_eq!(first["author"]["handle"], "desk");
        assert!(
            first.get("byline").is_none(),
            "internal: outsiders see only the profile"
        );

        let r = app
            .post_json(
                &rosa,
                &format!("/api/v1/messages/{conversation}"),
                json!({"text": "Thanks, coming now"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // The profile's conversation is the profile's, not Sam's own.
        let mine = app.json(&sam, "/api/v1/messages").await;
        assert_eq!(mine["conversations"], json!([]));
        let desks = app.json(&sam, "/api/v1/messages?acting_as=desk").await;
        assert_eq!(desks["conversations"].as_array().map(Vec::len), Some(1));
        assert_eq!(desks["unread"], 1, "Rosa's answer is unread for the desk");

        // The observer reads the desk's messages (and sees Sam's byline)
        // but may not write as it.
        let read = app
            .json(
                &olive,
                &format!("/api/v1/messages/{conversation}?acting_as=desk"),
            )
            .await;
        assert_eq!(read["messages"][0]["byline"]["handle"], "sam");
        let r = app
            .post_json(
                &olive,
                &format!("/api/v1/messages/{conversation}"),
                json!({"text": "hello", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // Outsiders cannot use the desk's inbox at all.
        let r = app.get(&rosa, "/api/v1/messages?acting_as=desk").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let events = audit_actions(app, &ada).await;
        let sent = events
            .iter()
            .find(|e| e["action"] == "message.send_as_profile")
            .expect("audited");
        assert!(
            sent["target"]
                .as_str()
                .unwrap_or_default()
                .starts_with("message:")
        );
    }
);

app_test!(
    the_audit_log_hides_sealed_speakers_of_every_kind_from_admins,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        let rosa = app.new_member("rosa", "Rosa Outsider").await;
        app.post_json(
            &ada,
            "/api/v1/shared-profiles",
            json!({"handle": "vault", "display_name": "Vault", "attribution_policy": "sealed"}),
        )
        .await;
        let r = ada
            .put(app.url("/api/v1/shared-profiles/vault/members/sam"))
            .json(&json!({"role": "editor"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let id = app.post(&rosa, json!({"text": "hello"})).await;
        let r = app
            .put(
                &sam,
                &format!("/api/v1/posts/{id}/reactions/eyes?acting_as=vault"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post_json(
                &sam,
                "/api/v1/messages",
                json!({"to": ["rosa"], "text": "psst", "acting_as": "vault"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let events = audit_actions(app, &ada).await;
        for action in [
            "post.react_as_profile",
            "message.send_as_profile",
            "acting.start",
        ] {
            let e = events
                .iter()
                .find(|e| e["action"] == action)
                .unwrap_or_else(|| panic!("{action} audited"));
            assert!(e["user_id"].is_null(), "{action} hides the speaker: {e}");
            assert_eq!(e["source_address"], "(sealed)");
        }
        let export = app
            .get(&ada, "/api/v1/audit/export?format=jsonl")
            .await
            .text()
            .await
            .expect("text");
        let sam_id = app.json(&sam, "/api/v1/me").await["id"].clone();
        assert!(
            !export
                .lines()
                .filter(|l| l.contains("message.send_as_profile"))
                .any(|l| l.contains(&format!("\"user_id\":{sam_id}"))),
            "the admin's export hides Sam too"
        );
    }
);

app_test!(
    the_messages_badge_counts_the_inbox_being_shown,
    |app| async move {
        let (_ada, sam, _tess, _olive) = desk(app).await;
        let rosa = app.new_member("rosa", "Rosa Outsider").await;
        let r = app
            .post_json(
                &rosa,
                "/api/v1/messages",
                json!({"to": ["desk"], "text": "my screen is black"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let badge = |html: &str| {
            html.split("id=\"message-count\"")
                .nth(1)
                .and_then(|rest| rest.split('>').nth(1))
                .and_then(|n| n.split('<').next())
                .unwrap_or("")
                .to_owned()
        };
        let home = app.get(&sam, "/").await.text().await.expect("html");
        assert_eq!(badge(&home), "0", "Sam's own inbox is empty");
        let r = sam
            .put(app.url("/api/v1/me/acting"))
            .json(&json!({"profile": "desk"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let home = app.get(&sam, "/").await.text().await.expect("html");
        assert_eq!(
            badge(&home),
            "1",
            "acting as the desk, its unread message counts"
        );
    }
);

app_test!(
    concurrent_first_posts_as_a_profile_share_one_acting_session,
    |app| async move {
        // An API client that never switched in sends eight posts as @desk
        // at once: each starts acting if no session is open, and none may
        // end the session another has just started and is speaking through.
        let (ada, sam, _tess, _olive) = desk(app).await;
        let url = app.url("/api/v1/posts");
        let mut sent = tokio::task::JoinSet::new();
        for i in 0..8 {
            let (sam, url) = (sam.clone(), url.clone());
            sent.spawn(async move {
                sam.post(url)
                    .json(&json!({"text": format!("Notice {i}"), "acting_as": "desk"}))
                    .send()
                    .await
                    .expect("send")
                    .status()
            });
        }
        let statuses: Vec<StatusCode> = sent.join_all().await;
        assert!(
            statuses.iter().all(|s| *s == StatusCode::CREATED),
            "every post is accepted: {statuses:?}"
        );
        let events = audit_actions(app, &ada).await;
        assert_eq!(count(&events, "post.create_as_profile"), 8);
        assert_eq!(count(&events, "acting.start"), 1, "one session, shared");
        assert_eq!(count(&events, "speak.refused"), 0);
    }
);
