//! The social pages: home with the compose box, threads, profiles, tags,
//! notifications, and the form actions behind them.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::parse_id;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use byline_app::bylines::BylineLens;
use byline_app::feeds::{self, window};
use byline_app::posts::{self, Compose as ComposeInput};
use byline_core::reaction::Reaction;
use byline_store::feed::Page;
use byline_store::posts::Post;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(home))
        .routes(routes!(publish).layer(axum::extract::DefaultBodyLimit::max(
            byline_app::attachments::MAX_PER_POST * byline_app::attachments::MAX_BYTES + 64 * 1024,
        )))
        .routes(routes!(thread))
        .routes(routes!(versions))
        .routes(routes!(delete_post))
        .routes(routes!(react))
        .routes(routes!(fragment))
        .routes(routes!(tag))
}

/// A reaction button under a post.
pub(crate) struct ReactionButton {
    pub(crate) name: &'static str,
    pub(crate) emoji: &'static str,
    pub(crate) count: i64,
    pub(crate) mine: bool,
}

/// A post as the templates show it.
pub(crate) struct PostCard {
    pub(crate) id: i64,
    pub(crate) thread_id: i64,
    pub(crate) is_reply: bool,
    pub(crate) author_handle: String,
    pub(crate) author_name: String,
    pub(crate) community: Option<(String, String)>,
    pub(crate) html: String,
    pub(crate) created_at: String,
    pub(crate) created_label: String,
    pub(crate) edited: bool,
    pub(crate) deleted: bool,
    pub(crate) removed_reason: Option<String>,
    pub(crate) reply_count: i64,
    pub(crate) reactions: Vec<ReactionButton>,
    pub(crate) mine: bool,
    pub(crate) images: Vec<i64>,
    pub(crate) byline: Option<String>,
}

/// Reactions always offered, besides any already given.
const OFFERED: [Reaction; 3] = [Reaction::ThumbsUp, Reaction::Heart, Reaction::Tada];

impl PostCard {
    pub(crate) fn new(p: Post, lens: &BylineLens) -> PostCard {
        let byline = lens.reveal(&p).map(|(name, _)| name);
        let created_at = p.created_at.to_rfc3339();
        let reactions = Reaction::ALL
            .into_iter()
            .filter_map(|r| {
                let given = p.reactions.iter().find(|rc| rc.reaction == r);
                let shown = given.is_some() || OFFERED.contains(&r);
                shown.then(|| ReactionButton {
                    name: r.name(),
                    emoji: r.emoji(),
                    count: given.map_or(0, |g| g.count),
                    mine: given.is_some_and(|g| g.mine),
                })
            })
            .collect();
        PostCard {
            id: p.id,
            thread_id: p.thread_root_id.unwrap_or(p.id),
            is_reply: p.reply_to_id.is_some(),
            author_handle: p.author_handle,
            author_name: p.author_name,
            community: p.community_slug.zip(p.community_name),
            html: p.body_html,
            created_label: created_at.replace('T', " ").chars().take(16).collect(),
            created_at,
            edited: p.edited_at.is_some(),
            deleted: p.deleted_at.is_some(),
            removed_reason: p.removed_reason.filter(|_| p.deleted_at.is_some()),
            reply_count: p.reply_count,
            reactions,
            byline,
            mine: lens.may_change_as(p.author_profile_id),
            images: if p.deleted_at.is_some() {
                Vec::new()
            } else {
                p.attachments.iter().map(|a| a.id).collect()
            },
        }
    }
}

/// The compose box's words and destination.
pub(crate) struct ComposeBox {
    pub(crate) label: &'static str,
    pub(crate) placeholder: &'static str,
    pub(crate) button: &'static str,
    pub(crate) community: Option<String>,
    pub(crate) reply_to: Option<i64>,
}

impl ComposeBox {
    pub(crate) fn new_post(community: Option<String>) -> ComposeBox {
        ComposeBox {
            label: "New post",
            placeholder: "What's happening?",
            button: "Post",
            community,
            reply_to: None,
        }
    }
}

