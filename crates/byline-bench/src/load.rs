//! Load generation. Open loop sends at a fixed rate and times each request
//! from the moment it was due, not from when it was sent, so a server that
//! stalls is charged for the requests queued behind the stall (coordinated
//! omission). Closed loop keeps N connections busy to find the most the
//! server can do.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Builds the `i`-th request of a scenario.
pub type MakeRequest = Arc<dyn Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync>;

/// Latencies and outcomes of one run.
pub struct Recorder {
    /// As the client saw them, µs.
    client: Histogram<u64>,
    /// As the server reported them (Server-Timing), µs.
    server: Histogram<u64>,
    ok: u64,
    errors: u64,
    first_error: Option<String>,
}

/// A run's figures, in milliseconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Requests answered with success.
    pub requests: u64,
    /// Requests that failed (non-2xx or transport errors).
    pub errors: u64,
    /// The first failure, for the report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// Successful requests per second over the run.
    pub rate_per_s: f64,
    /// Client-side latency percentiles (ms).
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Server time (Server-Timing) median, ms.
    pub server_p50_ms: f64,
    /// Server time 99th percentile, ms.
    pub server_p99_ms: f64,
}

fn histogram() -> Histogram<u64> {
    // 1 µs to 10 minutes at three significant figures; the bounds are
    // constants, so this cannot fail.
    Histogram::new_with_bounds(1, 600_000_000, 3).unwrap_or_else(|_| {
        Histogram::new(3).unwrap_or_else(|_| unreachable!("3 significant figures is valid"))
    })
}

impl Default for Recorder {
    fn default() -> Recorder {
        Recorder {
            client: histogram(),
            server: histogram(),
            ok: 0,
            errors: 0,
            first_error: None,
        }
    }
}

impl Recorder {
    /// Records one outcome that took `took`.
    pub fn record(&mut self, took: Duration, outcome: Result<Option<u64>, String>) {
        match outcome {
            Ok(server_us) => {
                self.ok += 1;
                self.client
                    .saturating_record(u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1));
                if let Some(us) = server_us {
                    self.server.saturating_record(us.max(1));
                }
            }
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    /// The figures, with throughput over `elapsed`.
    pub fn summary(&self, elapsed: Duration) -> Summary {
        let ms = |h: &Histogram<u64>, q: f64| {
            if h.is_empty() {
                0.0
            } else {
                h.value_at_quantile(q) as f64 / 1000.0
            }
        };
        Summary {
            requests: self.ok,
            errors: self.errors,
            first_error: self.first_error.clone(),
            rate_per_s: self.ok as f64 / elapsed.as_secs_f64().max(1e-9),
            p50_ms: ms(&self.client, 0.5),
            p90_ms: ms(&self.client, 0.9),
            p99_ms: ms(&self.client, 0.99),
            max_ms: self.client.max() as f64 / 1000.0,
            server_p50_ms: ms(&self.server, 0.5),
            server_p99_ms: ms(&self.server, 0.99),
        }
    }
}

/// A client for load: no timeouts shorter than a stall we want to see.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(30))
        // A redirect is the answer measured (short links), not followed.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Sends a request and reads the whole answer; Ok carries the server's
/// own time in µs when it said.
pub async fn send(request: reqwest::RequestBuilder) -> Result<Option<u64>, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let status = response.status();
    let server_us = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.split([';', ',']).next())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|ms| (ms * 1000.0) as u64);
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading the body: {e}"))?;
    if !status.is_success() && !status.is_redirection() {
        let text = String::from_utf8_lossy(&body);
        return Err(format!(
            "{status}: {}",
            text.chars().take(200).collect::<String>()
        ));
    }
    Ok(server_us)
}

/// Sends `rate` requests per second for `duration`, each timed from when
/// it was due. At most `in_flight` are outstanding; a request that waits
/// for a slot is still timed from when it was due.
pub async fn open_loop(
    make: MakeRequest,
    rate: f64,
    duration: Duration,
    in_flight: usize,
) -> Summary {
    let client = client();
    let recorder = Arc::new(Mutex::new(Recorder::default()));
    let slots = Arc::new(Semaphore::new(in_flight));
    let total = (rate * duration.as_secs_f64()).ceil().max(1.0) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now() + Duration::from_millis(5);
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let request = make(&client, i);
        let recorder = recorder.clone();
        tokio::spawn(async move {
            let outcome = send(request).await;
            let took = due.elapsed();
            if let Ok(mut r) = recorder.lock() {
                r.record(took, outcome);
            }
            drop(permit);
        });
    }
    let _ = slots.acquire_many(in_flight as u32).await;
    let elapsed = start.elapsed();
    let r = recorder.lock().map(|r| r.summary(elapsed));
    r.unwrap_or_default()
}

/// Keeps `connections` requests outstanding for `duration`.
pub async fn closed_loop(make: MakeRequest, connections: usize, duration: Duration) -> Summary {
    let client = client();
    let recorder = Arc::new(Mutex::new(Recorder::default()));
    let start = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (client, make, recorder, next) =
            (client.clone(), make.clone(), recorder.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            while start.elapsed() < duration {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sent = Instant::now();
                let outcome = send(make(&client, i)).await;
                if let Ok(mut r) = recorder.lock() {
                    r.record(sent.elapsed(), outcome);
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let elapsed = start.elapsed();
    let r = recorder.lock().map(|r| r.summary(elapsed));
    r.unwrap_or_default()
}

/// Times `times` runs of `f` (a direct database query) one after another.
pub async fn direct<F, Fut>(times: u64, mut f: F) -> Summary
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut r = Recorder::default();
    let start = Instant::now();
    for i in 0..times {
        let t = Instant::now();
        let outcome = f(i).await.map(|()| None);
        r.record(t.elapsed(), outcome);
    }
    r.summary(start.elapsed())
}
