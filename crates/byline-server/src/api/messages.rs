//! Direct messages.

use crate::api::views::AuthorView;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery, parse_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::bylines::BylineLens;
use byline_app::feeds::window;
use byline_app::messages;
use byline_core::Timestamp;
use byline_store::messages::{Conversation, Message};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, start))
        .routes(routes!(read_conversation, reply))
        .routes(routes!(mark_read))
}

/// A conversation as listed.
#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    /// Opaque id.
    id: String,
    /// Everyone in it, you included.
    participants: Vec<AuthorView>,
    /// The newest message's Markdown, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_text: Option<String>,
    /// When the newest message was written (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    last_at: Option<String>,
    /// Messages from others you have not read.
    unread: i64,
}

impl From<Conversation> for ConversationView {
    fn from(c: Conversation) -> ConversationView {
        ConversationView {
            id: c.id.to_string(),
            participants: c
                .participants
                .into_iter()
                .map(|(handle, display_name)| AuthorView {
                    handle,
                    display_name,
                })
                .collect(),
            last_text: c.last_text,
            last_at: c.last_at.map(Timestamp::to_rfc3339),
            unread: c.unread,
        }
    }
}

/// One message.
#[derive(Serialize, ToSchema)]
pub struct MessageView {
    /// Opaque id.
    id: String,
    /// Who wrote it.
    author: AuthorView,
    /// Markdown.
    text: String,
    /// Sanitised HTML.
    html: String,
    /// RFC 3339.
    created_at: String,
    /// For a shared profile's message: the person who wrote it, when its
    /// attribution policy lets you see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    byline: Option<AuthorView>,
}

impl MessageView {
    /// The message as `lens` may see it.
    pub fn new(m: Message, lens: &BylineLens) -> MessageView {
        let byline = lens
            .reveal_parts(
                m.attribution_policy.as_deref(),
                m.author_profile_id,
                (&m.written_by_name, &m.written_by_handle),
            )
            .map(|(name, handle)| AuthorView {
                handle,
                display_name: name,
            });
        MessageView {
            id: m.id.to_string(),
            author: AuthorView {
                handle: m.author_handle,
                display_name: m.author_name,
            },
            text: m.body,
            html: m.body_html,
            created_at: Timestamp(m.created_at).to_rfc3339(),
            byline,
        }
    }
}

/// Your conversations.
#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    /// Most recent first.
    conversations: Vec<ConversationView>,
    /// Unread messages in all.
    unread: i64,
}

/// Whose conversations.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// A shared profile you are a member of, to use its conversations instead of yours.
    acting_as: Option<String>,
}

/// Your conversations (or a shared profile's), most recent first.
#[utoipa::path(get, path = "/api/v1/messages", tag = "messages", operation_id = "list_conversations", params(InboxQuery),
    responses((status = 200, description = "Conversations", body = ConversationList),
              (status = 400, description = "Unknown query parameter", body = ErrorBody),
              (status = 401, description = "Not signed in", body = ErrorBody),
              (status = 403, description = "Not a member of that shared profile", body = ErrorBody),
              (status = 404, description = "Not a handle", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<ConversationList>, AppError> {
    let acting_as = q.acting_as.as_deref();
    let conversations = messages::list(&state, &current, acting_as).await?;
    let unread = messages::unread(&state, &current, acting_as).await?;
    Ok(Json(ConversationList {
        conversations: conversations
            .into_iter()
            .map(ConversationView::from)
            .collect(),
        unread,
    }))
}

/// A new message to some people.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Handles of the people to write to (1–19).
    to: Vec<String>,
    /// Markdown, 1–5000 characters.
    text: String,
    /// Write as this shared profile (you must be a member whose role may write).
    #[serde(default)]
    acting_as: Option<String>,
}

/// What sending created.
#[derive(Serialize, ToSchema)]
pub struct Sent {
    /// The conversation (existing one if the same people already talk).
    conversation: String,
    /// The new message.
    message: String,
}

/// Write to one or more people; continues your existing conversation with exactly them.
#[utoipa::path(post, path = "/api/v1/messages", tag = "messages", operation_id = "start_conversation", request_body = StartRequest,
    responses(
        (status = 201, description = "Sent", body = Sent),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May not write as that shared profile", body = ErrorBody),
        (status = 404, description = "Not a handle", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "No or unknown recipients, or empty or long text", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn start(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(b): ApiJson<StartRequest>,
) -> Result<(StatusCode, Json<Sent>), AppError> {
    let (conversation, message) =
        messages::start(&state, &current, &b.to, &b.text, b.acting_as.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(Sent {
            conversation: conversation.to_string(),
            message: message.to_string(),
        }),
    ))
}

/// Paging back through a conversation.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// Only messages older than this id.
    before: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Read as this shared profile (you must be a member).
    acting_as: Option<String>,
}

/// A conversation with its messages.
#[derive(Serialize, ToSchema)]
pub struct ConversationDetail {
    /// The conversation.
    conversation: ConversationView,
    /// Oldest first (the newest page).
    messages: Vec<MessageView>,
}

/// A conversation you take part in.
#[utoipa::path(get, path = "/api/v1/messages/{id}", tag = "messages", params(("id" = String, Path, description = "Conversation id"), MessagesQuery),
    responses(
        (status = 200, description = "The conversation", body = ConversationDetail),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of that shared profile", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
        (status = 422, description = "Bad cursor or limit", body = ErrorBody),
    ))]
async fn read_conversation(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Result<Json<ConversationDetail>, AppError> {
    let w = window(q.before.as_deref(), q.limit)?;
    let (c, m) = messages::open(
        &state,
        &current,
        parse_id(&id)?,
        w.before,
        w.limit,
        q.acting_as.as_deref(),
    )
    .await?;
    let lens = BylineLens::for_viewer(&state, &current).await?;
    Ok(Json(ConversationDetail {
        conversation: c.into(),
        messages: m.into_iter().map(|m| MessageView::new(m, &lens)).collect(),
    }))
}

/// A reply.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Markdown, 1–5000 characters.
    text: String,
    /// Write as this shared profile (it must take part in the conversation).
    #[serde(default)]
    acting_as: Option<String>,
}

/// Write in a conversation you take part in.
#[utoipa::path(post, path = "/api/v1/messages/{id}", tag = "messages", request_body = ReplyRequest, params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 201, description = "Sent", body = Sent),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May not write as that shared profile", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Empty or long text", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn reply(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReplyRequest>,
) -> Result<(StatusCode, Json<Sent>), AppError> {
    let id = parse_id(&id)?;
    let message = messages::send(&state, &current, id, &b.text, b.acting_as.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(Sent {
            conversation: id.to_string(),
            message: message.to_string(),
        }),
    ))
}

/// Mark a conversation read.
#[utoipa::path(post, path = "/api/v1/messages/{id}/read", tag = "messages", operation_id = "mark_conversation_read", params(("id" = String, Path, description = "Conversation id"), InboxQuery),
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of that shared profile", body = ErrorBody),
        (status = 404, description = "No such conversation of yours", body = ErrorBody),
    ))]
async fn mark_read(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<StatusCode, AppError> {
    messages::mark_read(&state, &current, parse_id(&id)?, q.acting_as.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
