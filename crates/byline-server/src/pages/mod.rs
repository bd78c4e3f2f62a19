//! Server-rendered HTML pages. Templates live in `web/templates` and escape
//! everything by default.

mod acting;
mod admin;
mod articles;
mod campaigns;
mod channels;
mod communities;
mod dashboard;
mod help_desk;
mod investigations;
mod listening;
mod messages;
mod moderation;
mod notifications;
mod profile;
mod publishing;
mod rosters;
mod search;
mod session;
mod short_links;
mod social;
mod vault;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry::current_request_id;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stylesheet))
        .routes(routes!(live_script))
        .routes(routes!(vault_script))
        .routes(routes!(channels_script))
        .routes(routes!(calendar_script))
        .routes(routes!(campaign_script))
        .merge(session::routes())
        .merge(admin::routes())
        .merge(social::routes())
        .merge(profile::routes())
        .merge(notifications::routes())
        .merge(search::routes())
        .merge(acting::routes())
        .merge(communities::routes())
        .merge(messages::routes())
        .merge(investigations::routes())
        .merge(rosters::routes())
        .merge(vault::routes())
        .merge(channels::routes())
        .merge(short_links::routes())
        .merge(help_desk::routes())
        .merge(dashboard::routes())
        .merge(articles::routes())
        .merge(publishing::routes())
        .merge(campaigns::routes())
        .merge(listening::routes())
        .merge(moderation::routes())
}

/// The signed-in user as the navigation shows them.
pub(crate) struct NavUser {
    handle: String,
    is_admin: bool,
    csrf_token: String,
    unread: i64,
    unread_messages: i64,
    /// Shared profiles the user may act as: (handle, name).
    profiles: Vec<(String, String)>,
    /// The shared profile they are acting as, if any: (handle, name).
    acting: Option<(String, String)>,
    /// Holds the investigator right.
    investigator: bool,
}

/// What the layout needs: who is signed in and which section is current.
pub(crate) struct Nav {
    me: Option<NavUser>,
    section: &'static str,
}

impl Nav {
    /// The navigation for a signed-in page, with the unread count.
    pub(crate) async fn load(
        state: &AppState,
        current: &CurrentUser,
        section: &'static str,
    ) -> Result<Nav, PageError> {
        let unread = byline_app::notifications::unread(state, current).await?;
        let switcher = byline_app::acting::switcher(state, current).await?;
        let profiles = switcher
            .profiles
            .into_iter()
            .map(|m| (m.handle, m.display_name))
            .collect();
        let acting = switcher
            .acting
            .map(|s| (s.membership.handle, s.membership.display_name));
        let unread_messages = switcher.unread_messages;
        Ok(Nav {
            me: Some(NavUser {
                handle: current.user.handle.clone(),
                is_admin: current.user.role == byline_core::Role::Admin,
                csrf_token: current.csrf_token().to_owned(),
                unread,
                unread_messages,
                profiles,
                acting,
                investigator: switcher.investigator,
            }),
            section,
        })
    }

    pub(crate) fn anonymous() -> Nav {
        Nav {
            me: None,
            section: "",
        }
    }
}

/// Renders a template, turning a template failure into a logged 500.
pub(crate) fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError(AppError::Internal(format!("template: {e}"))))
}

/// An [`AppError`] shown as a page: anonymous visitors are sent to sign in,
/// everything else gets an error page with the right status.
#[derive(Debug)]
pub(crate) struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    title: String,
    message: String,
    request_id: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, AppError::Unauthenticated(_)) {
            return Redirect::to("/sign-in").into_response();
        }
        e.log();
        let status = e.status();
        let page = ErrorPage {
            nav: Nav::anonymous(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            message: e.public_message(),
            request_id: current_request_id(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, e.public_message()).into_response(),
        }
    }
}

/// The signed-in user of a page; anyone else is sent to sign in.
pub(crate) struct Viewer(pub CurrentUser);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, PageError> {
        <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Viewer)
            .map_err(PageError)
    }
}

/// The HTML 404 page.
pub(crate) fn not_found_page() -> Response {
    PageError(AppError::NotFound).into_response()
}

/// A urlencoded form whose rejections render as error pages.
pub(crate) struct WebForm<T>(pub T);

impl<S, T> FromRequest<S> for WebForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(v)| WebForm(v))
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    PageError(AppError::PayloadTooLarge)
                } else {
                    PageError(AppError::BadRequest(format!(
                        "the form could not be read: {}",
                        e.body_text()
                    )))
                }
            })
    }
}

/// A refusal a page shows in place (422, 403 or 409 with the reason), or
/// the error to render as an error page.
pub(crate) fn refusal(e: byline_app::Error) -> Result<(StatusCode, String), PageError> {
    Ok(match AppError::from(e) {
        AppError::Invalid(why) => (StatusCode::UNPROCESSABLE_ENTITY, why),
        AppError::ForbiddenBecause(why) => (StatusCode::FORBIDDEN, why),
        AppError::Conflict(what) => (
            StatusCode::CONFLICT,
            format!("that {what} is already taken"),
        ),
        other => return Err(other.into()),
    })
}

const STYLESHEET: &str = include_str!("../../../../web/static/byline.css");

/// The one stylesheet.
#[utoipa::path(get, operation_id = "page_stylesheet", path = "/static/byline.css", tag = "web", security(()),
    responses((status = 200, description = "CSS", content_type = "text/css")))]
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

const LIVE_SCRIPT: &str = include_str!("../../../../web/static/live.js");
const VAULT_SCRIPT: &str = include_str!("../../../../web/static/vault.js");
const CHANNELS_SCRIPT: &str = include_str!("../../../../web/static/channels.js");
const CALENDAR_SCRIPT: &str = include_str!("../../../../web/static/calendar.js");
const CAMPAIGN_SCRIPT: &str = include_str!("../../../../web/static/campaign.js");

/// The calendar's drag-to-reschedule (the page works without it: each
/// item opens its publication, whose form schedules it).
#[utoipa::path(get, path = "/static/calendar.js", tag = "web", operation_id = "page_calendar_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn calendar_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CALENDAR_SCRIPT,
    )
}

/// The campaign report's charts and print button (the report works without it, as tables).
#[utoipa::path(get, path = "/static/campaign.js", tag = "web", operation_id = "page_campaign_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn campaign_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CAMPAIGN_SCRIPT,
    )
}

/// The channels page's in-place test buttons (the page works without it).
#[utoipa::path(get, path = "/static/channels.js", tag = "web", operation_id = "page_channels_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn channels_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CHANNELS_SCRIPT,
    )
}

/// The vault page's copy buttons (the page works without it, by reveal).
#[utoipa::path(get, path = "/static/vault.js", tag = "web", operation_id = "page_vault_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn vault_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        VAULT_SCRIPT,
    )
}

/// The small script that applies live updates (pages work without it).
#[utoipa::path(get, path = "/static/live.js", tag = "web", operation_id = "page_live_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn live_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LIVE_SCRIPT,
    )
}
