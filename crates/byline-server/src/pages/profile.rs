//! Profile pages: a profile's posts and the follow button.

use super::social::{FeedQuery, PostCard, feed_parts};
use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Redirect, Response};
use byline_app::bylines::BylineLens;
use byline_app::feeds::{self, window};
use byline_core::Handle;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(profile))
        .routes(routes!(follow))
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
    csrf_token: String,
    profile: ProfileDisplay,
    followers: i64,
    following: i64,
    is_me: bool,
    i_follow: bool,
    /// The viewer may see this shared profile's roster.
    show_roster: bool,
    show_inbox: bool,
    /// The viewer may ask who was acting as this shared profile (for a
    /// sealed one, given an investigation).
    show_who_acted: bool,
    posts: Vec<PostCard>,
    next_page: Option<String>,
    empty_text: &'static str,
    live: &'static str,
}

/// A profile's page with its posts.
#[utoipa::path(get, path = "/profiles/{handle}", tag = "web", operation_id = "page_profile",
    params(("handle" = String, Path, description = "Handle without @"), FeedQuery),
    responses((status = 200, description = "Profile page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such profile", content_type = "text/html")))]
async fn profile(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Html<String>, PageError> {
    let byline_app::profiles::Overview {
        profile: p,
        followers,
        following,
        i_follow,
        show_roster,
        show_who_acted,
        show_inbox,
    } = byline_app::profiles::overview(&state, &current, &handle).await?;
    let w = window(q.before.as_deref(), None)?;
    let page = feeds::profile(&state, &current, &handle, w).await?;
    let is_me = p.id == current.user.profile_id;
    let (posts, next_page) = feed_parts(
        page,
        &BylineLens::for_viewer(&state, &current).await?,
        &format!("/profiles/{}", p.handle),
    );
    render(&ProfilePage {
        nav: Nav::load(&state, &current, if is_me { "profile" } else { "" }).await?,
        csrf_token: current.csrf_token().to_owned(),
        profile: ProfileDisplay {
            handle: p.handle,
            kind: p.kind.as_str().to_owned(),
            display_name: p.display_name,
            bio: p.bio,
            created_at: p.created_at.to_minute_label(),
        },
        followers,
        following,
        is_me,
        show_roster,
        show_inbox,
        show_who_acted,
        i_follow,
        posts,
        next_page,
        empty_text: "No posts yet.",
        live: "",
    })
}

/// The follow button's fields.
#[derive(Deserialize, ToSchema)]
pub struct FollowForm {
    csrf_token: String,
    follow: bool,
}

/// Follows or unfollows from a profile page.
#[utoipa::path(post, path = "/profiles/{handle}/follow", tag = "web", operation_id = "page_follow",
    params(("handle" = String, Path, description = "Handle")),
    request_body(content = FollowForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Done"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such profile", content_type = "text/html")))]
async fn follow(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<FollowForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    byline_app::follows::follow(&state, &current, &handle, f.follow).await?;
    let handle = Handle::parse(&handle).map_err(|_| AppError::NotFound)?;
    Ok(Redirect::to(&format!("/profiles/{}", handle.as_str())).into_response())
}
