//! The vault as an operator and its custodians meet it: the real binary on
//! the demo organisation, its key file, its logs, its backups.

use byline_core::vault::MasterKey;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The demo's sealed values (see `demo_content.rs`), and the seed.
const PLAINTEXTS: [&str; 4] = [
    "demo-Winter-campaign-2026!",
    "demo-mc-7f3a9c2e41b84d6f",
    "demo-press-office-Mailbox",
    "JBSWY3DPEHPK3PXP",
];

fn byline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_byline"));
    for (k, _) in std::env::vars() {
        if k.starts_with("BYLINE_") {
            c.env_remove(k);
        }
    }
    c.env("BYLINE_LOG", "warn");
    c
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let d = std::env::temp_dir().join(format!(
        "byline-vault-{tag}-{}-{nanos:x}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn run(args: &[&str], data: &Path) -> (bool, String, String) {
    let out = byline()
        .args(args)
        .args(["--data-dir", data.to_str().expect("utf8")])
        .output()
        .expect("run byline");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn seeded(tag: &str) -> PathBuf {
    let dir = temp_dir(tag);
    let (ok, _, err) = run(&["seed-demo"], &dir);
    assert!(ok, "seed-demo: {err}");
    dir
}

/// `byline serve` on the data directory, logging at `level` into `log`.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data: &Path, level: &str, log: &Path) -> Server {
        let mut child = byline()
            .env("BYLINE_LOG", level)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                data.to_str().expect("utf8"),
            ])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).expect("log file"))
            .spawn()
            .expect("spawn");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let url = loop {
            line.clear();
            if reader.read_line(&mut line).expect("read") == 0 {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                panic!("server exited before listening: {log}");
            }
            if let Some(rest) = line.strip_prefix("Byline is listening on ") {
                break rest.split_whitespace().next().expect("url").to_owned();
            }
        };
        std::thread::spawn(move || while reader.read_line(&mut String::new()).unwrap_or(0) > 0 {});
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..300 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn signed_in(url: &str, email: &str) -> reqwest::Client {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let c = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .expect("client");
    let r = c
        .post(format!("{url}/api/v1/sessions"))
        .json(&json!({"email": email, "password": "byline-demo"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), 201);
    // Cookie-signed API writes carry the session's CSRF token, as the
    // pages' scripts do; it is on every page.
    let home = c
        .get(format!("{url}/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    let token = home
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token on the page")
        .to_owned();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-csrf-token", token.parse().expect("header"));
    reqwest::Client::builder()
        .cookie_provider(jar)
        .default_headers(headers)
        .build()
        .expect("client")
}

/// Every file under `dir`, as bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).expect("read")));
        }
    }
    out
}

/// A channel's signing secret and an SMTP password given to Byline in this
/// run: sealed like the demo's values.
const CHANNEL_SECRETS: [&str; 2] = ["whsec-run-Only-4d1e9a7c55f0", "smtp-run-Only-Passw0rd-93"];

