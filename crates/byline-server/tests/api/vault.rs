//! The credential vault: members see names and custodians, custodians see
//! values (never cached, always audited, owners told), two-person entries
//! need a second custodian, and people who leave leave a list of what to
//! rotate.

use crate::app_test;
use crate::helpers::{TestApp, error_code, spawn_app};
use byline_core::vault::TotpSeed;
use byline_store::testing::Kind;
use reqwest::{Client, Response, StatusCode, header};
use serde_json::{Value, json};

const VAULT: &str = "/api/v1/shared-profiles/desk/vault";

/// A password no response, log line or database byte may hold, except a
/// custodian's reveal.
const PLAIN: &str = "correct-horse-PLAINTEXT-7731";
const USERNAME: &str = "desk-insta-login";
/// RFC 6238's test seed ("12345678901234567890"), in base32.
const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// @desk and its people: two owners, an editor, a responder, an observer;
/// Sam is staff outside it and Ada an admin outside it.
struct Desk {
    ada: Client,
    sam: Client,
    olga: Client,
    oscar: Client,
    eddie: Client,
    rita: Client,
    otto: Client,
}

async fn desk(app: &TestApp) -> Desk {
    let ada = app.admin_client().await;
    let sam = app.staff_client().await;
    let olga = app.new_member("olga", "Olga Owner").await;
    let oscar = app.new_member("oscar", "Oscar Owner").await;
    let eddie = app.new_member("eddie", "Eddie Editor").await;
    let rita = app.new_member("rita", "Rita Responder").await;
    let otto = app.new_member("otto", "Otto Observer").await;
    app.shared_profile(
        &ada,
        "desk",
        "signed",
        &[
            ("olga", "owner"),
            ("oscar", "owner"),
            ("eddie", "editor"),
            ("rita", "responder"),
            ("otto", "observer"),
        ],
    )
    .await;
    Desk {
        ada,
        sam,
        olga,
        oscar,
        eddie,
        rita,
        otto,
    }
}

fn at(id: &str, rest: &str) -> String {
    format!("{VAULT}/{id}{rest}")
}

/// Stores a secret as `c`, expecting 201; evaluates to its view.
async fn add(app: &TestApp, c: &Client, body: Value) -> Value {
    let r = app.post_json(c, VAULT, body.clone()).await;
    let status = r.status();
    let text = r.text().await.expect("text");
    assert_eq!(status, StatusCode::CREATED, "add {body}: {text}");
    serde_json::from_str(&text).expect("json")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// The Instagram login (custodians eddie and rita), stored by olga.
async fn instagram(app: &TestApp, d: &Desk) -> String {
    id(&add(
        app,
        &d.olga,
        json!({"name": "Instagram", "kind": "login",
               "fields": {"username": USERNAME, "password": PLAIN},
               "custodians": ["eddie", "rita"]}),
    )
    .await)
}

/// The status and body of a response, with its Cache-Control header.
async fn read(r: Response) -> (StatusCode, Option<String>, String) {
    let status = r.status();
    let cache = r
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, cache, r.text().await.expect("text"))
}

async fn audit(app: &TestApp, admin: &Client) -> Vec<Value> {
    app.json(admin, "/api/v1/audit/events?limit=1000").await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// (kind, actor, secret) of each notification `c` has.
async fn told(app: &TestApp, c: &Client) -> Vec<(String, String, String)> {
    let v = app.json(c, "/api/v1/me/notifications").await;
    v["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (s(&n["kind"]), s(&n["actor"]["handle"]), s(&n["secret"]))
        })
        .collect()
}

fn vault_notes(all: &[(String, String, String)], kind: &str) -> Vec<(String, String)> {
    all.iter()
        .filter(|(k, _, _)| k == kind)
        .map(|(_, actor, secret)| (actor.clone(), secret.clone()))
        .collect()
}

async fn user_id(app: &TestApp, c: &Client) -> String {
    id(&app.json(c, "/api/v1/me").await)
}

