//! Direct messages between profiles. Only participants read or write a
//! conversation; to anyone else it does not exist. A member acting as a
//! shared profile reads the profile's conversations and writes in them
//! through the attributed-write gate, so each message keeps its byline.

use crate::Caller;
use crate::Error;
use crate::live::LiveEvent;
use crate::{App, now};
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
async fn inbox(app: &App, by: &Caller, acting_as: Option<&str>) -> Result<i64, Error> {
    match acting_as.filter(|h| !h.is_empty()) {
        Some(handle) => Ok(crate::acting::membership(app, by, handle).await?.profile_id),
        None => Ok(by.user.profile_id),
    }
}

/// Who speaks a new message: the person, or the shared profile through the
/// one speak function.
async fn speaker<'a>(
    app: &App,
    by: &'a Caller,
    acting_as: Option<&str>,
) -> Result<Option<Voice<'a>>, Error> {
    match acting_as.filter(|h| !h.is_empty()) {
        Some(handle) => Ok(Some(crate::acting::voice_at(app, by, handle, now()).await?)),
        None => Ok(None),
    }
}

async fn participant_check(app: &App, by: &Caller, id: i64, profile_id: i64) -> Result<(), Error> {
    let participant = app.store.messages().is_participant(id, profile_id).await?;
    authorize(Some(&by.actor()), Action::UseConversation { participant })
        .map_err(|_| Error::NotFound)
}

/// Starts (or continues) the conversation with `to` and sends `text`.
pub async fn start(
    app: &App,
    by: &Caller,
    to: &[String],
    text: &str,
    acting_as: Option<&str>,
) -> Result<(i64, i64), Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let text = PostText::parse(text)?;
    app.limits.check(crate::limits::Limit::Write, by)?;
    let me = match acting_as.filter(|h| !h.is_empty()) {
        Some(h) => h.trim_start_matches('@').to_owned(),
        None => by.user.handle.clone(),
    };
    let mut handles = Vec::new();
    for h in to {
        let h = Handle::parse(h).map_err(|_| {
            Error::Invalid(format!(
                "'{}' is not a handle",
                h.chars().take(40).collect::<String>()
            ))
        })?;
        if h.as_str() != me && !handles.contains(&h.as_str().to_owned()) {
            handles.push(h.as_str().to_owned());
        }
    }
    if handles.is_empty() {
        return Err(Error::Invalid(
            "name at least one other person to write to".into(),
        ));
    }
    if handles.len() + 1 > MAX_PARTICIPANTS {
        return Err(Error::Invalid(format!(
            "a conversation has at most {MAX_PARTICIPANTS} people"
        )));
    }
    let found = app.store.posts().profile_ids_by_handle(&handles).await?;
    if let Some(missing) = handles.iter().find(|h| !found.iter().any(|(f, _)| f == *h)) {
        return Err(Error::Invalid(format!("nobody has the handle @{missing}")));
    }
    let ids: Vec<i64> = found.into_iter().map(|(_, id)| id).collect();
    let speaker = speaker(app, by, acting_as).await?;
    let from = speaker
        .as_ref()
        .map_or(by.user.profile_id, Voice::profile_id);
    let conversation = app
        .store
        .messages()
        .conversation_between(from, &ids, now())
        .await?;
    let message = send_parsed(app, by, conversation, &text, speaker.as_ref()).await?;
    Ok((conversation, message))
}

/// Sends a message in a conversation the actor takes part in.
pub async fn send(
    app: &App,
    by: &Caller,
    conversation: i64,
    text: &str,
    acting_as: Option<&str>,
) -> Result<i64, Error> {
    // Existence first (answering "not found" to outsiders), then the gate.
    participant_check(app, by, conversation, inbox(app, by, acting_as).await?).await?;
    let text = PostText::parse(text)?;
    app.limits.check(crate::limits::Limit::Write, by)?;
    let speaker = speaker(app, by, acting_as).await?;
    send_parsed(app, by, conversation, &text, speaker.as_ref()).await
}

async fn send_parsed(
    app: &App,
    by: &Caller,
    conversation: i64,
    text: &PostText,
    speaker: Option<&Voice<'_>>,
) -> Result<i64, Error> {
    let from = speaker.map_or(by.user.profile_id, Voice::profile_id);
    let scan = markdown::scan(text);
    let known: HashSet<String> = app
        .store
        .posts()
        .profile_ids_by_handle(&scan.mentions)
        .await?
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    let rendered = markdown::render(text, &known);
    let at = now();
    let intake = crate::intake::for_conversation(app, conversation, from, at).await;
    let words = MessageText {
        body: text.as_str(),
        body_html: &rendered.html,
        intake: &intake,
    };
    let (id, others, tickets, settled) = match speaker {
        Some(voice) => {
            let message = Utterance::Message {
                conversation_id: conversation,
                text: &words,
            };
            match app.store.speak(voice, message, at).await? {
                Spoken::Message {
                    id,
                    others,
                    tickets,
                    settled,
                } => (id, others, tickets, settled),
                other => {
                    return Err(Error::Internal(format!(
                        "unexpected outcome of speaking: {other:?}"
                    )));
                }
            }
        }
        None => {
            app.store
                .messages()
                .send_message(conversation, by.user.id, &words, at)
                .await?
        }
    };
    if !tickets.is_empty() {
        let planned: Vec<i64> = intake.iter().map(|i| i.profile_id).collect();
        crate::tickets::after_change(app, &tickets, &settled, &planned).await;
    }
    let mut participants = others.clone();
    participants.push(from);
    app.live.publish(LiveEvent::Message {
        conversation_id: conversation,
        participants,
    });
    app.live.publish(LiveEvent::Notified {
        profile_ids: others,
    });
    Ok(id)
}

/// The actor's conversations (or the shared profile's they act as).
pub async fn list(
    app: &App,
    by: &Caller,
    acting_as: Option<&str>,
) -> Result<Vec<Conversation>, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let profile = inbox(app, by, acting_as).await?;
    Ok(app.store.messages().conversations_of(profile, 100).await?)
}

/// Unread messages in the actor's conversations (or the shared profile's).
pub async fn unread(app: &App, by: &Caller, acting_as: Option<&str>) -> Result<i64, Error> {
    let profile = inbox(app, by, acting_as).await?;
    Ok(app.store.messages().unread_messages(profile).await?)
}

/// A conversation and its newest messages (before `before`).
pub async fn open(
    app: &App,
    by: &Caller,
    id: i64,
    before: i64,
    limit: u32,
    acting_as: Option<&str>,
) -> Result<(Conversation, Vec<Message>), Error> {
    let profile = inbox(app, by, acting_as).await?;
    participant_check(app, by, id, profile).await?;
    let c = app.store.messages().conversation_for(id, profile).await?;
    let messages = app.store.messages().messages(id, before, limit).await?;
    Ok((c, messages))
}

/// Marks a conversation read.
pub async fn mark_read(
    app: &App,
    by: &Caller,
    id: i64,
    acting_as: Option<&str>,
) -> Result<(), Error> {
    let profile = inbox(app, by, acting_as).await?;
    participant_check(app, by, id, profile).await?;
    Ok(app
        .store
        .messages()
        .mark_conversation_read(id, profile, now())
        .await?)
}
