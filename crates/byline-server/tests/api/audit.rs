//! The audit log through the API: who did what, from where; admins only.

use crate::app_test;
use crate::helpers::{PASSWORD, client};
use reqwest::StatusCode;
use serde_json::{Value, json};

app_test!(
    sign_ins_sign_outs_and_admin_actions_are_audited,
    |app| async move {
        let sam = app.staff_client().await;
        app.post_json(
            &client(),
            "/api/v1/sessions",
            json!({"email": "sam@example.com", "password": "wrong password!"}),
        )
        .await;
        sam.delete(app.url("/api/v1/sessions/current"))
            .send()
            .await
            .expect("send");
        let ada = app.admin_client().await;
        ada.post(app.url(&format!("/api/v1/users/{}/deactivate", app.staff.id)))
            .send()
            .await
            .expect("send");
        let page: Value = app.json(&ada, "/api/v1/audit/events?limit=1000").await;
        let events = page["events"].as_array().expect("events");
        let actions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap_or_default())
            .collect();
        // Two users were created by the test setup, then:
        assert_eq!(
            actions[2..],
            [
                "session.sign_in",
                "session.sign_in_refused",
                "session.sign_out",
                "session.sign_in",
                "user.deactivate"
            ]
        );
        let sign_in = &events[2];
        assert_eq!(sign_in["user_id"], app.staff.id.to_string());
        assert_eq!(sign_in["source_address"], "127.0.0.1");
        assert_eq!(events[3]["details"]["email"], "sam@example.com");
        assert!(
            !page.to_string().contains(PASSWORD) && !page.to_string().contains("wrong password"),
            "no secrets in the log"
        );
        assert_eq!(events[6]["user_id"], app.admin.id.to_string());
        assert_eq!(events[6]["target"], format!("user:{}", app.staff.id));
        let v = app.json(&ada, "/api/v1/audit/verify").await;
        assert_eq!(v["intact"], true);
        assert_eq!(v["checked"], 7);
    }
);

app_test!(
    the_audit_log_exports_as_json_lines_and_csv_for_admins_only,
    |app| async move {
        let ada = app.admin_client().await;
        let jsonl = app
            .get(&ada, "/api/v1/audit/export?format=jsonl")
            .await
            .text()
            .await
            .expect("text");
        let lines: Vec<Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2]["action"], "session.sign_in");
        let csv = app
            .get(&ada, "/api/v1/audit/export?format=csv")
            .await
            .text()
            .await
            .expect("text");
        assert!(csv.starts_with(
            "seq,at,user_id,profile_id,action,target,source_address,details,prev_hash,hash\n"
        ));
        assert_eq!(csv.lines().count(), 4);
        assert_eq!(
            app.get(&ada, "/api/v1/audit/export?format=xml")
                .await
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let sam = app.staff_client().await;
        for path in [
            "/api/v1/audit/events",
            "/api/v1/audit/export",
            "/api/v1/audit/verify",
        ] {
            assert_eq!(
                app.get(&sam, path).await.status(),
                StatusCode::FORBIDDEN,
                "{path}"
            );
            assert_eq!(
                app.get(&client(), path).await.status(),
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
        }
    }
);
