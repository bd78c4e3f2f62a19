//! A help desk's dashboard: the backlog by status now; for the tickets
//! opened in a date range, the median and 90th percentile of their first
//! response and resolution times and their SLA attainment; satisfaction
//! and deflections in the range; and the same figures week by week for
//! the charts and the CSV export.
//!
//! Times are business time, counted by `byline_core::sla::clocks` over
//! the ticket's own history and the desk's business hours, so they stand
//! still while a ticket is pending or on hold, exactly as its SLA clocks
//! do (a desk without business hours counts round the clock). Dates and
//! weeks are UTC; a week starts on Monday.

use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use byline_core::Timestamp;
use byline_core::business_hours::BusinessHours;
use byline_core::policy::{Action, authorize};
use byline_core::sla::{ClockKind, SlaTargets, clocks};
use byline_core::ticket::{Priority, TicketStatus};
use byline_store::dashboard::{RANGE_TICKETS_MAX, RangeTicket};
use byline_store::profiles::Profile;
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::BTreeMap;

/// The longest range, in days (two years and a leap day).
pub const RANGE_DAYS_MAX: i64 = 731;

/// The default range: the last eight weeks, today included.
pub const DEFAULT_DAYS: i64 = 56;

/// A range of whole UTC days, `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DateRange {
    /// Parses `from` and `to` (`YYYY-MM-DD`, either may be absent: `to`
    /// is then today, `from` eight weeks before it), refusing a date that
    /// is not one, `from` after `to`, and ranges over two years.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<DateRange, Error> {
        let date = |name: &str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Invalid(format!(
                    "{name} '{}' is not a date: expected YYYY-MM-DD",
                    s.trim().chars().take(40).collect::<String>()
                ))
            })
        };
        let blank = |s: &Option<&str>| s.is_none_or(|s| s.trim().is_empty());
        let to = if blank(&to) {
            today
        } else {
            date("to", to.unwrap_or_default())?
        };
        let from = if blank(&from) {
            to - Duration::days(DEFAULT_DAYS - 1)
        } else {
            date("from", from.unwrap_or_default())?
        };
        if from > to {
            return Err(Error::Invalid(format!(
                "the range starts ({from}) after it ends ({to})"
            )));
        }
        if (to - from).num_days() + 1 > RANGE_DAYS_MAX {
            return Err(Error::Invalid(format!(
                "a range is at most {RANGE_DAYS_MAX} days (two years)"
            )));
        }
        Ok(DateRange { from, to })
    }

    /// The first instant of the range.
    pub fn start(&self) -> Timestamp {
        midnight(self.from)
    }

    /// The first instant after the range.
    pub fn end(&self) -> Timestamp {
        midnight(self.to + Duration::days(1))
    }

    /// The Mondays of the weeks the range touches, oldest first.
    pub fn weeks(&self) -> Vec<NaiveDate> {
        let mut w = week_of(self.from);
        let mut out = Vec::new();
        while w <= self.to {
            out.push(w);
            w += Duration::days(7);
        }
        out
    }
}

fn midnight(d: NaiveDate) -> Timestamp {
    Timestamp(
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_micros()),
    )
}

fn date_of(t: Timestamp) -> NaiveDate {
    chrono::DateTime::from_timestamp_micros(t.micros()).map_or(NaiveDate::MIN, |d| d.date_naive())
}

/// The Monday of the week holding `d`.
fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The `p` quantile (0 < p ≤ 1) of `values` by the nearest-rank method:
/// the smallest value with at least `p` of them at or below it. `None`
/// for no values.
pub fn percentile(values: &[i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = (p * v.len() as f64).ceil() as usize;
    v.get(rank.clamp(1, v.len()) - 1).copied()
}

/// The middle and the 90th percentile of some durations, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spread {
    /// How many were measured.
    pub count: usize,
    /// Median, seconds.
    pub median: Option<i64>,
    /// 90th percentile, seconds.
    pub p90: Option<i64>,
}

impl Spread {
    fn of(us: &[i64]) -> Spread {
        let secs: Vec<i64> = us.iter().map(|u| u / 1_000_000).collect();
        Spread {
            count: secs.len(),
            median: percentile(&secs, 0.5),
            p90: percentile(&secs, 0.9),
        }
    }
}

