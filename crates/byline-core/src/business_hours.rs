//! A help desk's business hours: working blocks on each day of the week in
//! the profile's IANA zone (several a day, such as 09:00–12:30 and
//! 13:30–17:30), and holidays. SLA clocks count only time inside them.
//!
//! A block is wall-clock time: it starts when the zone's clocks first show
//! its start and ends when they first show its end, so on the day the
//! clocks go forward a 09:00–17:00 block is still 09:00 to 17:00 local
//! (seven hours of real time if the jump falls inside it).

use crate::error::CoreError;
use crate::roster::{parse_zone, resolve};
use crate::time::Timestamp;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// How far ahead (in days) the calendar is searched for working time
/// before it is taken as never coming (a calendar of nothing but holidays).
const HORIZON_DAYS: i64 = 3 * 366;

/// Most blocks on one day.
const MAX_BLOCKS_PER_DAY: usize = 8;

/// Most holidays kept.
const MAX_HOLIDAYS: usize = 1_000;

fn invalid(msg: impl Into<String>) -> CoreError {
    CoreError::InvalidBusinessHours(msg.into())
}

/// A working block, as minutes after local midnight: `[start, end)`,
/// `end` at most 24:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Block {
    /// First minute.
    pub start: u16,
    /// Minute after the last.
    pub end: u16,
}

impl Block {
    /// Parses `09:00-12:30` (24:00 is allowed as an end).
    pub fn parse(text: &str) -> Result<Block, CoreError> {
        let (a, b) = text
            .split_once('-')
            .ok_or_else(|| invalid(format!("'{text}' is not a block such as 09:00-12:30")))?;
        let start = minute_of(a.trim(), text)?;
        let end = minute_of(b.trim(), text)?;
        if end <= start {
            return Err(invalid(format!(
                "the block '{text}' is empty: it must end after it starts"
            )));
        }
        Ok(Block { start, end })
    }

