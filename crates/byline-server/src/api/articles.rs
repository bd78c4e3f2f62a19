//! The knowledge base over the API: articles of a help desk, full-text
//! search, suggestions while typing, "was this helpful?", "this solved
//! it", and writing a solved ticket up as an article.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::articles::{self, ArticleForm, ArticlePage};
use byline_store::articles::Article;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_articles))
        .routes(routes!(desk_articles, create_article))
        .routes(routes!(get_article, edit_article))
        .routes(routes!(article_feedback))
        .routes(routes!(deflect))
        .routes(routes!(suggest))
        .routes(routes!(write_up))
}

/// An article in a list.
#[derive(Serialize, ToSchema)]
pub struct ArticleSummary {
    /// Id.
    id: String,
    /// The help desk's handle.
    help_desk: String,
    /// Title.
    title: String,
    /// `draft`, `published` or `archived`.
    status: String,
    /// `staff` or `members`.
    audience: String,
    /// Tags.
    tags: Vec<String>,
    /// Current version.
    version: i64,
    /// Last saved, RFC 3339.
    updated_at: String,
    /// Readers who found it helpful.
    helpful: i64,
    /// Readers who did not.
    not_helpful: i64,
    /// Times it answered someone.
    deflections: i64,
    /// Its page.
    url: String,
}

fn summary(a: &Article) -> ArticleSummary {
    ArticleSummary {
        id: a.id.to_string(),
        help_desk: a.desk_handle.clone(),
        title: a.title.clone(),
        status: a.status.as_str().to_owned(),
        audience: a.audience.as_str().to_owned(),
        tags: a.tags.clone(),
        version: a.version,
        updated_at: a.updated_at.to_rfc3339(),
        helpful: a.helpful,
        not_helpful: a.not_helpful,
        deflections: a.deflections,
        url: format!("/articles/{}", a.id),
    }
}

/// A list of articles.
#[derive(Serialize, ToSchema)]
pub struct ArticleListView {
    /// Best match (or newest) first, at most 100.
    articles: Vec<ArticleSummary>,
}

/// One version of an article, with its byline as the reader may see it.
#[derive(Serialize, ToSchema)]
pub struct ArticleVersionView {
    /// Version number.
    version: i64,
    /// Status after this save.
    status: String,
    /// Title then.
    title: String,
    /// Who wrote it as the profile, if the policy it was written under
    /// lets you see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    written_by: Option<String>,
    /// The attribution policy it was written under.
    policy: String,
    /// When, RFC 3339.
    written_at: String,
}

/// One article.
#[derive(Serialize, ToSchema)]
pub struct ArticleDetail {
    #[serde(flatten)]
    summary: ArticleSummary,
    /// Markdown source.
    body: String,
    /// Rendered, safe HTML.
    body_html: String,
    /// Who wrote the current version as the profile, if its policy lets
    /// you see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    written_by: Option<String>,
    /// The ticket it was written up from (members only).
    #[serde(skip_serializing_if = "Option::is_none")]
    source_ticket: Option<i64>,
    /// What you said of it: true helpful, false not.
    #[serde(skip_serializing_if = "Option::is_none")]
    your_feedback: Option<bool>,
    /// Every version, newest first (the desk's members only).
    versions: Vec<ArticleVersionView>,
}

fn detail(p: ArticlePage) -> ArticleDetail {
    let a = &p.article;
    ArticleDetail {
        summary: summary(a),
        body: a.body.clone(),
        body_html: a.body_html.clone(),
        written_by: p.byline.as_ref().map(|(_, h)| h.clone()),
        source_ticket: a.source_ticket_number.filter(|_| p.member),
        your_feedback: p.my_feedback,
        versions: p
            .versions
            .iter()
            .map(|(v, shown)| ArticleVersionView {
                version: v.version,
                status: v.status.clone(),
                title: v.title.clone(),
                written_by: shown.as_ref().map(|(_, h)| h.clone()),
                policy: v.attribution_policy.clone(),
                written_at: byline_core::Timestamp(v.written_at).to_rfc3339(),
            })
            .collect(),
    }
}

/// A search of the knowledge base.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ArticleQuery {
    /// Words to find (all of them); none lists the newest.
    q: Option<String>,
}

/// Search every article you may read: published ones for staff, and the drafts and runbooks of the desks you are a member of.
#[utoipa::path(get, path = "/api/v1/articles", tag = "knowledge base", params(ArticleQuery),
    responses(
        (status = 200, description = "Articles", body = ArticleListView),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Search too long or without words", body = ErrorBody),
    ))]
async fn search_articles(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<ArticleQuery>,
) -> Result<Json<ArticleListView>, AppError> {
    let list = articles::list(&state, &current, None, q.q.as_deref()).await?;
    Ok(Json(ArticleListView {
        articles: list.articles.iter().map(summary).collect(),
    }))
}

/// One help desk's articles you may read, newest or best matching first.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/articles", tag = "knowledge base",
    params(("handle" = String, Path, description = "Shared profile handle"), ArticleQuery),
    responses(
        (status = 200, description = "Articles", body = ArticleListView),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 422, description = "Search too long or without words", body = ErrorBody),
    ))]
async fn desk_articles(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<ArticleQuery>,
) -> Result<Json<ArticleListView>, AppError> {
    let list = articles::list(&state, &current, Some(&handle), q.q.as_deref()).await?;
    Ok(Json(ArticleListView {
        articles: list.articles.iter().map(summary).collect(),
    }))
}