/// SLA attainment: of the tickets whose clocks are decided (all stopped,
/// or one already past its target), how many missed none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attainment {
    /// Decided tickets that kept every target.
    pub met: i64,
    /// Decided tickets (those with an SLA whose outcome is known).
    pub decided: i64,
}

impl Attainment {
    /// The share met, 0 to 1 (`None` when nothing is decided).
    pub fn share(&self) -> Option<f64> {
        (self.decided > 0).then(|| self.met as f64 / self.decided as f64)
    }
}

/// Ratings: how many, their mean, how many were 4 or 5.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Ratings given.
    pub ratings: i64,
    /// Sum of the scores.
    sum: i64,
    /// Ratings of 4 or 5.
    pub satisfied: i64,
}

impl Score {
    fn add(&mut self, score: i64) {
        self.ratings += 1;
        self.sum += score;
        if score >= 4 {
            self.satisfied += 1;
        }
    }

    /// Mean score, 1 to 5 (`None` without ratings).
    pub fn average(&self) -> Option<f64> {
        (self.ratings > 0).then(|| self.sum as f64 / self.ratings as f64)
    }
}

/// One week's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Week {
    /// Its Monday.
    pub start: NaiveDate,
    /// Tickets opened.
    pub opened: i64,
    /// Solves (a ticket solved twice counts twice).
    pub solved: i64,
    /// First responses of the tickets opened that week.
    pub first_response: Spread,
    /// Resolutions of the tickets opened that week.
    pub resolution: Spread,
    /// SLA attainment of the tickets opened that week.
    pub sla: Attainment,
    /// Ratings given that week.
    pub satisfaction: Score,
    /// Articles that answered someone that week.
    pub deflections: i64,
}

/// One member's satisfaction figures.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberScore {
    /// Their personal handle.
    pub handle: String,
    /// Their figures.
    pub score: Score,
}

/// A desk's dashboard over a range.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The shared profile.
    pub profile: Profile,
    /// The range.
    pub range: DateRange,
    /// Tickets in each status now (every status, zeros included).
    pub backlog: Vec<(TicketStatus, i64)>,
    /// Tickets opened in the range.
    pub opened: i64,
    /// Solves in the range.
    pub solved: i64,
    /// First responses of the tickets opened in the range.
    pub first_response: Spread,
    /// Resolutions of the tickets opened in the range.
    pub resolution: Spread,
    /// SLA attainment of the tickets opened in the range.
    pub sla: Attainment,
    /// Ratings given in the range.
    pub satisfaction: Score,
    /// Each member's ratings, as far as the viewer may see them
    /// (owners and admins everyone's, other members their own).
    pub members: Vec<MemberScore>,
    /// Articles that answered someone in the range.
    pub deflections: i64,
    /// Week by week.
    pub weeks: Vec<Week>,
    /// More tickets were opened in the range than one dashboard reads
    /// ([`RANGE_TICKETS_MAX`]); the ticket figures are of the newest.
    pub truncated: bool,
}

/// A ticket opened in the range, as the ticket export shows it.
#[derive(Debug, Clone)]
pub struct TicketLine {
    /// The ticket.
    pub ticket: RangeTicket,
    /// Its latest rating, if the viewer may see it.
    pub rating: Option<i64>,
}

/// What one ticket adds to the figures.
struct Measured {
    week: NaiveDate,
    first_response: Option<i64>,
    resolution: Option<i64>,
    /// `Some(met)` when its SLA's outcome is known.
    sla: Option<bool>,
}

/// Targets far beyond any ticket, to read the business time a ticket
/// took from its clocks without ever breaching them.
const UNBOUNDED: i64 = 100 * 366 * 24 * 60;

