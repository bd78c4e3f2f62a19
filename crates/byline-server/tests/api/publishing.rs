//! Publishing end to end over real HTTP: a draft for two channels (the
//! profile's own feed and a signed webhook on loopback), review with the
//! writer barred from approving, an edit that sends it back, a schedule at
//! the next minute, the job runner publishing it once, its campaign's
//! short link counted, and the ROI report. Then everything a marketer can
//! get wrong, refused with nothing changed.

use crate::app_test;
use crate::helpers::TestApp;
use axum::body::Bytes;
use axum::http::HeaderMap;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const P: &str = "/api/v1/shared-profiles/desk";

/// @desk with an owner (olga), an editor (eddie) and a responder (rita).
async fn desk(app: &TestApp) -> (Client, Client, Client) {
    let ada = app.admin_client().await;
    let olga = app.new_member("olga", "Olga Owner").await;
    let eddie = app.new_member("eddie", "Eddie Editor").await;
    let rita = app.new_member("rita", "Rita Responder").await;
    app.shared_profile(
        &ada,
        "desk",
        "signed",
        &[
            ("olga", "owner"),
            ("eddie", "editor"),
            ("rita", "responder"),
        ],
    )
    .await;
    (olga, eddie, rita)
}

/// A webhook receiver on 127.0.0.1 that answers 200 to everything.
async fn receiver() -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let seen = got.clone();
    let handler = move |headers: HeaderMap, body: Bytes| {
        let seen = seen.clone();
        async move {
            seen.lock().expect("lock").push((headers, body));
            "thanks"
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/hook"), got)
}

/// Checks an error response's status and shape; evaluates to its message.
async fn refused(r: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status, "unexpected status");
    let body: Value = r.json().await.expect("error body is JSON");
    assert!(body["error"]["code"].is_string(), "{body}");
    body["error"]["message"]
        .as_str()
        .expect("error has a message")
        .to_owned()
}

async fn ok_json(r: reqwest::Response, want: StatusCode) -> Value {
    let status = r.status();
    let text = r.text().await.expect("text");
    assert_eq!(status, want, "{text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("json")
    }
}

async fn put_json(app: &TestApp, c: &Client, path: &str, body: Value) -> reqwest::Response {
    c.put(app.url(path)).json(&body).send().await.expect("send")
}

