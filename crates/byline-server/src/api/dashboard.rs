//! A help desk's dashboard as JSON, and its figures and tickets as CSV.
//! The page (`pages/dashboard.rs`) draws its charts from the same JSON.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use byline_app::dashboard::{self, Attainment, Dashboard, Score, Spread};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_dashboard))
        .routes(routes!(dashboard_csv))
        .routes(routes!(tickets_csv))
}

/// The date range of a dashboard.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD` (UTC); default eight weeks before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), included; default today. At most two years after `from`.
    pub to: Option<String>,
}

/// Durations: how many, the median and the 90th percentile (nearest rank), in business seconds.
#[derive(Serialize, ToSchema)]
pub struct SpreadView {
    /// How many were measured.
    count: usize,
    /// Median, seconds of business time.
    median_seconds: Option<i64>,
    /// 90th percentile, seconds of business time.
    p90_seconds: Option<i64>,
}

impl From<Spread> for SpreadView {
    fn from(s: Spread) -> SpreadView {
        SpreadView {
            count: s.count,
            median_seconds: s.median,
            p90_seconds: s.p90,
        }
    }
}

/// SLA attainment of tickets whose outcome is known.
#[derive(Serialize, ToSchema)]
pub struct AttainmentView {
    /// Tickets that kept every target.
    met: i64,
    /// Tickets with an SLA whose outcome is known: every clock stopped, or one past its target.
    decided: i64,
    /// `met / decided`, 0 to 1 (null when nothing is decided).
    attainment: Option<f64>,
}

impl From<Attainment> for AttainmentView {
    fn from(a: Attainment) -> AttainmentView {
        AttainmentView {
            met: a.met,
            decided: a.decided,
            attainment: a.share(),
        }
    }
}

/// Satisfaction ratings.
#[derive(Serialize, ToSchema)]
pub struct ScoreView {
    /// Ratings given.
    ratings: i64,
    /// Mean score, 1 to 5 (null without ratings).
    average: Option<f64>,
    /// Ratings of 4 or 5.
    satisfied: i64,
}

impl From<Score> for ScoreView {
    fn from(s: Score) -> ScoreView {
        ScoreView {
            ratings: s.ratings,
            average: s.average(),
            satisfied: s.satisfied,
        }
    }
}

/// Tickets in one status now.
#[derive(Serialize, ToSchema)]
pub struct BacklogView {
    /// `new`, `open`, `pending`, `on_hold`, `solved` or `closed`.
    status: &'static str,
    /// How many tickets stand in it.
    count: i64,
}

/// One member's satisfaction.
#[derive(Serialize, ToSchema)]
pub struct MemberScoreView {
    /// Personal handle.
    handle: String,
    /// Their ratings.
    #[serde(flatten)]
    score: ScoreView,
}

/// One week's figures (weeks start on Monday, UTC).
#[derive(Serialize, ToSchema)]
pub struct WeekView {
    /// Its Monday, `YYYY-MM-DD`.
    week: String,
    /// Tickets opened.
    opened: i64,
    /// Solves (a ticket solved twice counts twice).
    solved: i64,
    /// First responses of the tickets opened that week.
    first_response: SpreadView,
    /// Resolutions of the tickets opened that week.
    resolution: SpreadView,
    /// SLA attainment of the tickets opened that week.
    sla: AttainmentView,
    /// Ratings given that week.
    satisfaction: ScoreView,
    /// Articles that answered someone that week.
    deflections: i64,
}

/// A help desk's dashboard over a date range.
#[derive(Serialize, ToSchema)]
pub struct DashboardView {
    /// The help desk's handle.
    help_desk: String,
    /// First day of the range.
    from: String,
    /// Last day of the range (included).
    to: String,
    /// `business`: durations count the desk's business hours only, and stand still while a ticket is pending or on hold.
    time_basis: &'static str,
    /// Tickets in each status now.
    backlog: Vec<BacklogView>,
    /// Tickets opened in the range.
    opened: i64,
    /// Solves in the range.
    solved: i64,
    /// First responses of the tickets opened in the range.
    first_response: SpreadView,
    /// Resolutions of the tickets opened in the range (those solved or closed).
    resolution: SpreadView,
    /// SLA attainment of the tickets opened in the range.
    sla: AttainmentView,
    /// Ratings given in the range, the whole desk.
    satisfaction: ScoreView,
    /// Each member's ratings: owners and admins see everyone's, other members their own.
    members: Vec<MemberScoreView>,
    /// Articles that answered someone in the range.
    deflections: i64,
    /// Week by week, oldest first.
    weeks: Vec<WeekView>,
    /// The range held more tickets than a dashboard reads; ticket figures are of the newest.
    truncated: bool,
}

