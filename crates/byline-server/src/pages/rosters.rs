//! The roster page of a shared profile: this week's shifts, who is on duty
//! now, and (for owners and admins) adding and removing shifts and the
//! shift-only rule.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::{AppState, now};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::rosters::{self, ShiftInput};
use byline_core::roster::{format_in, instant_of, local_of, parse_zone};
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roster_page, add_shift))
        .routes(routes!(remove_shift))
        .routes(routes!(set_rule))
}

/// One stretch on the week grid.
struct StretchCard {
    times: String,
    member: String,
    note: String,
    now: bool,
}

/// One day of the week grid.
struct DayColumn {
    label: String,
    today: bool,
    stretches: Vec<StretchCard>,
}

/// A shift in the list under the grid.
struct ShiftLine {
    id: i64,
    member: String,
    when: String,
    repeats: String,
    note: String,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    shift_only: bool,
    can_manage: bool,
    zone: String,
    week_label: String,
    prev_week: String,
    next_week: String,
    days: Vec<DayColumn>,
    on_duty: Vec<String>,
    shifts: Vec<ShiftLine>,
    members: Vec<(String, String)>,
    error: Option<String>,
    form: ShiftForm,
}

/// Which week, in which zone.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// Any date in the week, `YYYY-MM-DD`; default today.
    week: Option<String>,
    /// IANA zone to show times in; default the first shift's zone, else UTC.
    tz: Option<String>,
}

fn week_of(zone: Tz, q: &WeekQuery) -> Result<NaiveDate, AppError> {
    let day = match q.week.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => NaiveDate::parse_from_str(w, "%Y-%m-%d")
            .map_err(|_| AppError::Invalid("week is a date such as 2026-11-23".into()))?,
        None => local_of(zone, now()).date(),
    };
    Ok(day - Duration::days(i64::from(day.weekday().num_days_from_monday())))
}

async fn page(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    q: &WeekQuery,
    error: Option<String>,
    form: ShiftForm,
) -> Result<RosterPage, PageError> {
    let r = rosters::load(state, current, handle).await?;
    let zone = match q.tz.as_deref().filter(|z| !z.is_empty()) {
        Some(z) => parse_zone(z)?,
        None => r.shifts.first().map_or(chrono_tz::UTC, |s| s.shift.zone),
    };
    let monday = week_of(zone, q)?;
    let day_start = |i: i64| {
        let local = (monday + Duration::days(i))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        instant_of(zone, local)
    };
    let week = r.stretches(day_start(0), day_start(7));
    let n = now();
    let today = local_of(zone, n).date();
    let mut days: Vec<DayColumn> = (0..7)
        .map(|i| {
            let d = monday + Duration::days(i);
            DayColumn {
                label: d.format("%a %-d %b").to_string(),
                today: d == today,
                stretches: Vec::new(),
            }
        })
        .collect();
    for s in &week {
        let shift = &r.shifts[s.shift];
        let o = s.occurrence;
        let start_day = local_of(zone, o.starts.max(day_start(0))).date();
        let idx = usize::try_from((start_day - monday).num_days().clamp(0, 6)).unwrap_or(0);
        let same_day = local_of(zone, o.starts).date() == local_of(zone, o.ends).date();
        let end_pattern = if same_day { "%H:%M" } else { "%a %H:%M" };
        days[idx].stretches.push(StretchCard {
            times: format!(
                "{}–{}",
                format_in(zone, o.starts, "%H:%M"),
                format_in(zone, o.ends, end_pattern)
            ),
            member: shift.row.display_name.clone(),
            note: shift.row.note.clone(),
            now: o.contains(n),
        });
    }
    let on_duty = rosters::on_duty(state, current, handle, None)
        .await?
        .1
        .into_iter()
        .map(|d| {
            format!(
                "{} (until {})",
                d.shift.row.display_name,
                format_in(zone, d.occurrence.ends, "%a %H:%M %Z")
            )
        })
        .collect();
    let shifts = r
        .shifts
        .iter()
        .map(|s| ShiftLine {
            id: s.row.id,
            member: s.row.display_name.clone(),
            when: format!(
                "{} to {} ({})",
                s.shift.starts.format("%a %-d %b %Y %H:%M"),
                if s.shift.ends.date() == s.shift.starts.date() {
                    s.shift.ends.format("%H:%M").to_string()
                } else {
                    s.shift.ends.format("%a %-d %b %H:%M").to_string()
                },
                s.row.time_zone
            ),
            repeats: s
                .shift
                .recurrence
                .as_ref()
                .map_or_else(|| "once".to_owned(), |r| r.describe()),
            note: s.row.note.clone(),
        })
        .collect();
    let members = if r.can_manage {
        byline_app::shared_profiles::members(state, current, handle)
            .await?
            .into_iter()
            .map(|m| (m.handle, m.display_name))
            .collect()
    } else {
        Vec::new()
    };
    let tz_param = format!("&tz={}", zone.name());
    Ok(RosterPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: r.profile.handle.clone(),
        name: r.profile.display_name.clone(),
        shift_only: r.shift_only,
        can_manage: r.can_manage,
        zone: zone.name().to_owned(),
        week_label: format!(
            "{} – {}",
            monday.format("%-d %b"),
            (monday + Duration::days(6)).format("%-d %b %Y")
        ),
        prev_week: format!("?week={}{tz_param}", monday - Duration::days(7)),
        next_week: format!("?week={}{tz_param}", monday + Duration::days(7)),
        days,
        on_duty,
        shifts,
        members,
        error,
        form,
    })
}