/// Connects a feed and a webhook channel; evaluates to their ids.
async fn channels(app: &TestApp, olga: &Client, url: &str) -> (String, String) {
    let feed = ok_json(
        app.post_json(
            olga,
            &format!("{P}/channels"),
            json!({"kind": "feed", "name": "Desk news"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let hook = ok_json(
        app.post_json(
            olga,
            &format!("{P}/channels"),
            json!({"kind": "webhook", "name": "Partner hook", "url": url}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (
        feed["id"].as_str().expect("id").to_owned(),
        hook["id"].as_str().expect("id").to_owned(),
    )
}

/// The next whole minute after now, as a UTC wall-clock time, at least
/// five seconds away so the request lands before it.
fn next_minute() -> String {
    let now = byline_app::now().micros() / 1_000_000;
    let mut due = (now / 60 + 1) * 60;
    if due - now < 5 {
        due += 60;
    }
    chrono::DateTime::from_timestamp(due, 0)
        .expect("time")
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn until(app: &TestApp, c: &Client, path: &str, check: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let v = app.json(c, path).await;
        if check(&v) {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(150),
            "never got there: {v}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

// The whole workflow, from draft to ROI.
app_test!(
    a_reviewed_publication_goes_out_once_at_its_minute_and_its_clicks_count,
    |app| async move {
        let (olga, eddie, rita) = desk(app).await;
        let (url, got) = receiver().await;
        let (feed, hook) = channels(app, &olga, &url).await;
        let campaign = ok_json(
        app.post_json(
            &eddie,
            &format!("{P}/campaigns"),
            json!({"name": "Winter launch", "starts_on": "2026-01-01", "ends_on": "2027-12-31", "budget": "1,000.00"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
        let cid = campaign["id"].as_str().expect("id").to_owned();
        let draft = ok_json(
        app.post_json(
            &eddie,
            &format!("{P}/publications"),
            json!({"title": "Launch", "campaign": cid, "variants": [
                {"channel": feed, "text": "We launched. Read https://acme.example/launch today."},
                {"channel": hook, "text": "Launch: https://acme.example/launch"}
            ]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
        let id = draft["id"].as_str().expect("id").to_owned();
        let path = format!("{P}/publications/{id}");
        assert_eq!(draft["status"], "draft");
        // A responder may read it but not write one.
        let r = app
            .post_json(
                &rita,
                &format!("{P}/publications"),
                json!({"title": "x", "variants": [{"channel": feed, "text": "x"}]}),
            )
            .await;
        refused(r, StatusCode::FORBIDDEN).await;
        ok_json(
            app.post_json(&eddie, &format!("{path}/submit"), json!({}))
                .await,
            StatusCode::OK,
        )
        .await;
        // The writer never approves their own work; the owner does, once.
        let r = app
            .post_json(&eddie, &format!("{path}/approve"), json!({"version": 1}))
            .await;
        refused(r, StatusCode::FORBIDDEN).await;
        let approved = ok_json(
            app.post_json(&olga, &format!("{path}/approve"), json!({"version": 1}))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(approved["status"], "approved");
        let r = app
            .post_json(&olga, &format!("{path}/approve"), json!({"version": 1}))
            .await;
        refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        // An edit after approval sends it back for review, as version 2.
        let edited = ok_json(
        put_json(
            app,
            &eddie,
            &path,
            json!({"title": "Launch day", "campaign": cid, "version": 1, "variants": [
                {"channel": feed, "text": "We launched today. Read https://acme.example/launch now."},
                {"channel": hook, "text": "Launch: https://acme.example/launch"}
            ]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
        assert_eq!(edited["status"], "in_review");
        assert_eq!(edited["version"], 2);
        // Approving the old version is refused; the new one is approved.
        let r = app
            .post_json(&olga, &format!("{path}/approve"), json!({"version": 1}))
            .await;
        refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        ok_json(
            app.post_json(&olga, &format!("{path}/approve"), json!({"version": 2}))
                .await,
            StatusCode::OK,
        )
        .await;
        // The writer heard of it.
        let notes = app.json(&eddie, "/api/v1/me/notifications").await;
        assert!(
            notes["notifications"]
                .as_array()
                .expect("list")
                .iter()
                .any(|n| n["kind"] == "publication_approved"),
            "{notes}"
        );
        // A time in the past is refused and changes nothing.
        let r = put_json(
            app,
            &eddie,
            &format!("{path}/schedule"),
            json!({"version": 2, "at": "2020-01-01T09:00"}),
        )
        .await;
        let why = refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(app.json(&eddie, &path).await["status"], "approved", "{why}");
        let at = next_minute();
        let scheduled = ok_json(
            put_json(
                app,
                &eddie,
                &format!("{path}/schedule"),
                json!({"version": 2, "at": at}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(scheduled["status"], "scheduled");
        assert_eq!(scheduled["due_at"], format!("{at}:00Z"));
        // It appears on the calendar.
        let cal = app
            .json(
                &olga,
                "/api/v1/calendar?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
            )
            .await;
        assert!(cal.as_array().is_some(), "{cal}");
        let published = until(app, &eddie, &path, |v| v["status"] == "published").await;
        let due = byline_core::Timestamp::parse_rfc3339(published["due_at"].as_str().expect("due"))
            .expect("rfc3339");
        let out = byline_core::Timestamp::parse_rfc3339(
            published["published_at"].as_str().expect("published"),
        )
        .expect("rfc3339");
        assert!(
            out.micros() >= due.micros(),
            "published before its minute: {published}"
        );
        // The webhook got it once, with its link tagged and shortened.
        let got = got.lock().expect("lock").clone();
        assert_eq!(got.len(), 1, "delivered more than once");
        let body: Value = serde_json::from_slice(&got[0].1).expect("json");
        let text = body["data"]["text"].as_str().expect("text").to_owned();
        let short = text
            .split_whitespace()
            .find(|w| w.contains("/r/"))
            .expect("a short link")
            .to_owned();
        assert!(!text.contains("acme.example/launch"), "{text}");
        // The feed has the post, as @desk.
        let posts = app.json(&rita, "/api/v1/profiles/desk/posts").await;
        assert!(posts.to_string().contains("We launched today."), "{posts}");
        // Following the short link counts a click and lands on the tagged page.
        let code = short.rsplit("/r/").next().expect("code");
        let r = crate::helpers::client()
            .get(app.url(&format!("/r/{code}")))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::FOUND);
        let location = r.headers()["location"].to_str().expect("ascii").to_owned();
        assert!(
            location.starts_with("https://acme.example/launch?"),
            "{location}"
        );
        assert!(location.contains("utm_source=partner-hook"), "{location}");
        assert!(location.contains("utm_medium=webhook"), "{location}");
        assert!(
            location.contains("utm_campaign=winter-launch"),
            "{location}"
        );
        let r = crate::helpers::client()
            .get(app.url("/r/zzzzzzzz"))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // Spend and results make the ROI.
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        ok_json(
            app.post_json(
                &eddie,
                &format!("{P}/campaigns/{cid}/spend"),
                json!({"on": today, "amount": "10.00", "note": "boost", "channel": "Partner hook"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ok_json(
        app.post_json(
            &eddie,
            &format!("{P}/campaigns/{cid}/results"),
            json!({"results": [{"on": today, "channel": "Partner hook", "leads": 3, "conversions": 1, "revenue": "50.00"}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
        let report = app.json(&olga, &format!("{P}/campaigns/{cid}")).await;
        assert_eq!(report["total"]["clicks"], 1, "{report}");
        assert_eq!(report["total"]["spend"], "10.00");
        assert_eq!(report["total"]["revenue"], "50.00");
        assert_eq!(report["total"]["cost_per_click"], "10.00");
        assert_eq!(report["total"]["roi_percent"], 400.0);
        let hook_line = report["by_channel"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["label"] == "Partner hook")
            .expect("the webhook's line")
            .clone();
        assert_eq!(hook_line["clicks"], 1);
        let csv = app
            .get(&olga, &format!("{P}/campaigns/{cid}/report.csv"))
            .await
            .text()
            .await
            .expect("text");
        assert!(csv.starts_with("section,label,spend,clicks"), "{csv}");
        assert!(
            csv.contains("total,All,10.00,1,10.00,3,1,50.00,400.0"),
            "{csv}"
        );
        // Published words never change.
        let r = put_json(
            app,
            &eddie,
            &path,
            json!({"title": "x", "version": 2, "variants": [{"channel": feed, "text": "changed"}]}),
        )
        .await;
        let why = refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(why.contains("gone out"), "{why}");
        // The schedule and the release are in the audit log as speech.
        let detail = app.json(&olga, &path).await;
        let events: Vec<&str> = detail["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter_map(|e| e["event"].as_str())
            .collect();
        for e in [
            "created",
            "submitted",
            "approved",
            "edited",
            "scheduled",
            "released",
            "published",
        ] {
            assert!(events.contains(&e), "{e} missing from {events:?}");
        }
    }
);

// Bad input is refused with a clear reason, and nothing changes.
app_test!(
    bad_publishing_input_is_refused_and_changes_nothing,
    |app| async move {
        let (olga, eddie, _) = desk(app).await;
        let (url, _) = receiver().await;
        let (feed, hook) = channels(app, &olga, &url).await;
        let long = "x".repeat(5001);
        let cases = [
            json!({"title": "", "variants": [{"channel": feed, "text": "hi"}]}),
            json!({"title": "t", "variants": []}),
            json!({"title": "t", "variants": [{"channel": feed, "text": long}]}),
            json!({"title": "t", "variants": [{"channel": "999999", "text": "hi"}]}),
            json!({"title": "t", "campaign": "424242", "variants": [{"channel": feed, "text": "hi"}]}),
            json!({"title": "t", "variants": [{"channel": feed, "text": "a"}, {"channel": feed, "text": "b"}]}),
            json!({"title": "t", "variants": [{"channel": hook, "text": "   "}]}),
        ];
        for body in cases {
            let r = app
                .post_json(&eddie, &format!("{P}/publications"), body.clone())
                .await;
            let why = refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(!why.is_empty(), "{body}");
        }
        assert_eq!(
            app.json(&olga, &format!("{P}/publications")).await,
            json!([]),
            "a refused draft was stored"
        );
        // Rules nobody could complete, unknown zones and roles.
        for body in [
            json!({"time_zone": "Mars/Olympus", "tiers": []}),
            json!({"time_zone": "UTC", "tiers": [{"approvals": 3, "roles": ["owner"]}]}),
            json!({"time_zone": "UTC", "tiers": [{"approvals": 1, "roles": ["boss"]}]}),
            json!({"time_zone": "UTC", "tiers": [{"approvals": 1, "people": ["nobody"]}]}),
        ] {
            let r = put_json(app, &olga, &format!("{P}/publishing"), body.clone()).await;
            refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let r = put_json(
            app,
            &eddie,
            &format!("{P}/publishing"),
            json!({"time_zone": "UTC", "tiers": []}),
        )
        .await;
        refused(r, StatusCode::FORBIDDEN).await;
        // Two tiers: an owner, then eddie by name.
        let rules = ok_json(
            put_json(
                app,
                &olga,
                &format!("{P}/publishing"),
                json!({"time_zone": "Europe/Amsterdam", "tiers": [
                    {"approvals": 1, "roles": ["owner"]},
                    {"approvals": 1, "people": ["eddie"]}
                ]}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(rules["tiers"][1]["people"], json!(["eddie"]));
        // Olga writes: she may not approve her own work, and eddie may not
        // approve before tier 1 is done.
        let p = ok_json(
            app.post_json(
                &olga,
                &format!("{P}/publications"),
                json!({"title": "Tiered", "variants": [{"channel": feed, "text": "hello"}]}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let path = format!("{P}/publications/{}", p["id"].as_str().expect("id"));
        ok_json(
            app.post_json(&olga, &format!("{path}/submit"), json!({}))
                .await,
            StatusCode::OK,
        )
        .await;
        let r = app
            .post_json(&eddie, &format!("{path}/approve"), json!({"version": 1}))
            .await;
        refused(r, StatusCode::FORBIDDEN).await;
        let r = app
            .post_json(&olga, &format!("{path}/approve"), json!({"version": 1}))
            .await;
        refused(r, StatusCode::FORBIDDEN).await;
        // A rejection needs a reason; with one, it goes back to the writer.
        let r = app
            .post_json(&eddie, &format!("{path}/reject"), json!({"reason": " "}))
            .await;
        let code = r.status();
        assert!(
            code == StatusCode::UNPROCESSABLE_ENTITY || code == StatusCode::FORBIDDEN,
            "{code}"
        );
        // Scheduling a draft is refused.
        let r = put_json(
            app,
            &olga,
            &format!("{path}/schedule"),
            json!({"version": 1, "at": "2030-01-01T09:00"}),
        )
        .await;
        refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(app.json(&olga, &path).await["status"], "in_review");
        // A stranger learns nothing.
        let stranger = app.new_member("stan", "Stan Stranger").await;
        let r = app.get(&stranger, &path).await;
        refused(r, StatusCode::NOT_FOUND).await;
        // Campaigns: bad dates, budgets, spend and a CSV with bad rows.
        for body in [
            json!({"name": "", "starts_on": "2026-01-01", "ends_on": "2026-02-01", "budget": "1"}),
            json!({"name": "c", "starts_on": "2026-03-01", "ends_on": "2026-02-01", "budget": "1"}),
            json!({"name": "c", "starts_on": "2026-01-01", "ends_on": "2026-02-01", "budget": "-5"}),
        ] {
            let r = app
                .post_json(&eddie, &format!("{P}/campaigns"), body.clone())
                .await;
            refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let c = ok_json(
        app.post_json(
            &eddie,
            &format!("{P}/campaigns"),
            json!({"name": "Spring", "starts_on": "2026-03-01", "ends_on": "2026-05-31", "budget": "500"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
        let cid = c["id"].as_str().expect("id").to_owned();
        let r = app
        .post_json(
            &eddie,
            &format!("{P}/campaigns"),
            json!({"name": "spring", "starts_on": "2026-03-01", "ends_on": "2026-05-31", "budget": "1"}),
        )
        .await;
        refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let r = app
            .post_json(
                &eddie,
                &format!("{P}/campaigns/{cid}/spend"),
                json!({"on": "2025-01-01", "amount": "10"}),
            )
            .await;
        refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let csv = "date,channel,leads,conversions,revenue\n\
               2026-03-02,Partner hook,2,1,100.00\n\
               2026-03-03,Partner hook,many,1,100.00\n\
               2026-13-01,,1,0,0\n\
               2026-03-04,Desk news,1,0,5.00\n";
        let r = eddie
            .post(app.url(&format!("{P}/campaigns/{cid}/results.csv")))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("send");
        let why = refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(why.contains("line 3") && why.contains("line 4"), "{why}");
        let report = app.json(&eddie, &format!("{P}/campaigns/{cid}")).await;
        assert_eq!(report["total"]["leads"], 0, "a bad import stored rows");
        let good = "date,channel,leads,conversions,revenue\n2026-03-02,Partner hook,2,1,100.00\n2026-03-04,,1,0,5.00\n";
        let r = eddie
            .post(app.url(&format!("{P}/campaigns/{cid}/results.csv")))
            .header("content-type", "text/csv")
            .body(good)
            .send()
            .await
            .expect("send");
        assert_eq!(ok_json(r, StatusCode::CREATED).await["rows"], 2);
        let report = app.json(&eddie, &format!("{P}/campaigns/{cid}")).await;
        assert_eq!(report["total"]["leads"], 3);
        assert_eq!(report["total"]["revenue"], "105.00");
        // Unknown channel names in an import store nothing.
        let r = eddie
            .post(app.url(&format!("{P}/campaigns/{cid}/results.csv")))
            .header("content-type", "text/csv")
            .body("date,channel,leads\n2026-03-05,Nowhere,1\n")
            .send()
            .await
            .expect("send");
        refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            app.json(&eddie, &format!("{P}/campaigns/{cid}")).await["total"]["leads"],
            3
        );
    }
);

// A scheduled publication whose channel is disconnected fails at once, and
// its people hear of it, instead of failing at its minute.
app_test!(
    a_disconnected_channel_fails_its_scheduled_publications_early,
    |app| async move {
        let (olga, eddie, _) = desk(app).await;
        let (url, got) = receiver().await;
        let (_, hook) = channels(app, &olga, &url).await;
        let p = ok_json(
            app.post_json(
                &eddie,
                &format!("{P}/publications"),
                json!({"title": "Later", "variants": [{"channel": hook, "text": "see you"}]}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let path = format!("{P}/publications/{}", p["id"].as_str().expect("id"));
        ok_json(
            app.post_json(&eddie, &format!("{path}/submit"), json!({}))
                .await,
            StatusCode::OK,
        )
        .await;
        ok_json(
            app.post_json(&olga, &format!("{path}/approve"), json!({"version": 1}))
                .await,
            StatusCode::OK,
        )
        .await;
        ok_json(
            put_json(
                app,
                &eddie,
                &format!("{path}/schedule"),
                json!({"version": 1, "at": "2031-06-01T09:00"}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let r = app.delete(&olga, &format!("{P}/channels/{hook}")).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let v = app.json(&eddie, &path).await;
        assert_eq!(v["status"], "failed", "{v}");
        assert!(
            v["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("disconnected"),
            "{v}"
        );
        let notes = app.json(&eddie, "/api/v1/me/notifications").await;
        assert!(
            notes["notifications"]
                .as_array()
                .expect("list")
                .iter()
                .any(|n| n["kind"] == "publication_failed"),
            "{notes}"
        );
        assert!(got.lock().expect("lock").is_empty());
    }
);

// The owners' events webhook hears each step, signed, once per step.
app_test!(
    an_events_webhook_hears_each_publishing_step,
    |app| async move {
        let (olga, eddie, _) = desk(app).await;
        let (url, got) = receiver().await;
        let (feed, hook) = channels(app, &olga, &url).await;
        // Only one of the profile's webhooks may hear them.
        for wrong in [feed.as_str(), "999999", "not-an-id"] {
            let r = put_json(
                app,
                &olga,
                &format!("{P}/publishing"),
                json!({"time_zone": "UTC", "tiers": [{"approvals": 1, "roles": ["owner"]}], "events_channel": wrong}),
            )
            .await;
            let why = refused(r, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(why.contains("webhook"), "{why}");
        }
        let rules = app.json(&olga, &format!("{P}/publishing")).await;
        assert_eq!(rules["events_channel"], Value::Null, "{rules}");
        let rules = ok_json(
            put_json(
                app,
                &olga,
                &format!("{P}/publishing"),
                json!({"time_zone": "UTC", "tiers": [{"approvals": 1, "roles": ["owner"]}], "events_channel": hook}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(rules["events_channel"], json!(hook));
        let p = ok_json(
            app.post_json(
                &eddie,
                &format!("{P}/publications"),
                json!({"title": "Told", "variants": [{"channel": feed, "text": "words"}]}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let path = format!("{P}/publications/{}", p["id"].as_str().expect("id"));
        for (who, step, body) in [
            (&eddie, "submit", json!({})),
            (&olga, "reject", json!({"reason": "too short"})),
        ] {
            ok_json(
                app.post_json(who, &format!("{path}/{step}"), body).await,
                StatusCode::OK,
            )
            .await;
        }
        // Rewritten (not a step the webhook hears), then through review.
        ok_json(
            put_json(
                app,
                &eddie,
                &path,
                json!({"title": "Told", "version": 1, "variants": [{"channel": feed, "text": "more words"}]}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        for (who, step, body) in [
            (&eddie, "submit", json!({})),
            (&olga, "approve", json!({"version": 2})),
        ] {
            ok_json(
                app.post_json(who, &format!("{path}/{step}"), body).await,
                StatusCode::OK,
            )
            .await;
        }
        let want = [
            "publication.submitted",
            "publication.rejected",
            "publication.submitted",
            "publication.approved",
        ];
        let started = Instant::now();
        let heard = loop {
            let heard: Vec<Value> = got
                .lock()
                .expect("lock")
                .iter()
                .filter_map(|(_, body)| serde_json::from_slice::<Value>(body).ok())
                .filter(|v| v["event"] != "test")
                .collect();
            if heard.len() >= want.len() || started.elapsed() > Duration::from_secs(30) {
                break heard;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let mut events: Vec<&str> = heard.iter().filter_map(|v| v["event"].as_str()).collect();
        events.sort_unstable();
        let mut expected = want.to_vec();
        expected.sort_unstable();
        assert_eq!(events, expected, "{heard:?}");
        let rejected = heard
            .iter()
            .find(|v| v["event"] == "publication.rejected")
            .expect("rejected");
        assert_eq!(rejected["profile"], "@desk");
        assert_eq!(rejected["data"]["detail"], "too short");
        // The profile speaks; the person behind the step is never named
        // outside the network.
        assert!(rejected["data"].get("by").is_none(), "{rejected}");
        assert!(!rejected.to_string().contains("olga"), "{rejected}");
        assert!(!rejected.to_string().contains("eddie"), "{rejected}");
        assert_eq!(rejected["data"]["title"], "Told");
        let steps: std::collections::BTreeSet<i64> = heard
            .iter()
            .filter_map(|v| v["data"]["step"].as_i64())
            .collect();
        assert_eq!(steps.len(), want.len(), "one step id each: {heard:?}");
        // Signed like a delivery.
        let signed = got.lock().expect("lock").iter().all(|(h, _)| {
            h.get("byline-signature")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|s| s.starts_with("sha256="))
        });
        assert!(signed, "every event is signed");
        // Turned off: the next step is not told.
        ok_json(
            put_json(
                app,
                &olga,
                &format!("{P}/publishing"),
                json!({"time_zone": "UTC", "tiers": [{"approvals": 1, "roles": ["owner"]}]}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let before = got.lock().expect("lock").len();
        ok_json(
            app.post_json(
                &eddie,
                &format!("{path}/comments"),
                json!({"text": "thanks"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let r = app
            .post_json(
                &eddie,
                &format!("{P}/publications"),
                json!({"title": "Quiet", "variants": [{"channel": feed, "text": "words"}]}),
            )
            .await;
        let quiet = ok_json(r, StatusCode::CREATED).await;
        ok_json(
            app.post_json(
                &eddie,
                &format!(
                    "{P}/publications/{}/submit",
                    quiet["id"].as_str().expect("id")
                ),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            got.lock().expect("lock").len(),
            before,
            "no events once off"
        );
    }
);
