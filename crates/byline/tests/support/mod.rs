//! Real `byline` processes for the integration tests: the CLI, a server
//! on a free port, and browser-like clients signed in to it.
#![allow(dead_code)]

use byline_store::testing::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery";

pub fn byline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_byline"));
    for (k, _) in std::env::vars() {
        if k.starts_with("BYLINE_") {
            c.env_remove(k);
        }
    }
    c.env("BYLINE_LOG", "error");
    c
}

/// Where the server keeps its data: flags for every command.
pub struct Place {
    args: Vec<String>,
}

impl Place {
    pub fn new(db: &TestDatabase) -> Place {
        let mut args = vec![
            "--data-dir".to_owned(),
            db.data_dir.to_string_lossy().into_owned(),
        ];
        if let Some(url) = &db.options.database_url {
            args.push("--database-url".to_owned());
            args.push(url.clone());
        }
        Place { args }
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> (bool, String) {
        let mut cmd = byline();
        cmd.args(args)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn byline");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    /// Starts the server; returns it and its base URL.
    pub fn serve(&self) -> (Child, String) {
        self.serve_with(&[])
    }

    /// Starts the server with more variables set (a moved clock).
    pub fn serve_with(&self, vars: &[(&str, String)]) -> (Child, String) {
        let mut child = byline()
            // Commits take a little longer, so that most kills land while
            // a batch of writes is being committed.
            .env("BYLINE_FAULT_COMMIT_DELAY_MS", "10")
            .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--rate-limit-factor",
                "1000",
            ])
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn server");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let url = loop {
            line.clear();
            if reader.read_line(&mut line).expect("read") == 0 {
                panic!("server exited before listening");
            }
            if let Some(rest) = line.strip_prefix("Byline is listening on ") {
                break rest.split_whitespace().next().expect("url").to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        (child, url)
    }
}

/// A browser-like client on Byline's own pages (it says its origin).
pub fn client(url: &str) -> Client {
    let mut origin = reqwest::header::HeaderMap::new();
    origin.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(url).expect("origin"),
    );
    Client::builder()
        .cookie_store(true)
        .default_headers(origin)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

pub async fn sign_in(url: &str, email: &str) -> Client {
    let c = client(url);
    let r = c
        .post(format!("{url}/api/v1/sessions"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), StatusCode::CREATED, "sign-in of {email}");
    c
}

/// Stops a server with SIGKILL: no drain, no destructors.
pub fn kill9(child: &mut Child) {
    // std's kill() is SIGKILL on Unix: no drain, no destructors.
    child.kill().expect("SIGKILL");
    let _ = child.wait();
}
