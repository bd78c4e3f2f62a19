//! Business-hours arithmetic: split days, holidays, clock changes, what is
//! refused, and properties over several zones across two years.

use super::*;
use proptest::prelude::*;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("test time")
}

fn blocks(list: &[&str]) -> Vec<Block> {
    list.iter()
        .map(|b| Block::parse(b).expect("block"))
        .collect()
}

/// Monday to Friday 09:00–12:30 and 13:30–17:30.
fn office(zone: &str) -> BusinessHours {
    let day = blocks(&["09:00-12:30", "13:30-17:30"]);
    BusinessHours::new(
        zone,
        [
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![],
            vec![],
        ],
        [NaiveDate::from_ymd_opt(2026, 12, 25).expect("date")],
    )
    .expect("hours")
}

const HOUR: i64 = 3_600_000_000;

#[test]
fn lunch_and_nights_do_not_count() {
    let h = office("Europe/London");
    // Tuesday 1 December 2026 (GMT): 08:00 to 18:00 holds 7.5 working hours.
    assert_eq!(
        h.working_between(ts("2026-12-01T08:00Z"), ts("2026-12-01T18:00Z")),
        15 * HOUR / 2
    );
    assert_eq!(
        h.working_between(ts("2026-12-01T12:00Z"), ts("2026-12-01T14:00Z")),
        HOUR,
        "half an hour before lunch, half after"
    );
    assert!(!h.is_working(ts("2026-12-01T13:00Z")));
    assert!(h.is_working(ts("2026-12-01T13:30Z")));
    // Four working hours from Friday 16:00 end on Monday at 12:00.
    assert_eq!(
        h.after_working(ts("2026-12-04T16:00Z"), 4 * HOUR),
        Some(ts("2026-12-07T11:30Z"))
    );
}

#[test]
fn holidays_do_not_count() {
    let h = office("Europe/London");
    // Thursday 24 to Monday 28 December: Friday 25th is a holiday.
    assert_eq!(
        h.working_between(ts("2026-12-24T00:00Z"), ts("2026-12-28T00:00Z")),
        15 * HOUR / 2
    );
}

#[test]
fn a_day_keeps_its_wall_clock_hours_across_a_clock_change() {
    let h = office("America/New_York");
    // Friday 6 March 2026 (EST): 09:00 = 14:00 UTC. Monday 9 March (EDT,
    // since Sunday 8th): 09:00 = 13:00 UTC.
    assert!(h.is_working(ts("2026-03-06T14:00Z")));
    assert!(!h.is_working(ts("2026-03-09T12:30Z")));
    assert!(h.is_working(ts("2026-03-09T13:00Z")));
    assert_eq!(
        h.after_working(ts("2026-03-06T22:30Z"), HOUR),
        Some(ts("2026-03-09T14:00Z")),
        "the hour after Friday's last block is Monday 09:00 to 10:00 EDT"
    );
}

#[test]
fn round_the_clock_counts_real_time() {
    let h = BusinessHours::always();
    assert_eq!(
        h.working_between(ts("2026-03-07T10:00Z"), ts("2026-03-09T10:00Z")),
        48 * HOUR
    );
    assert_eq!(
        h.after_working(ts("2026-03-07T10:00Z"), 5 * HOUR),
        Some(ts("2026-03-07T15:00Z"))
    );
}

#[test]
fn bad_calendars_are_refused_with_the_reason() {
    let refused = |zone: &str, week: [Vec<Block>; 7]| -> String {
        BusinessHours::new(zone, week, [])
            .expect_err("refused")
            .to_string()
    };
    let none: [Vec<Block>; 7] = Default::default();
    assert!(refused("Europe/London", none.clone()).contains("at least one"));
    let mut overlapping = none.clone();
    overlapping[2] = blocks(&["09:00-13:00", "12:00-17:00"]);
    let msg = refused("Europe/London", overlapping);
    assert!(
        msg.contains("overlap") && msg.contains("Wednesday"),
        "{msg}"
    );
    let mut fine = none.clone();
    fine[0] = blocks(&["09:00-17:00"]);
    assert!(refused("Mars/Olympus", fine).contains("unknown time zone"));
    for bad in [
        "17:00-09:00",
        "09:00-09:00",
        "9-5",
        "09:60-10:00",
        "24:30-25:00",
        "0900-1000",
    ] {
        assert!(Block::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Block::parse("22:00-24:00").expect("to midnight").end, 1440);
}

#[test]
fn a_calendar_of_holidays_never_reaches_its_target() {
    let mut monday = <[Vec<Block>; 7]>::default();
    monday[0] = blocks(&["09:00-10:00"]);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let every_day = (0..1000).map(|i| start + Duration::days(i));
    let h = BusinessHours::new("UTC", monday, every_day).expect("hours");
    assert_eq!(
        h.after_working(ts("2026-01-01T00:00Z"), HOUR),
        Some(ts("2028-10-02T10:00Z"))
    );
    assert_eq!(
        h.after_working(ts("2028-10-03T00:00Z"), 1000 * 157 * HOUR),
        None
    );
}

const ZONES: [&str; 5] = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Santiago",
];

fn hours_strategy() -> impl Strategy<Value = BusinessHours> {
    let block = (0u16..47, 1u16..8).prop_map(|(half, len)| {
        let start = half * 30;
        Block {
            start,
            end: (start + len * 30).min(1440),
        }
    });
    let day = proptest::collection::vec(block, 0..3).prop_map(|mut v| {
        v.sort();
        // Keep them apart: drop any block that overlaps the one before.
        let mut kept: Vec<Block> = Vec::new();
        for b in v {
            if kept.last().is_none_or(|k| b.start >= k.end) {
                kept.push(b);
            }
        }
        kept
    });
    (
        0usize..ZONES.len(),
        proptest::collection::vec(day, 7),
        proptest::collection::vec(0i64..730, 0..20),
    )
        .prop_filter_map("some work in the week", |(z, days, holidays)| {
            let week: [Vec<Block>; 7] = std::array::from_fn(|i| days[i].clone());
            let base = NaiveDate::from_ymd_opt(2026, 1, 1)?;
            BusinessHours::new(
                ZONES[z],
                week,
                holidays.into_iter().map(|d| base + Duration::days(d)),
            )
            .ok()
        })
}

/// Instants in 2026–2027 (both hemispheres' clock changes).
fn instant() -> impl Strategy<Value = Timestamp> {
    (0i64..730 * 24 * 60)
        .prop_map(|minute| Timestamp(ts("2026-01-01T00:00Z").micros() + minute * 60_000_000))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn working_time_adds_up(h in hours_strategy(), a in instant(), b in instant(), c in instant()) {
        let mut v = [a, b, c];
        v.sort();
        let [a, b, c] = v;
        prop_assert_eq!(h.working_between(a, b) + h.working_between(b, c), h.working_between(a, c));
        prop_assert!(h.working_between(a, c) <= c.micros() - a.micros());
    }

    #[test]
    fn after_working_is_the_inverse_of_working_between(h in hours_strategy(), a in instant(), minutes in 1i64..5000) {
        let working = minutes * 60_000_000;
        let end = h.after_working(a, working).expect("a week has working time");
        prop_assert_eq!(h.working_between(a, end), working);
        // And it is the first such instant: just before it, less had passed.
        prop_assert!(h.working_between(a, Timestamp(end.micros() - 1)) < working);
        prop_assert!(h.is_working(Timestamp(end.micros() - 1)));
    }
}