/// Cards and the link to the next page for a feed.
pub(crate) fn feed_parts(
    page: Page,
    lens: &BylineLens,
    base: &str,
) -> (Vec<PostCard>, Option<String>) {
    let sep = if base.contains('?') { '&' } else { '?' };
    let next = page.next_before.map(|b| format!("{base}{sep}before={b}"));
    (
        page.posts
            .into_iter()
            .map(|p| PostCard::new(p, lens))
            .collect(),
        next,
    )
}

/// Paging through a page's feed.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Show posts older than this id.
    pub(crate) before: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    display_name: String,
    csrf_token: String,
    compose: ComposeBox,
    posts: Vec<PostCard>,
    next_page: Option<String>,
    empty_text: &'static str,
    live: &'static str,
}

/// Home: the compose box and the signed-in user's feed.
#[utoipa::path(get, path = "/", tag = "web", operation_id = "page_home", params(FeedQuery),
    responses((status = 200, description = "Home feed page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page")))]
async fn home(
    State(state): State<AppState>,
    current: Option<CurrentUser>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, PageError> {
    let Some(current) = current else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let w = window(q.before.as_deref(), None)?;
    let page = feeds::home(&state, &current, w).await?;
    let (posts, next_page) =
        feed_parts(page, &BylineLens::for_viewer(&state, &current).await?, "/");
    let html = render(&HomePage {
        nav: Nav::load(&state, &current, "home").await?,
        display_name: current.user.display_name.clone(),
        csrf_token: current.csrf_token().to_owned(),
        compose: ComposeBox::new_post(None),
        posts,
        next_page,
        empty_text: "Your feed is empty. Follow people and join communities to fill it.",
        live: "home",
    })?;
    Ok(html.into_response())
}

/// The compose form's fields.
#[derive(Deserialize, ToSchema)]
pub struct ComposeForm {
    csrf_token: String,
    text: String,
    community: Option<String>,
    reply_to: Option<String>,
}

/// A compose form as sent: urlencoded, or multipart when images come along.
pub(crate) struct ComposeSubmission {
    form: ComposeForm,
    images: Vec<(Option<String>, axum::body::Bytes)>,
}

impl axum::extract::FromRequest<AppState> for ComposeSubmission {
    type Rejection = PageError;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, PageError> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let WebForm(form) = WebForm::<ComposeForm>::from_request(req, state).await?;
            return Ok(ComposeSubmission {
                form,
                images: Vec::new(),
            });
        }
        let bad = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                PageError(AppError::PayloadTooLarge)
            } else {
                PageError(AppError::BadRequest(format!(
                    "the form could not be read: {}",
                    e.body_text()
                )))
            }
        };
        let mut parts = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| {
                PageError(AppError::BadRequest(format!(
                    "the form could not be read: {}",
                    e.body_text()
                )))
            })?;
        let mut form = ComposeForm {
            csrf_token: String::new(),
            text: String::new(),
            community: None,
            reply_to: None,
        };
        let mut images = Vec::new();
        while let Some(field) = parts.next_field().await.map_err(bad)? {
            match field.name().unwrap_or_default() {
                "images" => {
                    let declared = field.content_type().map(str::to_owned);
                    let bytes = field.bytes().await.map_err(bad)?;
                    if !bytes.is_empty() {
                        if images.len() == byline_app::attachments::MAX_PER_POST {
                            return Err(PageError(AppError::Invalid(format!(
                                "a post has at most {} images",
                                byline_app::attachments::MAX_PER_POST
                            ))));
                        }
                        images.push((declared, bytes));
                    }
                }
                name => {
                    let name = name.to_owned();
                    let value = field.text().await.map_err(bad)?;
                    match name.as_str() {
                        "csrf_token" => form.csrf_token = value,
                        "text" => form.text = value,
                        "community" => form.community = Some(value),
                        "reply_to" => form.reply_to = Some(value),
                        _ => {}
                    }
                }
            }
        }
        Ok(ComposeSubmission { form, images })
    }
}