    /// `09:00-12:30`.
    pub fn label(&self) -> String {
        format!(
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

fn minute_of(hhmm: &str, block: &str) -> Result<u16, CoreError> {
    let bad = || invalid(format!("'{block}' is not a block such as 09:00-12:30"));
    let digits = hhmm.as_bytes();
    let shaped = digits.len() == 5
        && digits[2] == b':'
        && digits
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit());
    if !shaped {
        return Err(bad());
    }
    let h: u16 = hhmm[..2].parse().map_err(|_| bad())?;
    let m: u16 = hhmm[3..].parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Business hours: a zone, blocks for each weekday (Monday first) and
/// holidays (whole local days without work).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    zone: Tz,
    week: [Vec<Block>; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessHours {
    /// Checks and builds business hours. Refused: an unknown zone, empty or
    /// overlapping blocks, more than eight blocks a day, a week without any
    /// working time, more than a thousand holidays.
    pub fn new(
        zone: &str,
        week: [Vec<Block>; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<BusinessHours, CoreError> {
        let zone = parse_zone(zone).map_err(|_| {
            invalid(format!(
                "unknown time zone '{}': use an IANA name such as Europe/London",
                zone.trim()
            ))
        })?;
        let mut week = week;
        for (day, blocks) in week.iter_mut().enumerate() {
            blocks.sort();
            if blocks.len() > MAX_BLOCKS_PER_DAY {
                return Err(invalid(format!(
                    "{} has {} blocks; at most {MAX_BLOCKS_PER_DAY} a day",
                    day_name(day),
                    blocks.len()
                )));
            }
            for b in blocks.iter() {
                if b.end <= b.start || b.end > 24 * 60 {
                    return Err(invalid(format!(
                        "the block {} on {} is empty or runs past midnight",
                        b.label(),
                        day_name(day)
                    )));
                }
            }
            if let Some(w) = blocks.windows(2).find(|w| w[1].start < w[0].end) {
                return Err(invalid(format!(
                    "the blocks {} and {} on {} overlap",
                    w[0].label(),
                    w[1].label(),
                    day_name(day)
                )));
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err(invalid(
                "business hours need at least one working block in the week",
            ));
        }
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        if holidays.len() > MAX_HOLIDAYS {
            return Err(invalid(format!("at most {MAX_HOLIDAYS} holidays are kept")));
        }
        Ok(BusinessHours {
            zone,
            week,
            holidays,
        })
    }

    /// Round the clock, every day, in UTC: for tickets whose SLA counts
    /// calendar time.
    pub fn always() -> BusinessHours {
        let all = vec![Block {
            start: 0,
            end: 24 * 60,
        }];
        BusinessHours {
            zone: Tz::UTC,
            week: std::array::from_fn(|_| all.clone()),
            holidays: BTreeSet::new(),
        }
    }

    /// The zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The blocks of each weekday, Monday first.
    pub fn week(&self) -> &[Vec<Block>; 7] {
        &self.week
    }

    /// The holidays.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// The working intervals of local day `date`, as instants.
    fn intervals_of(&self, date: NaiveDate) -> impl Iterator<Item = (i64, i64)> + '_ {
        let blocks: &[Block] = if self.holidays.contains(&date) {
            &[]
        } else {
            &self.week[date.weekday().num_days_from_monday() as usize]
        };
        blocks.iter().filter_map(move |b| {
            let start = self.instant(date, b.start)?;
            let end = self.instant(date, b.end)?;
            (end > start).then_some((start, end))
        })
    }

    /// The instant (µs) the clocks in the zone first show `minute` on
    /// `date` (24:00 is the next day's midnight).
    fn instant(&self, date: NaiveDate, minute: u16) -> Option<i64> {
        let (date, minute) = if minute >= 24 * 60 {
            (date.succ_opt()?, minute - 24 * 60)
        } else {
            (date, minute)
        };
        let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?;
        Some(resolve(self.zone, date.and_time(time)).timestamp_micros())
    }

    fn local_date(&self, t: Timestamp) -> NaiveDate {
        Utc.timestamp_micros(t.micros())
            .single()
            .map(|u| u.with_timezone(&self.zone).date_naive())
            .unwrap_or(NaiveDate::MIN)
    }

    /// Working time between `from` and `to`, in microseconds (zero when
    /// `to` is not after `from`).
    pub fn working_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        // A block belongs to the day it starts on; the day before may hold
        // one running past local midnight of `from`'s day only at 24:00,
        // which ends exactly there, so starting a day early is enough.
        let mut day = self.local_date(from) - Duration::days(1);
        let last = self.local_date(to);
        let mut total = 0i64;
        while day <= last {
            for (s, e) in self.intervals_of(day) {
                let s = s.max(from.micros());
                let e = e.min(to.micros());
                if e > s {
                    total += e - s;
                }
            }
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total
    }

    /// The instant at which `working` microseconds of working time have
    /// passed since `from` (`from` itself for zero), or `None` when the
    /// calendar holds no such time within three years.
    pub fn after_working(&self, from: Timestamp, working: i64) -> Option<Timestamp> {
        if working <= 0 {
            return Some(from);
        }
        let mut left = working;
        let mut day = self.local_date(from) - Duration::days(1);
        let until = day + Duration::days(HORIZON_DAYS);
        while day <= until {
            for (s, e) in self.intervals_of(day) {
                let s = s.max(from.micros());
                if e <= s {
                    continue;
                }
                if e - s >= left {
                    return Some(Timestamp(s + left));
                }
                left -= e - s;
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// Whether `t` falls inside working time.
    pub fn is_working(&self, t: Timestamp) -> bool {
        let day = self.local_date(t);
        [day - Duration::days(1), day]
            .into_iter()
            .flat_map(|d| self.intervals_of(d).collect::<Vec<_>>())
            .any(|(s, e)| s <= t.micros() && t.micros() < e)
    }
}

fn day_name(index: usize) -> &'static str {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .get(index)
    .map_or("a day", |d| match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    })
}

#[cfg(test)]
mod tests;
