//! The knowledge base's pages: search, a desk's articles, an article with
//! its byline, "was this helpful?" and "this solved it", writing and
//! editing (as the profile), and writing a solved ticket up. Every form
//! works without JavaScript; with it, `live.js` offers articles while
//! someone types to a help desk.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::articles::{self, ArticleForm};
use byline_core::Timestamp;
use byline_store::articles::Article;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all_articles_page))
        .routes(routes!(desk_articles_page))
        .routes(routes!(new_article_page, create_article))
        .routes(routes!(article_page))
        .routes(routes!(edit_article_page, save_article))
        .routes(routes!(feedback))
        .routes(routes!(solved_it))
        .routes(routes!(write_up))
}

/// An article in a list.
struct ArticleLine {
    id: i64,
    title: String,
    desk: String,
    status: &'static str,
    members_only: bool,
    tags: Vec<String>,
    updated: String,
    helpful: i64,
    deflections: i64,
}

fn line(a: &Article) -> ArticleLine {
    ArticleLine {
        id: a.id,
        title: a.title.clone(),
        desk: a.desk_handle.clone(),
        status: a.status.as_str(),
        members_only: a.audience == byline_core::article::Audience::Members,
        tags: a.tags.clone(),
        updated: a.updated_at.to_minute_label(),
        helpful: a.helpful,
        deflections: a.deflections,
    }
}

#[derive(Template)]
#[template(path = "articles.html")]
struct ArticlesPage {
    nav: Nav,
    desk: Option<(String, String)>,
    query: String,
    articles: Vec<ArticleLine>,
    can_write: bool,
}

/// A search of the knowledge base.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find.
    q: Option<String>,
}

async fn list_page(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: Option<&str>,
    q: Option<&str>,
) -> Result<Response, PageError> {
    let list = articles::list(state, current, handle, q).await?;
    Ok(render(&ArticlesPage {
        nav: Nav::load(state, current, "articles").await?,
        desk: list
            .desk
            .as_ref()
            .map(|d| (d.handle.clone(), d.display_name.clone())),
        query: list.query.unwrap_or_default(),
        articles: list.articles.iter().map(line).collect(),
        can_write: list.can_write,
    })?
    .into_response())
}

/// The knowledge base: every article you may read, searchable.
#[utoipa::path(get, path = "/articles", tag = "web", operation_id = "page_articles", params(SearchQuery),
    responses((status = 200, description = "Articles page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 422, description = "Search too long", content_type = "text/html")))]
async fn all_articles_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &current, None, q.q.as_deref()).await
}

/// One help desk's knowledge base.
#[utoipa::path(get, path = "/profiles/{handle}/articles", tag = "web", operation_id = "page_desk_articles",
    params(("handle" = String, Path, description = "Shared profile handle"), SearchQuery),
    responses((status = 200, description = "Articles page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such help desk", content_type = "text/html"),
              (status = 422, description = "Search too long", content_type = "text/html")))]
async fn desk_articles_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &current, Some(&handle), q.q.as_deref()).await
}

/// A version as the article page lists it.
struct VersionLine {
    version: i64,
    status: String,
    title: String,
    by: String,
    when: String,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePageView {
    nav: Nav,
    csrf_token: String,
    article: ArticleLine,
    body_html: String,
    desk_name: String,
    byline: Option<String>,
    source_ticket: Option<i64>,
    helpful: i64,
    not_helpful: i64,
    my_feedback: Option<bool>,
    can_write: bool,
    member: bool,
    versions: Vec<VersionLine>,
    notice: Option<&'static str>,
}

/// What the article page says after a form.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// `thanks` after feedback, `solved` after "this solved it".
    done: Option<String>,
}

/// One article, its byline shown as the policy it was written under allows.
#[utoipa::path(get, path = "/articles/{id}", tag = "web", operation_id = "page_article",
    params(("id" = i64, Path, description = "Article id"), NoticeQuery),
    responses((status = 200, description = "Article page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such article you may read", content_type = "text/html")))]
