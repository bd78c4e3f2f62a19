//! Investigators and investigations.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, parse_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::investigations;
use byline_core::Timestamp;
use byline_store::investigations::Investigation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(grant, withdraw))
        .routes(routes!(list_mine, open))
        .routes(routes!(reveal))
        .routes(routes!(close))
        .routes(routes!(touching))
}

/// An investigation (without its findings).
#[derive(Serialize, ToSchema)]
pub struct InvestigationView {
    /// Opaque id.
    id: String,
    /// Who opened it.
    investigator: String,
    /// Why.
    reason: String,
    /// The shared profile in scope.
    profile: String,
    /// Window start (RFC 3339).
    from: String,
    /// Window end (RFC 3339, exclusive).
    to: String,
    /// When it was opened.
    opened_at: String,
    /// When it was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_at: Option<String>,
    /// Its outcome, once closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
}

impl From<Investigation> for InvestigationView {
    fn from(i: Investigation) -> InvestigationView {
        InvestigationView {
            id: i.id.to_string(),
            investigator: i.investigator_handle,
            reason: i.reason,
            profile: i.profile_handle,
            from: Timestamp(i.window_from).to_rfc3339(),
            to: Timestamp(i.window_to).to_rfc3339(),
            opened_at: Timestamp(i.opened_at).to_rfc3339(),
            closed_at: i.closed_at.map(|t| Timestamp(t).to_rfc3339()),
            outcome: i.outcome,
        }
    }
}

/// Investigations.
#[derive(Serialize, ToSchema)]
pub struct InvestigationList {
    /// Newest first.
    investigations: Vec<InvestigationView>,
}

/// Grant someone the investigator right (admins).
#[utoipa::path(put, path = "/api/v1/investigators/{handle}", tag = "investigations",
    params(("handle" = String, Path, description = "The person's handle")),
    responses((status = 204, description = "Granted"), (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 403, description = "Admins only", body = ErrorBody), (status = 404, description = "No such person", body = ErrorBody)))]
async fn grant(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<StatusCode, AppError> {
    investigations::set_investigator(&state, &current, &handle, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw the investigator right (admins).
#[utoipa::path(delete, path = "/api/v1/investigators/{handle}", tag = "investigations",
    params(("handle" = String, Path, description = "The person's handle")),
    responses((status = 204, description = "Withdrawn"), (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 403, description = "Admins only", body = ErrorBody), (status = 404, description = "No such person", body = ErrorBody)))]
async fn withdraw(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<StatusCode, AppError> {
    investigations::set_investigator(&state, &current, &handle, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your investigations.
#[utoipa::path(get, path = "/api/v1/investigations", tag = "investigations",
    responses((status = 200, description = "Yours", body = InvestigationList), (status = 401, description = "Not signed in", body = ErrorBody)))]
async fn list_mine(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<InvestigationList>, AppError> {
    let list = investigations::mine(&state, &current).await?;
    Ok(Json(InvestigationList {
        investigations: list.into_iter().map(InvestigationView::from).collect(),
    }))
}

/// A new investigation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    /// The shared profile's handle.
    profile: String,
    /// Why (10–2000 characters); the profile's owners will see it.
    reason: String,
    /// Window start, RFC 3339 with offset (optional when `posts` are named).
    #[serde(default)]
    from: Option<String>,
    /// Window end (exclusive), RFC 3339 with offset.
    #[serde(default)]
    to: Option<String>,
    /// Specific posts of the profile (ids); only their bylines are revealed.
    #[serde(default)]
    posts: Vec<String>,
}

/// Open an investigation (investigators).
#[utoipa::path(post, path = "/api/v1/investigations", tag = "investigations", request_body = OpenRequest,
    responses(
        (status = 201, description = "Opened", body = InvestigationView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Investigators only", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "No reason, bad window or not a shared profile", body = ErrorBody),
    ))]
async fn open(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(b): ApiJson<OpenRequest>,
) -> Result<(StatusCode, Json<InvestigationView>), AppError> {
    let i = investigations::open(
        &state,
        &current,
        investigations::Scope {
            profile: &b.profile,
            from: b.from.as_deref(),
            to: b.to.as_deref(),
            posts: &b.posts,
        },
        &b.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

/// A byline revealed by an investigation.
#[derive(Serialize, ToSchema)]
pub struct RevealedView {
    /// `post` (its current text), `version` (an earlier, edited or
    /// deleted text of the post) or `message`.
    kind: String,
    /// The post, for posts and versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    post: Option<String>,
    /// The message, for messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// When these words were written (RFC 3339).
    at: String,
    /// The words.
    text: String,
    /// The writer's handle.
    handle: String,
    /// The writer's name.
    display_name: String,
    /// The acting session.
    session: String,
    /// Where the writer was.
    source_address: String,
}

/// What an investigation reveals.
#[derive(Serialize, ToSchema)]
pub struct Revealed {
    /// The investigation.
    investigation: InvestigationView,
    /// Every post in scope with its writer.
    bylines: Vec<RevealedView>,
}

/// Reveal the bylines in your open investigation's scope (audited).
#[utoipa::path(get, path = "/api/v1/investigations/{id}/bylines", tag = "investigations",
    params(("id" = String, Path, description = "Investigation id")),
    responses(
        (status = 200, description = "Revealed", body = Revealed),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such investigation of yours", body = ErrorBody),
        (status = 422, description = "Closed", body = ErrorBody),
    ))]
async fn reveal(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Revealed>, AppError> {
    let (inv, bylines) = investigations::reveal(&state, &current, parse_id(&id)?).await?;
    Ok(Json(Revealed {
        investigation: inv.into(),
        bylines: bylines
            .into_iter()
            .map(|b| RevealedView {
                kind: b.kind,
                post: b.post_id.map(|p| p.to_string()),
                message: b.message_id.map(|m| m.to_string()),
                at: Timestamp(b.at).to_rfc3339(),
                text: b.body,
                handle: b.handle,
                display_name: b.display_name,
                session: b.acting_session_id.to_string(),
                source_address: b.source_address,
            })
            .collect(),
    }))
}

/// How an investigation ended.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// The outcome, 1–2000 characters.
    outcome: String,
}

/// Close an investigation with its outcome (its investigator or an admin).
#[utoipa::path(post, path = "/api/v1/investigations/{id}/close", tag = "investigations", request_body = CloseRequest,
    params(("id" = String, Path, description = "Investigation id")),
    responses(
        (status = 200, description = "Closed", body = InvestigationView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such open investigation of yours", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "No outcome", body = ErrorBody),
    ))]
async fn close(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CloseRequest>,
) -> Result<Json<InvestigationView>, AppError> {
    Ok(Json(
        investigations::close(&state, &current, parse_id(&id)?, &b.outcome)
            .await?
            .into(),
    ))
}

/// Investigations that touched a shared profile (its owners and admins): who, when, why.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/investigations", tag = "investigations",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Investigations", body = InvestigationList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such profile", body = ErrorBody),
    ))]
async fn touching(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<InvestigationList>, AppError> {
    let list = investigations::touching(&state, &current, &handle).await?;
    Ok(Json(InvestigationList {
        investigations: list.into_iter().map(InvestigationView::from).collect(),
    }))
}
