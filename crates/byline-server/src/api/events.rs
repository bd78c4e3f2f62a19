//! The live event stream for the signed-in profile.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::live::LiveEvent;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use byline_core::policy::{Action, authorize};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Server-sent events: `post` (`{"id"}`) when a post enters your home
/// timeline, `notifications` (`{"unread"}`) when your unread count changes,
/// `message` (`{"conversation", "unread_messages"}`) when one of your
/// conversations gets a message.
#[utoipa::path(get, path = "/api/v1/me/events", tag = "me",
    responses(
        (status = 200, description = "An endless text/event-stream", content_type = "text/event-stream"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn events(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Sse<impl futures_core::Stream<Item = Result<Event, Infallible>>>, AppError> {
    authorize(Some(&current.actor()), Action::ReadNetwork)?;
    let me = current.user.profile_id;
    let mut rx = state.live.subscribe();
    let store = state.store.clone();
    let stream = async_stream::stream! {
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            };
            match event {
                LiveEvent::Post { id } => {
                    if store.in_home_feed(me, id).await.unwrap_or(false) {
                        yield Ok(Event::default().event("post").data(format!("{{\"id\":\"{id}\"}}")));
                    }
                }
                LiveEvent::Notified { profile_ids } if profile_ids.contains(&me) => {
                    if let Ok(unread) = store.unread_notifications(me).await {
                        yield Ok(Event::default().event("notifications").data(format!("{{\"unread\":{unread}}}")));
                    }
                }
                LiveEvent::Notified { .. } => {}
                LiveEvent::Message { conversation_id, participants } if participants.contains(&me) => {
                    if let Ok(unread) = store.unread_messages(me).await {
                        yield Ok(Event::default().event("message").data(format!(
                            "{{\"conversation\":\"{conversation_id}\",\"unread_messages\":{unread}}}"
                        )));
                    }
                }
                LiveEvent::Message { .. } => {}
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
