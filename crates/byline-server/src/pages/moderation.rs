//! Moderation's pages: reporting a post, one's own reports and what
//! became of them, and the queue moderators work. Plain forms; no
//! JavaScript needed.

use super::social::PostCard;
use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::bylines::BylineLens;
use byline_app::moderation;
use byline_core::Timestamp;
use byline_core::moderation::Reason;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report_form, report_post))
        .routes(routes!(my_reports))
        .routes(routes!(queue_page))
        .routes(routes!(take_step))
}

fn label(at: i64) -> String {
    Timestamp(at).to_minute_label()
}

#[derive(Template)]
#[template(path = "report_new.html")]
struct ReportForm {
    nav: Nav,
    csrf_token: String,
    post: PostCard,
    reasons: Vec<(&'static str, &'static str)>,
    chosen: String,
    note: String,
    error: Option<String>,
}

async fn report_view(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    id: i64,
    chosen: String,
    note: String,
    error: Option<String>,
) -> Result<ReportForm, PageError> {
    let post = byline_app::posts::get(state, current, id).await?;
    if post.deleted_at.is_some() {
        return Err(PageError(AppError::NotFound));
    }
    let lens = BylineLens::for_viewer(state, current).await?;
    Ok(ReportForm {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        post: PostCard::new(post, &lens),
        reasons: Reason::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        chosen,
        note,
        error,
    })
}

/// The form to report a post one can see.
#[utoipa::path(get, path = "/posts/{id}/report", tag = "web", operation_id = "page_report_form",
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, description = "Report form", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such post you can see", content_type = "text/html")))]
async fn report_form(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let page = report_view(&state, &current, id, String::new(), String::new(), None).await?;
    Ok(render(&page)?.into_response())
}

/// A report as its form sends it.
#[derive(Deserialize, ToSchema)]
pub struct ReportFormBody {
    csrf_token: String,
    /// One of the reasons.
    #[serde(default)]
    reason: String,
    /// What is wrong.
    #[serde(default)]
    note: String,
}

/// Reports a post; a refused report shows the form again with the reason.
#[utoipa::path(post, path = "/posts/{id}/report", tag = "web", operation_id = "page_report_post",
    params(("id" = i64, Path, description = "Post id")),
    request_body(content = ReportFormBody, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Reported: to your reports"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such post you can see", content_type = "text/html"),
              (status = 422, description = "No reason, or 'other' without a note; the form says why", content_type = "text/html")))]
async fn report_post(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
    WebForm(f): WebForm<ReportFormBody>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match moderation::file(&state, &current, "post", id, &f.reason, &f.note)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/reports").into_response()),
        Err(AppError::Invalid(why)) => {
            let page = report_view(&state, &current, id, f.reason, f.note, Some(why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One of the viewer's reports.
struct MyLine {
    what: String,
    link: Option<String>,
    reason: String,
    filed: String,
    status: String,
    outcome: String,
}

#[derive(Template)]
#[template(path = "my_reports.html")]
struct MyReportsPage {
    nav: Nav,
    reports: Vec<MyLine>,
}

/// The viewer's reports and what became of them.
#[utoipa::path(get, path = "/reports", tag = "web", operation_id = "page_my_reports",
    responses((status = 200, description = "Your reports", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page")))]
async fn my_reports(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Response, PageError> {
    let mine = moderation::mine(&state, &current).await?;
    let reports = mine
        .into_iter()
        .map(|f| MyLine {
            what: format!("a {}", f.target_kind),
            link: (f.target_kind == "post").then(|| format!("/posts/{}", f.target_id)),
            reason: f.reason,
            filed: label(f.filed_at),
            status: f.status,
            outcome: f.outcome,
        })
        .collect();
    Ok(render(&MyReportsPage {
        nav: Nav::load(&state, &current, "").await?,
        reports,
    })?
    .into_response())
}

/// A report in the queue, with what it is about.
struct QueueLine {
    id: i64,
    kind: String,
    opened: String,
    post: Option<PostCard>,
    filings: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    nav: Nav,
    csrf_token: String,
    reports: Vec<QueueLine>,
    error: Option<String>,
}

async fn queue_view(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    error: Option<String>,
) -> Result<QueuePage, PageError> {
    let open = moderation::queue(state, current).await?;
    let lens = BylineLens::for_viewer(state, current).await?;
    let mut reports = Vec::new();
    for r in open {
        let (_, filings) = moderation::report(state, current, r.id).await?;
        let post = if r.target_kind == "post" {
            // Moderators read the post as the store keeps it; a post they
            // could not otherwise read is shown to them as reported.
            state
                .store
                .posts()
                .posts_for(&[r.target_id], current.user.profile_id)
                .await
                .ok()
                .and_then(|mut p| p.pop())
                .map(|p| PostCard::new(p, &lens))
        } else {
            None
        };
        reports.push(QueueLine {
            id: r.id,
            kind: r.target_kind,
            opened: label(r.opened_at),
            post,
            filings: filings
                .into_iter()
                .map(|f| (format!("@{}", f.reporter_handle), f.reason, f.note))
                .collect(),
        });
    }
    Ok(QueuePage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        reports,
        error,
    })
}

/// The moderation queue (admins, and community moderators for their communities).
#[utoipa::path(get, path = "/moderation", tag = "web", operation_id = "page_moderation",
    responses((status = 200, description = "The queue", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Moderators only", content_type = "text/html")))]
async fn queue_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Response, PageError> {
    Ok(render(&queue_view(&state, &current, None).await?)?.into_response())
}

/// A moderator's step as its form sends it.
#[derive(Deserialize, ToSchema)]
pub struct StepForm {
    csrf_token: String,
    /// `dismiss` or `remove`.
    step: String,
    /// Why it was removed (shown in its place).
    #[serde(default)]
    reason: String,
}

/// Takes a step on a report; a refused step shows the queue again with the reason.
#[utoipa::path(post, path = "/moderation/reports/{id}/steps", tag = "web", operation_id = "page_moderation_step",
    params(("id" = i64, Path, description = "Report id")),
    request_body(content = StepForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Done: back to the queue"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such report, or not yours to moderate", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn take_step(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<i64>,
    WebForm(f): WebForm<StepForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match moderation::act(&state, &current, id, &f.step, &f.reason)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/moderation").into_response()),
        Err(AppError::Invalid(why)) => {
            let page = queue_view(&state, &current, Some(why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
