//! Signing in and out, and admins managing accounts.

use crate::app_test;
use crate::helpers::{PASSWORD, client, error_code};
use reqwest::StatusCode;
use reqwest::header::{RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};

app_test!(
    an_admin_signs_in_and_the_cookie_is_locked_down,
    |app| async move {
        let c = client();
        let r = app
            .post_json(
                &c,
                "/api/v1/sessions",
                json!({"email": "ADA@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let cookie = r.headers()[SET_COOKIE].to_str().expect("ascii").to_owned();
        assert!(cookie.starts_with("byline_session="));
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Secure"),
            "plain-HTTP deployments cannot use Secure cookies"
        );
        let me: Value = app.get(&c, "/api/v1/me").await.json().await.expect("json");
        assert_eq!(me["handle"], "ada");
        assert_eq!(me["role"], "admin");
        assert!(me["id"].is_string(), "ids are opaque strings");
        assert!(me.get("password_hash").is_none());
    }
);

app_test!(
    wrong_passwords_and_unknown_emails_are_indistinguishable,
    |app| async move {
        let c = client();
        let wrong = app
            .post_json(
                &c,
                "/api/v1/sessions",
                json!({"email": "ada@example.com", "password": "nope nope nope"}),
            )
            .await;
        let unknown = app
            .post_json(
                &c,
                "/api/v1/sessions",
                json!({"email": "nobody@example.com", "password": "nope nope nope"}),
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        let a: Value = wrong.json().await.expect("json");
        let b: Value = unknown.json().await.expect("json");
        assert_eq!(a["error"]["message"], b["error"]["message"]);
        assert_eq!(
            app.get(&c, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
);

app_test!(repeated_failed_sign_ins_are_throttled, |app| async move {
    let c = client();
    for _ in 0..5 {
        let r = app
            .post_json(
                &c,
                "/api/v1/sessions",
                json!({"email": "sam@example.com", "password": "guess guess guess"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while throttled.
    let r = app
        .post_json(
            &c,
            "/api/v1/sessions",
            json!({"email": "sam@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.headers()[RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    assert_eq!(
        error_code(r, StatusCode::TOO_MANY_REQUESTS).await,
        "rate_limited"
    );
    // Another account is not affected.
    app.signed_in("ada@example.com").await;
});

app_test!(signing_out_ends_the_session, |app| async move {
    let c = app.staff_client().await;
    assert_eq!(app.get(&c, "/api/v1/me").await.status(), StatusCode::OK);
    let r = c
        .delete(app.url("/api/v1/sessions/current"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
});

/// Signs Sam in with `c` and returns the session cookie (`name=value`).
async fn sam_cookie(app: &crate::helpers::TestApp, c: &reqwest::Client) -> String {
    let r = app
        .post_json(
            c,
            "/api/v1/sessions",
            json!({"email": "sam@example.com", "password": PASSWORD}),
        )
        .await;
    r.headers()[SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}

app_test!(a_replayed_cookie_is_dead_after_sign_out, |app| async move {
    let c = client();
    let cookie = sam_cookie(app, &c).await;
    c.delete(app.url("/api/v1/sessions/current"))
        .header("origin", app.url(""))
        .send()
        .await
        .expect("send");
    let replay = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
});

app_test!(
    an_admin_creates_a_user_who_can_then_sign_in,
    |app| async move {
        let c = app.admin_client().await;
        let r = app
        .post_json(&c, "/api/v1/users", json!({"email": "Jane.Doe@Example.com", "display_name": "Jane Doe", "password": "a fine password"}))
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let jane: Value = r.json().await.expect("json");
        assert_eq!(jane["email"], "jane.doe@example.com");
        assert_eq!(jane["handle"], "jane-doe", "handle derived from the email");
        assert_eq!(jane["role"], "staff");
        let jc = client();
        let r = app
            .post_json(
                &jc,
                "/api/v1/sessions",
                json!({"email": "jane.doe@example.com", "password": "a fine password"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let profile: Value = app
            .get(&jc, "/api/v1/profiles/@jane-doe")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(profile["display_name"], "Jane Doe");
        assert_eq!(profile["kind"], "personal");
        assert!(
            profile.get("email").is_none(),
            "profiles do not expose emails"
        );
    }
);

app_test!(staff_and_visitors_cannot_manage_users, |app| async move {
    let staff = app.staff_client().await;
    let body =
        json!({"email": "x@example.com", "display_name": "X", "password": "a fine password"});
    assert_eq!(
        error_code(
            app.post_json(&staff, "/api/v1/users", body.clone()).await,
            StatusCode::FORBIDDEN
        )
        .await,
        "forbidden"
    );
    assert_eq!(
        app.get(&staff, "/api/v1/users").await.status(),
        StatusCode::FORBIDDEN
    );
    let ada = format!("/api/v1/users/{}", app.admin.id);
    assert_eq!(app.get(&staff, &ada).await.status(), StatusCode::FORBIDDEN);
    let r = staff
        .post(app.url(&format!("{ada}/deactivate")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let anon = client();
    assert_eq!(
        error_code(
            app.post_json(&anon, "/api/v1/users", body).await,
            StatusCode::UNAUTHORIZED
        )
        .await,
        "unauthenticated"
    );
    assert_eq!(
        app.get(&anon, "/api/v1/users").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.user_count().await, 2, "nothing was created");
});

app_test!(
    taken_emails_and_handles_conflict_and_change_nothing,
    |app| async move {
        let c = app.admin_client().await;
        let dup_email = json!({"email": "SAM@example.com", "display_name": "Other Sam", "handle": "othersam", "password": "a fine password"});
        assert_eq!(
            error_code(
                app.post_json(&c, "/api/v1/users", dup_email).await,
                StatusCode::CONFLICT
            )
            .await,
            "conflict"
        );
        let dup_handle = json!({"email": "new@example.com", "display_name": "New", "handle": "@SAM", "password": "a fine password"});
        let r = app.post_json(&c, "/api/v1/users", dup_handle).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let body: Value = r.json().await.expect("json");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("handle"),
            "{body}"
        );
        assert_eq!(app.user_count().await, 2);
    }
);

app_test!(
    bad_handles_emails_names_and_passwords_are_refused,
    |app| async move {
        let c = app.admin_client().await;
        let cases = [
            json!({"email": "not-an-email", "display_name": "X", "password": "a fine password"}),
            json!({"email": "x@example.com", "display_name": "X", "handle": "9lives", "password": "a fine password"}),
            json!({"email": "x@example.com", "display_name": "X", "handle": "has space", "password": "a fine password"}),
            json!({"email": "x@example.com", "display_name": "   ", "password": "a fine password"}),
            json!({"email": "x@example.com", "display_name": "X", "password": "short"}),
            json!({"email": "x@example.com", "display_name": "X", "password": "a fine password", "role": "overlord"}),
        ];
        for body in cases {
            let r = app.post_json(&c, "/api/v1/users", body.clone()).await;
            assert_eq!(
                error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
                "invalid",
                "{body}"
            );
        }
        assert_eq!(app.user_count().await, 2);
    }
);

app_test!(users_are_listed_in_pages_for_admins, |app| async move {
    let c = app.admin_client().await;
    let first: Value = app
        .get(&c, "/api/v1/users?limit=1")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first["users"].as_array().map(Vec::len), Some(1));
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second: Value = app
        .get(&c, &format!("/api/v1/users?limit=1&after={cursor}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(second["users"][0]["handle"], "sam");
    assert_eq!(
        app.get(&c, "/api/v1/users?limit=1000").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get(&c, "/api/v1/users?after=zzz").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
});

app_test!(
    deactivation_ends_sessions_and_tokens_at_once,
    |app| async move {
        let admin = app.admin_client().await;
        let staff = app.staff_client().await;
        let token: Value = app
            .post_json(&staff, "/api/v1/me/tokens", json!({"name": "script"}))
            .await
            .json()
            .await
            .expect("json");
        let secret = token["secret"].as_str().expect("secret").to_owned();
        let bearer = reqwest::Client::new();
        let with_token = || {
            bearer
                .get(app.url("/api/v1/me"))
                .bearer_auth(&secret)
                .send()
        };
        assert_eq!(with_token().await.expect("send").status(), StatusCode::OK);

        let r = admin
            .post(app.url(&format!("/api/v1/users/{}/deactivate", app.staff.id)))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["active"], false);

        assert_eq!(
            app.get(&staff, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED,
            "session ended"
        );
        assert_eq!(
            with_token().await.expect("send").status(),
            StatusCode::UNAUTHORIZED,
            "token ended"
        );
        let again = app
            .post_json(
                &client(),
                "/api/v1/sessions",
                json!({"email": "sam@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            again.status(),
            StatusCode::UNAUTHORIZED,
            "cannot sign in again"
        );
    }
);

app_test!(admins_cannot_deactivate_themselves, |app| async move {
    let admin = app.admin_client().await;
    let r = admin
        .post(app.url(&format!("/api/v1/users/{}/deactivate", app.admin.id)))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&admin, "/api/v1/me").await.status(), StatusCode::OK);
});

app_test!(
    a_password_reset_signs_the_user_out_everywhere,
    |app| async move {
        let admin = app.admin_client().await;
        let staff = app.staff_client().await;
        let path = format!("/api/v1/users/{}/password", app.staff.id);
        let short = admin
            .put(app.url(&path))
            .json(&json!({"password": "short"}))
            .send()
            .await
            .expect("send");
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.get(&staff, "/api/v1/me").await.status(),
            StatusCode::OK,
            "a refused reset changes nothing"
        );
        let r = admin
            .put(app.url(&path))
            .json(&json!({"password": "brand new password"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.get(&staff, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let old = app
            .post_json(
                &client(),
                "/api/v1/sessions",
                json!({"email": "sam@example.com", "password": PASSWORD}),
            )
            .await;
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        let new = app
            .post_json(
                &client(),
                "/api/v1/sessions",
                json!({"email": "sam@example.com", "password": "brand new password"}),
            )
            .await;
        assert_eq!(new.status(), StatusCode::CREATED);
    }
);

app_test!(admins_change_roles, |app| async move {
    let admin = app.admin_client().await;
    let path = format!("/api/v1/users/{}", app.staff.id);
    let r = admin
        .patch(app.url(&path))
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let staff = app.staff_client().await;
    assert_eq!(
        app.get(&staff, "/api/v1/users").await.status(),
        StatusCode::OK,
        "now an admin"
    );
    let missing = admin
        .patch(app.url("/api/v1/users/999999"))
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        error_code(missing, StatusCode::NOT_FOUND).await,
        "not_found"
    );
});

app_test!(
    signing_in_never_adopts_a_session_id_the_client_brought,
    |app| async move {
        // An attacker plants a cookie value, then the victim signs in.
        let planted = "byline_session=planted-by-an-attacker";
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/sessions"))
            .header("cookie", planted)
            .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::CREATED);
        let issued = r.headers()[SET_COOKIE]
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("cookie")
            .to_owned();
        assert!(issued.starts_with("byline_session="));
        assert_ne!(issued, planted, "a fresh session id is issued");
        // The planted value is no session at all.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .header("cookie", planted)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .header("cookie", issued)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
    }
);

app_test!(
    the_last_admin_can_be_neither_demoted_nor_deactivated,
    |app| async move {
        let ada = app.admin_client().await;
        let own = format!("/api/v1/users/{}", app.admin.id);
        let demote = app.patch_json(&ada, &own, json!({"role": "staff"})).await;
        let message = demote.text().await.expect("body");
        assert!(message.contains("last admin"), "{message}");
        let me = app.json(&ada, "/api/v1/me").await;
        assert_eq!(me["role"], "admin", "nothing changed");

        // With a second admin, either may step down, but not both.
        let promote = app
            .patch_json(
                &ada,
                &format!("/api/v1/users/{}", app.staff.id),
                json!({"role": "admin"}),
            )
            .await;
        assert_eq!(promote.status(), StatusCode::OK);
        let sam = app.staff_client().await;
        assert_eq!(
            app.patch_json(&ada, &own, json!({"role": "staff"}))
                .await
                .status(),
            StatusCode::OK,
            "Ada steps down; Sam is still an admin"
        );
        let sam_path = format!("/api/v1/users/{}", app.staff.id);
        let r = app
            .patch_json(&sam, &sam_path, json!({"role": "staff"}))
            .await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let r = sam
            .post(app.url(&format!("{sam_path}/deactivate")))
            .send()
            .await
            .expect("send");
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "nobody deactivates themselves"
        );
        let me = app.json(&sam, "/api/v1/me").await;
        assert_eq!(me["role"], "admin");
    }
);

app_test!(
    cookie_authenticated_api_writes_need_a_csrf_token_or_the_same_origin,
    |app| async move {
        let cookie = sam_cookie(app, &client()).await;
        let value = cookie.split_once('=').expect("pair").1.to_owned();
        let write = |origin: Option<&str>, token: Option<&str>| {
            let mut req = reqwest::Client::new()
                .post(app.url("/api/v1/posts"))
                .header("cookie", &cookie)
                .json(&json!({"text": "Is this me?"}));
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            if let Some(t) = token {
                req = req.header("x-csrf-token", t);
            }
            req.send()
        };
        // Another site's page cannot write with Sam's cookie.
        let r = write(Some("https://evil.example"), None)
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = write(None, None).await.expect("send");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "no origin, no token");
        let r = write(Some("https://evil.example"), Some("forged"))
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let mine = app
            .json(&app.staff_client().await, "/api/v1/feeds/home")
            .await;
        assert!(
            !mine.to_string().contains("Is this me?"),
            "nothing was posted"
        );
        // Byline's own pages: same origin, or the session's token.
        let r = write(Some(&app.url("")), None).await.expect("send");
        assert_eq!(r.status(), StatusCode::CREATED);
        let token = byline_server::auth::csrf_for_session(&value);
        let r = write(None, Some(&token)).await.expect("send");
        assert_eq!(r.status(), StatusCode::CREATED);
        // Reads need neither.
        let r = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
    }
);
