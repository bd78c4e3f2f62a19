//! Rosters: who is on duty for a shared profile, and when.
//!
//! A shift is written the way people say it: "09:00 to 17:00, Europe/London,
//! every weekday". Recurrence (an RFC 5545 RRULE) runs in wall-clock time,
//! and only then is each occurrence placed on the UTC timeline in the
//! shift's zone. So a 09:00 shift stays at 09:00 local across daylight-saving
//! changes (its UTC time moves), and a night shift over the change is an
//! hour shorter or longer in real time but still ends at the wall-clock time
//! it says.
//!
//! A shift covers the real time during which the wall clock shows a time
//! between its start and its end. So a time the clocks show twice (the
//! autumn change) means its first showing, as RFC 5545 §3.3.5 says; a time
//! they skip (the spring change) begins when the clocks jump: a shift from
//! 02:30 to 04:00 on a night when 02:00 becomes 03:00 runs from 03:00 to
//! 04:00, and one that lies wholly inside the skipped hour never happens.

use crate::{CoreError, Timestamp};
use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

/// The longest one occurrence of a shift may last (a week of on-call).
pub const MAX_SHIFT_HOURS: i64 = 7 * 24;

/// How far ahead two recurring shifts are compared when checking overlap.
pub const OVERLAP_HORIZON_DAYS: i64 = 400;

/// Most occurrences looked at in one question (keeps hostile rules cheap).
const MAX_OCCURRENCES: u16 = 2_000;

fn invalid(msg: impl Into<String>) -> CoreError {
    CoreError::InvalidShift(msg.into())
}

/// An IANA time zone, e.g. `Europe/London`.
pub fn parse_zone(name: &str) -> Result<Tz, CoreError> {
    name.trim().parse::<Tz>().map_err(|_| {
        invalid(format!(
            "unknown time zone '{}': use an IANA name such as Europe/London or America/New_York",
            name.trim()
        ))
    })
}

/// A wall-clock time as typed: `2026-11-23T09:00` (seconds optional).
pub fn parse_local(text: &str, what: &str) -> Result<NaiveDateTime, CoreError> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            invalid(format!(
                "{what} must be a local date and time such as 2026-11-23T09:00 (no offset: the time zone says it)"
            ))
        })
}

/// The first instant at which the wall clock in `zone` shows `local` or
/// later: the time itself, its first showing when the clocks show it
/// twice, or the moment the clocks jump past it when they skip it.
pub fn resolve(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Inside a gap. Offsets lie within ±14 h, so 26 h either side
            // brackets the jump; near a gap the wall clock only moves
            // forward, so halving finds the first instant showing `local`.
            let shows = |secs: i64| {
                Utc.timestamp_opt(secs, 0)
                    .single()
                    .is_some_and(|t| t.with_timezone(&zone).naive_local() >= local)
            };
            let guess = local.and_utc().timestamp();
            let (mut lo, mut hi) = (guess - 26 * 3600, guess + 26 * 3600);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if shows(mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            Utc.timestamp_opt(hi, 0)
                .single()
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        }
    }
}

fn to_timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp(t.timestamp_micros())
}

