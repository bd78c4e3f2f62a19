//! The campaigns pages of a shared profile: the list with its form, and a
//! campaign's ROI report with the forms to record spend and results. Every
//! figure is a table, so the report reads (and prints) without JavaScript;
//! with it, `campaign.js` draws two charts from the figures in the page.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::campaigns::{self, Line, Source};
use byline_app::{Error, channels};
use byline_core::campaign::{CampaignInput, Figures, format_money, validate_result};
use byline_core::policy::{Action, authorize};
use byline_core::publication::Status;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(campaigns_page, create_campaign))
        .routes(routes!(campaign_page))
        .routes(routes!(add_spend))
        .routes(routes!(add_result))
        .routes(routes!(import_results))
}

fn id_of(id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| PageError(AppError::NotFound))
}

fn money(cents: Option<i64>) -> String {
    cents.map_or_else(|| "—".to_owned(), format_money)
}

fn roi(f: &Figures) -> String {
    f.roi_percent()
        .map_or_else(|| "—".to_owned(), |r| format!("{r:.1} %"))
}

// --------------------------------------------------------------- the list

/// A campaign in the list.
struct CampaignLine {
    id: i64,
    name: String,
    starts_on: String,
    ends_on: String,
    budget: String,
    goal: String,
}

/// The create form as typed.
#[derive(Deserialize, ToSchema, Default)]
pub struct CampaignForm {
    #[serde(default)]
    csrf_token: String,
    /// 1–120 characters, unique in the profile.
    #[serde(default)]
    name: String,
    /// First day, `YYYY-MM-DD`.
    #[serde(default)]
    starts_on: String,
    /// Last day, on or after the first.
    #[serde(default)]
    ends_on: String,
    /// Budget, e.g. `1500` or `1,500.00`.
    #[serde(default)]
    budget: String,
    /// What it is for.
    #[serde(default)]
    goal: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    campaigns: Vec<CampaignLine>,
    may_write: bool,
    form: CampaignForm,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    current: &CurrentUser,
    handle: &str,
    form: CampaignForm,
    error: Option<String>,
) -> Result<CampaignsPage, PageError> {
    let (profile, rows) = campaigns::list(state, current, handle).await?;
    let role = channels::list(state, current, handle).await?.role;
    Ok(CampaignsPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: profile.handle.clone(),
        name: profile.display_name.clone(),
        campaigns: rows
            .iter()
            .map(|c| CampaignLine {
                id: c.id,
                name: c.name.clone(),
                starts_on: c.starts_on.clone(),
                ends_on: c.ends_on.clone(),
                budget: format_money(c.budget_cents),
                goal: c.goal.clone(),
            })
            .collect(),
        may_write: authorize(Some(&current.actor()), Action::WritePublication { role }).is_ok(),
        form,
        error,
    })
}

/// A shared profile's campaigns, with the form to start one (members).
#[utoipa::path(get, path = "/profiles/{handle}/campaigns", tag = "web", operation_id = "page_campaigns",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses((status = 200, description = "Campaigns page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html")))]
async fn campaigns_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let p = list_page(&state, &current, &handle, CampaignForm::default(), None).await?;
    Ok(render(&p)?.into_response())
}

