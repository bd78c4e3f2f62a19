//! The world the authorization matrix runs in: one person of each kind,
//! the resources they do and don't own, and the runner that sends every
//! row as each person and compares the outcome with the table.

use crate::helpers::{TestApp, spawn_app_with};
use byline_store::testing::Kind;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

use super::ROLES;

/// A valid 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

pub(super) struct World {
    clients: Vec<Client>,
    ids: HashMap<&'static str, String>,
    day: u32,
}

impl World {
    /// A day no earlier shift uses, so shifts never overlap.
    fn next_day(&mut self) -> String {
        self.day += 1;
        (chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")
            + chrono::Duration::days(i64::from(self.day)))
        .to_string()
    }
}

fn outcome(r: &reqwest::Response) -> char {
    match r.status().as_u16() {
        200..=299 => 'Y',
        303 => {
            let to = r
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("");
            if to.starts_with("/sign-in") { 'S' } else { 'R' }
        }
        401 => 'U',
        403 => 'F',
        404 => 'N',
        409 => 'C',
        422 => 'V',
        _ => '?',
    }
}

async fn ok(r: reqwest::Response, what: &str) -> Value {
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

async fn put_json(app: &TestApp, c: &Client, path: &str, body: Value) {
    let r = c.put(app.url(path)).json(&body).send().await.expect("send");
    ok(r, path).await;
}

pub(super) async fn build(app: &TestApp) -> World {
    let ada = app.admin_client().await;
    let sam = app.staff_client().await;
    let mut by_handle = HashMap::new();
    for h in [
        "olga", "eddie", "rita", "otto", "mona", "ivy", "dora", "tess", "uma",
    ] {
        by_handle.insert(h, app.new_member(h, h).await);
    }
    let c = |h: &str| by_handle[h].clone();
    let mut ids: HashMap<&'static str, String> = HashMap::new();
    let id_of = |v: &Value| v["id"].as_str().expect("id").to_owned();

    // @desk, sealed, with one member of each role.
    ok(
        app.post_json(
            &ada,
            "/api/v1/shared-profiles",
            json!({"handle": "desk", "display_name": "Desk", "attribution_policy": "sealed"}),
        )
        .await,
        "desk",
    )
    .await;
    for (who, role) in [
        ("olga", "owner"),
        ("eddie", "editor"),
        ("rita", "responder"),
        ("otto", "observer"),
    ] {
        let r = ada
            .put(app.url(&format!("/api/v1/shared-profiles/desk/members/{who}")))
            .json(&json!({ "role": role }))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    // @desk's vault: a login with a TOTP seed, and a two-person secret,
    // both kept by olga (owner) and eddie (editor).
    for (key, body) in [
        (
            "desk_secret",
            json!({"name": "Desk login", "kind": "login",
                   "fields": {"username": "desk", "password": "matrix-pass", "totp_seed": "JBSWY3DPEHPK3PXP"},
                   "custodians": ["olga", "eddie"]}),
        ),
        (
            "desk_pair",
            json!({"name": "Desk payroll", "kind": "password",
                   "fields": {"password": "matrix-pair"}, "custodians": ["olga", "eddie"],
                   "two_person": true}),
        ),
    ] {
        let v = ok(
            app.post_json(&c("olga"), "/api/v1/shared-profiles/desk/vault", body)
                .await,
            key,
        )
        .await;
        ids.insert(key, id_of(&v));
    }
    // @desk's own feed, as a channel (no syndication).
    let v = ok(
        app.post_json(
            &c("olga"),
            "/api/v1/shared-profiles/desk/channels",
            json!({"kind": "feed", "name": "Desk feed"}),
        )
        .await,
        "desk_channel",
    )
    .await;
    ids.insert("desk_channel", id_of(&v));
    // A campaign and a draft publication through that channel, by olga.
    let v = ok(
        app.post_json(
            &c("olga"),
            "/api/v1/shared-profiles/desk/campaigns",
            json!({"name": "Desk campaign", "starts_on": "2026-01-01", "ends_on": "2027-12-31", "budget": "100"}),
        )
        .await,
        "desk_campaign",
    )
    .await;
    ids.insert("desk_campaign", id_of(&v));
    let v = ok(
        app.post_json(
            &c("olga"),
            "/api/v1/shared-profiles/desk/publications",
            json!({"title": "Desk draft", "variants": [{"channel": ids["desk_channel"], "text": "soon"}]}),
        )
        .await,
        "desk_publication",
    )
    .await;
    ids.insert("desk_publication", id_of(&v));
    // @desk runs a help desk; sam has asked it something (ticket #1).
    ok(
        app.post_json(
            &c("olga"),
            "/api/v1/shared-profiles/desk/help-desk",
            json!({}),
        )
        .await,
        "help desk",
    )
    .await;
    app.post(&sam, json!({"text": "@desk my laptop is slow"}))
        .await;
    ids.insert("desk_ticket", "1".to_owned());
    // @desk listens for "kettle": two people within ten minutes is a spike
    // there, which opens an incident (ticket #2).
    ok(
        app.post_json(
            &c("olga"),
            "/api/v1/shared-profiles/desk/topics",
            json!({"name": "Kettle", "terms": ["kettle"], "min_posters": 2, "sensitivity": 10}),
        )
        .await,
        "kettle topic",
    )
    .await;
    app.post(&sam, json!({"text": "the kettle on 2 is broken"}))
        .await;
    app.post(&ada, json!({"text": "kettle still broken"})).await;
    byline_app::listening::scan(&byline_app::App::for_tasks(app.store.clone()))
        .await
        .expect("listener pass");
    let incidents = app
        .json(&c("olga"), "/api/v1/shared-profiles/desk/incidents")
        .await;
    let incident = &incidents["incidents"][0];
    ids.insert(
        "desk_incident",
        incident["id"].as_str().expect("incident").to_owned(),
    );
    ids.insert(
        "desk_incident_ticket",
        incident["ticket_number"]
            .as_i64()
            .expect("ticket")
            .to_string(),
    );
    // Its knowledge base: a published article for staff, a draft and a
    // members-only runbook, all written by olga as @desk.
    for (key, body) in [
        (
            "desk_article",
            json!({"title": "Slow laptop", "body": "Restart it.", "status": "published"}),
        ),
        ("desk_draft", json!({"title": "Draft", "body": "Later."})),
        (
            "desk_runbook",
            json!({"title": "Runbook", "body": "Internal.", "status": "published", "audience": "members"}),
        ),
    ] {
        let v = ok(
            app.post_json(&c("olga"), "/api/v1/shared-profiles/desk/articles", body)
                .await,
            key,
        )
        .await;
        ids.insert(key, id_of(&v));
    }
    // A closed community owned by mona, a secret one owned by olga.
    ok(
        app.post_json(
            &c("mona"),
            "/api/v1/communities",
            json!({"slug": "club", "name": "Club", "visibility": "closed"}),
        )
        .await,
        "club",
    )
    .await;
    // A secret community's short name carries a random suffix.
    let hush = ok(
        app.post_json(
            &c("olga"),
            "/api/v1/communities",
            json!({"slug": "hush", "name": "Hush", "visibility": "secret"}),
        )
        .await,
        "hush",
    )
    .await;
    let hush = hush["slug"].as_str().expect("slug").to_owned();
    assert!(hush.starts_with("hush-"), "{hush}");
    ids.insert(
        "club_post",
        app.post(
            &c("mona"),
            json!({"text": "club only", "community": "club"}),
        )
        .await,
    );
    // Mona reports a post in her own club: a report its moderators work.
    let v = ok(
        app.post_json(
            &c("mona"),
            "/api/v1/reports",
            json!({"kind": "post", "id": ids["club_post"], "reason": "spam"}),
        )
        .await,
        "club report",
    )
    .await;
    ids.insert(
        "club_report",
        v["report_id"].as_str().expect("report").to_owned(),
    );
    let image = c("olga")
        .post(app.url("/api/v1/attachments"))
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .expect("upload");
    let image = id_of(&ok(image, "upload").await);
    ids.insert(
        "hush_post",
        app.post(
            &c("olga"),
            json!({"text": "hush", "community": hush, "attachments": [image]}),
        )
        .await,
    );
    ids.insert("hush_image", image);
    ids.insert("hush", hush);
    ids.insert(
        "ada_post",
        app.post(&ada, json!({"text": "ada speaks #matrix"})).await,
    );
    let me = app.json(&sam, "/api/v1/me").await;
    ids.insert("sam_id", id_of(&me));
    for h in ["tess", "uma"] {
        let v = app.json(&c(h), "/api/v1/me").await;
        ids.insert(if h == "tess" { "tess_id" } else { "uma_id" }, id_of(&v));
    }
    let token = ok(
        app.post_json(&sam, "/api/v1/me/tokens", json!({"name": "to revoke"}))
            .await,
        "token",
    )
    .await;
    ids.insert(
        "sam_token",
        token["token"]["id"].as_str().expect("token id").to_owned(),
    );
    let sent = ok(
        app.post_json(
            &sam,
            "/api/v1/messages",
            json!({"to": ["ada"], "text": "private"}),
        )
        .await,
        "dm",
    )
    .await;
    ids.insert(
        "conv",
        sent["conversation"]
            .as_str()
            .expect("conversation")
            .to_owned(),
    );
    // ivy investigates @desk.
    put_json(app, &ada, "/api/v1/investigators/ivy", json!({})).await;
    let now = byline_app::now();
    ids.insert("hour_ago", now.plus_seconds(-3600).to_rfc3339());
    ids.insert("in_an_hour", now.plus_seconds(3600).to_rfc3339());
    let inv = ok(
        app.post_json(&c("ivy"), "/api/v1/investigations", json!({"profile": "desk", "reason": "a complaint about a notice", "from": now.plus_seconds(-2 * 86_400).to_rfc3339(), "to": now.plus_seconds(2 * 86_400).to_rfc3339()})).await,
        "investigation",
    )
    .await;
    ids.insert("inv", id_of(&inv));
    // dora signed in, then was deactivated.
    let dora = c("dora");
    let dora_id = id_of(&app.json(&dora, "/api/v1/me").await);
    let r = ada
        .post(app.url(&format!("/api/v1/users/{dora_id}/deactivate")))
        .send()
        .await
        .expect("deactivate");
    assert!(r.status().is_success());

    World {
        clients: vec![
            crate::helpers::client(),
            sam,
            c("olga"),
            c("eddie"),
            c("rita"),
            c("otto"),
            c("mona"),
            c("ivy"),
            ada,
            dora,
        ],
        ids,
        day: 1,
    }
}

/// Makes the fresh resource a `{new_…}` placeholder names, for `role`.
async fn fresh(app: &TestApp, w: &mut World, name: &str, role: usize) -> String {
    let clients = w.clients.clone();
    let by = |i: usize| clients[i].clone();
    // Those who cannot post themselves act on someone else's post.
    let own = if matches!(role, 0 | 9) { 1 } else { role };
    match name {
        "new_own_post" => app.post(&by(own), json!({"text": "mine"})).await,
        "new_sam_post" => app.post(&by(1), json!({"text": "sam's"})).await,
        "new_desk_post" => {
            app.post(&by(3), json!({"text": "desk says", "acting_as": "desk"}))
                .await
        }
        "new_club_post" => {
            app.post(&by(6), json!({"text": "club says", "community": "club"}))
                .await
        }
        // A fresh post in the club, reported by mona (its moderator).
        "new_club_report" => {
            let post = app
                .post(&by(6), json!({"text": "club spam", "community": "club"}))
                .await;
            let v = ok(
                app.post_json(
                    &by(6),
                    "/api/v1/reports",
                    json!({"kind": "post", "id": post, "reason": "spam"}),
                )
                .await,
                "new club report",
            )
            .await;
            v["report_id"].as_str().expect("report").to_owned()
        }
        "new_inv" => {
            let v = ok(
                app.post_json(&by(7), "/api/v1/investigations", json!({"profile": "desk", "reason": "another complaint here", "from": w.ids["hour_ago"], "to": w.ids["in_an_hour"]})).await,
                "new investigation",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        "new_shift" => {
            let day = w.next_day();
            let v = ok(
                app.post_json(&by(2), "/api/v1/shared-profiles/desk/roster", json!({"member": "eddie", "time_zone": "UTC", "starts": format!("{day}T12:00"), "ends": format!("{day}T13:00")})).await,
                "new shift",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        "new_ticket" => {
            app.post(&by(1), json!({"text": "@desk another problem"}))
                .await;
            let mine = app.json(&by(1), "/api/v1/me/requests").await;
            mine["tickets"][0]["number"]
                .as_i64()
                .expect("the newest request")
                .to_string()
        }
        "new_solved_ticket" => {
            app.post(&by(1), json!({"text": "@desk solved soon"})).await;
            let mine = app.json(&by(1), "/api/v1/me/requests").await;
            let number = mine["tickets"][0]["number"]
                .as_i64()
                .expect("the newest request");
            ok(
                app.post_json(
                    &by(2),
                    &format!("/api/v1/shared-profiles/desk/tickets/{number}/status"),
                    json!({"status": "solved"}),
                )
                .await,
                "solved",
            )
            .await;
            number.to_string()
        }
        "new_canned" => {
            let v = ok(
                app.post_json(&by(2), "/api/v1/shared-profiles/desk/canned-replies", json!({"title": format!("canned {}", w.next_day()), "body": "Hello {{requester}}"})).await,
                "new canned reply",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        "new_topic" => {
            let v = ok(
                app.post_json(
                    &by(2),
                    "/api/v1/shared-profiles/desk/topics",
                    json!({"name": format!("topic {}", w.next_day()), "terms": ["wireless"]}),
                )
                .await,
                "new topic",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        "new_secret" => {
            let v = ok(
                app.post_json(&by(2), "/api/v1/shared-profiles/desk/vault", json!({"name": format!("fresh {}", w.next_day()), "kind": "password", "fields": {"password": "fresh-pass"}, "custodians": ["olga", "eddie"]})).await,
                "new secret",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        // A draft by olga; one eddie wrote and submitted; one olga then
        // approved; one she scheduled.
        "new_publication" | "new_review" | "new_approved" | "new_scheduled" => {
            let base = "/api/v1/shared-profiles/desk/publications";
            let writer = if name == "new_publication" { 2 } else { 3 };
            let v = ok(
                app.post_json(
                    &by(writer),
                    base,
                    json!({"title": format!("fresh {}", w.next_day()), "variants": [{"channel": w.ids["desk_channel"], "text": "fresh words"}]}),
                )
                .await,
                "new publication",
            )
            .await;
            let id = v["id"].as_str().expect("id").to_owned();
            if name != "new_publication" {
                ok(
                    app.post_json(&by(3), &format!("{base}/{id}/submit"), json!({}))
                        .await,
                    "submitted",
                )
                .await;
            }
            if matches!(name, "new_approved" | "new_scheduled") {
                ok(
                    app.post_json(
                        &by(2),
                        &format!("{base}/{id}/approve"),
                        json!({"version": 1}),
                    )
                    .await,
                    "approved",
                )
                .await;
            }
            if name == "new_scheduled" {
                let r = by(2)
                    .put(app.url(&format!("{base}/{id}/schedule")))
                    .json(&json!({"version": 1, "at": "2031-01-01T09:00"}))
                    .send()
                    .await
                    .expect("send");
                ok(r, "scheduled").await;
            }
            id
        }
        "new_channel" => {
            let v = ok(
                app.post_json(
                    &by(2),
                    "/api/v1/shared-profiles/desk/channels",
                    json!({"kind": "feed", "name": format!("fresh {}", w.next_day())}),
                )
                .await,
                "new channel",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        // eddie asks to reveal the two-person secret.
        "new_request" => {
            let v = ok(
                app.post_json(
                    &by(3),
                    &format!(
                        "/api/v1/shared-profiles/desk/vault/{}/requests",
                        w.ids["desk_pair"]
                    ),
                    json!({"reason": "the matrix needs it"}),
                )
                .await,
                "new reveal request",
            )
            .await;
            v["id"].as_str().expect("id").to_owned()
        }
        other => panic!("unknown fresh resource {other}"),
    }
}

async fn expand(app: &TestApp, w: &mut World, text: &str, role: usize) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        let name = &rest[start + 1..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            // A JSON brace, not a placeholder: keep it and read on.
            out.push('{');
            rest = &rest[start + 1..];
            continue;
        }
        let value = if name == "role" {
            ROLES[role].to_owned()
        } else if name == "day" {
            w.next_day()
        } else if name.starts_with("new_") {
            fresh(app, w, name, role).await
        } else {
            w.ids
                .get(name)
                .unwrap_or_else(|| panic!("unknown placeholder {{{name}}}"))
                .clone()
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The CSRF token of each person's session, read from a page as a browser
/// would ("none" for those without a session).
async fn csrf_tokens(app: &TestApp, w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for c in &w.clients {
        let html = app.get(c, "/").await.text().await.unwrap_or_default();
        let marker = "name=\"csrf_token\" value=\"";
        let token = html
            .find(marker)
            .map(|i| {
                html[i + marker.len()..]
                    .split('"')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .unwrap_or_else(|| "none".to_owned());
        out.push(token);
    }
    out
}

/// Sends every row of `table` as each person and returns the disagreements.
/// Bodies: `<png>` an image, `multipart:k=v&…` a multipart form, `{…}` JSON,
/// anything else an urlencoded form.
async fn run(app: &TestApp, w: &mut World, table: &[(&str, &str, &str, &str)]) -> Vec<String> {
    let csrf = csrf_tokens(app, w).await;
    w.ids
        .insert("today", byline_app::now().to_rfc3339()[..10].to_owned());
    let mut wrong = Vec::new();
    for (method, path, body, expected) in table {
        let mut got = String::new();
        for (role, want) in expected.chars().enumerate() {
            w.ids.insert("csrf", csrf[role].clone());
            let url = app.url(&expand(app, w, path, role).await);
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = w.clients[role].clone().request(m, url);
            let text = expand(app, w, body, role).await;
            let pairs = |t: &str| -> Vec<(String, String)> {
                t.split('&')
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (k.to_owned(), v.replace("%2B", "+").replace("%0A", "\n"))
                    })
                    .collect()
            };
            if text == "<png>" {
                req = req.header("content-type", "image/png").body(PNG.to_vec());
            } else if let Some(fields) = text.strip_prefix("multipart:") {
                let mut form = reqwest::multipart::Form::new();
                for (k, v) in pairs(fields) {
                    form = form.text(k, v);
                }
                req = req.multipart(form);
            } else if text.starts_with('{') {
                let v: Value = serde_json::from_str(&text).expect("table body is JSON");
                req = req.json(&v);
            } else if !text.is_empty() {
                req = req.form(&pairs(&text));
            }
            let r = req.send().await.expect("send");
            let o = outcome(&r);
            got.push(o);
            if o != want {
                let status = r.status();
                let page = r.text().await.unwrap_or_default();
                let said: String = page
                    .split("<main")
                    .nth(1)
                    .unwrap_or(&page)
                    .chars()
                    .take(200)
                    .collect();
                wrong.push(format!(
                    "{method} {path} as {}: expected {want}, got {status} {said}",
                    ROLES[role]
                ));
            }
        }
        if got != *expected {
            wrong.push(format!("{method} {path}: table {expected}, actual {got}"));
        }
    }
    wrong
}

/// Builds a fresh world on `kind` and checks `table` in it.
pub(super) async fn check(kind: Kind, table: &[(&str, &str, &str, &str)]) {
    // The matrix makes many writes quickly; the limits are tested elsewhere.
    let settings = byline_server::Settings {
        limits: byline_app::limits::LimitSettings::default().scaled(100),
        ..Default::default()
    };
    let Some(app) = spawn_app_with(kind, settings).await else {
        return;
    };
    let mut w = build(&app).await;
    let wrong = run(&app, &mut w, table).await;
    app.stop().await;
    assert!(
        wrong.is_empty(),
        "the matrix disagrees:\n{}",
        wrong.join("\n")
    );
}
