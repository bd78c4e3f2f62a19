//! Roster arithmetic: known clock changes, refusals, and properties over
//! eight zones for two years.

use super::*;
use chrono::{NaiveDate, Timelike};
use proptest::prelude::*;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("test time")
}

fn weekday_shift(zone: &str, start: &str, end: &str) -> Shift {
    Shift::new(zone, start, end, Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")).expect("shift")
}

#[test]
fn a_nine_oclock_shift_stays_at_nine_across_the_change() {
    // London leaves summer time on Sunday 25 October 2026.
    let s = weekday_shift("Europe/London", "2026-10-19T09:00", "2026-10-19T17:00");
    let before = s.occurrences(ts("2026-10-23T00:00Z"), ts("2026-10-24T00:00Z"));
    let after = s.occurrences(ts("2026-10-26T00:00Z"), ts("2026-10-27T00:00Z"));
    assert_eq!(before[0].starts, ts("2026-10-23T08:00Z"), "09:00 BST");
    assert_eq!(after[0].starts, ts("2026-10-26T09:00Z"), "09:00 GMT");
    assert_eq!(after[0].ends, ts("2026-10-26T17:00Z"));
}

#[test]
fn a_night_shift_over_the_change_ends_at_its_wall_clock_time() {
    let s = Shift::new(
        "Europe/London",
        "2026-10-24T22:00",
        "2026-10-25T06:00",
        None,
    )
    .expect("shift");
    let o = s.first().expect("happens");
    // 22:00 BST = 21:00 UTC; 06:00 GMT = 06:00 UTC: nine real hours.
    assert_eq!(o.starts, ts("2026-10-24T21:00Z"));
    assert_eq!(o.ends, ts("2026-10-25T06:00Z"));
}

#[test]
fn skipped_times_begin_at_the_jump_and_repeated_ones_at_their_first_showing() {
    let ny = parse_zone("America/New_York").expect("zone");
    let skipped = NaiveDate::from_ymd_opt(2007, 3, 11)
        .and_then(|d| d.and_hms_opt(2, 30, 0))
        .expect("date");
    // 02:30 does not exist: the clocks jump from 02:00 EST to 03:00 EDT
    // at 07:00 UTC.
    assert_eq!(instant_of(ny, skipped), ts("2007-03-11T07:00Z"));
    let repeated = NaiveDate::from_ymd_opt(2007, 11, 4)
        .and_then(|d| d.and_hms_opt(1, 30, 0))
        .expect("date");
    // 01:30 happens twice: the first, EDT (-04:00).
    assert_eq!(instant_of(ny, repeated), ts("2007-11-04T05:30Z"));
}

#[test]
fn a_shift_that_starts_in_the_skipped_hour_begins_at_the_jump() {
    let s = Shift::new(
        "America/New_York",
        "2027-03-14T02:30",
        "2027-03-14T04:00",
        None,
    )
    .expect("shift");
    let o = s.first().expect("happens");
    assert_eq!(o.starts, ts("2027-03-14T07:00Z"), "03:00 EDT");
    assert_eq!(o.ends, ts("2027-03-14T08:00Z"), "04:00 EDT");
}

#[test]
fn a_shift_inside_a_gap_never_happens() {
    let err = Shift::new(
        "America/New_York",
        "2027-03-14T02:10",
        "2027-03-14T02:50",
        None,
    )
    .expect_err("never happens");
    assert!(err.to_string().contains("never happens"), "{err}");
}

#[test]
fn bad_shifts_are_refused_with_a_reason() {
    let cases = [
        (
            "Mars/Olympus",
            "2026-11-23T09:00",
            "2026-11-23T17:00",
            None,
            "unknown time zone",
        ),
        (
            "UTC",
            "2026-11-23T17:00",
            "2026-11-23T09:00",
            None,
            "end after it starts",
        ),
        (
            "UTC",
            "2026-11-23T09:00",
            "2026-11-23T09:00",
            None,
            "end after it starts",
        ),
        (
            "UTC",
            "2026-11-23 09:00",
            "2026-11-23T17:00",
            None,
            "local date and time",
        ),
        (
            "UTC",
            "2026-11-23T09:00+01:00",
            "2026-11-23T17:00",
            None,
            "local date and time",
        ),
        (
            "UTC",
            "2026-11-01T09:00",
            "2026-11-09T09:00",
            None,
            "at most 168 hours",
        ),
        (
            "UTC",
            "2026-11-23T09:00",
            "2026-11-23T17:00",
            Some("FREQ=HOURLY"),
            "DAILY, WEEKLY",
        ),
        (
            "UTC",
            "2026-11-23T09:00",
            "2026-11-23T17:00",
            Some("FREQ=DAILY;BYHOUR=9,12"),
            "BYHOUR",
        ),
        (
            "UTC",
            "2026-11-23T09:00",
            "2026-11-23T17:00",
            Some("EVERY MONDAY"),
            "RRULE",
        ),
        (
            "UTC",
            "2026-11-23T09:00",
            "2026-11-25T09:00",
            Some("FREQ=DAILY"),
            "overlap itself",
        ),
    ];
    for (zone, start, end, rule, needle) in cases {
        let err = Shift::new(zone, start, end, rule).expect_err(needle);
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn clashing_shifts_are_found_and_neighbours_are_not() {
    let morning = weekday_shift("Europe/London", "2026-11-23T08:00", "2026-11-23T12:00");
    let afternoon = weekday_shift("Europe/London", "2026-11-23T12:00", "2026-11-23T16:00");
    assert!(morning.clash(&afternoon).is_none(), "back to back is fine");
    // One hour later in New York is 13:00 London: inside neither; 06:00
    // New York is 11:00 London: inside the morning shift.
    let ny = Shift::new(
        "America/New_York",
        "2026-12-02T06:00",
        "2026-12-02T07:00",
        None,
    )
    .expect("shift");
    assert!(morning.clash(&ny).is_some());
    assert!(afternoon.clash(&ny).is_none());
    // A Saturday one-off never meets a weekday rule.
    let saturday = Shift::new(
        "Europe/London",
        "2026-11-28T09:00",
        "2026-11-28T17:00",
        None,
    )
    .expect("shift");
    assert!(morning.clash(&saturday).is_none());
}

#[test]
fn rules_read_as_words() {
    let cases = [
        (
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "every week on Mon, Tue, Wed, Thu, Fri",
        ),
        ("FREQ=DAILY;COUNT=3", "every day, 3 times"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", "every 2 weeks on Sat"),
    ];
    for (rule, words) in cases {
        assert_eq!(Recurrence::parse(rule).expect(rule).describe(), words);
    }
}

#[test]
fn counted_and_ending_rules_end() {
    let s = Shift::new(
        "UTC",
        "2026-11-23T09:00",
        "2026-11-23T10:00",
        Some("FREQ=DAILY;COUNT=3"),
    )
    .expect("shift");
    assert!(!s.is_endless());
    let all = s.occurrences(ts("2026-11-01T00:00Z"), ts("2026-12-31T00:00Z"));
    assert_eq!(all.len(), 3);
    assert!(weekday_shift("UTC", "2026-11-23T09:00", "2026-11-23T10:00").is_endless());
}

fn zones() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "Europe/London",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "Pacific/Chatham",
        "UTC",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every occurrence starts at the rule's wall-clock time unless that
    /// time was skipped, in which case it starts exactly as much later as
    /// the clocks jumped; the same holds for its end; it never has a
    /// negative length; and real length differs from the wall-clock
    /// length only by the daylight-saving changes inside it.
    #[test]
    fn occurrences_keep_their_wall_clock_times(
        zone in zones(),
        day in 0i64..730,
        start_min in 0u32..(24 * 60),
        len_min in 15i64..(14 * 60),
        daily in any::<bool>(),
    ) {
        let tz = parse_zone(zone).expect("zone");
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
            .and_hms_opt(start_min / 60, start_min % 60, 0).expect("time")
            + Duration::days(day);
        let end = first + Duration::minutes(len_min);
        let rule = if daily { "FREQ=DAILY" } else { "FREQ=WEEKLY" };
        let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
        let Ok(shift) = Shift::new(zone, &fmt(first), &fmt(end), Some(rule)) else {
            // Only a first occurrence swallowed by a gap may be refused.
            prop_assert!(tz.from_local_datetime(&first).single().is_none()
                || tz.from_local_datetime(&end).single().is_none());
            return Ok(());
        };
        let from = instant_of(tz, first);
        let to = Timestamp(from.micros() + 400 * 86_400 * 1_000_000);
        for o in shift.occurrences(from, to) {
            prop_assert!(o.starts < o.ends);
            let local_start = local_of(tz, o.starts);
            let local_end = local_of(tz, o.ends);
            let wanted_start = local_start.date().and_time(first.time());
            if tz.from_local_datetime(&wanted_start).earliest().is_some() {
                prop_assert_eq!(local_start.time(), first.time());
            } else {
                // Skipped: starts when the clocks jump past it.
                prop_assert!(local_start > wanted_start);
                prop_assert!(local_start - wanted_start <= Duration::hours(3));
            }
            let wanted_end = wanted_start + Duration::minutes(len_min);
            if tz.from_local_datetime(&wanted_end).earliest().is_some() {
                prop_assert_eq!(local_end, wanted_end);
            }
            let real = Duration::microseconds(o.ends.micros() - o.starts.micros());
            prop_assert!((real - Duration::minutes(len_min)).num_minutes().abs() <= 180);
            prop_assert_eq!(local_start.second(), 0);
        }
    }

    /// "Is this shift on at t?" agrees with walking its occurrences.
    #[test]
    fn covering_agrees_with_the_list(
        zone in zones(),
        start_min in 0u32..(24 * 60),
        len_min in 30i64..(12 * 60),
        probe_hours in 0i64..(24 * 120),
    ) {
        let tz = parse_zone(zone).expect("zone");
        let first = NaiveDate::from_ymd_opt(2026, 2, 2).expect("date")
            .and_hms_opt(start_min / 60, start_min % 60, 0).expect("time");
        let end = first + Duration::minutes(len_min);
        let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
        let Ok(shift) = Shift::new(zone, &fmt(first), &fmt(end), Some("FREQ=WEEKLY;BYDAY=MO,WE,SA")) else {
            return Ok(());
        };
        let origin = instant_of(tz, first);
        let t = origin.plus_seconds(probe_hours * 3600 + 17 * 60);
        let listed = shift
            .occurrences(origin.plus_seconds(-86_400), origin.plus_seconds(130 * 86_400))
            .into_iter()
            .find(|o| o.contains(t));
        prop_assert_eq!(shift.covering(t), listed);
    }
}