/// Publishes from the compose box (with up to four images) and goes to
/// where the post appears.
#[utoipa::path(post, path = "/posts", tag = "web", operation_id = "page_publish",
    request_body(content = ComposeForm, content_type = "application/x-www-form-urlencoded",
                 description = "Also accepted as multipart/form-data with up to four `images` files."),
    responses((status = 303, description = "Published"),
              (status = 400, description = "Unreadable form", content_type = "text/html"),
              (status = 403, description = "Wrong CSRF token or not a member", content_type = "text/html"),
              (status = 413, description = "Too large", content_type = "text/html"),
              (status = 422, description = "Empty or too long, or a bad image", content_type = "text/html")))]
async fn publish(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    submission: ComposeSubmission,
) -> Result<Response, PageError> {
    let ComposeSubmission { form: f, images } = submission;
    current.check_csrf(&f.csrf_token)?;
    let reply_to = match f.reply_to.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Some(parse_id(id)?),
        None => None,
    };
    let community = f.community.filter(|s| !s.is_empty());
    // Check the text before storing any image, so bad input stores nothing.
    byline_core::markdown::PostText::parse(&f.text).map_err(AppError::from)?;
    let mut attachments = Vec::new();
    for (declared, bytes) in images {
        let a =
            byline_app::attachments::upload(&state, &current, declared.as_deref(), bytes).await?;
        attachments.push(a.id);
    }
    let post = posts::create(
        &state,
        &current,
        ComposeInput {
            text: f.text,
            community,
            reply_to,
            attachments,
            acting_as: byline_app::acting::current(&state, &current)
                .await?
                .map(|s| s.membership.handle),
        },
    )
    .await?;
    let to = match (post.thread_root_id, &post.community_slug) {
        (Some(root), _) => format!("/posts/{root}#post-{}", post.id),
        (None, Some(slug)) => format!("/communities/{slug}"),
        (None, None) => "/".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    nav: Nav,
    csrf_token: String,
    posts: Vec<PostCard>,
    can_reply: bool,
    compose: ComposeBox,
}

/// A thread with a reply box.
#[utoipa::path(get, path = "/posts/{id}", tag = "web", operation_id = "page_thread",
    params(("id" = String, Path, description = "Any post in the thread")),
    responses((status = 200, description = "Thread page", content_type = "text/html"),
              (status = 404, description = "No such post", content_type = "text/html")))]
async fn thread(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let posts = feeds::thread(&state, &current, parse_id(&id)?).await?;
    let root = posts.first().map(|p| p.id);
    let last_live = posts
        .iter()
        .rev()
        .find(|p| p.deleted_at.is_none())
        .map(|p| p.id);
    let can_reply = match posts.first() {
        Some(root) => byline_app::posts::may_reply(&state, &current, root).await?,
        None => false,
    } && last_live.is_some();
    render(&ThreadPage {
        nav: Nav::load(&state, &current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        posts: {
            let lens = BylineLens::for_viewer(&state, &current).await?;
            posts.into_iter().map(|p| PostCard::new(p, &lens)).collect()
        },
        can_reply,
        compose: ComposeBox {
            label: "Reply",
            placeholder: "Write a reply",
            button: "Reply",
            community: None,
            reply_to: last_live.or(root),
        },
    })
}

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage {
    nav: Nav,
    post_id: i64,
    thread_id: i64,
    versions: Vec<(i64, String, String)>,
}

/// A post's edit history.
#[utoipa::path(get, path = "/posts/{id}/versions", tag = "web", operation_id = "page_versions",
    params(("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "Edit history", content_type = "text/html"),
              (status = 404, description = "No such post", content_type = "text/html")))]
async fn versions(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (post, earlier) = posts::versions(&state, &current, parse_id(&id)?).await?;
    let mut versions: Vec<(i64, String, String)> = earlier
        .into_iter()
        .map(|(v, h, t)| (v, h, t.to_rfc3339()))
        .collect();
    let at = post.edited_at.unwrap_or(post.created_at).to_rfc3339();
    versions.push((post.version, post.body_html.clone(), at));
    render(&VersionsPage {
        nav: Nav::load(&state, &current, "").await?,
        post_id: post.id,
        thread_id: post.thread_root_id.unwrap_or(post.id),
        versions,
    })
}

