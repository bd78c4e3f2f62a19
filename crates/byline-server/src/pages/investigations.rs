//! Investigation pages: open one, and read who was acting and what was said.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::json::parse_id;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use byline_app::investigations;
use byline_core::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(detail))
        .routes(routes!(close))
}

fn short(t: i64) -> String {
    Timestamp(t).to_minute_label()
}

#[derive(Template)]
#[template(path = "investigations.html")]
struct ListPage {
    nav: Nav,
    csrf_token: String,
    error: Option<String>,
    /// (id, profile, from, to, reason, closed)
    items: Vec<(i64, String, String, String, String, bool)>,
}

async fn list_page(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    error: Option<String>,
) -> Result<ListPage, PageError> {
    let items = investigations::mine(state, current)
        .await?
        .into_iter()
        .map(|i| {
            (
                i.id,
                i.profile_handle,
                short(i.window_from),
                short(i.window_to),
                i.reason,
                i.closed_at.is_some(),
            )
        })
        .collect();
    Ok(ListPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        error,
        items,
    })
}

/// Your investigations and a form to open one.
#[utoipa::path(get, path = "/investigations", tag = "web", operation_id = "page_investigations",
    responses((status = 200, description = "Investigations page", content_type = "text/html")))]
async fn list(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Html<String>, PageError> {
    render(&list_page(&state, &current, None).await?)
}

/// The open-investigation form's fields.
#[derive(Deserialize, ToSchema)]
pub struct OpenForm {
    csrf_token: String,
    profile: String,
    reason: String,
    /// YYYY-MM-DD.
    date: String,
    /// HH:MM.
    from: String,
    /// HH:MM.
    to: String,
    /// ±HH:MM.
    offset: String,
    /// Optional: specific posts (ids or links), comma or space separated.
    #[serde(default)]
    posts: String,
}

/// Opens an investigation and shows it.
#[utoipa::path(post, path = "/investigations", tag = "web", operation_id = "page_open_investigation",
    request_body(content = OpenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Opened"),
              (status = 403, description = "Investigators only, or wrong CSRF token", content_type = "text/html"),
              (status = 422, description = "Bad input", content_type = "text/html")))]
async fn open(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    WebForm(f): WebForm<OpenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let offset = if f.offset.trim().is_empty() {
        "+00:00"
    } else {
        f.offset.trim()
    };
    let from = format!("{}T{}{}", f.date.trim(), f.from.trim(), offset);
    let to = format!("{}T{}{}", f.date.trim(), f.to.trim(), offset);
    let posts: Vec<String> = f
        .posts
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    match investigations::open(
        &state,
        &current,
        investigations::Scope {
            profile: f.profile.trim().trim_start_matches('@'),
            from: Some(&from),
            to: Some(&to),
            posts: &posts,
        },
        &f.reason,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(i) => Ok(Redirect::to(&format!("/investigations/{}", i.id)).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let status = e.status();
            Ok((
                status,
                render(&list_page(&state, &current, Some(e.public_message())).await?)?,
            )
                .into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "investigation.html")]
struct DetailPage {
    nav: Nav,
    csrf_token: String,
    id: i64,
    profile: String,
    reason: String,
    from: String,
    to: String,
    opened: String,
    open: bool,
    /// (person, from, until, address, client)
    sessions: Vec<(String, String, String, String, String)>,
    /// (text, when, writer, address, what it is)
    bylines: Vec<(String, String, String, String, &'static str)>,
}

/// An investigation: who was acting in its window, and the revealed bylines (audited).
#[utoipa::path(get, path = "/investigations/{id}", tag = "web", operation_id = "page_investigation",
    params(("id" = String, Path, description = "Investigation id")),
    responses((status = 200, description = "Investigation page", content_type = "text/html"),
              (status = 404, description = "No such investigation of yours", content_type = "text/html"),
              (status = 422, description = "Closed", content_type = "text/html")))]
async fn detail(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (inv, bylines) = investigations::reveal(&state, &current, parse_id(&id)?).await?;
    // The investigation's own window, exactly (it may start mid-second).
    let (from, to) = (Timestamp(inv.window_from), Timestamp(inv.window_to));
    let who =
        byline_app::shared_profiles::who_acted(&state, &current, &inv.profile_handle, from, to)
            .await?;
    render(&DetailPage {
        nav: Nav::load(&state, &current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        id: inv.id,
        profile: inv.profile_handle.clone(),
        reason: inv.reason.clone(),
        from: short(inv.window_from),
        to: short(inv.window_to),
        opened: short(inv.opened_at),
        open: inv.closed_at.is_none(),
        sessions: who
            .sessions
            .into_iter()
            .map(|s| {
                (
                    format!("{} (@{})", s.display_name, s.handle),
                    short(s.started_at),
                    s.ended_at
                        .map(short)
                        .unwrap_or_else(|| "still acting".into()),
                    s.source_address,
                    s.user_agent,
                )
            })
            .collect(),
        bylines: bylines
            .into_iter()
            .map(|b| {
                (
                    b.body,
                    short(b.at),
                    format!("{} (@{})", b.display_name, b.handle),
                    b.source_address,
                    match b.kind.as_str() {
                        "version" => "earlier text (since edited or deleted)",
                        "message" => "direct message",
                        _ => "post",
                    },
                )
            })
            .collect(),
    })
}

/// The close form's fields.
#[derive(Deserialize, ToSchema)]
pub struct CloseForm {
    csrf_token: String,
    outcome: String,
}

/// Closes an investigation.
#[utoipa::path(post, path = "/investigations/{id}/close", tag = "web", operation_id = "page_close_investigation",
    params(("id" = String, Path, description = "Investigation id")),
    request_body(content = CloseForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Closed"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such investigation of yours", content_type = "text/html"),
              (status = 422, description = "No outcome", content_type = "text/html")))]
async fn close(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<CloseForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    investigations::close(&state, &current, parse_id(&id)?, &f.outcome).await?;
    Ok(Redirect::to("/investigations").into_response())
}