/// A webhook receiver on 127.0.0.1 that answers 200 to every request,
/// on a thread of its own; evaluates to its address.
fn receiver() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut got = Vec::new();
            let mut buf = [0u8; 8192];
            // Read the head, then as much body as it announces.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if got.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    format!("http://{addr}/hook")
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn no_plaintext_reaches_logs_responses_or_backups() {
    let data = seeded("plain");
    let log = data.join("server.log");
    let server = Server::start(&data, "debug", &log);
    let mut bodies: Vec<String> = Vec::new();
    let mut revealed: Vec<String> = Vec::new();
    runtime().block_on(async {
        let url = &server.url;
        let marco = signed_in(url, "marco@acme.example").await;
        let list: Value = marco
            .get(format!("{url}/api/v1/shared-profiles/acme/vault"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        bodies.push(list.to_string());
        let id_of = |name: &str| {
            list["secrets"]
                .as_array()
                .expect("secrets")
                .iter()
                .find(|s| s["name"] == name)
                .and_then(|s| s["id"].as_str())
                .expect("the demo secret")
                .to_owned()
        };
        let instagram = id_of("Instagram login");
        let base = format!("{url}/api/v1/shared-profiles/acme/vault/{instagram}");
        // The one place a value may appear: the custodian's own reveal.
        let r = marco
            .post(format!("{base}/reveal"))
            .json(&json!({}))
            .send()
            .await
            .expect("reveal");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let text = r.text().await.expect("body");
        assert!(
            text.contains(PLAINTEXTS[0]),
            "the custodian sees the password"
        );
        assert!(!text.contains(PLAINTEXTS[3]), "but never the TOTP seed");
        revealed.push(text);
        let r = marco
            .post(format!("{base}/copy"))
            .json(&json!({"field": "password"}))
            .send()
            .await
            .expect("copy");
        revealed.push(r.text().await.expect("body"));
        let totp: Value = marco
            .post(format!("{base}/totp"))
            .send()
            .await
            .expect("totp")
            .json()
            .await
            .expect("json");
        assert_eq!(totp["code"].as_str().map(str::len), Some(6));
        bodies.push(totp.to_string());
        // Everything else anyone reads.
        for path in [
            "/api/v1/shared-profiles/acme/vault",
            "/profiles/acme/vault",
            "/api/v1/me/notifications",
            "/notifications",
            "/metrics",
        ] {
            bodies.push(
                marco
                    .get(format!("{url}{path}"))
                    .send()
                    .await
                    .expect("get")
                    .text()
                    .await
                    .expect("body"),
            );
        }
        let lena = signed_in(url, "lena@acme.example").await;
        bodies.push(
            lena.get(format!("{url}/profiles/acme/vault"))
                .send()
                .await
                .expect("get")
                .text()
                .await
                .expect("body"),
        );
        // Channels: a webhook whose signing secret goes to the vault and
        // which delivers once; an e-mail channel whose server is not there,
        // refused with a reason that holds no password.
        let channels = format!("{url}/api/v1/shared-profiles/acme/channels");
        let r = marco
            .post(&channels)
            .json(
                &json!({"kind": "webhook", "name": "Run hook", "url": receiver(),
                          "signing_secret": CHANNEL_SECRETS[0]}),
            )
            .send()
            .await
            .expect("connect");
        assert_eq!(r.status(), 201);
        let hook: Value = r.json().await.expect("json");
        bodies.push(hook.to_string());
        let hook = hook["id"].as_str().expect("id").to_owned();
        let r = marco
            .post(format!("{channels}/{hook}/deliveries"))
            .json(&json!({"text": "run delivery"}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 202);
        bodies.push(r.text().await.expect("body"));
        let mut delivered = false;
        for _ in 0..100 {
            let log = marco
                .get(format!("{channels}/{hook}/deliveries"))
                .send()
                .await
                .expect("log")
                .text()
                .await
                .expect("body");
            delivered = log.contains("\"delivered\"");
            bodies.push(log);
            if delivered {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(delivered, "the webhook delivery went out");
        let r = marco
            .post(&channels)
            .json(
                &json!({"kind": "email", "name": "Run mail", "smtp_host": "127.0.0.1",
                          "smtp_port": 1, "smtp_security": "none", "smtp_username": "press",
                          "smtp_password": CHANNEL_SECRETS[1], "from": "press@acme.example",
                          "to": ["news@example.org"]}),
            )
            .send()
            .await
            .expect("connect");
        assert_eq!(r.status(), 422);
        bodies.push(r.text().await.expect("body"));
        for path in [
            "/api/v1/shared-profiles/acme/channels",
            "/profiles/acme/channels",
        ] {
            bodies.push(
                marco
                    .get(format!("{url}{path}"))
                    .send()
                    .await
                    .expect("get")
                    .text()
                    .await
                    .expect("body"),
            );
        }
        let ada = signed_in(url, "ada@acme.example").await;
        let r = ada
            .post(format!("{base}/reveal"))
            .json(&json!({}))
            .send()
            .await
            .expect("reveal");
        assert_eq!(r.status(), 404, "an admin who is no member sees nothing");
        bodies.push(r.text().await.expect("body"));
        bodies.push(
            ada.get(format!("{url}/api/v1/audit/events?limit=200"))
                .send()
                .await
                .expect("audit")
                .text()
                .await
                .expect("body"),
        );
    });
    drop(server);
    let backup = data.join("backup");
    let (ok, _, err) = run(&["backup", "--to", backup.to_str().expect("utf8")], &data);
    assert!(ok, "backup: {err}");
    let (ok, export, err) = run(&["audit", "export", "--format", "jsonl"], &data);
    assert!(ok, "export: {err}");
    let log_text = std::fs::read_to_string(&log).expect("log");
    assert!(
        log_text.lines().count() > 10,
        "the server logged at debug level"
    );
    assert!(
        export.contains("vault.reveal")
            && export.contains("vault.copy")
            && export.contains("vault.totp")
    );
    assert!(export.contains("channel.send_as_profile"));
    for secret in PLAINTEXTS.iter().chain(CHANNEL_SECRETS.iter()) {
        let secret = *secret;
        assert!(!log_text.contains(secret), "the log holds {secret}");
        assert!(!export.contains(secret), "the audit export holds {secret}");
        for b in &bodies {
            assert!(!b.contains(secret), "a response holds {secret}: {b}");
        }
        for (path, bytes) in files(&backup) {
            assert!(!holds(&bytes, secret), "{} holds {secret}", path.display());
        }
        for (path, bytes) in files(&data)
            .into_iter()
            .filter(|(p, _)| !p.starts_with(&backup))
        {
            assert!(!holds(&bytes, secret), "{} holds {secret}", path.display());
        }
    }
    assert!(
        files(&backup)
            .iter()
            .all(|(p, _)| !p.to_string_lossy().contains("vault.key")),
        "the master key is not in the backup"
    );
    let _ = std::fs::remove_dir_all(data);
}

fn key_of(data: &Path) -> MasterKey {
    MasterKey::parse(&std::fs::read_to_string(data.join("vault.key")).expect("key file"))
        .expect("a key")
}

#[test]
fn rotate_key_rewraps_every_entry_and_resumes_after_an_interruption() {
    let data = seeded("rotate");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("vault.key"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is the owner's alone");
    }
    let (ok, out, err) = run(&["vault", "verify"], &data);
    assert!(ok, "{err}");
    // The demo's three accounts and its partner webhook's signing secret.
    assert!(out.contains("4 entries open"), "{out}");
    let first = key_of(&data);

    let (ok, out, err) = run(&["vault", "rotate-key", "--grace-secs", "0"], &data);
    assert!(ok, "{err}");
    assert!(out.contains("4 entries re-wrapped"), "{out}");
    let second = key_of(&data);
    assert_ne!(first.id(), second.id());
    assert!(
        out.contains(second.id()) && out.contains(first.id()),
        "{out}"
    );
    let leftovers: Vec<_> = files(&data)
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().contains("retired"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "the old key is deleted once every entry moved"
    );
    let (ok, out, err) = run(&["vault", "verify"], &data);
    assert!(ok && out.contains("4 entries open"), "{out} {err}");

    // Interrupted right after the new key went in place: the old one waits
    // beside it, and every entry is still wrapped under it.
    let third = MasterKey::generate();
    std::fs::write(
        data.join(format!("vault.key.retired-{}", second.id())),
        second.to_text().as_bytes(),
    )
    .expect("retired key");
    std::fs::write(data.join("vault.key"), third.to_text().as_bytes()).expect("new key");
    let (ok, out, err) = run(&["vault", "verify"], &data);
    assert!(
        ok && out.contains("4 entries open"),
        "the retired key still opens them: {out} {err}"
    );
    let (ok, out, err) = run(&["vault", "rotate-key", "--grace-secs", "0"], &data);
    assert!(ok, "{err}");
    assert!(
        out.contains("rotation resumed") && out.contains("4 entries re-wrapped"),
        "{out}"
    );
    assert_eq!(
        key_of(&data).id(),
        third.id(),
        "the interrupted run's key is kept"
    );

    // And a server on the rotated vault opens the entries.
    let log = data.join("server.log");
    let server = Server::start(&data, "warn", &log);
    runtime().block_on(async {
        let url = &server.url;
        let marco = signed_in(url, "marco@acme.example").await;
        let list: Value = marco
            .get(format!("{url}/api/v1/shared-profiles/acme/vault"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let id = list["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .find(|s| s["name"] == "Instagram login")
            .and_then(|s| s["id"].as_str())
            .expect("the demo's Instagram login")
            .to_owned();
        let r = marco
            .post(format!(
                "{url}/api/v1/shared-profiles/acme/vault/{id}/reveal"
            ))
            .json(&json!({}))
            .send()
            .await
            .expect("reveal");
        let status = r.status();
        let text = r.text().await.expect("body");
        assert_eq!(status, 200, "{text}");
        assert!(text.contains(PLAINTEXTS[0]));
    });
    drop(server);
    let _ = std::fs::remove_dir_all(data);
}

/// `byline serve` that must fail before listening; its stderr.
fn refused_start(data: &Path) -> String {
    let mut child = byline()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().expect("utf8"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    for _ in 0..600 {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(!status.success(), "the start is refused");
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
                .expect("stderr");
            return err;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the server started without its vault key");
}

#[test]
fn a_wrong_or_missing_key_stops_the_start_and_tampering_is_refused() {
    let data = seeded("keys");
    let real = std::fs::read(data.join("vault.key")).expect("key");
    std::fs::remove_file(data.join("vault.key")).expect("remove key");
    let err = refused_start(&data);
    assert!(
        err.contains("master key file") && err.contains("missing"),
        "{err}"
    );
    assert!(
        !data.join("vault.key").exists(),
        "no new key is made over existing entries"
    );

    let wrong = MasterKey::generate();
    std::fs::write(data.join("vault.key"), wrong.to_text().as_bytes()).expect("wrong key");
    let err = refused_start(&data);
    assert!(
        err.contains(wrong.id()) && err.contains("wrong key file"),
        "{err}"
    );
    std::fs::write(data.join("vault.key"), b"not a key\n").expect("garbage");
    let err = refused_start(&data);
    assert!(err.contains("is not a key"), "{err}");
    std::fs::write(data.join("vault.key"), &real).expect("restore key");

    // Bytes changed in the database: refused with a clear error, never garbage.
    runtime().block_on(async {
        let store = byline_store::Store::connect(&byline_store::StoreOptions::embedded(&data))
            .await
            .expect("connect");
        byline_store::testing::execute_raw(
            &store,
            "UPDATE vault_secrets SET sealed = zeroblob(length(sealed)) WHERE name = 'Press office mailbox'",
        )
        .await;
        byline_store::testing::execute_raw(
            &store,
            "UPDATE vault_secrets SET wrapped_key = zeroblob(length(wrapped_key)) WHERE name = 'Instagram login'",
        )
        .await;
        store.close().await;
    });
    let (ok, _, err) = run(&["vault", "verify"], &data);
    assert!(!ok, "verify fails");
    assert!(
        err.contains("integrity check") && err.contains("1 vault entries do not open"),
        "{err}"
    );

    let log = data.join("server.log");
    let server = Server::start(&data, "warn", &log);
    runtime().block_on(async {
        let url = &server.url;
        let marco = signed_in(url, "marco@acme.example").await;
        let list: Value = marco
            .get(format!("{url}/api/v1/shared-profiles/acme/vault"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let id = list["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .find(|s| s["name"] == "Press office mailbox")
            .and_then(|s| s["id"].as_str())
            .expect("mailbox")
            .to_owned();
        let r = marco
            .post(format!(
                "{url}/api/v1/shared-profiles/acme/vault/{id}/reveal"
            ))
            .json(&json!({}))
            .send()
            .await
            .expect("reveal");
        assert_eq!(r.status(), 500);
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "vault");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("integrity check"),
            "{body}"
        );
    });
    drop(server);
    let _ = std::fs::remove_dir_all(data);
}
