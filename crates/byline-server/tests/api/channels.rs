//! Channels against real far ends on loopback: a webhook receiver that
//! checks signatures (and one that answers 500, hangs, or refuses), the
//! profile's own feed read back by Python's `feedparser`, and e-mail to an
//! `aiosmtpd` server with STARTTLS and AUTH. Credentials go to the vault
//! and never come back in a channel's JSON.

use crate::app_test;
use crate::helpers::{TestApp, error_code, spawn_app_with};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use byline_server::state::Settings;
use byline_store::testing::Kind;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHANNELS: &str = "/api/v1/shared-profiles/desk/channels";
const SIGNING: &str = "whsec-test-0123456789abcdef";
const SMTP_PASSWORD: &str = "smtp-PLAINTEXT-pass-4471";

/// @desk with an owner (olga), an editor (eddie) and a responder (rita).
async fn desk(app: &TestApp) -> (Client, Client, Client) {
    let ada = app.admin_client().await;
    let olga = app.new_member("olga", "Olga Owner").await;
    let eddie = app.new_member("eddie", "Eddie Editor").await;
    let rita = app.new_member("rita", "Rita Responder").await;
    app.shared_profile(
        &ada,
        "desk",
        "signed",
        &[
            ("olga", "owner"),
            ("eddie", "editor"),
            ("rita", "responder"),
        ],
    )
    .await;
    (olga, eddie, rita)
}

/// What a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

/// How a receiver answers its n-th request (0-based).
#[derive(Clone, Copy)]
enum Answer {
    /// 500 for the first `n`, then 200.
    FailFirst(usize),
    /// Never answers.
    Hang,
    /// Always this status, with a body saying so.
    Always(u16),
}

/// A webhook receiver on 127.0.0.1: evaluates to its address and what it
/// has received.
async fn receiver(answer: Answer) -> (String, Arc<Mutex<Vec<Received>>>) {
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let seen = got.clone();
    let handler = move |headers: HeaderMap, body: Bytes| {
        let seen = seen.clone();
        async move {
            let n = {
                let mut g = seen.lock().expect("lock");
                g.push(Received { headers, body });
                g.len() - 1
            };
            match answer {
                Answer::FailFirst(k) if n < k => (
                    AxumStatus::INTERNAL_SERVER_ERROR,
                    "receiver down for a moment",
                ),
                Answer::FailFirst(_) => (AxumStatus::OK, "thanks"),
                Answer::Hang => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    (AxumStatus::OK, "late")
                }
                Answer::Always(code) => (
                    AxumStatus::from_u16(code).expect("status"),
                    "gone for good: this hook was removed",
                ),
            }
        }
    };
    let router = axum::Router::new().route("/hook", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/hook"), got)
}

async fn created(r: reqwest::Response) -> Value {
    let status = r.status();
    let text = r.text().await.expect("text");
    assert!(
        status == StatusCode::CREATED || status == StatusCode::ACCEPTED,
        "{status}: {text}"
    );
    serde_json::from_str(&text).expect("json")
}

