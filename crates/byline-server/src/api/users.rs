//! User accounts, managed by admins.

use crate::api::views::{RoleName, UserPage, UserView};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery, parse_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::accounts::{self, Registration};
use byline_core::Role;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(deactivate_user))
        .routes(routes!(reset_password))
}

/// Most users returned in one page.
const MAX_PAGE: u32 = 100;

/// Paging through a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Cursor from the previous page's `next_cursor`.
    after: Option<String>,
    /// Page size, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Every account, for admins.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses(
        (status = 200, description = "A page of users", body = UserPage),
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<UserPage>, AppError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::Invalid(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| AppError::Invalid("that cursor is not valid".into()))?,
    };
    let users = accounts::list_users(&state, &current, after, limit).await?;
    let next_cursor = (users.len() == limit as usize)
        .then(|| users.last().map(|u| u.id.to_string()))
        .flatten();
    Ok(Json(UserPage {
        users: users.into_iter().map(UserView::from).collect(),
        next_cursor,
    }))
}

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Work email (unique).
    email: String,
    /// Shown name, 1–80 characters.
    display_name: String,
    /// Personal profile handle (unique); derived from the email if absent.
    handle: Option<String>,
    /// Initial password, at least 10 characters.
    password: String,
    /// `staff` (default) or `admin`.
    role: Option<RoleName>,
}

/// Create an account (admins).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 409, description = "Email or handle taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid email, handle, name or password", body = ErrorBody),
    )
)]
async fn create_user(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserView>), AppError> {
    let registration = Registration {
        email: body.email,
        display_name: body.display_name,
        handle: body.handle,
        password: body.password,
        role: body.role.map_or(Role::Staff, Role::from),
    };
    let user = accounts::create_user(&state, &current, registration).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One account (admins).
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
async fn get_user(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<UserView>, AppError> {
    Ok(Json(
        byline_app::accounts::user(&state, &current, parse_id(&id)?)
            .await?
            .into(),
    ))
}

/// Changes to an account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New role: `staff` or `admin`.
    role: RoleName,
}

/// Change an account's role (admins).
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUserRequest,
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown role", body = ErrorBody),
    )
)]
async fn update_user(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserView>, AppError> {
    let user = accounts::set_role(&state, &current, parse_id(&id)?, body.role.into()).await?;
    Ok(Json(user.into()))
}

/// Deactivate an account (admins): its sessions and tokens end at once.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/deactivate", tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "Deactivated", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only; admins cannot deactivate themselves", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
async fn deactivate_user(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<UserView>, AppError> {
    let user = accounts::deactivate(&state, &current, parse_id(&id)?).await?;
    Ok(Json(user.into()))
}

/// A new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// At least 10 characters.
    password: String,
}

/// Set a new password for an account (admins); its sessions end.
#[utoipa::path(
    put, path = "/api/v1/users/{id}/password", tag = "users", request_body = ResetPasswordRequest,
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Password replaced"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Password too short or long", body = ErrorBody),
    )
)]
async fn reset_password(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResetPasswordRequest>,
) -> Result<StatusCode, AppError> {
    accounts::reset_password(&state, &current, parse_id(&id)?, body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
