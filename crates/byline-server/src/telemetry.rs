//! Request ids, request metrics and the request time limit.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any (errors quote it).
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Latency buckets in seconds, fine at the low end where Byline should live.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process-wide Prometheus recorder (metrics macros are global, so one
/// recorder serves every server in the process, including tests).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then our
        // handle still renders (empty) text rather than taking the process down.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Puts the request id in scope, counts the request and times it under its
/// route pattern (never the raw path, which would explode label counts).
pub async fn observe(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(request_id, next.run(req)).await;
    let elapsed = started.elapsed();
    // Server-Timing lets a client (the browser's network panel, the
    // benchmark) tell the server's own time from the network's and its own.
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("app;dur={:.3}", elapsed.as_secs_f64() * 1000.0))
    {
        response.headers_mut().insert("server-timing", v);
    }
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    response
}

/// Stops a request that runs past the configured limit with our error shape.
pub async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.settings.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout.into_response(),
    }
}

/// Renders every metric, with the database pool sampled now.
pub fn render_metrics(state: &AppState) -> String {
    let pool = state.store.pool_state();
    metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(pool.size));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("db_pool_connections_max").set(f64::from(pool.max));
    if let Some(commits) = state.store.commit_figures() {
        metrics::counter!("db_commits_total").absolute(commits.commits);
        metrics::counter!("db_committed_writes_total").absolute(commits.writes);
    }
    let handle = prometheus();
    handle.run_upkeep();
    handle.render()
}
