//! Reports and the moderation queue: anyone reports what they can see and
//! follows what became of it; moderators work the queue.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::moderation;
use byline_core::Timestamp;
use byline_store::moderation::ReportRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_report))
        .routes(routes!(my_reports))
        .routes(routes!(queue))
        .routes(routes!(get_report))
        .routes(routes!(take_step))
}

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A report to file.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// `post`, `message` (one you received), `profile` or `community`.
    kind: String,
    /// Its id.
    id: String,
    /// `harassment`, `hate`, `spam`, `misinformation`, `privacy`, `policy` or `other`.
    reason: String,
    /// What is wrong (up to 1,000 characters; needed with `other`).
    #[serde(default)]
    note: String,
}

/// What filing did.
#[derive(Serialize, ToSchema)]
pub struct FiledView {
    /// The report it opened or joined.
    report_id: String,
    /// Whether you had reported it before (your reason and note were replaced).
    again: bool,
}

/// Report something you can see; reporting it again replaces your reason, and other people's reports of the same thing join one report.
#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation", request_body = ReportBody,
    responses(
        (status = 201, description = "Filed", body = FiledView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Nothing you can see by that id", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "No or unknown reason, unknown kind, note too long, or 'other' without a note", body = ErrorBody),
        (status = 429, description = "Too many writes", body = ErrorBody),
    ))]
async fn file_report(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(b): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<FiledView>), AppError> {
    let id = b.id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let filed = moderation::file(&state, &current, &b.kind, id, &b.reason, &b.note).await?;
    Ok((
        StatusCode::CREATED,
        Json(FiledView {
            report_id: filed.report_id.to_string(),
            again: filed.again,
        }),
    ))
}

/// One of your reports.
#[derive(Serialize, ToSchema)]
pub struct MyReportView {
    /// The report.
    report_id: String,
    /// What you reported.
    kind: String,
    /// Its id.
    id: String,
    /// Your reason.
    reason: String,
    /// Your note.
    note: String,
    /// When you filed it (RFC 3339).
    filed_at: String,
    /// `open`, `dismissed`, `actioned` or `escalated`.
    status: String,
    /// What became of it, in a moderator's words.
    outcome: String,
}

/// Your reports.
#[derive(Serialize, ToSchema)]
pub struct MyReports {
    /// Newest first.
    reports: Vec<MyReportView>,
}

/// Your reports and what became of each.
#[utoipa::path(get, path = "/api/v1/me/reports", tag = "moderation",
    responses(
        (status = 200, description = "Your reports", body = MyReports),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn my_reports(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<MyReports>, AppError> {
    let mine = moderation::mine(&state, &current).await?;
    Ok(Json(MyReports {
        reports: mine
            .into_iter()
            .map(|f| MyReportView {
                report_id: f.report_id.to_string(),
                kind: f.target_kind,
                id: f.target_id.to_string(),
                reason: f.reason,
                note: f.note,
                filed_at: Timestamp(f.filed_at).to_rfc3339(),
                status: f.status,
                outcome: f.outcome,
            })
            .collect(),
    }))
}

/// A report in the queue.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    /// Id.
    id: String,
    /// `post`, `message`, `profile` or `community`.
    kind: String,
    /// What it names.
    target_id: String,
    /// The community a reported post lives in.
    community_id: Option<String>,
    /// `open`, `dismissed`, `actioned` or `escalated`.
    status: String,
    /// First filed (RFC 3339).
    opened_at: String,
    /// Closed (RFC 3339).
    closed_at: Option<String>,
    /// What reporters are told.
    outcome: String,
    /// How many people reported it.
    filings: i64,
}

impl From<ReportRow> for ReportView {
    fn from(r: ReportRow) -> ReportView {
        ReportView {
            id: r.id.to_string(),
            kind: r.target_kind,
            target_id: r.target_id.to_string(),
            community_id: r.community_id.map(|c| c.to_string()),
            status: r.status,
            opened_at: Timestamp(r.opened_at).to_rfc3339(),
            closed_at: r.closed_at.map(|t| Timestamp(t).to_rfc3339()),
            outcome: r.outcome,
            filings: r.filings,
        }
    }
}

/// The open reports you may act on.
#[derive(Serialize, ToSchema)]
pub struct Queue {
    /// Oldest first.
    reports: Vec<ReportView>,
}

/// The moderation queue: every open report for organisation moderators (admins), those about posts in their communities for community moderators.
#[utoipa::path(get, path = "/api/v1/moderation/reports", tag = "moderation",
    responses(
        (status = 200, description = "The queue", body = Queue),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Moderators only", body = ErrorBody),
    ))]
async fn queue(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<Queue>, AppError> {
    let reports = moderation::queue(&state, &current).await?;
    Ok(Json(Queue {
        reports: reports.into_iter().map(ReportView::from).collect(),
    }))
}

/// One person's report, as moderators read it.
#[derive(Serialize, ToSchema)]
pub struct FilingView {
    /// The reporter's handle.
    reporter: String,
    /// Why.
    reason: String,
    /// Their words.
    note: String,
    /// When (RFC 3339).
    filed_at: String,
}

/// A report with everyone's filings.
#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    /// The report.
    report: ReportView,
    /// Oldest first.
    filings: Vec<FilingView>,
}

/// A report you may act on, with everyone's filings.
#[utoipa::path(get, path = "/api/v1/moderation/reports/{id}", tag = "moderation",
    params(("id" = String, Path, description = "Report id")),
    responses(
        (status = 200, description = "The report", body = ReportDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such report, or not yours to moderate", body = ErrorBody),
    ))]
async fn get_report(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ReportDetail>, AppError> {
    let (report, filings) = moderation::report(&state, &current, id_of(&id)?).await?;
    Ok(Json(ReportDetail {
        report: report.into(),
        filings: filings
            .into_iter()
            .map(|f| FilingView {
                reporter: f.reporter_handle,
                reason: f.reason,
                note: f.note,
                filed_at: Timestamp(f.filed_at).to_rfc3339(),
            })
            .collect(),
    }))
}

/// A moderator's step.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// `dismiss`, or `remove` (a reported post; `reason` is shown in its place).
    step: String,
    /// Why it was removed (needed with `remove`).
    #[serde(default)]
    reason: String,
}

/// Act on an open report: dismiss it, or remove the reported post with a reason shown in its place (audited; reporters see the outcome).
#[utoipa::path(post, path = "/api/v1/moderation/reports/{id}/steps", tag = "moderation", request_body = StepBody,
    params(("id" = String, Path, description = "Report id")),
    responses(
        (status = 200, description = "Done", body = ReportView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such report, or not yours to moderate", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown step, a removal without a reason, or the report is closed", body = ErrorBody),
    ))]
async fn take_step(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StepBody>,
) -> Result<Json<ReportView>, AppError> {
    let report = moderation::act(&state, &current, id_of(&id)?, &b.step, &b.reason).await?;
    Ok(Json(report.into()))
}
