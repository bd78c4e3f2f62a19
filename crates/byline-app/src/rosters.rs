//! Rosters: shifts on shared profiles, who is on duty, and the shift-only
//! rule that the attributed-write path consults. Members and admins see a
//! roster (on a sealed profile it would hint at who wrote what); owners and
//! admins change it; every change is audited with the change.

use crate::Caller;
use crate::Error;
use crate::shared_profiles::shared;
use crate::{App, now};
use byline_core::policy::{Action, authorize};
use byline_core::roster::{Occurrence, Shift};
use byline_core::{Handle, Timestamp};
use byline_store::profiles::Profile;
use byline_store::rosters::{NewShift, ShiftRow};

/// Longest window one roster question may cover.
pub const MAX_WINDOW_DAYS: i64 = 62;

/// A stored shift with its parsed rule.
pub struct RosterShift {
    /// As stored.
    pub row: ShiftRow,
    /// Parsed.
    pub shift: Shift,
}

/// One stretch of duty of one member.
pub struct Stretch {
    /// Index into the roster's shifts.
    pub shift: usize,
    /// When.
    pub occurrence: Occurrence,
}

/// A profile's roster over a window.
pub struct Roster {
    /// The shared profile.
    pub profile: Profile,
    /// Whether members must be on shift to speak as it.
    pub shift_only: bool,
    /// Shifts on the roster now.
    pub shifts: Vec<RosterShift>,
    /// Whether the asker may change the roster.
    pub can_manage: bool,
}

fn parse(row: ShiftRow) -> Result<RosterShift, Error> {
    let shift = Shift::parse(
        &row.time_zone,
        &row.starts_local,
        &row.ends_local,
        row.recurrence.as_deref(),
    )
    .map_err(|e| Error::Internal(format!("stored shift {} unreadable: {e}", row.id)))?;
    Ok(RosterShift { row, shift })
}

/// A window as asked for (RFC 3339; default: the next seven days), at most
/// [`MAX_WINDOW_DAYS`] long.
pub fn window(from: Option<&str>, to: Option<&str>) -> Result<(Timestamp, Timestamp), Error> {
    let bad = |what: &str| {
        Error::Invalid(format!(
            "{what} must be an RFC 3339 time with an offset, e.g. 2026-11-23T00:00:00+01:00"
        ))
    };
    let from = match from.filter(|s| !s.is_empty()) {
        Some(s) => Timestamp::parse_rfc3339(s).ok_or_else(|| bad("from"))?,
        None => now(),
    };
    let to = match to.filter(|s| !s.is_empty()) {
        Some(s) => Timestamp::parse_rfc3339(s).ok_or_else(|| bad("to"))?,
        None => from.plus_seconds(7 * 86_400),
    };
    if to <= from {
        return Err(Error::Invalid("'to' must be after 'from'".into()));
    }
    if to.micros() - from.micros() > MAX_WINDOW_DAYS * 86_400 * 1_000_000 {
        return Err(Error::Invalid(format!(
            "a roster window is at most {MAX_WINDOW_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// A shared profile's roster (members and admins).
pub async fn load(app: &App, by: &Caller, handle: &str) -> Result<Roster, Error> {
    let (profile, role) = shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::SeeRoster { role })?;
    let shifts = app
        .store
        .rosters()
        .shifts(profile.id, None, now())
        .await?
        .into_iter()
        .map(parse)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Roster {
        shift_only: app.store.rosters().shift_only(profile.id).await?,
        can_manage: authorize(Some(&by.actor()), Action::ManageSharedProfile { role }).is_ok(),
        profile,
        shifts,
    })
}

impl Roster {
    /// The stretches of duty overlapping `[from, to)`, by start.
    pub fn stretches(&self, from: Timestamp, to: Timestamp) -> Vec<Stretch> {
        let mut out: Vec<Stretch> = self
            .shifts
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.shift
                    .occurrences(from, to)
                    .into_iter()
                    .map(move |occurrence| Stretch {
                        shift: i,
                        occurrence,
                    })
            })
            .collect();
        out.sort_by_key(|d| (d.occurrence.starts, d.shift));
        out
    }
}

/// A shift as typed into the roster form or the API.
pub struct ShiftInput<'a> {
    /// Personal handle of the member on duty.
    pub member: &'a str,
    /// IANA zone.
    pub time_zone: &'a str,
    /// First start, wall-clock.
    pub starts: &'a str,
    /// First end, wall-clock.
    pub ends: &'a str,
    /// RRULE, if it repeats.
    pub recurrence: Option<&'a str>,
    /// Free text.
    pub note: &'a str,
}

/// Longest note on a shift.
pub const MAX_NOTE_CHARS: usize = 200;

