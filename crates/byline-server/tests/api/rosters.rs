//! Rosters: shifts in IANA zones with recurrence, who is on duty, and the
//! rule that members speak as a profile only on shift (owners exempt).

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use byline_core::roster::{local_of, parse_zone};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Wall-clock text in UTC of `now + minutes`.
fn utc_local(minutes: i64) -> String {
    let t = byline_app::now().plus_seconds(minutes * 60);
    local_of(parse_zone("UTC").expect("zone"), t)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// @desk (policy `policy`) with Sam as editor and Olga as owner; Ada is admin.
async fn desk(app: &TestApp, policy: &str) -> (Client, Client, Client) {
    let ada = app.admin_client().await;
    let sam = app.staff_client().await;
    let olga = app.new_member("olga", "Olga Owner").await;
    app.shared_profile(
        &ada,
        "desk",
        policy,
        &[("sam", "editor"), ("olga", "owner")],
    )
    .await;
    (ada, sam, olga)
}

async fn add_shift(app: &TestApp, c: &Client, body: Value) -> reqwest::Response {
    app.post_json(c, "/api/v1/shared-profiles/desk/roster", body)
        .await
}

async fn audit_actions(app: &TestApp, admin: &Client) -> Vec<Value> {
    app.json(admin, "/api/v1/audit/events?limit=1000").await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

app_test!(
    an_owner_builds_a_roster_and_members_see_who_is_on_duty,
    |app| async move {
        let (ada, sam, olga) = desk(app, "sealed").await;
        let r = add_shift(
            app,
            &olga,
            json!({"member": "sam", "time_zone": "UTC", "starts": utc_local(-60), "ends": utc_local(60), "note": "first line"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let shift: Value = r.json().await.expect("json");
        assert_eq!(shift["member"], "sam");
        assert_eq!(shift["note"], "first line");

        let now = app.json(&sam, "/api/v1/shared-profiles/desk/on-duty").await;
        let on: Vec<&str> = now["on_duty"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|d| d["member"].as_str())
            .collect();
        assert_eq!(on, ["sam"], "Sam is on duty now");
        let later = byline_app::now().plus_seconds(3 * 3600).to_rfc3339();
        let then = app
            .json(
                &sam,
                &format!("/api/v1/shared-profiles/desk/on-duty?at={later}"),
            )
            .await;
        assert_eq!(then["on_duty"], json!([]), "nobody in three hours");

        let roster = app.json(&ada, "/api/v1/shared-profiles/desk/roster").await;
        assert_eq!(roster["shifts"].as_array().map(Vec::len), Some(1));
        assert_eq!(roster["stretches"][0]["member"], "sam");

        // A sealed profile's roster would hint at who wrote what: outsiders
        // see neither the roster nor who is on duty.
        let rosa = app.new_member("rosa", "Rosa Outsider").await;
        for path in [
            "/api/v1/shared-profiles/desk/roster",
            "/api/v1/shared-profiles/desk/on-duty",
        ] {
            let r = app.get(&rosa, path).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        }

        let id = shift["id"].as_str().expect("id");
        let r = app
            .delete(&olga, &format!("/api/v1/shared-profiles/desk/roster/{id}"))
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app
            .delete(&olga, &format!("/api/v1/shared-profiles/desk/roster/{id}"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "already off the roster");
        let now = app.json(&sam, "/api/v1/shared-profiles/desk/on-duty").await;
        assert_eq!(now["on_duty"], json!([]));

        let events = audit_actions(app, &ada).await;
        for action in ["roster.shift_add", "roster.shift_remove"] {
            assert!(
                events.iter().any(|e| e["action"] == action),
                "{action} audited"
            );
        }
    }
);

app_test!(
    members_speak_only_on_shift_when_the_rule_is_on_and_owners_always,
    |app| async move {
        let (ada, sam, olga) = desk(app, "signed").await;
        let r = app
            .patch_json(
                &olga,
                "/api/v1/shared-profiles/desk",
                json!({"shift_only": true}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "off shift", "acting_as": "desk"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let body: Value = r.json().await.expect("json");
        let msg = body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("not on shift"), "{msg}");
        let posts = app.json(&ada, "/api/v1/profiles/desk/posts").await;
        assert_eq!(posts["posts"], json!([]), "nothing was said");
        let events = audit_actions(app, &ada).await;
        let refused = events
            .iter()
            .find(|e| e["action"] == "speak.refused")
            .expect("refusal audited");
        assert!(refused["details"].to_string().contains("off_shift"));

        // The owner answers at any hour.
        app.post(
            &olga,
            json!({"text": "owner speaking", "acting_as": "desk"}),
        )
        .await;

        // On shift, Sam may speak.
        let r = add_shift(
            app,
            &olga,
            json!({"member": "sam", "time_zone": "Europe/London", "starts": utc_local(-24 * 60), "ends": utc_local(24 * 60)}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        app.post(&sam, json!({"text": "on shift now", "acting_as": "desk"}))
            .await;

        // With the rule off, the roster does not matter.
        let r = app
            .patch_json(
                &ada,
                "/api/v1/shared-profiles/desk",
                json!({"shift_only": false}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let roster = app.json(&sam, "/api/v1/shared-profiles/desk/roster").await;
        assert_eq!(roster["shift_only"], false);
        let events = audit_actions(app, &ada).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| e["action"] == "roster.shift_only")
                .count(),
            2
        );
    }
);

app_test!(
    bad_shifts_are_refused_and_change_nothing,
    |app| async move {
        let (_ada, sam, olga) = desk(app, "internal").await;
        let ok = json!({"member": "sam", "time_zone": "Europe/London",
        "starts": "2026-11-23T09:00", "ends": "2026-11-23T17:00",
        "recurrence": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"});
        assert_eq!(
            add_shift(app, &olga, ok).await.status(),
            StatusCode::CREATED
        );
        let _rosa = app.new_member("rosa", "Rosa Outsider").await;
        let bad = [
            // 11:00 New York in winter is 16:00 London: inside Monday's shift.
            json!({"member": "sam", "time_zone": "America/New_York", "starts": "2026-11-30T11:00", "ends": "2026-11-30T12:00"}),
            json!({"member": "sam", "time_zone": "UTC", "starts": "2026-12-01T17:00", "ends": "2026-12-01T09:00"}),
            json!({"member": "sam", "time_zone": "Mars/Olympus", "starts": "2026-12-01T09:00", "ends": "2026-12-01T10:00"}),
            json!({"member": "sam", "time_zone": "UTC", "starts": "tomorrow", "ends": "2026-12-01T10:00"}),
            json!({"member": "sam", "time_zone": "UTC", "starts": "2026-12-05T09:00", "ends": "2026-12-05T10:00", "recurrence": "FREQ=MINUTELY"}),
            json!({"member": "rosa", "time_zone": "UTC", "starts": "2026-12-05T09:00", "ends": "2026-12-05T10:00"}),
            json!({"member": "nobody", "time_zone": "UTC", "starts": "2026-12-05T09:00", "ends": "2026-12-05T10:00"}),
        ];
        for body in bad {
            let r = add_shift(app, &olga, body.clone()).await;
            assert_eq!(
                error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
                "invalid",
                "{body}"
            );
        }
        // An evening shift the same Monday does not overlap.
        let evening = json!({"member": "sam", "time_zone": "Europe/London", "starts": "2026-11-30T17:00", "ends": "2026-11-30T20:00"});
        assert_eq!(
            add_shift(app, &olga, evening).await.status(),
            StatusCode::CREATED
        );
        // Editors do not manage the roster.
        let mine = json!({"member": "sam", "time_zone": "UTC", "starts": "2026-12-06T09:00", "ends": "2026-12-06T10:00"});
        assert_eq!(
            add_shift(app, &sam, mine).await.status(),
            StatusCode::FORBIDDEN
        );
        let roster = app.json(&olga, "/api/v1/shared-profiles/desk/roster").await;
        assert_eq!(roster["shifts"].as_array().map(Vec::len), Some(2));
        let r = app
            .patch_json(
                &olga,
                "/api/v1/shared-profiles/desk",
                json!({"shift_only": true, "attribution_policy": "loud"}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let roster = app.json(&olga, "/api/v1/shared-profiles/desk/roster").await;
        assert_eq!(
            roster["shift_only"], false,
            "a refused change changes nothing"
        );
    }
);

app_test!(
    a_nine_oclock_shift_stays_at_nine_local_across_the_clock_change,
    |app| async move {
        let (_ada, sam, olga) = desk(app, "signed").await;
        let r = add_shift(
            app,
            &olga,
            json!({"member": "sam", "time_zone": "Europe/London",
                "starts": "2026-10-19T09:00", "ends": "2026-10-19T17:00",
                "recurrence": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        // London leaves summer time on Sunday 25 October 2026.
        let roster = app
            .json(
                &sam,
                "/api/v1/shared-profiles/desk/roster?from=2026-10-23T00:00:00Z&to=2026-10-27T00:00:00Z",
            )
            .await;
        let got: Vec<(String, String)> = roster["stretches"]
            .as_array()
            .expect("list")
            .iter()
            .map(|s| {
                (
                    s["starts"].as_str().unwrap_or_default().to_owned(),
                    s["starts_local"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-10-23T08:00:00Z".to_owned(),
                    "2026-10-23 09:00 BST".to_owned()
                ),
                (
                    "2026-10-26T09:00:00Z".to_owned(),
                    "2026-10-26 09:00 GMT".to_owned()
                ),
            ]
        );
        // 08:30 UTC is 09:30 on the Friday (on duty) but 08:30 on the
        // Monday after the change (not yet).
        let on = |v: &Value| v["on_duty"].as_array().map(Vec::len);
        let friday = app
            .json(
                &sam,
                "/api/v1/shared-profiles/desk/on-duty?at=2026-10-23T08:30:00Z",
            )
            .await;
        assert_eq!(on(&friday), Some(1));
        let monday = app
            .json(
                &sam,
                "/api/v1/shared-profiles/desk/on-duty?at=2026-10-26T08:30:00Z",
            )
            .await;
        assert_eq!(on(&monday), Some(0));
    }
);
