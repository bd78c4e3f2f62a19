//! The notifications page.

use super::social::TokenForm;
use super::{Nav, PageError, Viewer, WebForm, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notifications))
        .routes(routes!(mark_read))
}

/// A notification as the page shows it.
struct NotificationLine {
    actor_handle: String,
    actor_name: String,
    text: &'static str,
    link: Option<String>,
    link_text: &'static str,
    when: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    nav: Nav,
    csrf_token: String,
    unread: i64,
    items: Vec<NotificationLine>,
}

/// The viewer's notifications.
#[utoipa::path(get, path = "/notifications", tag = "web", operation_id = "page_notifications",
    responses((status = 200, description = "Notifications page", content_type = "text/html")))]
async fn notifications(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Html<String>, PageError> {
    let (items, unread) = byline_app::notifications::page(&state, &current, i64::MAX, 50).await?;
    let items = items
        .into_iter()
        .map(|n| {
            let (text, link_text) = match n.kind.as_str() {
                "mention" => ("mentioned you in", "a post"),
                "reply" => ("replied to you in", "a thread"),
                "reaction" => ("reacted to", "your post"),
                "follow" => ("started following you", ""),
                "join_request" => ("asked to join", "your community"),
                "invitation" => ("invited you to", "a community"),
                "message" => ("sent you", "a message"),
                "investigator" => (
                    "was given the investigator right: investigations can reveal the bylines of the sealed profiles you own",
                    "",
                ),
                "sla_warning" => ("will miss a ticket's SLA soon:", "the request"),
                "sla_breach" => ("missed a ticket's SLA:", "the request"),
                "vault_reveal" => ("saw a secret in", "the vault"),
                "vault_rotate" => ("left, or a secret grew old: rotate it in", "the vault"),
                "publication_submitted" => ("asks for your review of", "a publication"),
                "publication_approved" => ("approved", "your publication"),
                "publication_rejected" => ("sent back", "your publication"),
                "publication_published" => ("published", "a publication"),
                "publication_failed" => ("could not publish", "a publication"),
                "listening_incident" => ("heard a burst of people on a topic: see", "the incident"),
                "listening_digest" => ("wrote its weekly listening digest:", "read it"),
                _ => ("did something", ""),
            };
            let link = match (n.post_id, n.community_slug, n.conversation_id) {
                _ if n.kind == "listening_incident" => {
                    Some(format!("/profiles/{}/listening", n.actor_handle))
                }
                _ if n.kind == "listening_digest" => {
                    Some(format!("/profiles/{}/listening/digests", n.actor_handle))
                }
                _ if n.publication_id.is_some() => n
                    .publication_id
                    .zip(n.publication_profile.as_ref())
                    .map(|(id, h)| format!("/profiles/{h}/publications/{id}")),
                _ if n.secret_profile.is_some() => n
                    .secret_profile
                    .as_ref()
                    .map(|h| format!("/profiles/{h}/vault")),
                (Some(p), _, _) => Some(format!("/posts/{p}")),
                (None, Some(c), _) => Some(format!("/communities/{c}")),
                (None, None, Some(m)) => Some(format!("/messages/{m}")),
                _ => None,
            };
            NotificationLine {
                actor_handle: n.actor_handle,
                actor_name: n.actor_name,
                text,
                link,
                link_text,
                when: byline_core::Timestamp(n.created_at).to_minute_label(),
                read: n.read_at.is_some(),
            }
        })
        .collect();
    render(&NotificationsPage {
        nav: Nav::load(&state, &current, "notifications").await?,
        csrf_token: current.csrf_token().to_owned(),
        unread,
        items,
    })
}

/// Marks all notifications read.
#[utoipa::path(post, path = "/notifications/read", tag = "web", operation_id = "page_mark_read",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Marked"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html")))]
async fn mark_read(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    byline_app::notifications::mark_read(&state, &current, i64::MAX).await?;
    Ok(Redirect::to("/notifications").into_response())
}
