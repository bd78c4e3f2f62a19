//! Community pages: the directory, a community's page, and membership forms.

use super::social::{ComposeBox, FeedQuery, PostCard, feed_parts};
use super::{Nav, PageError, Viewer, WebForm, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use byline_app::communities::{self as service, NewCommunity};
use byline_app::feeds::window;
use byline_store::communities::Community;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(directory, create))
        .routes(routes!(community))
        .routes(routes!(join))
        .routes(routes!(leave))
        .routes(routes!(approve))
        .routes(routes!(invite))
}

/// A community as the pages show it.
struct CommunityCard {
    slug: String,
    name: String,
    description: String,
    visibility: &'static str,
    member_count: i64,
    membership: Option<String>,
}

impl From<&Community> for CommunityCard {
    fn from(c: &Community) -> CommunityCard {
        CommunityCard {
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            visibility: c.visibility.as_str(),
            member_count: c.member_count,
            membership: c.membership.map(|m| {
                if m.is_member() {
                    m.role.as_str()
                } else {
                    m.state.as_str()
                }
                .to_owned()
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "communities.html")]
struct DirectoryPage {
    nav: Nav,
    csrf_token: String,
    communities: Vec<CommunityCard>,
}

/// Every community the viewer may know exists, and a form to start one.
#[utoipa::path(get, path = "/communities", tag = "web", operation_id = "page_communities",
    responses((status = 200, description = "Community directory", content_type = "text/html")))]
async fn directory(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Html<String>, PageError> {
    let list = service::list(&state, &current).await?;
    render(&DirectoryPage {
        nav: Nav::load(&state, &current, "communities").await?,
        csrf_token: current.csrf_token().to_owned(),
        communities: list.iter().map(CommunityCard::from).collect(),
    })
}

/// The new-community form's fields.
#[derive(Deserialize, ToSchema)]
pub struct CreateForm {
    csrf_token: String,
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    visibility: String,
}

/// Creates a community and opens its page.
#[utoipa::path(post, path = "/communities", tag = "web", operation_id = "page_create_community",
    request_body(content = CreateForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Created"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 409, description = "Short name taken", content_type = "text/html"),
              (status = 422, description = "Invalid field", content_type = "text/html")))]
async fn create(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    WebForm(f): WebForm<CreateForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let c = service::create(
        &state,
        &current,
        NewCommunity {
            slug: f.slug,
            name: f.name,
            description: f.description,
            visibility: f.visibility,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/communities/{}", c.slug)).into_response())
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    nav: Nav,
    csrf_token: String,
    c: CommunityCard,
    can_join: bool,
    can_leave: bool,
    can_read: bool,
    can_post: bool,
    moderates: bool,
    requests: Vec<(String, String)>,
    compose: ComposeBox,
    posts: Vec<PostCard>,
    next_page: Option<String>,
    empty_text: &'static str,
    live: &'static str,
}

/// A community's page: membership, moderation, compose box and posts.
#[utoipa::path(get, path = "/communities/{slug}", tag = "web", operation_id = "page_community",
    params(("slug" = String, Path, description = "Community short name"), FeedQuery),
    responses((status = 200, description = "Community page", content_type = "text/html"),
              (status = 404, description = "No such community", content_type = "text/html")))]
async fn community(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(slug): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Html<String>, PageError> {
    let c = service::visible_community(&state, &current, &slug).await?;
    let service::Abilities {
        can_read,
        can_post,
        moderates,
        can_join,
        can_leave,
    } = service::abilities(&current, &c);
    let (posts, next_page) = if can_read {
        let w = window(q.before.as_deref(), None)?;
        let page = byline_app::feeds::community(&state, &current, &c.slug, w).await?;
        let lens = byline_app::bylines::BylineLens::for_viewer(&state, &current).await?;
        feed_parts(page, &lens, &format!("/communities/{}", c.slug))
    } else {
        (Vec::new(), None)
    };
    let requests = if moderates {
        service::requests(&state, &current, &c.slug)
            .await?
            .into_iter()
            .map(|m| (m.handle, m.display_name))
            .collect()
    } else {
        Vec::new()
    };
    render(&CommunityPage {
        nav: Nav::load(&state, &current, "communities").await?,
        csrf_token: current.csrf_token().to_owned(),
        compose: ComposeBox::new_post(Some(c.slug.clone())),
        c: CommunityCard::from(&c),
        can_join,
        can_leave,
        can_read,
        can_post,
        moderates,
        requests,
        posts,
        next_page,
        empty_text: "No posts here yet.",
        live: "",
    })
}

/// A form carrying only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct TokenForm {
    csrf_token: String,
}

fn back(slug: &str) -> Response {
    Redirect::to(&format!("/communities/{slug}")).into_response()
}

/// Joins, asks to join, or accepts an invitation.
#[utoipa::path(post, path = "/communities/{slug}/join", tag = "web", operation_id = "page_join",
    params(("slug" = String, Path, description = "Community short name")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Joined or asked"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such community", content_type = "text/html"),
              (status = 409, description = "Already a member", content_type = "text/html")))]
async fn join(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(slug): Path<String>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let (c, _) = service::join(&state, &current, &slug).await?;
    Ok(back(&c.slug))
}

/// Leaves, withdraws a request or declines an invitation.
#[utoipa::path(post, path = "/communities/{slug}/leave", tag = "web", operation_id = "page_leave",
    params(("slug" = String, Path, description = "Community short name")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Left"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such community", content_type = "text/html"),
              (status = 422, description = "Not a member, or the owner", content_type = "text/html")))]
async fn leave(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(slug): Path<String>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    service::leave(&state, &current, &slug).await?;
    Ok(Redirect::to("/communities").into_response())
}

/// Approves a request to join.
#[utoipa::path(post, path = "/communities/{slug}/requests/{handle}/approve", tag = "web", operation_id = "page_approve",
    params(("slug" = String, Path, description = "Community short name"), ("handle" = String, Path, description = "Who asked")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Approved"),
              (status = 403, description = "Moderators only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such community or request", content_type = "text/html")))]
async fn approve(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((slug, handle)): Path<(String, String)>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    service::approve(&state, &current, &slug, &handle).await?;
    Ok(back(&slug))
}

/// The invitation form's fields.
#[derive(Deserialize, ToSchema)]
pub struct InviteForm {
    csrf_token: String,
    handle: String,
}

/// Invites a profile.
#[utoipa::path(post, path = "/communities/{slug}/invitations", tag = "web", operation_id = "page_invite",
    params(("slug" = String, Path, description = "Community short name")),
    request_body(content = InviteForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Invited"),
              (status = 403, description = "Moderators only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such community or profile", content_type = "text/html"),
              (status = 409, description = "Already a member", content_type = "text/html")))]
async fn invite(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(slug): Path<String>,
    WebForm(f): WebForm<InviteForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    service::invite(
        &state,
        &current,
        &slug,
        f.handle.trim().trim_start_matches('@'),
    )
    .await?;
    Ok(back(&slug))
}