/// A form carrying only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct TokenForm {
    pub(crate) csrf_token: String,
}

/// Deletes a post from its page.
#[utoipa::path(post, path = "/posts/{id}/delete", tag = "web", operation_id = "page_delete_post",
    params(("id" = String, Path, description = "Post id")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Deleted"),
              (status = 403, description = "Not yours, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such post", content_type = "text/html")))]
async fn delete_post(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = parse_id(&id)?;
    let post = posts::get(&state, &current, id).await?;
    posts::delete(&state, &current, id).await?;
    let thread = post.thread_root_id.unwrap_or(post.id);
    Ok(Redirect::to(&format!("/posts/{thread}")).into_response())
}

/// A reaction button's fields.
#[derive(Deserialize, ToSchema)]
pub struct ReactForm {
    csrf_token: String,
    reaction: String,
}

/// Toggles one of the viewer's reactions.
#[utoipa::path(post, path = "/posts/{id}/react", tag = "web", operation_id = "page_react",
    params(("id" = String, Path, description = "Post id")),
    request_body(content = ReactForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Toggled"),
              (status = 403, description = "Wrong CSRF token or not a member", content_type = "text/html"),
              (status = 404, description = "No such post", content_type = "text/html"),
              (status = 422, description = "Unknown reaction", content_type = "text/html")))]
async fn react(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<ReactForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = parse_id(&id)?;
    let post = posts::get(&state, &current, id).await?;
    let reaction = Reaction::parse(&f.reaction).map_err(AppError::from)?;
    // While acting as a shared profile, the toggle is the profile's.
    let acting = byline_app::acting::current(&state, &current)
        .await?
        .map(|s| s.membership.handle);
    let given =
        posts::has_reacted(&state, &current, id, reaction.name(), acting.as_deref()).await?;
    posts::react(
        &state,
        &current,
        id,
        reaction.name(),
        !given,
        acting.as_deref(),
    )
    .await?;
    let thread = post.thread_root_id.unwrap_or(post.id);
    Ok(Redirect::to(&format!("/posts/{thread}#post-{id}")).into_response())
}

#[derive(Template)]
#[template(source = "{% include \"_post.html\" %}", ext = "html")]
struct PostFragment {
    post: PostCard,
    csrf_token: String,
}

/// One post as an HTML fragment, for live updates.
#[utoipa::path(get, path = "/fragments/posts/{id}", tag = "web", operation_id = "page_post_fragment",
    params(("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "An <article> element", content_type = "text/html"),
              (status = 404, description = "No such post", content_type = "text/html")))]
async fn fragment(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let post = posts::get(&state, &current, parse_id(&id)?).await?;
    render(&PostFragment {
        post: PostCard::new(post, &BylineLens::for_viewer(&state, &current).await?),
        csrf_token: current.csrf_token().to_owned(),
    })
}

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    nav: Nav,
    csrf_token: String,
    tag: String,
    posts: Vec<PostCard>,
    next_page: Option<String>,
    empty_text: &'static str,
    live: &'static str,
}

/// Posts with a hashtag.
#[utoipa::path(get, path = "/tags/{tag}", tag = "web", operation_id = "page_tag",
    params(("tag" = String, Path, description = "Hashtag"), FeedQuery),
    responses((status = 200, description = "Hashtag page", content_type = "text/html"),
              (status = 404, description = "Not a hashtag", content_type = "text/html")))]
async fn tag(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(tag): Path<String>,
    Query(q): Query<FeedQuery>,
) -> Result<Html<String>, PageError> {
    let normal = feeds::tag(&tag)?;
    let w = window(q.before.as_deref(), None)?;
    let page = feeds::hashtag(&state, &current, &normal, w).await?;
    let (posts, next_page) = feed_parts(
        page,
        &BylineLens::for_viewer(&state, &current).await?,
        &format!("/tags/{normal}"),
    );
    render(&TagPage {
        nav: Nav::load(&state, &current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        tag: normal,
        posts,
        next_page,
        empty_text: "No posts with this tag that you can see.",
        live: "",
    })
}
