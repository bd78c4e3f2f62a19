//! Communities and their membership.

use crate::api::views::{CommunityList, CommunityView, MemberList};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::communities::{self, Joined, NewCommunity};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_communities, create_community))
        .routes(routes!(get_community))
        .routes(routes!(join_community))
        .routes(routes!(leave_community))
        .routes(routes!(list_members))
        .routes(routes!(list_requests))
        .routes(routes!(approve_request))
        .routes(routes!(invite))
}

/// Communities you may know exist.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities",
    responses((status = 200, description = "By name", body = CommunityList), (status = 401, description = "Not signed in", body = ErrorBody)))]
async fn list_communities(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<CommunityList>, AppError> {
    let list = communities::list(&state, &current).await?;
    Ok(Json(CommunityList {
        communities: list.into_iter().map(CommunityView::from).collect(),
    }))
}

/// A new community.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommunityRequest {
    /// Short name for URLs (2–30 of a-z, 0-9, -, _; starting with a letter).
    #[schema(min_length = 2, max_length = 31)]
    slug: String,
    /// Display name, 1–80 characters.
    #[schema(min_length = 1, max_length = 80)]
    name: String,
    /// About it, at most 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    description: String,
    /// `open`, `closed` or `secret`.
    #[schema(value_type = super::views::VisibilityName)]
    visibility: String,
}

/// Create a community; you become its owner.
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities", request_body = CreateCommunityRequest,
    responses(
        (status = 201, description = "Created", body = CommunityView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 409, description = "Short name taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
async fn create_community(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(b): ApiJson<CreateCommunityRequest>,
) -> Result<(StatusCode, Json<CommunityView>), AppError> {
    let c = communities::create(
        &state,
        &current,
        NewCommunity {
            slug: b.slug,
            name: b.name,
            description: b.description,
            visibility: b.visibility,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// One community (secret ones only for members and invitees).
#[utoipa::path(get, path = "/api/v1/communities/{slug}", tag = "communities",
    params(("slug" = String, Path, description = "Community short name")),
    responses(
        (status = 200, description = "The community", body = CommunityView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
    ))]
async fn get_community(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<CommunityView>, AppError> {
    Ok(Json(
        communities::visible_community(&state, &current, &slug)
            .await?
            .into(),
    ))
}

/// Join an open community, ask to join a closed one, or accept an invitation.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/join", tag = "communities",
    params(("slug" = String, Path, description = "Community short name")),
    responses(
        (status = 200, description = "Joined", body = CommunityView),
        (status = 202, description = "Asked; a moderator decides", body = CommunityView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
        (status = 409, description = "Already a member", body = ErrorBody),
    ))]
async fn join_community(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
) -> Result<(StatusCode, Json<CommunityView>), AppError> {
    let (c, outcome) = communities::join(&state, &current, &slug).await?;
    let status = if outcome == Joined::Member {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(c.into())))
}

/// Leave a community, withdraw a request or decline an invitation.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/leave", tag = "communities",
    params(("slug" = String, Path, description = "Community short name")),
    responses(
        (status = 204, description = "Left"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
        (status = 422, description = "Not a member, or the owner", body = ErrorBody),
    ))]
async fn leave_community(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    communities::leave(&state, &current, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Members of a community you may read.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members", tag = "communities",
    params(("slug" = String, Path, description = "Community short name")),
    responses(
        (status = 200, description = "Members", body = MemberList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
    ))]
async fn list_members(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<MemberList>, AppError> {
    Ok(Json(
        communities::members(&state, &current, &slug).await?.into(),
    ))
}

/// Requests to join, for moderators.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/requests", tag = "communities",
    params(("slug" = String, Path, description = "Community short name")),
    responses(
        (status = 200, description = "Pending requests", body = MemberList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Moderators only", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
    ))]
async fn list_requests(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Json<MemberList>, AppError> {
    Ok(Json(
        communities::requests(&state, &current, &slug).await?.into(),
    ))
}

/// Approve a request to join (moderators).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/requests/{handle}/approve", tag = "communities",
    params(("slug" = String, Path, description = "Community short name"), ("handle" = String, Path, description = "Who asked")),
    responses(
        (status = 204, description = "Now a member"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Moderators only", body = ErrorBody),
        (status = 404, description = "No such community or request", body = ErrorBody),
    ))]
async fn approve_request(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((slug, handle)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    communities::approve(&state, &current, &slug, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whom to invite.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Handle of the profile to invite.
    handle: String,
}

/// Invite a profile (moderators); the only way into a secret community.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/invitations", tag = "communities", request_body = InviteRequest,
    params(("slug" = String, Path, description = "Community short name")),
    responses(
        (status = 204, description = "Invited"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Moderators only", body = ErrorBody),
        (status = 404, description = "No such community or profile", body = ErrorBody),
        (status = 409, description = "Already a member", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Body does not fit", body = ErrorBody),
    ))]
async fn invite(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<InviteRequest>,
) -> Result<StatusCode, AppError> {
    communities::invite(&state, &current, &slug, &b.handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
