//! The live event stream for the signed-in profile.

use crate::auth::{Credential, CurrentUser};
use crate::error::{AppError, ErrorBody};
use crate::live::LiveEvent;
use crate::state::AppState;
use crate::state::now;
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
/// conversations gets a message, or one of the shared profile's you are
/// acting as.
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
    let user_id = current.user.id;
    let actor = current.actor();
    // Shared profiles this user may act as: only their conversations can
    // concern the user beyond their own, so only those cost a query.
    let shared: std::collections::HashSet<i64> = state
        .store
        .memberships_of(user_id, None)
        .await?
        .into_iter()
        .map(|m| m.profile_id)
        .collect();
    let mut rx = state.live.subscribe();
    let store = state.store.clone();
    let credential = current.credential.clone();
    let mut recheck = tokio::time::interval(state.settings.live_recheck);
    recheck.tick().await;
    let stream = async_stream::stream! {
        loop {
            let event = tokio::select! {
                received = rx.recv() => match received {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
                _ = recheck.tick() => {
                    // A stream outlives the request that opened it: stop as
                    // soon as its session or token no longer holds.
                    let valid = match &credential {
                        Credential::Session { session_id, .. } => store.session_still_valid(*session_id, now()).await,
                        Credential::ApiToken { token_id } => store.token_still_valid(*token_id).await,
                        Credential::Operator => Ok(false),
                    };
                    if !valid.unwrap_or(false) {
                        break;
                    }
                    continue;
                }
            };
            match event {
                LiveEvent::Post { id, audience } => {
                    if audience.contains(&me) {
                        yield Ok(Event::default().event("post").data(format!("{{\"id\":\"{id}\"}}")));
                    }
                }
                LiveEvent::Notified { profile_ids } if profile_ids.contains(&me) => {
                    if let Ok(unread) = store.unread_notifications(me).await {
                        yield Ok(Event::default().event("notifications").data(format!("{{\"unread\":{unread}}}")));
                    }
                }
                LiveEvent::Notified { .. } => {}
                LiveEvent::Message { conversation_id, participants } => {
                    // Your own conversations, or those of the shared profile
                    // you are acting as right now (membership re-checked).
                    let inbox = if participants.contains(&me) {
                        Some(me)
                    } else if !participants.iter().any(|p| shared.contains(p)) {
                        None
                    } else {
                        let n = now();
                        match store
                            .current_acting(user_id, n.plus_seconds(-crate::acting::IDLE_SECS), n)
                            .await
                        {
                            Ok(Some(s))
                                if participants.contains(&s.membership.profile_id)
                                    && authorize(
                                        Some(&actor),
                                        Action::ActAs { role: Some(s.membership.role) },
                                    )
                                    .is_ok() =>
                            {
                                Some(s.membership.profile_id)
                            }
                            _ => None,
                        }
                    };
                    if let Some(inbox) = inbox
                        && let Ok(unread) = store.unread_messages(inbox).await
                    {
                        yield Ok(Event::default().event("message").data(format!(
                            "{{\"conversation\":\"{conversation_id}\",\"unread_messages\":{unread}}}"
                        )));
                    }
                }
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
