//! Campaigns over the API: create, record spend and results (one by one,
//! or a CSV import that stores every row or none), and the ROI report as
//! JSON or CSV.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use byline_app::campaigns::{self, Line, Report, Source};
use byline_core::campaign::{self, CampaignInput, Figures};
use byline_store::publishing::CampaignRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(campaign_report))
        .routes(routes!(campaign_report_csv))
        .routes(routes!(add_spend))
        .routes(routes!(add_results))
        .routes(routes!(import_results))
}

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A campaign.
#[derive(Serialize, ToSchema)]
pub struct CampaignView {
    /// Id.
    id: String,
    /// Name.
    name: String,
    /// First day.
    starts_on: String,
    /// Last day.
    ends_on: String,
    /// Budget, e.g. `1500.00`.
    budget: String,
    /// What it is for.
    goal: String,
}

impl CampaignView {
    fn of(c: &CampaignRow) -> CampaignView {
        CampaignView {
            id: c.id.to_string(),
            name: c.name.clone(),
            starts_on: c.starts_on.clone(),
            ends_on: c.ends_on.clone(),
            budget: money(c.budget_cents),
            goal: c.goal.clone(),
        }
    }
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents.div_euclid(100), cents.rem_euclid(100))
}

/// A profile's campaigns (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/campaigns", tag = "campaigns",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Its campaigns, latest first", body = Vec<CampaignView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
    ))]
async fn list_campaigns(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<Vec<CampaignView>>, AppError> {
    let (_, rows) = campaigns::list(&state, &current, &handle).await?;
    Ok(Json(rows.iter().map(CampaignView::of).collect()))
}

/// A campaign to start.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    /// 1–120 characters, unique in the profile.
    name: String,
    /// First day, `YYYY-MM-DD`.
    starts_on: String,
    /// Last day, on or after the first.
    ends_on: String,
    /// Budget, e.g. `1500` or `1,500.00`.
    budget: String,
    /// What it is for (up to 500 characters).
    #[serde(default)]
    goal: String,
}

/// Start a campaign (owners and editors).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/campaigns", tag = "campaigns", operation_id = "create_campaign", request_body = CampaignBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "Started", body = CampaignView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 422, description = "Bad name, dates or budget, or the name is taken", body = ErrorBody),
    ))]
async fn create_campaign(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<CampaignBody>,
) -> Result<(StatusCode, Json<CampaignView>), AppError> {
    let c = campaigns::create(
        &state,
        &current,
        &handle,
        &CampaignInput {
            name: b.name,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            budget: b.budget,
            goal: b.goal,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CampaignView::of(&c))))
}

/// Figures for one line of a report.
#[derive(Serialize, ToSchema)]
pub struct FiguresView {
    /// What the line is about (channel name, day, or `All`).
    label: String,
    /// Money spent.
    spend: String,
    /// Clicks on short links.
    clicks: i64,
    /// Spend per click, when there were clicks.
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_per_click: Option<String>,
    /// Leads.
    leads: i64,
    /// Conversions.
    conversions: i64,
    /// Revenue.
    revenue: String,
    /// (revenue − spend) / spend × 100, when anything was spent.
    #[serde(skip_serializing_if = "Option::is_none")]
    roi_percent: Option<f64>,
}

fn figures(label: &str, f: &Figures) -> FiguresView {
    FiguresView {
        label: label.to_owned(),
        spend: money(f.spend_cents),
        clicks: f.clicks,
        cost_per_click: f.cost_per_click_cents().map(money),
        leads: f.leads,
        conversions: f.conversions,
        revenue: money(f.revenue_cents),
        roi_percent: f.roi_percent().map(|r| (r * 10.0).round() / 10.0),
    }
}

/// A campaign's ROI report.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    /// The campaign.
    campaign: CampaignView,
    /// Everything together.
    total: FiguresView,
    /// Per channel.
    by_channel: Vec<FiguresView>,
    /// Per day.
    by_day: Vec<FiguresView>,
    /// Its publications' ids.
    publications: Vec<String>,
}

fn lines(lines: &[Line]) -> Vec<FiguresView> {
    lines
        .iter()
        .map(|l| figures(&l.label, &l.figures))
        .collect()
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> ReportView {
        ReportView {
            campaign: CampaignView::of(&r.campaign),
            total: figures("All", &r.total),
            by_channel: lines(&r.by_channel),
            by_day: lines(&r.by_day),
            publications: r.publications.iter().map(|p| p.id.to_string()).collect(),
        }
    }
}

