//! Durable jobs with two `byline serve` processes on one PostgreSQL
//! database: a few hundred solved tickets come due for closing while both
//! run, and each close is claimed once, by one of them, and done once.
//! Needs `BYLINE_TEST_DATABASE_URL` (skipped without it, failing under CI).

mod desk;
mod support;

use byline_store::testing::{Kind, TestDatabase};
use std::collections::HashMap;
use support::{PASSWORD, Place, client, sign_in};

/// Tickets opened, solved and then closed by a job.
const TICKETS: usize = 300;
/// Requesters at once, half on each server.
const REQUESTERS: usize = 4;
/// Seconds from starting the two servers until the first close is due
/// (time enough for both debug servers to be up on a busy machine: the
/// closes come due within a few seconds of each other, since the tickets
/// are opened and solved quickly).
const LEAD_SECS: i64 = 12;

fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A server that is stopped when the test ends, passed or not.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server's `/metrics` counter `name` for the auto-close kind (summed
/// over its other labels, restricted to `outcome` when given).
async fn auto_close_counter(url: &str, name: &str, outcome: Option<&str>) -> f64 {
    let text = client(url)
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .filter(|l| {
            l.starts_with(&format!("{name}{{"))
                && l.contains("kind=\"ticket.auto_close\"")
                && outcome.is_none_or(|o| l.contains(&format!("outcome=\"{o}\"")))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_run_each_job_exactly_once() {
    let Some(db) = TestDatabase::new(Kind::Postgres).await else {
        return;
    };
    let place = Place::new(&db);
    let (ok, out) = place.run(&["migrate"], None);
    assert!(ok, "{out}");
    let mut people = vec![("ada".to_owned(), true), ("wes".to_owned(), false)];
    people.extend((0..REQUESTERS).map(|w| (format!("req{w}"), false)));
    for (handle, admin) in &people {
        let email = format!("{handle}@example.com");
        let mut args = vec!["admin", "create-user", "--email", &email, "--name", handle];
        if *admin {
            args.push("--admin");
        }
        args.push("--password-stdin");
        let (ok, out) = place.run(&args, Some(&format!("{PASSWORD}\n")));
        assert!(ok, "{out}");
    }
    // First a server on today's clock: requesters open tickets that an
    // agent solves, each scheduling its close a day later.
    let started = unix_seconds();
    let (first, url) = place.serve();
    let first = Running(first);
    let ada = sign_in(&url, "ada@example.com").await;
    desk::set_up(&ada, &url, "wes").await;
    let mut tasks = Vec::new();
    for w in 0..REQUESTERS {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let requester = sign_in(&url, &format!("req{w}@example.com")).await;
            let agent = sign_in(&url, "wes@example.com").await;
            let mut solved = Vec::new();
            for i in (w..TICKETS).step_by(REQUESTERS) {
                let text = format!("request {i}");
                match desk::open_and_solve(&requester, &agent, &url, &text).await {
                    Ok(desk::Outcome::Solved(n)) => {
                        solved.push(n);
                        // Spread the solves, and so the closes, over some
                        // seconds: both runners poll once a second and
                        // claim up to 200 at a time, so closes all due in
                        // the same second could fall to whichever looks
                        // first, which says nothing about sharing.
                        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
                    }
                    Ok(desk::Outcome::Gone) => panic!("{url} went away"),
                    Err(refused) => panic!("{refused}"),
                }
            }
            solved
        }));
    }
    let mut solved = Vec::new();
    for t in tasks {
        solved.extend(t.await.expect("requester"));
    }
    assert_eq!(solved.len(), TICKETS);
    drop(first);

    // Then two servers whose clocks run almost a day ahead: the closes
    // come due a few seconds after both are up, in the order they were
    // solved, while both runners are looking.
    let offset = desk::DAY - (unix_seconds() - started) - LEAD_SECS;
    let ahead = [("BYLINE_FAULT_CLOCK_OFFSET_SECS", offset.to_string())];
    let (one, url_one) = place.serve_with(&ahead);
    let _one = Running(one);
    let (two, url_two) = place.serve_with(&ahead);
    let _two = Running(two);
    let urls = [url_one.clone(), url_two];
    let ada = sign_in(&url_one, "ada@example.com").await;
    let wes = sign_in(&url_one, "wes@example.com").await;
    let closed = desk::assert_closed_exactly_once(&ada, &wes, &url_one, &solved).await;
    assert_eq!(closed, TICKETS);

    // Each job was claimed once, by one process or the other, and both
    // had a share.
    let mut claims = HashMap::new();
    let mut done = 0.0;
    for url in &urls {
        claims.insert(
            url.clone(),
            auto_close_counter(url, "jobs_claimed_total", None).await,
        );
        done += auto_close_counter(url, "jobs_run_total", Some("done")).await;
    }
    let total: f64 = claims.values().sum();
    eprintln!("two servers on PostgreSQL: {TICKETS} closes, claims per process {claims:?}");
    assert_eq!(total, TICKETS as f64, "each close was claimed exactly once");
    assert_eq!(done, TICKETS as f64, "each close was reported done once");
    for (url, n) in &claims {
        assert!(*n > 0.0, "the server at {url} claimed some closes");
    }
    drop(db);
}