fn to_utc(t: Timestamp) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(t.micros()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Wall-clock times are recurred as if they were UTC: no zone, no gaps.
fn floating(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

/// A checked recurrence rule, e.g. `FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR`.
#[derive(Debug, Clone)]
pub struct Recurrence {
    text: String,
    rule: RRule<Unvalidated>,
}

impl Recurrence {
    /// Parses an RRULE value (with or without the `RRULE:` prefix). Shifts
    /// recur daily, weekly, monthly or yearly, at the shift's own start time.
    pub fn parse(text: &str) -> Result<Recurrence, CoreError> {
        let t = text.trim();
        let t = t.strip_prefix("RRULE:").unwrap_or(t).to_ascii_uppercase();
        let rule: RRule<Unvalidated> = t.parse().map_err(|e| {
            invalid(format!(
                "recurrence is an RRULE such as FREQ=WEEKLY;BYDAY=MO,WE,FR ({e})"
            ))
        })?;
        if !matches!(
            rule.get_freq(),
            Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly
        ) {
            return Err(invalid("a shift recurs DAILY, WEEKLY, MONTHLY or YEARLY"));
        }
        if !rule.get_by_hour().is_empty()
            || !rule.get_by_minute().is_empty()
            || !rule.get_by_second().is_empty()
        {
            return Err(invalid(
                "a recurring shift starts at its own start time; leave out BYHOUR, BYMINUTE and BYSECOND",
            ));
        }
        Ok(Recurrence { text: t, rule })
    }

    /// The rule as stored.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rule in words, e.g. "every week on Mon, Tue, Wed, Thu, Fri".
    pub fn describe(&self) -> String {
        let r = &self.rule;
        let unit = match r.get_freq() {
            Frequency::Daily => "day",
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
            _ => "year",
        };
        let mut out = match r.get_interval() {
            0 | 1 => format!("every {unit}"),
            n => format!("every {n} {unit}s"),
        };
        let days: Vec<String> = r
            .get_by_weekday()
            .iter()
            .map(|d| match d {
                rrule::NWeekday::Every(w) => short_day(*w).to_owned(),
                rrule::NWeekday::Nth(n, w) => format!("{n} {}", short_day(*w)),
            })
            .collect();
        if !days.is_empty() {
            out.push_str(" on ");
            out.push_str(&days.join(", "));
        }
        if let Some(c) = r.get_count() {
            out.push_str(&format!(", {c} times"));
        }
        if let Some(u) = r.get_until() {
            out.push_str(&format!(", until {}", u.format("%Y-%m-%d")));
        }
        out
    }
}

fn short_day(w: chrono::Weekday) -> &'static str {
    match w {
        chrono::Weekday::Mon => "Mon",
        chrono::Weekday::Tue => "Tue",
        chrono::Weekday::Wed => "Wed",
        chrono::Weekday::Thu => "Thu",
        chrono::Weekday::Fri => "Fri",
        chrono::Weekday::Sat => "Sat",
        chrono::Weekday::Sun => "Sun",
    }
}

impl Recurrence {
    fn set(&self, start: NaiveDateTime) -> Result<RRuleSet, CoreError> {
        self.rule
            .clone()
            .build(floating(start))
            .map_err(|e| invalid(format!("that recurrence cannot be used: {e}")))
    }
}

/// One stretch of duty: when it starts and ends, on the UTC timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Start (inclusive).
    pub starts: Timestamp,
    /// End (exclusive).
    pub ends: Timestamp,
}

impl Occurrence {
    /// Whether `t` falls inside it.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.starts <= t && t < self.ends
    }

    /// Whether it shares any instant with `other`.
    pub fn overlaps(&self, other: &Occurrence) -> bool {
        self.starts < other.ends && other.starts < self.ends
    }
}

/// A shift: a first occurrence in wall-clock time and an optional rule.
#[derive(Debug, Clone)]
pub struct Shift {
    /// The zone its wall-clock times are in.
    pub zone: Tz,
    /// Start of the first occurrence, local.
    pub starts: NaiveDateTime,
    /// End of the first occurrence, local.
    pub ends: NaiveDateTime,
    /// How it repeats, if it does.
    pub recurrence: Option<Recurrence>,
    set: Option<RRuleSet>,
}

impl Shift {
    /// Checks a shift as typed: a known zone, local times, an end after the
    /// start, at most [`MAX_SHIFT_HOURS`] long, a usable rule whose
    /// occurrences happen and do not overlap one another.
    pub fn new(
        zone: &str,
        starts: &str,
        ends: &str,
        recurrence: Option<&str>,
    ) -> Result<Shift, CoreError> {
        let shift = Shift::parse(zone, starts, ends, recurrence)?;
        if shift.first().is_none() {
            return Err(invalid(
                "that shift never happens (it falls wholly inside a daylight-saving gap, or its rule has no dates)",
            ));
        }
        let horizon = shift.occurrences_starting(
            shift.starts,
            shift.starts + Duration::days(OVERLAP_HORIZON_DAYS),
        );
        if horizon.windows(2).any(|w| w[0].overlaps(&w[1])) {
            return Err(invalid(
                "this shift is longer than the gap between its repeats, so it would overlap itself",
            ));
        }
        Ok(shift)
    }

    /// Reads a shift back as stored: the field checks of [`Shift::new`]
    /// without the costlier ones it passed when it was added.
    pub fn parse(
        zone: &str,
        starts: &str,
        ends: &str,
        recurrence: Option<&str>,
    ) -> Result<Shift, CoreError> {
        let zone = parse_zone(zone)?;
        let starts = parse_local(starts, "starts")?;
        let ends = parse_local(ends, "ends")?;
        if ends <= starts {
            return Err(invalid("a shift must end after it starts"));
        }
        if ends - starts > Duration::hours(MAX_SHIFT_HOURS) {
            return Err(invalid(format!(
                "one shift lasts at most {MAX_SHIFT_HOURS} hours"
            )));
        }
        let recurrence = recurrence
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(Recurrence::parse)
            .transpose()?;
        let set = recurrence.as_ref().map(|r| r.set(starts)).transpose()?;
        Ok(Shift {
            zone,
            starts,
            ends,
            recurrence,
            set,
        })
    }

