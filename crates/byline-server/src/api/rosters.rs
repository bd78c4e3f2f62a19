//! Rosters of shared profiles: shifts and who is on duty.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::rosters::{self, RosterShift};
use byline_core::roster::Occurrence;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_roster, add_shift))
        .routes(routes!(remove_shift))
        .routes(routes!(on_duty))
}

/// A shift on a roster, as it was typed.
#[derive(Serialize, ToSchema)]
pub struct ShiftView {
    /// Id.
    id: String,
    /// The member on duty (personal handle).
    member: String,
    /// Their name.
    display_name: String,
    /// IANA zone of the wall-clock times.
    time_zone: String,
    /// First start, wall-clock, e.g. `2026-11-23T09:00`.
    starts: String,
    /// First end, wall-clock.
    ends: String,
    /// RRULE, if it repeats, e.g. `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence: Option<String>,
    /// Free text.
    note: String,
}

impl From<&RosterShift> for ShiftView {
    fn from(s: &RosterShift) -> ShiftView {
        ShiftView {
            id: s.row.id.to_string(),
            member: s.row.handle.clone(),
            display_name: s.row.display_name.clone(),
            time_zone: s.row.time_zone.clone(),
            starts: s.row.starts_local.clone(),
            ends: s.row.ends_local.clone(),
            recurrence: s.row.recurrence.clone(),
            note: s.row.note.clone(),
        }
    }
}

/// One stretch of duty.
#[derive(Serialize, ToSchema)]
pub struct StretchView {
    /// The shift it comes from.
    shift: String,
    /// The member on duty.
    member: String,
    /// RFC 3339, UTC.
    starts: String,
    /// RFC 3339, UTC.
    ends: String,
    /// Start in the shift's zone, e.g. `2026-11-23 09:00 GMT`.
    starts_local: String,
    /// End in the shift's zone.
    ends_local: String,
}

fn stretch(s: &RosterShift, o: &Occurrence) -> StretchView {
    StretchView {
        shift: s.row.id.to_string(),
        member: s.row.handle.clone(),
        starts: o.starts.to_rfc3339(),
        ends: o.ends.to_rfc3339(),
        starts_local: s.shift.local_text(o.starts),
        ends_local: s.shift.local_text(o.ends),
    }
}

/// A roster over a window.
#[derive(Serialize, ToSchema)]
pub struct RosterView {
    /// Whether only members on shift (and owners) may speak as the profile.
    shift_only: bool,
    /// The shifts on the roster.
    shifts: Vec<ShiftView>,
    /// Their stretches of duty overlapping the window, by start.
    stretches: Vec<StretchView>,
}

/// A window of time.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterQuery {
    /// Start, RFC 3339 with an offset; default now.
    from: Option<String>,
    /// End (exclusive); default seven days after `from`, at most 62.
    to: Option<String>,
}

/// A shared profile's roster: its shifts and who is on duty when in a window (members and admins).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/roster", tag = "shared profiles",
    params(("handle" = String, Path, description = "Shared profile handle"), RosterQuery),
    responses(
        (status = 200, description = "The roster", body = RosterView),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 422, description = "Bad window", body = ErrorBody),
    ))]
async fn get_roster(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<RosterQuery>,
) -> Result<Json<RosterView>, AppError> {
    let (from, to) = rosters::window(q.from.as_deref(), q.to.as_deref())?;
    let r = rosters::load(&state, &current, &handle).await?;
    Ok(Json(RosterView {
        shift_only: r.shift_only,
        stretches: r
            .stretches(from, to)
            .iter()
            .map(|d| stretch(&r.shifts[d.shift], &d.occurrence))
            .collect(),
        shifts: r.shifts.iter().map(ShiftView::from).collect(),
    }))
}

/// A new shift.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShiftBody {
    /// The member on duty (personal handle).
    member: String,
    /// IANA zone, e.g. `Europe/London`.
    time_zone: String,
    /// First start, wall-clock in that zone, e.g. `2026-11-23T09:00`.
    starts: String,
    /// First end, wall-clock; after `starts`, at most 168 hours later.
    ends: String,
    /// RRULE (DAILY, WEEKLY, MONTHLY or YEARLY), e.g. `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`.
    #[serde(default)]
    recurrence: Option<String>,
    /// Free text, at most 200 characters.
    #[serde(default)]
    note: String,
}

/// Put a shift on the roster (owners and admins). One member's shifts may not overlap.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/roster", tag = "shared profiles", request_body = NewShiftBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "On the roster", body = ShiftView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown zone, inverted or overlapping shift, bad rule, not a member", body = ErrorBody),
    ))]
async fn add_shift(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<NewShiftBody>,
) -> Result<(StatusCode, Json<ShiftView>), AppError> {
    let s = rosters::add_shift(
        &state,
        &current,
        &handle,
        rosters::ShiftInput {
            member: &b.member,
            time_zone: &b.time_zone,
            starts: &b.starts,
            ends: &b.ends,
            recurrence: b.recurrence.as_deref(),
            note: &b.note,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ShiftView::from(&s))))
}

/// Take a shift off the roster (owners and admins).
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/roster/{id}", tag = "shared profiles",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Shift id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such shift on this roster", body = ErrorBody),
    ))]
async fn remove_shift(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    rosters::remove_shift(&state, &current, &handle, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An instant.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AtQuery {
    /// RFC 3339 with an offset; default now.
    at: Option<String>,
}

/// Who was on duty at an instant.
#[derive(Serialize, ToSchema)]
pub struct OnDutyView {
    /// The instant asked about, RFC 3339.
    at: String,
    /// The stretches covering it.
    on_duty: Vec<StretchView>,
}

/// Who is on duty for a shared profile now, or who was at `at` (members and admins).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/on-duty", tag = "shared profiles",
    params(("handle" = String, Path, description = "Shared profile handle"), AtQuery),
    responses(
        (status = 200, description = "Members on duty", body = OnDutyView),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 422, description = "Bad time", body = ErrorBody),
    ))]
async fn on_duty(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> Result<Json<OnDutyView>, AppError> {
    let (at, list) = rosters::on_duty(&state, &current, &handle, q.at.as_deref()).await?;
    Ok(Json(OnDutyView {
        at: at.to_rfc3339(),
        on_duty: list
            .iter()
            .map(|d| stretch(&d.shift, &d.occurrence))
            .collect(),
    }))
}
