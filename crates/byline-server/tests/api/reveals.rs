//! What a byline reveals, and when: by the policy in force when the words
//! were said (never the policy now), and within an investigation's scope.
//! Every who-was-acting question is audited, answered or refused.

use crate::app_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The admin changes a profile's attribution policy.
async fn set_policy(
    app: &crate::helpers::TestApp,
    admin: &reqwest::Client,
    handle: &str,
    policy: &str,
) {
    let r = app
        .patch_json(
            admin,
            &format!("/api/v1/shared-profiles/{handle}"),
            json!({ "attribution_policy": policy }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// The posts a who-was-acting answer names.
fn posts_named(answer: &Value) -> Vec<String> {
    answer["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a["post"].as_str().map(str::to_owned))
        .collect()
}

async fn audit_events(app: &crate::helpers::TestApp, admin: &reqwest::Client) -> Vec<Value> {
    let page: Value = app.json(admin, "/api/v1/audit/events?limit=1000").await;
    page["events"].as_array().expect("events").clone()
}

app_test!(
    changing_the_policy_reveals_nothing_said_while_sealed,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        app.shared_profile(&ada, "helpdesk", "sealed", &[("sam", "editor")])
            .await;
        let sealed_post = app
            .post(
                &sam,
                json!({"text": "Said while sealed", "acting_as": "helpdesk"}),
            )
            .await;
        let start = byline_app::now().plus_seconds(-3600);
        let before_change = byline_app::now();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        set_policy(app, &ada, "helpdesk", "internal").await;

        // A window wholly inside the sealed stretch stays closed to admins.
        let sealed_window = format!(
            "/api/v1/shared-profiles/helpdesk/acting?from={}&to={}",
            start.to_rfc3339(),
            before_change.to_rfc3339()
        );
        assert_eq!(
            app.get(&ada, &sealed_window).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the profile is internal now, but these words were said sealed"
        );

        // After the change, Sam speaks again: that is internal, and shown.
        let internal_post = app
            .post(
                &sam,
                json!({"text": "Said while internal", "acting_as": "helpdesk"}),
            )
            .await;
        let both = format!(
            "/api/v1/shared-profiles/helpdesk/acting?from={}&to={}",
            start.to_rfc3339(),
            byline_app::now().plus_seconds(60).to_rfc3339()
        );
        let answer = app.json(&ada, &both).await;
        let posts = posts_named(&answer);
        assert_eq!(
            posts,
            [internal_post.as_str()],
            "only what was said while internal"
        );
        assert!(
            answer["sessions"].as_array().expect("sessions").is_empty(),
            "the session began while sealed, so it is not named"
        );

        // The audit log keeps redacting the sealed stretch's events.
        let events = audit_events(app, &ada).await;
        let sealed_speech = events
            .iter()
            .find(|e| e["target"] == format!("post:{sealed_post}"))
            .expect("the sealed post's event");
        assert_eq!(sealed_speech["user_id"], Value::Null);
        assert_eq!(sealed_speech["source_address"], "(sealed)");
        let first_session = events
            .iter()
            .find(|e| e["action"] == "acting.start")
            .expect("the acting session's start");
        assert_eq!(
            first_session["user_id"],
            Value::Null,
            "the session started under sealed stays sealed"
        );
        let internal_speech = events
            .iter()
            .find(|e| e["target"] == format!("post:{internal_post}"))
            .expect("the internal post's event");
        assert_eq!(internal_speech["user_id"], app.staff.id.to_string());
    }
);

app_test!(
    a_post_scoped_investigation_reveals_only_its_posts,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        let jane = app.new_member("jane", "Jane Doe").await;
        let helen = app.new_member("helen", "Helen HR").await;
        app.shared_profile(
            &ada,
            "wellbeing",
            "sealed",
            &[("sam", "editor"), ("jane", "editor")],
        )
        .await;
        let complained_of = app
            .post(
                &sam,
                json!({"text": "The post in question", "acting_as": "wellbeing"}),
            )
            .await;
        let other = app
            .post(
                &jane,
                json!({"text": "Someone else's words", "acting_as": "wellbeing"}),
            )
            .await;
        assert_eq!(
            app.put(&ada, "/api/v1/investigators/helen").await.status(),
            StatusCode::NO_CONTENT
        );
        let r = app
            .post_json(
                &helen,
                "/api/v1/investigations",
                json!({"profile": "wellbeing", "reason": "Complaint about one post", "posts": [complained_of]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let inv: Value = r.json().await.expect("json");
        let q = format!(
            "/api/v1/shared-profiles/wellbeing/acting?from={}&to={}",
            inv["from"].as_str().expect("from"),
            inv["to"].as_str().expect("to")
        );
        let answer = app.json(&helen, &q).await;
        let posts = posts_named(&answer);
        assert_eq!(posts, [complained_of.as_str()]);
        let people: Vec<&str> = answer["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .filter_map(|s| s["handle"].as_str())
            .collect();
        assert_eq!(
            people,
            ["sam"],
            "the writer of the post in scope, nobody else"
        );
        assert!(!answer.to_string().contains("jane"), "{answer}");
        assert!(!answer.to_string().contains(&format!("post:{other}")));

        // Its page answers too: the window round-trips to the microsecond.
        let id = inv["id"].as_str().expect("id");
        let page = app.get(&helen, &format!("/investigations/{id}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(html.contains("sam"), "the writer is named");
        assert!(!html.contains("Jane Doe") && !html.contains("@jane"));
    }
);

app_test!(
    refused_who_was_acting_questions_are_audited,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        app.shared_profile(&ada, "wellbeing", "internal", &[("sam", "editor")])
            .await;
        app.shared_profile(&ada, "helpdesk", "sealed", &[]).await;
        let now = byline_app::now();
        let window = format!(
            "from={}&to={}",
            now.plus_seconds(-60).to_rfc3339(),
            now.to_rfc3339()
        );
        let ask = |profile: &str| format!("/api/v1/shared-profiles/{profile}/acting?{window}");
        assert_eq!(
            app.get(&sam, &ask("wellbeing")).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&ada, &ask("helpdesk")).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.get(&ada, &ask("wellbeing")).await.status(),
            StatusCode::OK
        );
        let events = audit_events(app, &ada).await;
        let asked: Vec<(String, String)> = events
            .iter()
            .filter(|e| {
                e["action"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("acting.query"))
            })
            .map(|e| {
                (
                    e["action"].as_str().unwrap_or_default().to_owned(),
                    e["user_id"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            asked,
            [
                ("acting.query_refused".to_owned(), app.staff.id.to_string()),
                ("acting.query_refused".to_owned(), app.admin.id.to_string()),
                ("acting.query".to_owned(), app.admin.id.to_string()),
            ]
        );
    }
);

app_test!(
    an_edit_made_while_sealed_is_sealed_whatever_the_first_version_was,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        let omar = app.new_member("omar", "Omar").await;
        app.shared_profile(&ada, "brand", "signed", &[("sam", "editor")])
            .await;
        let post = app
            .post(&sam, json!({"text": "Signed words", "acting_as": "brand"}))
            .await;
        let path = format!("/api/v1/posts/{post}");
        assert_eq!(app.json(&omar, &path).await["byline"]["handle"], "sam");
        set_policy(app, &ada, "brand", "sealed").await;
        let r = app
            .patch_json(&sam, &path, json!({"text": "Words said while sealed"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let seen = app.json(&omar, &path).await;
        assert_eq!(seen["text"], "Words said while sealed", "{seen}");
        assert_eq!(
            seen["byline"],
            Value::Null,
            "the current text was said sealed: {seen}"
        );
    }
);