/// Starts a campaign (owners and editors) and shows its report.
#[utoipa::path(post, path = "/profiles/{handle}/campaigns", tag = "web", operation_id = "page_campaigns_create",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = CampaignForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Started: to its report"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html"),
              (status = 409, description = "The name is taken", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn create_campaign(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<CampaignForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let input = CampaignInput {
        name: f.name.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        budget: f.budget.clone(),
        goal: f.goal.clone(),
    };
    match campaigns::create(&state, &current, &handle, &input).await {
        Ok(c) => {
            Ok(Redirect::to(&format!("/profiles/{handle}/campaigns/{}", c.id)).into_response())
        }
        Err(e) => {
            let (status, why) = super::refusal(e)?;
            let p = list_page(&state, &current, &handle, f, Some(why)).await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}

// ------------------------------------------------------------- the report

/// One line of a report table.
struct FigureLine {
    label: String,
    spend: String,
    clicks: i64,
    cost_per_click: String,
    leads: i64,
    conversions: i64,
    revenue: String,
    roi: String,
}

impl FigureLine {
    fn of(label: &str, f: &Figures) -> FigureLine {
        FigureLine {
            label: label.to_owned(),
            spend: format_money(f.spend_cents),
            clicks: f.clicks,
            cost_per_click: money(f.cost_per_click_cents()),
            leads: f.leads,
            conversions: f.conversions,
            revenue: format_money(f.revenue_cents),
            roi: roi(f),
        }
    }
}

fn lines(lines: &[Line]) -> Vec<FigureLine> {
    lines
        .iter()
        .map(|l| FigureLine::of(&l.label, &l.figures))
        .collect()
}

/// A publication of the campaign.
struct PublicationLine {
    id: i64,
    title: String,
    status: &'static str,
    label: &'static str,
}

/// What the report's forms hold after a refusal.
#[derive(Default)]
struct Typed {
    spend: SpendForm,
    result: ResultForm,
    csv: String,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    id: i64,
    campaign: String,
    dates: String,
    budget: String,
    goal: String,
    total: FigureLine,
    by_channel: Vec<FigureLine>,
    by_day: Vec<FigureLine>,
    publications: Vec<PublicationLine>,
    /// (day, channel, amount, note).
    spend: Vec<(String, String, String, String)>,
    /// (day, channel, leads, conversions, revenue, source).
    results: Vec<(String, String, i64, i64, String, String)>,
    may_write: bool,
    channels: Vec<String>,
    today: String,
    typed: Typed,
    error: Option<String>,
    /// The figures as JSON for the charts, safe inside `<script>`.
    data: String,
}

/// The charts' figures: per channel, and per day with running totals.
fn chart_data(report: &campaigns::Report) -> Result<String, PageError> {
    let units = |cents: i64| cents as f64 / 100.0;
    let (mut spent, mut earned) = (0_i64, 0_i64);
    let days: Vec<serde_json::Value> = report
        .by_day
        .iter()
        .map(|l| {
            let f = &l.figures;
            spent = spent.saturating_add(f.spend_cents);
            earned = earned.saturating_add(f.revenue_cents);
            let running = Figures {
                spend_cents: spent,
                revenue_cents: earned,
                ..Figures::default()
            };
            serde_json::json!({
                "day": l.label,
                "clicks": f.clicks,
                "spend": units(f.spend_cents),
                "revenue": units(f.revenue_cents),
                "roi_to_date": running.roi_percent().map(|r| (r * 10.0).round() / 10.0),
            })
        })
        .collect();
    let channels: Vec<serde_json::Value> = report
        .by_channel
        .iter()
        .map(|l| {
            serde_json::json!({
                "channel": l.label,
                "spend": units(l.figures.spend_cents),
                "revenue": units(l.figures.revenue_cents),
                "clicks": l.figures.clicks,
            })
        })
        .collect();
    let json = serde_json::json!({ "channels": channels, "days": days }).to_string();
    // Inside <script> only "</" could end the element early; JSON may spell
    // "<" as \u003c, so no channel's name can close it.
    Ok(json.replace('<', "\\u003c"))
}

async fn report_page(
    state: &AppState,
    current: &CurrentUser,
    handle: &str,
    id: i64,
    typed: Typed,
    error: Option<String>,
) -> Result<CampaignPage, PageError> {
    let r = campaigns::report(state, current, handle, id).await?;
    let channels = channels::list(state, current, handle).await?;
    let channel_name = |c: Option<i64>| match c {
        Some(c) => channels
            .channels
            .iter()
            .find(|ch| ch.row.id == c)
            .map_or_else(|| format!("channel {c}"), |ch| ch.row.name.clone()),
        None => String::new(),
    };
    let c = &r.campaign;
    Ok(CampaignPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: r.profile.handle.clone(),
        name: r.profile.display_name.clone(),
        id: c.id,
        campaign: c.name.clone(),
        dates: format!("{} to {}", c.starts_on, c.ends_on),
        budget: format_money(c.budget_cents),
        goal: c.goal.clone(),
        total: FigureLine::of("All", &r.total),
        by_channel: lines(&r.by_channel),
        by_day: lines(&r.by_day),
        publications: r
            .publications
            .iter()
            .map(|p| {
                let (status, label) = Status::parse(&p.status)
                    .map_or(("unknown", "Unknown"), |s| (s.as_str(), s.label()));
                PublicationLine {
                    id: p.id,
                    title: p.title.clone(),
                    status,
                    label,
                }
            })
            .collect(),
        spend: r
            .spend
            .iter()
            .map(|s| {
                (
                    s.spent_on.clone(),
                    channel_name(s.channel_id),
                    format_money(s.cents),
                    s.note.clone(),
                )
            })
            .collect(),
        results: r
            .results
            .iter()
            .map(|x| {
                (
                    x.result_on.clone(),
                    channel_name(x.channel_id),
                    x.leads,
                    x.conversions,
                    format_money(x.revenue_cents),
                    x.source.clone(),
                )
            })
            .collect(),
        may_write: r.may_write,
        channels: channels
            .channels
            .iter()
            .map(|c| c.row.name.clone())
            .collect(),
        today: chrono::DateTime::from_timestamp_micros(now().micros())
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default(),
        typed,
        error,
        data: chart_data(&r)?,
    })
}

/// After a form: back to the report, or the report again with the refusal
/// in place and the form as typed.
async fn recorded<T>(
    state: &AppState,
    current: &CurrentUser,
    (handle, id): (&str, i64),
    outcome: Result<T, Error>,
    typed: Typed,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/profiles/{handle}/campaigns/{id}")).into_response()),
        Err(e) => {
            let (status, why) = super::refusal(e)?;
            let p = report_page(state, current, handle, id, typed, Some(why)).await?;
            Ok((status, render(&p)?).into_response())
        }
    }
}

/// A campaign's ROI report: figures, tables per channel and per day,
/// charts with JavaScript, and (owners and editors) the forms to add
/// spend and results (members).
#[utoipa::path(get, path = "/profiles/{handle}/campaigns/{id}", tag = "web", operation_id = "page_campaign",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    responses((status = 200, description = "Campaign report page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such campaign, or not a member", content_type = "text/html")))]
async fn campaign_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let p = report_page(
        &state,
        &current,
        &handle,
        id_of(&id)?,
        Typed::default(),
        None,
    )
    .await?;
    Ok(render(&p)?.into_response())
}

