//! Direct messages between profiles. Only participants read or write a
//! conversation; to anyone else it does not exist.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::live::LiveEvent;
use crate::state::{AppState, now};
use byline_core::Handle;
use byline_core::markdown::{self, PostText};
use byline_core::policy::{Action, authorize};
use byline_store::messages::{Conversation, Message, NewMessage};
use std::collections::HashSet;

/// Most people in one conversation, the sender included.
pub const MAX_PARTICIPANTS: usize = 20;

async fn participant_check(state: &AppState, by: &CurrentUser, id: i64) -> Result<(), AppError> {
    let participant = state.store.is_participant(id, by.user.profile_id).await?;
    authorize(Some(&by.actor()), Action::UseConversation { participant })
        .map_err(|_| AppError::NotFound)
}

/// Starts (or continues) the conversation with `to` and sends `text`.
pub async fn start(
    state: &AppState,
    by: &CurrentUser,
    to: &[String],
    text: &str,
) -> Result<(i64, i64), AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let text = PostText::parse(text)?;
    let mut handles = Vec::new();
    for h in to {
        let h = Handle::parse(h).map_err(|_| {
            AppError::Invalid(format!(
                "'{}' is not a handle",
                h.chars().take(40).collect::<String>()
            ))
        })?;
        if h.as_str() != by.user.handle && !handles.contains(&h.as_str().to_owned()) {
            handles.push(h.as_str().to_owned());
        }
    }
    if handles.is_empty() {
        return Err(AppError::Invalid(
            "name at least one other person to write to".into(),
        ));
    }
    if handles.len() + 1 > MAX_PARTICIPANTS {
        return Err(AppError::Invalid(format!(
            "a conversation has at most {MAX_PARTICIPANTS} people"
        )));
    }
    let found = state.store.profile_ids_by_handle(&handles).await?;
    if let Some(missing) = handles.iter().find(|h| !found.iter().any(|(f, _)| f == *h)) {
        return Err(AppError::Invalid(format!(
            "nobody has the handle @{missing}"
        )));
    }
    let ids: Vec<i64> = found.into_iter().map(|(_, id)| id).collect();
    let conversation = state
        .store
        .conversation_between(by.user.profile_id, &ids, now())
        .await?;
    let message = send_parsed(state, by, conversation, &text).await?;
    Ok((conversation, message))
}

/// Sends a message in a conversation the actor takes part in.
pub async fn send(
    state: &AppState,
    by: &CurrentUser,
    conversation: i64,
    text: &str,
) -> Result<i64, AppError> {
    participant_check(state, by, conversation).await?;
    let text = PostText::parse(text)?;
    send_parsed(state, by, conversation, &text).await
}

async fn send_parsed(
    state: &AppState,
    by: &CurrentUser,
    conversation: i64,
    text: &PostText,
) -> Result<i64, AppError> {
    let scan = markdown::scan(text);
    let known: HashSet<String> = state
        .store
        .profile_ids_by_handle(&scan.mentions)
        .await?
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    let rendered = markdown::render(text, &known);
    let (id, others) = state
        .store
        .send_message(
            conversation,
            &NewMessage {
                author_profile_id: by.user.profile_id,
                written_by_user_id: by.user.id,
                body: text.as_str(),
                body_html: &rendered.html,
            },
            now(),
        )
        .await?;
    let mut participants = others.clone();
    participants.push(by.user.profile_id);
    state.live.publish(LiveEvent::Message {
        conversation_id: conversation,
        participants,
    });
    state.live.publish(LiveEvent::Notified {
        profile_ids: others,
    });
    Ok(id)
}

/// The actor's conversations.
pub async fn list(state: &AppState, by: &CurrentUser) -> Result<Vec<Conversation>, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    Ok(state
        .store
        .conversations_of(by.user.profile_id, 100)
        .await?)
}

/// A conversation and its newest messages (before `before`).
pub async fn open(
    state: &AppState,
    by: &CurrentUser,
    id: i64,
    before: i64,
    limit: u32,
) -> Result<(Conversation, Vec<Message>), AppError> {
    participant_check(state, by, id).await?;
    let c = state.store.conversation_for(id, by.user.profile_id).await?;
    let messages = state.store.messages(id, before, limit).await?;
    Ok((c, messages))
}

/// Marks a conversation read.
pub async fn mark_read(state: &AppState, by: &CurrentUser, id: i64) -> Result<(), AppError> {
    participant_check(state, by, id).await?;
    Ok(state
        .store
        .mark_conversation_read(id, by.user.profile_id, now())
        .await?)
}
