//! A help desk driven over the real API, shared by the crash suite and the
//! two-process jobs test: turn it on, open tickets by mentioning it, solve
//! them, and read back what the auto-close jobs did.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The help desk's handle.
pub const DESK: &str = "desk";

/// A day in seconds: the shortest wait before a solved ticket closes.
pub const DAY: i64 = 86_400;

/// Ada (an admin) makes the shared profile `desk`, makes `agent` a
/// responder, turns the help desk on and sets solved tickets to close
/// after one day.
pub async fn set_up(ada: &Client, url: &str, agent: &str) {
    let r = ada
        .post(format!("{url}/api/v1/shared-profiles"))
        .json(&json!({"handle": DESK, "display_name": "Desk", "attribution_policy": "signed"}))
        .send()
        .await
        .expect("create desk");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = ada
        .put(format!(
            "{url}/api/v1/shared-profiles/{DESK}/members/{agent}"
        ))
        .json(&json!({"role": "responder"}))
        .send()
        .await
        .expect("member");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = ada
        .post(format!("{url}/api/v1/shared-profiles/{DESK}/help-desk"))
        .send()
        .await
        .expect("enable");
    assert_eq!(r.status(), StatusCode::OK, "help desk on");
    let r = ada
        .patch(format!("{url}/api/v1/shared-profiles/{DESK}/help-desk"))
        .json(&json!({"auto_close_days": 1}))
        .send()
        .await
        .expect("settings");
    assert_eq!(r.status(), StatusCode::OK, "auto-close after a day");
}

/// What became of one request.
pub enum Outcome {
    /// Opened and solved, both acknowledged: the ticket's number.
    Solved(i64),
    /// The server went away before answering (outcome unknown).
    Gone,
}

/// The requester mentions the desk; the ticket that opens is looked up in
/// the requester's "My requests" and solved by the agent. Any refusal
/// from a running server is an error.
pub async fn open_and_solve(
    requester: &Client,
    agent: &Client,
    url: &str,
    text: &str,
) -> Result<Outcome, String> {
    let Ok(r) = requester
        .post(format!("{url}/api/v1/posts"))
        .json(&json!({ "text": format!("@{DESK} {text}") }))
        .send()
        .await
    else {
        return Ok(Outcome::Gone);
    };
    if r.status() != StatusCode::CREATED {
        return Err(format!("mention {text:?} refused: {}", r.status()));
    }
    let Ok(post) = r.json::<Value>().await else {
        return Ok(Outcome::Gone);
    };
    let post_id = post["id"].as_str().unwrap_or_default().to_owned();
    let Ok(r) = requester
        .get(format!("{url}/api/v1/me/requests"))
        .send()
        .await
    else {
        return Ok(Outcome::Gone);
    };
    let Ok(mine) = r.json::<Value>().await else {
        return Ok(Outcome::Gone);
    };
    let Some(number) = mine["tickets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["post"] == post_id.as_str())
        .and_then(|t| t["number"].as_i64())
    else {
        return Err(format!("acknowledged mention {text:?} opened no ticket"));
    };
    let Ok(r) = agent
        .post(format!(
            "{url}/api/v1/shared-profiles/{DESK}/tickets/{number}/status"
        ))
        .json(&json!({"status": "solved"}))
        .send()
        .await
    else {
        return Ok(Outcome::Gone);
    };
    if r.status() != StatusCode::OK {
        return Err(format!("solving #{number} refused: {}", r.status()));
    }
    Ok(Outcome::Solved(number))
}

/// Every ticket in the desk's "done" view (solved and closed), number to
/// status.
pub async fn done_tickets(agent: &Client, url: &str) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    let mut cursor = String::new();
    loop {
        let page: Value = agent
            .get(format!(
                "{url}/api/v1/shared-profiles/{DESK}/tickets?view=done&cursor={cursor}"
            ))
            .send()
            .await
            .expect("done view")
            .json()
            .await
            .expect("json");
        for t in page["tickets"].as_array().into_iter().flatten() {
            out.insert(
                t["number"].as_i64().expect("number"),
                t["status"].as_str().unwrap_or_default().to_owned(),
            );
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return out,
        }
    }
}

/// Waits until no ticket is left solved (the runner closed them all);
/// returns the done view then. A guard against hanging, not a timing
/// claim: it gives the runner minutes for what takes it seconds.
pub async fn wait_until_all_closed(agent: &Client, url: &str) -> HashMap<i64, String> {
    for _ in 0..1200 {
        let done = done_tickets(agent, url).await;
        if done.values().all(|s| s == "closed") {
            return done;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let done = done_tickets(agent, url).await;
    let left = done.values().filter(|s| *s == "solved").count();
    panic!("{left} solved tickets were never closed: a due job was lost");
}

/// How many `closed` status events ticket `number` has.
pub async fn closed_events(agent: &Client, url: &str, number: i64) -> usize {
    let t: Value = agent
        .get(format!(
            "{url}/api/v1/shared-profiles/{DESK}/tickets/{number}"
        ))
        .send()
        .await
        .expect("ticket")
        .json()
        .await
        .expect("json");
    t["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "status" && e["detail"] == "closed")
        .count()
}

/// The audit log's `ticket.auto_close` events, by target (`ticket:ID`).
pub async fn auto_close_audits(admin: &Client, url: &str) -> HashMap<String, usize> {
    let mut by_target = HashMap::new();
    let mut after = 0;
    loop {
        let page: Value = admin
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
        let Some(last) = events.last() else {
            return by_target;
        };
        after = last["seq"].as_i64().expect("seq");
        for e in events.iter().filter(|e| e["action"] == "ticket.auto_close") {
            *by_target
                .entry(e["target"].as_str().unwrap_or_default().to_owned())
                .or_insert(0) += 1;
        }
    }
}

/// Every ticket closed once: each number in `solved` is closed, every
/// closed ticket has exactly one `closed` event, and the audit log has
/// exactly one `ticket.auto_close` per closed ticket (nobody closes by
/// hand here). Returns how many tickets closed.
pub async fn assert_closed_exactly_once(
    admin: &Client,
    agent: &Client,
    url: &str,
    solved: &[i64],
) -> usize {
    let done = wait_until_all_closed(agent, url).await;
    for number in solved {
        assert_eq!(
            done.get(number).map(String::as_str),
            Some("closed"),
            "acknowledged solve of #{number} was closed by its job"
        );
    }
    for number in done.keys() {
        assert_eq!(
            closed_events(agent, url, *number).await,
            1,
            "#{number} has exactly one closed event"
        );
    }
    let audits = auto_close_audits(admin, url).await;
    for (target, n) in &audits {
        assert_eq!(*n, 1, "{target} was auto-closed once in the audit log");
    }
    assert_eq!(
        audits.len(),
        done.len(),
        "one auto-close audit event per closed ticket"
    );
    done.len()
}
