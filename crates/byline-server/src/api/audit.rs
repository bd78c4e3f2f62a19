//! The audit log, for admins.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use byline_app::audit_log::{self, Format, MAX_PAGE};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(export))
        .routes(routes!(verify))
}

/// Paging through events.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Events after this sequence number (default 0).
    after: Option<i64>,
    /// Page size, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A page of audit events (each as in the JSON Lines export).
#[derive(Serialize, ToSchema)]
pub struct EventPage {
    /// Oldest first.
    #[schema(value_type = Vec<Object>)]
    events: Vec<serde_json::Value>,
}

/// Audit events in sequence order (admins).
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit", params(EventsQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Events", body = EventPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn list_events(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Json<EventPage>, AppError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::Invalid(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let events = audit_log::events(&state, &current, q.after.unwrap_or(0).max(0), limit).await?;
    Ok(Json(EventPage {
        events: events.iter().map(audit_log::to_json).collect(),
    }))
}

/// The export format.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `jsonl` (default) or `csv`.
    format: Option<String>,
}

/// The whole audit log as JSON Lines or CSV (admins).
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(ExportQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Every event: JSON Lines or CSV", content(
            (String = "application/jsonl"),
            (String = "text/csv"),
        )),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 422, description = "Unknown format", body = ErrorBody),
    ))]
async fn export(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let format = Format::parse(q.format.as_deref().unwrap_or("jsonl"))?;
    let body = audit_log::export_for(&state, &current, format).await?;
    let (content_type, name) = match format {
        Format::JsonLines => ("application/jsonl; charset=utf-8", "byline-audit.jsonl"),
        Format::Csv => ("text/csv; charset=utf-8", "byline-audit.csv"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The result of verifying the chain.
#[derive(Serialize, ToSchema)]
pub struct VerifyResult {
    /// Events checked and found intact.
    checked: u64,
    /// True when the whole chain verifies.
    intact: bool,
    /// The first problem found, naming its event.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_break: Option<String>,
}

/// Verify the whole hash chain (admins).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses(
        (status = 200, description = "Verification result", body = VerifyResult),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
    ))]
async fn verify(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<VerifyResult>, AppError> {
    let v = audit_log::verify(&state, &current).await?;
    Ok(Json(VerifyResult {
        checked: v.checked,
        intact: v.first_break.is_none(),
        first_break: v.first_break,
    }))
}
