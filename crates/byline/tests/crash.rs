//! Crash safety: a real `byline serve` is killed with SIGKILL at random
//! moments while clients write (posts, posts as a shared profile, and the
//! sign-ins and acting sessions they audit), several at once so that on
//! SQLite their writes share commits (group commit; the test checks the
//! server's counters to see that they did). After each restart every
//! write a client saw acknowledged is there exactly once, nothing
//! half-written is visible, and `byline audit verify` passes. Runs on
//! SQLite (with its default durability, synchronous=FULL) and, when
//! configured, PostgreSQL.

mod desk;
mod support;

use byline_store::testing::{Kind, TestDatabase};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{PASSWORD, Place, client, kill9, sign_in};

/// Kills per backend: at least 20 in CI; `BYLINE_CRASH_KILLS` raises it
/// for the long soak (docs/RELIABILITY.md).
fn kills() -> usize {
    std::env::var("BYLINE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(20)
}
/// Clients writing at once in each round.
const WRITERS: usize = 6;

/// Every post of a profile, newest first, through the API's cursor.
async fn all_posts(c: &Client, url: &str, handle: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("{url}/api/v1/profiles/{handle}/posts?limit=100");
        if let Some(c) = &cursor {
            path.push_str(&format!("&before={c}"));
        }
        let page: Value = c
            .get(path)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("json");
        out.extend(page["posts"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return out,
        }
    }
}

/// Tiny deterministic generator for kill delays (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

async fn crash_and_recover(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let place = Place::new(&db);
    let (ok, out) = place.run(&["migrate"], None);
    assert!(ok, "{out}");
    for (email, name, admin) in [
        ("ada@example.com", "Ada", true),
        ("wes@example.com", "Wes", false),
    ] {
        let mut args = vec!["admin", "create-user", "--email", email, "--name", name];
        if admin {
            args.push("--admin");
        }
        args.push("--password-stdin");
        let (ok, out) = place.run(&args, Some(&format!("{PASSWORD}\n")));
        assert!(ok, "{out}");
    }

    // (text, acting as the desk?) of every acknowledged write.
    let acked: Arc<Mutex<Vec<(String, bool)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut rng = Lcg(0x5eed_b71e);
    // Whether the server was seen sharing a commit between writes.
    let grouped = Arc::new(AtomicBool::new(kind != Kind::Sqlite));
    let kills = kills();
    for round in 0..=kills {
        let (mut server, url) = place.serve();
        if round == 0 {
            let ada = sign_in(&url, "ada@example.com").await;
            let r = ada
                .post(format!("{url}/api/v1/shared-profiles"))
                .json(&json!({"handle": "desk", "display_name": "Desk", "attribution_policy": "signed"}))
                .send()
                .await
                .expect("create desk");
            assert_eq!(r.status(), StatusCode::CREATED);
            let r = ada
                .put(format!("{url}/api/v1/shared-profiles/desk/members/wes"))
                .json(&json!({"role": "editor"}))
                .send()
                .await
                .expect("member");
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
        }
        if round == kills {
            // The last start is for checking, not killing.
            let acknowledged = acked.lock().expect("lock").clone();
            check(&place, &url, &acknowledged).await;
            kill9(&mut server);
            let (ok, out) = place.run(&["audit", "verify"], None);
            assert!(ok, "audit chain after the last crash: {out}");
            break;
        }
        // Several writers at once, so that on SQLite their writes share
        // commits (group commit) when the kill comes.
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let wes = sign_in(&url, "wes@example.com").await;
            let (stop, acked, url) = (stop.clone(), acked.clone(), url.clone());
            writers.push(tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let as_desk = (i + w) % 2 == 1;
                    let text = format!("round {round} writer {w} write {i} #crash");
                    let mut body = json!({ "text": text });
                    if as_desk {
                        body["acting_as"] = json!("desk");
                    }
                    let sent = wes
                        .post(format!("{url}/api/v1/posts"))
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status() == StatusCode::CREATED => {
                            acked.lock().expect("lock").push((text, as_desk));
                        }
                        // The server answered, and refused: a write it
                        // acknowledged earlier is not yet what it reads.
                        Ok(r) => {
                            let status = r.status();
                            let body = r.text().await.unwrap_or_default();
                            return Err(format!("{text:?} refused while serving: {status} {body}"));
                        }
                        // Killed mid-request: unknown outcome, not acknowledged.
                        Err(_) => return Ok(()),
                    }
                    i += 1;
                }
                Ok(())
            }));
        }
        if !grouped.load(Ordering::Relaxed) {
            grouped_commits_seen(&url, &grouped).await;
        }
        tokio::time::sleep(Duration::from_millis(50 + rng.next(400))).await;
        kill9(&mut server);
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            if let Ok(Err(refused)) = writer.await {
                panic!("round {round}: {refused}");
            }
        }
        // Between crashes the chain must already verify.
        if round % 5 == 4 {
            let (ok, out) = place.run(&["audit", "verify"], None);
            assert!(ok, "audit chain after crash {round}: {out}");
        }
    }
    assert!(
        grouped.load(Ordering::Relaxed),
        "on SQLite concurrent writes shared commits while the kills came"
    );
    let total = acked.lock().expect("lock").len();
    assert!(
        total > kills * 2,
        "the writer got work done ({total} writes)"
    );
    eprintln!("crash test on {kind:?}: {kills} SIGKILLs, {total} acknowledged writes, none lost");
    drop(db);
}