/// An article's words and settings.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleBody {
    /// 1 to 150 characters.
    title: String,
    /// Markdown, 1 to 50,000 characters (rendered safe).
    body: String,
    /// Up to ten tags of a-z, 0-9 and '-'.
    #[serde(default)]
    tags: Vec<String>,
    /// `staff` (default) or `members`.
    audience: Option<String>,
    /// `draft` (default for a new article), `published` or `archived`.
    status: Option<String>,
    /// The version you started from: a save over a newer one is refused.
    based_on: Option<i64>,
}

impl ArticleBody {
    fn form(self) -> ArticleForm {
        ArticleForm {
            title: self.title,
            body: self.body,
            tags: self.tags.join(" "),
            audience: self.audience,
            status: self.status,
            based_on: self.based_on,
        }
    }
}

/// Write an article as the help desk's profile (owners, editors, responders; through the speak function, so it keeps its byline).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/articles", tag = "knowledge base", request_body = ArticleBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "Written", body = ArticleDetail),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member who may write, or off shift", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Title, body, tags, status or audience refused", body = ErrorBody),
    ))]
async fn create_article(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<ArticleBody>,
) -> Result<(StatusCode, Json<ArticleDetail>), AppError> {
    let a = articles::create(&state, &current, &handle, &b.form()).await?;
    let page = articles::page(&state, &current, a.id).await?;
    Ok((StatusCode::CREATED, Json(detail(page))))
}

fn id_of(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// One article with its byline as you may see it (and its versions, for the desk's members).
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "knowledge base",
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = ArticleDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such article you may read", body = ErrorBody),
    ))]
async fn get_article(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ArticleDetail>, AppError> {
    let page = articles::page(&state, &current, id_of(&id)?).await?;
    Ok(Json(detail(page)))
}

/// Save a new version of an article (its desk's writers; through the speak function).
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "knowledge base", request_body = ArticleBody,
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 200, description = "Saved", body = ArticleDetail),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member who may write, or off shift", body = ErrorBody),
        (status = 404, description = "No such article you may read", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Refused, or saved by someone else since you opened it", body = ErrorBody),
    ))]
async fn edit_article(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ArticleBody>,
) -> Result<Json<ArticleDetail>, AppError> {
    let a = articles::edit(&state, &current, id_of(&id)?, &b.form()).await?;
    let page = articles::page(&state, &current, a.id).await?;
    Ok(Json(detail(page)))
}

/// Was this helpful?
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    /// True if it helped.
    helpful: bool,
}

/// Say whether an article helped you (a later answer replaces yours).
#[utoipa::path(put, path = "/api/v1/articles/{id}/feedback", tag = "knowledge base", request_body = FeedbackBody,
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 200, description = "Recorded; the article's counts", body = ArticleSummary),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such article you may read", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "A body that does not fit: only `helpful`, a boolean", body = ErrorBody),
    ))]
async fn article_feedback(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FeedbackBody>,
) -> Result<Json<ArticleSummary>, AppError> {
    let a = articles::feedback(&state, &current, id_of(&id)?, b.helpful).await?;
    Ok(Json(summary(&a)))
}

/// "This solved it".
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeflectionBody {
    /// Your request to the article's help desk that it answered, by number: solved if still open.
    ticket: Option<i64>,
}

/// What "this solved it" did.
#[derive(Serialize, ToSchema)]
pub struct DeflectionView {
    /// The deflection.
    id: String,
    /// The number of your request it solved, if one was open.
    #[serde(skip_serializing_if = "Option::is_none")]
    solved_ticket: Option<i64>,
}

/// Record that an article answered you; with your open request's number, solve it.
#[utoipa::path(post, path = "/api/v1/articles/{id}/deflections", tag = "knowledge base", request_body = DeflectionBody,
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 201, description = "Recorded", body = DeflectionView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such article, or no such request of yours", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "The article is not published, or a body that does not fit", body = ErrorBody),
    ))]
async fn deflect(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DeflectionBody>,
) -> Result<(StatusCode, Json<DeflectionView>), AppError> {
    let article = id_of(&id)?;
    let done = articles::deflect(&state, &current, article, b.ticket).await?;
    Ok((
        StatusCode::CREATED,
        Json(DeflectionView {
            id: done.id.to_string(),
            solved_ticket: done.solved_ticket.and(b.ticket),
        }),
    ))
}

/// What is being typed.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestQuery {
    /// The text so far (its @mentions name the help desks).
    text: String,
    /// The help desk a message is for, if it is not mentioned.
    to: Option<String>,
}

/// Articles to offer while you type to a help desk: its published articles matching your words, best first (at most five; none is an empty list).
#[utoipa::path(get, path = "/api/v1/articles/suggestions", tag = "knowledge base", params(SuggestQuery),
    responses(
        (status = 200, description = "Suggestions", body = ArticleListView),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn suggest(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<ArticleListView>, AppError> {
    let found = articles::suggest(&state, &current, &q.text, q.to.as_deref()).await?;
    Ok(Json(ArticleListView {
        articles: found.iter().map(summary).collect(),
    }))
}

/// Write a solved ticket up as a draft article linked to it (the request and the public answers, never internal notes).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/article", tag = "knowledge base",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 201, description = "The draft", body = ArticleDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member who may write, or off shift", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 422, description = "The ticket is not solved", body = ErrorBody),
    ))]
async fn write_up(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
) -> Result<(StatusCode, Json<ArticleDetail>), AppError> {
    let number = number
        .trim_start_matches('#')
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let a = articles::write_up(&state, &current, &handle, number).await?;
    let page = articles::page(&state, &current, a.id).await?;
    Ok((StatusCode::CREATED, Json(detail(page))))
}
