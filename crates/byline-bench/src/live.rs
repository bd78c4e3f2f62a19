//! Live events at scale: K subscribers hold `/api/v1/me/events` open while
//! a profile they all follow posts; each post is timed from its
//! acknowledgement to its arrival at every subscriber.

use anyhow::{Context, Result, bail};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// What the live-events scenario found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LiveOutcome {
    /// Subscribers connected.
    pub subscribers: usize,
    /// Posts published.
    pub posts: usize,
    /// Deliveries expected (subscribers × posts) and received.
    pub expected: u64,
    /// Deliveries received.
    pub delivered: u64,
    /// Post request sent to arrival, per delivery, ms.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest delivery.
    pub max_ms: f64,
    /// Per post, until the last subscriber had it: the median over posts, ms.
    pub all_reached_p50_ms: f64,
    /// The slowest post to reach everyone, ms.
    pub all_reached_max_ms: f64,
    /// Seconds to connect every subscriber.
    pub connect_seconds: f64,
    /// Server RSS while holding them, MiB.
    pub server_rss_mib: f64,
}

type Arrivals = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

/// Opens one stream and records each `post` event's arrival.
async fn subscribe(address: String, token: String, arrivals: Arrivals) -> Result<()> {
    let mut stream = TcpStream::connect(&address).await?;
    let request = format!(
        "GET /api/v1/me/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut lines = BufReader::new(stream).lines();
    let status = lines.next_line().await?.unwrap_or_default();
    if !status.contains(" 200 ") {
        bail!("the event stream answered '{status}'");
    }
    let arrivals_for = arrivals.clone();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut ready = Some(ready_tx);
        let mut event = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.is_empty() {
                // End of the response head: the stream is open.
                if let Some(r) = ready.take() {
                    let _ = r.send(());
                }
                event.clear();
            } else if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_owned();
            } else if let Some(data) = line.strip_prefix("data: ")
                && event == "post"
            {
                let at = Instant::now();
                let id = data.split('"').nth(3).unwrap_or_default().to_owned();
                if let Ok(mut a) = arrivals_for.lock() {
                    a.entry(id).or_default().push(at);
                }
            }
        }
    });
    ready_rx
        .await
        .context("the stream closed before it opened")?;
    Ok(())
}

/// Connects `tokens.len()` subscribers, has `post` publish `posts` posts a
/// second apart, and waits (up to 30 s a post) for every delivery.
pub async fn run<P, Fut>(
    address: &str,
    tokens: Vec<String>,
    posts: usize,
    mut post: P,
    rss: impl Fn() -> f64,
) -> Result<LiveOutcome>
where
    P: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let subscribers = tokens.len();
    let started = Instant::now();
    // A few hundred handshakes at a time, as browsers arriving would.
    let gate = Arc::new(Semaphore::new(256));
    let mut joins = Vec::with_capacity(subscribers);
    for token in tokens {
        let (address, arrivals, gate) = (address.to_owned(), arrivals.clone(), gate.clone());
        joins.push(tokio::spawn(async move {
            let _slot = gate.acquire_owned().await;
            subscribe(address, token, arrivals).await
        }));
    }
    for j in joins {
        j.await.context("a subscriber task failed")??;
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let server_rss_mib = rss();

    let mut deliveries = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3)?;
    let mut all_reached = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3)?;
    let mut delivered = 0u64;
    for i in 0..posts {
        // Timed from sending the post, not from its acknowledgement: the
        // events often arrive before the answer does.
        let acked = Instant::now();
        let id = post(i).await?;
        let deadline = acked + Duration::from_secs(30);
        loop {
            let got = arrivals
                .lock()
                .map(|a| a.get(&id).map_or(0, Vec::len))
                .unwrap_or(0);
            if got >= subscribers || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let times = arrivals
            .lock()
            .map(|a| a.get(&id).cloned().unwrap_or_default())
            .unwrap_or_default();
        let mut last = 0u64;
        for t in &times {
            let us =
                u64::try_from(t.saturating_duration_since(acked).as_micros()).unwrap_or(u64::MAX);
            deliveries.saturating_record(us.max(1));
            last = last.max(us);
        }
        delivered += times.len() as u64;
        if times.len() >= subscribers {
            all_reached.saturating_record(last.max(1));
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    let ms = |h: &Histogram<u64>, q: f64| {
        if h.is_empty() {
            0.0
        } else {
            h.value_at_quantile(q) as f64 / 1000.0
        }
    };
    Ok(LiveOutcome {
        subscribers,
        posts,
        expected: (subscribers * posts) as u64,
        delivered,
        p50_ms: ms(&deliveries, 0.5),
        p99_ms: ms(&deliveries, 0.99),
        max_ms: deliveries.max() as f64 / 1000.0,
        all_reached_p50_ms: ms(&all_reached, 0.5),
        all_reached_max_ms: all_reached.max() as f64 / 1000.0,
        connect_seconds,
        server_rss_mib,
    })
}
