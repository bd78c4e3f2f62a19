//! Reports and the moderation queue over HTTP: people report what they
//! can see (and nothing else, without learning it exists), a second report
//! joins the first, the admin (the organisation's moderator) removes a
//! post with a reason that then shows in its place, a community's owner
//! moderates only their community, and reporters see what became of their
//! reports.

use crate::app_test;
use crate::helpers::error_code;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(
    reports_reach_the_right_moderators_and_reporters_see_the_outcome,
    |app| async move {
        let admin = app.admin_client().await;
        let sam = app.staff_client().await;
        let pia = app.new_member("pia", "Pia").await;
        let otto = app.new_member("otto", "Otto").await;
        // Otto owns an open community where he moderates.
        let r = app
            .post_json(
                &otto,
                "/api/v1/communities",
                json!({"slug": "garden", "name": "Garden", "visibility": "open"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = app
            .post_json(&pia, "/api/v1/communities/garden/join", json!({}))
            .await;
        assert!(r.status().is_success(), "{}", r.status());
        let rude = app
            .post(&pia, json!({"text": "Sam is useless at his job"}))
            .await;
        let spam = app
            .post(
                &pia,
                json!({"text": "BUY CHEAP WATCHES", "community": "garden"}),
            )
            .await;
        let secret = app.secret_community(&pia, "den", "Den").await;
        let hidden = app
            .post(&pia, json!({"text": "between us", "community": secret}))
            .await;

        // Bad reports change nothing.
        for (body, status, says) in [
            (
                json!({"kind": "post", "id": rude, "reason": ""}),
                422,
                "needs a reason",
            ),
            (
                json!({"kind": "post", "id": rude, "reason": "rude"}),
                422,
                "unknown reason",
            ),
            (
                json!({"kind": "post", "id": rude, "reason": "other"}),
                422,
                "say what is wrong",
            ),
            (
                json!({"kind": "ticket", "id": rude, "reason": "spam"}),
                422,
                "unknown kind",
            ),
            (
                json!({"kind": "post", "id": hidden, "reason": "spam"}),
                404,
                "not found",
            ),
            (
                json!({"kind": "post", "id": "999999", "reason": "spam"}),
                404,
                "not found",
            ),
        ] {
            let r = app.post_json(&sam, "/api/v1/reports", body.clone()).await;
            assert_eq!(r.status().as_u16(), status, "{body}");
            let e: Value = r.json().await.expect("json");
            assert!(
                e["error"]["message"]
                    .as_str()
                    .expect("message")
                    .contains(says),
                "{body}: {e}"
            );
        }
        // Something hidden answers exactly as something absent.
        let mut answers = Vec::new();
        for id in ["999999", hidden.as_str()] {
            let r = app
                .post_json(
                    &sam,
                    "/api/v1/reports",
                    json!({"kind": "post", "id": id, "reason": "spam"}),
                )
                .await;
            let status = r.status();
            let mut e: Value = r.json().await.expect("json");
            e["error"]["request_id"] = Value::Null;
            answers.push((status, e));
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(
            app.json(&admin, "/api/v1/moderation/reports").await["reports"],
            json!([])
        );

        // Sam reports the rude post, twice (the second replaces his reason);
        // Otto reports it too: one report, two filings.
        let file = |who: &reqwest::Client, body: Value| {
            let (app, who) = (app, who.clone());
            async move { app.post_json(&who, "/api/v1/reports", body).await }
        };
        let r = file(
            &sam,
            json!({"kind": "post", "id": rude, "reason": "policy"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let first: Value = r.json().await.expect("json");
        assert_eq!(first["again"], false);
        let r = file(
            &sam,
            json!({"kind": "post", "id": rude, "reason": "harassment", "note": "a personal attack"}),
        )
        .await;
        let again: Value = r.json().await.expect("json");
        assert_eq!(again["again"], true);
        assert_eq!(again["report_id"], first["report_id"]);
        file(
            &otto,
            json!({"kind": "post", "id": rude, "reason": "harassment"}),
        )
        .await;
        let r = file(&sam, json!({"kind": "post", "id": spam, "reason": "spam"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // The admin sees both; Otto only his community's; Sam none.
        let queue = app.json(&admin, "/api/v1/moderation/reports").await;
        assert_eq!(queue["reports"].as_array().expect("reports").len(), 2);
        let report = first["report_id"].as_str().expect("id").to_owned();
        let detail = app
            .json(&admin, &format!("/api/v1/moderation/reports/{report}"))
            .await;
        assert_eq!(detail["report"]["filings"], 2);
        let reasons: Vec<&str> = detail["filings"]
            .as_array()
            .expect("filings")
            .iter()
            .map(|f| f["reason"].as_str().expect("reason"))
            .collect();
        assert_eq!(reasons, vec!["harassment", "harassment"]);
        let mine = app.json(&otto, "/api/v1/moderation/reports").await;
        let mine = mine["reports"].as_array().expect("reports");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["target_id"], spam.as_str());
        let r = app.get(&sam, "/api/v1/moderation/reports").await;
        assert_eq!(error_code(r, StatusCode::FORBIDDEN).await, "forbidden");
        // Otto cannot act outside his community.
        let r = app
            .post_json(
                &otto,
                &format!("/api/v1/moderation/reports/{report}/steps"),
                json!({"step": "dismiss"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // A removal needs a reason; with one, the post's place shows it.
        let steps = format!("/api/v1/moderation/reports/{report}/steps");
        let r = app
            .post_json(&admin, &steps, json!({"step": "remove", "reason": " "}))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post_json(
                &admin,
                &steps,
                json!({"step": "remove", "reason": "Personal attacks break the code of conduct"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let closed: Value = r.json().await.expect("json");
        assert_eq!(closed["status"], "actioned");
        let post = app.json(&sam, &format!("/api/v1/posts/{rude}")).await;
        assert_eq!(post["deleted"], true);
        assert_eq!(post["text"], "");
        assert_eq!(
            post["removed_reason"],
            "Personal attacks break the code of conduct"
        );
        let r = app
            .post_json(&admin, &steps, json!({"step": "dismiss"}))
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "closed already"
        );

        // Otto dismisses his community's report.
        let spam_report = mine[0]["id"].as_str().expect("id").to_owned();
        let r = app
            .post_json(
                &otto,
                &format!("/api/v1/moderation/reports/{spam_report}/steps"),
                json!({"step": "dismiss"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        // Sam sees what became of both.
        let his = app.json(&sam, "/api/v1/me/reports").await;
        let his = his["reports"].as_array().expect("reports");
        assert_eq!(his.len(), 2);
        let outcome = |id: &str| {
            his.iter()
                .find(|r| r["id"] == id)
                .map(|r| (r["status"].clone(), r["outcome"].clone()))
                .expect("report")
        };
        assert_eq!(
            outcome(&rude),
            (json!("actioned"), json!("Removed by a moderator."))
        );
        assert_eq!(outcome(&spam).0, json!("dismissed"));
        assert_eq!(
            app.json(&admin, "/api/v1/moderation/reports").await["reports"],
            json!([])
        );

        // Every filing and step is in the audit log.
        let audit = app.json(&admin, "/api/v1/audit/events?limit=1000").await;
        let actions: Vec<&str> = audit["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(actions.iter().filter(|a| **a == "report.file").count(), 4);
        assert!(actions.contains(&"moderation.remove"));
        assert!(actions.contains(&"moderation.dismiss"));
    }
);