/// Waits until `check` holds of the channel's log, or fails after 40 s.
async fn log_until(
    app: &TestApp,
    c: &Client,
    channel: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let log = app
            .json(c, &format!("{CHANNELS}/{channel}/deliveries"))
            .await;
        if check(&log) {
            return log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the log never got there: {log}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

// A webhook delivery is signed over its timestamp and body, retried after
// the receiver's 500 with the same delivery id, and logged attempt by
// attempt; the signing secret is in the vault, never in a channel's JSON.
app_test!(webhook_is_signed_retried_and_logged, |app| async move {
    let (olga, eddie, _) = desk(app).await;
    let (url, got) = receiver(Answer::FailFirst(1)).await;
    let ch = created(
        app.post_json(
            &olga,
            CHANNELS,
            json!({"kind": "webhook", "name": "Partner hook", "url": url, "signing_secret": SIGNING}),
        )
        .await,
    )
    .await;
    assert!(!ch.to_string().contains(SIGNING), "{ch}");
    let id = ch["id"].as_str().expect("id").to_owned();
    let secret = ch["secret"].as_str().expect("a vault entry").to_owned();
    let sent = created(
        app.post_json(
            &eddie,
            &format!("{CHANNELS}/{id}/deliveries"),
            json!({"title": "Maintenance tonight", "text": "The VPN is down 22:00-23:00."}),
        )
        .await,
    )
    .await;
    assert_eq!(sent["state"], "queued");
    let log = log_until(app, &eddie, &id, |l| l[0]["state"] == "delivered").await;
    let attempts = log[0]["log"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "{log}");
    assert_eq!(attempts[0]["ok"], false);
    assert_eq!(attempts[0]["status"], "HTTP 500");
    assert_eq!(attempts[0]["message"], "receiver down for a moment");
    assert_eq!(attempts[1]["status"], "HTTP 200");
    let got = got.lock().expect("lock").clone();
    assert_eq!(got.len(), 2);
    for r in &got {
        let ts: i64 = r.headers["byline-timestamp"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("number");
        let now = byline_app::now().micros() / 1_000_000;
        assert!((now - ts).abs() < 120, "timestamp {ts} vs {now}");
        let expected = byline_core::channel::sign_webhook(SIGNING.as_bytes(), ts, &r.body);
        assert_eq!(r.headers["byline-signature"], expected.as_str());
        assert_eq!(
            r.headers["byline-delivery"],
            sent["id"].as_str().expect("id")
        );
        let body: Value = serde_json::from_slice(&r.body).expect("json body");
        assert_eq!(body["event"], "delivery");
        assert_eq!(body["profile"], "@desk");
        assert_eq!(body["data"]["title"], "Maintenance tonight");
        assert_eq!(body["data"]["text"], "The VPN is down 22:00-23:00.");
    }
    // The secret is a vault entry kept by olga; she can reveal it.
    let revealed = app
        .post_json(
            &olga,
            &format!("/api/v1/shared-profiles/desk/vault/{secret}/reveal"),
            json!({}),
        )
        .await;
    assert_eq!(revealed.status(), StatusCode::OK);
    assert!(revealed.text().await.expect("text").contains(SIGNING));
    // The send is in the audit log as said by @desk.
    let audit = app
        .store
        .audit()
        .audit_events(0, 100_000)
        .await
        .expect("audit");
    assert!(
        audit.iter().any(|e| e.action == "channel.send_as_profile"
            && e.target == format!("delivery:{}", sent["id"].as_str().expect("id"))),
        "no byline for the delivery"
    );
});

// A receiver that hangs fails the test within the channel timeout with its
// own words; one that answers 410 fails a delivery at once, no retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_and_refusing_receivers() {
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let settings = Settings {
            channels: byline_app::channels::Setup {
                timeout: Duration::from_secs(1),
                ..Default::default()
            },
            ..Settings::default()
        };
        let Some(app) = spawn_app_with(kind, settings).await else {
            continue;
        };
        let (olga, eddie, _) = desk(&app).await;
        let (hang, _) = receiver(Answer::Hang).await;
        let ch = created(
            app.post_json(
                &olga,
                CHANNELS,
                json!({"kind": "webhook", "name": "Slow hook", "url": hang}),
            )
            .await,
        )
        .await;
        let id = ch["id"].as_str().expect("id");
        let started = Instant::now();
        let t = app
            .post_json(&olga, &format!("{CHANNELS}/{id}/test"), json!({}))
            .await;
        assert_eq!(t.status(), StatusCode::OK);
        let t: Value = t.json().await.expect("json");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(t["ok"], false);
        assert_eq!(t["status"], "timeout");
        assert!(
            t["message"]
                .as_str()
                .expect("message")
                .contains("did not answer")
        );
        let shown = app.json(&olga, &format!("{CHANNELS}/{id}")).await;
        assert_eq!(shown["last_test"]["ok"], false);

        let (gone, got) = receiver(Answer::Always(410)).await;
        let ch = created(
            app.post_json(
                &olga,
                CHANNELS,
                json!({"kind": "webhook", "name": "Gone hook", "url": gone}),
            )
            .await,
        )
        .await;
        let id = ch["id"].as_str().expect("id").to_owned();
        created(
            app.post_json(
                &eddie,
                &format!("{CHANNELS}/{id}/deliveries"),
                json!({"text": "hello"}),
            )
            .await,
        )
        .await;
        let log = log_until(&app, &eddie, &id, |l| l[0]["state"] == "failed").await;
        assert_eq!(log[0]["attempts"], 1, "{log}");
        assert_eq!(log[0]["log"][0]["status"], "HTTP 410");
        assert!(
            log[0]["last_error"]
                .as_str()
                .expect("error")
                .contains("gone for good")
        );
        assert_eq!(got.lock().expect("lock").len(), 1);
        app.stop().await;
    }
}

// Bad channel input is refused with a reason and stores nothing: no
// channel, no vault entry.
app_test!(bad_channel_input_stores_nothing, |app| async move {
    let (olga, eddie, _) = desk(app).await;
    let own = format!("http://{}/api/v1/posts", app.addr);
    for (body, why) in [
        (
            json!({"kind": "webhook", "name": "x", "url": "ftp://files.example.com/in"}),
            "http",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": "file:///etc/passwd"}),
            "http",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": own}),
            "this Byline server",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": format!("http://localhost:{}/", app.addr.port())}),
            "this Byline server",
        ),
        (json!({"kind": "webhook", "name": "x"}), "address"),
        (
            json!({"kind": "webhook", "name": "x", "url": "https://h.example.com/", "signing_secret": "short"}),
            "16",
        ),
        (
            json!({"kind": "pigeon", "name": "x"}),
            "unknown channel kind",
        ),
        (json!({"kind": "feed", "name": ""}), "name"),
        (
            json!({"kind": "webhook", "name": "x", "url": "https://h.example.com/", "custodians": ["nobody"]}),
            "not a member",
        ),
        (
            json!({"kind": "webhook", "name": "x", "url": "https://h.example.com/", "custodians": ["olga", "olga"]}),
            "twice",
        ),
        (
            json!({"kind": "email", "name": "x", "smtp_host": "smtp://x", "from": "a@b.c", "to": ["c@d.e"]}),
            "host",
        ),
        (
            json!({"kind": "email", "name": "x", "smtp_host": "mail.example.com", "smtp_security": "none", "from": "a@b.c", "to": ["c@d.e"]}),
            "unencrypted",
        ),
        (
            json!({"kind": "email", "name": "x", "smtp_host": "mail.example.com", "from": "not-an-address", "to": ["c@d.e"]}),
            "not an e-mail address",
        ),
        (
            json!({"kind": "email", "name": "x", "smtp_host": "mail.example.com", "from": "a@b.c", "to": []}),
            "recipients",
        ),
        (
            json!({"kind": "email", "name": "x", "smtp_host": "mail.example.com", "from": "a@b.c", "to": ["c@d.e"], "smtp_username": "u"}),
            "both",
        ),
    ] {
        let r = app.post_json(&olga, CHANNELS, body.clone()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let e: Value = r.json().await.expect("json");
        let msg = e["error"]["message"].as_str().expect("message");
        assert!(msg.contains(why), "{body}: {msg}");
    }
    // Editors may not connect; outsiders do not see the profile's channels.
    let r = app
        .post_json(&eddie, CHANNELS, json!({"kind": "feed", "name": "mine"}))
        .await;
    assert_eq!(error_code(r, StatusCode::FORBIDDEN).await, "forbidden");
    let sam = app.staff_client().await;
    assert_eq!(
        app.get(&sam, CHANNELS).await.status(),
        StatusCode::NOT_FOUND
    );
    let list = app.json(&olga, CHANNELS).await;
    assert_eq!(list["channels"], json!([]));
    let vault = app.json(&olga, "/api/v1/shared-profiles/desk/vault").await;
    assert_eq!(vault["secrets"], json!([]));
    // A channel's name is taken once.
    created(
        app.post_json(&olga, CHANNELS, json!({"kind": "feed", "name": "Our feed"}))
            .await,
    )
    .await;
    let r = app
        .post_json(&olga, CHANNELS, json!({"kind": "feed", "name": "our FEED"}))
        .await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");
    // Sending nothing, or too much, is refused; nothing is queued.
    let list = app.json(&olga, CHANNELS).await;
    let id = list["channels"][0]["id"].as_str().expect("id").to_owned();
    for body in [
        json!({"text": "   "}),
        json!({"text": "x".repeat(10_001)}),
        json!({"title": "two\nlines", "text": "x"}),
    ] {
        let r = app
            .post_json(&eddie, &format!("{CHANNELS}/{id}/deliveries"), body)
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let log = app
        .json(&olga, &format!("{CHANNELS}/{id}/deliveries"))
        .await;
    assert_eq!(log, json!([]));
});

/// A Python with `feedparser` and `aiosmtpd`: `BYLINE_TEST_PYTHON`, else
/// the machine's `python3` when it has them, else a virtualenv under
/// `~/.cache` made (once) from PyPI.
fn python() -> String {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Ok(p) = std::env::var("BYLINE_TEST_PYTHON") {
                return p;
            }
            let has = |py: &str| {
                std::process::Command::new(py)
                    .args(["-c", "import feedparser, aiosmtpd"])
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            if has("python3") {
                return "python3".to_owned();
            }
            let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
            let venv = format!("{home}/.cache/byline-test-venv");
            let py = format!("{venv}/bin/python");
            if !has(&py) {
                let ok = std::process::Command::new("python3")
                    .args(["-m", "venv", &venv])
                    .status()
                    .is_ok_and(|s| s.success())
                    && std::process::Command::new(&py)
                        .args([
                            "-m",
                            "pip",
                            "install",
                            "-q",
                            "feedparser==6.0.11",
                            "aiosmtpd==1.4.6",
                        ])
                        .status()
                        .is_ok_and(|s| s.success());
                assert!(
                    ok,
                    "cannot make a Python with feedparser and aiosmtpd in {venv}"
                );
            }
            py
        })
        .clone()
}

/// Runs `script` with `args`, evaluating to its standard output.
fn run_python(script: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const FEEDPARSER: &str = r#"
import datetime, json, sys, urllib.request
import feedparser
out = {}
for ext in ("rss", "atom"):
    resp = urllib.request.urlopen(sys.argv[1] + "/profiles/desk/feed." + ext)
    d = feedparser.parse(resp.read(), response_headers={"content-type": resp.headers["Content-Type"]})
    out[ext] = {
        "bozo": bool(d.bozo),
        "version": d.version,
        "title": d.feed.get("title"),
        "entries": [{"title": e.get("title"), "link": e.get("link"),
                     "summary": e.get("summary") or (e.get("content") or [{}])[0].get("value")}
                    for e in d.entries],
    }
# Released feedparser (6.0) reads no JSON Feed: check JSON Feed 1.1's own
# rules instead (version URL, title, items with id, content, RFC 3339 dates).
resp = urllib.request.urlopen(sys.argv[1] + "/profiles/desk/feed.json")
doc = json.loads(resp.read())
ok = (resp.headers["Content-Type"].startswith("application/feed+json")
      and doc.get("version") == "https://jsonfeed.org/version/1.1"
      and isinstance(doc.get("title"), str)
      and all(isinstance(i.get("id"), str) and ("content_html" in i or "content_text" in i)
              and datetime.datetime.fromisoformat(i["date_published"]) for i in doc["items"]))
out["json"] = {
    "bozo": not ok,
    "version": "json11" if ok else "",
    "title": doc.get("title"),
    "entries": [{"title": i.get("title"), "link": i.get("url"), "summary": i.get("content_html")}
                for i in doc.get("items", [])],
}
print(json.dumps(out))
"#;

// The organisation's own feed: a send becomes a post as @desk, through the
// speak function; with syndication on, RSS 2.0, Atom and JSON Feed carry
// it: feedparser reads the first two, Python checks JSON Feed's rules.
app_test!(
    feed_channel_posts_as_profile_and_syndicates,
    |app| async move {
        let (olga, eddie, rita) = desk(app).await;
        let anon = crate::helpers::client();
        let r = anon
            .get(app.url("/profiles/desk/feed.rss"))
            .send()
            .await
            .expect("get");
        assert_eq!(
            r.status(),
            StatusCode::NOT_FOUND,
            "no feed before syndication"
        );
        let ch = created(
            app.post_json(
                &olga,
                CHANNELS,
                json!({"kind": "feed", "name": "Desk news", "syndicate": true}),
            )
            .await,
        )
        .await;
        let id = ch["id"].as_str().expect("id").to_owned();
        assert!(ch.get("secret").is_none(), "a feed needs no credentials");
        assert_eq!(ch["feeds"][0], "/profiles/desk/feed.rss");
        // A responder may not speak a new post as @desk, so may not send.
        let r = app
            .post_json(
                &rita,
                &format!("{CHANNELS}/{id}/deliveries"),
                json!({"text": "not mine to say"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        created(
            app.post_json(
                &eddie,
                &format!("{CHANNELS}/{id}/deliveries"),
                json!({"text": "Wi-Fi is back on every floor\n\nThanks for your patience <3"}),
            )
            .await,
        )
        .await;
        let log = log_until(app, &eddie, &id, |l| l[0]["state"] == "delivered").await;
        assert_eq!(log[0]["log"][0]["status"], "posted");
        let posts = app.json(&olga, "/api/v1/profiles/desk/posts").await;
        let text = posts.to_string();
        assert!(text.contains("Wi-Fi is back on every floor"), "{text}");
        let parsed: Value = serde_json::from_str(&run_python(FEEDPARSER, &[&app.url("")]))
            .expect("feedparser json");
        for ext in ["rss", "atom", "json"] {
            let f = &parsed[ext];
            assert_eq!(f["bozo"], false, "{ext}: {f}");
            assert_eq!(
                f["entries"].as_array().expect("entries").len(),
                1,
                "{ext}: {f}"
            );
            let e = &f["entries"][0];
            assert_eq!(e["title"], "Wi-Fi is back on every floor", "{ext}: {f}");
            assert!(
                e["link"].as_str().expect("link").contains("/posts/"),
                "{ext}"
            );
            assert!(
                e["summary"].as_str().expect("summary").contains("patience"),
                "{ext}: {f}"
            );
        }
        assert!(
            parsed["rss"]["version"]
                .as_str()
                .expect("v")
                .starts_with("rss")
        );
        assert_eq!(parsed["atom"]["version"], "atom10");
        assert!(
            parsed["json"]["version"]
                .as_str()
                .expect("v")
                .starts_with("json")
        );
        // Disconnecting the channel takes the feed down.
        let r = app.delete(&olga, &format!("{CHANNELS}/{id}")).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = anon
            .get(app.url("/profiles/desk/feed.atom"))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);

const SMTP_SERVER: &str = r#"
import json, socket, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
cert, key, password = sys.argv[1], sys.argv[2], sys.argv[3].encode()
class Handler:
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                          "data": envelope.content.decode("utf8", "replace"),
                          "tls": session.ssl is not None, "auth": bool(session.authenticated)}), flush=True)
        return "250 2.0.0 queued as BYL123"
def check(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == b"press" and data.password == password
    return AuthResult(success=ok, handled=False)
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
               auth_required=True, auth_require_tls=True, authenticator=check)
c.start()
print(json.dumps({"port": port}), flush=True)
sys.stdin.read()
c.stop()
"#;

/// A CA and a certificate for 127.0.0.1 signed by it, made with the
/// `openssl` command: (CA PEM, leaf cert path, leaf key path).
fn certificates(dir: &std::path::Path) -> (Vec<u8>, String, String) {
    let path = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let ext = path("leaf.ext");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (ca_key, ca, key, csr, leaf) = (
        path("ca.key"),
        path("ca.pem"),
        path("leaf.key"),
        path("leaf.csr"),
        path("leaf.pem"),
    );
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        &ca_key,
        "-out",
        &ca,
        "-days",
        "2",
        "-subj",
        "/CN=Byline Test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &csr,
        "-subj",
        "/CN=127.0.0.1",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-out",
        &leaf,
        "-days",
        "2",
        "-extfile",
        &ext,
    ]);
    (std::fs::read(&ca).expect("ca"), leaf, key)
}

// E-mail over STARTTLS with AUTH to a real SMTP server: a wrong password
// is refused at connect with the server's own words and stores nothing;
// the right one is sealed, tested, and a send arrives encrypted and
// signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_over_starttls_with_auth() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempdir();
    let (ca, cert, key) = certificates(&dir);
    let mut smtp = tokio::process::Command::new(python())
        .arg("-c")
        .arg(SMTP_SERVER)
        .args([&cert, &key, SMTP_PASSWORD])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("aiosmtpd");
    let mut lines = tokio::io::BufReader::new(smtp.stdout.take().expect("stdout")).lines();
    let first = lines.next_line().await.expect("read").expect("a port");
    let port = serde_json::from_str::<Value>(&first).expect("json")["port"]
        .as_u64()
        .expect("port");
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let settings = Settings {
            channels: byline_app::channels::Setup {
                extra_roots_pem: Some(Arc::new(ca.clone())),
                timeout: Duration::from_secs(5),
                ..Default::default()
            },
            ..Settings::default()
        };
        let Some(app) = spawn_app_with(kind, settings).await else {
            continue;
        };
        let (olga, eddie, _) = desk(&app).await;
        let mut body = json!({"kind": "email", "name": "Press list", "smtp_host": "127.0.0.1",
            "smtp_port": port, "smtp_security": "starttls", "smtp_username": "press",
            "smtp_password": "wrong-password", "from": "press@acme.example",
            "to": ["newsroom@example.org", "editor@example.org"]});
        let r = app.post_json(&olga, CHANNELS, body.clone()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.expect("json");
        let msg = e["error"]["message"].as_str().expect("message");
        assert!(
            msg.contains("nothing was stored") && msg.contains("535"),
            "{msg}"
        );
        assert_eq!(app.json(&olga, CHANNELS).await["channels"], json!([]));
        assert_eq!(
            app.json(&olga, "/api/v1/shared-profiles/desk/vault").await["secrets"],
            json!([])
        );
        body["smtp_password"] = json!(SMTP_PASSWORD);
        let ch = created(app.post_json(&olga, CHANNELS, body).await).await;
        assert!(!ch.to_string().contains(SMTP_PASSWORD));
        let id = ch["id"].as_str().expect("id").to_owned();
        let t: Value = app
            .post_json(&olga, &format!("{CHANNELS}/{id}/test"), json!({}))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(t["ok"], true, "{t}");
        let title = format!("Press release on {kind:?}");
        created(
            app.post_json(
                &eddie,
                &format!("{CHANNELS}/{id}/deliveries"),
                json!({"title": title, "text": "Acme opens a new office in Lyon."}),
            )
            .await,
        )
        .await;
        let got = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the message arrives")
            .expect("read")
            .expect("a line");
        let got: Value = serde_json::from_str(&got).expect("json");
        assert_eq!(got["tls"], true);
        assert_eq!(got["auth"], true);
        assert_eq!(got["from"], "press@acme.example");
        assert_eq!(
            got["to"],
            json!(["newsroom@example.org", "editor@example.org"])
        );
        let data = got["data"].as_str().expect("data");
        assert!(data.contains(&format!("Subject: {title}")), "{data}");
        assert!(data.contains("Acme opens a new office in Lyon."), "{data}");
        let log = log_until(&app, &eddie, &id, |l| l[0]["state"] == "delivered").await;
        assert_eq!(log[0]["log"][0]["status"], "SMTP 250");
        assert!(
            log[0]["log"][0]["message"]
                .as_str()
                .expect("m")
                .contains("BYL123")
        );
        // No response of the run holds the SMTP password but a custodian's reveal.
        let list = app.get(&olga, CHANNELS).await.text().await.expect("text");
        assert!(!list.contains(SMTP_PASSWORD));
        let page = app
            .get(&olga, "/profiles/desk/channels")
            .await
            .text()
            .await
            .expect("text");
        assert!(!page.contains(SMTP_PASSWORD));
        assert!(page.contains("Press list"));
        app.stop().await;
    }
    drop(smtp.stdin.take());
    let _ = smtp.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "byline-smtp-{}-{}",
        std::process::id(),
        byline_app::now().micros()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
