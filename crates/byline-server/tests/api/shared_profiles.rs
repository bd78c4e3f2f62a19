//! Shared profiles: members speak as them, bylines are recorded and shown
//! only as the attribution policy allows, everything is audited.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// @desk with policy `policy`: Ada (admin) creates it; Sam is `sam_role`.
async fn desk(app: &TestApp, policy: &str, sam_role: &str) -> (Client, Client) {
    let ada = app.admin_client().await;
    let sam = app.staff_client().await;
    let r = app
        .post_json(
            &ada,
            "/api/v1/shared-profiles",
            json!({"handle": "desk", "display_name": "Help Desk", "attribution_policy": policy}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = ada
        .put(app.url("/api/v1/shared-profiles/desk/members/sam"))
        .json(&json!({"role": sam_role}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    (ada, sam)
}

async fn audit_actions(app: &TestApp, admin: &Client) -> Vec<Value> {
    app.json(admin, "/api/v1/audit/events?limit=1000").await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

app_test!(
    an_editor_speaks_as_the_profile_and_the_byline_is_recorded,
    |app| async move {
        let (ada, sam) = desk(app, "signed", "editor").await;
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "Wifi is back on floor 3", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let post: Value = r.json().await.expect("json");
        assert_eq!(post["author"]["handle"], "desk");
        assert_eq!(
            post["byline"]["handle"], "sam",
            "signed: the writer is shown"
        );
        let acting = app.json(&sam, "/api/v1/me/acting").await;
        assert_eq!(acting["handle"], "desk");
        assert_eq!(acting["role"], "editor");
        let events = audit_actions(app, &ada).await;
        let spoken = events
            .iter()
            .find(|e| e["action"] == "post.create_as_profile")
            .expect("the post is audited");
        assert_eq!(spoken["user_id"], app.staff.id.to_string());
        assert_eq!(
            spoken["target"],
            format!("post:{}", post["id"].as_str().unwrap_or_default())
        );
        assert!(events.iter().any(|e| e["action"] == "acting.start"));
        assert_eq!(app.json(&ada, "/api/v1/audit/verify").await["intact"], true);
        // Switching out ends the acting session.
        assert_eq!(
            sam.delete(app.url("/api/v1/me/acting"))
                .send()
                .await
                .expect("send")
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get(&sam, "/api/v1/me/acting").await.status(),
            StatusCode::NO_CONTENT
        );
    }
);

app_test!(
    internal_bylines_are_for_members_and_admins,
    |app| async move {
        let (ada, sam) = desk(app, "internal", "editor").await;
        let id = app
            .post(
                &sam,
                json!({"text": "Staff survey is open", "acting_as": "desk"}),
            )
            .await;
        let omar = app.new_member("omar", "Omar").await;
        let path = format!("/api/v1/posts/{id}");
        assert_eq!(app.json(&sam, &path).await["byline"]["handle"], "sam");
        assert_eq!(
            app.json(&ada, &path).await["byline"]["handle"],
            "sam",
            "admins see internal bylines"
        );
        let outsider = app.json(&omar, &path).await;
        assert!(outsider.get("byline").is_none(), "{outsider}");
        for feed in ["/api/v1/profiles/desk/posts", "/api/v1/search?q=survey"] {
            assert!(
                !app.json(&omar, feed).await.to_string().contains("\"sam\""),
                "{feed} leaks the writer"
            );
        }
    }
);

app_test!(sealed_bylines_are_shown_to_nobody, |app| async move {
    let (ada, sam) = desk(app, "sealed", "editor").await;
    let id = app
        .post(
            &sam,
            json!({"text": "Printer maintenance at noon", "acting_as": "desk"}),
        )
        .await;
    for c in [&ada, &sam] {
        let post = app.json(c, &format!("/api/v1/posts/{id}")).await;
        assert!(
            post.get("byline").is_none(),
            "sealed, even for admins and the writer: {post}"
        );
        assert!(
            !app.json(c, "/api/v1/profiles/desk/posts")
                .await
                .to_string()
                .contains("\"byline\"")
        );
    }
    // Admins reading the audit log do not learn it either.
    let events = audit_actions(app, &ada).await;
    let spoken = events
        .iter()
        .find(|e| e["action"] == "post.create_as_profile")
        .expect("audited");
    assert!(spoken["user_id"].is_null(), "{spoken}");
    assert_eq!(spoken["source_address"], "(sealed)");
    let csv = app
        .get(&ada, "/api/v1/audit/export?format=csv")
        .await
        .text()
        .await
        .expect("csv");
    let line = csv
        .lines()
        .find(|l| l.contains("post.create_as_profile"))
        .expect("exported");
    assert!(line.contains("(sealed)"), "{line}");
    // The chain itself still knows who said it.
    let stored = app
        .store
        .audit()
        .audit_events(0, 1000)
        .await
        .expect("events");
    assert!(
        stored
            .iter()
            .any(|e| e.action == "post.create_as_profile" && e.user_id == Some(app.staff.id))
    );
    assert_eq!(app.json(&ada, "/api/v1/audit/verify").await["intact"], true);
});

app_test!(
    roles_limit_what_members_may_say_and_refusals_are_audited,
    |app| async move {
        let (ada, sam) = desk(app, "signed", "responder").await;
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "A new announcement", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::FORBIDDEN).await,
            "forbidden",
            "responders do not start posts"
        );
        let asker = app
            .post(&ada, json!({"text": "@desk my laptop will not boot"}))
            .await;
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "On our way", "reply_to": asker, "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "responders reply");

        ada.put(app.url("/api/v1/shared-profiles/desk/members/sam"))
            .json(&json!({"role": "observer"}))
            .send()
            .await
            .expect("send");
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "x", "reply_to": asker, "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "observers never speak");

        let omar = app.new_member("omar", "Omar").await;
        let r = app
            .post_json(
                &omar,
                "/api/v1/posts",
                json!({"text": "I am the desk now", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "non-members cannot act as the profile"
        );
        let desk_posts = app.json(&ada, "/api/v1/profiles/desk/posts").await;
        assert_eq!(
            desk_posts["posts"].as_array().map(Vec::len),
            Some(1),
            "only the allowed reply was written"
        );

        let refused: Vec<String> = audit_actions(app, &ada)
            .await
            .iter()
            .filter(|e| e["action"] == "speak.refused" || e["action"] == "acting.refused")
            .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            refused,
            ["speak.refused", "speak.refused", "acting.refused"]
        );
    }
);

app_test!(
    losing_membership_ends_the_acting_session,
    |app| async move {
        let (ada, sam) = desk(app, "signed", "editor").await;
        let r = sam
            .put(app.url("/api/v1/me/acting"))
            .json(&json!({"profile": "desk"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        ada.delete(app.url("/api/v1/shared-profiles/desk/members/sam"))
            .send()
            .await
            .expect("send");
        assert_eq!(
            app.get(&sam, "/api/v1/me/acting").await.status(),
            StatusCode::NO_CONTENT
        );
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "still here?", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

app_test!(
    only_admins_create_shared_profiles_and_input_is_checked,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let body = json!({"handle": "wellbeing", "display_name": "Wellbeing", "attribution_policy": "internal"});
        assert_eq!(
            app.post_json(&sam, "/api/v1/shared-profiles", body.clone())
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post_json(&ada, "/api/v1/shared-profiles", body.clone())
                .await
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(
            app.post_json(&ada, "/api/v1/shared-profiles", body)
                .await
                .status(),
            StatusCode::CONFLICT
        );
        let bad = json!({"handle": "x y", "display_name": "X", "attribution_policy": "internal"});
        assert_eq!(
            app.post_json(&ada, "/api/v1/shared-profiles", bad)
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let bad =
            json!({"handle": "other", "display_name": "X", "attribution_policy": "anonymous"});
        assert_eq!(
            app.post_json(&ada, "/api/v1/shared-profiles", bad)
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let r = ada
            .put(app.url("/api/v1/shared-profiles/wellbeing/members/sam"))
            .json(&json!({"role": "boss"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = sam
            .put(app.url("/api/v1/shared-profiles/wellbeing/members/sam"))
            .json(&json!({"role": "owner"}))
            .send()
            .await
            .expect("send");
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "nobody promotes themselves"
        );
        assert_eq!(
            app.get(&sam, "/api/v1/shared-profiles/sam/members")
                .await
                .status(),
            StatusCode::NOT_FOUND,
            "personal profiles are not shared"
        );
        let r = ada
            .patch(app.url("/api/v1/shared-profiles/wellbeing"))
            .json(&json!({"attribution_policy": "sealed"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
    }
);

fn window_around_now() -> (String, String) {
    let now = byline_app::now();
    (
        now.plus_seconds(-3600).to_rfc3339(),
        now.plus_seconds(3600).to_rfc3339(),
    )
}

app_test!(
    admins_find_out_who_was_acting_as_a_profile,
    |app| async move {
        let (ada, sam) = desk(app, "internal", "editor").await;
        let id = app
            .post(
                &sam,
                json!({"text": "Something regrettable", "acting_as": "desk"}),
            )
            .await;
        let (from, to) = window_around_now();
        let answer = app
            .json(
                &ada,
                &format!("/api/v1/shared-profiles/desk/acting?from={from}&to={to}"),
            )
            .await;
        assert_eq!(answer["sessions"][0]["handle"], "sam");
        assert_eq!(answer["sessions"][0]["source_address"], "127.0.0.1");
        assert_eq!(answer["actions"][0]["post"], id.as_str());
        assert_eq!(answer["actions"][0]["handle"], "sam");
        // The same moment in another offset gives the same answer.
        let shifted_from = from.replace('Z', "") + "%2B00:00";
        let shifted = app
            .json(
                &ada,
                &format!("/api/v1/shared-profiles/desk/acting?from={shifted_from}&to={to}"),
            )
            .await;
        assert_eq!(shifted["actions"], answer["actions"]);
        // A window before anything happened is empty.
        let empty = app.json(&ada, "/api/v1/shared-profiles/desk/acting?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z").await;
        assert_eq!(empty["sessions"].as_array().map(Vec::len), Some(0));
        // Asking is itself audited.
        let events = audit_actions(app, &ada).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| e["action"] == "acting.query")
                .count(),
            3
        );
        // Staff may not ask.
        let r = app
            .get(
                &sam,
                &format!("/api/v1/shared-profiles/desk/acting?from={from}&to={to}"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

app_test!(
    a_sealed_profile_needs_an_investigation_and_windows_are_checked,
    |app| async move {
        let (ada, _sam) = desk(app, "sealed", "editor").await;
        let (from, to) = window_around_now();
        let r = app
            .get(
                &ada,
                &format!("/api/v1/shared-profiles/desk/acting?from={from}&to={to}"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap_or_default().contains("investigation"));
        for q in [
            "from=yesterday&to=today",
            &format!("from={to}&to={from}"),
            "from=2026-01-01T00:00Z&to=2026-03-01T00:00Z",
        ] {
            let r = app
                .get(&ada, &format!("/api/v1/shared-profiles/desk/acting?{q}"))
                .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        }
    }
);
