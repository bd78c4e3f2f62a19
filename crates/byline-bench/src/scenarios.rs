//! The scenarios: what each asks the server, what the same query costs
//! straight from the database, and what the server process spent.

use crate::load::{self, MakeRequest, Summary};
use crate::org::{self, Manifest};
use crate::server::{Server, Target, Usage};
use crate::{Args, connect, live};
use anyhow::{Context, Result};
use byline_core::search::SearchQuery;
use byline_store::Store;
use byline_store::feed::Window;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One scenario's figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Short name, e.g. `home_first_few`.
    pub name: String,
    /// What it does, for the table.
    pub about: String,
    /// `read`, `write` or `mixed`.
    pub kind: String,
    /// Open loop at a fixed rate.
    pub open: Option<Summary>,
    /// Closed loop: the most the server did.
    pub closed: Option<Summary>,
    /// The same query run directly against the database.
    pub direct: Option<Summary>,
    /// Closed-loop writes/s over the raw single-row transaction rate.
    pub ratio_to_raw: Option<f64>,
    /// Highest server RSS seen during the scenario, MiB.
    pub peak_rss_mib: f64,
    /// Server CPU seconds per 1,000 requests (closed loop).
    pub cpu_s_per_1k: f64,
    /// Short links: redirects answered, and clicks the database counted
    /// over the same runs (never fewer: no acknowledged click is lost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicks: Option<ClickCount>,
}

/// Redirects answered against clicks counted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClickCount {
    /// Redirects the clients received (302).
    pub answered: u64,
    /// Clicks added to `link_clicks` meanwhile.
    pub counted: i64,
}

/// `byline audit verify` over the whole chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditVerify {
    /// Events checked.
    pub events: u64,
    /// Seconds the verification took (as the command reports it).
    pub seconds: f64,
    /// Events per second.
    pub events_per_s: f64,
}

/// The machine the run was on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Memory, GiB.
    pub memory_gib: f64,
    /// Kernel.
    pub kernel: String,
    /// Database engine and version.
    pub engine: String,
    /// Byline version.
    pub byline: String,
    /// Git commit measured.
    pub git_commit: String,
    /// When (UTC, RFC 3339).
    pub at: String,
}

/// A whole run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Run {
    /// Scale name.
    pub scale: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Was this a smoke run (short, for CI)?
    pub smoke: bool,
    /// Machine details.
    pub machine: Machine,
    /// The organisation.
    pub organisation: Manifest,
    /// Raw single-row insert transactions per second.
    pub raw_write_tx_per_s: f64,
    /// The HTTP scenarios.
    pub scenarios: Vec<ScenarioResult>,
    /// Live events.
    pub live: Option<live::LiveOutcome>,
    /// The audit chain check.
    pub audit_verify: Option<AuditVerify>,
    /// Server RSS at rest after start, MiB.
    pub idle_rss_mib: f64,
    /// The job runner's pace (#14).
    #[serde(default)]
    pub jobs: Option<crate::jobs_probe::JobsProbe>,
    /// `byline vault rotate-key` over many entries (#15).
    #[serde(default)]
    pub vault_rotation: Option<VaultRotation>,
}

/// `byline vault rotate-key`: every data key re-wrapped under a new key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VaultRotation {
    /// Entries re-wrapped.
    pub entries: u64,
    /// Seconds, as the command reports them.
    pub seconds: f64,
    /// Entries per second.
    pub per_s: f64,
}

impl Run {
    /// Scenarios that had errors, described.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.scenarios {
            for (phase, sum) in [
                ("open", &s.open),
                ("closed", &s.closed),
                ("direct", &s.direct),
            ] {
                if let Some(sum) = sum
                    && (sum.errors > 0 || sum.requests == 0)
                {
                    out.push(format!(
                        "{} ({phase}): {} errors, {} ok; first: {}",
                        s.name,
                        sum.errors,
                        sum.requests,
                        sum.first_error
                            .as_deref()
                            .unwrap_or("no successful request")
                    ));
                }
            }
        }
        if let Some(l) = &self.live
            && l.delivered < l.expected
        {
            out.push(format!(
                "live: {} of {} deliveries arrived",
                l.delivered, l.expected
            ));
        }
        out
    }
}

/// Samples the server's RSS in the background; `take` gives the highest
/// since the last take.
struct RssWatch {
    peak_kib: Arc<AtomicU64>,
    stop: tokio::task::JoinHandle<()>,
}