/// Reads the server's commit counters while the writers run, and notes
/// whether some commit held more than one write.
async fn grouped_commits_seen(url: &str, grouped: &AtomicBool) {
    let c = client(url);
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let Ok(r) = c.get(format!("{url}/metrics")).send().await else {
            return;
        };
        let text = r.text().await.unwrap_or_default();
        let figure = |name: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
                .unwrap_or(0.0)
        };
        if figure("db_committed_writes_total ") > figure("db_commits_total ") {
            grouped.store(true, Ordering::Relaxed);
            return;
        }
    }
}

/// Every acknowledged write is there exactly once, with its byline; nothing
/// else is; every post spoken as the desk has its audit event.
async fn check(_place: &Place, url: &str, acked: &[(String, bool)]) {
    let ada = sign_in(url, "ada@example.com").await;
    let mut seen: HashMap<String, (usize, bool)> = HashMap::new();
    for (handle, as_desk) in [("wes", false), ("desk", true)] {
        for p in all_posts(&ada, url, handle).await {
            let text = p["text"].as_str().unwrap_or_default().to_owned();
            assert!(
                text.starts_with("round ") && text.ends_with(" #crash"),
                "no half-written post: {text:?}"
            );
            if as_desk {
                assert_eq!(p["byline"]["handle"], "wes", "a desk post keeps its byline");
            }
            let e = seen.entry(text).or_insert((0, as_desk));
            e.0 += 1;
        }
    }
    for (text, as_desk) in acked {
        let got = seen.get(text).copied();
        assert_eq!(
            got,
            Some((1, *as_desk)),
            "acknowledged write {text:?} is there exactly once, as the right profile"
        );
    }
    let desk_posts = seen.values().filter(|(_, d)| *d).count();
    // Audit events for posts spoken as the desk: one per post, no more, no less.
    let mut after = 0;
    let mut audited = 0;
    loop {
        let page: Value = ada
            .get(format!(
                "{url}/api/v1/audit/events?after={after}&limit=1000"
            ))
            .send()
            .await
            .expect("audit")
            .json()
            .await
            .expect("json");
        let events = page["events"].as_array().cloned().unwrap_or_default();
        let Some(last) = events.last() else { break };
        after = last["seq"].as_i64().expect("seq");
        audited += events
            .iter()
            .filter(|e| e["action"] == "post.create_as_profile")
            .count();
    }
    assert_eq!(
        audited, desk_posts,
        "each desk post and its audit event are one write"
    );
}

/// Kills in the jobs round (each restart also runs the closes that the
/// round before it scheduled).
const JOB_KILLS: usize = 12;
/// Requesters opening and solving tickets at once.
const REQUESTERS: usize = 3;

