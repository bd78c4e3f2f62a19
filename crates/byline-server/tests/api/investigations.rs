//! Investigations reveal sealed bylines, with a reason, audited, visible to
//! the profile's owners.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(
    an_investigator_traces_a_sealed_post_and_the_owners_see_the_investigation,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        app.post_json(&ada, "/api/v1/shared-profiles", json!({"handle": "wellbeing", "display_name": "Wellbeing", "attribution_policy": "sealed"})).await;
        ada.put(app.url("/api/v1/shared-profiles/wellbeing/members/sam"))
            .json(&json!({"role": "editor"}))
            .send()
            .await
            .expect("send");
        ada.put(app.url("/api/v1/shared-profiles/wellbeing/members/ada"))
            .json(&json!({"role": "owner"}))
            .send()
            .await
            .expect("send");
        let offensive = app
            .post(
                &sam,
                json!({"text": "Something offensive", "acting_as": "wellbeing"}),
            )
            .await;

        let helen = app.new_member("helen", "Helen HR").await;
        let now = byline_app::now();
        let (from, to) = (
            now.plus_seconds(-3600).to_rfc3339(),
            now.plus_seconds(3600).to_rfc3339(),
        );
        let body = json!({"profile": "wellbeing", "reason": "Complaint about an offensive post", "from": from, "to": to});
        // Without the right, and without a reason, nothing opens.
        assert_eq!(
            app.post_json(&helen, "/api/v1/investigations", body.clone())
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            helen
                .put(app.url("/api/v1/investigators/helen"))
                .send()
                .await
                .expect("send")
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            ada.put(app.url("/api/v1/investigators/helen"))
                .send()
                .await
                .expect("send")
                .status(),
            StatusCode::NO_CONTENT
        );
        let no_reason = json!({"profile": "wellbeing", "reason": " ", "from": from, "to": to});
        assert_eq!(
            error_code(
                app.post_json(&helen, "/api/v1/investigations", no_reason)
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY
            )
            .await,
            "invalid"
        );
        // Before the investigation, the sealed question is refused.
        let q = format!("/api/v1/shared-profiles/wellbeing/acting?from={from}&to={to}");
        assert_eq!(
            app.get(&helen, &q).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let r = app.post_json(&helen, "/api/v1/investigations", body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let inv: Value = r.json().await.expect("json");
        let id = inv["id"].as_str().expect("id").to_owned();

        let revealed = app
            .json(&helen, &format!("/api/v1/investigations/{id}/bylines"))
            .await;
        assert_eq!(revealed["bylines"][0]["post"], offensive.as_str());
        assert_eq!(revealed["bylines"][0]["handle"], "sam");
        assert_eq!(revealed["bylines"][0]["source_address"], "127.0.0.1");
        let acting = app.json(&helen, &q).await;
        assert_eq!(
            acting["sessions"][0]["handle"], "sam",
            "the Wednesday question, answered"
        );

        // The owner sees who opened it, when and why, but not the names.
        let seen = app
            .json(&ada, "/api/v1/shared-profiles/wellbeing/investigations")
            .await;
        assert_eq!(seen["investigations"][0]["investigator"], "helen");
        assert_eq!(
            seen["investigations"][0]["reason"],
            "Complaint about an offensive post"
        );
        assert!(!seen.to_string().contains("\"sam\""));
        assert_eq!(
            app.get(&sam, "/api/v1/shared-profiles/wellbeing/investigations")
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "editors are not owners"
        );
        // Nobody else can use Helen's investigation.
        assert_eq!(
            app.get(&ada, &format!("/api/v1/investigations/{id}/bylines"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // Every reveal is in the audit log, and the chain holds.
        let events = app.json(&ada, "/api/v1/audit/events?limit=1000").await;
        let actions: Vec<&str> = events["events"]
            .as_array()
            .expect("e")
            .iter()
            .map(|e| e["action"].as_str().unwrap_or_default())
            .collect();
        for a in [
            "investigator.grant",
            "investigation.open",
            "investigation.reveal",
            "acting.query",
        ] {
            assert!(actions.contains(&a), "{a} audited");
        }
        let r = app
            .post_json(
                &helen,
                &format!("/api/v1/investigations/{id}/close"),
                json!({"outcome": "Spoke to the writer; apology posted"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            app.get(&helen, &format!("/api/v1/investigations/{id}/bylines"))
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "closed investigations reveal nothing"
        );
        assert_eq!(
            app.get(&helen, &q).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(app.json(&ada, "/api/v1/audit/verify").await["intact"], true);
    }
);

/// A sealed @desk with Sam and Tess as editors, Ada as owner, and Helen
/// holding the investigator right; returns (ada, sam, tess, helen).
async fn sealed_desk(
    app: &crate::helpers::TestApp,
) -> (
    reqwest::Client,
    reqwest::Client,
    reqwest::Client,
    reqwest::Client,
) {
    let ada = app.admin_client().await;
    let sam = app.staff_client().await;
    let tess = app.new_member("tess", "Tess Editor").await;
    let helen = app.new_member("helen", "Helen HR").await;
    app.shared_profile(
        &ada,
        "desk",
        "sealed",
        &[("sam", "editor"), ("tess", "editor"), ("ada", "owner")],
    )
    .await;
    let r = ada
        .put(app.url("/api/v1/investigators/helen"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    (ada, sam, tess, helen)
}

fn writers(revealed: &Value) -> Vec<(String, String, String)> {
    revealed["bylines"]
        .as_array()
        .expect("bylines")
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap_or_default().to_owned(),
                b["handle"].as_str().unwrap_or_default().to_owned(),
                b["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

app_test!(
    an_investigation_scoped_to_posts_reveals_only_those,
    |app| async move {
        let (_ada, sam, tess, helen) = sealed_desk(app).await;
        let a = app
            .post(
                &sam,
                json!({"text": "the one complained about", "acting_as": "desk"}),
            )
            .await;
        let _b = app
            .post(
                &sam,
                json!({"text": "an ordinary notice", "acting_as": "desk"}),
            )
            .await;
        let _c = app
            .post(
                &tess,
                json!({"text": "another notice", "acting_as": "desk"}),
            )
            .await;
        let personal = app.post(&sam, json!({"text": "my own post"})).await;

        for (body, why) in [
            (
                json!({"profile": "desk", "reason": "Complaint about one post", "posts": [personal]}),
                "not the profile's post",
            ),
            (
                json!({"profile": "desk", "reason": "Complaint about one post", "posts": ["nonsense"]}),
                "not a post id",
            ),
            (
                json!({"profile": "desk", "reason": "Complaint about one post"}),
                "neither window nor posts",
            ),
        ] {
            let r = app.post_json(&helen, "/api/v1/investigations", body).await;
            assert_eq!(
                error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
                "invalid",
                "{why}"
            );
        }
        let r = app
            .post_json(
                &helen,
                "/api/v1/investigations",
                json!({"profile": "desk", "reason": "Complaint about one post", "posts": [format!("/posts/{a}")]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let inv: Value = r.json().await.expect("json");
        let id = inv["id"].as_str().expect("id");
        let revealed = app
            .json(&helen, &format!("/api/v1/investigations/{id}/bylines"))
            .await;
        assert_eq!(
            writers(&revealed),
            [(
                "post".to_owned(),
                "sam".to_owned(),
                "the one complained about".to_owned()
            )],
            "only the named post, though the others are in its minute"
        );
    }
);

app_test!(
    edited_and_deleted_words_keep_their_writer_for_investigators,
    |app| async move {
        let (_ada, sam, tess, helen) = sealed_desk(app).await;
        let id = app
            .post(
                &sam,
                json!({"text": "something offensive", "acting_as": "desk"}),
            )
            .await;
        let r = app
            .patch_json(
                &tess,
                &format!("/api/v1/posts/{id}"),
                json!({"text": "(removed by the desk)"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let gone = app
            .post(
                &sam,
                json!({"text": "posted then deleted", "acting_as": "desk"}),
            )
            .await;
        let r = app.delete(&tess, &format!("/api/v1/posts/{gone}")).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);

        let now = byline_app::now();
        let r = app
            .post_json(
                &helen,
                "/api/v1/investigations",
                json!({"profile": "desk", "reason": "Who wrote the offensive text?",
                    "from": now.plus_seconds(-3600).to_rfc3339(), "to": now.plus_seconds(60).to_rfc3339()}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let inv: Value = r.json().await.expect("json");
        let inv_id = inv["id"].as_str().expect("id");
        let revealed = app
            .json(&helen, &format!("/api/v1/investigations/{inv_id}/bylines"))
            .await;
        let got = writers(&revealed);
        let has = |kind: &str, who: &str, text: &str| {
            got.iter()
                .any(|(k, h, t)| k == kind && h == who && t == text)
        };
        assert!(has("version", "sam", "something offensive"), "{got:?}");
        assert!(has("post", "tess", "(removed by the desk)"), "{got:?}");
        assert!(has("version", "sam", "posted then deleted"), "{got:?}");

        // The who-was-acting answer lists every kind of attributed action.
        let q = format!(
            "/api/v1/shared-profiles/desk/acting?from={}&to={}",
            now.plus_seconds(-3600).to_rfc3339(),
            now.plus_seconds(60).to_rfc3339()
        );
        let answer = app.json(&helen, &q).await;
        let actions: Vec<&str> = answer["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a["action"].as_str())
            .collect();
        for wanted in [
            "post.create_as_profile",
            "post.edit_as_profile",
            "post.delete_as_profile",
        ] {
            assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
        }
    }
);

app_test!(
    an_admin_cannot_grant_themselves_the_investigator_right,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        app.shared_profile(&ada, "wellbeing", "sealed", &[("sam", "owner")])
            .await;
        app.shared_profile(&ada, "brand", "signed", &[("ada", "owner")])
            .await;
        let r = app.put(&ada, "/api/v1/investigators/ada").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let why: Value = r.json().await.expect("json");
        assert!(
            why["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("another admin")),
            "{why}"
        );
        let helen = app.new_member("helen", "Helen HR").await;
        let now = byline_app::now();
        let body = json!({"profile": "wellbeing", "reason": "Trying to look myself", "from": now.plus_seconds(-60).to_rfc3339(), "to": now.to_rfc3339()});
        assert_eq!(
            app.post_json(&ada, "/api/v1/investigations", body)
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "still no investigator"
        );

        // Another admin's grant works, and the sealed profile's owner hears of it.
        assert_eq!(
            app.put(&ada, "/api/v1/investigators/helen").await.status(),
            StatusCode::NO_CONTENT
        );
        let told = app.json(&sam, "/api/v1/me/notifications").await;
        let kinds: Vec<(&str, &str)> = told["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .filter_map(|n| Some((n["kind"].as_str()?, n["actor"]["handle"].as_str()?)))
            .collect();
        assert_eq!(kinds, [("investigator", "helen")]);
        let ada_told = app.json(&ada, "/api/v1/me/notifications").await;
        assert!(
            !ada_told.to_string().contains("investigator"),
            "owners of signed profiles have nothing to fear from it"
        );
        drop(helen);
    }
);
