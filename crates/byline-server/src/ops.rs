//! Operations endpoints: liveness, readiness, metrics and the API document.

use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::telemetry::render_metrics;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi_document))
}

/// Health or readiness.
#[derive(Serialize, ToSchema)]
pub struct Status {
    /// `ok` or `ready`.
    status: &'static str,
    /// `sqlite` or `postgres` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<&'static str>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "Up", body = Status)))]
async fn healthz() -> Json<Status> {
    Json(Status {
        status: "ok",
        backend: None,
    })
}

/// The database is reachable and fully migrated.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses((status = 200, description = "Ready", body = Status),
              (status = 503, description = "Database unreachable or not migrated", body = ErrorBody)))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Status>, AppError> {
    state.store.readiness().await.map_err(|e| {
        tracing::warn!(error = %e, "not ready");
        AppError::Unavailable
    })?;
    Ok(Json(Status {
        status: "ready",
        backend: Some(state.store.backend_name()),
    }))
}

/// Prometheus metrics: requests by route and status, latency histograms,
/// database pool state, and on SQLite the commits and the writes they held.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render_metrics(&state),
    )
}

/// This document: OpenAPI 3.1 generated from the routes themselves.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_document(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.clone(),
    )
}
