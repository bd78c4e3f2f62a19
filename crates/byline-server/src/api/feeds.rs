//! Timelines.

use crate::api::views::PostPage;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use byline_app::bylines::BylineLens;
use byline_app::feeds;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(home))
        .routes(routes!(profile_posts))
        .routes(routes!(tag_posts))
        .routes(routes!(community_posts))
}

/// Paging through a timeline.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// The previous page's `next_cursor`.
    before: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Your home timeline: your posts, posts of profiles you follow, posts in your communities.
#[utoipa::path(get, path = "/api/v1/feeds/home", tag = "feeds", params(TimelineQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Newest first", body = PostPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn home(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<PostPage>, AppError> {
    let w = feeds::window(q.before.as_deref(), q.limit)?;
    Ok(Json(PostPage::new(
        feeds::home(&state, &current, w).await?,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}

/// A profile's posts that you may read.
#[utoipa::path(get, path = "/api/v1/profiles/{handle}/posts", tag = "feeds", params(("handle" = String, Path, description = "Handle"), TimelineQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Newest first", body = PostPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such profile", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn profile_posts(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<PostPage>, AppError> {
    let w = feeds::window(q.before.as_deref(), q.limit)?;
    Ok(Json(PostPage::new(
        feeds::profile(&state, &current, &handle, w).await?,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}

/// Posts with a hashtag that you may read.
#[utoipa::path(get, path = "/api/v1/tags/{tag}/posts", tag = "feeds", params(("tag" = String, Path, description = "Hashtag without #"), TimelineQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Newest first", body = PostPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Not a valid hashtag", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn tag_posts(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(tag): Path<String>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<PostPage>, AppError> {
    let w = feeds::window(q.before.as_deref(), q.limit)?;
    Ok(Json(PostPage::new(
        feeds::hashtag(&state, &current, &tag, w).await?,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}

/// A community's posts (members only, unless it is open).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/posts", tag = "feeds", params(("slug" = String, Path, description = "Community short name"), TimelineQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Newest first", body = PostPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Closed community: members only", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn community_posts(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(slug): Path<String>,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<PostPage>, AppError> {
    let w = feeds::window(q.before.as_deref(), q.limit)?;
    Ok(Json(PostPage::new(
        feeds::community(&state, &current, &slug, w).await?,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}
