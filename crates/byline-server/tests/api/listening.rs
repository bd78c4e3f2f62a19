//! Listening over HTTP: an owner of @it-helpdesk watches "Wi-Fi"; the
//! listener reads what staff say in the open (never closed or secret
//! communities, never the desk's own answers) and the topic shows those
//! posts to members; bad topics are refused with a reason and change
//! nothing.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const TOPICS: &str = "/api/v1/shared-profiles/it-helpdesk/topics";

/// Reads new posts as the server's listener job does.
async fn listen(app: &TestApp) -> byline_app::listening::Pass {
    let services = byline_app::App::for_tasks(app.store.clone());
    byline_app::listening::scan(&services)
        .await
        .expect("listener pass")
}

/// @it-helpdesk with owner `olga` and responder `rita`.
async fn desk(app: &TestApp) -> (Client, Client) {
    let mut c = app
        .it_helpdesk("internal", &[("olga", "owner"), ("rita", "responder")])
        .await;
    let rita = c.pop().expect("rita");
    let olga = c.pop().expect("olga");
    (olga, rita)
}

async fn wifi(app: &TestApp, olga: &Client) -> String {
    let r = app
        .post_json(
            olga,
            TOPICS,
            json!({"name": "Wi-Fi", "terms": ["wifi", "wi-fi", "wireless", "eduroam"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let t: Value = r.json().await.expect("json");
    assert_eq!(t["terms"], json!(["wifi", "wi-fi", "wireless", "eduroam"]));
    assert_eq!(t["sensitivity"], 5);
    t["id"].as_str().expect("id").to_owned()
}

app_test!(
    a_topic_hears_staff_in_the_open_and_nowhere_else,
    |app| async move {
        let (olga, rita) = desk(app).await;
        let id = wifi(app, &olga).await;
        let sam = app.staff_client().await;
        for (slug, vis) in [("lounge", "open"), ("hr-private", "closed")] {
            let r = app
                .post_json(
                    &sam,
                    "/api/v1/communities",
                    json!({"slug": slug, "name": slug, "visibility": vis}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let secret = app.secret_community(&sam, "exec", "Exec").await;
        let heard = [
            app.post(&sam, json!({"text": "The WiFi on floor 3 is down again"}))
                .await,
            app.post(
                &sam,
                json!({"text": "anyone else off #eduroam?", "community": "lounge"}),
            )
            .await,
        ];
        let unheard = [
            app.post(
                &sam,
                json!({"text": "wifi is down in HR too", "community": "hr-private"}),
            )
            .await,
            app.post(
                &sam,
                json!({"text": "wireless keyboards for the board room", "community": secret}),
            )
            .await,
            app.post(&sam, json!({"text": "my wifibox arrived"})).await,
            app.post(
                &olga,
                json!({"text": "We know the Wi-Fi is down, on it.", "acting_as": "it-helpdesk"}),
            )
            .await,
        ];
        // The server's own listener may have read them first: either way
        // each post is read once.
        listen(app).await;
        assert_eq!(listen(app).await.read, 0, "nothing left to read");

        for c in [&olga, &rita] {
            let t = app.json(c, &format!("{TOPICS}/{id}")).await;
            let ids: Vec<&str> = t["posts"]
                .as_array()
                .expect("posts")
                .iter()
                .map(|p| p["id"].as_str().expect("id"))
                .collect();
            assert_eq!(
                ids,
                vec![heard[1].as_str(), heard[0].as_str()],
                "newest first"
            );
            for u in &unheard {
                assert!(!ids.contains(&u.as_str()));
            }
            assert_eq!(t["now"]["posters_now"], 1, "one person in ten minutes");
            assert_eq!(t["now"]["spike"], false);
        }
        // Someone off the roster learns nothing; a responder cannot change topics.
        let r = app.get(&sam, &format!("{TOPICS}/{id}")).await;
        assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
        let r = app.get(&sam, TOPICS).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .post_json(
                &rita,
                TOPICS,
                json!({"name": "Email", "terms": ["outlook"]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app.delete(&rita, &format!("{TOPICS}/{id}")).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // The owner changes it: later posts match the new terms.
        let r = olga
            .put(app.url(&format!("{TOPICS}/{id}")))
            .json(&json!({"name": "Wi-Fi", "terms": ["wifi", "access point"], "sensitivity": 7}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let ap = app
            .post(&sam, json!({"text": "The access points in B are blinking"}))
            .await;
        listen(app).await;
        let t = app.json(&rita, &format!("{TOPICS}/{id}")).await;
        assert_eq!(t["posts"][0]["id"], ap.as_str(), "a phrase, stemmed");
        let list = app.json(&rita, TOPICS).await;
        assert_eq!(list["topics"][0]["sensitivity"], 7);

        let r = app.delete(&olga, &format!("{TOPICS}/{id}")).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.json(&rita, TOPICS).await["topics"], json!([]));
    }
);

app_test!(
    bad_topics_are_refused_with_a_reason_and_change_nothing,
    |app| async move {
        let (olga, _) = desk(app).await;
        wifi(app, &olga).await;
        for (body, says) in [
            (json!({"name": "Nothing", "terms": []}), "at least one term"),
            (
                json!({"name": "Blank", "terms": ["", "  "]}),
                "at least one term",
            ),
            (json!({"name": "", "terms": ["outlook"]}), "name"),
            (json!({"name": "IT", "terms": ["it"]}), "too short"),
            (json!({"name": "Misc", "terms": ["the"]}), "too common"),
            (
                json!({"name": "Email", "terms": ["outlook"], "sensitivity": 11}),
                "sensitivity is 1",
            ),
            (
                json!({"name": "Email", "terms": ["outlook"], "sensitivity": 0}),
                "sensitivity is 1",
            ),
            (
                json!({"name": "Email", "terms": ["outlook"], "min_posters": 1}),
                "minimum number of people",
            ),
            (
                json!({"name": "wi-fi", "terms": ["wlan"]}),
                "already watches a topic of that name",
            ),
        ] {
            let r = app.post_json(&olga, TOPICS, body.clone()).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let e: Value = r.json().await.expect("json");
            let message = e["error"]["message"].as_str().expect("message");
            assert!(message.contains(says), "{body}: {message}");
        }
        let r = app
            .post_json(
                &olga,
                TOPICS,
                json!({"name": "Email", "terms": ["outlook"], "colour": "red"}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field"
        );
        let r = app
            .post_json(
                &olga,
                "/api/v1/shared-profiles/nobody/topics",
                json!({"name": "Email", "terms": ["outlook"]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // A term found in more than a twentieth of recent posts is refused
        // with the share it would match. (The posts are written through
        // the store: the API's write limit would stop 200 in a row.)
        for i in 0..200 {
            let text = if i % 4 == 0 {
                format!("the canteen menu {i}")
            } else {
                format!("notes {i}")
            };
            app.store
                .posts()
                .create_post(
                    app.staff.id,
                    &byline_store::posts::NewPost {
                        community_id: None,
                        reply_to: None,
                        attachment_ids: &[],
                        intake: &[],
                        content: byline_store::posts::PostContent {
                            body: &text,
                            body_html: &text,
                            mentioned_profile_ids: &[],
                            tags: &[],
                        },
                    },
                    byline_app::now(),
                )
                .await
                .expect("post");
        }
        let r = app
            .post_json(
                &olga,
                TOPICS,
                json!({"name": "Food", "terms": ["lunch", "canteen"]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.expect("json");
        assert_eq!(
            e["error"]["message"],
            "the term 'canteen' is too common: it would match 25 % of recent posts (at most 5 %)"
        );
        let list = app.json(&olga, TOPICS).await;
        assert_eq!(
            list["topics"].as_array().expect("topics").len(),
            1,
            "nothing added"
        );
        assert_eq!(list["topics"][0]["name"], "Wi-Fi");
    }
);

app_test!(
    a_spike_opens_one_incident_that_answers_every_thread_once,
    |app| async move {
        let (olga, rita) = desk(app).await;
        let r = app
            .post_json(
                &olga,
                TOPICS,
                json!({"name": "Wi-Fi", "terms": ["wifi", "wi-fi"], "min_posters": 3}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let incidents = "/api/v1/shared-profiles/it-helpdesk/incidents";
        let mut people = Vec::new();
        for who in ["pia", "pete", "paul", "polly", "pam"] {
            people.push(app.new_member(who, who).await);
        }
        // Two people are heard: no incident yet.
        let first = app
            .post(&people[0], json!({"text": "wifi down on floor 3?"}))
            .await;
        let second = app
            .post(&people[1], json!({"text": "Wi-Fi is gone here too"}))
            .await;
        listen(app).await;
        assert_eq!(app.json(&rita, incidents).await["incidents"], json!([]));

        // A third person, replying in the first thread, makes it a spike.
        let third = app
            .post(
                &people[2],
                json!({"text": "same, no wifi at all", "reply_to": first}),
            )
            .await;
        listen(app).await;
        let list = app.json(&rita, incidents).await;
        let all = list["incidents"].as_array().expect("incidents");
        assert_eq!(all.len(), 1, "{list}");
        let incident = &all[0];
        assert_eq!(incident["topic"], "Wi-Fi");
        assert_eq!(incident["open"], true);
        assert_eq!(incident["posters"], 3);
        assert_eq!(incident["threads"], 2);
        let id = incident["id"].as_str().expect("id").to_owned();
        let number = incident["ticket_number"].as_i64().expect("number");
        // The incident is a ticket in the inbox, high priority.
        let ticket = app
            .json(
                &rita,
                &format!("/api/v1/shared-profiles/it-helpdesk/tickets/{number}"),
            )
            .await;
        let t = if ticket.get("ticket").is_some() {
            &ticket["ticket"]
        } else {
            &ticket
        };
        assert_eq!(t["priority"], "high", "{ticket}");
        assert!(
            t["subject"]
                .as_str()
                .expect("subject")
                .starts_with("Wi-Fi: 3 people"),
            "{ticket}"
        );

        // Later talk joins the open incident instead of raising another.
        let fourth = app
            .post(&people[3], json!({"text": "is the wifi back?"}))
            .await;
        listen(app).await;
        let list = app.json(&rita, incidents).await;
        assert_eq!(list["incidents"].as_array().expect("list").len(), 1);
        assert_eq!(list["incidents"][0]["posts"], 4);
        assert_eq!(list["incidents"][0]["threads"], 3);

        // Bad answers change nothing; strangers learn nothing.
        let answer = format!("{incidents}/{id}/answer");
        let r = app.post_json(&rita, &answer, json!({"text": "  "})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post_json(&people[0], &answer, json!({"text": "hi"}))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app.get(&people[0], &format!("{incidents}/{id}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // One answer reaches every thread once, as the desk.
        let r = app
            .post_json(&rita, &answer, json!({"text": "We know, we're on it."}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let done: Value = r.json().await.expect("json");
        assert_eq!(done, json!({"answered": 3, "already": 0}));
        // Each poster finds one answer in their thread; those who began a
        // thread are told of it.
        for (i, post) in [&first, &second, &third, &fourth].into_iter().enumerate() {
            let thread = app
                .json(&people[i], &format!("/api/v1/posts/{post}/thread"))
                .await;
            let answers: Vec<&Value> = thread["posts"]
                .as_array()
                .expect("posts")
                .iter()
                .filter(|p| p["author"]["handle"] == "it-helpdesk")
                .collect();
            assert_eq!(answers.len(), 1, "poster {i}: one reply in the thread");
            assert_eq!(answers[0]["text"], "We know, we're on it.");
            if i != 2 {
                let told = app.json(&people[i], "/api/v1/me/notifications").await;
                assert!(
                    told.to_string().contains("it-helpdesk"),
                    "poster {i}: {told}"
                );
            }
        }
        // The desk's own answers are not heard back as talk.
        listen(app).await;
        let detail = app.json(&rita, &format!("{incidents}/{id}")).await;
        assert_eq!(detail["incident"]["posts"], 4);
        assert_eq!(detail["incident"]["answered"], 3);
        assert!(
            detail["posts"]
                .as_array()
                .expect("posts")
                .iter()
                .all(|p| p["answer_id"].is_string())
        );

        // Answering again reaches only those who spoke up since.
        app.post(&people[4], json!({"text": "wifi still flaky"}))
            .await;
        listen(app).await;
        let r = app
            .post_json(&rita, &answer, json!({"text": "Still on it."}))
            .await;
        let done: Value = r.json().await.expect("json");
        assert_eq!(done, json!({"answered": 1, "already": 3}));
    }
);

app_test!(
    the_weekly_digest_tells_owners_what_was_said,
    |app| async move {
        let (olga, rita) = desk(app).await;
        let r = app
            .post_json(
                &olga,
                TOPICS,
                json!({"name": "Wi-Fi", "terms": ["wifi"], "min_posters": 2, "sensitivity": 10}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let pia = app.new_member("pia", "Pia").await;
        let sam = app.staff_client().await;
        app.post(
            &pia,
            json!({"text": "wifi is down and it is so frustrating"}),
        )
        .await;
        app.post(&sam, json!({"text": "wifi down on the stairs too"}))
            .await;
        listen(app).await;

        let digests = "/api/v1/shared-profiles/it-helpdesk/digests";
        assert_eq!(app.json(&olga, digests).await["digests"], json!([]));
        // Monday's job, for the week that holds today.
        let services = byline_app::App::for_tasks(app.store.clone());
        let today = chrono::Utc::now().date_naive();
        let week = today
            - chrono::Duration::days(i64::from(
                chrono::Datelike::weekday(&today).num_days_from_monday(),
            ));
        let written = byline_app::listening::digest::write_all(&services, week)
            .await
            .expect("digest");
        assert_eq!(written, 1);
        // A second process writing the same week changes nothing.
        let again = byline_app::listening::digest::write_all(&services, week)
            .await
            .expect("digest");
        assert_eq!(again, 0);

        let list = app.json(&olga, digests).await;
        let d = &list["digests"][0];
        assert_eq!(d["week"], week.to_string());
        assert_eq!(d["topics"][0]["name"], "Wi-Fi");
        assert_eq!(d["topics"][0]["posts"], 2);
        assert_eq!(d["topics"][0]["people"], 2);
        assert_eq!(d["topics"][0]["negative_share"], 1.0);
        assert_eq!(d["incidents"].as_array().expect("incidents").len(), 1);
        assert_eq!(d["incidents"][0]["people"], 2);
        // The owner is told of the digest (once) and, like every member
        // who works tickets, of the incident.
        let told = app.json(&olga, "/api/v1/me/notifications").await;
        let kinds: Vec<&str> = told["notifications"]
            .as_array()
            .expect("notifications")
            .iter()
            .filter_map(|n| n["kind"].as_str())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "listening_digest").count(),
            1,
            "{told}"
        );
        assert!(kinds.contains(&"listening_incident"), "{told}");
        let told = app.json(&rita, "/api/v1/me/notifications").await;
        assert!(!told.to_string().contains("listening_digest"), "{told}");
        assert!(told.to_string().contains("listening_incident"), "{told}");
        // The digest is the owners' (a responder is refused, others learn nothing).
        let r = app.get(&rita, digests).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app.get(&sam, digests).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);
