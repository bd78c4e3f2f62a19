//! The authorization matrix: every API route × every kind of person, on
//! resources they do and don't own, with the exact outcome expected. One
//! table, meant to be read in review; a test below checks that it names
//! every route the API documents.
//!
//! Columns (one letter each, in this order):
//!   anon  staff  owner editor responder observer  moderator investigator admin  deactivated
//! `owner`…`observer` are roles on the sealed shared profile @desk;
//! `moderator` owns the closed community `club`; `investigator` holds the
//! right and an open investigation into @desk; `deactivated` signed in
//! before an admin deactivated them. (Byline has no separate "suspended"
//! state: deactivation is it.)
//! Letters: Y = 2xx, U = 401, F = 403, N = 404 (hidden as if absent),
//! C = 409 (already so), V = 422 (refused with a reason).

use crate::helpers::{TestApp, spawn_app_with};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

const ROLES: [&str; 10] = [
    "anon",
    "staff",
    "owner",
    "editor",
    "responder",
    "observer",
    "moderator",
    "investigator",
    "admin",
    "deactivated",
];

/// (method, path, JSON body, expected outcome per role). `{name}` is a
/// resource of the world below; `{new_…}` is made afresh for each role;
/// `{role}` is the role's name (for unique values).
const MATRIX: &[(&str, &str, &str, &str)] = &[
    // Accounts and tokens
    ("GET", "/api/v1/me", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/me/tokens", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/me/tokens",
        r#"{"name":"matrix"}"#,
        "UYYYYYYYYU",
    ),
    ("DELETE", "/api/v1/me/tokens/{sam_token}", "", "UYNNNNNNNU"),
    ("GET", "/api/v1/users", "", "UFFFFFFFYU"),
    (
        "POST",
        "/api/v1/users",
        r#"{"email":"new-{role}@example.com","display_name":"New","password":"a long enough password"}"#,
        "UFFFFFFFYU",
    ),
    ("GET", "/api/v1/users/{sam_id}", "", "UFFFFFFFYU"),
    (
        "PATCH",
        "/api/v1/users/{sam_id}",
        r#"{"role":"staff"}"#,
        "UFFFFFFFYU",
    ),
    (
        "POST",
        "/api/v1/users/{tess_id}/deactivate",
        "",
        "UFFFFFFFYU",
    ),
    (
        "PUT",
        "/api/v1/users/{uma_id}/password",
        r#"{"password":"another long password"}"#,
        "UFFFFFFFYU",
    ),
    // Profiles and follows
    ("GET", "/api/v1/profiles/sam", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/profiles/desk", "", "UYYYYYYYYU"),
    ("PUT", "/api/v1/profiles/desk/follow", "", "UYYYYYYYYU"),
    ("DELETE", "/api/v1/profiles/desk/follow", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/profiles/desk/posts", "", "UYYYYYYYYU"),
    // Posts: personal, as the shared profile, in communities
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"hello from {role}"}"#,
        "UYYYYYYYYU",
    ),
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"notice","acting_as":"desk"}"#,
        "UFYYFFFFFU",
    ),
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"answer","reply_to":"{ada_post}","acting_as":"desk"}"#,
        "UFYYYFFFFU",
    ),
    (
        "POST",
        "/api/v1/posts",
        r#"{"text":"in the club","community":"club"}"#,
        "UFFFFFYFFU",
    ),
    ("GET", "/api/v1/posts/{ada_post}", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/posts/{hush_post}", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/posts/{club_post}", "", "UNNNNNYNNU"),
    (
        "PATCH",
        "/api/v1/posts/{new_own_post}",
        r#"{"text":"fixed"}"#,
        "UYYYYYYYYU",
    ),
    (
        "PATCH",
        "/api/v1/posts/{ada_post}",
        r#"{"text":"not yours"}"#,
        "UFFFFFFFYU",
    ),
    (
        "PATCH",
        "/api/v1/posts/{new_desk_post}",
        r#"{"text":"fixed"}"#,
        "UFYYFFFFFU",
    ),
    ("DELETE", "/api/v1/posts/{new_sam_post}", "", "UYFFFFFFYU"),
    ("DELETE", "/api/v1/posts/{new_desk_post}", "", "UFYYFFFFYU"),
    ("DELETE", "/api/v1/posts/{new_club_post}", "", "UNNNNNYNNU"),
    ("GET", "/api/v1/posts/{ada_post}/versions", "", "UYYYYYYYYU"),
    (
        "GET",
        "/api/v1/posts/{hush_post}/versions",
        "",
        "UNYNNNNNNU",
    ),
    ("GET", "/api/v1/posts/{ada_post}/thread", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/posts/{hush_post}/thread", "", "UNYNNNNNNU"),
    (
        "PUT",
        "/api/v1/posts/{ada_post}/reactions/heart",
        "",
        "UYYYYYYYYU",
    ),
    (
        "PUT",
        "/api/v1/posts/{ada_post}/reactions/eyes?acting_as=desk",
        "",
        "UFYYYFFFFU",
    ),
    (
        "DELETE",
        "/api/v1/posts/{ada_post}/reactions/heart",
        "",
        "UYYYYYYYYU",
    ),
    (
        "PUT",
        "/api/v1/posts/{club_post}/reactions/heart",
        "",
        "UNNNNNYNNU",
    ),
    // Timelines and search
    ("GET", "/api/v1/feeds/home", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/tags/matrix/posts", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/search?q=hello", "", "UYYYYYYYYU"),
    // Communities
    ("GET", "/api/v1/communities", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/communities",
        r#"{"slug":"c-{role}","name":"C","visibility":"open"}"#,
        "UYYYYYYYYU",
    ),
    ("GET", "/api/v1/communities/club", "", "UYYYYYYYYU"),
    ("GET", "/api/v1/communities/hush", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/communities/club/posts", "", "UFFFFFYFFU"),
    ("GET", "/api/v1/communities/hush/posts", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/communities/club/members", "", "UFFFFFYFFU"),
    ("GET", "/api/v1/communities/hush/members", "", "UNYNNNNNNU"),
    ("GET", "/api/v1/communities/club/requests", "", "UFFFFFYFFU"),
    (
        "POST",
        "/api/v1/communities/club/invitations",
        r#"{"handle":"uma"}"#,
        "UFFFFFYFFU",
    ),
    ("POST", "/api/v1/communities/hush/join", "", "UNCNNNNNNU"),
    ("POST", "/api/v1/communities/club/join", "", "UYYYYYCYYU"),
    (
        "POST",
        "/api/v1/communities/club/requests/sam/approve",
        "",
        "UFFFFFYFFU",
    ),
    // Leaving withdraws a pending request; the owner may not leave.
    ("POST", "/api/v1/communities/club/leave", "", "UYYYYYVYYU"),
    // Notifications, events, the spec
    ("GET", "/api/v1/me/notifications", "", "UYYYYYYYYU"),
    ("POST", "/api/v1/me/notifications/read", "{}", "UYYYYYYYYU"),
    ("GET", "/api/v1/me/events", "", "UYYYYYYYYU"),
    ("GET", "/api/openapi.json", "", "YYYYYYYYYY"),
    // Investigations
    ("PUT", "/api/v1/investigators/rita", "", "UFFFFFFFYU"),
    ("DELETE", "/api/v1/investigators/rita", "", "UFFFFFFFYU"),
    ("GET", "/api/v1/investigations", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/investigations",
        r#"{"profile":"desk","reason":"a complaint about a notice","from":"{hour_ago}","to":"{in_an_hour}"}"#,
        "UFFFFFFYFU",
    ),
    (
        "GET",
        "/api/v1/investigations/{inv}/bylines",
        "",
        "UNNNNNNYNU",
    ),
    (
        "POST",
        "/api/v1/investigations/{new_inv}/close",
        r#"{"outcome":"closed by {role}"}"#,
        "UNNNNNNYYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/investigations",
        "",
        "UFYFFFFFYU",
    ),
    // Shared profiles, rosters, acting
    (
        "POST",
        "/api/v1/shared-profiles",
        r#"{"handle":"sp-{role}","display_name":"SP","attribution_policy":"signed"}"#,
        "UFFFFFFFYU",
    ),
    (
        "PATCH",
        "/api/v1/shared-profiles/desk",
        r#"{"shift_only":false}"#,
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/members",
        "",
        "UFYYYYFFYU",
    ),
    (
        "PUT",
        "/api/v1/shared-profiles/desk/members/uma",
        r#"{"role":"observer"}"#,
        "UFYFFFFFYU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/members/uma",
        "",
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/roster",
        "",
        "UFYYYYFFYU",
    ),
    (
        "POST",
        "/api/v1/shared-profiles/desk/roster",
        r#"{"member":"otto","time_zone":"UTC","starts":"{day}T09:00","ends":"{day}T10:00"}"#,
        "UFYFFFFFYU",
    ),
    (
        "DELETE",
        "/api/v1/shared-profiles/desk/roster/{new_shift}",
        "",
        "UFYFFFFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/on-duty",
        "",
        "UFYYYYFFYU",
    ),
    (
        "GET",
        "/api/v1/shared-profiles/desk/acting?from={hour_ago}&to={in_an_hour}",
        "",
        "UVVVVVVYVU",
    ),
    ("GET", "/api/v1/me/acting", "", "UYYYYYYYYU"),
    (
        "PUT",
        "/api/v1/me/acting",
        r#"{"profile":"desk"}"#,
        "UFYYYYFFFU",
    ),
    ("DELETE", "/api/v1/me/acting", "", "UYYYYYYYYU"),
    // The audit log
    ("GET", "/api/v1/audit/events", "", "UFFFFFFFYU"),
    ("GET", "/api/v1/audit/export", "", "UFFFFFFFYU"),
    ("GET", "/api/v1/audit/verify", "", "UFFFFFFFYU"),
    // Attachments
    ("POST", "/api/v1/attachments", "<png>", "UYYYYYYYYU"),
    ("GET", "/api/v1/attachments/{hush_image}", "", "UNYNNNNNNU"),
    // Messages, personal and as the shared profile
    ("GET", "/api/v1/messages", "", "UYYYYYYYYU"),
    (
        "POST",
        "/api/v1/messages",
        r#"{"to":["uma"],"text":"hi"}"#,
        "UYYYYYYYYU",
    ),
    ("GET", "/api/v1/messages/{conv}", "", "UYNNNNNNYU"),
    (
        "POST",
        "/api/v1/messages/{conv}",
        r#"{"text":"more"}"#,
        "UYNNNNNNYU",
    ),
    ("POST", "/api/v1/messages/{conv}/read", "", "UYNNNNNNYU"),
    ("GET", "/api/v1/messages?acting_as=desk", "", "UFYYYYFFFU"),
    (
        "POST",
        "/api/v1/messages",
        r#"{"to":["uma"],"text":"from the desk","acting_as":"desk"}"#,
        "UFYYYFFFFU",
    ),
    // Signing out last: it ends the role's session.
    ("DELETE", "/api/v1/sessions/current", "", "UYYYYYYYYU"),
];

/// The web pages, as a browser uses them: forms carry the role's CSRF
/// token (`{csrf}`); `multipart:` bodies are sent as multipart forms.
/// Extra letters: R = 303 to a page (done), S = 303 to the sign-in page.
const PAGES: &[(&str, &str, &str, &str)] = &[
    ("GET", "/healthz", "", "YYYYYYYYYY"),
    ("GET", "/readyz", "", "YYYYYYYYYY"),
    ("GET", "/metrics", "", "YYYYYYYYYY"),
    ("GET", "/static/byline.css", "", "YYYYYYYYYY"),
    ("GET", "/static/live.js", "", "YYYYYYYYYY"),
    ("GET", "/sign-in", "", "YRRRRRRRRY"),
    ("GET", "/", "", "SYYYYYYYYS"),
    ("GET", "/profiles/sam", "", "SYYYYYYYYS"),
    ("GET", "/profiles/desk", "", "SYYYYYYYYS"),
    ("GET", "/profiles/desk/roster", "", "SFYYYYFFYS"),
    ("GET", "/profiles/desk/acting", "", "SFFFFFFYFS"),
    (
        "GET",
        "/profiles/desk/acting?date={today}&from=00:00&to=23:59&offset=%2B00:00",
        "",
        "SFFFFFFYFS",
    ),
    ("GET", "/admin/users", "", "SFFFFFFFYS"),
    ("GET", "/investigations", "", "SYYYYYYYYS"),
    ("GET", "/investigations/{inv}", "", "SNNNNNNYNS"),
    ("GET", "/messages", "", "SYYYYYYYYS"),
    ("GET", "/messages/{conv}", "", "SYNNNNNNYS"),
    ("GET", "/search?q=hello", "", "SYYYYYYYYS"),
    ("GET", "/posts/{ada_post}", "", "SYYYYYYYYS"),
    ("GET", "/posts/{hush_post}", "", "SNYNNNNNNS"),
    ("GET", "/posts/{ada_post}/versions", "", "SYYYYYYYYS"),
    ("GET", "/fragments/posts/{ada_post}", "", "SYYYYYYYYS"),
    ("GET", "/fragments/posts/{hush_post}", "", "SNYNNNNNNS"),
    ("GET", "/tags/matrix", "", "SYYYYYYYYS"),
    ("GET", "/notifications", "", "SYYYYYYYYS"),
    ("GET", "/communities", "", "SYYYYYYYYS"),
    ("GET", "/communities/club", "", "SYYYYYYYYS"),
    ("GET", "/communities/hush", "", "SNYNNNNNNS"),
    // Forms
    (
        "POST",
        "/posts",
        "multipart:csrf_token={csrf}&text=from a form",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/posts/{ada_post}/react",
        "csrf_token={csrf}&reaction=heart",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/posts/{new_sam_post}/delete",
        "csrf_token={csrf}",
        "SRFFFFFFRS",
    ),
    (
        "POST",
        "/posts/{hush_post}/react",
        "csrf_token={csrf}&reaction=heart",
        "SNRNNNNNNS",
    ),
    (
        "POST",
        "/profiles/desk/follow",
        "csrf_token={csrf}&follow=true",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/notifications/read",
        "csrf_token={csrf}",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/messages",
        "csrf_token={csrf}&to=uma&text=hello",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/messages/{conv}",
        "csrf_token={csrf}&text=again",
        "SRNNNNNNRS",
    ),
    (
        "POST",
        "/communities",
        "csrf_token={csrf}&slug=p-{role}&name=P&description=&visibility=open",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/communities/club/invitations",
        "csrf_token={csrf}&handle=tess",
        "SFFFFFRFFS",
    ),
    (
        "POST",
        "/communities/club/join",
        "csrf_token={csrf}",
        "SRRRRRCRRS",
    ),
    (
        "POST",
        "/communities/club/requests/sam/approve",
        "csrf_token={csrf}",
        "SFFFFFRFFS",
    ),
    (
        "POST",
        "/communities/club/leave",
        "csrf_token={csrf}",
        "SRRRRRVRRS",
    ),
    (
        "POST",
        "/acting",
        "csrf_token={csrf}&profile=desk",
        "SFRRRRFFFS",
    ),
    (
        "POST",
        "/acting",
        "csrf_token={csrf}&profile=",
        "SRRRRRRRRS",
    ),
    (
        "POST",
        "/profiles/desk/roster",
        "csrf_token={csrf}&member=otto&time_zone=UTC&starts={day}T09:00&ends={day}T10:00&repeats=once&rule=&note=",
        "SFRFFFFFRS",
    ),
    (
        "POST",
        "/profiles/desk/roster/{new_shift}/remove",
        "csrf_token={csrf}",
        "SFRFFFFFRS",
    ),
    (
        "POST",
        "/profiles/desk/roster/rule",
        "csrf_token={csrf}&shift_only=off",
        "SFRFFFFFRS",
    ),
    (
        "POST",
        "/investigations",
        "csrf_token={csrf}&profile=desk&reason=a complaint from the floor&date={today}&from=00:00&to=23:59&offset=%2B00:00&posts=",
        "SFFFFFFRFS",
    ),
    (
        "POST",
        "/investigations/{new_inv}/close",
        "csrf_token={csrf}&outcome=done",
        "SNNNNNNRRS",
    ),
    (
        "POST",
        "/admin/users",
        "csrf_token={csrf}&email=page-{role}@example.com&display_name=Page&handle=page-{role}&password=a long enough password&role=staff",
        "SFFFFFFFRS",
    ),
    (
        "POST",
        "/admin/users/{uma_id}/deactivate",
        "csrf_token={csrf}",
        "SFFFFFFFRS",
    ),
    // A form without its CSRF token changes nothing.
    (
        "POST",
        "/notifications/read",
        "csrf_token=forged",
        "SFFFFFFFFS",
    ),
    ("POST", "/sign-out", "csrf_token={csrf}", "SSSSSSSSSS"),
];

/// Routes the matrix leaves out, and why.
const EXEMPT: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/api/v1/sessions",
        "signing in is the same for everyone; covered by tests/api/accounts.rs",
    ),
    (
        "POST",
        "/sign-in",
        "signing in is the same for everyone; covered by tests/api/pages.rs",
    ),
];