/// Durable jobs across SIGKILL: every round the server starts a day later
/// than the one before (`BYLINE_FAULT_CLOCK_OFFSET_SECS`), so the closes
/// scheduled by the last round's solves (one day out) are due as it
/// starts and its runner claims and runs them while requesters open new
/// tickets and an agent solves them, until the kill. After the last
/// restart every acknowledged solve is closed, each ticket exactly once
/// (one `closed` event, one `ticket.auto_close` audit event), and the
/// audit chain verifies.
async fn jobs_survive_sigkill(kind: Kind) {
    let Some(db) = TestDatabase::new(kind).await else {
        return;
    };
    let place = Place::new(&db);
    let (ok, out) = place.run(&["migrate"], None);
    assert!(ok, "{out}");
    let mut people = vec![("ada".to_owned(), true), ("wes".to_owned(), false)];
    people.extend((0..REQUESTERS).map(|w| (format!("req{w}"), false)));
    for (handle, admin) in &people {
        let email = format!("{handle}@example.com");
        let mut args = vec!["admin", "create-user", "--email", &email, "--name", handle];
        if *admin {
            args.push("--admin");
        }
        args.push("--password-stdin");
        let (ok, out) = place.run(&args, Some(&format!("{PASSWORD}\n")));
        assert!(ok, "{out}");
    }

    let solved: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let mut rng = Lcg(0x0b5e_55ed);
    // Closes this process reported done in rounds that were then killed.
    let mut ran_before_kills = 0.0;
    for round in 0..=JOB_KILLS {
        let offset = i64::try_from(round).expect("round") * desk::DAY;
        let (mut server, url) =
            place.serve_with(&[("BYLINE_FAULT_CLOCK_OFFSET_SECS", offset.to_string())]);
        if round == 0 {
            let ada = sign_in(&url, "ada@example.com").await;
            desk::set_up(&ada, &url, "wes").await;
        }
        if round == JOB_KILLS {
            // The last start runs what is left, and is checked.
            let ada = sign_in(&url, "ada@example.com").await;
            let wes = sign_in(&url, "wes@example.com").await;
            let acknowledged = solved.lock().expect("lock").clone();
            let closed = desk::assert_closed_exactly_once(&ada, &wes, &url, &acknowledged).await;
            kill9(&mut server);
            let (ok, out) = place.run(&["audit", "verify"], None);
            assert!(ok, "audit chain after the last crash: {out}");
            assert!(
                acknowledged.len() > JOB_KILLS,
                "the requesters got work done ({} solves)",
                acknowledged.len()
            );
            assert!(
                ran_before_kills > 0.0,
                "some closes ran in rounds that were then killed"
            );
            eprintln!(
                "jobs crash test on {kind:?}: {JOB_KILLS} SIGKILLs, {} acknowledged solves, \
                 {closed} tickets closed exactly once ({ran_before_kills} closes reported \
                 done by servers that were then killed)",
                acknowledged.len()
            );
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let mut requesters = Vec::new();
        for w in 0..REQUESTERS {
            let requester = sign_in(&url, &format!("req{w}@example.com")).await;
            let agent = sign_in(&url, "wes@example.com").await;
            let (stop, solved, url) = (stop.clone(), solved.clone(), url.clone());
            requesters.push(tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let text = format!("round {round} requester {w} request {i}");
                    match desk::open_and_solve(&requester, &agent, &url, &text).await? {
                        desk::Outcome::Solved(number) => solved.lock().expect("lock").push(number),
                        desk::Outcome::Gone => return Ok(()),
                    }
                    i += 1;
                }
                Ok::<(), String>(())
            }));
        }
        tokio::time::sleep(Duration::from_millis(50 + rng.next(400))).await;
        ran_before_kills += closes_done(&url).await;
        kill9(&mut server);
        stop.store(true, Ordering::Relaxed);
        for requester in requesters {
            if let Ok(Err(refused)) = requester.await {
                panic!("round {round}: {refused}");
            }
        }
    }
    drop(db);
}

/// The auto-closes this server reported done so far (`/metrics`).
async fn closes_done(url: &str) -> f64 {
    let Ok(r) = client(url).get(format!("{url}/metrics")).send().await else {
        return 0.0;
    };
    let text = r.text().await.unwrap_or_default();
    text.lines()
        .filter(|l| {
            l.starts_with("jobs_run_total{")
                && l.contains("kind=\"ticket.auto_close\"")
                && l.contains("outcome=\"done\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_jobs_run_exactly_once_across_sigkills() {
    jobs_survive_sigkill(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_jobs_run_exactly_once_across_sigkills() {
    jobs_survive_sigkill(Kind::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_sigkill_without_losing_acknowledged_writes() {
    crash_and_recover(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_sigkill_without_losing_acknowledged_writes() {
    crash_and_recover(Kind::Postgres).await;
}
