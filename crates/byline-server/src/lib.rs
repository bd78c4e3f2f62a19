//! Byline's HTTP face: the JSON API under `/api/v1`, the server-rendered web
//! UI, sessions and tokens, and the operations endpoints. Every handler
//! parses, calls one service of `byline_app`, and renders.

mod api;
pub mod auth;
pub mod error;
mod json;
mod ops;
mod pages;
pub mod state;
pub mod telemetry;

pub use state::{AppState, Settings};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, Uri, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use byline_store::Store;
use error::AppError;
use std::future::Future;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The content security policy: nothing inline, nothing from elsewhere.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The OpenAPI document for every route, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    all_routes().split_for_parts().1
}

fn all_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::documented_router()
        .merge(ops::routes())
        .merge(pages::routes())
}

/// Builds the whole application over `store`.
pub fn app(store: Store, settings: Settings) -> Router {
    app_and_state(store, settings).0
}

/// [`app`], with the state its handlers share (whose services the job
/// runner uses too, so that its work reaches live streams).
fn app_and_state(store: Store, settings: Settings) -> (Router, AppState) {
    // Install the recorder before the first request is counted.
    telemetry::prometheus();
    let (router, api) = all_routes().split_for_parts();
    let openapi_json = Bytes::from(api.to_pretty_json().unwrap_or_else(|_| "{}".to_owned()));
    let max_body = settings.max_body_bytes;
    let state = AppState::new(store, settings, openapi_json);

    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let router = router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), telemetry::time_limit))
        .layer(middleware::from_fn(telemetry::observe))
        .layer(headers)
        .layer(CompressionLayer::new())
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request| {
                            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                            // The path only: query strings may carry cursors or search terms.
                            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                        })
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
        .with_state(state.clone());
    (router, state)
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::NotFound.into_response()
    } else {
        pages::not_found_page()
    }
}

async fn method_not_allowed(method: Method) -> Response {
    let mut r = AppError::BadRequest(format!("{method} is not supported here")).into_response();
    *r.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    r
}

/// A client must send its request line and headers within this, or the
/// connection is closed (slow-header clients cannot hold connections open).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest wait for requests in flight at shutdown (open event streams
/// never end on their own).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Serves `app` on `listener` until `shutdown` completes; requests in flight
/// then finish, and the database pool is closed only after they have.
/// HTTP/1.1 with a header read timeout; the body and the handler are bounded
/// by the request timeout of `settings`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let mut settings = settings;
    // A channel may not point back here (a loop, or the server calling its
    // own API on someone's behalf).
    if let Ok(local) = listener.local_addr() {
        settings
            .channels
            .own_addresses
            .push(byline_core::channel::OwnAddress {
                host: local.ip().to_string(),
                port: local.port(),
            });
    }
    let (app, state) = app_and_state(store.clone(), settings);
    let handlers = byline_app::listening::job_handlers(byline_app::publishing::job_handlers(
        byline_app::channels::job_handlers(byline_app::vault::job_handlers(
            byline_app::tickets::job_handlers(byline_app::jobs::Handlers::new()),
        )),
    ));
    if let Err(e) = byline_app::listening::keep_listening(&state.app, byline_app::now()).await {
        tracing::warn!(error = %e, "cannot schedule the listener");
    }
    if let Err(e) =
        byline_app::listening::digest::keep_digesting(&state.app, byline_app::now()).await
    {
        tracing::warn!(error = %e, "cannot schedule the weekly digest");
    }
    if let Err(e) = byline_app::vault::resume_reminders(&state.app).await {
        tracing::warn!(error = %e, "cannot schedule the vault's rotation reminders");
    }
    let runner = byline_app::jobs::Runner::new(
        state.app.clone(),
        handlers,
        byline_app::jobs::RunnerSettings::default(),
    );
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = tokio::spawn(runner.run(async {
        let _ = jobs_stopped.await;
    }));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after the drain timeout");
    }
    // The runner finishes the pass it is in (a job still running after the
    // wait is claimed again when its lease runs out), then takes no more.
    let _ = stop_jobs.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), jobs).await;
    store.close().await;
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
