//! The search page.

use super::{Nav, PageError, Viewer, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// A post found by search, as the results page shows it.
struct SearchHit {
    id: i64,
    thread_id: i64,
    author_handle: String,
    author_name: String,
    when: String,
    snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    q: String,
    searched: bool,
    error: Option<String>,
    hits: Vec<SearchHit>,
    profiles: Vec<(String, String)>,
    communities: Vec<(String, String, &'static str)>,
    tags: Vec<(String, i64)>,
}

/// The search box's query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find.
    q: Option<String>,
}

/// Search results.
#[utoipa::path(get, path = "/search", tag = "web", operation_id = "page_search", params(SearchParams),
    responses((status = 200, description = "Search page", content_type = "text/html"),
              (status = 422, description = "Unusable query", content_type = "text/html")))]
async fn search(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    let q = p.q.unwrap_or_default();
    let mut page = SearchPage {
        nav: Nav::load(&state, &current, "").await?,
        q: q.clone(),
        searched: false,
        error: None,
        hits: Vec::new(),
        profiles: Vec::new(),
        communities: Vec::new(),
        tags: Vec::new(),
    };
    let mut status = axum::http::StatusCode::OK;
    if !q.trim().is_empty() {
        let all = byline_app::search::Kinds::parse(None)?;
        match byline_app::search::search(&state, &current, &q, all, 20)
            .await
            .map_err(AppError::from)
        {
            Ok(r) => {
                page.searched = true;
                page.hits = r
                    .posts
                    .into_iter()
                    .map(|(p, snippet)| SearchHit {
                        id: p.id,
                        thread_id: p.thread_root_id.unwrap_or(p.id),
                        author_handle: p.author_handle,
                        author_name: p.author_name,
                        when: p
                            .created_at
                            .to_rfc3339()
                            .replace('T', " ")
                            .chars()
                            .take(16)
                            .collect(),
                        snippet,
                    })
                    .collect();
                page.profiles = r
                    .profiles
                    .into_iter()
                    .map(|h| (h.handle, h.display_name))
                    .collect();
                page.communities = r
                    .communities
                    .into_iter()
                    .map(|c| (c.slug, c.name, c.visibility.as_str()))
                    .collect();
                page.tags = r.tags.into_iter().map(|t| (t.tag, t.posts)).collect();
            }
            Err(e @ AppError::Invalid(_)) => {
                status = e.status();
                page.error = Some(e.public_message());
            }
            Err(e) => return Err(PageError(e)),
        }
    }
    Ok((status, render(&page)?).into_response())
}