/// Puts a shift on a profile's roster (owners and admins). Refuses shifts
/// that overlap another of the same member's.
pub async fn add_shift(
    app: &App,
    by: &Caller,
    handle: &str,
    input: ShiftInput<'_>,
) -> Result<RosterShift, Error> {
    let (profile, role) = shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let shift = Shift::new(input.time_zone, input.starts, input.ends, input.recurrence)?;
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "a shift's note is at most {MAX_NOTE_CHARS} characters on one line"
        )));
    }
    let member = Handle::parse(input.member.trim_start_matches('@'))
        .map_err(|_| Error::Invalid(format!("nobody has the handle {}", input.member)))?;
    let person = app
        .store
        .profiles()
        .profile_by_handle(&member)
        .await
        .map_err(|_| Error::Invalid(format!("nobody has the handle @{}", member.as_str())))?;
    let user_id = person
        .user_id
        .ok_or_else(|| Error::Invalid("only people can be put on a roster".into()))?;
    let first = shift
        .first()
        .ok_or_else(|| Error::Internal("checked shift has no occurrence".into()))?;
    let recurrence = shift.recurrence.as_ref().map(|r| r.as_str().to_owned());
    let starts_local = shift.starts.format("%Y-%m-%dT%H:%M").to_string();
    let ends_local = shift.ends.format("%Y-%m-%dT%H:%M").to_string();
    let mut audit = by.audit("roster.shift_add", String::new());
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({
        "member": member.as_str(),
        "time_zone": shift.zone.name(),
        "starts": starts_local,
        "ends": ends_local,
        "recurrence": recurrence,
    })
    .to_string();
    let clash = |existing: &[ShiftRow]| {
        existing.iter().find_map(|row| {
            let other = parse(row.clone()).ok()?;
            let at = shift.clash(&other.shift)?;
            Some(format!(
                "@{} already has a shift then ({}); shifts of one member may not overlap",
                member.as_str(),
                other.shift.local_text(at.starts)
            ))
        })
    };
    let id = app
        .store
        .rosters()
        .add_shift(
            &NewShift {
                profile_id: profile.id,
                user_id,
                time_zone: shift.zone.name(),
                starts_local: &starts_local,
                ends_local: &ends_local,
                recurrence: recurrence.as_deref(),
                note,
                first_start: first.starts,
                created_by: by.user.id,
            },
            clash,
            &audit,
            now(),
        )
        .await?;
    app.intake.forget(profile.id);
    let row = app
        .store
        .rosters()
        .shifts(profile.id, Some(user_id), now())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound)?;
    parse(row)
}

/// Takes a shift off a profile's roster (owners and admins).
pub async fn remove_shift(
    app: &App,
    by: &Caller,
    handle: &str,
    shift_id: i64,
) -> Result<(), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let mut audit = by.audit("roster.shift_remove", format!("shift:{shift_id}"));
    audit.profile_id = Some(profile.id);
    app.intake.forget(profile.id);
    if app
        .store
        .rosters()
        .remove_shift(profile.id, shift_id, &audit, now())
        .await?
    {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// A member on duty at some instant.
pub struct OnDuty {
    /// The shift.
    pub shift: RosterShift,
    /// The stretch covering the instant.
    pub occurrence: Occurrence,
}

/// Who is on duty for a profile at `at` (RFC 3339; default now), by the
/// roster as it stood then.
pub async fn on_duty(
    app: &App,
    by: &Caller,
    handle: &str,
    at: Option<&str>,
) -> Result<(Timestamp, Vec<OnDuty>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::SeeRoster { role })?;
    let at = match at.filter(|s| !s.is_empty()) {
        Some(s) => Timestamp::parse_rfc3339(s).ok_or_else(|| {
            Error::Invalid(
                "at must be an RFC 3339 time with an offset, e.g. 2026-11-18T14:30:00+01:00".into(),
            )
        })?,
        None => now(),
    };
    Ok((at, covering(app, profile.id, None, at).await?))
}

async fn covering(
    app: &App,
    profile_id: i64,
    user_id: Option<i64>,
    at: Timestamp,
) -> Result<Vec<OnDuty>, Error> {
    let mut out = Vec::new();
    for row in app.store.rosters().shifts(profile_id, user_id, at).await? {
        let s = parse(row)?;
        if let Some(occurrence) = s.shift.covering(at) {
            out.push(OnDuty {
                shift: s,
                occurrence,
            });
        }
    }
    Ok(out)
}

/// Turns the shift-only rule on or off (owners and admins).
pub async fn set_shift_only(app: &App, by: &Caller, handle: &str, on: bool) -> Result<(), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let mut audit = by.audit("roster.shift_only", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    app.intake.forget(profile.id);
    audit.details = serde_json::json!({ "on": on }).to_string();
    Ok(app
        .store
        .rosters()
        .set_shift_only(profile.id, on, &audit, now())
        .await?)
}
