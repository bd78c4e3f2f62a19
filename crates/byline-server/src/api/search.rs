//! Search.

use crate::api::views::{CommunityView, PostView};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use byline_app::search::{self, Kinds};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_all))
}

/// What to search for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to find (the last one also matches as a prefix), at most 200 characters.
    q: String,
    /// `all` (default), `posts`, `profiles`, `communities` or `tags`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Results per kind, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    limit: Option<u32>,
}

/// A matching post with its highlighted snippet.
#[derive(Serialize, ToSchema)]
pub struct PostResult {
    /// The post.
    post: PostView,
    /// HTML: escaped text with `<mark>` around the matches.
    snippet_html: String,
}

/// A matching profile.
#[derive(Serialize, ToSchema)]
pub struct ProfileResult {
    /// Handle.
    handle: String,
    /// Shown name.
    display_name: String,
    /// `personal` or `shared`.
    kind: String,
}

/// A matching hashtag.
#[derive(Serialize, ToSchema)]
pub struct TagResult {
    /// The tag, without `#`.
    tag: String,
    /// Posts you can read that carry it.
    posts: i64,
}

/// Search results; a kind not asked for is empty.
#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// Best first.
    posts: Vec<PostResult>,
    /// By handle.
    profiles: Vec<ProfileResult>,
    /// By name.
    communities: Vec<CommunityView>,
    /// Most used first.
    tags: Vec<TagResult>,
}

/// Search posts, profiles, communities and hashtags you may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Results", body = SearchResults),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "No words, too long, or bad type or limit", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn search_all(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchResults>, AppError> {
    let limit = p.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(AppError::Invalid("limit must be between 1 and 50".into()));
    }
    let kinds = Kinds::parse(p.kind.as_deref())?;
    let lens = byline_app::bylines::BylineLens::for_viewer(&state, &current).await?;
    let r = search::search(&state, &current, &p.q, kinds, limit).await?;
    Ok(Json(SearchResults {
        posts: r
            .posts
            .into_iter()
            .map(|(post, snippet_html)| PostResult {
                post: PostView::new(post, &lens),
                snippet_html,
            })
            .collect(),
        profiles: r
            .profiles
            .into_iter()
            .map(|h| ProfileResult {
                handle: h.handle,
                display_name: h.display_name,
                kind: h.kind,
            })
            .collect(),
        communities: r.communities.into_iter().map(CommunityView::from).collect(),
        tags: r
            .tags
            .into_iter()
            .map(|t| TagResult {
                tag: t.tag,
                posts: t.posts,
            })
            .collect(),
    }))
}
