//! The help desk's dashboard over HTTP: real figures from tickets opened,
//! answered, solved and rated at known times (seeded through the same
//! services and store the demo uses, with the times given), the CSV
//! exports, the page, and the refusals.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use byline_app::posts::{Compose, create_at};
use byline_app::{App, Caller};
use byline_core::Timestamp;
use byline_core::ticket::TicketStatus;
use byline_store::audit::AuditEntry;
use byline_store::users::User;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const DESK: &str = "/api/v1/shared-profiles/it-helpdesk";

struct Desk {
    olga: Client,
    rita: Client,
    otto: Client,
    sam: Client,
    /// Monday of the first week, and of the second.
    weeks: [NaiveDate; 2],
}

async fn user(app: &TestApp, handle: &str) -> User {
    app.store
        .users()
        .list_users(0, 100)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.handle == handle)
        .expect("user")
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> Timestamp {
    Timestamp(
        day.and_hms_opt(hour, minute, 0)
            .expect("time")
            .and_utc()
            .timestamp_micros(),
    )
}

/// @it-helpdesk with owner olga, responders rita and ray, observer otto,
/// SLA on normal priority (first response 30 min, resolution 4 h), no
/// business hours (so business time is wall-clock time). Two weeks ago
/// sam asked four times:
/// - #1 Mon 10:00, answered 10:10, solved 11:00, rated 5 (rita's);
/// - #2 Mon 11:00, answered 11:20, solved 13:00, rated 2 (ray's);
/// - #3 Tue 10:00 (its subject a formula), answered 11:00, still open;
/// - #4 a week later, Mon 10:00, never answered.
async fn seeded(app: &TestApp) -> Desk {
    let admin = app.admin_client().await;
    let olga = app.new_member("olga", "Olga Owner").await;
    let rita = app.new_member("rita", "Rita Agent").await;
    let _ray = app.new_member("ray", "Ray Agent").await;
    let otto = app.new_member("otto", "Otto Observer").await;
    app.shared_profile(
        &admin,
        "it-helpdesk",
        "internal",
        &[
            ("olga", "owner"),
            ("rita", "responder"),
            ("ray", "responder"),
            ("otto", "observer"),
        ],
    )
    .await;
    let r = app
        .post_json(&admin, &format!("{DESK}/help-desk"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .patch_json(
            &olga,
            &format!("{DESK}/help-desk"),
            json!({"assignment": "manual"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = olga
        .put(app.url(&format!("{DESK}/help-desk/sla/normal")))
        .json(&json!({"first_response_minutes": 30, "resolution_minutes": 240}))
        .send()
        .await
        .expect("send");
    assert!(r.status().is_success(), "sla: {}", r.status());

    let today = Utc::now().date_naive();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let w1 = this_monday - Duration::days(14);
    let w2 = this_monday - Duration::days(7);
    let services = App::for_tasks(app.store.clone());
    let sam_user = Caller::operator(app.staff.clone());
    let rita_user = user(app, "rita").await;
    let rita_caller = Caller::operator(rita_user.clone());
    let ask = |text: &'static str, when: Timestamp| {
        let services = services.clone();
        let sam_user = sam_user.clone();
        async move {
            create_at(
                &services,
                &sam_user,
                Compose {
                    text: format!("@it-helpdesk {text}"),
                    community: None,
                    reply_to: None,
                    attachments: Vec::new(),
                    acting_as: None,
                },
                when,
            )
            .await
            .expect("ask")
            .id
        }
    };
    let p1 = ask("wifi down on floor 3", at(w1, 10, 0)).await;
    let p2 = ask("printer jammed", at(w1 + Duration::days(0), 11, 0)).await;
    let p3 = ask(
        "=HYPERLINK(\"http://x\") laptop slow",
        at(w1 + Duration::days(1), 10, 0),
    )
    .await;
    ask("badge reader broken", at(w2, 10, 0)).await;
    for (post, when) in [
        (p1, at(w1, 10, 10)),
        (p2, at(w1, 11, 20)),
        (p3, at(w1 + Duration::days(1), 11, 0)),
    ] {
        create_at(
            &services,
            &rita_caller,
            Compose {
                text: "On it.".into(),
                community: None,
                reply_to: Some(post),
                attachments: Vec::new(),
                acting_as: Some("it-helpdesk".into()),
            },
            when,
        )
        .await
        .expect("answer");
    }
    for (number, member) in [(1, "rita"), (2, "ray"), (3, "rita")] {
        let r = app
            .post_json(
                &olga,
                &format!("{DESK}/tickets/{number}/assignee"),
                json!({ "member": member }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let desk = app
        .store
        .profiles()
        .profile_by_handle(&byline_core::Handle::parse("it-helpdesk").expect("handle"))
        .await
        .expect("desk");
    let tickets = app.store.tickets();
    let audit = || AuditEntry::new(Some(rita_user.id), "ticket.status", String::new(), "test");
    for (number, solved, score) in [(1, at(w1, 11, 0), 5), (2, at(w1, 13, 0), 2)] {
        let t = tickets.ticket(desk.id, number).await.expect("ticket");
        tickets
            .set_ticket_status(t.id, TicketStatus::Solved, rita_user.id, &audit(), solved)
            .await
            .expect("solve");
        tickets
            .rate_ticket(
                t.id,
                app.staff.profile_id,
                app.staff.id,
                score,
                "",
                &audit(),
                Timestamp(solved.micros() + 600_000_000),
            )
            .await
            .expect("rate");
    }
    let r = rita
        .put(app.url(&format!("{DESK}/tickets/1/tags")))
        .json(&json!({"tags": ["wifi", "floor-3"]}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    Desk {
        olga,
        rita,
        otto,
        sam: app.staff_client().await,
        weeks: [w1, w2],
    }
}

fn range(d: &Desk) -> String {
    format!("from={}&to={}", d.weeks[0], d.weeks[1] + Duration::days(6))
}

app_test!(
    the_dashboard_counts_what_happened_to_known_tickets,
    |app| async move {
        let d = seeded(app).await;
        let v = app
            .json(
                &d.olga,
                &format!("{DESK}/help-desk/dashboard?{}", range(&d)),
            )
            .await;
        assert_eq!(v["help_desk"], "it-helpdesk");
        assert_eq!(v["time_basis"], "business");
        assert_eq!(v["opened"], 4);
        assert_eq!(v["solved"], 2);
        // First responses 10, 20 and 60 minutes: the median is 20, the
        // 90th percentile 60 (nearest rank); #4 was never answered.
        assert_eq!(
            v["first_response"],
            json!({"count": 3, "median_seconds": 1200, "p90_seconds": 3600})
        );
        assert_eq!(
            v["resolution"],
            json!({"count": 2, "median_seconds": 3600, "p90_seconds": 7200})
        );
        // #1 and #2 kept their targets; #3 answered late, #4 never.
        assert_eq!(v["sla"], json!({"met": 2, "decided": 4, "attainment": 0.5}));
        assert_eq!(
            v["satisfaction"],
            json!({"ratings": 2, "average": 3.5, "satisfied": 1})
        );
        assert_eq!(
            v["members"],
            json!([
                {"handle": "ray", "ratings": 1, "average": 2.0, "satisfied": 0},
                {"handle": "rita", "ratings": 1, "average": 5.0, "satisfied": 1}
            ])
        );
        assert_eq!(v["deflections"], 0);
        let backlog: Vec<(String, i64)> = v["backlog"]
            .as_array()
            .expect("backlog")
            .iter()
            .map(|b| {
                (
                    b["status"].as_str().unwrap_or_default().to_owned(),
                    b["count"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        // The two solved weeks ago may have been closed already by the
        // server's own job runner (their auto-close is long due): the
        // backlog is "now", so it counts them under either.
        let statuses: Vec<&str> = backlog.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            statuses,
            ["new", "open", "pending", "on_hold", "solved", "closed"]
        );
        let counts: Vec<i64> = backlog.iter().map(|(_, n)| *n).collect();
        assert_eq!(&counts[..4], [1, 1, 0, 0]);
        assert_eq!(counts[4] + counts[5], 2, "{backlog:?}");
        let weeks = v["weeks"].as_array().expect("weeks");
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0]["week"], d.weeks[0].to_string());
        assert_eq!(weeks[0]["opened"], 3);
        assert_eq!(weeks[0]["solved"], 2);
        assert_eq!(weeks[0]["first_response"]["median_seconds"], 1200);
        assert_eq!(weeks[0]["sla"]["met"], 2);
        assert_eq!(weeks[0]["sla"]["decided"], 3);
        assert_eq!(weeks[0]["satisfaction"]["ratings"], 2);
        assert_eq!(weeks[1]["opened"], 1);
        assert_eq!(weeks[1]["first_response"]["count"], 0);
        assert!(weeks[1]["first_response"]["median_seconds"].is_null());
        assert_eq!(weeks[1]["sla"]["attainment"], 0.0);

        // Members see the desk's figures, but only their own satisfaction.
        let mine = app
            .json(
                &d.rita,
                &format!("{DESK}/help-desk/dashboard?{}", range(&d)),
            )
            .await;
        assert_eq!(mine["satisfaction"]["ratings"], 2);
        assert_eq!(
            mine["members"],
            json!([{"handle": "rita", "ratings": 1, "average": 5.0, "satisfied": 1}])
        );
        let observer = app
            .json(
                &d.otto,
                &format!("{DESK}/help-desk/dashboard?{}", range(&d)),
            )
            .await;
        assert_eq!(observer["opened"], 4);
        assert_eq!(observer["members"], json!([]));

        // A range that misses them holds none; the default is eight weeks.
        let later = app
            .json(
                &d.olga,
                &format!(
                    "{DESK}/help-desk/dashboard?from={}&to={}",
                    d.weeks[1] + Duration::days(7),
                    d.weeks[1] + Duration::days(7)
                ),
            )
            .await;
        assert_eq!(later["opened"], 0);
        assert!(later["first_response"]["median_seconds"].is_null());
        let default = app
            .json(&d.olga, &format!("{DESK}/help-desk/dashboard"))
            .await;
        assert_eq!(default["opened"], 4);
        let days = NaiveDate::parse_from_str(default["to"].as_str().expect("to"), "%Y-%m-%d")
            .expect("date")
            - NaiveDate::parse_from_str(default["from"].as_str().expect("from"), "%Y-%m-%d")
                .expect("date");
        assert_eq!(days.num_days(), 55);
    }
);

async fn csv(app: &TestApp, c: &Client, path: &str) -> Vec<Vec<String>> {
    let r = app.get(c, path).await;
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let body = r.text().await.expect("body");
    body.lines().map(split_csv).collect()
}

/// Just enough CSV for these rows: quoted cells may hold commas and "".
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    out.push(cell);
    out
}

app_test!(
    the_figures_and_tickets_export_as_csv_safe_for_spreadsheets,
    |app| async move {
        let d = seeded(app).await;
        let rows = csv(
            app,
            &d.olga,
            &format!("{DESK}/help-desk/dashboard.csv?{}", range(&d)),
        )
        .await;
        assert_eq!(rows.len(), 3, "a header and a row a week");
        assert_eq!(rows[0][0], "week");
        assert_eq!(rows[0][3], "first_response_median_minutes");
        assert_eq!(
            rows[1],
            [
                d.weeks[0].to_string().as_str(),
                "3",
                "2",
                "20.0",
                "60.0",
                "60.0",
                "120.0",
                "2",
                "3",
                "66.7",
                "2",
                "3.50",
                "0"
            ]
        );
        assert_eq!(rows[2][1], "1");
        assert_eq!(rows[2][9], "0.0");

        let tickets = csv(
            app,
            &d.olga,
            &format!("{DESK}/help-desk/tickets.csv?{}", range(&d)),
        )
        .await;
        assert_eq!(
            tickets[0],
            [
                "number",
                "subject",
                "status",
                "priority",
                "tags",
                "assignee",
                "created",
                "first_response",
                "solved",
                "rating"
            ]
        );
        let numbers: Vec<&str> = tickets[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(numbers, ["4", "3", "2", "1"]);
        let t3 = &tickets[2];
        assert_eq!(
            t3[1], "'=HYPERLINK(\"http://x\") laptop slow",
            "a formula stays text"
        );
        assert_eq!(t3[2], "open");
        let t1 = &tickets[4];
        assert_eq!(t1[4], "floor-3 wifi");
        assert_eq!(t1[5], "rita");
        assert!(t1[6].starts_with(&d.weeks[0].to_string()), "{}", t1[6]);
        assert!(t1[7].contains("T10:10:00"), "{}", t1[7]);
        assert!(t1[8].contains("T11:00:00"), "{}", t1[8]);
        assert_eq!(t1[9], "5");
        assert_eq!(tickets[3][9], "2", "the owner sees ray's rating");
        // A member sees only the ratings kept with them.
        let as_rita = csv(
            app,
            &d.rita,
            &format!("{DESK}/help-desk/tickets.csv?{}", range(&d)),
        )
        .await;
        assert_eq!(as_rita[4][9], "5");
        assert_eq!(as_rita[3][9], "", "not rita's to see");
    }
);

app_test!(
    the_dashboard_is_the_members_and_refuses_bad_ranges,
    |app| async move {
        let d = seeded(app).await;
        for path in [
            "help-desk/dashboard",
            "help-desk/dashboard.csv",
            "help-desk/tickets.csv",
        ] {
            let url = format!("{DESK}/{path}");
            let r = app.get(&d.sam, &url).await;
            assert_eq!(
                error_code(r, StatusCode::FORBIDDEN).await,
                "forbidden",
                "{path}"
            );
            let r = app.get(&crate::helpers::client(), &url).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
            let r = app
                .get(&d.olga, &format!("/api/v1/shared-profiles/nobody/{path}"))
                .await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            for bad in [
                "from=2025-03-10&to=2025-03-01",
                "from=2025-02-30",
                "to=yesterday",
                "from=2022-01-01&to=2025-01-01",
            ] {
                let r = app.get(&d.olga, &format!("{url}?{bad}")).await;
                let body: Value = r.json().await.expect("json");
                assert_eq!(body["error"]["code"], "invalid", "{path}?{bad}: {body}");
            }
            let r = app.get(&d.olga, &format!("{url}?since=2025-01-01")).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        }
        let r = app
            .get(
                &d.olga,
                &format!("{DESK}/help-desk/dashboard?from=2025-03-10&to=2025-03-01"),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.expect("json");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("after it ends")),
            "{body}"
        );
    }
);

app_test!(
    the_dashboard_page_has_tables_and_its_chart_data,
    |app| async move {
        let d = seeded(app).await;
        let r = app
            .get(
                &d.olga,
                &format!("/profiles/it-helpdesk/dashboard?{}", range(&d)),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.expect("html");
        assert!(html.contains("<script type=\"application/json\" id=\"dashboard-data\">"));
        assert!(html.contains("/static/vendor/chart.umd.min.js"));
        assert!(html.contains("/static/dashboard.js"));
        assert!(
            html.contains("20 min"),
            "the median first response, as a table"
        );
        assert!(html.contains("50 %"), "SLA attainment");
        let island = html
            .split("id=\"dashboard-data\">")
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .expect("island");
        let data: Value = serde_json::from_str(island).expect("JSON island");
        assert_eq!(data["first_response"]["median_seconds"], 1200);
        let r = app.get(&d.sam, "/profiles/it-helpdesk/dashboard").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .get(&d.olga, "/profiles/it-helpdesk/dashboard?from=2025-02-30")
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for script in ["/static/vendor/chart.umd.min.js", "/static/dashboard.js"] {
            let r = app.get(&crate::helpers::client(), script).await;
            assert_eq!(r.status(), StatusCode::OK);
            assert!(
                r.headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/javascript"))
            );
        }
    }
);
