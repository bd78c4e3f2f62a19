//! Collision notices over the API: an open ticket page says the member is
//! there (or typing) and hears who else is.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use byline_app::collision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(heartbeat))
}

/// What the member is doing on the ticket.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatBody {
    /// Typing an answer right now.
    #[serde(default)]
    typing: bool,
}

/// Another member on the ticket.
#[derive(Serialize, ToSchema)]
pub struct WatcherView {
    /// Their personal handle.
    handle: String,
    /// Whether they are typing an answer.
    typing: bool,
}

/// The other members on the ticket now.
#[derive(Serialize, ToSchema)]
pub struct PresenceView {
    /// Everyone else viewing or typing.
    others: Vec<WatcherView>,
}

/// Say you are on a ticket (every few seconds while its page is open) and hear who else is: the collision notice (members of the desk).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/presence", tag = "help desk", request_body = HeartbeatBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 200, description = "The others on the ticket", body = PresenceView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "A body that does not fit: only `typing`, a boolean", body = ErrorBody),
    ))]
async fn heartbeat(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<HeartbeatBody>,
) -> Result<Json<PresenceView>, AppError> {
    let number = number
        .trim_start_matches('#')
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let others = collision::heartbeat(&state, &current, &handle, number, b.typing).await?;
    Ok(Json(PresenceView {
        others: others
            .into_iter()
            .map(|w| WatcherView {
                handle: w.handle,
                typing: w.typing,
            })
            .collect(),
    }))
}
