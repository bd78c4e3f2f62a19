//! The `byline` binary as an operator uses it: real processes, real files,
//! real HTTP on 127.0.0.1, signals.

use byline_store::testing::{Kind, TestDatabase};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn byline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_byline"));
    // Start from a clean slate whatever the developer's shell exports.
    for (k, _) in std::env::vars() {
        if k.starts_with("BYLINE_") {
            c.env_remove(k);
        }
    }
    c.env("BYLINE_LOG", "warn");
    c
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "byline-cli-{tag}-{}-{:x}",
        std::process::id(),
        rand_u32()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

fn output(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run byline");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `byline serve` and the address it printed.
struct Server {
    child: Child,
    addr: SocketAddr,
    stdout: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = byline()
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut stdout = String::new();
        let mut line = String::new();
        let addr = loop {
            line.clear();
            if reader.read_line(&mut line).expect("read") == 0 {
                panic!("server exited before listening: {stdout}");
            }
            stdout.push_str(&line);
            if let Some(rest) = line.strip_prefix("Byline is listening on http://") {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("addr")
                    .parse()
                    .expect("socket addr");
            }
        };
        // Collect the rest of the banner (demo sign-ins) without blocking forever.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut rest = String::new();
            let mut l = String::new();
            while reader.read_line(&mut l).unwrap_or(0) > 0 {
                rest.push_str(&l);
                l.clear();
                if rest.contains("more colleagues") {
                    let _ = tx.send(rest.clone());
                }
            }
        });
        if let Ok(rest) = rx.recv_timeout(Duration::from_millis(500)) {
            stdout.push_str(&rest);
        }
        Server {
            child,
            addr,
            stdout,
        }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        send_sigterm(self.child.id());
        wait_with_timeout(&mut self.child, Duration::from_secs(15))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send_sigterm(pid: u32) {
    let ok = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill -TERM failed");
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            start.elapsed() < limit,
            "server did not stop within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP/1.1 request over a fresh connection; returns (status, body).
fn http(addr: SocketAddr, method: &str, path: &str, json: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let body = json.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).expect("write");
    read_response(&mut s)
}

fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn sign_in(addr: SocketAddr, email: &str, password: &str) -> u16 {
    let body = format!("{{\"email\":\"{email}\",\"password\":\"{password}\"}}");
    http(addr, "POST", "/api/v1/sessions", Some(&body)).0
}

#[test]
fn help_explains_every_subcommand() {
    let (ok, out, _) = output(byline().arg("--help"));
    assert!(ok);
    for word in ["serve", "migrate", "admin", "seed-demo", "BYLINE_"] {
        assert!(out.contains(word), "--help mentions {word}:\n{out}");
    }
    let (_, admin, _) = output(byline().args(["admin", "--help"]));
    assert!(admin.contains("create-user") && admin.contains("reset-password"));
    let (_, serve, _) = output(byline().args(["serve", "--help"]));
    for flag in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--demo",
        "--print-config",
        "BYLINE_LISTEN",
    ] {
        assert!(serve.contains(flag), "serve --help mentions {flag}");
    }
}