async fn article_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let p = articles::page(&state, &current, id).await?;
    let a = &p.article;
    Ok(render(&ArticlePageView {
        nav: Nav::load(&state, &current, "articles").await?,
        csrf_token: current.csrf_token().to_owned(),
        article: line(a),
        body_html: a.body_html.clone(),
        desk_name: a.desk_name.clone(),
        byline: p.byline.as_ref().map(|(_, h)| format!("@{h}")),
        source_ticket: a.source_ticket_number.filter(|_| p.member),
        helpful: a.helpful,
        not_helpful: a.not_helpful,
        my_feedback: p.my_feedback,
        can_write: p.can_write,
        member: p.member,
        versions: p
            .versions
            .iter()
            .map(|(v, shown)| VersionLine {
                version: v.version,
                status: v.status.clone(),
                title: v.title.clone(),
                by: shown.as_ref().map_or_else(
                    || format!("@{} ({} byline)", a.desk_handle, v.attribution_policy),
                    |(_, h)| format!("@{h}"),
                ),
                when: Timestamp(v.written_at).to_minute_label(),
            })
            .collect(),
        notice: match q.done.as_deref() {
            Some("thanks") => Some("Thanks: your answer is recorded."),
            Some("solved") => Some("Glad it helped. The help desk knows this answered you."),
            _ => None,
        },
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "article_edit.html")]
struct EditPage {
    nav: Nav,
    csrf_token: String,
    desk: String,
    action: String,
    heading: String,
    title: String,
    body: String,
    tags: String,
    audience: String,
    status: String,
    based_on: Option<i64>,
    error: Option<String>,
}

/// Writing a new article for a help desk (its writers).
#[utoipa::path(get, path = "/profiles/{handle}/articles/new", tag = "web", operation_id = "page_new_article",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses((status = 200, description = "The form", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Not a member who may write", content_type = "text/html"),
              (status = 404, description = "No such help desk", content_type = "text/html")))]
async fn new_article_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let list = articles::list(&state, &current, Some(&handle), None).await?;
    if !list.can_write {
        return Err(AppError::Forbidden.into());
    }
    Ok(render(&EditPage {
        nav: Nav::load(&state, &current, "articles").await?,
        csrf_token: current.csrf_token().to_owned(),
        desk: handle.clone(),
        action: format!("/profiles/{handle}/articles/new"),
        heading: format!("New article for @{handle}"),
        title: String::new(),
        body: String::new(),
        tags: String::new(),
        audience: "staff".into(),
        status: "draft".into(),
        based_on: None,
        error: None,
    })?
    .into_response())
}

/// An article form.
#[derive(Deserialize, ToSchema)]
pub struct ArticleFormBody {
    csrf_token: String,
    /// 1 to 150 characters.
    title: String,
    /// Markdown.
    body: String,
    /// Separated by spaces or commas.
    #[serde(default)]
    tags: String,
    /// `staff` or `members`.
    #[serde(default)]
    audience: String,
    /// `draft`, `published` or `archived`.
    #[serde(default)]
    status: String,
    /// The version the form was opened on.
    #[serde(default)]
    based_on: String,
}

impl ArticleFormBody {
    fn form(&self) -> ArticleForm {
        ArticleForm {
            title: self.title.clone(),
            body: self.body.clone(),
            tags: self.tags.clone(),
            audience: Some(self.audience.clone()),
            status: Some(self.status.clone()),
            based_on: self.based_on.trim().parse().ok(),
        }
    }
}

/// The form again with what was typed and why it was refused.
async fn again(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    desk: String,
    action: String,
    heading: String,
    f: &ArticleFormBody,
    why: String,
) -> Result<Response, PageError> {
    let page = EditPage {
        nav: Nav::load(state, current, "articles").await?,
        csrf_token: current.csrf_token().to_owned(),
        desk,
        action,
        heading,
        title: f.title.clone(),
        body: f.body.clone(),
        tags: f.tags.clone(),
        audience: f.audience.clone(),
        status: f.status.clone(),
        based_on: f.based_on.trim().parse().ok(),
        error: Some(why),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// Saves a new article as the profile (through the speak function).
#[utoipa::path(post, path = "/profiles/{handle}/articles/new", tag = "web", operation_id = "page_create_article",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = ArticleFormBody, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Written: to the article"),
              (status = 403, description = "Not a member who may write, off shift, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such help desk", content_type = "text/html"),
              (status = 422, description = "Refused; the form says why", content_type = "text/html")))]
