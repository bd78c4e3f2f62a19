//! Server-rendered HTML pages. Templates live in `web/templates` and escape
//! everything by default.

mod admin;
mod session;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry::current_request_id;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use byline_core::Handle;
use byline_core::policy::{Action, authorize};
use serde::de::DeserializeOwned;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(home))
        .routes(routes!(profile))
        .routes(routes!(stylesheet))
        .merge(session::routes())
        .merge(admin::routes())
}

/// The signed-in user as the navigation shows them.
pub(crate) struct NavUser {
    handle: String,
    is_admin: bool,
    csrf_token: String,
}

/// What the layout needs: who is signed in and which section is current.
pub(crate) struct Nav {
    me: Option<NavUser>,
    section: &'static str,
}

impl Nav {
    pub(crate) fn for_user(current: &CurrentUser, section: &'static str) -> Nav {
        Nav {
            me: Some(NavUser {
                handle: current.user.handle.clone(),
                is_admin: current.user.role == byline_core::Role::Admin,
                csrf_token: current.csrf_token().to_owned(),
            }),
            section,
        }
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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    display_name: String,
}

/// Home: the signed-in user's feed.
#[utoipa::path(get, operation_id = "page_home", path = "/", tag = "web",
    responses((status = 200, description = "Home feed page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page")))]
async fn home(current: Option<CurrentUser>) -> Result<Response, PageError> {
    let Some(current) = current else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    authorize(Some(&current.actor()), Action::ReadNetwork)?;
    let page = HomePage {
        nav: Nav::for_user(&current, "home"),
        display_name: current.user.display_name.clone(),
    };
    Ok(render(&page)?.into_response())
}

/// What the profile page shows.
struct ProfileDisplay {
    handle: String,
    kind: String,
    display_name: String,
    bio: String,
    created_at: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    nav: Nav,
    profile: ProfileDisplay,
}

/// A profile's page.
#[utoipa::path(get, operation_id = "page_profile", path = "/profiles/{handle}", tag = "web",
    params(("handle" = String, Path, description = "Handle without @")),
    responses((status = 200, description = "Profile page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such profile", content_type = "text/html")))]
async fn profile(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Html<String>, PageError> {
    authorize(Some(&current.actor()), Action::ReadNetwork)?;
    let handle = Handle::parse(&handle).map_err(|_| AppError::NotFound)?;
    let p = state.store.profile_by_handle(&handle).await?;
    let section = if Some(current.user.id) == p.user_id {
        "profile"
    } else {
        ""
    };
    render(&ProfilePage {
        nav: Nav::for_user(&current, section),
        profile: ProfileDisplay {
            handle: p.handle,
            kind: p.kind.as_str().to_owned(),
            display_name: p.display_name,
            bio: p.bio,
            created_at: p.created_at.to_rfc3339(),
        },
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
