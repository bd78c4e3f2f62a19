//! The help desk over HTTP: a mention of @it-helpdesk becomes a ticket the
//! members see in their inbox and the requester under "My requests"; an
//! answer spoken as the profile in the thread opens it; notes stay with
//! the members; the workflow refuses moves it does not have, and changes
//! nothing when it does.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const DESK: &str = "/api/v1/shared-profiles/it-helpdesk";

/// @it-helpdesk with agent `rita` (responder) and observer `otto`, its
/// help desk on; returns (requester sam, rita, otto).
async fn help_desk(app: &TestApp) -> (Client, Client, Client) {
    let admin = app.admin_client().await;
    let rita = app.new_member("rita", "Rita Agent").await;
    let otto = app.new_member("otto", "Otto Observer").await;
    app.shared_profile(
        &admin,
        "it-helpdesk",
        "internal",
        &[("rita", "responder"), ("otto", "observer")],
    )
    .await;
    let r = app
        .post_json(&admin, &format!("{DESK}/help-desk"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "help desk on");
    (app.staff_client().await, rita, otto)
}

app_test!(
    a_mention_becomes_a_ticket_both_sides_can_follow,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        let root = app
            .post(&sam, json!({"text": "@it-helpdesk wifi down on floor 3"}))
            .await;

        let inbox = app.json(&rita, &format!("{DESK}/tickets")).await;
        assert_eq!(inbox["counts"]["open"], 1);
        assert_eq!(inbox["counts"]["unassigned"], 0, "given to the one agent");
        assert_eq!(inbox["counts"]["mine"], 1);
        assert_eq!(inbox["can_work"], true);
        let t = &inbox["tickets"][0];
        assert_eq!(t["number"], 1);
        assert_eq!(t["subject"], "wifi down on floor 3");
        assert_eq!(t["status"], "new");
        assert_eq!(t["requester"], "sam");
        assert_eq!(t["assignee"], "rita");
        assert_eq!(t["post"], root.as_str());
        assert_eq!(
            app.json(&otto, &format!("{DESK}/tickets")).await["can_work"],
            false
        );

        let mine = app.json(&sam, "/api/v1/me/requests").await;
        assert_eq!(mine["tickets"][0]["subject"], "wifi down on floor 3");
        assert_eq!(mine["tickets"][0]["help_desk"], "it-helpdesk");

        // Rita answers as the profile, in the thread: the ticket is open.
        app.post(
        &rita,
        json!({"text": "Rebooting the access point now.", "reply_to": root, "acting_as": "it-helpdesk"}),
    )
    .await;
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/1/notes"),
                json!({"text": "AP-3 **again**"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let note: Value = r.json().await.expect("json");
        assert_eq!(note["html"], "<p>AP-3 <strong>again</strong></p>\n");

        let seen_by_rita = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        assert_eq!(seen_by_rita["ticket"]["status"], "open");
        let kinds = |v: &Value| -> Vec<String> {
            v["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(
            kinds(&seen_by_rita),
            ["opened", "assigned", "answer", "status", "note"]
        );
        let seen_by_sam = app.json(&sam, &format!("{DESK}/tickets/1")).await;
        assert_eq!(
            kinds(&seen_by_sam),
            ["opened", "answer", "status"],
            "no notes and no assignment for the requester"
        );
        // Who answered is the byline's to tell: members of this internal
        // profile see it, the requester does not; nor who works the ticket.
        let answer_by = |v: &Value| {
            v["events"]
                .as_array()
                .expect("events")
                .iter()
                .find(|e| e["kind"] == "answer")
                .map(|e| e["by"].clone())
        };
        assert_eq!(answer_by(&seen_by_rita), Some(json!("rita")));
        assert_eq!(answer_by(&seen_by_sam), Some(Value::Null));
        assert!(seen_by_sam["ticket"]["assignee"].is_null());
        assert!(!seen_by_sam.to_string().contains("rita"), "{seen_by_sam}");
        assert_eq!(seen_by_sam["member"], false);
        assert!(!seen_by_sam.to_string().contains("AP-3"));

        // Someone else learns nothing, not even that it exists.
        let omar = app.new_member("omar", "Omar").await;
        let r = app.get(&omar, &format!("{DESK}/tickets/1")).await;
        assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
        let r = app.get(&omar, &format!("{DESK}/tickets")).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

app_test!(
    the_workflow_refuses_what_it_does_not_have,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        let root = app
            .post(&sam, json!({"text": "@it-helpdesk new monitor please"}))
            .await;
        let status = |c: &Client, s: &str| {
            let c = c.clone();
            let url = app.url(&format!("{DESK}/tickets/1/status"));
            let s = s.to_owned();
            async move {
                c.post(url)
                    .json(&json!({ "status": s }))
                    .send()
                    .await
                    .expect("send")
            }
        };
        let r = status(&rita, "closed").await;
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "invalid");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("only a solved ticket")),
            "{body}"
        );
        let r = status(&rita, "finished").await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let r = status(&otto, "open").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "observers read only");
        let r = app
            .post_json(
                &otto,
                &format!("{DESK}/tickets/1/notes"),
                json!({"text": "x"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/1/notes"),
                json!({"text": "   "}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let t = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        assert_eq!(t["ticket"]["status"], "new", "nothing changed");
        assert_eq!(
            t["events"].as_array().map(Vec::len),
            Some(2),
            "opened and assigned only"
        );

        // Solved, then the requester writes back: open again.
        assert_eq!(status(&rita, "solved").await.status(), StatusCode::OK);
        app.post(&sam, json!({"text": "it flickers again", "reply_to": root}))
            .await;
        let mine = app.json(&sam, "/api/v1/me/requests").await;
        assert_eq!(mine["tickets"][0]["status"], "open");
        // Closed for good: the next reply is a new ticket.
        assert_eq!(status(&rita, "solved").await.status(), StatusCode::OK);
        assert_eq!(status(&rita, "closed").await.status(), StatusCode::OK);
        app.post(
            &sam,
            json!({"text": "and now it is dead", "reply_to": root}),
        )
        .await;
        let mine = app.json(&sam, "/api/v1/me/requests").await;
        assert_eq!(mine["tickets"][0]["number"], 2);
        assert_eq!(mine["tickets"][0]["subject"], "and now it is dead");
        assert_eq!(mine["tickets"][1]["status"], "closed");
    }
);

app_test!(only_owners_turn_a_help_desk_on, |app| async move {
    let admin = app.admin_client().await;
    let rita = app.new_member("rita", "Rita").await;
    app.shared_profile(&admin, "it-helpdesk", "internal", &[("rita", "editor")])
        .await;
    let r = app
        .post_json(&rita, &format!("{DESK}/help-desk"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Until it is on, there is no inbox and a mention opens nothing.
    let sam = app.staff_client().await;
    app.post(&sam, json!({"text": "@it-helpdesk hello?"})).await;
    let r = app.get(&rita, &format!("{DESK}/tickets")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.json(&sam, "/api/v1/me/requests").await["tickets"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let r = app
        .patch_json(
            &admin,
            &format!("{DESK}/help-desk"),
            json!({"auto_close_days": 3}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "no settings before it is on"
    );
    let r = app
        .post_json(&admin, &format!("{DESK}/help-desk"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .patch_json(
            &admin,
            &format!("{DESK}/help-desk"),
            json!({"auto_close_days": 0}),
        )
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid"
    );
    let r = app
        .patch_json(
            &admin,
            &format!("{DESK}/help-desk"),
            json!({"auto_close_days": 7}),
        )
        .await;
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["auto_close_days"], 7);
    let r = app
        .post_json(&admin, "/api/v1/shared-profiles/sam/help-desk", json!({}))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a personal profile has none"
    );
});

app_test!(
    sla_clocks_count_business_hours_and_bad_calendars_are_refused,
    |app| async move {
        let (sam, rita, _otto) = help_desk(app).await;
        let admin = app.admin_client().await;
        let put = |path: String, body: Value| {
            let c = admin.clone();
            let url = app.url(&path);
            async move { c.put(url).json(&body).send().await.expect("send") }
        };
        // Round the clock, every day: the clocks count real time.
        let every_day: Vec<Vec<&str>> = vec![vec!["00:00-24:00"]; 7];
        let r = put(
            format!("{DESK}/help-desk/hours"),
            json!({"time_zone": "Europe/London", "week": every_day, "holidays": ["2026-12-25"]}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = put(
        format!("{DESK}/help-desk/sla/normal"),
        json!({"first_response_minutes": 30, "resolution_minutes": 480, "warn_before_minutes": 10}),
    )
    .await;
        assert_eq!(r.status(), StatusCode::OK);
        app.post(&sam, json!({"text": "@it-helpdesk cannot print"}))
            .await;
        let t = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        let clocks = t["clocks"].as_array().expect("clocks");
        assert_eq!(clocks.len(), 2, "{t}");
        assert_eq!(clocks[0]["kind"], "first_response");
        assert_eq!(clocks[0]["state"], "running");
        assert_eq!(clocks[0]["target_minutes"], 30);
        assert!(clocks[0]["due_at"].is_string() && clocks[0]["warn_at"].is_string());
        assert_eq!(clocks[1]["kind"], "resolution");
        // The requester sees the same clocks.
        assert_eq!(
            app.json(&sam, &format!("{DESK}/tickets/1")).await["clocks"],
            t["clocks"]
        );

        let hours = app.json(&rita, &format!("{DESK}/help-desk/hours")).await;
        assert_eq!(hours["holidays"][0], "2026-12-25");
        assert_eq!(hours["week"][6][0], "00:00-24:00");
        let sla = app.json(&rita, &format!("{DESK}/help-desk/sla")).await;
        assert_eq!(sla["policies"][0]["priority"], "normal");
        assert_eq!(sla["policies"][0]["resolution_minutes"], 480);

        let refused = |r: reqwest::Response| async move {
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let v: Value = r.json().await.expect("json");
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        fn week(monday: Vec<&'static str>) -> Vec<Vec<&'static str>> {
            let mut w = vec![vec![]; 7];
            w[0] = monday;
            w
        }
        let msg = refused(put(format!("{DESK}/help-desk/hours"), json!({"time_zone": "Europe/London", "week": week(vec!["09:00-13:00", "12:00-17:00"])})).await).await;
        assert!(msg.contains("overlap"), "{msg}");
        let msg = refused(
            put(
                format!("{DESK}/help-desk/hours"),
                json!({"time_zone": "Europe/London", "week": week(vec!["17:00-09:00"])}),
            )
            .await,
        )
        .await;
        assert!(msg.contains("empty"), "{msg}");
        let msg = refused(
            put(
                format!("{DESK}/help-desk/hours"),
                json!({"time_zone": "Moon/Base", "week": week(vec!["09:00-17:00"])}),
            )
            .await,
        )
        .await;
        assert!(msg.contains("unknown time zone"), "{msg}");
        let msg = refused(
            put(
                format!("{DESK}/help-desk/hours"),
                json!({"time_zone": "UTC", "week": week(vec![])}),
            )
            .await,
        )
        .await;
        assert!(msg.contains("at least one"), "{msg}");
        let msg = refused(
            put(
                format!("{DESK}/help-desk/hours"),
                json!({"time_zone": "UTC", "week": [["09:00-17:00"]]}),
            )
            .await,
        )
        .await;
        assert!(msg.contains("seven"), "{msg}");
        let msg = refused(
            put(
                format!("{DESK}/help-desk/sla/high"),
                json!({"first_response_minutes": 0}),
            )
            .await,
        )
        .await;
        assert!(msg.contains("more than zero"), "{msg}");
        let msg = refused(
            put(
                format!("{DESK}/help-desk/sla/high"),
                json!({"resolution_minutes": -5}),
            )
            .await,
        )
        .await;
        assert!(msg.contains("more than zero"), "{msg}");
        let r = put(
            format!("{DESK}/help-desk/sla/critical"),
            json!({"first_response_minutes": 5}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // Nothing refused was kept.
        assert_eq!(
            app.json(&rita, &format!("{DESK}/help-desk/hours")).await,
            hours
        );
        assert_eq!(app.json(&rita, &format!("{DESK}/help-desk/sla")).await, sla);

        // Without an SLA for its priority a ticket keeps no clocks.
        let r = admin
            .delete(app.url(&format!("{DESK}/help-desk/sla/normal")))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let t = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        assert_eq!(t["clocks"].as_array().map(Vec::len), Some(0));
    }
);

app_test!(
    new_tickets_go_round_the_members_on_shift,
    |app| async move {
        let admin = app.admin_client().await;
        let rita = app.new_member("rita", "Rita").await;
        let _eddie = app.new_member("eddie", "Eddie").await;
        let _otto = app.new_member("otto", "Otto").await;
        app.shared_profile(
            &admin,
            "it-helpdesk",
            "internal",
            &[
                ("rita", "responder"),
                ("eddie", "editor"),
                ("otto", "observer"),
            ],
        )
        .await;
        let r = app
            .post_json(&admin, &format!("{DESK}/help-desk"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let sam = app.staff_client().await;
        let assignee = |n: i64| {
            let rita = rita.clone();
            async move {
                app.json(&rita, &format!("{DESK}/tickets/{n}")).await["ticket"]["assignee"]
                    .as_str()
                    .map(str::to_owned)
            }
        };
        for i in 0..4 {
            app.post(&sam, json!({"text": format!("@it-helpdesk problem {i}")}))
                .await;
        }
        let given: Vec<Option<String>> = vec![
            assignee(1).await,
            assignee(2).await,
            assignee(3).await,
            assignee(4).await,
        ];
        // Round robin between the two who work tickets, never the observer.
        assert!(
            given
                .iter()
                .all(|a| matches!(a.as_deref(), Some("rita" | "eddie"))),
            "{given:?}"
        );
        assert_ne!(given[0], given[1]);
        assert_eq!(given[0], given[2]);
        assert_eq!(given[1], given[3]);
        let mine = app.json(&rita, &format!("{DESK}/tickets?view=mine")).await;
        assert_eq!(mine["counts"]["mine"], 2);
        assert_eq!(mine["tickets"].as_array().map(Vec::len), Some(2));

        // At their limit, nobody is given more: the ticket waits unassigned.
        let r = app
            .patch_json(
                &admin,
                &format!("{DESK}/help-desk"),
                json!({"open_limit": 2, "assignment": "least_loaded"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        app.post(&sam, json!({"text": "@it-helpdesk one more"}))
            .await;
        assert_eq!(assignee(5).await, None);
        let queue = app
            .json(&rita, &format!("{DESK}/tickets?view=unassigned"))
            .await;
        assert_eq!(queue["tickets"][0]["number"], 5);

        // By hand: to a member who works tickets, never to an observer or an
        // outsider, and back to nobody.
        let give = |member: Value| {
            let url = app.url(&format!("{DESK}/tickets/5/assignee"));
            let rita = rita.clone();
            async move {
                rita.post(url)
                    .json(&json!({ "member": member }))
                    .send()
                    .await
                    .expect("send")
            }
        };
        let r = give(json!("otto")).await;
        let v: Value = r.json().await.expect("json");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("observer")),
            "{v}"
        );
        app.new_member("omar", "Omar").await;
        let r = give(json!("omar")).await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        assert_eq!(assignee(5).await, None, "nothing changed");
        assert_eq!(give(json!("eddie")).await.status(), StatusCode::OK);
        assert_eq!(assignee(5).await.as_deref(), Some("eddie"));
        assert_eq!(give(Value::Null).await.status(), StatusCode::OK);
        assert_eq!(assignee(5).await, None);

        // With a roster, only who is on shift now is given new tickets.
        let r = app
            .patch_json(
                &admin,
                &format!("{DESK}/help-desk"),
                json!({"open_limit": 50, "assignment": "round_robin"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let now = byline_app::now();
        let local = |t: byline_core::Timestamp| t.to_rfc3339()[..16].to_owned();
        let r = app
        .post_json(
            &admin,
            "/api/v1/shared-profiles/it-helpdesk/roster",
            json!({"member": "eddie", "time_zone": "UTC", "starts": local(now.plus_seconds(-3600)), "ends": local(now.plus_seconds(3600))}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        for i in 0..2 {
            app.post(&sam, json!({"text": format!("@it-helpdesk on shift {i}")}))
                .await;
        }
        assert_eq!(assignee(6).await.as_deref(), Some("eddie"));
        assert_eq!(
            assignee(7).await.as_deref(),
            Some("eddie"),
            "rita is off shift"
        );

        // Priority moves by hand; a made-up one is refused.
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/6/priority"),
                json!({"priority": "urgent"}),
            )
            .await;
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["priority"], "urgent");
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/6/priority"),
                json!({"priority": "asap"}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
    }
);

/// The CSRF token in a page's forms.
fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let at = html.find(marker).expect("a form") + marker.len();
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

app_test!(
    the_pages_work_a_ticket_without_javascript,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        app.post(
            &sam,
            json!({"text": "@it-helpdesk the projector in room 4 is dead"}),
        )
        .await;
        let inbox = app
            .get(&rita, "/profiles/it-helpdesk/inbox")
            .await
            .text()
            .await
            .expect("html");
        assert!(inbox.contains("the projector in room 4 is dead"), "{inbox}");
        assert!(inbox.contains("/profiles/it-helpdesk/tickets/1"));
        let page = app
            .get(&rita, "/profiles/it-helpdesk/tickets/1")
            .await
            .text()
            .await
            .expect("html");
        assert!(page.contains("Add note") && page.contains("name=\"status\""));
        let csrf = csrf_in(&page);

        // A refused move: the page again, with the reason, and a 422.
        let r = rita
            .post(app.url("/profiles/it-helpdesk/tickets/1/status"))
            .form(&[("csrf_token", csrf.as_str()), ("status", "closed")])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .expect("html")
                .contains("only a solved ticket")
        );
        let r = rita
            .post(app.url("/profiles/it-helpdesk/tickets/1/notes"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("text", "bulb ordered <script>x</script>"),
            ])
            .send()
            .await
            .expect("send");
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        let r = rita
            .post(app.url("/profiles/it-helpdesk/tickets/1/status"))
            .form(&[("csrf_token", csrf.as_str()), ("status", "on_hold")])
            .send()
            .await
            .expect("send");
        assert!(r.status().is_success() || r.status().is_redirection());
        let page = app
            .get(&rita, "/profiles/it-helpdesk/tickets/1")
            .await
            .text()
            .await
            .expect("html");
        assert!(
            page.contains("bulb ordered") && !page.contains("<script>x"),
            "notes are rendered safe"
        );
        assert!(page.contains("made it on hold"));

        // A public reply from the page, as the profile.
        let r = rita
            .post(app.url("/profiles/it-helpdesk/tickets/1/reply"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("text", "A new bulb is on its way."),
                ("canned", ""),
            ])
            .send()
            .await
            .expect("send");
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        let page = app
            .get(&rita, "/profiles/it-helpdesk/tickets/1")
            .await
            .text()
            .await
            .expect("html");
        assert!(page.contains("answered"), "{page}");
        // The requester sees the request and its history, not the note, and no forms.
        let mine = app.get(&sam, "/requests").await.text().await.expect("html");
        assert!(mine.contains("the projector in room 4 is dead"));
        let theirs = app
            .get(&sam, "/profiles/it-helpdesk/tickets/1")
            .await
            .text()
            .await
            .expect("html");
        assert!(!theirs.contains("bulb ordered") && !theirs.contains("Add note"));
        // The observer reads but has no forms.
        let observed = app
            .get(&otto, "/profiles/it-helpdesk/tickets/1")
            .await
            .text()
            .await
            .expect("html");
        assert!(observed.contains("bulb ordered") && !observed.contains("Add note"));
    }
);

app_test!(a_sealed_desk_never_says_who_answered, |app| async move {
    let admin = app.admin_client().await;
    let rita = app.new_member("rita", "Rita").await;
    let otto = app.new_member("otto", "Otto").await;
    app.shared_profile(
        &admin,
        "it-helpdesk",
        "sealed",
        &[("rita", "responder"), ("otto", "observer")],
    )
    .await;
    let r = app
        .post_json(&admin, &format!("{DESK}/help-desk"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sam = app.staff_client().await;
    let root = app
        .post(&sam, json!({"text": "@it-helpdesk the printer is on fire"}))
        .await;
    app.post(
        &rita,
        json!({"text": "Evacuate, we are coming.", "reply_to": root, "acting_as": "it-helpdesk"}),
    )
    .await;
    for (who, c) in [("otto", &otto), ("sam", &sam), ("rita", &rita)] {
        let t = app.json(c, &format!("{DESK}/tickets/1")).await;
        let answered: Vec<&Value> = t["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["kind"] == "answer" || (e["kind"] == "status" && e["detail"] == "open"))
            .collect();
        assert_eq!(answered.len(), 2, "{who}: {t}");
        assert!(
            answered.iter().all(|e| e["by"].is_null()),
            "{who} learns nobody: {t}"
        );
    }
    let page = app
        .get(&otto, "/profiles/it-helpdesk/tickets/1")
        .await
        .text()
        .await
        .expect("html");
    assert!(!page.contains("@rita answered"), "{page}");
});

app_test!(
    canned_replies_answer_as_the_profile_with_the_tickets_details,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        let root = app
            .post(&sam, json!({"text": "@it-helpdesk my mouse died"}))
            .await;
        let r = app
        .post_json(&rita, &format!("{DESK}/canned-replies"), json!({"title": "Replacement", "body": "Hi {{requester_name}}, {{assignee}} will bring a new one for {{ticket}}."}))
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let canned: Value = r.json().await.expect("json");
        // Unknown placeholders, a taken title, an observer: refused, nothing saved.
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/canned-replies"),
                json!({"title": "Oops", "body": "Dear {{requestor}}"}),
            )
            .await;
        let v: Value = r.json().await.expect("json");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("{{requestor}}")),
            "{v}"
        );
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/canned-replies"),
                json!({"title": "Replacement", "body": "again"}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let r = app
            .post_json(
                &otto,
                &format!("{DESK}/canned-replies"),
                json!({"title": "Mine", "body": "x"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let list = app.json(&otto, &format!("{DESK}/canned-replies")).await;
        assert_eq!(list["canned_replies"].as_array().map(Vec::len), Some(1));

        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/1/replies"),
                json!({"canned": canned["id"]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let t: Value = r.json().await.expect("json");
        assert_eq!(t["status"], "open");
        // The answer is a post in the thread, as the profile, with the details filled in.
        let thread = app
            .json(&sam, &format!("/api/v1/posts/{root}/thread"))
            .await;
        let text = thread.to_string();
        assert!(
            text.contains("Hi Sam Staff, it-helpdesk will bring a new one for #1."),
            "{text}"
        );
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/1/replies"),
                json!({"text": "x", "canned": canned["id"]}),
            )
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let r = app
            .post_json(
                &otto,
                &format!("{DESK}/tickets/1/replies"),
                json!({"text": "I am only watching"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = rita
            .delete(app.url(&format!(
                "{DESK}/canned-replies/{}",
                canned["id"].as_str().expect("id")
            )))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
);

app_test!(a_requester_rates_each_solve_once, |app| async move {
    let (sam, rita, otto) = help_desk(app).await;
    let root = app
        .post(&sam, json!({"text": "@it-helpdesk keyboard sticks"}))
        .await;
    let rate = |c: &Client, body: Value| {
        let c = c.clone();
        let url = app.url(&format!("{DESK}/tickets/1/rating"));
        async move { c.post(url).json(&body).send().await.expect("send") }
    };
    let r = rate(&sam, json!({"score": 5})).await;
    let v: Value = r.json().await.expect("json");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("once it is solved")),
        "{v}"
    );
    let r = app
        .post_json(
            &rita,
            &format!("{DESK}/tickets/1/status"),
            json!({"status": "solved"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.json(&sam, &format!("{DESK}/tickets/1")).await["can_rate"],
        true
    );
    assert_eq!(
        app.json(&rita, &format!("{DESK}/tickets/1")).await["can_rate"],
        false
    );
    let r = rate(&sam, json!({"score": 6})).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid"
    );
    let r = rate(&rita, json!({"score": 5})).await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "only the requester rates"
    );
    assert_eq!(
        rate(&sam, json!({"score": 5, "comment": "quick!"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let r = rate(&sam, json!({"score": 1})).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid"
    );
    assert_eq!(
        app.json(&sam, &format!("{DESK}/tickets/1")).await["can_rate"],
        false
    );
    // Reopened and solved again: a new answer, a new rating.
    app.post(&sam, json!({"text": "it sticks again", "reply_to": root}))
        .await;
    let r = app
        .post_json(
            &rita,
            &format!("{DESK}/tickets/1/status"),
            json!({"status": "solved"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        rate(&sam, json!({"score": 3})).await.status(),
        StatusCode::NO_CONTENT
    );

    let admin = app.admin_client().await;
    let all = app.json(&admin, &format!("{DESK}/satisfaction")).await;
    let figures = all["figures"].as_array().expect("figures");
    assert_eq!(figures[0]["ratings"], 2, "{all}");
    assert_eq!(figures[0]["average"], 4.0);
    assert_eq!(figures[0]["satisfied_share"], 0.5);
    assert_eq!(figures[1]["member"], "rita");
    // A member sees their own figures only; an observer has none.
    let own = app.json(&rita, &format!("{DESK}/satisfaction")).await;
    assert_eq!(own["figures"].as_array().map(Vec::len), Some(1));
    assert_eq!(own["figures"][0]["member"], "rita");
    let theirs = app.json(&otto, &format!("{DESK}/satisfaction")).await;
    assert_eq!(theirs["figures"].as_array().map(Vec::len), Some(0));
    let r = app.get(&sam, &format!("{DESK}/satisfaction")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});
