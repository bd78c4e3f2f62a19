//! The signed-in profile's notifications.

use crate::api::views::{AuthorView, NotificationPage, NotificationView};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use byline_app::feeds;
use byline_core::Timestamp;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(mark_read))
}

/// Paging through notifications.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// The previous page's `next_cursor`.
    before: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Your notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me", operation_id = "list_notifications", params(NotificationQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Notifications", body = NotificationPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> Result<Json<NotificationPage>, AppError> {
    let w = feeds::window(q.before.as_deref(), q.limit)?;
    let (items, unread) =
        byline_app::notifications::page(&state, &current, w.before, w.limit).await?;
    let next_cursor = (items.len() == w.limit as usize)
        .then(|| items.last().map(|n| n.id.to_string()))
        .flatten();
    Ok(Json(NotificationPage {
        notifications: items
            .into_iter()
            .map(|n| NotificationView {
                id: n.id.to_string(),
                kind: n.kind,
                actor: AuthorView {
                    handle: n.actor_handle,
                    display_name: n.actor_name,
                },
                post: n.post_id.map(|v| v.to_string()),
                community: n.community_slug,
                conversation: n.conversation_id.map(|v| v.to_string()),
                secret: n.secret_name,
                secret_profile: n.secret_profile,
                publication: n
                    .publication_id
                    .zip(n.publication_profile)
                    .map(|(id, h)| format!("/api/v1/shared-profiles/{h}/publications/{id}")),
                created_at: Timestamp(n.created_at).to_rfc3339(),
                read: n.read_at.is_some(),
            })
            .collect(),
        unread,
        next_cursor,
    }))
}

/// Which notifications to mark read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// Mark this one and every older one; all when absent.
    up_to: Option<String>,
}

/// Mark notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "me", operation_id = "mark_notifications_read", request_body = MarkReadRequest,
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
    ))]
async fn mark_read(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(b): ApiJson<MarkReadRequest>,
) -> Result<StatusCode, AppError> {
    let up_to = match b.up_to.as_deref() {
        None => i64::MAX,
        Some(id) => id
            .parse()
            .map_err(|_| AppError::Invalid("up_to is a notification id".into()))?,
    };
    byline_app::notifications::mark_read(&state, &current, up_to).await?;
    Ok(StatusCode::NO_CONTENT)
}
