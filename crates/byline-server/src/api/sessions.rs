//! Signing in and out through the API.

use crate::api::views::UserView;
use crate::auth::{Client, CurrentUser, SESSION_COOKIE, cookie, set_cookie};
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_app::accounts;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
}

/// Credentials for signing in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Work email.
    email: String,
    /// Password.
    password: String,
}

/// Sign in with email and password; sets the session cookie.
#[utoipa::path(
    post, path = "/api/v1/sessions", tag = "sessions", security(()),
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in; `Set-Cookie` carries the session", body = UserView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Email and password do not match an active account", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Body does not fit the schema", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    )
)]
async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<Response, AppError> {
    let previous = cookie(&headers, SESSION_COOKIE);
    let signed_in =
        accounts::sign_in(&state, &body.email, body.password, &client, previous).await?;
    let max_age = i64::try_from(state.settings.session_idle.as_secs()).unwrap_or(i64::MAX);
    let set = set_cookie(
        SESSION_COOKIE,
        &signed_in.cookie_value,
        max_age,
        state.settings.secure_cookies,
    );
    Ok((
        StatusCode::CREATED,
        [(header::SET_COOKIE, set)],
        axum::Json(UserView::from(signed_in.user)),
    )
        .into_response())
}

/// Sign out: ends the current session and clears the cookie.
#[utoipa::path(
    delete, path = "/api/v1/sessions/current", tag = "sessions",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn sign_out(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    accounts::sign_out(&state, &current).await?;
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}