/// The JSON of a dashboard, for the API and the page's charts alike.
pub(crate) fn view(d: &Dashboard) -> DashboardView {
    DashboardView {
        help_desk: d.profile.handle.clone(),
        from: d.range.from.to_string(),
        to: d.range.to.to_string(),
        time_basis: "business",
        backlog: d
            .backlog
            .iter()
            .map(|(s, n)| BacklogView {
                status: s.as_str(),
                count: *n,
            })
            .collect(),
        opened: d.opened,
        solved: d.solved,
        first_response: d.first_response.into(),
        resolution: d.resolution.into(),
        sla: d.sla.into(),
        satisfaction: d.satisfaction.into(),
        members: d
            .members
            .iter()
            .map(|m| MemberScoreView {
                handle: m.handle.clone(),
                score: m.score.into(),
            })
            .collect(),
        deflections: d.deflections,
        weeks: d
            .weeks
            .iter()
            .map(|w| WeekView {
                week: w.start.to_string(),
                opened: w.opened,
                solved: w.solved,
                first_response: w.first_response.into(),
                resolution: w.resolution.into(),
                sla: w.sla.into(),
                satisfaction: w.satisfaction.into(),
                deflections: w.deflections,
            })
            .collect(),
        truncated: d.truncated,
    }
}

/// A help desk's dashboard: backlog by status, first-response and resolution times (median, 90th percentile), SLA attainment, satisfaction, deflections, and each week's figures (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/help-desk/dashboard", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), RangeQuery),
    responses(
        (status = 200, description = "The figures", body = DashboardView),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 422, description = "A date that is not one, a range that ends before it starts or is over two years", body = ErrorBody),
    ))]
async fn get_dashboard(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Json<DashboardView>, AppError> {
    let d = dashboard::dashboard(
        &state,
        &current,
        &handle,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    Ok(Json(view(&d)))
}

/// A CSV cell from text: one that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is
/// prefixed with `'`, so it stays text.
pub(crate) fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn minutes(seconds: Option<i64>) -> String {
    seconds.map_or_else(String::new, |s| format!("{:.1}", s as f64 / 60.0))
}

fn ratio(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(String::new, |x| format!("{x:.digits$}"))
}

/// A CSV file as a download.
fn csv_response(name: &str, rows: Vec<Vec<String>>) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row.iter().map(|c| cell(c).into_owned()))
            .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A help desk's weekly figures as CSV: one row a week, durations in business minutes, attainment in percent (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/help-desk/dashboard.csv", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), RangeQuery),
    responses(
        (status = 200, description = "The figures, a row a week", content_type = "text/csv"),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 422, description = "A bad date or range", body = ErrorBody),
    ))]
async fn dashboard_csv(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let d = dashboard::dashboard(
        &state,
        &current,
        &handle,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let mut rows = vec![
        [
            "week",
            "opened",
            "solved",
            "first_response_median_minutes",
            "first_response_p90_minutes",
            "resolution_median_minutes",
            "resolution_p90_minutes",
            "sla_met",
            "sla_decided",
            "sla_attainment_percent",
            "ratings",
            "satisfaction_average",
            "deflections",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for w in &d.weeks {
        rows.push(vec![
            w.start.to_string(),
            w.opened.to_string(),
            w.solved.to_string(),
            minutes(w.first_response.median),
            minutes(w.first_response.p90),
            minutes(w.resolution.median),
            minutes(w.resolution.p90),
            w.sla.met.to_string(),
            w.sla.decided.to_string(),
            ratio(w.sla.share().map(|s| s * 100.0), 1),
            w.satisfaction.ratings.to_string(),
            ratio(w.satisfaction.average(), 2),
            w.deflections.to_string(),
        ]);
    }
    csv_response(
        &format!(
            "{}-dashboard-{}-{}.csv",
            d.profile.handle, d.range.from, d.range.to
        ),
        rows,
    )
}

/// The tickets a help desk opened in the range as CSV, newest first: number, subject, status, priority, tags, assignee, created, first response, solved, rating (members; a rating only where the viewer may see that member's figures).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/help-desk/tickets.csv", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), RangeQuery),
    responses(
        (status = 200, description = "The tickets, a row each", content_type = "text/csv"),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 422, description = "A bad date or range", body = ErrorBody),
    ))]
async fn tickets_csv(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let (profile, range, lines) = dashboard::tickets(
        &state,
        &current,
        &handle,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let mut rows = vec![
        [
            "number",
            "subject",
            "status",
            "priority",
            "tags",
            "assignee",
            "created",
            "first_response",
            "solved",
            "rating",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for l in &lines {
        let t = &l.ticket;
        rows.push(vec![
            t.number.to_string(),
            t.subject.clone(),
            t.status.as_str().to_owned(),
            t.priority.as_str().to_owned(),
            t.tags.join(" "),
            t.assignee_handle.clone().unwrap_or_default(),
            t.created_at.to_rfc3339(),
            t.first_answer_at
                .map(|a| a.to_rfc3339())
                .unwrap_or_default(),
            t.solved_at.map(|a| a.to_rfc3339()).unwrap_or_default(),
            l.rating.map(|r| r.to_string()).unwrap_or_default(),
        ]);
    }
    csv_response(
        &format!("{}-tickets-{}-{}.csv", profile.handle, range.from, range.to),
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_that_a_spreadsheet_would_run_stay_text() {
        for bad in ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(cell(bad), format!("'{bad}"));
        }
        for fine in ["wifi down", "12", "", "a=b"] {
            assert_eq!(cell(fine), fine);
        }
    }
}
