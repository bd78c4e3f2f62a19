//! Direct messages to a help desk are tickets too: the first message opens
//! one, the requester's next messages are its history, an answer from the
//! ticket goes back into the conversation as the desk (its byline kept as
//! the policy says), and a message after it closed opens a new ticket.

use crate::app_test;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DESK: &str = "/api/v1/shared-profiles/it-helpdesk";

app_test!(a_direct_message_to_the_desk_is_a_ticket, |app| async move {
    let rita = app
        .it_helpdesk("sealed", &[("rita", "responder")])
        .await
        .pop()
        .expect("rita");
    let sam = app.staff_client().await;

    let r = app
        .post_json(
            &sam,
            "/api/v1/messages",
            json!({"to": ["it-helpdesk"], "text": "my VPN asks for my password twice"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let sent: Value = r.json().await.expect("json");
    let conversation = sent["conversation"].as_str().expect("id").to_owned();

    let inbox = app.json(&rita, &format!("{DESK}/tickets")).await;
    let t = &inbox["tickets"][0];
    assert_eq!(t["number"], 1);
    assert_eq!(t["subject"], "my VPN asks for my password twice");
    assert_eq!(t["conversation"], conversation.as_str());
    assert!(t.get("post").is_none());
    assert_eq!(t["assignee"], "rita");

    // Sam writes again: the same ticket, not a new one.
    let r = app
        .post_json(
            &sam,
            &format!("/api/v1/messages/{conversation}"),
            json!({"text": "it happens on the train wifi"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let inbox = app.json(&rita, &format!("{DESK}/tickets")).await;
    assert_eq!(inbox["tickets"].as_array().map(Vec::len), Some(1));

    // Rita answers from the ticket: the answer is a message as the desk.
    let r = app
        .post_json(
            &rita,
            &format!("{DESK}/tickets/1/replies"),
            json!({"text": "The second prompt wants the six-digit code."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let seen = app
        .json(&sam, &format!("/api/v1/messages/{conversation}"))
        .await;
    let bodies = seen.to_string();
    assert!(bodies.contains("six-digit code"), "{bodies}");
    assert!(
        !bodies.contains("rita"),
        "a sealed desk never names its writer: {bodies}"
    );
    let ticket = app.json(&rita, &format!("{DESK}/tickets/1")).await;
    assert_eq!(ticket["ticket"]["status"], "open");
    let kinds: Vec<&str> = ticket["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.starts_with(&["opened"])
            && kinds.contains(&"requester_reply")
            && kinds.contains(&"answer"),
        "{kinds:?}"
    );
    // Answering did not leave Rita speaking as the desk.
    let r = app.get(&rita, "/api/v1/me/acting").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Solved and closed, a new message opens a new ticket linked to it.
    for s in ["solved", "closed"] {
        let r = app
            .post_json(
                &rita,
                &format!("{DESK}/tickets/1/status"),
                json!({ "status": s }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{s}");
    }
    let r = app
        .post_json(
            &sam,
            &format!("/api/v1/messages/{conversation}"),
            json!({"text": "now Outlook wants it too"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mine = app.json(&sam, "/api/v1/me/requests").await;
    let subjects: Vec<&str> = mine["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        [
            "now Outlook wants it too",
            "my VPN asks for my password twice"
        ]
    );

    // Written up, the conversation's words make the draft.
    let r = app
        .post_json(&rita, &format!("{DESK}/tickets/1/article"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let draft: Value = r.json().await.expect("json");
    let body = draft["body"].as_str().expect("body");
    assert!(
        body.contains("> my VPN asks for my password twice"),
        "{body}"
    );
    assert!(body.contains("six-digit code"), "{body}");

    // A message between two colleagues is nobody's ticket.
    let r = app
        .post_json(
            &sam,
            "/api/v1/messages",
            json!({"to": ["rita"], "text": "lunch?"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let inbox = app.json(&rita, &format!("{DESK}/tickets?view=open")).await;
    assert_eq!(inbox["tickets"].as_array().map(Vec::len), Some(1));
});
