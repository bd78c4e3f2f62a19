//! The web shell, driven as a browser would (forms, cookies, redirects).

use crate::app_test;
use crate::helpers::{PASSWORD, TestApp, client};
use reqwest::{Client, StatusCode};
use serde_json::json;

fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("value").to_owned()
}

async fn sign_in_with_form(app: &TestApp, email: &str) -> Client {
    let c = client();
    let html = app.get(&c, "/sign-in").await.text().await.expect("html");
    let r = c
        .post(app.url("/sign-in"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &csrf_in(&html)),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    c
}

app_test!(visitors_are_sent_to_sign_in, |app| async move {
    let r = app.get(&client(), "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/sign-in");
    let r = app.get(&client(), "/admin/users").await;
    assert_eq!(r.headers()["location"], "/sign-in");
});

app_test!(signing_in_with_the_form_shows_home, |app| async move {
    let c = sign_in_with_form(app, "ada@example.com").await;
    let r = app.get(&c, "/").await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let html = r.text().await.expect("html");
    assert!(html.contains("Welcome, Ada Admin."));
    assert!(
        html.contains("<textarea id=\"compose-text\""),
        "a compose box"
    );
    assert!(html.contains("<main id=\"main\""), "landmarks");
    assert!(
        html.contains("href=\"/admin/users\""),
        "admins see the admin link"
    );
});

app_test!(the_sign_in_form_needs_its_csrf_token, |app| async move {
    let c = client();
    app.get(&c, "/sign-in").await;
    let r = c
        .post(app.url("/sign-in"))
        .form(&[
            ("email", "ada@example.com"),
            ("password", PASSWORD),
            ("csrf_token", "forged"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&c, "/").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );
});

app_test!(
    a_wrong_password_shows_the_form_again_with_the_reason,
    |app| async move {
        let c = client();
        let html = app.get(&c, "/sign-in").await.text().await.expect("html");
        let r = c
            .post(app.url("/sign-in"))
            .form(&[
                ("email", "ada@example.com"),
                ("password", "wrong password"),
                ("csrf_token", &csrf_in(&html)),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let html = r.text().await.expect("html");
        assert!(html.contains("role=\"alert\""));
        assert!(
            html.contains("value=\"ada@example.com\""),
            "the email is kept"
        );
    }
);

app_test!(
    a_planted_session_cookie_never_becomes_signed_in,
    |app| async move {
        // An attacker who plants a cookie value cannot ride the victim's sign-in.
        let c = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let planted = "bys_planted_by_attacker";
        let page = c
            .get(app.url("/sign-in"))
            .header("cookie", format!("byline_session={planted}"))
            .send()
            .await
            .expect("send");
        let form_cookie = page.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("pair")
            .to_owned();
        let html = page.text().await.expect("html");
        let r = c
            .post(app.url("/sign-in"))
            .header("cookie", format!("byline_session={planted}; {form_cookie}"))
            .form(&[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("csrf_token", &csrf_in(&html)),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let set = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(set.contains("byline_session=bys_") && !set.contains(planted));
        let replay = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .header("cookie", format!("byline_session={planted}"))
            .send()
            .await
            .expect("send");
        assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    }
);

app_test!(signing_out_needs_the_csrf_token, |app| async move {
    let c = sign_in_with_form(app, "sam@example.com").await;
    let r = c
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&c, "/").await.status(),
        StatusCode::OK,
        "still signed in"
    );
    let html = app.get(&c, "/").await.text().await.expect("html");
    let r = c
        .post(app.url("/sign-out"))
        .form(&[("csrf_token", csrf_in(&html).as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&c, "/").await.status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );
});

app_test!(profile_pages_escape_what_people_typed, |app| async move {
    let admin = app.admin_client().await;
    let r = app
        .post_json(&admin, "/api/v1/users", json!({"email": "evil@example.com", "display_name": "<script>alert(1)</script>", "handle": "evil", "password": "a fine password"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c = sign_in_with_form(app, "sam@example.com").await;
    let html = app
        .get(&c, "/profiles/evil")
        .await
        .text()
        .await
        .expect("html");
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("alert(1)") && html.contains("script&#62;"),
        "shown, escaped"
    );
    let missing = app.get(&c, "/profiles/nobody-here").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing.text().await.expect("html").contains("<h1"),
        "an HTML error page"
    );
});

app_test!(
    the_admin_page_lists_and_adds_users_for_admins_only,
    |app| async move {
        let staff = sign_in_with_form(app, "sam@example.com").await;
        assert_eq!(
            app.get(&staff, "/admin/users").await.status(),
            StatusCode::FORBIDDEN
        );

        let admin = sign_in_with_form(app, "ada@example.com").await;
        let html = app
            .get(&admin, "/admin/users")
            .await
            .text()
            .await
            .expect("html");
        assert!(html.contains("sam@example.com") && html.contains("Sam Staff"));
        let csrf = csrf_in(&html);
        let r = admin
            .post(app.url("/admin/users"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", "new@example.com"),
                ("display_name", "New Person"),
                ("handle", ""),
                ("password", "a fine password"),
                ("role", "staff"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let html = app
            .get(&admin, "/admin/users?notice=created")
            .await
            .text()
            .await
            .expect("html");
        assert!(html.contains("User added.") && html.contains("@new"));

        // A duplicate shows the form again with the reason, and adds nobody.
        let r = admin
            .post(app.url("/admin/users"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("email", "new@example.com"),
                ("display_name", "Again"),
                ("password", "a fine password"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.expect("html").contains("already taken"));
        assert_eq!(app.user_count().await, 3);

        // A crafted notice cannot put words on the page.
        let html = app
            .get(&admin, "/admin/users?notice=Your%20account%20is%20locked")
            .await
            .text()
            .await
            .expect("html");
        assert!(!html.contains("Your account is locked"));
    }
);

app_test!(
    deactivating_from_the_admin_page_needs_csrf_and_works,
    |app| async move {
        let admin = sign_in_with_form(app, "ada@example.com").await;
        let staff = sign_in_with_form(app, "sam@example.com").await;
        let path = format!("/admin/users/{}/deactivate", app.staff.id);
        let forged = admin
            .post(app.url(&path))
            .form(&[("csrf_token", "forged")])
            .send()
            .await
            .expect("send");
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get(&staff, "/").await.status(), StatusCode::OK);
        let html = app
            .get(&admin, "/admin/users")
            .await
            .text()
            .await
            .expect("html");
        let r = admin
            .post(app.url(&path))
            .form(&[("csrf_token", csrf_in(&html).as_str())])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.get(&staff, "/").await.status(),
            StatusCode::SEE_OTHER,
            "their session ended"
        );
    }
);

app_test!(the_stylesheet_is_served, |app| async move {
    let r = app.get(&client(), "/static/byline.css").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/css")
    );
    assert!(r.text().await.expect("css").contains(":focus-visible"));
});

app_test!(
    posting_replying_and_reacting_work_without_javascript,
    |app| async move {
        let c = sign_in_with_form(app, "sam@example.com").await;
        let html = app.get(&c, "/").await.text().await.expect("html");
        let csrf = csrf_in(&html);
        let r = c
            .post(app.url("/posts"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("text", "Hello **team** #monday"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let home = app.get(&c, "/").await.text().await.expect("html");
        assert!(home.contains("Hello <strong>team</strong>"), "{home}");
        let id = home
            .split("id=\"post-")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a post")
            .to_owned();
        let r = c
            .post(app.url("/posts"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("text", "and a reply"),
                ("reply_to", id.as_str()),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let thread = app
            .get(&c, &format!("/posts/{id}"))
            .await
            .text()
            .await
            .expect("html");
        assert!(thread.contains("and a reply"));
        let r = c
            .post(app.url(&format!("/posts/{id}/react")))
            .form(&[("csrf_token", csrf.as_str()), ("reaction", "heart")])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let thread = app
            .get(&c, &format!("/posts/{id}"))
            .await
            .text()
            .await
            .expect("html");
        assert!(
            thread.contains("aria-pressed=\"true\""),
            "the heart is now mine"
        );
        let forged = c
            .post(app.url("/posts"))
            .form(&[("csrf_token", "forged"), ("text", "nope")])
            .send()
            .await
            .expect("send");
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let tag = app
            .get(&c, "/tags/monday")
            .await
            .text()
            .await
            .expect("html");
        assert!(tag.contains("Hello <strong>team</strong>"));
    }
);

app_test!(
    community_pages_hide_secret_communities_from_outsiders,
    |app| async move {
        let sam = sign_in_with_form(app, "sam@example.com").await;
        let html = app
            .get(&sam, "/communities")
            .await
            .text()
            .await
            .expect("html");
        let csrf = csrf_in(&html);
        let r = sam
            .post(app.url("/communities"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("slug", "exec"),
                ("name", "Exec team"),
                ("visibility", "secret"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The secret community's short name carries a random suffix.
        let at = r.headers()["location"].to_str().expect("ascii").to_owned();
        assert!(at.starts_with("/communities/exec-"), "{at}");
        assert_eq!(app.get(&sam, &at).await.status(), StatusCode::OK);
        let ada = sign_in_with_form(app, "ada@example.com").await;
        assert_eq!(app.get(&ada, &at).await.status(), StatusCode::NOT_FOUND);
        assert!(
            !app.get(&ada, "/communities")
                .await
                .text()
                .await
                .expect("html")
                .contains("Exec team")
        );
    }
);

app_test!(
    the_compose_form_takes_images_and_refuses_bad_ones,
    |app| async move {
        let c = sign_in_with_form(app, "sam@example.com").await;
        let html = app.get(&c, "/").await.text().await.expect("html");
        let csrf = csrf_in(&html);
        let png = reqwest::multipart::Part::bytes(crate::attachments::PNG.to_vec())
            .file_name("board.png")
            .mime_str("image/png")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", csrf.clone())
            .text("text", "Whiteboard")
            .part("images", png);
        let r = c
            .post(app.url("/posts"))
            .multipart(form)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let home = app.get(&c, "/").await.text().await.expect("html");
        assert!(
            home.contains("<img src=\"/api/v1/attachments/"),
            "the image shows in the feed"
        );

        let fake = reqwest::multipart::Part::bytes(b"GIF-but-not-really".to_vec())
            .file_name("x.gif")
            .mime_str("image/gif")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", csrf.clone())
            .text("text", "Bad image")
            .part("images", fake);
        let r = c
            .post(app.url("/posts"))
            .multipart(form)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let png = reqwest::multipart::Part::bytes(crate::attachments::PNG.to_vec())
            .file_name("b.png")
            .mime_str("image/png")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", "forged")
            .text("text", "x")
            .part("images", png);
        assert_eq!(
            c.post(app.url("/posts"))
                .multipart(form)
                .send()
                .await
                .expect("send")
                .status(),
            StatusCode::FORBIDDEN
        );
        let home = app.get(&c, "/").await.text().await.expect("html");
        assert!(!home.contains("Bad image"));
    }
);

app_test!(
    the_who_was_acting_page_answers_admins_within_the_policy,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        for (handle, policy) in [("wellbeing", "internal"), ("vault", "sealed")] {
            let r = app
                .post_json(
                    &ada,
                    "/api/v1/shared-profiles",
                    json!({"handle": handle, "display_name": handle, "attribution_policy": policy}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
            let r = ada
                .put(app.url(&format!("/api/v1/shared-profiles/{handle}/members/sam")))
                .json(&json!({"role": "editor"}))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
        }
        app.post(
            &sam,
            json!({"text": "Yoga at noon", "acting_as": "wellbeing"}),
        )
        .await;
        let today = &byline_app::now().to_rfc3339()[..10];
        let q = format!("?date={today}&from=00:00&to=23:59&offset=%2B00:00");

        let r = app
            .get(&ada, &format!("/profiles/wellbeing/acting{q}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.expect("html");
        assert!(html.contains("@sam"), "the writer is named");
        assert!(html.contains("posted"), "the post is listed");

        let r = app.get(&ada, &format!("/profiles/vault/acting{q}")).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let html = r.text().await.expect("html");
        assert!(
            html.contains("need an open investigation"),
            "sealed: says why"
        );

        let r = app
            .get(&sam, &format!("/profiles/wellbeing/acting{q}"))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "staff may not ask");
        // The profile page offers the question to the admin only.
        let page = app
            .get(&ada, "/profiles/wellbeing")
            .await
            .text()
            .await
            .expect("html");
        assert!(page.contains("Who was acting?"));
        let page = app
            .get(&sam, "/profiles/wellbeing")
            .await
            .text()
            .await
            .expect("html");
        assert!(!page.contains("Who was acting?"));
    }
);