/// A valid 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

struct World {
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

async fn build(app: &TestApp) -> World {
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
    ok(
        app.post_json(
            &c("olga"),
            "/api/v1/communities",
            json!({"slug": "hush", "name": "Hush", "visibility": "secret"}),
        )
        .await,
        "hush",
    )
    .await;
    ids.insert(
        "club_post",
        app.post(
            &c("mona"),
            json!({"text": "club only", "community": "club"}),
        )
        .await,
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
            json!({"text": "hush", "community": "hush", "attachments": [image]}),
        )
        .await,
    );
    ids.insert("hush_image", image);
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
    let now = byline_server::state::now();
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

async fn run_matrix(app: &TestApp) {
    let mut w = build(app).await;
    let mut wrong = Vec::new();
    for (method, path, body, expected) in MATRIX {
        let mut got = String::new();
        for (role, want) in expected.chars().enumerate() {
            let url = app.url(&expand(app, &mut w, path, role).await);
            let c = w.clients[role].clone();
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = c.request(m, url);
            if *body == "<png>" {
                req = req.header("content-type", "image/png").body(PNG.to_vec());
            } else if !body.is_empty() {
                let text = expand(app, &mut w, body, role).await;
                let v: Value = serde_json::from_str(&text).expect("table body is JSON");
                req = req.json(&v);
            }
            let r = req.send().await.expect("send");
            let o = outcome(&r);
            got.push(o);
            if o != want {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                wrong.push(format!(
                    "{method} {path} as {}: expected {want}, got {status} {}",
                    ROLES[role],
                    text.chars().take(160).collect::<String>()
                ));
            }
        }
        if got != *expected {
            wrong.push(format!("{method} {path}: table {expected}, actual {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "the matrix disagrees:\n{}",
        wrong.join("\n")
    );
}

/// Page rows in their own app (the API half signs everyone out).
async fn run_page_matrix(kind: byline_store::testing::Kind) {
    let settings = byline_server::Settings {
        limits: byline_server::limits::LimitSettings::default().scaled(100),
        ..Default::default()
    };
    let Some(app) = spawn_app_with(kind, settings).await else {
        return;
    };
    let mut w = build(&app).await;
    run_pages(&app, &mut w).await;
    app.stop().await;
}

#[tokio::test]
async fn the_page_matrix_holds_on_sqlite() {
    run_page_matrix(byline_store::testing::Kind::Sqlite).await;
}

#[tokio::test]
async fn the_page_matrix_holds_on_postgres() {
    run_page_matrix(byline_store::testing::Kind::Postgres).await;
}

/// The CSRF token of each role's session, read from a page as a browser would.
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

async fn run_pages(app: &TestApp, w: &mut World) {
    let csrf = csrf_tokens(app, w).await;
    w.ids.insert(
        "today",
        byline_server::state::now().to_rfc3339()[..10].to_owned(),
    );
    let mut wrong = Vec::new();
    for (method, path, body, expected) in PAGES {
        let mut got = String::new();
        for (role, want) in expected.chars().enumerate() {
            w.ids.insert("csrf", csrf[role].clone());
            let url = app.url(&expand(app, w, path, role).await);
            let c = w.clients[role].clone();
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = c.request(m, url);
            if let Some(fields) = body.strip_prefix("multipart:") {
                let text = expand(app, w, fields, role).await;
                let mut form = reqwest::multipart::Form::new();
                for pair in text.split('&') {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    form = form.text(k.to_owned(), v.to_owned());
                }
                req = req.multipart(form);
            } else if !body.is_empty() {
                let text = expand(app, w, body, role).await;
                let pairs: Vec<(String, String)> = text
                    .split('&')
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (k.to_owned(), v.replace("%2B", "+"))
                    })
                    .collect();
                req = req.form(&pairs);
            }
            let r = req.send().await.expect("send");
            let o = outcome(&r);
            got.push(o);
            if o != want {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                let message = text
                    .split("<main")
                    .nth(1)
                    .unwrap_or(&text)
                    .chars()
                    .take(200)
                    .collect::<String>();
                wrong.push(format!(
                    "{method} {path} as {}: expected {want}, got {status} {message}",
                    ROLES[role]
                ));
            }
        }
        if got != *expected {
            wrong.push(format!("{method} {path}: table {expected}, actual {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "the page matrix disagrees:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn the_matrix_holds_on_sqlite() {
    let settings = byline_server::Settings {
        limits: byline_server::limits::LimitSettings::default().scaled(100),
        ..Default::default()
    };
    let app = spawn_app_with(byline_store::testing::Kind::Sqlite, settings)
        .await
        .expect("sqlite");
    run_matrix(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn the_matrix_holds_on_postgres() {
    let settings = byline_server::Settings {
        limits: byline_server::limits::LimitSettings::default().scaled(100),
        ..Default::default()
    };
    let Some(app) = spawn_app_with(byline_store::testing::Kind::Postgres, settings).await else {
        return;
    };
    run_matrix(&app).await;
    app.stop().await;
}

#[test]
fn the_matrix_names_every_route() {
    let spec = serde_json::to_value(byline_server::openapi()).expect("spec");
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let m = method.to_ascii_uppercase();
            // A table path matches when each segment equals the spec's or
            // fills one of its {parameters}.
            let fits = |table: &str| {
                let table = table.split('?').next().unwrap_or(table);
                let (a, b): (Vec<&str>, Vec<&str>) =
                    (path.split('/').collect(), table.split('/').collect());
                a.len() == b.len() && a.iter().zip(&b).all(|(s, t)| s.starts_with('{') || s == t)
            };
            let covered = MATRIX
                .iter()
                .chain(PAGES)
                .any(|(mm, p, _, _)| *mm == m && fits(p))
                || EXEMPT.iter().any(|(mm, p, _)| *mm == m && *p == path);
            if !covered {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the matrix: {missing:?}"
    );
}