async fn create_article(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<ArticleFormBody>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match articles::create(&state, &current, &handle, &f.form())
        .await
        .map_err(AppError::from)
    {
        Ok(a) => Ok(Redirect::to(&format!("/articles/{}", a.id)).into_response()),
        Err(AppError::Invalid(why)) => {
            let action = format!("/profiles/{handle}/articles/new");
            let heading = format!("New article for @{handle}");
            again(&state, &current, handle, action, heading, &f, why).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Editing an article (its desk's writers).
#[utoipa::path(get, path = "/articles/{id}/edit", tag = "web", operation_id = "page_edit_article",
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, description = "The form", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Not a member who may write", content_type = "text/html"),
              (status = 404, description = "No such article you may read", content_type = "text/html")))]
async fn edit_article_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = articles::page(&state, &current, id).await?;
    if !p.can_write {
        return Err(AppError::Forbidden.into());
    }
    let a = p.article;
    Ok(render(&EditPage {
        nav: Nav::load(&state, &current, "articles").await?,
        csrf_token: current.csrf_token().to_owned(),
        action: format!("/articles/{}/edit", a.id),
        heading: format!("Edit “{}”", a.title),
        desk: a.desk_handle,
        title: a.title,
        body: a.body,
        tags: a.tags.join(" "),
        audience: a.audience.as_str().into(),
        status: a.status.as_str().into(),
        based_on: Some(a.version),
        error: None,
    })?
    .into_response())
}

/// Saves a new version as the profile (through the speak function).
#[utoipa::path(post, path = "/articles/{id}/edit", tag = "web", operation_id = "page_save_article",
    params(("id" = i64, Path, description = "Article id")),
    request_body(content = ArticleFormBody, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: to the article"),
              (status = 403, description = "Not a member who may write, off shift, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such article", content_type = "text/html"),
              (status = 422, description = "Refused; the form says why", content_type = "text/html")))]
async fn save_article(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ArticleFormBody>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match articles::edit(&state, &current, id, &f.form())
        .await
        .map_err(AppError::from)
    {
        Ok(a) => Ok(Redirect::to(&format!("/articles/{}", a.id)).into_response()),
        Err(AppError::Invalid(why)) => {
            let p = articles::page(&state, &current, id).await?;
            let desk = p.article.desk_handle.clone();
            let heading = format!("Edit “{}”", p.article.title);
            again(
                &state,
                &current,
                desk,
                format!("/articles/{id}/edit"),
                heading,
                &f,
                why,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// "Was this helpful?"
#[derive(Deserialize, ToSchema)]
pub struct FeedbackForm {
    csrf_token: String,
    /// `yes` or `no`.
    helpful: String,
}

/// Records whether an article helped the reader.
#[utoipa::path(post, path = "/articles/{id}/feedback", tag = "web", operation_id = "page_article_feedback",
    params(("id" = i64, Path, description = "Article id")),
    request_body(content = FeedbackForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: back to the article"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such article you may read", content_type = "text/html"),
              (status = 422, description = "Neither yes nor no", content_type = "text/html")))]
async fn feedback(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
    WebForm(f): WebForm<FeedbackForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let helpful = match f.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::Invalid("answer yes or no".into()).into()),
    };
    articles::feedback(&state, &current, id, helpful).await?;
    Ok(Redirect::to(&format!("/articles/{id}?done=thanks")).into_response())
}

/// "This solved it".
#[derive(Deserialize, ToSchema)]
pub struct SolvedForm {
    csrf_token: String,
    /// Your request's number at the article's desk, if it answered one.
    #[serde(default)]
    ticket: String,
}

/// Records that the article answered the reader; with their open request, solves it.
#[utoipa::path(post, path = "/articles/{id}/solved", tag = "web", operation_id = "page_article_solved",
    params(("id" = i64, Path, description = "Article id")),
    request_body(content = SolvedForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: to the request, or back to the article"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such article, or no such request of yours", content_type = "text/html"),
              (status = 422, description = "Not published", content_type = "text/html")))]
async fn solved_it(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
    WebForm(f): WebForm<SolvedForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let ticket = match f.ticket.trim() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| AppError::NotFound)?),
    };
    articles::deflect(&state, &current, id, ticket).await?;
    match ticket {
        Some(n) => {
            let a = articles::page(&state, &current, id).await?.article;
            Ok(Redirect::to(&format!("/profiles/{}/tickets/{n}", a.desk_handle)).into_response())
        }
        None => Ok(Redirect::to(&format!("/articles/{id}?done=solved")).into_response()),
    }
}

/// A write-up form.
#[derive(Deserialize, ToSchema)]
pub struct WriteUpForm {
    csrf_token: String,
}

/// Writes a solved ticket up as a draft article, then opens it for editing.
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/article", tag = "web", operation_id = "page_ticket_write_up",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = WriteUpForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Written: to the draft's editor"),
              (status = 403, description = "Not a member who may write, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket", content_type = "text/html"),
              (status = 422, description = "Not solved", content_type = "text/html")))]
async fn write_up(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<WriteUpForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let a = articles::write_up(&state, &current, &handle, number).await?;
    Ok(Redirect::to(&format!("/articles/{}/edit", a.id)).into_response())
}