app_test!(
    a_custodian_reveals_a_login_and_nobody_else_sees_its_value,
    |app| async move {
        let d = desk(app).await;
        let made = add(
            app,
            &d.olga,
            json!({"name": "Instagram", "kind": "login",
                   "fields": {"username": USERNAME, "password": PLAIN},
                   "custodians": ["eddie", "@Rita"]}),
        )
        .await;
        let secret = id(&made);
        assert_eq!(made["name"], "Instagram");
        assert_eq!(made["kind"], "login");
        assert_eq!(made["custodians"], json!(["eddie", "rita"]));
        assert_eq!(made["custodian"], false, "olga chose, but is not one");
        assert!(!made.to_string().contains(PLAIN), "{made}");

        // A custodian reveals it, and the answer is not to be cached.
        let (status, cache, body) = read(
            app.post_json(&d.eddie, &at(&secret, "/reveal"), json!({}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        let shown: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(shown["username"], USERNAME);
        assert_eq!(shown["password"], PLAIN);
        assert_eq!(shown["secret"]["name"], "Instagram");
        assert_eq!(shown["secret"]["custodian"], true);

        // One field for the clipboard, likewise.
        let (status, cache, body) = read(
            app.post_json(&d.rita, &at(&secret, "/copy"), json!({"field": "password"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        assert_eq!(
            serde_json::from_str::<Value>(&body).expect("json")["value"],
            PLAIN
        );

        // Every member sees its name and custodians; no one sees its value.
        for c in [&d.olga, &d.oscar, &d.eddie, &d.rita, &d.otto] {
            let list = app.json(c, VAULT).await;
            assert_eq!(list["secrets"][0]["name"], "Instagram");
            assert_eq!(list["secrets"][0]["custodians"], json!(["eddie", "rita"]));
            let one = app.json(c, &at(&secret, "")).await;
            assert_eq!(one["name"], "Instagram");
            for text in [list.to_string(), one.to_string()] {
                assert!(!text.contains(PLAIN) && !text.contains(USERNAME), "{text}");
            }
        }

        // Members who are not custodians are refused, and told nothing:
        // an owner (who chose the custodians) and an observer alike.
        for c in [&d.olga, &d.otto] {
            for (path, body) in [
                ("/reveal", json!({})),
                ("/copy", json!({"field": "password"})),
                ("/copy", json!({"field": "username"})),
            ] {
                let (status, _, text) =
                    read(app.post_json(c, &at(&secret, path), body).await).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {text}");
                assert!(
                    !text.contains(PLAIN) && !text.contains(USERNAME),
                    "{path}: {text}"
                );
            }
        }
        // Each refusal is audited against the secret, with what was tried.
        let events = audit(app, &d.ada).await;
        let refused: Vec<&Value> = events
            .iter()
            .filter(|e| e["action"] == "vault.refused")
            .collect();
        assert_eq!(refused.len(), 6, "{refused:?}");
        let olga_id = user_id(app, &d.olga).await;
        let olgas = refused
            .iter()
            .find(|e| e["user_id"] == olga_id.as_str())
            .expect("olga's refusal is audited");
        assert_eq!(olgas["target"], format!("secret:{secret}"));
        assert_eq!(olgas["details"]["attempt"], "reveal");
        for action in ["vault.secret_add", "vault.reveal", "vault.copy"] {
            assert!(
                events.iter().any(|e| e["action"] == action),
                "{action} audited"
            );
        }
        let log = serde_json::to_string(&events).expect("json");
        assert!(
            !log.contains(PLAIN) && !log.contains(USERNAME),
            "no value in the audit log"
        );

        // Outside the profile, the vault does not exist: staff and admins.
        for c in [&d.sam, &d.ada] {
            for r in [
                app.get(c, VAULT).await,
                app.get(c, &at(&secret, "")).await,
                app.post_json(c, &at(&secret, "/reveal"), json!({})).await,
                app.post_json(c, &at(&secret, "/copy"), json!({"field": "password"}))
                    .await,
            ] {
                let (status, _, text) = read(r).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
                assert!(!text.contains(PLAIN) && !text.contains("Instagram"));
            }
        }
        // A member asking for an entry that is not there gets the same.
        error_code(
            app.post_json(&d.eddie, &at("999999", "/reveal"), json!({}))
                .await,
            StatusCode::NOT_FOUND,
        )
        .await;

        // Both owners heard of both uses; the custodians did not.
        for c in [&d.olga, &d.oscar] {
            let mut seen = vault_notes(&told(app, c).await, "vault_reveal");
            seen.sort();
            assert_eq!(
                seen,
                [
                    ("eddie".to_owned(), "Instagram".to_owned()),
                    ("rita".to_owned(), "Instagram".to_owned())
                ]
            );
        }
        for c in [&d.eddie, &d.rita, &d.otto] {
            assert!(vault_notes(&told(app, c).await, "vault_reveal").is_empty());
        }
        let page = app.json(&d.olga, "/api/v1/me/notifications").await;
        assert!(!page.to_string().contains(PLAIN));
    }
);

app_test!(
    an_owner_who_reveals_is_reported_to_the_other_owner,
    |app| async move {
        let d = desk(app).await;
        let bank = id(&add(
            app,
            &d.olga,
            json!({"name": "Bank", "kind": "password",
                   "fields": {"password": PLAIN}, "custodians": ["olga"]}),
        )
        .await);
        let r = app
            .post_json(&d.olga, &at(&bank, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["password"], PLAIN);
        assert_eq!(
            vault_notes(&told(app, &d.oscar).await, "vault_reveal"),
            [("olga".to_owned(), "Bank".to_owned())]
        );
        let page = app.json(&d.oscar, "/api/v1/me/notifications").await;
        assert_eq!(page["notifications"][0]["secret_profile"], "desk");
        assert!(
            vault_notes(&told(app, &d.olga).await, "vault_reveal").is_empty(),
            "no one is told of their own reveal"
        );
    }
);

app_test!(
    totp_codes_are_six_digits_and_the_seed_is_never_shown,
    |app| async move {
        let d = desk(app).await;
        // Services print seeds in groups of four, in any case.
        let grouped = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
        let mut bodies = Vec::new();
        let made = add(
            app,
            &d.olga,
            json!({"name": "Twitter", "kind": "login",
                   "fields": {"username": USERNAME, "password": PLAIN, "totp_seed": grouped},
                   "custodians": ["eddie"]}),
        )
        .await;
        let secret = id(&made);
        assert_eq!(made["has_totp"], true);
        bodies.push(made.to_string());
        bodies.push(app.json(&d.eddie, VAULT).await.to_string());
        bodies.push(app.json(&d.eddie, &at(&secret, "")).await.to_string());

        let before = byline_app::now().micros().div_euclid(1_000_000);
        let (status, cache, body) = read(
            app.post_json(&d.eddie, &at(&secret, "/totp"), json!({}))
                .await,
        )
        .await;
        let after = byline_app::now().micros().div_euclid(1_000_000);
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        let totp: Value = serde_json::from_str(&body).expect("json");
        let code = totp["code"].as_str().expect("code");
        assert_eq!(code.len(), 6, "{code}");
        assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        let left = totp["seconds_left"].as_u64().expect("seconds_left");
        assert!((1..=30).contains(&left), "{left}");
        // The code an authenticator app would show for the same seed.
        let seed = TotpSeed::parse(SEED).expect("seed");
        assert!(
            [before, after].iter().any(|t| seed.code(*t).0 == code),
            "{code} is the seed's code now"
        );
        bodies.push(body);

        // A reveal shows everything but the seed; a copy cannot take it.
        let (status, _, body) = read(
            app.post_json(&d.eddie, &at(&secret, "/reveal"), json!({}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let shown: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(shown["password"], PLAIN);
        assert!(shown.get("totp_seed").is_none(), "{shown}");
        bodies.push(body);
        let r = app
            .post_json(
                &d.eddie,
                &at(&secret, "/copy"),
                json!({"field": "totp_seed"}),
            )
            .await;
        bodies.push(r.text().await.expect("text"));
        // Nor can anyone who is not a custodian take a code.
        for c in [&d.olga, &d.otto] {
            let (status, _, body) =
                read(app.post_json(c, &at(&secret, "/totp"), json!({})).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            bodies.push(body);
        }
        for c in [&d.sam, &d.ada] {
            let (status, _, body) =
                read(app.post_json(c, &at(&secret, "/totp"), json!({})).await).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        }
        bodies.push(serde_json::to_string(&audit(app, &d.ada).await).expect("json"));
        bodies.push(
            app.json(&d.olga, "/api/v1/me/notifications")
                .await
                .to_string(),
        );
        for body in &bodies {
            let upper = body.to_ascii_uppercase();
            assert!(
                !upper.contains(SEED) && !upper.contains("GEZD GNBV"),
                "the seed leaked: {body}"
            );
        }
        let codes = audit(app, &d.ada).await;
        assert!(codes.iter().any(|e| e["action"] == "vault.totp"));

        // A secret without a seed gives no code.
        let plain = id(&add(
            app,
            &d.olga,
            json!({"name": "Wifi", "kind": "password",
                   "fields": {"password": "wifi-pass-1"}, "custodians": ["eddie"]}),
        )
        .await);
        assert_eq!(
            error_code(
                app.post_json(&d.eddie, &at(&plain, "/totp"), json!({}))
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY
            )
            .await,
            "invalid"
        );
    }
);

app_test!(
    a_two_person_secret_opens_once_for_a_request_another_custodian_approved,
    |app| async move {
        let d = desk(app).await;
        let pair = id(&add(
            app,
            &d.olga,
            json!({"name": "Payroll", "kind": "password",
                   "fields": {"password": PLAIN}, "custodians": ["eddie", "rita"],
                   "two_person": true}),
        )
        .await);
        let reveal = |c: &Client, body: Value| {
            let path = at(&pair, "/reveal");
            let c = c.clone();
            async move { read(app.post_json(&c, &path, body).await).await }
        };

        // Without a request, a custodian is refused, and that is audited.
        let (status, _, body) = reveal(&d.eddie, json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(!body.contains(PLAIN));
        let (status, _, body) = read(
            app.post_json(&d.eddie, &at(&pair, "/copy"), json!({"field": "password"}))
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let events = audit(app, &d.ada).await;
        assert!(
            events
                .iter()
                .any(|e| e["action"] == "vault.refused" && e["details"]["why"] == "two_person"),
            "the refused two-person reveal is audited"
        );

        // A request needs a reason.
        error_code(
            app.post_json(&d.eddie, &at(&pair, "/requests"), json!({"reason": "  "}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let r = app
            .post_json(
                &d.eddie,
                &at(&pair, "/requests"),
                json!({"reason": "payroll run is due"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let request = id(&r.json().await.expect("json"));
        let approve = at(&pair, &format!("/requests/{request}/approve"));

        // Not approved yet: the request opens nothing.
        let (status, _, body) = reveal(&d.eddie, json!({"request": request})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(!body.contains(PLAIN));
        // The one who asked cannot approve it.
        let (status, _, body) = read(app.post_json(&d.eddie, &approve, json!({})).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _, body) = reveal(&d.eddie, json!({"request": request})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        // Nor can members who are not custodians, owners included.
        for c in [&d.olga, &d.otto] {
            let (status, _, body) = read(app.post_json(c, &approve, json!({})).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        }
        for c in [&d.sam, &d.ada] {
            let (status, _, body) = read(app.post_json(c, &approve, json!({})).await).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        }
        // The other custodian sees the request, with its 15 minutes.
        let listed = app.json(&d.rita, &at(&pair, "/requests")).await;
        assert_eq!(listed[0]["id"], request.as_str());
        assert_eq!(listed[0]["requested_by"], "eddie");
        assert_eq!(listed[0]["reason"], "payroll run is due");
        assert_eq!(listed[0]["state"], "waiting");
        let time = |k: &str| {
            chrono::DateTime::parse_from_rfc3339(listed[0][k].as_str().expect("time"))
                .expect("rfc 3339")
        };
        assert_eq!(
            (time("expires_at") - time("requested_at")).num_minutes(),
            15
        );
        error_code(
            app.get(&d.olga, &at(&pair, "/requests")).await,
            StatusCode::FORBIDDEN,
        )
        .await;

        // The other custodian approves; once is enough.
        let r = app.post_json(&d.rita, &approve, json!({})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (status, _, _) = read(app.post_json(&d.rita, &approve, json!({})).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.json(&d.eddie, &at(&pair, "/requests")).await[0]["state"],
            "approved"
        );
        // The approval is eddie's: rita cannot use it.
        let (status, _, body) = reveal(&d.rita, json!({"request": request})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(!body.contains(PLAIN));

        // Eddie reveals, once.
        let (status, cache, body) = reveal(&d.eddie, json!({"request": request})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(cache.as_deref(), Some("no-store"));
        let shown: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(shown["password"], PLAIN);
        assert_eq!(shown["secret"]["two_person"], true);
        let (status, _, body) = reveal(&d.eddie, json!({"request": request})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(!body.contains(PLAIN));
        let (status, _, body) = read(
            app.post_json(
                &d.eddie,
                &at(&pair, "/copy"),
                json!({"field": "password", "request": request}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(!body.contains(PLAIN));
        assert_eq!(
            app.json(&d.eddie, &at(&pair, "/requests")).await[0]["state"],
            "used"
        );
        let actions: Vec<Value> = audit(app, &d.ada)
            .await
            .into_iter()
            .map(|e| e["action"].clone())
            .collect();
        for a in ["vault.request", "vault.approve", "vault.reveal"] {
            assert!(actions.contains(&json!(a)), "{a} audited");
        }

        // A secret without the rule needs no request.
        let single = instagram(app, &d).await;
        error_code(
            app.post_json(
                &d.eddie,
                &at(&single, "/requests"),
                json!({"reason": "just because"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
);

app_test!(
    bad_secrets_are_refused_and_nothing_is_stored,
    |app| async move {
        let d = desk(app).await;
        let login = |custodians: Value| {
            json!({"name": "Instagram", "kind": "login",
                   "fields": {"username": USERNAME, "password": PLAIN},
                   "custodians": custodians})
        };
        let cases = [
            (
                "unknown kind",
                json!({"name": "Key", "kind": "ssh_key",
                       "fields": {"password": PLAIN}, "custodians": ["eddie"]}),
            ),
            (
                "login without a password",
                json!({"name": "Instagram", "kind": "login",
                       "fields": {"username": USERNAME}, "custodians": ["eddie"]}),
            ),
            (
                "login with a blank password",
                json!({"name": "Instagram", "kind": "login",
                       "fields": {"username": USERNAME, "password": "   "},
                       "custodians": ["eddie"]}),
            ),
            (
                "seed not base32",
                json!({"name": "2FA", "kind": "totp",
                       "fields": {"totp_seed": "0189 0189 0189 0189 0189"},
                       "custodians": ["eddie"]}),
            ),
            (
                "seed too short",
                json!({"name": "2FA", "kind": "totp",
                       "fields": {"totp_seed": "GEZDGNBV"}, "custodians": ["eddie"]}),
            ),
            (
                "notes over 8192 bytes",
                json!({"name": "Runbook", "kind": "note",
                       "fields": {"notes": "x".repeat(8193)}, "custodians": ["eddie"]}),
            ),
            ("unknown custodian", login(json!(["nobody"]))),
            ("custodian outside the profile", login(json!(["sam"]))),
            ("duplicate custodian", login(json!(["eddie", "@Eddie"]))),
            ("observer as custodian", login(json!(["eddie", "otto"]))),
            ("no custodian", login(json!([]))),
            (
                "two-person with one custodian",
                json!({"name": "Payroll", "kind": "password",
                       "fields": {"password": PLAIN}, "custodians": ["eddie"],
                       "two_person": true}),
            ),
            (
                "blank name",
                json!({"name": "  ", "kind": "password",
                       "fields": {"password": PLAIN}, "custodians": ["eddie"]}),
            ),
        ];
        for (what, body) in cases {
            let r = app.post_json(&d.olga, VAULT, body).await;
            let status = r.status();
            let text = r.text().await.expect("text");
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {text}");
            assert!(!text.contains(PLAIN), "{what}: {text}");
        }
        // Exactly 8192 bytes of notes fit.
        add(
            app,
            &d.olga,
            json!({"name": "Runbook", "kind": "note",
                   "fields": {"notes": "x".repeat(8192)}, "custodians": ["eddie"]}),
        )
        .await;
        let list = app.json(&d.olga, VAULT).await;
        let names: Vec<&str> = list["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        assert_eq!(names, ["Runbook"], "nothing else was stored");
        let added = audit(app, &d.ada)
            .await
            .iter()
            .filter(|e| e["action"] == "vault.secret_add")
            .count();
        assert_eq!(added, 1);

        // Names are unique in a vault, whatever their case.
        let first = instagram(app, &d).await;
        let r = app.post_json(&d.olga, VAULT, login(json!(["rita"]))).await;
        assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");
        let mut other = login(json!(["rita"]));
        other["name"] = json!("INSTAGRAM");
        let r = app.post_json(&d.olga, VAULT, other).await;
        assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");
        // An editor adds one too; an owner cannot rename it onto another.
        let wifi = id(&add(
            app,
            &d.eddie,
            json!({"name": "Wifi", "kind": "password",
                   "fields": {"password": "w1f1-pass"}, "custodians": ["eddie"]}),
        )
        .await);
        let r = app
            .patch_json(&d.olga, &at(&wifi, ""), json!({"name": "instagram"}))
            .await;
        assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");
        assert_eq!(app.json(&d.olga, &at(&wifi, "")).await["name"], "Wifi");

        // A rotation to fields the kind does not take changes nothing.
        let r = app
            .patch_json(
                &d.eddie,
                &at(&first, ""),
                json!({"fields": {"username": USERNAME}}),
            )
            .await;
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        let shown: Value = app
            .post_json(&d.eddie, &at(&first, "/reveal"), json!({}))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(shown["password"], PLAIN);

        // Custodians chosen later follow the same rules.
        for (what, custodians) in [
            ("unknown", json!(["nobody"])),
            ("duplicate", json!(["rita", "rita"])),
            ("observer", json!(["otto"])),
            ("none", json!([])),
        ] {
            let r = d
                .olga
                .put(app.url(&at(&first, "/custodians")))
                .json(&json!({ "custodians": custodians }))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        }
        assert_eq!(
            app.json(&d.olga, &at(&first, "")).await["custodians"],
            json!(["eddie", "rita"])
        );

        // Only owners and editors add; responders and observers are members
        // who may not.
        for c in [&d.rita, &d.otto] {
            let r = app.post_json(c, VAULT, login(json!(["eddie"]))).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        for c in [&d.sam, &d.ada] {
            let r = app.post_json(c, VAULT, login(json!(["eddie"]))).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
    }
);

app_test!(
    owners_choose_custodians_and_remove_secrets,
    |app| async move {
        let d = desk(app).await;
        let secret = instagram(app, &d).await;
        let put = |c: &Client, custodians: Value| {
            let c = c.clone();
            let url = app.url(&at(&secret, "/custodians"));
            async move {
                c.put(url)
                    .json(&json!({ "custodians": custodians }))
                    .send()
                    .await
                    .expect("send")
            }
        };
        // Only owners choose: not even a custodian chooses for themselves.
        for c in [&d.eddie, &d.rita, &d.otto] {
            assert_eq!(
                put(c, json!(["eddie", "oscar"])).await.status(),
                StatusCode::FORBIDDEN
            );
        }
        let r = put(&d.oscar, json!(["oscar", "rita"])).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["custodians"], json!(["oscar", "rita"]));
        // Eddie is no longer one, and is refused.
        let r = app
            .post_json(&d.eddie, &at(&secret, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .post_json(&d.oscar, &at(&secret, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);

        // The two-person rule is the owners' to change.
        let r = app
            .patch_json(&d.rita, &at(&secret, ""), json!({"two_person": true}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .patch_json(&d.olga, &at(&secret, ""), json!({"two_person": true}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post_json(&d.oscar, &at(&secret, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "now it needs two");
        // Two custodians at least, while the rule holds.
        assert_eq!(
            put(&d.olga, json!(["rita"])).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Only owners remove.
        for c in [&d.eddie, &d.rita, &d.otto] {
            let r = app.delete(c, &at(&secret, "")).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        let r = app.delete(&d.oscar, &at(&secret, "")).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        for c in [&d.oscar, &d.rita] {
            assert_eq!(
                app.get(c, &at(&secret, "")).await.status(),
                StatusCode::NOT_FOUND
            );
            let r = app.post_json(c, &at(&secret, "/reveal"), json!({})).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
        assert_eq!(
            app.json(&d.olga, VAULT).await["secrets"],
            json!([]),
            "gone from the list"
        );
        // Its name is free again.
        instagram(app, &d).await;
    }
);

app_test!(
    a_custodian_who_leaves_leaves_secrets_to_rotate,
    |app| async move {
        let d = desk(app).await;
        let insta = instagram(app, &d).await;
        let bank = id(&add(
            app,
            &d.olga,
            json!({"name": "Bank", "kind": "password",
                   "fields": {"password": "bank-pass-1"}, "custodians": ["eddie", "rita"]}),
        )
        .await);
        let rotations = |c: &Client| {
            let c = c.clone();
            async move {
                app.json(&c, VAULT).await["rotations"]
                    .as_array()
                    .cloned()
                    .expect("rotations")
            }
        };

        // Eddie sees Instagram's value (not Bank's); rita copies Bank's.
        let r = app
            .post_json(&d.eddie, &at(&insta, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post_json(&d.rita, &at(&bank, "/copy"), json!({"field": "password"}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(rotations(&d.olga).await.is_empty());

        // Eddie leaves the profile.
        let r = app
            .delete(&d.ada, "/api/v1/shared-profiles/desk/members/eddie")
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        for c in [&d.olga, &d.oscar] {
            let open = rotations(c).await;
            assert_eq!(open.len(), 1, "{open:?}");
            assert_eq!(open[0]["secret"], insta.as_str());
            assert_eq!(open[0]["name"], "Instagram");
            assert_eq!(open[0]["reason"], "leaver");
            assert_eq!(open[0]["leaver"], "eddie");
            assert_eq!(
                vault_notes(&told(app, c).await, "vault_rotate"),
                [("eddie".to_owned(), "Instagram".to_owned())]
            );
        }
        // Only owners see the tasks.
        for c in [&d.rita, &d.otto] {
            assert!(rotations(c).await.is_empty());
        }
        // He is no custodian any more, and the vault is closed to him.
        assert_eq!(
            app.json(&d.olga, &at(&insta, "")).await["custodians"],
            json!(["rita"])
        );
        assert_eq!(
            app.get(&d.eddie, VAULT).await.status(),
            StatusCode::NOT_FOUND
        );

        // Rita rotates Instagram: the task is done, the new value is what
        // custodians see.
        let r = app
            .patch_json(
                &d.rita,
                &at(&insta, ""),
                json!({"fields": {"username": USERNAME, "password": "rotated-after-eddie"}}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let after: Value = r.json().await.expect("json");
        assert!(!after.to_string().contains("rotated-after-eddie"));
        assert!(rotations(&d.olga).await.is_empty());
        let shown: Value = app
            .post_json(&d.rita, &at(&insta, "/reveal"), json!({}))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(shown["password"], "rotated-after-eddie");
        let events = audit(app, &d.ada).await;
        assert!(events.iter().any(|e| e["action"] == "vault.rotate"));

        // A member who is not a custodian cannot rotate.
        let r = app
            .patch_json(
                &d.olga,
                &at(&insta, ""),
                json!({"fields": {"username": "x", "password": "y"}}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Rita is deactivated: both secrets she saw are to rotate.
        let rita_id = user_id(app, &d.rita).await;
        let r = d
            .ada
            .post(app.url(&format!("/api/v1/users/{rita_id}/deactivate")))
            .send()
            .await
            .expect("send");
        assert!(r.status().is_success());
        let mut open: Vec<(String, String)> = rotations(&d.olga)
            .await
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap_or_default().to_owned(),
                    t["leaver"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        open.sort();
        assert_eq!(
            open,
            [
                ("Bank".to_owned(), "rita".to_owned()),
                ("Instagram".to_owned(), "rita".to_owned())
            ]
        );
        let mut heard = vault_notes(&told(app, &d.oscar).await, "vault_rotate");
        heard.sort();
        assert_eq!(
            heard,
            [
                ("eddie".to_owned(), "Instagram".to_owned()),
                ("rita".to_owned(), "Bank".to_owned()),
                ("rita".to_owned(), "Instagram".to_owned())
            ]
        );
        // Bank has no custodian left; an owner names herself and rotates it.
        assert_eq!(
            app.json(&d.olga, &at(&bank, "")).await["custodians"],
            json!([])
        );
        let r = d
            .olga
            .put(app.url(&at(&bank, "/custodians")))
            .json(&json!({"custodians": ["olga"]}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .patch_json(
                &d.olga,
                &at(&bank, ""),
                json!({"fields": {"password": "bank-pass-2"}}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let left: Vec<Value> = rotations(&d.olga)
            .await
            .iter()
            .map(|t| t["name"].clone())
            .collect();
        assert_eq!(left, [json!("Instagram")]);
    }
);

/// The CSRF token of `c`'s session, read from the vault page.
async fn csrf(app: &TestApp, c: &Client) -> String {
    let html = app
        .get(c, "/profiles/desk/vault")
        .await
        .text()
        .await
        .expect("text");
    let marker = "name=\"csrf_token\" value=\"";
    let at = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

app_test!(
    the_vault_page_shows_a_value_to_custodians_only_and_uncached,
    |app| async move {
        let d = desk(app).await;
        let secret = instagram(app, &d).await;
        let page = |c: &Client| {
            let c = c.clone();
            async move { read(app.get(&c, "/profiles/desk/vault").await).await }
        };
        let (status, _, html) = page(&d.otto).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Instagram") && html.contains("@eddie, @rita"));
        assert!(!html.contains(PLAIN) && !html.contains(USERNAME));
        for c in [&d.sam, &d.ada] {
            assert_eq!(page(c).await.0, StatusCode::NOT_FOUND);
        }

        let reveal = |c: &Client, token: String| {
            let c = c.clone();
            let url = app.url(&format!("/profiles/desk/vault/{secret}/reveal"));
            async move {
                read(
                    c.post(url)
                        .form(&[("csrf_token", token)])
                        .send()
                        .await
                        .expect("send"),
                )
                .await
            }
        };
        let (status, cache, html) = reveal(&d.eddie, csrf(app, &d.eddie).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(cache.as_deref(), Some("no-store"));
        assert!(html.contains(PLAIN) && html.contains(USERNAME));
        // Shown once: the page itself does not keep it.
        let (_, _, html) = page(&d.eddie).await;
        assert!(!html.contains(PLAIN));

        // An owner who is not a custodian is refused on the page too.
        let (status, _, html) = reveal(&d.olga, csrf(app, &d.olga).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!html.contains(PLAIN) && !html.contains(USERNAME));
        // And a forged form opens nothing.
        let (status, _, html) = reveal(&d.eddie, "forged".to_owned()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(!html.contains(PLAIN));
        assert_eq!(
            vault_notes(&told(app, &d.olga).await, "vault_reveal"),
            [("eddie".to_owned(), "Instagram".to_owned())]
        );
    }
);

/// Every file under `dir` (the database, its WAL, the key), as bytes.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).expect("read");
            out.push((path, bytes));
        }
    }
    out
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_database_never_holds_a_plaintext_value() {
    let app = spawn_app(Kind::Sqlite).await.expect("sqlite");
    let d = desk(&app).await;
    // The name is in clear by design: it shows these are the right files.
    let name = "Instagram-NAME-MARKER-5521";
    let secret = id(&add(
        &app,
        &d.olga,
        json!({"name": name, "kind": "login",
               "fields": {"username": USERNAME, "password": PLAIN, "totp_seed": SEED,
                          "notes": "notes-PLAINTEXT-0042"},
               "custodians": ["eddie", "rita"]}),
    )
    .await);
    let r = app
        .post_json(&d.eddie, &at(&secret, "/reveal"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post_json(&d.rita, &at(&secret, "/copy"), json!({"field": "password"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .patch_json(
            &d.eddie,
            &at(&secret, ""),
            json!({"fields": {"username": USERNAME, "password": "rotated-PLAINTEXT-9902"}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let files = files_under(app.data_dir());
    assert!(
        files.iter().any(|(_, b)| holds(b, name)),
        "the secret's name is somewhere in {:?}",
        files.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for (path, bytes) in &files {
        for value in [
            PLAIN,
            USERNAME,
            SEED,
            "notes-PLAINTEXT-0042",
            "rotated-PLAINTEXT-9902",
        ] {
            assert!(
                !holds(bytes, value),
                "{} holds the plaintext {value}",
                path.display()
            );
        }
    }
    app.stop().await;
}

app_test!(
    a_two_person_secret_left_with_one_custodian_can_still_be_rotated,
    |app| async move {
        let d = desk(app).await;
        let pair = id(&add(
            app,
            &d.olga,
            json!({"name": "Payroll", "kind": "password",
                   "fields": {"password": PLAIN}, "custodians": ["eddie", "rita"],
                   "two_person": true}),
        )
        .await);
        let r = app
            .post_json(
                &d.eddie,
                &at(&pair, "/requests"),
                json!({"reason": "payroll run"}),
            )
            .await;
        let request = id(&r.json().await.expect("json"));
        let r = app
            .post_json(
                &d.rita,
                &at(&pair, &format!("/requests/{request}/approve")),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app
            .post_json(&d.eddie, &at(&pair, "/reveal"), json!({"request": request}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .delete(&d.ada, "/api/v1/shared-profiles/desk/members/eddie")
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.json(&d.olga, VAULT).await["rotations"][0]["leaver"],
            "eddie"
        );
        // Rita, its one custodian left, rotates it: a new value reveals
        // nothing, so the two-person rule has nothing to guard.
        let r = app
            .patch_json(
                &d.rita,
                &at(&pair, ""),
                json!({"fields": {"password": "payroll-after-eddie"}}),
            )
            .await;
        let (status, _, body) = read(r).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(app.json(&d.olga, VAULT).await["rotations"], json!([]));
    }
);

app_test!(
    a_leaver_whose_value_was_rotated_leaves_nothing_more_to_rotate,
    |app| async move {
        let d = desk(app).await;
        let insta = instagram(app, &d).await;
        let r = app
            .post_json(&d.eddie, &at(&insta, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .delete(&d.ada, "/api/v1/shared-profiles/desk/members/eddie")
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app
            .patch_json(
                &d.rita,
                &at(&insta, ""),
                json!({"fields": {"username": USERNAME, "password": "rotated-after-eddie"}}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(app.json(&d.olga, VAULT).await["rotations"], json!([]));
        // Eddie later leaves the organisation: the value he saw is dead.
        let eddie_id = user_id(app, &d.eddie).await;
        let r = d
            .ada
            .post(app.url(&format!("/api/v1/users/{eddie_id}/deactivate")))
            .send()
            .await
            .expect("send");
        assert!(r.status().is_success());
        assert_eq!(app.json(&d.olga, VAULT).await["rotations"], json!([]));
        assert_eq!(
            vault_notes(&told(app, &d.olga).await, "vault_rotate").len(),
            1,
            "told once, when he left @desk"
        );
    }
);

app_test!(
    a_member_who_may_not_change_a_secret_cannot_patch_it,
    |app| async move {
        let d = desk(app).await;
        let insta = instagram(app, &d).await;
        // An observer may change nothing; an owner asking for what is
        // already so is told there is nothing to change.
        for (c, body, status) in [
            (&d.otto, json!({}), StatusCode::FORBIDDEN),
            (&d.otto, json!({"two_person": false}), StatusCode::FORBIDDEN),
            (
                &d.olga,
                json!({"two_person": false}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let r = app.patch_json(c, &at(&insta, ""), body.clone()).await;
            assert_eq!(r.status(), status, "{body}");
        }
        let changes = audit(app, &d.ada)
            .await
            .iter()
            .filter(|e| e["action"] == "vault.secret_change")
            .count();
        assert_eq!(changes, 0, "nothing changed, nothing to audit");
    }
);

app_test!(
    a_custodian_demoted_to_observer_no_longer_edits,
    |app| async move {
        let d = desk(app).await;
        let insta = instagram(app, &d).await;
        let r = d
            .ada
            .put(app.url("/api/v1/shared-profiles/desk/members/eddie"))
            .json(&json!({"role": "observer"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app
            .post_json(&d.eddie, &at(&insta, "/reveal"), json!({}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .patch_json(&d.eddie, &at(&insta, ""), json!({"name": "Renamed"}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.get(&d.eddie, &at(&insta, "/requests")).await.status(),
            StatusCode::FORBIDDEN
        );
    }
);