/// Money spent, as typed.
#[derive(Deserialize, ToSchema, Default)]
pub struct SpendForm {
    #[serde(default)]
    csrf_token: String,
    /// The day, `YYYY-MM-DD`.
    #[serde(default)]
    on: String,
    /// The amount, e.g. `250.00`.
    #[serde(default)]
    amount: String,
    /// What for.
    #[serde(default)]
    note: String,
    /// The channel's name; empty when not spent on one.
    #[serde(default)]
    channel: String,
}

/// Records money spent (owners and editors).
#[utoipa::path(post, path = "/profiles/{handle}/campaigns/{id}/spend", tag = "web", operation_id = "page_campaign_spend",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    request_body(content = SpendForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: to the report"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such campaign, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn add_spend(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<SpendForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let channel = Some(f.channel.as_str()).filter(|c| !c.trim().is_empty());
    let outcome = campaigns::add_spend(
        &state,
        &current,
        &handle,
        id,
        (&f.on, &f.amount, &f.note, channel),
    )
    .await;
    let typed = Typed {
        spend: f,
        ..Typed::default()
    };
    recorded(&state, &current, (&handle, id), outcome, typed).await
}

/// One day's results, as typed.
#[derive(Deserialize, ToSchema, Default)]
pub struct ResultForm {
    #[serde(default)]
    csrf_token: String,
    /// The day, `YYYY-MM-DD`.
    #[serde(default)]
    on: String,
    /// The channel's name; empty when not known.
    #[serde(default)]
    channel: String,
    /// Leads (empty: none).
    #[serde(default)]
    leads: String,
    /// Conversions (empty: none).
    #[serde(default)]
    conversions: String,
    /// Revenue, e.g. `1200.00` (empty: none).
    #[serde(default)]
    revenue: String,
}

/// Records one day's results by hand (owners and editors).
#[utoipa::path(post, path = "/profiles/{handle}/campaigns/{id}/results", tag = "web", operation_id = "page_campaign_results",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    request_body(content = ResultForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: to the report"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such campaign, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn add_result(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<ResultForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = match validate_result(&f.on, &f.channel, &f.leads, &f.conversions, &f.revenue) {
        Ok(row) => {
            campaigns::add_results(&state, &current, &handle, id, &[row], Source::Hand).await
        }
        Err(e) => Err(Error::from(e)),
    };
    let typed = Typed {
        result: f,
        ..Typed::default()
    };
    recorded(&state, &current, (&handle, id), outcome, typed).await
}

/// Results as CSV, pasted.
#[derive(Deserialize, ToSchema)]
pub struct ImportForm {
    csrf_token: String,
    /// `date,channel,leads,conversions,revenue`, then one row per day and channel.
    #[serde(default)]
    csv: String,
}

/// Imports results from pasted CSV (owners and editors): every row or,
/// when one is bad, none, with each bad row named.
#[utoipa::path(post, path = "/profiles/{handle}/campaigns/{id}/import", tag = "web", operation_id = "page_campaign_import",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Campaign id")),
    request_body(content = ImportForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Imported: to the report"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such campaign, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page names every bad row", content_type = "text/html")))]
async fn import_results(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<ImportForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = campaigns::import_csv(&state, &current, &handle, id, &f.csv).await;
    let typed = Typed {
        csv: f.csv,
        ..Typed::default()
    };
    recorded(&state, &current, (&handle, id), outcome, typed).await
}