#[test]
fn print_config_layers_flags_env_and_file_and_masks_secrets() {
    let dir = temp_dir("config");
    let file = dir.join("byline.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:9000\"\nmax_connections = 3\nrequest_timeout_secs = 7\ndatabase_url = \"postgres://app:hunter2secret@db.internal/byline\"\n",
    )
    .expect("write");
    let (ok, out, err) = output(
        byline()
            .args(["serve", "--print-config", "--config"])
            .arg(&file)
            .args(["--listen", "127.0.0.1:7000"])
            .env("BYLINE_LISTEN", "127.0.0.1:6000")
            .env("BYLINE_MAX_CONNECTIONS", "5"),
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("listen = \"127.0.0.1:7000\""),
        "flag beats env and file:\n{out}"
    );
    assert!(
        out.contains("max_connections = 5"),
        "env beats file:\n{out}"
    );
    assert!(
        out.contains("request_timeout_secs = 7"),
        "file beats default:\n{out}"
    );
    assert!(
        out.contains("postgres://app:****@db.internal/byline"),
        "{out}"
    );
    assert!(!out.contains("hunter2secret"), "the password never appears");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let (ok, _, err) = output(byline().args(["migrate", "--database-url", "mysql://x@y/z"]));
    assert!(!ok);
    assert!(err.contains("postgres://"), "{err}");
    let dir = temp_dir("badconf");
    let file = dir.join("byline.toml");
    std::fs::write(&file, "lissten = 1\n").expect("write");
    let (ok, _, err) = output(
        byline()
            .args(["serve", "--print-config", "--config"])
            .arg(&file),
    );
    assert!(!ok);
    assert!(err.contains("lissten"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_operator_migrates_creates_a_user_and_resets_a_password() {
    let dir = temp_dir("admin");
    let data = ["--data-dir", dir.to_str().expect("utf8")];
    let (ok, out, err) = output(byline().arg("migrate").args(data));
    assert!(ok, "{err}");
    assert!(out.contains("up to date"), "{out}");

    let mut child = byline()
        .args([
            "admin",
            "create-user",
            "--email",
            "root@example.com",
            "--name",
            "Root Admin",
            "--admin",
            "--password-stdin",
        ])
        .args(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"operator password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("@root (admin)"));

    let (ok, _, err) = output(
        byline()
            .args([
                "admin",
                "create-user",
                "--email",
                "ROOT@example.com",
                "--name",
                "Again",
            ])
            .args(data),
    );
    assert!(!ok && err.contains("already taken"), "{err}");
    let (ok, _, err) = output(
        byline()
            .args(["admin", "create-user", "--email", "bad", "--name", "X"])
            .args(data),
    );
    assert!(!ok && err.contains("email"), "{err}");

    let (ok, out, err) = output(
        byline()
            .args(["admin", "reset-password", "--email", "root@example.com"])
            .args(data),
    );
    assert!(ok, "{err}");
    let new_password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password is printed once")
        .to_owned();

    // The only admin cannot grant themselves the investigator right over
    // the API; the operator can, and the log says it was the command line.
    let (ok, out, err) = output(
        byline()
            .args(["admin", "grant-investigator", "--email", "root@example.com"])
            .args(data),
    );
    assert!(ok, "{err}");
    assert!(out.contains("may now open investigations"), "{out}");
    let (ok, log, err) = output(byline().args(["audit", "export"]).args(data));
    assert!(ok, "{err}");
    let grant = log
        .lines()
        .find(|l| l.contains("\"investigator.grant\""))
        .expect("the grant is audited");
    assert!(grant.contains("\"source_address\":\"cli\""), "{grant}");
    let (ok, _, err) = output(
        byline()
            .args([
                "admin",
                "grant-investigator",
                "--email",
                "nobody@example.com",
            ])
            .args(data),
    );
    assert!(!ok && err.contains("no user has the email"), "{err}");

    let server = Server::start(&data);
    assert_eq!(
        sign_in(server.addr, "root@example.com", "operator password"),
        401,
        "old password is gone"
    );
    assert_eq!(sign_in(server.addr, "root@example.com", &new_password), 201);
    assert!(server.terminate().success());
    let _ = std::fs::remove_dir_all(dir);
}

/// The status of `GET /api/v1/me` with `cookie`.
fn me_with(addr: SocketAddr, cookie: &str) -> u16 {
    http_cookie(addr, "GET", "/api/v1/me", None, cookie).0
}

/// The server remembers who holds a session; a password reset made by the
/// command line, another process, must still end it before the very next
/// request.
#[test]
fn a_password_reset_from_the_command_line_ends_a_running_servers_session_at_once() {
    let dir = temp_dir("remembered");
    let data = ["--data-dir", dir.to_str().expect("utf8")];
    let mut child = byline()
        .args([
            "admin",
            "create-user",
            "--email",
            "root@example.com",
            "--name",
            "Root Admin",
            "--admin",
            "--password-stdin",
        ])
        .args(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"operator password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let server = Server::start(&data);
    let cookie = session_cookie(server.addr, "root@example.com", "operator password");
    for _ in 0..3 {
        assert_eq!(me_with(server.addr, &cookie), 200, "signed in");
    }
    let (ok, _, err) = output(
        byline()
            .args(["admin", "reset-password", "--email", "root@example.com"])
            .args(data),
    );
    assert!(ok, "{err}");
    assert_eq!(
        me_with(server.addr, &cookie),
        401,
        "the reset ended the session before the next request"
    );
    assert!(server.terminate().success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_demo_on_an_empty_directory_seeds_and_prints_sign_ins() {
    let dir = temp_dir("demo");
    let server = Server::start(&["--demo", "--data-dir", dir.to_str().expect("utf8")]);
    assert!(
        server.stdout.contains("ada@acme.example"),
        "{}",
        server.stdout
    );
    assert!(server.stdout.contains("byline-demo"), "{}", server.stdout);
    let (status, body) = http(server.addr, "GET", "/readyz", None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("sqlite"));
    assert_eq!(sign_in(server.addr, "ada@acme.example", "byline-demo"), 201);
    assert!(server.terminate().success());

    // A second start keeps the data and does not seed twice.
    let again = Server::start(&["--demo", "--data-dir", dir.to_str().expect("utf8")]);
    assert!(
        again.stdout.contains("nothing was seeded"),
        "{}",
        again.stdout
    );
    assert_eq!(
        sign_in(again.addr, "helen@acme.example", "byline-demo"),
        201
    );
    drop(again);
    let (ok, _, err) =
        output(byline().args(["seed-demo", "--data-dir", dir.to_str().expect("utf8")]));
    assert!(!ok && err.contains("already has users"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let dir = temp_dir("shutdown");
    let server = Server::start(&["--demo", "--data-dir", dir.to_str().expect("utf8")]);
    // Start a sign-in, but hold back the end of its body.
    let body = "{\"email\":\"ada@acme.example\",\"password\":\"byline-demo\"}";
    let (head, tail) = body.split_at(20);
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    )
    .expect("write");
    s.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.child.id();
    send_sigterm(pid);
    std::thread::sleep(Duration::from_millis(300));
    // The server is draining: the held request still completes.
    s.write_all(tail.as_bytes()).expect("finish body");
    let (status, response) = read_response(&mut s);
    assert_eq!(status, 201, "{response}");
    let status = {
        let mut server = server;
        let st = wait_with_timeout(&mut server.child, Duration::from_secs(15));
        drop(server);
        st
    };
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_on_postgresql_is_ready() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let Some(db) = rt.block_on(TestDatabase::new(Kind::Postgres)) else {
        return;
    };
    let url = db.options.database_url.clone().expect("url");
    let (ok, out, err) = output(byline().args(["migrate", "--database-url", &url]));
    assert!(ok, "{err}");
    assert!(out.contains("postgres"), "{out}");
    let server = Server::start(&[
        "--demo",
        "--database-url",
        &url,
        "--data-dir",
        path_str(&db.data_dir),
    ]);
    let (status, body) = http(server.addr, "GET", "/readyz", None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("postgres"), "{body}");
    assert_eq!(sign_in(server.addr, "ada@acme.example", "byline-demo"), 201);
    assert!(server.terminate().success());
    drop(db);
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

#[test]
fn audit_verify_passes_on_a_fresh_demo_and_names_a_tampered_event() {
    let dir = temp_dir("audit");
    let data = ["--data-dir", dir.to_str().expect("utf8")];
    let (ok, _, err) = output(byline().arg("seed-demo").args(data));
    assert!(ok, "{err}");
    let (ok, out, err) = output(byline().args(["audit", "verify"]).args(data));
    assert!(ok, "{err}");
    assert!(
        out.contains("audit chain intact") && out.contains("events verified"),
        "{out}"
    );

    let (ok, out, _) = output(
        byline()
            .args(["audit", "export", "--format", "jsonl"])
            .args(data),
    );
    assert!(ok);
    let first: serde_json::Value =
        serde_json::from_str(out.lines().next().expect("a line")).expect("json");
    assert_eq!(first["seq"], 1);
    assert_eq!(first["action"], "user.create");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let store = byline_store::Store::connect(&byline_store::StoreOptions::embedded(&dir))
            .await
            .expect("connect");
        byline_store::testing::execute_raw(
            &store,
            "UPDATE audit_events SET source_address = '6.6.6.6' WHERE seq = 5",
        )
        .await;
        store.close().await;
    });
    let (ok, _, err) = output(byline().args(["audit", "verify"]).args(data));
    assert!(!ok, "a tampered chain fails");
    assert!(err.contains("event 5 was altered"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// One request with a cookie; returns (status, raw head, body).
fn http_cookie(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json: Option<&str>,
    cookie: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let body = json.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).expect("write");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (status, head.to_owned(), body.to_owned())
}

/// Signs in and returns the session cookie (`name=value`).
fn session_cookie(addr: SocketAddr, email: &str, password: &str) -> String {
    let body = format!("{{\"email\":\"{email}\",\"password\":\"{password}\"}}");
    let (status, head, _) = http_cookie(addr, "POST", "/api/v1/sessions", Some(&body), "");
    assert_eq!(status, 201, "sign-in");
    head.lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[test]
fn a_backup_taken_under_writes_restores_into_a_verified_server() {
    let data = temp_dir("backup-src");
    let data_s = path_str(&data).to_owned();
    let mut create = byline();
    create
        .args(["admin", "create-user", "--email", "writer@example.com"])
        .args([
            "--name",
            "Writer",
            "--password-stdin",
            "--data-dir",
            &data_s,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = create.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse battery\n")
        .expect("password");
    assert!(child.wait().expect("wait").success());

    let server = Server::start(&["--data-dir", &data_s]);
    let addr = server.addr;
    let cookie = session_cookie(addr, "writer@example.com", "correct horse battery");

    // A writer keeps posting (within the write limit) while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let writer = {
        let (stop, acked, cookie) = (stop.clone(), acked.clone(), cookie.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 28 {
                let body = format!("{{\"text\":\"entry {n}\"}}");
                let (status, _, _) =
                    http_cookie(addr, "POST", "/api/v1/posts", Some(&body), &cookie);
                if status == 201 {
                    acked.lock().expect("lock").push(format!("entry {n}"));
                }
                n += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    while acked.lock().expect("lock").len() < 10 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let before: Vec<String> = acked.lock().expect("lock").clone();
    let backup = temp_dir("backup-copy");
    let (ok, out, err) =
        output(byline().args(["backup", "--to", path_str(&backup), "--data-dir", &data_s]));
    assert!(ok, "backup failed: {err}");
    assert!(out.contains("backup written"), "{out}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().expect("writer");
    assert_eq!(server.terminate().code(), Some(0));

    // A backup never goes over existing data.
    let (ok, _, err) = output(byline().args([
        "restore",
        "--from",
        path_str(&backup),
        "--data-dir",
        &data_s,
    ]));
    assert!(!ok && err.contains("not empty"), "{err}");

    let restored = temp_dir("backup-restored");
    let restored_s = path_str(&restored).to_owned();
    let (ok, out, err) = output(byline().args([
        "restore",
        "--from",
        path_str(&backup),
        "--data-dir",
        &restored_s,
    ]));
    assert!(ok, "restore failed: {err}");
    assert!(out.contains("audit chain intact"), "{out}");

    let server = Server::start(&["--data-dir", &restored_s]);
    let cookie = session_cookie(server.addr, "writer@example.com", "correct horse battery");
    let (status, _, body) = http_cookie(
        server.addr,
        "GET",
        "/api/v1/profiles/writer/posts?limit=100",
        None,
        &cookie,
    );
    assert_eq!(status, 200);
    for text in &before {
        assert!(
            body.contains(&format!("\"text\":\"{text}\"")),
            "{text} was acknowledged before the backup began"
        );
    }
    assert_eq!(server.terminate().code(), Some(0));
}
