//! Direct messages between profiles. Only participants read or write a
//! conversation; to anyone else it does not exist. A member acting as a
//! shared profile reads the profile's conversations and writes in them
//! through the attributed-write gate, so each message keeps its byline.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::live::LiveEvent;
use crate::state::{AppState, now};
use byline_core::Handle;
use byline_core::markdown::{self, PostText};
use byline_core::policy::{Action, authorize};
use byline_store::messages::{Conversation, Message, MessageText};
use byline_store::speak::{Spoken, Utterance, Voice};
use std::collections::HashSet;

/// Most people in one conversation, the sender included.
pub const MAX_PARTICIPANTS: usize = 20;

/// The profile whose conversations these are: the person's own, or the
/// shared profile named by `acting_as` if they may act as it.
async fn inbox(
    state: &AppState,
    by: &CurrentUser,
    acting_as: Option<&str>,
) -> Result<i64, AppError> {
    match acting_as.filter(|h| !h.is_empty()) {
        Some(handle) => Ok(crate::acting::membership(state, by, handle)
            .await?
            .profile_id),
        None => Ok(by.user.profile_id),
    }
}

/// Who speaks a new message: the person, or the shared profile through the
/// one speak function.
async fn speaker<'a>(
    state: &AppState,
    by: &'a CurrentUser,
    acting_as: Option<&str>,
) -> Result<Option<Voice<'a>>, AppError> {
    match acting_as.filter(|h| !h.is_empty()) {
        Some(handle) => Ok(Some(
            crate::acting::voice_at(state, by, handle, now()).await?,
        )),
        None => Ok(None),
    }
}

async fn participant_check(
    state: &AppState,
    by: &CurrentUser,
    id: i64,
    profile_id: i64,
) -> Result<(), AppError> {
    let participant = state.store.is_participant(id, profile_id).await?;
    authorize(Some(&by.actor()), Action::UseConversation { participant })
        .map_err(|_| AppError::NotFound)
}

/// Starts (or continues) the conversation with `to` and sends `text`.
pub async fn start(
    state: &AppState,
    by: &CurrentUser,
    to: &[String],
    text: &str,
    acting_as: Option<&str>,
) -> Result<(i64, i64), AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let text = PostText::parse(text)?;
    state.limits.check(crate::limits::Limit::Write, by)?;
    let me = match acting_as.filter(|h| !h.is_empty()) {
        Some(h) => h.trim_start_matches('@').to_owned(),
        None => by.user.handle.clone(),
    };
    let mut handles = Vec::new();
    for h in to {
        let h = Handle::parse(h).map_err(|_| {
            AppError::Invalid(format!(
                "'{}' is not a handle",
                h.chars().take(40).collect::<String>()
            ))
        })?;
        if h.as_str() != me && !handles.contains(&h.as_str().to_owned()) {
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
    let speaker = speaker(state, by, acting_as).await?;
    let from = speaker
        .as_ref()
        .map_or(by.user.profile_id, Voice::profile_id);
    let conversation = state.store.conversation_between(from, &ids, now()).await?;
    let message = send_parsed(state, by, conversation, &text, speaker.as_ref()).await?;
    Ok((conversation, message))
}

/// Sends a message in a conversation the actor takes part in.
pub async fn send(
    state: &AppState,
    by: &CurrentUser,
    conversation: i64,
    text: &str,
    acting_as: Option<&str>,
) -> Result<i64, AppError> {
    // Existence first (answering "not found" to outsiders), then the gate.
    participant_check(state, by, conversation, inbox(state, by, acting_as).await?).await?;
    let text = PostText::parse(text)?;
    state.limits.check(crate::limits::Limit::Write, by)?;
    let speaker = speaker(state, by, acting_as).await?;
    send_parsed(state, by, conversation, &text, speaker.as_ref()).await
}

async fn send_parsed(
    state: &AppState,
    by: &CurrentUser,
    conversation: i64,
    text: &PostText,
    speaker: Option<&Voice<'_>>,
) -> Result<i64, AppError> {
    let from = speaker.map_or(by.user.profile_id, Voice::profile_id);
    let scan = markdown::scan(text);
    let known: HashSet<String> = state
        .store
        .profile_ids_by_handle(&scan.mentions)
        .await?
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    let rendered = markdown::render(text, &known);
    let words = MessageText {
        body: text.as_str(),
        body_html: &rendered.html,
    };
    let (id, others) = match speaker {
        Some(voice) => {
            let message = Utterance::Message {
                conversation_id: conversation,
                text: &words,
            };
            match state.store.speak(voice, message, now()).await? {
                Spoken::Message { id, others } => (id, others),
                other => {
                    return Err(AppError::Internal(format!(
                        "unexpected outcome of speaking: {other:?}"
                    )));
                }
            }
        }
        None => {
            state
                .store
                .send_message(conversation, by.user.id, &words, now())
                .await?
        }
    };
    let mut participants = others.clone();
    participants.push(from);
    state.live.publish(LiveEvent::Message {
        conversation_id: conversation,
        participants,
    });
    state.live.publish(LiveEvent::Notified {
        profile_ids: others,
    });
    Ok(id)
}

/// The actor's conversations (or the shared profile's they act as).
pub async fn list(
    state: &AppState,
    by: &CurrentUser,
    acting_as: Option<&str>,
) -> Result<Vec<Conversation>, AppError> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let profile = inbox(state, by, acting_as).await?;
    Ok(state.store.conversations_of(profile, 100).await?)
}

/// Unread messages in the actor's conversations (or the shared profile's).
pub async fn unread(
    state: &AppState,
    by: &CurrentUser,
    acting_as: Option<&str>,
) -> Result<i64, AppError> {
    let profile = inbox(state, by, acting_as).await?;
    Ok(state.store.unread_messages(profile).await?)
}

/// A conversation and its newest messages (before `before`).
pub async fn open(
    state: &AppState,
    by: &CurrentUser,
    id: i64,
    before: i64,
    limit: u32,
    acting_as: Option<&str>,
) -> Result<(Conversation, Vec<Message>), AppError> {
    let profile = inbox(state, by, acting_as).await?;
    participant_check(state, by, id, profile).await?;
    let c = state.store.conversation_for(id, profile).await?;
    let messages = state.store.messages(id, before, limit).await?;
    Ok((c, messages))
}

/// Marks a conversation read.
pub async fn mark_read(
    state: &AppState,
    by: &CurrentUser,
    id: i64,
    acting_as: Option<&str>,
) -> Result<(), AppError> {
    let profile = inbox(state, by, acting_as).await?;
    participant_check(state, by, id, profile).await?;
    Ok(state
        .store
        .mark_conversation_read(id, profile, now())
        .await?)
}
