//! Scheduled publications with two `byline serve` processes on one
//! PostgreSQL database, killed with SIGKILL while their minutes come due
//! and their deliveries are in flight: each publication is released once
//! and reaches a loopback webhook receiver under exactly one delivery id
//! (a delivery cut off by a kill is sent again under the same
//! `Byline-Delivery` id, so a receiver that keeps the ids it has seen acts
//! on each publication once), and each ends `published`.
//! Needs `BYLINE_TEST_DATABASE_URL` (skipped without it, failing under CI).

mod support;

use axum::body::Bytes;
use axum::http::HeaderMap;
use byline_store::testing::{Kind, TestDatabase};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{PASSWORD, Place, kill9, sign_in};

/// Publications per due minute.
const PER_MINUTE: usize = 50;
/// Due minutes, one kill round each.
const MINUTES: usize = 3;
/// How long the receiver takes to answer.
const ANSWER_MS: u64 = 1200;
/// Seconds from starting a round's servers until its minute is due.
const LEAD_SECS: i64 = 6;

fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A server that is stopped when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

type Heard = Arc<Mutex<Vec<(Option<String>, Bytes)>>>;

/// A webhook receiver on 127.0.0.1 keeping each request's delivery id and
/// body; it answers 200 to everything.
async fn receiver() -> (String, Heard) {
    let heard: Heard = Arc::default();
    let seen = heard.clone();
    let handler = move |headers: HeaderMap, body: Bytes| {
        let seen = seen.clone();
        async move {
            let id = headers
                .get("byline-delivery")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            seen.lock().expect("lock").push((id, body));
            // A slow answer keeps deliveries in flight when the kills come:
            // sent, heard, but not yet recorded as delivered.
            tokio::time::sleep(Duration::from_millis(ANSWER_MS)).await;
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
    (format!("http://{addr}/hook"), heard)
}

async fn ok_json(r: reqwest::Response, want: StatusCode) -> Value {
    let status = r.status();
    let text = r.text().await.expect("text");
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Each publication's title → the delivery ids its words arrived under,
/// and how many requests arrived in all.
fn heard_by_title(heard: &Heard) -> (BTreeMap<String, BTreeSet<String>>, usize) {
    let heard = heard.lock().expect("lock");
    let mut by_title: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, body) in heard.iter() {
        let v: Value = serde_json::from_slice(body).expect("webhook body is JSON");
        if v["event"] == "test" {
            continue;
        }
        let text = v["data"].to_string();
        let title = text
            .split("scheduled publication ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .unwrap_or_else(|| panic!("a publication's words: {text}"));
        by_title
            .entry(title.to_owned())
            .or_default()
            .insert(id.clone().expect("every delivery says its id"));
    }
    (by_title, heard.len())
}

fn utc_minute(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .expect("time")
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_publications_reach_the_receiver_once_through_kills_and_two_servers() {
    let Some(db) = TestDatabase::new(Kind::Postgres).await else {
        return;
    };
    let place = Place::new(&db);
    let (ok, out) = place.run(&["migrate"], None);
    assert!(ok, "{out}");
    for (handle, admin) in [("ada", true), ("olga", false), ("eddie", false)] {
        let email = format!("{handle}@example.com");
        let mut args = vec!["admin", "create-user", "--email", &email, "--name", handle];
        if admin {
            args.push("--admin");
        }
        args.push("--password-stdin");
        let (ok, out) = place.run(&args, Some(&format!("{PASSWORD}\n")));
        assert!(ok, "{out}");
    }
    let (hook, heard) = receiver().await;

    // On today's clock: @acme, its receiver, and publications written by
    // Eddie, approved by Olga and scheduled for three whole minutes that
    // are still ahead.
    let (first, url) = place.serve();
    let first = Running(first);
    let ada = sign_in(&url, "ada@example.com").await;
    let olga = sign_in(&url, "olga@example.com").await;
    let eddie = sign_in(&url, "eddie@example.com").await;
    ok_json(
        ada.post(format!("{url}/api/v1/shared-profiles"))
            .json(
                &json!({"handle": "acme", "display_name": "Acme", "attribution_policy": "signed"}),
            )
            .send()
            .await
            .expect("profile"),
        StatusCode::CREATED,
    )
    .await;
    for (who, role) in [("olga", "owner"), ("eddie", "editor")] {
        let r = ada
            .put(format!("{url}/api/v1/shared-profiles/acme/members/{who}"))
            .json(&json!({ "role": role }))
            .send()
            .await
            .expect("member");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let p = format!("{url}/api/v1/shared-profiles/acme");
    ok_json(
        olga.put(format!("{p}/publishing"))
            .json(&json!({"time_zone": "UTC", "tiers": [{"approvals": 1, "roles": ["owner"]}]}))
            .send()
            .await
            .expect("rules"),
        StatusCode::OK,
    )
    .await;
    let channel = ok_json(
        olga.post(format!("{p}/channels"))
            .json(&json!({"kind": "webhook", "name": "Partner hook", "url": hook}))
            .send()
            .await
            .expect("channel"),
        StatusCode::CREATED,
    )
    .await;
    let channel = channel["id"].as_str().expect("id").to_owned();
    let first_due = (unix_seconds() + 75) / 60 * 60 + 60;
    let dues: Vec<i64> = (0..MINUTES as i64).map(|m| first_due + m * 60).collect();
    let mut ids = Vec::new();
    for (i, due) in (0..MINUTES * PER_MINUTE).map(|i| (i, dues[i / PER_MINUTE])) {
        let made = ok_json(
            eddie
                .post(format!("{p}/publications"))
                .json(&json!({"title": format!("P{i}"), "variants": [
                    {"channel": channel, "text": format!("scheduled publication {i} for the partners")}
                ]}))
                .send()
                .await
                .expect("draft"),
            StatusCode::CREATED,
        )
        .await;
        let id = made["id"].as_str().expect("id").to_owned();
        let at = format!("{p}/publications/{id}");
        ok_json(
            eddie
                .post(format!("{at}/submit"))
                .json(&json!({}))
                .send()
                .await
                .expect("submit"),
            StatusCode::OK,
        )
        .await;
        ok_json(
            olga.post(format!("{at}/approve"))
                .json(&json!({"version": 1}))
                .send()
                .await
                .expect("approve"),
            StatusCode::OK,
        )
        .await;
        let scheduled = ok_json(
            eddie
                .put(format!("{at}/schedule"))
                .json(&json!({"version": 1, "at": utc_minute(due)}))
                .send()
                .await
                .expect("schedule"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
        ids.push(id);
    }
    assert!(
        unix_seconds() < first_due - 5,
        "scheduling took too long for the minutes chosen"
    );
    drop(first);
    assert_eq!(heard_by_title(&heard).1, 0, "nothing went out early");

    // Each round: two servers whose clocks reach the round's minute a few
    // seconds after they start; one is killed just after the minute, the
    // other a moment later, while releases and deliveries are under way.
    let mut kills = 0;
    for (round, due) in dues.iter().enumerate() {
        let offset = due - unix_seconds() - LEAD_SECS;
        let ahead = [("BYLINE_FAULT_CLOCK_OFFSET_SECS", offset.to_string())];
        let (mut one, _) = place.serve_with(&ahead);
        let (two, _) = place.serve_with(&ahead);
        let mut two = Running(two);
        // The runners poll about once a second: kills at different
        // points of the second after the minute.
        let kill_at = (due - offset) * 1000 + [150, 450, 800][round % 3];
        let wait = u64::try_from(kill_at - unix_millis()).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        kill9(&mut one);
        tokio::time::sleep(Duration::from_millis(400)).await;
        kill9(&mut two.0);
        kills += 2;
        eprintln!(
            "round {round}: {} out so far",
            heard_by_title(&heard).0.len()
        );
    }

    let before_last = heard_by_title(&heard).0.len();
    // Then two servers after the last minute finish what was left, late
    // enough that the killed processes' leases (five minutes) have run out.
    let offset = dues[MINUTES - 1] + 400 - unix_seconds();
    let ahead = [("BYLINE_FAULT_CLOCK_OFFSET_SECS", offset.to_string())];
    let (one, url_one) = place.serve_with(&ahead);
    let _one = Running(one);
    let (two, _) = place.serve_with(&ahead);
    let _two = Running(two);
    let eddie = sign_in(&url_one, "eddie@example.com").await;
    let p = format!("{url_one}/api/v1/shared-profiles/acme");
    let started = Instant::now();
    let mut waiting: Vec<String> = ids.clone();
    while !waiting.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "still not published: {waiting:?}"
        );
        let mut still = Vec::new();
        for id in &waiting {
            let v = ok_json(
                eddie
                    .get(format!("{p}/publications/{id}"))
                    .send()
                    .await
                    .expect("read"),
                StatusCode::OK,
            )
            .await;
            match v["status"].as_str() {
                Some("published") => {}
                Some("failed") => panic!("publication {id} failed: {v}"),
                _ => still.push(id.clone()),
            }
        }
        waiting = still;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Let any stray second attempt arrive before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (by_title, requests) = heard_by_title(&heard);
    assert_eq!(
        by_title.len(),
        MINUTES * PER_MINUTE,
        "every publication reached the receiver: {by_title:?}"
    );
    for (title, deliveries) in &by_title {
        assert_eq!(
            deliveries.len(),
            1,
            "publication {title} went out under one delivery id: {deliveries:?}"
        );
    }
    let distinct: BTreeSet<_> = by_title.values().flatten().collect();
    assert_eq!(distinct.len(), MINUTES * PER_MINUTE);
    eprintln!(
        "publishing through {kills} SIGKILLs on two servers: {} publications ({before_last} out before the last start), {requests} requests for {} delivery ids",
        MINUTES * PER_MINUTE,
        distinct.len()
    );
    drop(db);
}
