//! Collision notices: members on a ticket hear who else is viewing or
//! typing; nobody else may ask.

use crate::app_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DESK: &str = "/api/v1/shared-profiles/it-helpdesk";

app_test!(members_on_a_ticket_see_each_other, |app| async move {
    let mut agents = app
        .it_helpdesk("sealed", &[("rita", "responder"), ("otto", "observer")])
        .await;
    let otto = agents.pop().expect("otto");
    let rita = agents.pop().expect("rita");
    let sam = app.staff_client().await;
    app.post(&sam, json!({"text": "@it-helpdesk wifi down on floor 3"}))
        .await;
    let url = format!("{DESK}/tickets/1/presence");
    let others = |v: Value| -> Vec<(String, bool)> {
        v["others"]
            .as_array()
            .expect("others")
            .iter()
            .map(|o| {
                (
                    o["handle"].as_str().unwrap_or_default().to_owned(),
                    o["typing"].as_bool().unwrap_or_default(),
                )
            })
            .collect()
    };
    let r = app.post_json(&rita, &url, json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(others(r.json().await.expect("json")).is_empty(), "alone");
    let r = app.post_json(&otto, &url, json!({"typing": true})).await;
    assert_eq!(
        others(r.json().await.expect("json")),
        [("rita".to_owned(), false)]
    );
    let r = app.post_json(&rita, &url, json!({})).await;
    assert_eq!(
        others(r.json().await.expect("json")),
        [("otto".to_owned(), true)],
        "Rita sees Otto typing"
    );
    // The ticket page names them too, without JavaScript.
    let page = app
        .get(&rita, "/profiles/it-helpdesk/tickets/1")
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("@otto is typing a reply"), "{page}");
    // The requester and outsiders are not told who works on it.
    let r = app.post_json(&sam, &url, json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let sam_page = app
        .get(&sam, "/profiles/it-helpdesk/tickets/1")
        .await
        .text()
        .await
        .expect("page");
    assert!(!sam_page.contains("@otto"), "{sam_page}");
    let r = app
        .post_json(&rita, &format!("{DESK}/tickets/99/presence"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
});
