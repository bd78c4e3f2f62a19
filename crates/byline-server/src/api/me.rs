//! The signed-in user and their API tokens.

use crate::api::views::{CreatedToken, TokenList, TokenView, UserView};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, parse_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::accounts;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Who am I?
#[utoipa::path(
    get, path = "/api/v1/me", tag = "me",
    responses(
        (status = 200, description = "The signed-in user", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn me(current: CurrentUser) -> Json<UserView> {
    Json(current.0.user.into())
}

/// My API tokens, newest first (secrets are never shown again).
#[utoipa::path(
    get, path = "/api/v1/me/tokens", tag = "me",
    responses(
        (status = 200, description = "Tokens", body = TokenList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
async fn list_tokens(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<TokenList>, AppError> {
    let tokens = accounts::list_tokens(&state, &current).await?;
    Ok(Json(TokenList {
        tokens: tokens.into_iter().map(TokenView::from).collect(),
    }))
}

/// A new API token's name.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// What the token is for, e.g. "deploy script" (1–100 characters).
    name: String,
}

/// Create an API token; its secret is in this response only.
#[utoipa::path(
    post, path = "/api/v1/me/tokens", tag = "me",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "Created; store the secret now", body = CreatedToken),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    )
)]
async fn create_token(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<CreateTokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let created = accounts::create_token(&state, &current, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: created.token.into(),
            secret: created.secret,
        }),
    ))
}

/// Revoke one of my API tokens; it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/me/tokens/{id}", tag = "me",
    params(("id" = String, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such token of yours", body = ErrorBody),
    )
)]
async fn revoke_token(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    accounts::revoke_token(&state, &current, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
