//! Acting as a shared profile: the switcher, and the page that answers
//! "who was acting as this profile?" for admins and investigators.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use byline_core::Timestamp;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(switch))
        .routes(routes!(who_acted))
}

/// The profile switcher's fields.
#[derive(Deserialize, ToSchema)]
pub struct SwitchForm {
    csrf_token: String,
    /// A shared profile's handle, or empty to act as yourself.
    profile: String,
}

/// Switches between acting as yourself and as a shared profile.
#[utoipa::path(post, path = "/acting", tag = "web", operation_id = "page_switch_profile",
    request_body(content = SwitchForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Switched"),
              (status = 403, description = "Not a member, or wrong CSRF token", content_type = "text/html")))]
async fn switch(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    client: crate::auth::Client,
    WebForm(f): WebForm<SwitchForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    if f.profile.trim().is_empty() {
        byline_app::acting::switch_out(&state, &current, "switched_out").await?;
    } else {
        byline_app::acting::switch_in(&state, &current, f.profile.trim(), &client.user_agent)
            .await?;
    }
    Ok(Redirect::to("/").into_response())
}

/// The question "who was acting as this profile?", as typed.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct WhoActedQuery {
    /// YYYY-MM-DD.
    date: Option<String>,
    /// HH:MM.
    from: Option<String>,
    /// HH:MM.
    to: Option<String>,
    /// ±HH:MM, the asker's offset from UTC.
    offset: Option<String>,
}

#[derive(Template)]
#[template(path = "who_acted.html")]
struct WhoActedPage {
    nav: Nav,
    handle: String,
    date: String,
    from: String,
    to: String,
    offset: String,
    asked: bool,
    error: Option<String>,
    /// (person, from, until, address, client)
    sessions: Vec<(String, String, String, String, String)>,
    /// (when, what, target, person, address, link to the post if any)
    actions: Vec<(String, String, String, String, String, Option<String>)>,
}

fn short(micros: i64) -> String {
    Timestamp(micros).to_minute_label()
}

/// What an audited action means, in words.
fn action_words(action: &str) -> &str {
    match action {
        "post.create_as_profile" => "posted",
        "post.reply_as_profile" => "replied",
        "post.edit_as_profile" => "edited",
        "post.delete_as_profile" => "deleted",
        "post.react_as_profile" => "reacted",
        "post.unreact_as_profile" => "took back a reaction",
        "message.send_as_profile" => "sent a message",
        other => other,
    }
}

/// Who was acting as a shared profile in a window (admins; sealed profiles need an open investigation). Asking is audited.
#[utoipa::path(get, path = "/profiles/{handle}/acting", tag = "web", operation_id = "page_who_acted",
    params(("handle" = String, Path, description = "Shared profile handle"), WhoActedQuery),
    responses((status = 200, description = "The question and, when asked, its answer", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Admins and investigators only", content_type = "text/html"),
              (status = 404, description = "No such shared profile", content_type = "text/html"),
              (status = 422, description = "Bad window, or a sealed profile without an investigation", content_type = "text/html")))]
async fn who_acted(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<WhoActedQuery>,
) -> Result<Response, PageError> {
    let (profile, _) = byline_app::shared_profiles::shared(&state, &current, &handle).await?;
    // The form is for those who may ask at all; the answer is decided with
    // the real window.
    if !byline_app::shared_profiles::may_ask_who_acted(&state, &current, profile.id).await? {
        if q.date.as_deref().is_some_and(|d| !d.trim().is_empty()) {
            // A question put anyway is refused like any other, and audited.
            byline_app::shared_profiles::refuse_question(&state, &current, profile.id).await?;
        }
        return Err(AppError::ForbiddenBecause(
            "only admins (about signed and internal profiles) and investigators may ask who was acting; \
             answers about a sealed profile need an open investigation"
                .into(),
        )
        .into());
    }
    let field = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let (date, from, to) = (field(&q.date), field(&q.from), field(&q.to));
    let offset = match field(&q.offset) {
        o if o.is_empty() => "+00:00".to_owned(),
        o => o,
    };
    let mut page = WhoActedPage {
        nav: Nav::load(&state, &current, "").await?,
        handle: profile.handle.clone(),
        asked: !date.is_empty(),
        date,
        from,
        to,
        offset,
        error: None,
        sessions: Vec::new(),
        actions: Vec::new(),
    };
    let mut status = StatusCode::OK;
    if page.asked {
        let window = |time: &str| format!("{}T{}{}", page.date, time, page.offset);
        let asked =
            byline_app::shared_profiles::parse_window(&window(&page.from), &window(&page.to));
        let answer = match asked {
            Ok((from, to)) => {
                byline_app::shared_profiles::who_acted(&state, &current, &handle, from, to).await
            }
            Err(e) => Err(e),
        };
        match answer.map_err(AppError::from) {
            Ok(w) => {
                page.sessions = w
                    .sessions
                    .into_iter()
                    .map(|s| {
                        (
                            format!("{} (@{})", s.display_name, s.handle),
                            short(s.started_at),
                            s.ended_at.map_or_else(|| "still acting".into(), short),
                            s.source_address,
                            s.user_agent,
                        )
                    })
                    .collect();
                page.actions = w
                    .actions
                    .into_iter()
                    .map(|a| {
                        (
                            short(a.at),
                            action_words(&a.action).to_owned(),
                            a.target.replace(':', " "),
                            format!("@{}", a.handle),
                            a.source_address,
                            a.target
                                .strip_prefix("post:")
                                .map(|id| format!("/posts/{id}")),
                        )
                    })
                    .collect();
            }
            Err(e @ AppError::Invalid(_)) => {
                status = e.status();
                page.error = Some(e.public_message());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((status, render(&page)?).into_response())
}
