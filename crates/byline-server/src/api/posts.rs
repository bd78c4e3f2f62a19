//! Posts, threads and reactions.

use crate::api::views::{PostView, ThreadView, VersionList, VersionView};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, parse_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::bylines::BylineLens;
use byline_app::feeds;
use byline_app::posts::{self, Compose};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_post))
        .routes(routes!(get_post, edit_post, delete_post))
        .routes(routes!(post_versions))
        .routes(routes!(post_thread))
        .routes(routes!(add_reaction, remove_reaction))
}

/// A new post or reply.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePostRequest {
    /// Markdown, 1–5000 characters. `@handle` mentions and `#tags` are linked.
    #[schema(min_length = 1, max_length = 5000)]
    text: String,
    /// Short name of the community to post in (top-level posts only).
    community: Option<String>,
    /// Id of the post to reply to.
    reply_to: Option<String>,
    /// Ids of your uploaded images to attach (at most 4).
    #[serde(default)]
    attachments: Vec<String>,
    /// Handle of a shared profile you are a member of, to speak as it. The
    /// post then carries your byline, shown according to its attribution policy.
    acting_as: Option<String>,
}

/// Publish a post or a reply.
#[utoipa::path(post, path = "/api/v1/posts", tag = "posts", request_body = CreatePostRequest,
    responses(
        (status = 201, description = "Published", body = PostView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of that community", body = ErrorBody),
        (status = 404, description = "No such community", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Empty or too long, or replying to a deleted or unknown post", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn create_post(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<CreatePostRequest>,
) -> Result<(StatusCode, Json<PostView>), AppError> {
    let reply_to = match body.reply_to.as_deref() {
        Some(id) => Some(parse_id(id).map_err(|_| {
            AppError::Invalid("the post you are replying to does not exist".into())
        })?),
        None => None,
    };
    let attachments = body
        .attachments
        .iter()
        .map(|id| {
            parse_id(id).map_err(|_| {
                AppError::Invalid("an attachment was not found or is already used".into())
            })
        })
        .collect::<Result<Vec<i64>, AppError>>()?;
    let post = posts::create(
        &state,
        &current,
        Compose {
            text: body.text,
            community: body.community,
            reply_to,
            attachments,
            acting_as: body.acting_as,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(PostView::new(
            post,
            &BylineLens::for_viewer(&state, &current).await?,
        )),
    ))
}

/// One post.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts",
    params(("id" = String, Path, description = "Post id")),
    responses(
        (status = 200, description = "The post (a tombstone if deleted)", body = PostView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such post, or not yours to read", body = ErrorBody),
    ))]
async fn get_post(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PostView>, AppError> {
    Ok(Json(PostView::new(
        posts::get(&state, &current, parse_id(&id)?).await?,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}

/// New text for a post.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditPostRequest {
    /// Markdown, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    text: String,
}

/// Edit your post; earlier versions stay viewable.
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts", request_body = EditPostRequest,
    params(("id" = String, Path, description = "Post id")),
    responses(
        (status = 200, description = "Edited", body = PostView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not your post", body = ErrorBody),
        (status = 404, description = "No such post", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Empty, too long, or deleted", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn edit_post(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditPostRequest>,
) -> Result<Json<PostView>, AppError> {
    let post = posts::edit(&state, &current, parse_id(&id)?, &body.text).await?;
    Ok(Json(PostView::new(
        post,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}

/// Delete a post (yours, or as the community's moderator or an admin); a tombstone remains in its thread.
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "posts",
    params(("id" = String, Path, description = "Post id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not yours to delete", body = ErrorBody),
        (status = 404, description = "No such post", body = ErrorBody),
    ))]
async fn delete_post(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    posts::delete(&state, &current, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A post's earlier versions.
#[utoipa::path(get, path = "/api/v1/posts/{id}/versions", tag = "posts",
    params(("id" = String, Path, description = "Post id")),
    responses(
        (status = 200, description = "Current post and earlier versions", body = VersionList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such post", body = ErrorBody),
    ))]
async fn post_versions(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<VersionList>, AppError> {
    let (post, earlier) = posts::versions(&state, &current, parse_id(&id)?).await?;
    Ok(Json(VersionList {
        current: PostView::new(post, &BylineLens::for_viewer(&state, &current).await?),
        earlier: earlier
            .into_iter()
            .map(|(version, html, at)| VersionView {
                version,
                html,
                written_at: at.to_rfc3339(),
            })
            .collect(),
    }))
}

/// The whole thread a post belongs to, oldest first.
#[utoipa::path(get, path = "/api/v1/posts/{id}/thread", tag = "posts",
    params(("id" = String, Path, description = "Any post in the thread")),
    responses(
        (status = 200, description = "The thread", body = ThreadView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such post", body = ErrorBody),
    ))]
async fn post_thread(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ThreadView>, AppError> {
    let posts = feeds::thread(&state, &current, parse_id(&id)?).await?;
    Ok(Json(ThreadView {
        posts: {
            let lens = BylineLens::for_viewer(&state, &current).await?;
            posts.into_iter().map(|p| PostView::new(p, &lens)).collect()
        },
    }))
}

/// Whom to react as.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ActingQuery {
    /// React as this shared profile (you must be a member whose role may react).
    acting_as: Option<String>,
}

/// React to a post (one of each reaction per profile; repeating is harmless).
#[utoipa::path(put, path = "/api/v1/posts/{id}/reactions/{reaction}", tag = "posts",
    params(("id" = String, Path, description = "Post id"),
           ("reaction" = String, Path, description = "thumbs_up, heart, tada, laugh, surprised, sad, thanks or eyes"),
           ActingQuery),
    responses(
        (status = 200, description = "The post with its tallies", body = PostView),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of the post's community, or may not react as that profile", body = ErrorBody),
        (status = 404, description = "No such post", body = ErrorBody),
        (status = 422, description = "Unknown reaction, or deleted post", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn add_reaction(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((id, reaction)): Path<(String, String)>,
    crate::json::ApiQuery(q): crate::json::ApiQuery<ActingQuery>,
) -> Result<Json<PostView>, AppError> {
    let post = posts::react(
        &state,
        &current,
        parse_id(&id)?,
        &reaction,
        true,
        q.acting_as.as_deref(),
    )
    .await?;
    Ok(Json(PostView::new(
        post,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}

/// Take back a reaction.
#[utoipa::path(delete, path = "/api/v1/posts/{id}/reactions/{reaction}", tag = "posts",
    params(("id" = String, Path, description = "Post id"), ("reaction" = String, Path, description = "Reaction name"), ActingQuery),
    responses(
        (status = 200, description = "The post with its tallies", body = PostView),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of the post's community, or may not react as that profile", body = ErrorBody),
        (status = 404, description = "No such post", body = ErrorBody),
        (status = 422, description = "Unknown reaction", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn remove_reaction(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((id, reaction)): Path<(String, String)>,
    crate::json::ApiQuery(q): crate::json::ApiQuery<ActingQuery>,
) -> Result<Json<PostView>, AppError> {
    let post = posts::react(
        &state,
        &current,
        parse_id(&id)?,
        &reaction,
        false,
        q.acting_as.as_deref(),
    )
    .await?;
    Ok(Json(PostView::new(
        post,
        &BylineLens::for_viewer(&state, &current).await?,
    )))
}
