//! Tags on tickets: members who work tickets set them, the inbox filters
//! by them, each change is in the ticket's history and the audit log, a
//! bad tag changes nothing, and the requester never sees them.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const DESK: &str = "/api/v1/shared-profiles/it-helpdesk";

/// @it-helpdesk with responder `rita` and observer `otto`; sam asks twice.
async fn two_tickets(app: &TestApp) -> (Client, Client, Client) {
    let admin = app.admin_client().await;
    let rita = app.new_member("rita", "Rita Agent").await;
    let otto = app.new_member("otto", "Otto Observer").await;
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
    app.post(&sam, json!({"text": "@it-helpdesk wifi down on floor 3"}))
        .await;
    app.post(&sam, json!({"text": "@it-helpdesk printer jammed"}))
        .await;
    (sam, rita, otto)
}

async fn put_tags(app: &TestApp, c: &Client, number: i64, tags: Value) -> reqwest::Response {
    c.put(app.url(&format!("{DESK}/tickets/{number}/tags")))
        .json(&json!({ "tags": tags }))
        .send()
        .await
        .expect("send")
}

fn numbers(inbox: &Value) -> Vec<i64> {
    inbox["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["number"].as_i64())
        .collect()
}

app_test!(
    members_tag_tickets_and_the_inbox_filters_by_tag,
    |app| async move {
        let (sam, rita, _otto) = two_tickets(app).await;
        let r = put_tags(app, &rita, 1, json!(["wifi", "floor-3", "wifi"])).await;
        assert_eq!(r.status(), StatusCode::OK);
        let t: Value = r.json().await.expect("json");
        assert_eq!(t["tags"], json!(["floor-3", "wifi"]), "sorted, once each");
        put_tags(app, &rita, 2, json!(["printer"])).await;

        let wifi = app.json(&rita, &format!("{DESK}/tickets?tag=wifi")).await;
        assert_eq!(numbers(&wifi), [1]);
        let all = app.json(&rita, &format!("{DESK}/tickets")).await;
        assert_eq!(numbers(&all), [2, 1]);
        assert_eq!(all["tickets"][0]["tags"], json!(["printer"]));
        let none = app.json(&rita, &format!("{DESK}/tickets?tag=vpn")).await;
        assert!(numbers(&none).is_empty());

        // The history and the audit log have the change.
        let seen = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        let tagged: Vec<&Value> = seen["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["kind"] == "tags")
            .collect();
        assert_eq!(tagged.len(), 1);
        assert_eq!(tagged[0]["detail"], "floor-3 wifi");
        assert_eq!(tagged[0]["by"], "rita");
        // The same tags again record nothing.
        assert_eq!(
            put_tags(app, &rita, 1, json!(["wifi", "floor-3"]))
                .await
                .status(),
            StatusCode::OK
        );
        let again = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        assert_eq!(again["events"], seen["events"]);
        let ada = app.admin_client().await;
        let audit = app.json(&ada, "/api/v1/audit/events?limit=1000").await;
        let tag_events = audit["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["action"] == "ticket.tags")
            .count();
        assert_eq!(tag_events, 2, "one per change, not per request");

        // The requester sees neither the tags nor their history.
        let mine = app.json(&sam, &format!("{DESK}/tickets/1")).await;
        assert_eq!(mine["ticket"]["tags"], json!([]));
        assert!(!mine.to_string().contains("floor-3"), "{mine}");
        let requests = app.json(&sam, "/api/v1/me/requests").await;
        assert!(!requests.to_string().contains("wifi\""), "{requests}");

        // Removing them all is an empty list.
        let r = put_tags(app, &rita, 1, json!([])).await;
        let t: Value = r.json().await.expect("json");
        assert_eq!(t["tags"], json!([]));
    }
);

app_test!(a_bad_tag_is_refused_and_changes_nothing, |app| async move {
    let (sam, rita, otto) = two_tickets(app).await;
    put_tags(app, &rita, 1, json!(["wifi"])).await;
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    for bad in [
        json!(["WiFi"]),
        json!(["ok", "not ok"]),
        json!([""]),
        json!(["x".repeat(33)]),
        json!(eleven),
    ] {
        let r = put_tags(app, &rita, 1, bad.clone()).await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid",
            "{bad}"
        );
    }
    let r = put_tags(app, &rita, 1, json!("wifi")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "not a list");
    let r = put_tags(app, &otto, 1, json!(["vpn"])).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "observers read only");
    let r = put_tags(app, &sam, 1, json!(["vpn"])).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "not the requester's");
    let r = app.get(&rita, &format!("{DESK}/tickets?tag=Bad!")).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid"
    );
    let t = app.json(&rita, &format!("{DESK}/tickets/1")).await;
    assert_eq!(t["ticket"]["tags"], json!(["wifi"]), "unchanged");
    let changes = t["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "tags")
        .count();
    assert_eq!(changes, 1);
});

app_test!(
    the_ticket_page_adds_and_removes_tags_without_javascript,
    |app| async move {
        let (_sam, rita, _otto) = two_tickets(app).await;
        let page = app.get(&rita, "/profiles/it-helpdesk/tickets/1").await;
        let html = page.text().await.expect("html");
        let csrf = html
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf token")
            .to_owned();
        let form = |body: String| {
            rita.post(app.url("/profiles/it-helpdesk/tickets/1/tags"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        let r = form(format!("csrf_token={csrf}&add=wifi+vpn"))
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = form(format!("csrf_token={csrf}&remove=vpn"))
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = form(format!("csrf_token={csrf}&add=NOPE"))
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.expect("html").contains("is not a tag"));
        let t = app.json(&rita, &format!("{DESK}/tickets/1")).await;
        assert_eq!(t["ticket"]["tags"], json!(["wifi"]));
        let inbox = app.get(&rita, "/profiles/it-helpdesk/inbox?tag=wifi").await;
        let html = inbox.text().await.expect("html");
        assert!(html.contains("wifi down on floor 3"));
        assert!(!html.contains("printer jammed"), "filtered by tag");
        assert!(html.contains("/profiles/it-helpdesk/dashboard"));
    }
);
