//! Direct-message pages.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::json::parse_id;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use byline_app::messages;
use byline_core::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox, start))
        .routes(routes!(conversation, reply))
}

struct ConversationLine {
    id: i64,
    names: String,
    last_text: Option<String>,
    unread: i64,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct InboxPage {
    nav: Nav,
    csrf_token: String,
    conversations: Vec<ConversationLine>,
}

fn names(participants: &[(String, String)], me: &str) -> String {
    let others: Vec<&str> = participants
        .iter()
        .filter(|(h, _)| h != me)
        .map(|(_, n)| n.as_str())
        .collect();
    if others.is_empty() {
        "Just you".to_owned()
    } else {
        others.join(", ")
    }
}

/// The viewer's conversations and a form to start one.
#[utoipa::path(get, path = "/messages", tag = "web", operation_id = "page_messages",
    responses((status = 200, description = "Conversations", content_type = "text/html")))]
async fn inbox(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Html<String>, PageError> {
    let acting = acting_handle(&state, &current).await?;
    let list = messages::list(&state, &current, acting.as_deref()).await?;
    let me = current.user.handle.clone();
    render(&InboxPage {
        nav: Nav::load(&state, &current, "messages").await?,
        csrf_token: current.csrf_token().to_owned(),
        conversations: list
            .into_iter()
            .map(|c| ConversationLine {
                id: c.id,
                names: names(&c.participants, &me),
                last_text: c.last_text.map(|t| t.chars().take(140).collect()),
                unread: c.unread,
            })
            .collect(),
    })
}

/// The new-message form's fields.
#[derive(Deserialize, ToSchema)]
pub struct StartForm {
    csrf_token: String,
    to: String,
    text: String,
}

/// Sends a new message and opens the conversation.
#[utoipa::path(post, path = "/messages", tag = "web", operation_id = "page_start_conversation",
    request_body(content = StartForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Sent"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 422, description = "No or unknown recipients, or bad text", content_type = "text/html")))]
async fn start(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    WebForm(f): WebForm<StartForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let to: Vec<String> =
        f.to.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    let acting = acting_handle(&state, &current).await?;
    let (conversation, _) =
        messages::start(&state, &current, &to, &f.text, acting.as_deref()).await?;
    Ok(Redirect::to(&format!("/messages/{conversation}")).into_response())
}

struct MessageLine {
    id: i64,
    author_handle: String,
    author_name: String,
    html: String,
    when: String,
    mine: bool,
    /// The writer behind a shared profile, when the policy shows them.
    byline: Option<String>,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    nav: Nav,
    csrf_token: String,
    id: i64,
    names: String,
    others: String,
    messages: Vec<MessageLine>,
}

/// A conversation; opening it marks it read.
#[utoipa::path(get, path = "/messages/{id}", tag = "web", operation_id = "page_conversation",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, description = "Conversation", content_type = "text/html"),
              (status = 404, description = "No such conversation of yours", content_type = "text/html")))]
async fn conversation(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let id = parse_id(&id)?;
    let acting = acting_handle(&state, &current).await?;
    let (c, list) = messages::open(&state, &current, id, i64::MAX, 100, acting.as_deref()).await?;
    messages::mark_read(&state, &current, id, acting.as_deref()).await?;
    let me = acting.unwrap_or_else(|| current.user.handle.clone());
    let lens = byline_app::bylines::BylineLens::for_viewer(&state, &current).await?;
    render(&ConversationPage {
        nav: Nav::load(&state, &current, "messages").await?,
        csrf_token: current.csrf_token().to_owned(),
        id,
        names: names(&c.participants, &me),
        // Handles the knowledge base may suggest answers from (help desks).
        others: c
            .participants
            .iter()
            .filter(|(h, _)| *h != me)
            .map(|(h, _)| h.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        messages: list
            .into_iter()
            .map(|m| MessageLine {
                id: m.id,
                byline: lens
                    .reveal_parts(
                        m.attribution_policy.as_deref(),
                        m.author_profile_id,
                        (&m.written_by_name, &m.written_by_handle),
                    )
                    .map(|(name, _)| name),
                mine: m.author_handle == me,
                author_handle: m.author_handle,
                author_name: m.author_name,
                html: m.body_html,
                when: Timestamp(m.created_at)
                    .to_rfc3339()
                    .replace('T', " ")
                    .chars()
                    .take(16)
                    .collect(),
            })
            .collect(),
    })
}

/// The reply form's fields.
#[derive(Deserialize, ToSchema)]
pub struct ReplyForm {
    csrf_token: String,
    text: String,
}

/// Sends a reply in a conversation.
#[utoipa::path(post, path = "/messages/{id}", tag = "web", operation_id = "page_reply_message",
    params(("id" = String, Path, description = "Conversation id")),
    request_body(content = ReplyForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Sent"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such conversation of yours", content_type = "text/html"),
              (status = 422, description = "Empty or long text", content_type = "text/html")))]
async fn reply(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<ReplyForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = parse_id(&id)?;
    let acting = acting_handle(&state, &current).await?;
    let message = messages::send(&state, &current, id, &f.text, acting.as_deref()).await?;
    Ok(Redirect::to(&format!("/messages/{id}#message-{message}")).into_response())
}

/// The shared profile the viewer is acting as, whose conversations the
/// message pages then show.
async fn acting_handle(
    state: &AppState,
    current: &crate::auth::CurrentUser,
) -> Result<Option<String>, PageError> {
    Ok(byline_app::acting::current(state, current)
        .await?
        .map(|s| s.membership.handle))
}
