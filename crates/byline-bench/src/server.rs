//! The server under test: a real `byline serve` child process on loopback,
//! and what the kernel says it costs (resident memory, CPU time).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A running server.
pub struct Server {
    child: Child,
    pid: u32,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

/// Where the server keeps its data and which binary runs it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The `byline` binary.
    pub binary: PathBuf,
    /// Data directory (the SQLite file lives here when no URL is given).
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL.
    pub database_url: Option<String>,
}

impl Target {
    /// A `byline` command with this target's data settings.
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.binary);
        c.env_remove("BYLINE_DATABASE_URL")
            .env("BYLINE_DATA_DIR", &self.data_dir);
        if let Some(url) = &self.database_url {
            c.env("BYLINE_DATABASE_URL", url);
        }
        c
    }
}

/// Memory and CPU of a process, from /proc.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// Resident set now, MiB.
    pub rss_mib: f64,
    /// Peak resident set since start, MiB.
    pub peak_rss_mib: f64,
    /// User + system CPU seconds since start.
    pub cpu_seconds: f64,
}

impl Server {
    /// Starts `byline serve` and waits until it is ready. Rate limits are
    /// scaled far up: the benchmark is one client pretending to be many.
    pub async fn start(target: &Target, log: &Path) -> Result<Server> {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0")?;
            l.local_addr()?.port()
        };
        let address = format!("127.0.0.1:{port}");
        let log_file = std::fs::File::create(log)
            .with_context(|| format!("creating the server log {}", log.display()))?;
        let child = target
            .command()
            .arg("serve")
            .arg("--listen")
            .arg(&address)
            .arg("--rate-limit-factor")
            .arg("100000")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", target.binary.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let base = format!("http://{address}");
        let server = Server {
            child,
            pid,
            base,
            address,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!(
                    "the server was not ready within 120 s; see {}",
                    log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// What the server process costs right now.
    pub fn usage(&self) -> Usage {
        usage_of(self.pid)
    }

    /// Stops the server the way an operator would (SIGTERM) and waits.
    pub async fn stop(mut self) -> Result<()> {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.kill().await?;
            }
        }
        Ok(())
    }
}

/// Memory and CPU of process `pid` (zeros if it cannot be read).
pub fn usage_of(pid: u32) -> Usage {
    let mut u = Usage::default();
    if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
        for line in status.lines() {
            let kib = |l: &str| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
                    / 1024.0
            };
            if line.starts_with("VmRSS:") {
                u.rss_mib = kib(line);
            } else if line.starts_with("VmHWM:") {
                u.peak_rss_mib = kib(line);
            }
        }
    }
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // Fields after the command name (which may hold spaces): utime is
        // the 14th field of the line, stime the 15th, in clock ticks.
        if let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            u.cpu_seconds = (ticks(11) + ticks(12)) / clock_ticks();
        }
    }
    u
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux everywhere
/// we run).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}