/// A campaign's ROI report (members): spend, clicks, cost per click,
/// results and ROI, per channel and per day.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/campaigns/{id}", tag = "campaigns",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The report", body = ReportView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such campaign, or not a member", body = ErrorBody),
    ))]
async fn campaign_report(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<ReportView>, AppError> {
    let r = campaigns::report(&state, &current, &handle, id_of(&id)?).await?;
    Ok(Json((&r).into()))
}

/// The ROI report as CSV (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/campaigns/{id}/report.csv", tag = "campaigns",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "section,label,spend,clicks,cost_per_click,leads,conversions,revenue,roi_percent", content_type = "text/csv", body = String),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such campaign, or not a member", body = ErrorBody),
    ))]
async fn campaign_report_csv(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let r = campaigns::report(&state, &current, &handle, id_of(&id)?).await?;
    let csv = campaigns::report_csv(&r)?;
    let name = format!(
        "attachment; filename=\"campaign-{}.csv\"",
        campaign::slug(&r.campaign.name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv,
    ))
}

/// Money spent.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpendBody {
    /// The day, `YYYY-MM-DD`, within the campaign (or up to 30 days after).
    on: String,
    /// The amount, e.g. `250.00`.
    amount: String,
    /// What for (up to 200 characters).
    #[serde(default)]
    note: String,
    /// The channel's name, when spent on one.
    #[serde(default)]
    channel: Option<String>,
}

/// Record money spent (owners and editors).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/campaigns/{id}/spend", tag = "campaigns", request_body = SpendBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    responses(
        (status = 201, description = "Recorded"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such campaign, or not a member", body = ErrorBody),
        (status = 422, description = "Bad day, amount, note or channel", body = ErrorBody),
    ))]
async fn add_spend(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<SpendBody>,
) -> Result<StatusCode, AppError> {
    campaigns::add_spend(
        &state,
        &current,
        &handle,
        id_of(&id)?,
        (&b.on, &b.amount, &b.note, b.channel.as_deref()),
    )
    .await?;
    Ok(StatusCode::CREATED)
}

/// Results for one day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// The day, `YYYY-MM-DD`.
    on: String,
    /// The channel's name, when known.
    #[serde(default)]
    channel: String,
    /// Leads.
    #[serde(default)]
    leads: i64,
    /// Conversions.
    #[serde(default)]
    conversions: i64,
    /// Revenue, e.g. `1200.00`.
    #[serde(default)]
    revenue: String,
}

/// Results to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsBody {
    /// One or more rows; all are stored or none.
    results: Vec<ResultBody>,
}

/// What was stored.
#[derive(Serialize, ToSchema)]
pub struct Stored {
    /// Rows stored.
    rows: usize,
}

/// Record results (owners and editors): every row or, if one is bad, none.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/campaigns/{id}/results", tag = "campaigns", request_body = ResultsBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    responses(
        (status = 201, description = "Stored", body = Stored),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such campaign, or not a member", body = ErrorBody),
        (status = 422, description = "A bad row (each is named); nothing stored", body = ErrorBody),
    ))]
async fn add_results(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<ResultsBody>,
) -> Result<(StatusCode, Json<Stored>), AppError> {
    let mut rows = Vec::with_capacity(b.results.len());
    let mut errors = Vec::new();
    for (i, r) in b.results.iter().enumerate() {
        let revenue = if r.revenue.trim().is_empty() {
            "0"
        } else {
            &r.revenue
        };
        match campaign::validate_result(
            &r.on,
            &r.channel,
            &r.leads.to_string(),
            &r.conversions.to_string(),
            revenue,
        ) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(format!("row {}: {e}", i + 1)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(format!(
            "{} rows have errors; nothing was stored: {}",
            errors.len(),
            errors.join("; ")
        )));
    }
    let n =
        campaigns::add_results(&state, &current, &handle, id_of(&id)?, &rows, Source::Api).await?;
    Ok((StatusCode::CREATED, Json(Stored { rows: n })))
}

/// Import results from CSV (owners and editors): a header
/// `date,channel,leads,conversions,revenue`, then one row per day and
/// channel. Every bad row is reported by line and nothing is stored
/// unless all are good.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/campaigns/{id}/results.csv", tag = "campaigns",
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    responses(
        (status = 201, description = "Stored", body = Stored),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such campaign, or not a member", body = ErrorBody),
        (status = 422, description = "Bad header or rows (each named by line); nothing stored", body = ErrorBody),
    ))]
async fn import_results(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    body: String,
) -> Result<(StatusCode, Json<Stored>), AppError> {
    let n = campaigns::import_csv(&state, &current, &handle, id_of(&id)?, &body).await?;
    Ok((StatusCode::CREATED, Json(Stored { rows: n })))
}