fn measure(
    t: &RangeTicket,
    hours: &BusinessHours,
    policies: &[(Priority, SlaTargets)],
    at: Timestamp,
) -> Measured {
    let answered = t
        .history
        .iter()
        .any(|e| matches!(e, byline_core::sla::TicketEvent::Answered(_)));
    // Only the clocks that have stopped are asked for, so none is left
    // running towards an unbounded target (which would be costly to
    // place on the calendar and means nothing).
    let done = !t.status.is_active();
    let timing = SlaTargets {
        first_response_minutes: (answered || done).then_some(UNBOUNDED),
        next_response_minutes: None,
        resolution_minutes: done.then_some(UNBOUNDED),
        warn_before_minutes: 0,
    };
    let timed = clocks(&t.history, &timing, hours, at);
    let used = |kind: ClockKind| {
        timed
            .iter()
            .find(|c| c.kind == kind && c.stopped_at.is_some())
            .map(|c| c.used)
    };
    let sla = policies
        .iter()
        .find(|(p, _)| *p == t.priority)
        .and_then(|(_, targets)| {
            let real = clocks(&t.history, targets, hours, at);
            if real.iter().any(|c| c.breached_at.is_some()) {
                Some(false)
            } else if !real.is_empty() && real.iter().all(|c| c.stopped_at.is_some()) {
                Some(true)
            } else {
                None
            }
        });
    Measured {
        week: week_of(date_of(t.created_at)),
        first_response: used(ClockKind::FirstResponse),
        resolution: used(ClockKind::Resolution),
        sla,
    }
}

/// The desk, refusing anyone who may not see its dashboard (as if a desk
/// without its help desk on had none).
async fn desk_for_dashboard(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<byline_core::shared_profile::ProfileRole>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    match app.store.tickets().help_desk(profile.id).await? {
        Some(d) if d.enabled => {}
        _ => return Err(Error::NotFound),
    }
    authorize(Some(&by.actor()), Action::SeeDashboard { role })?;
    Ok((profile, role))
}