    /// The occurrence that starts at a wall-clock start, if it happens.
    fn at(&self, local_start: NaiveDateTime) -> Option<Occurrence> {
        let starts = resolve(self.zone, local_start);
        let ends = resolve(self.zone, local_start + (self.ends - self.starts));
        (ends > starts).then(|| Occurrence {
            starts: to_timestamp(starts),
            ends: to_timestamp(ends),
        })
    }

    /// Occurrences whose wall-clock start lies in `[from, to]`, in order.
    fn occurrences_starting(&self, from: NaiveDateTime, to: NaiveDateTime) -> Vec<Occurrence> {
        let starts: Vec<NaiveDateTime> = match &self.set {
            None => vec![self.starts],
            Some(set) => set
                .clone()
                .after(floating(from))
                .before(floating(to))
                .all(MAX_OCCURRENCES)
                .dates
                .into_iter()
                .map(|d| d.naive_utc())
                .collect(),
        };
        starts
            .into_iter()
            .filter(|s| *s >= from && *s <= to)
            .filter_map(|s| self.at(s))
            .collect()
    }

    /// The first occurrence that happens.
    pub fn first(&self) -> Option<Occurrence> {
        match &self.set {
            None => self.at(self.starts),
            Some(set) => set
                .clone()
                .all(64)
                .dates
                .into_iter()
                .find_map(|d| self.at(d.naive_utc())),
        }
    }

    /// Whether the shift goes on for ever.
    pub fn is_endless(&self) -> bool {
        self.recurrence
            .as_ref()
            .is_some_and(|r| r.rule.get_count().is_none() && r.rule.get_until().is_none())
    }

    /// Occurrences that overlap `[from, to)`, in order.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Occurrence> {
        // Wall-clock bounds wide enough for any zone offset and shift length.
        let slack = Duration::hours(30);
        let lo = to_utc(from).naive_utc() - (self.ends - self.starts) - slack;
        let hi = to_utc(to).naive_utc() + slack;
        self.occurrences_starting(lo, hi)
            .into_iter()
            .filter(|o| o.starts < to && from < o.ends)
            .collect()
    }

    /// The occurrence covering `t`, if the shift is on at `t`.
    pub fn covering(&self, t: Timestamp) -> Option<Occurrence> {
        self.occurrences(t, Timestamp(t.micros() + 1))
            .into_iter()
            .find(|o| o.contains(t))
    }

    /// The first occurrence this shift shares with `other` within the
    /// overlap horizon, if any.
    pub fn clash(&self, other: &Shift) -> Option<Occurrence> {
        let (a, b) = (self.first()?, other.first()?);
        let from = a.starts.min(b.starts);
        let to =
            Timestamp(a.starts.max(b.starts).micros() + OVERLAP_HORIZON_DAYS * 86_400 * 1_000_000);
        let mine = self.occurrences(from, to);
        let theirs = other.occurrences(from, to);
        let (mut i, mut j) = (0, 0);
        while i < mine.len() && j < theirs.len() {
            if mine[i].overlaps(&theirs[j]) {
                return Some(mine[i]);
            }
            if mine[i].ends <= theirs[j].ends {
                i += 1;
            } else {
                j += 1;
            }
        }
        None
    }

    /// The local wall-clock text of an instant in this shift's zone,
    /// e.g. `2026-11-23 09:00 GMT`.
    pub fn local_text(&self, t: Timestamp) -> String {
        to_utc(t)
            .with_timezone(&self.zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

/// Formats an instant in a zone, e.g. `Mon 23 Nov 09:00 GMT`.
pub fn format_in(zone: Tz, t: Timestamp, pattern: &str) -> String {
    to_utc(t).with_timezone(&zone).format(pattern).to_string()
}

/// The wall-clock form of an instant in a zone.
pub fn local_of(zone: Tz, t: Timestamp) -> NaiveDateTime {
    to_utc(t).with_timezone(&zone).naive_local()
}

/// The Monday of the week holding `t`, by the calendar in `zone`.
pub fn monday_of(zone: Tz, t: Timestamp) -> chrono::NaiveDate {
    use chrono::Datelike;
    let day = local_of(zone, t).date();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The instant a wall-clock time in a zone means (see [`resolve`]).
pub fn instant_of(zone: Tz, local: NaiveDateTime) -> Timestamp {
    to_timestamp(resolve(zone, local))
}

#[cfg(test)]
mod tests;
