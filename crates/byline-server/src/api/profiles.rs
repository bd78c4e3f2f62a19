//! Profiles by handle.

use crate::api::views::ProfileView;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_profile))
        .routes(routes!(follow, unfollow))
}

/// A profile by its handle (with or without `@`).
#[utoipa::path(
    get, path = "/api/v1/profiles/{handle}", tag = "profiles",
    params(("handle" = String, Path, description = "Handle, e.g. `jane` or `@jane`")),
    responses(
        (status = 200, description = "The profile", body = ProfileView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such profile", body = ErrorBody),
    )
)]
async fn get_profile(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<ProfileView>, AppError> {
    Ok(Json(
        byline_app::profiles::get(&state, &current, &handle)
            .await?
            .into(),
    ))
}

/// Follow a profile: its posts join your home timeline.
#[utoipa::path(
    put, path = "/api/v1/profiles/{handle}/follow", tag = "profiles",
    params(("handle" = String, Path, description = "Handle to follow")),
    responses(
        (status = 204, description = "Following"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such profile", body = ErrorBody),
        (status = 422, description = "You cannot follow yourself", body = ErrorBody),
    )
)]
async fn follow(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<StatusCode, AppError> {
    byline_app::follows::follow(&state, &current, &handle, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop following a profile.
#[utoipa::path(
    delete, path = "/api/v1/profiles/{handle}/follow", tag = "profiles",
    params(("handle" = String, Path, description = "Handle to unfollow")),
    responses(
        (status = 204, description = "Not following"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such profile", body = ErrorBody),
        (status = 422, description = "You cannot follow yourself", body = ErrorBody),
    )
)]
async fn unfollow(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<StatusCode, AppError> {
    byline_app::follows::follow(&state, &current, &handle, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