/// A desk's dashboard over `from`..=`to` (see [`DateRange::parse`]), for
/// its members.
pub async fn dashboard(
    app: &App,
    by: &Caller,
    handle: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Dashboard, Error> {
    let at = now();
    let range = DateRange::parse(from, to, date_of(at))?;
    let (profile, role) = desk_for_dashboard(app, by, handle).await?;
    let everyone = authorize(
        Some(&by.actor()),
        Action::SeeSatisfaction { role, own: false },
    )
    .is_ok();
    figures(app, profile, range, (!everyone).then_some(by.user.id), at).await
}

/// A desk's figures over `range` as of `at`, each member's ratings shown
/// for everyone (`only: None`) or for one user. The caller has decided who
/// may see them (a member's dashboard, an owner's weekly digest).
pub(crate) async fn figures(
    app: &App,
    profile: Profile,
    range: DateRange,
    only: Option<i64>,
    at: Timestamp,
) -> Result<Dashboard, Error> {
    let store = app.store.dashboard();
    let (start, end) = (range.start(), range.end());
    let counts = store.backlog(profile.id).await?;
    let backlog = TicketStatus::ALL
        .into_iter()
        .map(|s| {
            let n = counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect();
    let tickets = store.tickets_opened(profile.id, start, end).await?;
    let solves = store.solves(profile.id, start, end).await?;
    let ratings = store.ratings(profile.id, start, end).await?;
    let deflections = store.deflections(profile.id, start, end).await?;
    let hours = app.store.sla().business_hours(profile.id).await?;
    let policies = app.store.sla().sla_policies(profile.id).await?;

    let mut weeks: BTreeMap<NaiveDate, Week> = range
        .weeks()
        .into_iter()
        .map(|w| {
            (
                w,
                Week {
                    start: w,
                    ..Week::default()
                },
            )
        })
        .collect();
    let mut first_all = Vec::new();
    let mut resolution_all = Vec::new();
    let mut first_by_week: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    let mut resolution_by_week: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    let mut sla = Attainment::default();
    for t in &tickets {
        let m = measure(t, &hours, &policies, at);
        let Some(week) = weeks.get_mut(&m.week) else {
            continue;
        };
        week.opened += 1;
        if let Some(us) = m.first_response {
            first_all.push(us);
            first_by_week.entry(m.week).or_default().push(us);
        }
        if let Some(us) = m.resolution {
            resolution_all.push(us);
            resolution_by_week.entry(m.week).or_default().push(us);
        }
        if let Some(met) = m.sla {
            for a in [&mut sla, &mut week.sla] {
                a.decided += 1;
                a.met += i64::from(met);
            }
        }
    }
    for (w, us) in &first_by_week {
        if let Some(week) = weeks.get_mut(w) {
            week.first_response = Spread::of(us);
        }
    }
    for (w, us) in &resolution_by_week {
        if let Some(week) = weeks.get_mut(w) {
            week.resolution = Spread::of(us);
        }
    }
    for at in &solves {
        if let Some(week) = weeks.get_mut(&week_of(date_of(Timestamp(*at)))) {
            week.solved += 1;
        }
    }
    for at in &deflections {
        if let Some(week) = weeks.get_mut(&week_of(date_of(Timestamp(*at)))) {
            week.deflections += 1;
        }
    }
    let mut satisfaction = Score::default();
    let mut members: BTreeMap<String, Score> = BTreeMap::new();
    for r in &ratings {
        satisfaction.add(r.score);
        if let Some(week) = weeks.get_mut(&week_of(date_of(Timestamp(r.created_at)))) {
            week.satisfaction.add(r.score);
        }
        if let (Some(user), Some(handle)) = (r.assignee_user_id, &r.handle)
            && only.is_none_or(|u| u == user)
        {
            members.entry(handle.clone()).or_default().add(r.score);
        }
    }
    Ok(Dashboard {
        profile,
        range,
        backlog,
        opened: tickets.len() as i64,
        solved: solves.len() as i64,
        first_response: Spread::of(&first_all),
        resolution: Spread::of(&resolution_all),
        sla,
        satisfaction,
        members: members
            .into_iter()
            .map(|(handle, score)| MemberScore { handle, score })
            .collect(),
        deflections: deflections.len() as i64,
        weeks: weeks.into_values().collect(),
        truncated: tickets.len() as i64 >= RANGE_TICKETS_MAX,
    })
}

/// The tickets a desk opened in the range, newest first, for export (its
/// members). A ticket's rating is shown when the viewer may see the
/// figures of the member it was kept with: owners and admins all, other
/// members their own.
pub async fn tickets(
    app: &App,
    by: &Caller,
    handle: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Profile, DateRange, Vec<TicketLine>), Error> {
    let range = DateRange::parse(from, to, date_of(now()))?;
    let (profile, role) = desk_for_dashboard(app, by, handle).await?;
    let everyone = authorize(
        Some(&by.actor()),
        Action::SeeSatisfaction { role, own: false },
    )
    .is_ok();
    let list = app
        .store
        .dashboard()
        .tickets_opened(profile.id, range.start(), range.end())
        .await?;
    let lines = list
        .into_iter()
        .map(|ticket| {
            let rating = ticket
                .rating
                .filter(|(_, member)| everyone || *member == Some(by.user.id))
                .map(|(score, _)| score);
            TicketLine { ticket, rating }
        })
        .collect();
    Ok((profile, range, lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[600, 60, 1200], 0.5), Some(600));
        assert_eq!(percentile(&[600, 60, 1200], 0.9), Some(1200));
        assert_eq!(percentile(&[10, 20], 0.5), Some(10));
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 0.5), Some(50));
        assert_eq!(percentile(&hundred, 0.9), Some(90));
    }

    #[test]
    fn a_range_defaults_to_eight_weeks_and_refuses_what_is_not_one() {
        let today = d("2025-03-12");
        let r = DateRange::parse(None, None, today).expect("default");
        assert_eq!((r.from, r.to), (d("2025-01-16"), today));
        assert_eq!((r.to - r.from).num_days() + 1, 56);
        let r = DateRange::parse(Some("2025-01-01"), Some(""), today).expect("open end");
        assert_eq!(r.to, today);
        for (from, to) in [
            (Some("2025-02-30"), None),
            (Some("yesterday"), None),
            (None, Some("12/03/2025")),
            (Some("2025-03-13"), Some("2025-03-12")),
            (Some("2023-03-01"), Some("2025-03-12")),
        ] {
            assert!(matches!(
                DateRange::parse(from, to, today),
                Err(Error::Invalid(_))
            ));
        }
        assert!(DateRange::parse(Some("2023-03-12"), Some("2025-03-11"), today).is_ok());
    }

    #[test]
    fn weeks_start_on_monday_and_cover_the_range() {
        let r = DateRange {
            from: d("2025-03-05"),
            to: d("2025-03-17"),
        };
        assert_eq!(
            r.weeks(),
            [d("2025-03-03"), d("2025-03-10"), d("2025-03-17")]
        );
        assert_eq!(r.end().micros() - r.start().micros(), 13 * 86_400_000_000);
    }
}
