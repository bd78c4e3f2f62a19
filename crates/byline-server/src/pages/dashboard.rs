//! A help desk's dashboard page: every figure as a table, so it reads
//! without JavaScript; with it, `dashboard.js` draws charts with Chart.js
//! (served by Byline itself from `web/static/vendor`) from the same JSON
//! the API gives, embedded in the page.

use super::{Nav, PageError, Viewer, render};
use crate::api::dashboard::view;
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use byline_app::dashboard::{self, Score, Spread};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard_page))
        .routes(routes!(chart_library))
        .routes(routes!(dashboard_script))
}

/// A duration in business seconds, as a person reads it.
fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "–".to_owned(),
        Some(s) if s < 3_600 => format!("{} min", (s + 30) / 60),
        Some(s) => {
            let m = (s + 30) / 60;
            format!("{} h {:02} min", m / 60, m % 60)
        }
    }
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.0} %", s * 100.0))
}

fn average(score: &Score) -> String {
    score
        .average()
        .map_or_else(|| "–".to_owned(), |a| format!("{a:.2}"))
}

/// One row of the weekly table.
struct WeekLine {
    week: String,
    opened: i64,
    solved: i64,
    first_median: String,
    first_p90: String,
    resolution_median: String,
    resolution_p90: String,
    sla: String,
    satisfaction: String,
    ratings: i64,
    deflections: i64,
}

/// One member's satisfaction, as the table shows it.
struct MemberLine {
    handle: String,
    ratings: i64,
    average: String,
    satisfied: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Nav,
    handle: String,
    name: String,
    from: String,
    to: String,
    query: String,
    opened: i64,
    solved: i64,
    first: (String, String, usize),
    resolution: (String, String, usize),
    sla: (String, i64, i64),
    satisfaction: (String, i64, String),
    deflections: i64,
    backlog: Vec<(String, i64)>,
    weeks: Vec<WeekLine>,
    members: Vec<MemberLine>,
    truncated: bool,
    /// The API's JSON, made safe to sit inside a `<script>` element.
    data: String,
}

/// The date range asked for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD`; default eight weeks before `to`.
    from: Option<String>,
    /// Last day, `YYYY-MM-DD`, included; default today.
    to: Option<String>,
}

fn spread(s: &Spread) -> (String, String, usize) {
    (duration(s.median), duration(s.p90), s.count)
}

/// A help desk's dashboard (members): figures as tables, charts with JavaScript.
#[utoipa::path(get, path = "/profiles/{handle}/dashboard", tag = "web", operation_id = "page_dashboard",
    params(("handle" = String, Path, description = "Shared profile handle"), RangeQuery),
    responses((status = 200, description = "Dashboard page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Members only", content_type = "text/html"),
              (status = 404, description = "No such help desk", content_type = "text/html"),
              (status = 422, description = "A bad date or range", content_type = "text/html")))]
async fn dashboard_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let d = dashboard::dashboard(
        &state,
        &current,
        &handle,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let json = serde_json::to_string(&view(&d))
        .map_err(|e| PageError(AppError::Internal(format!("dashboard JSON: {e}"))))?;
    // Inside <script> only "</" could end the element early; JSON may
    // spell "<" as \u003c, so no text can close it.
    let data = json.replace('<', "\\u003c");
    let weeks = d
        .weeks
        .iter()
        .map(|w| WeekLine {
            week: w.start.format("%-d %b %Y").to_string(),
            opened: w.opened,
            solved: w.solved,
            first_median: duration(w.first_response.median),
            first_p90: duration(w.first_response.p90),
            resolution_median: duration(w.resolution.median),
            resolution_p90: duration(w.resolution.p90),
            sla: percent(w.sla.share()),
            satisfaction: average(&w.satisfaction),
            ratings: w.satisfaction.ratings,
            deflections: w.deflections,
        })
        .collect();
    let members = d
        .members
        .iter()
        .map(|m| MemberLine {
            handle: m.handle.clone(),
            ratings: m.score.ratings,
            average: average(&m.score),
            satisfied: percent(
                (m.score.ratings > 0).then(|| m.score.satisfied as f64 / m.score.ratings as f64),
            ),
        })
        .collect();
    let satisfied = percent(
        (d.satisfaction.ratings > 0)
            .then(|| d.satisfaction.satisfied as f64 / d.satisfaction.ratings as f64),
    );
    Ok(render(&DashboardPage {
        nav: Nav::load(&state, &current, "").await?,
        handle: d.profile.handle.clone(),
        name: d.profile.display_name.clone(),
        from: d.range.from.to_string(),
        to: d.range.to.to_string(),
        query: format!("from={}&to={}", d.range.from, d.range.to),
        opened: d.opened,
        solved: d.solved,
        first: spread(&d.first_response),
        resolution: spread(&d.resolution),
        sla: (percent(d.sla.share()), d.sla.met, d.sla.decided),
        satisfaction: (average(&d.satisfaction), d.satisfaction.ratings, satisfied),
        deflections: d.deflections,
        backlog: d
            .backlog
            .iter()
            .map(|(s, n)| (s.as_str().replace('_', " "), *n))
            .collect(),
        weeks,
        members,
        truncated: d.truncated,
        data,
    })?
    .into_response())
}

const CHART_JS: &str = include_str!("../../../../web/static/vendor/chart.umd.min.js");

/// Chart.js 4.6.1 (MIT), served by Byline itself: the network may be closed, and a page should not depend on a CDN.
#[utoipa::path(get, path = "/static/vendor/chart.umd.min.js", tag = "web", operation_id = "page_chart_library", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn chart_library() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Pinned: a new version comes with a new Byline.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CHART_JS,
    )
}

const DASHBOARD_SCRIPT: &str = include_str!("../../../../web/static/dashboard.js");

/// The small script that draws the dashboard's charts from the figures in the page (the page works without it).
#[utoipa::path(get, path = "/static/dashboard.js", tag = "web", operation_id = "page_dashboard_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn dashboard_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        DASHBOARD_SCRIPT,
    )
}