impl RssWatch {
    fn start(pid_usage: impl Fn() -> Usage + Send + 'static) -> RssWatch {
        let peak_kib = Arc::new(AtomicU64::new(0));
        let p = peak_kib.clone();
        let stop = tokio::spawn(async move {
            loop {
                let kib = (pid_usage().rss_mib * 1024.0) as u64;
                p.fetch_max(kib, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        RssWatch { peak_kib, stop }
    }

    fn take(&self) -> f64 {
        self.peak_kib.swap(0, Ordering::Relaxed) as f64 / 1024.0
    }
}

impl Drop for RssWatch {
    fn drop(&mut self) {
        self.stop.abort();
    }
}

fn bearer(seed: u64, user: i64) -> String {
    format!("Bearer {}", org::token(seed, user))
}

/// A GET by users taking turns.
fn get(
    base: &str,
    seed: u64,
    users: &[i64],
    path: impl Fn(u64, i64) -> String + Send + Sync + 'static,
) -> MakeRequest {
    let (base, users) = (base.to_owned(), users.to_vec());
    Arc::new(move |c: &reqwest::Client, i: u64| {
        let user = users[(i as usize) % users.len()];
        c.get(format!("{base}{}", path(i, user)))
            .header("authorization", bearer(seed, user))
    })
}

/// A new post by users taking turns, optionally as a shared profile.
pub(crate) fn create(
    base: &str,
    seed: u64,
    users: &[i64],
    acting_as: Option<String>,
) -> MakeRequest {
    let (base, users) = (base.to_owned(), users.to_vec());
    Arc::new(move |c: &reqwest::Client, i: u64| {
        let user = users[(i as usize) % users.len()];
        let mut body = serde_json::json!({
            "text": format!("Benchmark post {i}: the team update is ready for review #benchmark"),
        });
        if let Some(a) = &acting_as {
            body["acting_as"] = serde_json::json!(a);
        }
        c.post(format!("{base}/api/v1/posts"))
            .header("authorization", bearer(seed, user))
            .json(&body)
    })
}

/// A personal post by one of `users` naming one of 1,000 made-up words
/// (`tpc000`…`tpc999`) in turn, so that 50 topics of one word each match
/// one post in twenty.
pub(crate) fn listened(base: &str, seed: u64, users: &[i64]) -> MakeRequest {
    let (base, users) = (base.to_owned(), users.to_vec());
    Arc::new(move |c: &reqwest::Client, i: u64| {
        let user = users[(i as usize) % users.len()];
        c.post(format!("{base}/api/v1/posts"))
            .header("authorization", bearer(seed, user))
            .json(&serde_json::json!({
                "text": format!("Benchmark post {i}: the team update on tpc{:03} is ready #benchmark", i % 1000),
            }))
    })
}

/// A post by one of `users` mentioning one of `desks`, in turn: with its
/// help desk on, each opens a ticket.
pub(crate) fn mention(base: &str, seed: u64, users: &[i64], desks: &[String]) -> MakeRequest {
    let (base, users, desks) = (base.to_owned(), users.to_vec(), desks.to_vec());
    Arc::new(move |c: &reqwest::Client, i: u64| {
        let user = users[(i as usize) % users.len()];
        let desk = &desks[(i as usize) % desks.len()];
        c.post(format!("{base}/api/v1/posts"))
            .header("authorization", bearer(seed, user))
            .json(&serde_json::json!({
                "text": format!("@{desk} Benchmark request {i}: the printer on floor 3 is jammed"),
            }))
    })
}

/// A read scenario: its request and its direct query.
pub(crate) struct Read {
    pub(crate) name: &'static str,
    about: String,
    pub(crate) make: MakeRequest,
    direct: Box<dyn Fn(Store, u64) -> futures_direct::Direct + Send + Sync>,
}

mod futures_direct {
    /// A boxed direct query.
    pub type Direct =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>>;
}

fn direct<F, Fut>(f: F) -> Box<dyn Fn(Store, u64) -> futures_direct::Direct + Send + Sync>
where
    F: Fn(Store, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), byline_store::StoreError>> + Send + 'static,
{
    Box::new(move |s, i| {
        let fut = f(s, i);
        Box::pin(async move { fut.await.map_err(|e| e.to_string()) })
    })
}

/// Follows `next_cursor` nine times: the cursor of the tenth page.
async fn tenth_page(base: &str, seed: u64, user: i64) -> Result<Option<String>> {
    let client = load::client();
    let mut cursor: Option<String> = None;
    for _ in 0..9 {
        let mut url = format!("{base}/api/v1/feeds/home?limit=20");
        if let Some(c) = &cursor {
            url.push_str(&format!("&before={c}"));
        }
        let page: serde_json::Value = client
            .get(url)
            .header("authorization", bearer(seed, user))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    Ok(cursor)
}

fn window(before: i64) -> Window {
    Window { before, limit: 20 }
}

pub(crate) async fn reads(base: &str, m: &Manifest) -> Result<Vec<Read>> {
    let seed = m.seed;
    let mut out = Vec::new();
    for (group, users) in [("few", &m.few_follows), ("many", &m.many_follows)] {
        let follows = if group == "few" {
            "10–40"
        } else {
            "up to 2,000"
        };
        out.push(Read {
            name: if group == "few" {
                "home_first_few"
            } else {
                "home_first_many"
            },
            about: format!("home timeline, first page, users following {follows} profiles"),
            make: get(base, seed, users, |_, _| {
                "/api/v1/feeds/home?limit=20".into()
            }),
            direct: {
                let users = users.clone();
                direct(move |s, i| {
                    let u = users[(i as usize) % users.len()];
                    async move { s.feeds().home_feed(u, window(i64::MAX)).await.map(|_| ()) }
                })
            },
        });
        let mut cursors = Vec::new();
        for u in users.iter() {
            let c = tenth_page(base, seed, *u).await?;
            cursors.push((
                *u,
                c.and_then(|c| c.parse::<i64>().ok()).unwrap_or(i64::MAX),
            ));
        }
        let deep_users: Vec<i64> = cursors.iter().map(|(u, _)| *u).collect();
        let by_user = cursors.clone();
        out.push(Read {
            name: if group == "few" {
                "home_deep_few"
            } else {
                "home_deep_many"
            },
            about: format!("home timeline, tenth page, users following {follows} profiles"),
            make: get(base, seed, &deep_users, move |i, _| {
                let (_, c) = by_user[(i as usize) % by_user.len()];
                format!("/api/v1/feeds/home?limit=20&before={c}")
            }),
            direct: direct(move |s, i| {
                let (u, c) = cursors[(i as usize) % cursors.len()];
                async move { s.feeds().home_feed(u, window(c)).await.map(|_| ()) }
            }),
        });
    }
    let viewers = m.few_follows.clone();
    let busy = m.busy_profile.clone();
    let busy_id = m.busy_profile_id;
    let v = viewers.clone();
    out.push(Read {
        name: "profile",
        about: format!("profile timeline of the busiest author (@{busy})"),
        make: get(base, seed, &viewers, move |_, _| {
            format!("/api/v1/profiles/{busy}/posts?limit=20")
        }),
        direct: direct(move |s, i| {
            let u = v[(i as usize) % v.len()];
            async move {
                s.feeds()
                    .profile_feed(busy_id, u, window(i64::MAX))
                    .await
                    .map(|_| ())
            }
        }),
    });
    let community = m.community.clone();
    let v = viewers.clone();
    out.push(Read {
        name: "community",
        about: format!("community timeline (/{community}, most staff are members)"),
        make: get(base, seed, &viewers, move |_, _| {
            format!("/api/v1/communities/{community}/posts?limit=20")
        }),
        direct: direct(move |s, i| {
            let u = v[(i as usize) % v.len()];
            async move {
                s.feeds()
                    .community_feed(1, u, window(i64::MAX))
                    .await
                    .map(|_| ())
            }
        }),
    });
    let tag = m.tag.clone();
    let v = viewers.clone();
    let t = tag.clone();
    out.push(Read {
        name: "hashtag",
        about: format!("hashtag timeline (#{tag}, the most used)"),
        make: get(base, seed, &viewers, move |_, _| {
            format!("/api/v1/tags/{tag}/posts?limit=20")
        }),
        direct: direct(move |s, i| {
            let (u, t) = (v[(i as usize) % v.len()], t.clone());
            async move {
                s.feeds()
                    .tag_feed(&t, u, window(i64::MAX))
                    .await
                    .map(|_| ())
            }
        }),
    });
    let root = m.thread_root;
    let v = viewers.clone();
    out.push(Read {
        name: "thread",
        about: format!("a thread of {} replies", org::LONG_THREAD),
        make: get(base, seed, &viewers, move |_, _| {
            format!("/api/v1/posts/{root}/thread")
        }),
        direct: direct(move |s, i| {
            let u = v[(i as usize) % v.len()];
            async move { s.feeds().thread(root, u, 500).await.map(|_| ()) }
        }),
    });
    for (name, word, about) in [
        ("search_common", m.common_word.clone(), "in most posts"),
        (
            "search_rare",
            m.rare_word.clone(),
            "in about 1 post in 20,000",
        ),
    ] {
        let v = viewers.clone();
        let q = SearchQuery::parse(&word).map_err(|e| anyhow::anyhow!("{e}"))?;
        let w = word.clone();
        out.push(Read {
            name,
            about: format!("full-text search for '{word}' ({about})"),
            make: get(base, seed, &viewers, move |_, _| {
                format!("/api/v1/search?q={w}&type=posts&limit=20")
            }),
            direct: direct(move |s, i| {
                let (u, q) = (v[(i as usize) % v.len()], q.clone());
                async move {
                    // The handler's work: the hits, then the posts they name.
                    let hits = s.search().search_posts(&q, u, 20).await?;
                    let ids: Vec<i64> = hits.iter().map(|h| h.post_id).collect();
                    s.posts().posts_for(&ids, u).await.map(|_| ())
                }
            }),
        });
    }
    out.extend(help_desk_reads(base, m));
    Ok(out)
}

/// Every desk with each of its members who work tickets: who reads which
/// inbox, taking turns.
fn desk_viewers(m: &Manifest) -> Vec<(String, i64, i64)> {
    let mut out = Vec::new();
    for d in &m.desks {
        for w in &d.workers {
            out.push((d.handle.clone(), d.profile_id, *w));
        }
    }
    out
}

/// A GET as `(handle, profile id, user)` rows taking turns.
fn desk_get(
    base: &str,
    seed: u64,
    rows: Vec<(String, i64, i64)>,
    path: impl Fn(&str, u64) -> String + Send + Sync + 'static,
) -> MakeRequest {
    let base = base.to_owned();
    Arc::new(move |c: &reqwest::Client, i: u64| {
        let (handle, _, user) = &rows[(i as usize) % rows.len()];
        c.get(format!("{base}{}", path(handle, i)))
            .header("authorization", bearer(seed, *user))
    })
}

/// The help desk's reads (#14): each inbox view and the ticket page (API
/// and HTML), signed in as a member of the desk, over every desk in turn.
fn help_desk_reads(base: &str, m: &Manifest) -> Vec<Read> {
    use byline_store::tickets::TicketView;
    let seed = m.seed;
    let viewers = desk_viewers(m);
    let mut out = Vec::new();
    if viewers.is_empty() {
        return out;
    }
    for (name, view, about) in [
        ("inbox_mine", "mine", "open tickets assigned to the viewer"),
        ("inbox_unassigned", "unassigned", "open tickets nobody has"),
        ("inbox_open", "open", "all open tickets"),
        ("inbox_done", "done", "solved and closed tickets"),
    ] {
        let rows = viewers.clone();
        out.push(Read {
            name,
            about: format!(
                "help-desk inbox, view {view} ({about}), first page of 50 with the view counts, by members of {} desks",
                m.desks.len()
            ),
            make: desk_get(base, seed, viewers.clone(), move |h, _| {
                format!("/api/v1/shared-profiles/{h}/tickets?view={view}")
            }),
            direct: direct(move |s, i| {
                let (_, desk, user) = rows[(i as usize) % rows.len()].clone();
                let view = match view {
                    "mine" => TicketView::Mine(user),
                    "unassigned" => TicketView::Unassigned,
                    "open" => TicketView::AllOpen,
                    _ => TicketView::Done,
                };
                async move {
                    let t = s.tickets();
                    t.tickets(desk, view, None, None, 50).await?;
                    t.view_counts(desk, user).await.map(|_| ())
                }
            }),
        });
    }
    // (handle, desk, viewer, number): sample tickets old and new of every
    // desk, each read by one of its members.
    let mut pages: Vec<(String, i64, i64, i64)> = Vec::new();
    for d in &m.desks {
        for (k, n) in d.sample.iter().enumerate() {
            if let Some(w) = d.workers.get(k % d.workers.len().max(1)) {
                pages.push((d.handle.clone(), d.profile_id, *w, *n));
            }
        }
    }
    if pages.is_empty() {
        return out;
    }
    for (name, html) in [("ticket_api", false), ("ticket_page", true)] {
        let p = pages.clone();
        let q = pages.clone();
        let b = base.to_owned();
        out.push(Read {
            name,
            about: if html {
                "a ticket's HTML page (clocks, history, canned replies, presence), as a member"
                    .into()
            } else {
                "a ticket with its SLA clocks and history (API), as a member".into()
            },
            make: Arc::new(move |c: &reqwest::Client, i: u64| {
                let (handle, _, user, number) = &p[(i as usize) % p.len()];
                let path = if html {
                    format!("/profiles/{handle}/tickets/{number}")
                } else {
                    format!("/api/v1/shared-profiles/{handle}/tickets/{number}")
                };
                c.get(format!("{b}{path}"))
                    .header("authorization", bearer(seed, *user))
            }),
            direct: direct(move |s, i| {
                let (_, desk, _, number) = q[(i as usize) % q.len()].clone();
                async move {
                    // The handler's reads: the ticket, its history, and
                    // what its clocks are computed from.
                    let ticket = s.tickets().ticket(desk, number).await?;
                    s.tickets().ticket_events(ticket.id, true).await?;
                    s.sla().sla_policies(desk).await?;
                    s.sla().business_hours(desk).await?;
                    s.sla().clock_history(ticket.id).await.map(|_| ())
                }
            }),
        });
    }
    out
}

async fn machine(store: &Store) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown")
        .trim()
        .to_owned();
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let run = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|| "unknown".into())
    };
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_gib: (memory_gib * 10.0).round() / 10.0,
        kernel: run("uname", &["-r"]),
        engine: store
            .engine_version()
            .await
            .unwrap_or_else(|e| e.to_string()),
        byline: env!("CARGO_PKG_VERSION").to_owned(),
        git_commit: run("git", &["rev-parse", "--short", "HEAD"]),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// Runs every scenario against a fresh server over the loaded organisation.
pub async fn run_all(args: &Args, target: &Target, m: &Manifest) -> Result<Run> {
    let secs = Duration::from_secs_f64(args.seconds);
    let store = connect(target).await?;
    let mut run = Run {
        scale: m.scale.clone(),
        backend: args.backend.clone(),
        smoke: args.smoke,
        machine: machine(&store).await,
        organisation: m.clone(),
        ..Run::default()
    };
    // The physical limit first, on an idle machine.
    eprintln!("raw single-row write rate…");
    run.raw_write_tx_per_s = store
        .raw_write_rate(secs.max(Duration::from_secs(1)))
        .await?;

    let log = target.data_dir.join("server.log");
    let server = Server::start(target, &log).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    run.idle_rss_mib = server.usage().rss_mib;
    let pid_usage = {
        let pid = server_pid(&server);
        move || crate::server::usage_of(pid)
    };
    let watch = RssWatch::start(pid_usage);
    let base = server.base.clone();

    let reads = reads(&base, m).await?;
    for r in reads.iter().filter(|r| args.runs(r.name)) {
        eprintln!("{}…", r.name);
        let times = if args.smoke { 20 } else { 300 };
        let s = store.clone();
        let direct = load::direct(times, |i| (r.direct)(s.clone(), i)).await;
        let mut result = measure(
            args,
            r.name,
            &r.about,
            "read",
            r.make.clone(),
            &watch,
            &pid_usage,
            secs,
        )
        .await;
        result.direct = Some(direct);
        run.scenarios.push(result);
    }

    // Publishing (#16): a month of the content calendar holding 2,000
    // publications, as its page, and the short-link redirect, which counts
    // its click durably (grouped commits) before it answers.
    if args.runs("calendar_month") || args.runs("short_link") {
        let writer = *m.team_writers.first().context("the team has no writers")?;
        let month = |y: i32, mo: u32| {
            chrono::NaiveDate::from_ymd_opt(y, mo, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| byline_core::Timestamp(t.and_utc().timestamp_micros()))
                .context("a month")
        };
        let codes = store
            .plan_publications(&m.team, writer, 2_000, month(2030, 1)?, month(2030, 2)?)
            .await?;
        if args.runs("calendar_month") {
            eprintln!("calendar_month…");
            let team = m.team.clone();
            let make = get(&base, m.seed, &m.team_writers, move |_, _| {
                format!("/profiles/{team}/calendar?month=2030-01")
            });
            let about = format!(
                "the content calendar page of @{}: a month holding 2,000 publications",
                m.team
            );
            let result = measure(
                args,
                "calendar_month",
                &about,
                "read",
                make,
                &watch,
                &pid_usage,
                secs,
            )
            .await;
            run.scenarios.push(result);
        }
        if args.runs("short_link") && !codes.is_empty() {
            eprintln!("short_link…");
            let (base, links) = (base.clone(), codes.len());
            let make: MakeRequest = Arc::new(move |c: &reqwest::Client, i: u64| {
                c.get(format!("{base}/r/{}", codes[(i as usize) % codes.len()]))
            });
            let before_clicks = store.total_clicks().await?;
            watch.take();
            let open = load::open_loop(make.clone(), args.read_rate, secs, 512).await;
            let before = pid_usage();
            // Many visitors at once: their clicks share commits.
            let closed = load::closed_loop(make, 64, secs).await;
            let after = pid_usage();
            let counted = store.total_clicks().await? - before_clicks;
            let answered = open.requests + closed.requests;
            if counted < i64::try_from(answered).unwrap_or(i64::MAX) {
                anyhow::bail!(
                    "short links: {answered} redirects answered but only {counted} clicks counted"
                );
            }
            run.scenarios.push(ScenarioResult {
                name: "short_link".into(),
                about: format!(
                    "GET /r/{{code}} over {links} links: the click counted (day bucket, durable) then a 302; closed loop with 64 clients"
                ),
                kind: "write".into(),
                cpu_s_per_1k: per_1k(before, after, closed.requests),
                open: Some(open),
                closed: Some(closed),
                peak_rss_mib: watch.take(),
                clicks: Some(ClickCount { answered, counted }),
                ..ScenarioResult::default()
            });
        }
    }

    // Writes, each next to the raw rate (#14: a ticket from a mention
    // costs at most 1.5 times a plain post). The team's help desk is
    // turned on with manual assignment and no SLA targets, so a mention of
    // it costs the ticket's rows in the post's transaction and nothing
    // after; a mention of the busiest loaded desk also hands the ticket
    // out (its roster covers every hour) and schedules its SLA jobs.
    let writers: Vec<i64> = (2..=(m.users as i64).min(500)).collect();
    let admin = bearer(m.seed, m.announcer_user);
    let client = load::client();
    client
        .post(format!(
            "{base}/api/v1/shared-profiles/{}/help-desk",
            m.team
        ))
        .header("authorization", &admin)
        .send()
        .await?
        .error_for_status()
        .context("turning the team's help desk on")?;
    client
        .patch(format!(
            "{base}/api/v1/shared-profiles/{}/help-desk",
            m.team
        ))
        .header("authorization", &admin)
        .json(&serde_json::json!({"assignment": "manual"}))
        .send()
        .await?
        .error_for_status()
        .context("setting the team's help desk to manual assignment")?;
    let mut writes = vec![
        (
            "create_post",
            "create a post (personal)".to_owned(),
            create(&base, m.seed, &writers, None),
        ),
        (
            "create_post_attributed",
            format!(
                "create a post as @{} (policy check, byline, audit append)",
                m.team
            ),
            create(&base, m.seed, &m.team_writers, Some(m.team.clone())),
        ),
        (
            "create_ticket_manual",
            format!(
                "a post mentioning @{} (help desk on, manual assignment, no SLA): the ticket in the post's transaction only",
                m.team
            ),
            mention(&base, m.seed, &writers, std::slice::from_ref(&m.team)),
        ),
    ];
    if !m.desks.is_empty() {
        // Tickets opened by earlier runs are solved first, so the members
        // on shift have the room under their open-ticket limit that they
        // had as loaded, and the mentions go round the desks, so a run's
        // tickets are given out rather than left waiting at the limit.
        if m.tickets > 0 && args.runs("create_ticket_by_mention") {
            let solved = store
                .solve_tickets_above(m.tickets as i64, crate::jobs_probe::wall_now())
                .await?;
            eprintln!("solved {solved} tickets left open by earlier runs");
        }
        let handles: Vec<String> = m.desks.iter().map(|d| d.handle.clone()).collect();
        writes.push((
            "create_ticket_by_mention",
            format!(
                "a post mentioning one of the {} help desks in turn ({} tickets loaded), which opens a ticket, gives it to a member on shift (audited) and schedules its SLA jobs",
                m.desks.len(),
                m.tickets
            ),
            mention(&base, m.seed, &writers, &handles),
        ));
    }
    for (name, about, make) in writes.into_iter().filter(|(n, _, _)| args.runs(n)) {
        eprintln!("{name}…");
        let mut result = measure(args, name, &about, "write", make, &watch, &pid_usage, secs).await;
        result.ratio_to_raw = result
            .closed
            .as_ref()
            .map(|c| c.rate_per_s / run.raw_write_tx_per_s.max(1e-9));
        run.scenarios.push(result);
    }

    // Listening (#17: a post with 50 topics watched costs at most 1.2
    // times a post with none). The listener reads posts after they are
    // written, so the write path does not change; what is measured is the
    // same posts, before and while the team's desk watches 50 topics that
    // one post in twenty matches, with the listener's job running beside
    // them (on SQLite it shares the one writer).
    if args.runs("post_topics") {
        let make = listened(&base, m.seed, &writers);
        eprintln!("post_topics_0…");
        let none = measure(
            args,
            "post_topics_0",
            "create a post (personal) while no topic is watched",
            "write",
            make.clone(),
            &watch,
            &pid_usage,
            secs,
        )
        .await;
        let topics = format!("{base}/api/v1/shared-profiles/{}/topics", m.team);
        let mut made = Vec::new();
        for k in 0..50 {
            let r = client
                .post(&topics)
                .header("authorization", &admin)
                .json(&serde_json::json!({"name": format!("Bench topic {k}"), "terms": [format!("tpc{k:03}")]}))
                .send()
                .await?
                .error_for_status()
                .context("watching a benchmark topic")?;
            let v: serde_json::Value = r.json().await?;
            made.push(v["id"].as_str().unwrap_or_default().to_owned());
        }
        // The listener (a pass every 10 s) catches up on the posts written
        // while nothing was watched first; what is measured is its steady
        // state.
        tokio::time::sleep(Duration::from_secs(20)).await;
        eprintln!("post_topics_50…");
        let fifty = measure(
            args,
            "post_topics_50",
            &format!(
                "create a post (personal) while @{} watches 50 topics that one post in twenty matches, the listener running",
                m.team
            ),
            "write",
            make,
            &watch,
            &pid_usage,
            secs,
        )
        .await;
        if let (Some(a), Some(b)) = (none.closed.as_ref(), fifty.closed.as_ref()) {
            eprintln!(
                "post_topics: {:.0} posts/s with none, {:.0} with 50 topics: cost ratio {:.2}",
                a.rate_per_s,
                b.rate_per_s,
                a.rate_per_s / b.rate_per_s.max(1e-9)
            );
        }
        if let (Some(a), Some(b)) = (none.open.as_ref(), fifty.open.as_ref()) {
            eprintln!(
                "post_topics: server p99 {:.2} ms with none, {:.2} ms with 50 topics",
                a.server_p99_ms, b.server_p99_ms
            );
        }
        run.scenarios.push(none);
        run.scenarios.push(fifty);
        // A later run on the same organisation starts without them.
        for id in made {
            client
                .delete(format!("{topics}/{id}"))
                .header("authorization", &admin)
                .send()
                .await?
                .error_for_status()
                .context("forgetting a benchmark topic")?;
        }
    }

    // A custodian's reveal: open the envelope, record the exposure, tell
    // the owners, append the audit event (#15: p99 at most 5 ms).
    if args.runs("vault_reveal") {
        let make = vault_reveals(&base, m, &admin).await?;
        eprintln!("vault_reveal…");
        let about = format!(
            "a custodian of @{} reveals a login (decrypt, exposure, owners notified, audited)",
            m.team
        );
        let result = measure(
            args,
            "vault_reveal",
            &about,
            "write",
            make,
            &watch,
            &pid_usage,
            secs,
        )
        .await;
        run.scenarios.push(result);
    }

    // Mixed: 200 clients, nine reads to each write.
    if args.runs("mixed") {
        eprintln!("mixed…");
        let read_makers: Vec<MakeRequest> = reads.iter().map(|r| r.make.clone()).collect();
        let write = create(&base, m.seed, &writers, None);
        let mixed: MakeRequest = Arc::new(move |c: &reqwest::Client, i: u64| {
            if i % 10 == 9 {
                write(c, i / 10)
            } else {
                read_makers[(i as usize * 7 + (i / 10) as usize) % read_makers.len()](c, i)
            }
        });
        let before = pid_usage();
        watch.take();
        let closed = load::closed_loop(mixed, 200, secs.max(Duration::from_secs(1))).await;
        let after = pid_usage();
        run.scenarios.push(ScenarioResult {
            name: "mixed".into(),
            about: "90 % reads (the scenarios above), 10 % posts, 200 concurrent clients".into(),
            kind: "mixed".into(),
            cpu_s_per_1k: per_1k(before, after, closed.requests),
            closed: Some(closed),
            peak_rss_mib: watch.take(),
            ..ScenarioResult::default()
        });
    }

    // Live events.
    if args.runs("live") {
        eprintln!("live events, {} subscribers…", m_subscribers(args, m));
        let k = m_subscribers(args, m);
        let tokens: Vec<String> = (2..(2 + k as i64)).map(|u| org::token(m.seed, u)).collect();
        let client = load::client();
        let announcer = bearer(m.seed, m.announcer_user);
        let post_base = base.clone();
        let posts = if args.smoke { 2 } else { 10 };
        let outcome =
            live::run(
                &server.address,
                tokens,
                posts,
                |i| {
                    let (client, announcer, post_base) =
                        (client.clone(), announcer.clone(), post_base.clone());
                    async move {
                        let v: serde_json::Value = client
                    .post(format!("{post_base}/api/v1/posts"))
                    .header("authorization", announcer)
                    .json(&serde_json::json!({"text": format!("Announcement {i} for everyone")}))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                        v["id"]
                            .as_str()
                            .map(str::to_owned)
                            .context("the new post has no id")
                    }
                },
                || pid_usage().rss_mib,
            )
            .await?;
        run.live = Some(outcome);
    }
    drop(watch);

    // The job runner's pace, on the running server.
    if args.runs("jobs") {
        let n = if args.smoke { 500 } else { 20_000 };
        eprintln!("job runner, {n} due jobs…");
        let probe = crate::jobs_probe::run(&store, n).await?;
        eprintln!(
            "  {} jobs in {:.2} s: {:.0} jobs/s",
            probe.jobs, probe.seconds, probe.per_second
        );
        run.jobs = Some(probe);
    }
    server.stop().await?;
    store.close().await;

    // The audit chain, by the operator's command.
    eprintln!("audit verify…");
    let out = target.command().arg("audit").arg("verify").output().await?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    run.audit_verify = parse_verify(&text);
    if !out.status.success() || run.audit_verify.is_none() {
        anyhow::bail!(
            "byline audit verify failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The vault's master key, rotated by the operator's command over many
    // entries (#15: at least 10,000 a second).
    if args.runs("vault_rotate") {
        let n = if args.smoke { 50 } else { 20_000 };
        let store = connect(target).await?;
        eprintln!("vault: sealing {n} entries…");
        fill_vault(&store, target, m, n).await?;
        store.close().await;
        eprintln!("vault rotate-key…");
        let out = target
            .command()
            .args(["vault", "rotate-key", "--grace-secs", "0"])
            .output()
            .await?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        run.vault_rotation = parse_rotation(&text);
        if !out.status.success() || run.vault_rotation.is_none() {
            anyhow::bail!(
                "byline vault rotate-key failed: {}{}",
                text,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = target.command().arg("vault").arg("verify").output().await?;
        if !out.status.success() {
            anyhow::bail!(
                "byline vault verify failed after rotation: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    Ok(run)
}

/// The team's members who act for it (owners and editors): (user, handle).
async fn team_custodians(base: &str, m: &Manifest, admin: &str) -> Result<Vec<String>> {
    let members: serde_json::Value = load::client()
        .get(format!("{base}/api/v1/shared-profiles/{}/members", m.team))
        .header("authorization", admin)
        .send()
        .await?
        .error_for_status()
        .context("listing the team's members")?
        .json()
        .await?;
    let handles: Vec<String> = members
        .as_array()
        .or_else(|| members["members"].as_array())
        .context("the members list")?
        .iter()
        .filter(|x| matches!(x["role"].as_str(), Some("owner" | "editor")))
        .filter_map(|x| x["handle"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(!handles.is_empty(), "the team has no owner or editor");
    Ok(handles)
}

/// Stores one login in the team's vault (or finds it from an earlier run)
/// and returns reveals of it by the team's writers, taking turns.
async fn vault_reveals(base: &str, m: &Manifest, admin: &str) -> Result<MakeRequest> {
    let custodians = team_custodians(base, m, admin).await?;
    let owner = bearer(
        m.seed,
        *m.team_writers.first().context("the team has writers")?,
    );
    let client = load::client();
    let vault = format!("{base}/api/v1/shared-profiles/{}/vault", m.team);
    let r = client
        .post(&vault)
        .header("authorization", &owner)
        .json(&serde_json::json!({
            "name": "Benchmark login",
            "kind": "login",
            "fields": {"username": "bench", "password": "bench-password-not-real"},
            "custodians": custodians,
        }))
        .send()
        .await?;
    anyhow::ensure!(
        r.status().is_success() || r.status() == reqwest::StatusCode::CONFLICT,
        "storing the benchmark secret: {}",
        r.status()
    );
    let list: serde_json::Value = client
        .get(&vault)
        .header("authorization", &owner)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = list["secrets"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "Benchmark login"))
        .and_then(|x| x["id"].as_str())
        .context("the benchmark secret")?
        .to_owned();
    let (url, users, seed) = (
        format!("{vault}/{id}/reveal"),
        m.team_writers.clone(),
        m.seed,
    );
    Ok(Arc::new(move |c: &reqwest::Client, i: u64| {
        let user = users[(i as usize) % users.len()];
        c.post(&url)
            .header("authorization", bearer(seed, user))
            .json(&serde_json::json!({}))
    }))
}

/// Seals `n` entries straight into the team's vault under the data
/// directory's master key, as the server would.
async fn fill_vault(store: &Store, target: &Target, m: &Manifest, n: u64) -> Result<()> {
    use byline_core::vault::{Envelope, MasterKey, SecretFields};
    let text =
        std::fs::read_to_string(target.data_dir.join("vault.key")).context("the vault key file")?;
    let key = MasterKey::parse(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let handle = byline_core::Handle::parse(&m.team).map_err(|e| anyhow::anyhow!("{e}"))?;
    let team = store.profiles().profile_by_handle(&handle).await?;
    let owner = *m.team_writers.first().context("the team has writers")?;
    let mut fields = SecretFields::default();
    fields.token = Some("bench-token-not-real".into());
    let plaintext = fields.to_plaintext().map_err(|e| anyhow::anyhow!("{e}"))?;
    let audit = byline_store::audit::AuditEntry::new(
        Some(owner),
        "vault.secret_add",
        String::new(),
        "bench",
    );
    let now = crate::jobs_probe::wall_now();
    let tag = now.micros();
    for i in 0..n {
        let uid = byline_core::vault::new_uid();
        let envelope =
            Envelope::seal(&key, &uid, &plaintext).map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = format!("Bench token {tag}-{i}");
        store
            .vault()
            .create_secret(
                &byline_store::vault::NewSecret {
                    uid: &uid,
                    profile_id: team.id,
                    channel_id: None,
                    name: &name,
                    kind: "api_token",
                    has_totp: false,
                    two_person: false,
                    envelope: &envelope,
                    custodians: &[owner],
                    created_by: owner,
                },
                &audit,
                now,
            )
            .await?;
    }
    Ok(())
}

/// Reads "… N entries re-wrapped in S s (R/s) …".
fn parse_rotation(text: &str) -> Option<VaultRotation> {
    let before = text.split(" entries re-wrapped in ").next()?;
    let entries: u64 = before.split_whitespace().last()?.parse().ok()?;
    let seconds: f64 = text
        .split(" entries re-wrapped in ")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(VaultRotation {
        entries,
        seconds,
        per_s: entries as f64 / seconds.max(1e-9),
    })
}

fn m_subscribers(args: &Args, m: &Manifest) -> usize {
    let k = org::Scale::named(&m.scale).map_or(100, |s| s.subscribers);
    if args.smoke { k.min(50) } else { k }
}

fn server_pid(server: &Server) -> u32 {
    server.pid()
}

fn per_1k(before: Usage, after: Usage, requests: u64) -> f64 {
    if requests == 0 {
        0.0
    } else {
        (after.cpu_seconds - before.cpu_seconds) / requests as f64 * 1000.0
    }
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    args: &Args,
    name: &str,
    about: &str,
    kind: &str,
    make: MakeRequest,
    watch: &RssWatch,
    usage: &(impl Fn() -> Usage + Clone),
    secs: Duration,
) -> ScenarioResult {
    watch.take();
    let rate = if kind == "write" {
        args.write_rate
    } else {
        args.read_rate
    };
    let open = load::open_loop(make.clone(), rate, secs, 512).await;
    let before = usage();
    let closed = load::closed_loop(make, 8, secs).await;
    let after = usage();
    ScenarioResult {
        name: name.to_owned(),
        about: about.to_owned(),
        kind: kind.to_owned(),
        cpu_s_per_1k: per_1k(before, after, closed.requests),
        open: Some(open),
        closed: Some(closed),
        peak_rss_mib: watch.take(),
        ..ScenarioResult::default()
    }
}

/// Reads "audit chain intact: N events verified in S s (R events/s)".
fn parse_verify(text: &str) -> Option<AuditVerify> {
    let rest = text.split("intact: ").nth(1)?;
    let events: u64 = rest.split_whitespace().next()?.parse().ok()?;
    let seconds: f64 = rest
        .split(" in ")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(AuditVerify {
        events,
        seconds,
        events_per_s: events as f64 / seconds.max(1e-9),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verify_line_is_read() {
        let v =
            parse_verify("audit chain intact: 1200 events verified in 0.004 s (300000 events/s)\n")
                .expect("parsed");
        assert_eq!(v.events, 1200);
        assert!((v.events_per_s - 300_000.0).abs() < 1.0);
        assert!(parse_verify("audit chain BROKEN").is_none());
    }

    #[test]
    fn the_same_seed_gives_the_same_tokens() {
        assert_eq!(org::token(1, 5), org::token(1, 5));
        assert_ne!(org::token(1, 5), org::token(2, 5));
    }
}
