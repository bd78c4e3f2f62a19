//! The live event stream for the signed-in profile.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use byline_app::live::{self, Delivery};
use std::convert::Infallible;
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Server-sent events: `post` (`{"id"}`) when a post enters your home
/// timeline, `notifications` (`{"unread"}`) when your unread count changes,
/// `message` (`{"conversation", "unread_messages"}`) when one of your
/// conversations gets a message, or one of the shared profile's you are
/// acting as; `inbox` (`{"desk"}`) when a help desk you are a member of
/// has a ticket arrive or change, and `presence` (`{"ticket"}`) when who
/// is viewing or typing on one of its tickets changes.
#[utoipa::path(get, path = "/api/v1/me/events", tag = "me",
    responses(
        (status = 200, description = "An endless text/event-stream", content_type = "text/event-stream"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn events(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Sse<impl futures_core::Stream<Item = Result<Event, Infallible>>>, AppError> {
    let mut subscription = live::subscribe(&state, &current).await?;
    let stream = async_stream::stream! {
        while let Some(delivery) = subscription.next().await {
            yield Ok(match delivery {
                Delivery::Post(id) => Event::default().event("post").data(format!("{{\"id\":\"{id}\"}}")),
                Delivery::Notifications(unread) => {
                    Event::default().event("notifications").data(format!("{{\"unread\":{unread}}}"))
                }
                Delivery::Message { conversation_id, unread } => Event::default().event("message").data(format!(
                    "{{\"conversation\":\"{conversation_id}\",\"unread_messages\":{unread}}}"
                )),
                Delivery::Inbox(desk) => Event::default().event("inbox").data(format!("{{\"desk\":\"{desk}\"}}")),
                Delivery::Presence(ticket) => {
                    Event::default().event("presence").data(format!("{{\"ticket\":\"{ticket}\"}}"))
                }
            });
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
