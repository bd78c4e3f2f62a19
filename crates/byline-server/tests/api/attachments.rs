//! Image attachments: checked by content, limited in size, visible only
//! with their post.

use crate::app_test;
use crate::helpers::{TestApp, error_code};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// A valid 1×1 PNG.
pub const PNG: [u8; 69] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 0, 3, 1,
    1, 0, 201, 254, 146, 239, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

async fn upload(app: &TestApp, c: &Client, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    c.post(app.url("/api/v1/attachments"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send")
}

async fn upload_png(app: &TestApp, c: &Client) -> String {
    let r = upload(app, c, "image/png", PNG.to_vec()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("json");
    v["id"].as_str().expect("id").to_owned()
}

app_test!(
    an_image_is_uploaded_attached_and_served_safely,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let r = upload(app, &sam, "image/png", PNG.to_vec()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let a: Value = r.json().await.expect("json");
        assert_eq!(a["media_type"], "image/png");
        assert_eq!(a["size"], 69);
        let id = a["id"].as_str().expect("id").to_owned();
        // Before it is attached, only the uploader sees it.
        assert_eq!(
            app.get(&ada, &format!("/api/v1/attachments/{id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let post: Value = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "Whiteboard from today", "attachments": [id]}),
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(post["attachments"][0]["id"], id.as_str());
        let r = app.get(&ada, &format!("/api/v1/attachments/{id}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap_or_default()
                .contains("sandbox")
        );
        assert_eq!(r.bytes().await.expect("bytes").as_ref(), PNG.as_slice());
        // Unlabelled uploads are judged by their bytes alone.
        assert_eq!(
            upload(app, &sam, "application/octet-stream", PNG.to_vec())
                .await
                .status(),
            StatusCode::CREATED
        );
    }
);

app_test!(
    mislabelled_empty_foreign_and_oversize_uploads_are_refused,
    |app| async move {
        let sam = app.staff_client().await;
        let r = upload(app, &sam, "image/jpeg", PNG.to_vec()).await;
        assert_eq!(
            error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid"
        );
        let r = upload(
            app,
            &sam,
            "image/png",
            b"<script>alert(1)</script>".to_vec(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = upload(
            app,
            &sam,
            "image/svg+xml",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec(),
        )
        .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "SVG is not accepted"
        );
        assert_eq!(
            upload(app, &sam, "image/png", Vec::new()).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let mut big = PNG.to_vec();
        big.resize(10 * 1024 * 1024 + 10, 0);
        let r = upload(app, &sam, "image/png", big).await;
        assert_eq!(
            error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await,
            "payload_too_large"
        );
        // None of that left anything to attach.
        for id in ["1", "2", "3"] {
            let r = app
                .post_json(
                    &sam,
                    "/api/v1/posts",
                    json!({"text": "x", "attachments": [id]}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert_eq!(
            app.json(&sam, "/api/v1/feeds/home").await["posts"]
                .as_array()
                .map(Vec::len),
            Some(0)
        );
    }
);

app_test!(
    uploads_are_attached_once_and_only_by_their_uploader,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let id = upload_png(app, &sam).await;
        let r = app
            .post_json(
                &ada,
                "/api/v1/posts",
                json!({"text": "stolen", "attachments": [id]}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "mine", "attachments": [id]})
            )
            .await
            .status(),
            StatusCode::CREATED
        );
        let again = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "again", "attachments": [id]}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let mut five = Vec::new();
        for _ in 0..5 {
            five.push(upload_png(app, &sam).await);
        }
        let r = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "too many", "attachments": five}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

app_test!(
    an_attachment_in_a_secret_community_is_invisible_to_outsiders,
    |app| async move {
        let sam = app.staff_client().await;
        let ada = app.admin_client().await;
        let exec = app.secret_community(&sam, "exec", "Exec").await;
        let id = upload_png(app, &sam).await;
        let post = app
            .post(
                &sam,
                json!({"text": "org chart draft", "community": exec, "attachments": [id]}),
            )
            .await;
        assert_eq!(
            app.get(&sam, &format!("/api/v1/attachments/{id}"))
                .await
                .status(),
            StatusCode::OK
        );
        let hidden = app.get(&ada, &format!("/api/v1/attachments/{id}")).await;
        let missing = app.get(&ada, "/api/v1/attachments/999999").await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            hidden.text().await.ok().map(|t| t.contains("not found")),
            missing.text().await.ok().map(|t| t.contains("not found"))
        );
        // Deleting the post takes its images with it.
        app.delete(&sam, &format!("/api/v1/posts/{post}")).await;
        assert_eq!(
            app.get(&sam, &format!("/api/v1/attachments/{id}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
);

app_test!(
    an_editor_posts_a_picture_as_the_shared_profile,
    |app| async move {
        let ada = app.admin_client().await;
        let sam = app.staff_client().await;
        app.shared_profile(&ada, "brand", "signed", &[("sam", "editor")])
            .await;
        let id = upload_png(app, &sam).await;
        let post = app
            .post(
                &sam,
                json!({"text": "New logo", "acting_as": "brand", "attachments": [id]}),
            )
            .await;
        let seen = app.json(&ada, &format!("/api/v1/posts/{post}")).await;
        assert_eq!(seen["author"]["handle"], "brand");
        assert_eq!(seen["attachments"][0]["id"], id.as_str(), "{seen}");
        assert_eq!(
            app.get(&ada, &format!("/api/v1/attachments/{id}"))
                .await
                .status(),
            StatusCode::OK
        );
        // The upload is used now: nobody attaches it again, as the profile or not.
        let again = app
            .post_json(
                &sam,
                "/api/v1/posts",
                json!({"text": "Again", "acting_as": "brand", "attachments": [id]}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);
