//! The knowledge base over HTTP: a solved ticket written up as a draft
//! only members see, published as the profile with its byline shown as the
//! policy allows, found by search, offered while someone types to the desk,
//! and credited when it solves a request.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const DESK: &str = "/api/v1/shared-profiles/it-helpdesk";

/// @it-helpdesk (internal bylines) with responder `rita` and observer
/// `otto`, its help desk on; returns (requester sam, rita, otto).
async fn help_desk(app: &TestApp) -> (Client, Client, Client) {
    let mut agents = app
        .it_helpdesk("internal", &[("rita", "responder"), ("otto", "observer")])
        .await;
    let otto = agents.pop().expect("otto");
    let rita = agents.pop().expect("rita");
    (app.staff_client().await, rita, otto)
}

async fn send(c: &Client, method: reqwest::Method, url: String, body: Value) -> reqwest::Response {
    c.request(method, url)
        .json(&body)
        .send()
        .await
        .expect("send")
}

/// Sam asks, Rita answers as the profile with a note beside it, solves
/// it and writes it up; returns the draft.
async fn written_up(app: &TestApp, sam: &Client, rita: &Client) -> Value {
    let root = app
        .post(sam, json!({"text": "@it-helpdesk wifi down on floor 3"}))
        .await;
    app.post(
        rita,
        json!({"text": "Forget the network and join **eduroam** again.", "reply_to": root, "acting_as": "it-helpdesk"}),
    )
    .await;
    let r = app
        .post_json(
            rita,
            &format!("{DESK}/tickets/1/notes"),
            json!({"text": "AP-3 firmware is the real cause"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .post_json(rita, &format!("{DESK}/tickets/1/article"), json!({}))
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid",
        "an open ticket is not written up"
    );
    let r = app
        .post_json(
            rita,
            &format!("{DESK}/tickets/1/status"),
            json!({"status": "solved"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post_json(rita, &format!("{DESK}/tickets/1/article"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.expect("json")
}

app_test!(
    a_solved_ticket_becomes_an_article_with_its_byline,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        let draft = written_up(app, &sam, &rita).await;
        assert_eq!(draft["status"], "draft");
        assert_eq!(draft["title"], "wifi down on floor 3");
        assert_eq!(draft["source_ticket"], 1);
        let body = draft["body"].as_str().expect("body");
        assert!(
            body.contains("> @it-helpdesk wifi down on floor 3"),
            "{body}"
        );
        assert!(body.contains("join **eduroam** again"), "{body}");
        assert!(
            !body.contains("firmware"),
            "internal notes never reach an article: {body}"
        );
        assert_eq!(
            draft["written_by"], "rita",
            "members see an internal byline"
        );
        let id = draft["id"].as_str().expect("id").to_owned();

        // A draft is the members' alone: to anyone else it does not exist.
        let r = app.get(&sam, &format!("/api/v1/articles/{id}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            app.json(&otto, &format!("/api/v1/articles/{id}")).await["status"],
            "draft"
        );
        let found = app.json(&sam, "/api/v1/articles?q=wifi").await;
        assert_eq!(found["articles"].as_array().map(Vec::len), Some(0));

        // Rita publishes it; a save over a version she did not see is refused.
        let url = app.url(&format!("/api/v1/articles/{id}"));
        let edit = json!({
            "title": "Wi-Fi drops on floor 3",
            "body": "Forget the network and join **eduroam** again. <script>alert(1)</script>",
            "tags": ["wifi", "eduroam"],
            "status": "published",
            "based_on": 1
        });
        let r = send(&rita, reqwest::Method::PUT, url.clone(), edit.clone()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let published: Value = r.json().await.expect("json");
        assert_eq!(published["version"], 2);
        assert!(
            !published["body_html"]
                .as_str()
                .expect("html")
                .contains("<script")
        );
        let r = send(&rita, reqwest::Method::PUT, url.clone(), edit).await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let r = send(
            &otto,
            reqwest::Method::PUT,
            url.clone(),
            json!({"title": "Observed", "body": "x", "based_on": 2}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "observers read only");

        // Staff find it and read it without the byline (internal policy);
        // members see every version with its writer.
        let seen = app.json(&sam, &format!("/api/v1/articles/{id}")).await;
        assert_eq!(seen["title"], "Wi-Fi drops on floor 3");
        assert!(seen.get("written_by").is_none(), "{seen}");
        assert!(seen.get("source_ticket").is_none());
        assert_eq!(seen["versions"].as_array().map(Vec::len), Some(0));
        let by_rita = app.json(&rita, &format!("/api/v1/articles/{id}")).await;
        let writers: Vec<&str> = by_rita["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .filter_map(|v| v["written_by"].as_str())
            .collect();
        assert_eq!(writers, ["rita", "rita"]);
        let found = app.json(&sam, "/api/v1/articles?q=eduroam").await;
        assert_eq!(found["articles"][0]["id"], id.as_str());
        let found = app.json(&sam, "/api/v1/articles?q=printer").await;
        assert_eq!(found["articles"].as_array().map(Vec::len), Some(0));
        let desk = app.json(&sam, &format!("{DESK}/articles?q=floor")).await;
        assert_eq!(desk["articles"][0]["id"], id.as_str());

        // Each save is an audited utterance of the profile.
        let admin = app.admin_client().await;
        let audit = app.json(&admin, "/api/v1/audit/events?limit=1000").await;
        let saves = audit["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["action"] == "article.write_as_profile")
            .count();
        assert_eq!(saves, 2, "{audit}");
    }
);

app_test!(
    articles_are_offered_while_typing_and_solve_the_request,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        let draft = written_up(app, &sam, &rita).await;
        let id = draft["id"].as_str().expect("id").to_owned();
        let suggest = |c: &Client, text: &str| {
            let c = c.clone();
            let url = app.url(&format!(
                "/api/v1/articles/suggestions?text={}",
                text.replace(' ', "%20").replace('@', "%40")
            ));
            async move {
                let r = c.get(url).send().await.expect("send");
                assert_eq!(r.status(), StatusCode::OK);
                let v: Value = r.json().await.expect("json");
                v["articles"]
                    .as_array()
                    .expect("articles")
                    .iter()
                    .map(|a| a["id"].as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        assert!(
            suggest(&sam, "@it-helpdesk wifi is flaky").await.is_empty(),
            "drafts are never offered"
        );
        let r = send(
            &rita,
            reqwest::Method::PUT,
            app.url(&format!("/api/v1/articles/{id}")),
            json!({"title": "Wi-Fi drops on floor 3", "body": "Join eduroam again.", "tags": ["wifi"], "status": "published"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            suggest(&sam, "@it-helpdesk wifi is flaky").await,
            vec![id.clone()]
        );
        assert!(
            suggest(&sam, "wifi is flaky").await.is_empty(),
            "no help desk named"
        );
        assert!(
            suggest(&sam, "@rita wifi is flaky").await.is_empty(),
            "not a help desk"
        );
        assert!(suggest(&sam, "@it-helpdesk printer jam").await.is_empty());

        // "This solved it" on an open request of Sam's solves it.
        app.post(&sam, json!({"text": "@it-helpdesk wifi keeps dropping"}))
            .await;
        let deflect = |c: &Client, body: Value| {
            let c = c.clone();
            let url = app.url(&format!("/api/v1/articles/{id}/deflections"));
            async move { send(&c, reqwest::Method::POST, url, body).await }
        };
        let r = deflect(&otto, json!({"ticket": 2})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "not Otto's request");
        assert_eq!(
            app.json(&rita, &format!("{DESK}/tickets/2")).await["ticket"]["status"],
            "new",
            "a refused deflection changes nothing"
        );
        let r = deflect(&sam, json!({"ticket": 2})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let done: Value = r.json().await.expect("json");
        assert_eq!(done["solved_ticket"], 2);
        let ticket = app.json(&sam, &format!("{DESK}/tickets/2")).await;
        assert_eq!(ticket["ticket"]["status"], "solved");
        // Without a ticket it is only counted.
        let r = deflect(&sam, json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let counted = app.json(&sam, &format!("/api/v1/articles/{id}")).await;
        assert_eq!(counted["deflections"], 2);

        // Was it helpful? One answer per reader, which they may change.
        let feedback = |c: &Client, helpful: bool| {
            let c = c.clone();
            let url = app.url(&format!("/api/v1/articles/{id}/feedback"));
            async move { send(&c, reqwest::Method::PUT, url, json!({ "helpful": helpful })).await }
        };
        assert_eq!(feedback(&sam, true).await.status(), StatusCode::OK);
        let r = feedback(&sam, false).await;
        let counts: Value = r.json().await.expect("json");
        assert_eq!(
            (counts["helpful"].clone(), counts["not_helpful"].clone()),
            (json!(0), json!(1))
        );
        assert_eq!(feedback(&otto, true).await.status(), StatusCode::OK);
        let seen = app.json(&sam, &format!("/api/v1/articles/{id}")).await;
        assert_eq!(seen["your_feedback"], false);
        assert_eq!(seen["helpful"], 1);
    }
);

app_test!(
    bad_articles_are_refused_and_change_nothing,
    |app| async move {
        let (sam, rita, otto) = help_desk(app).await;
        let url = app.url(&format!("{DESK}/articles"));
        for (body, why) in [
            (json!({"title": "", "body": "b"}), "empty title"),
            (json!({"title": "t", "body": "  "}), "empty body"),
            (
                json!({"title": "t", "body": "b", "tags": ["Not OK!"]}),
                "bad tag",
            ),
            (
                json!({"title": "t", "body": "b", "status": "live"}),
                "unknown status",
            ),
            (
                json!({"title": "t", "body": "b", "audience": "world"}),
                "unknown audience",
            ),
            (json!({"title": "t".repeat(151), "body": "b"}), "long title"),
        ] {
            let r = send(&rita, reqwest::Method::POST, url.clone(), body).await;
            assert_eq!(
                error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
                "invalid",
                "{why}"
            );
        }
        let ok = json!({"title": "VPN", "body": "Use the client.", "status": "published"});
        let r = send(&otto, reqwest::Method::POST, url.clone(), ok.clone()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "observers do not write");
        let r = send(&sam, reqwest::Method::POST, url.clone(), ok.clone()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "outsiders do not write");
        let list = app.json(&rita, &format!("{DESK}/articles")).await;
        assert_eq!(
            list["articles"].as_array().map(Vec::len),
            Some(0),
            "nothing was written"
        );

        // A members-only runbook is never shown to staff, nor offered.
        let runbook = json!({"title": "VPN concentrator restart", "body": "ssh vpn-1", "audience": "members", "status": "published"});
        let r = send(&rita, reqwest::Method::POST, url.clone(), runbook).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.expect("json");
        let id = v["id"].as_str().expect("id");
        assert_eq!(
            app.get(&sam, &format!("/api/v1/articles/{id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let r = sam
            .get(app.url("/api/v1/articles/suggestions?text=%40it-helpdesk%20vpn%20concentrator"))
            .send()
            .await
            .expect("send");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["articles"].as_array().map(Vec::len), Some(0));
        assert_eq!(
            app.json(&otto, &format!("/api/v1/articles/{id}")).await["audience"],
            "members"
        );
        let r = app.get(&sam, "/api/v1/articles?q=%20%20").await;
        assert_eq!(r.status(), StatusCode::OK, "an empty search lists");
        let r = app.get(&sam, "/api/v1/articles/99999").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);
