//! `spawn_app`: a real Byline server on 127.0.0.1 over a fresh database,
//! with a small typed client so tests read like sentences.

use byline_app::accounts::{Registration, register};
use byline_core::Role;
use byline_server::{Settings, serve};
use byline_store::Store;
use byline_store::testing::{Kind, TestDatabase};
use byline_store::users::User;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::net::SocketAddr;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub admin: User,
    pub staff: User,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _db: TestDatabase,
}

/// Starts a server on `kind`, or `None` when that backend is not configured.
pub async fn spawn_app(kind: Kind) -> Option<TestApp> {
    spawn_app_with(kind, Settings::default()).await
}

pub async fn spawn_app_with(kind: Kind, settings: Settings) -> Option<TestApp> {
    let db = TestDatabase::new(kind).await?;
    let settings = Settings {
        attachments_dir: db.data_dir.join("attachments"),
        vault_key: byline_app::vault::KeySource::File(db.data_dir.join("vault.key")),
        ..settings
    };
    let store = db.store().await;
    let now = byline_app::now();
    let admin = add_user(
        &store,
        "ada@example.com",
        "Ada Admin",
        "ada",
        Role::Admin,
        now,
    )
    .await;
    let staff = add_user(
        &store,
        "sam@example.com",
        "Sam Staff",
        "sam",
        Role::Staff,
        now,
    )
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, store.clone(), settings, async move {
        let _ = rx.await;
    }));
    Some(TestApp {
        addr,
        store,
        admin,
        staff,
        shutdown: Some(tx),
        server: Some(server),
        _db: db,
    })
}

async fn add_user(
    store: &Store,
    email: &str,
    name: &str,
    handle: &str,
    role: Role,
    now: byline_core::Timestamp,
) -> User {
    register(
        store,
        Registration {
            email: email.into(),
            display_name: name.into(),
            handle: Some(handle.into()),
            password: PASSWORD.into(),
            role,
        },
        &byline_store::audit::AuditEntry::new(None, "user.create", String::new(), "test"),
        now,
    )
    .await
    .expect("seed user")
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The test database's directory: SQLite's files, uploads, the vault key.
    pub fn data_dir(&self) -> &std::path::Path {
        &self._db.data_dir
    }

    /// Signs in through the API and returns the client holding the cookie;
    /// like a browser on Byline's own pages, it says its origin.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut origin = reqwest::header::HeaderMap::new();
        origin.insert(
            reqwest::header::ORIGIN,
            reqwest::header::HeaderValue::from_str(&format!("http://{}", self.addr))
                .expect("origin"),
        );
        let c = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(origin)
            .build()
            .expect("client");
        let r = c
            .post(self.url("/api/v1/sessions"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::CREATED, "sign-in of {email} failed");
        c
    }

    pub async fn admin_client(&self) -> Client {
        self.signed_in(&self.admin.email).await
    }

    pub async fn staff_client(&self) -> Client {
        self.signed_in(&self.staff.email).await
    }

    pub async fn get(&self, c: &Client, path: &str) -> Response {
        c.get(self.url(path)).send().await.expect("send")
    }

    pub async fn post_json(&self, c: &Client, path: &str, body: Value) -> Response {
        c.post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    /// Adds a staff user with `handle` and returns a signed-in client.
    pub async fn new_member(&self, handle: &str, name: &str) -> Client {
        let email = format!("{handle}@example.com");
        add_user(
            &self.store,
            &email,
            name,
            handle,
            Role::Staff,
            byline_app::now(),
        )
        .await;
        self.signed_in(&email).await
    }

    /// Creates the shared profile `@handle` as the admin `admin`, with
    /// `members` as (personal handle, role).
    pub async fn shared_profile(
        &self,
        admin: &Client,
        handle: &str,
        policy: &str,
        members: &[(&str, &str)],
    ) {
        let r = self
            .post_json(
                admin,
                "/api/v1/shared-profiles",
                json!({"handle": handle, "display_name": handle, "attribution_policy": policy}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "create @{handle}");
        for (who, role) in members {
            let r = admin
                .put(self.url(&format!("/api/v1/shared-profiles/{handle}/members/{who}")))
                .json(&json!({ "role": role }))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::NO_CONTENT, "{who} as {role}");
        }
    }

    /// Makes @it-helpdesk under `policy` with new members `agents` (handle,
    /// role; the display name is the handle), its help desk turned on by
    /// the admin; returns the agents' signed-in clients in order.
    pub async fn it_helpdesk(&self, policy: &str, agents: &[(&str, &str)]) -> Vec<Client> {
        let admin = self.admin_client().await;
        let mut clients = Vec::new();
        for (handle, _) in agents {
            clients.push(self.new_member(handle, handle).await);
        }
        self.shared_profile(&admin, "it-helpdesk", policy, agents)
            .await;
        let r = self
            .post_json(
                &admin,
                "/api/v1/shared-profiles/it-helpdesk/help-desk",
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "help desk on");
        clients
    }

    /// Creates a secret community as `owner` and returns its real short
    /// name (the chosen one with its random suffix).
    pub async fn secret_community(&self, owner: &Client, chosen: &str, name: &str) -> String {
        let r = self
            .post_json(
                owner,
                "/api/v1/communities",
                json!({"slug": chosen, "name": name, "visibility": "secret"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "create {chosen}");
        let made: Value = r.json().await.expect("json");
        let slug = made["slug"].as_str().expect("slug").to_owned();
        assert!(slug.starts_with(&format!("{chosen}-")), "{slug}");
        slug
    }

    pub async fn patch_json(&self, c: &Client, path: &str, body: Value) -> Response {
        c.patch(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    pub async fn put(&self, c: &Client, path: &str) -> Response {
        c.put(self.url(path)).send().await.expect("send")
    }

    pub async fn delete(&self, c: &Client, path: &str) -> Response {
        c.delete(self.url(path)).send().await.expect("send")
    }

    pub async fn json(&self, c: &Client, path: &str) -> Value {
        let r = self.get(c, path).await;
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().await.expect("json")
    }

    /// Publishes a post and returns its id.
    pub async fn post(&self, c: &Client, body: Value) -> String {
        let r = self.post_json(c, "/api/v1/posts", body.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED, "post {body}");
        let v: Value = r.json().await.expect("json");
        v["id"].as_str().expect("id").to_owned()
    }

    pub async fn user_count(&self) -> i64 {
        self.store.users().count_users().await.expect("count")
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

/// Reads an error response and checks it has our shape; returns the code.
pub async fn error_code(r: Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status, "unexpected status");
    let body: Value = r.json().await.expect("error body is JSON");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "error has a message: {body}");
    body["error"]["code"]
        .as_str()
        .expect("error has a code")
        .to_owned()
}

/// Declares `name::sqlite` and `name::postgres` from one async body that
/// takes a running [`TestApp`].
#[macro_export]
macro_rules! app_test {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn case($app: &$crate::helpers::TestApp) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app(byline_store::testing::Kind::Sqlite)
                    .await
                    .expect("sqlite");
                case(&app).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) =
                    $crate::helpers::spawn_app(byline_store::testing::Kind::Postgres).await
                else {
                    return;
                };
                case(&app).await;
                app.stop().await;
            }
        }
    };
}