/// A shared profile's roster: this week's shifts and who is on duty (members and admins).
#[utoipa::path(get, path = "/profiles/{handle}/roster", tag = "web", operation_id = "page_roster",
    params(("handle" = String, Path, description = "Shared profile handle"), WeekQuery),
    responses((status = 200, description = "Roster page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Members and admins only", content_type = "text/html"),
              (status = 404, description = "No such shared profile", content_type = "text/html")))]
async fn roster_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<WeekQuery>,
) -> Result<Response, PageError> {
    let p = page(&state, &current, &handle, &q, None, ShiftForm::default()).await?;
    Ok(render(&p)?.into_response())
}

/// The add-shift form.
#[derive(Deserialize, ToSchema, Default)]
pub struct ShiftForm {
    #[serde(default)]
    csrf_token: String,
    /// The member's handle.
    #[serde(default)]
    member: String,
    /// IANA zone.
    #[serde(default)]
    time_zone: String,
    /// `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    starts: String,
    /// `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    ends: String,
    /// `once`, `daily`, `weekdays`, `weekly` or `custom`.
    #[serde(default)]
    repeats: String,
    /// An RRULE when `repeats` is `custom`.
    #[serde(default)]
    rule: String,
    /// Free text.
    #[serde(default)]
    note: String,
}

impl ShiftForm {
    fn recurrence(&self) -> Option<String> {
        match self.repeats.as_str() {
            "daily" => Some("FREQ=DAILY".into()),
            "weekdays" => Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into()),
            "weekly" => Some("FREQ=WEEKLY".into()),
            "custom" => Some(self.rule.clone()),
            _ => None,
        }
    }
}

/// Adds a shift (owners and admins); a refused shift shows the page again with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/roster", tag = "web", operation_id = "page_roster_add_shift",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = ShiftForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added"),
              (status = 403, description = "Owners and admins only, or wrong CSRF token", content_type = "text/html"),
              (status = 422, description = "The shift was refused; the page says why", content_type = "text/html")))]
async fn add_shift(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<ShiftForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let recurrence = f.recurrence();
    let added = rosters::add_shift(
        &state,
        &current,
        &handle,
        ShiftInput {
            member: &f.member,
            time_zone: &f.time_zone,
            starts: &f.starts,
            ends: &f.ends,
            recurrence: recurrence.as_deref(),
            note: &f.note,
        },
    )
    .await;
    match added.map_err(AppError::from) {
        Ok(s) => Ok(Redirect::to(&format!(
            "/profiles/{handle}/roster?week={}&tz={}",
            s.shift.starts.date(),
            s.shift.zone.name()
        ))
        .into_response()),
        Err(AppError::Invalid(why)) => {
            let q = WeekQuery::default();
            let p = page(&state, &current, &handle, &q, Some(why), f).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A form with only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct TokenForm {
    csrf_token: String,
}

/// Takes a shift off the roster (owners and admins).
#[utoipa::path(post, path = "/profiles/{handle}/roster/{id}/remove", tag = "web", operation_id = "page_roster_remove_shift",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Shift id")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed"),
              (status = 403, description = "Owners and admins only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such shift", content_type = "text/html")))]
async fn remove_shift(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    rosters::remove_shift(&state, &current, &handle, id).await?;
    Ok(Redirect::to(&format!("/profiles/{handle}/roster")).into_response())
}

/// The shift-only switch.
#[derive(Deserialize, ToSchema)]
pub struct RuleForm {
    csrf_token: String,
    /// `on` or `off`.
    shift_only: String,
}

/// Turns "only members on shift may speak as this profile" on or off (owners and admins).
#[utoipa::path(post, path = "/profiles/{handle}/roster/rule", tag = "web", operation_id = "page_roster_rule",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = RuleForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Changed"),
              (status = 403, description = "Owners and admins only, or wrong CSRF token", content_type = "text/html")))]
async fn set_rule(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<RuleForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let on = match f.shift_only.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::Invalid("shift_only is 'on' or 'off'".into()).into()),
    };
    rosters::set_shift_only(&state, &current, &handle, on).await?;
    Ok(Redirect::to(&format!("/profiles/{handle}/roster")).into_response())
}
