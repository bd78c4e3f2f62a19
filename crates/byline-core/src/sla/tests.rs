//! SLA clocks over business hours: what counts, what pauses, when a
//! breach falls, and properties across clock changes in several zones.

use super::*;
use crate::business_hours::Block;
use chrono::NaiveDate;
use proptest::prelude::*;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("test time")
}

/// Monday to Friday 09:00–17:00, London.
fn office() -> BusinessHours {
    let day = vec![Block::parse("09:00-17:00").expect("block")];
    BusinessHours::new(
        "Europe/London",
        std::array::from_fn(|i| if i < 5 { day.clone() } else { vec![] }),
        [],
    )
    .expect("hours")
}

/// First response in 60 min, next response in 120, resolution in 8 h,
/// warned 15 min before.
fn targets() -> SlaTargets {
    SlaTargets::new(Some(60), Some(120), Some(480), 15).expect("targets")
}

fn clock(all: &[Clock], kind: ClockKind) -> Clock {
    *all.iter()
        .rev()
        .find(|c| c.kind == kind)
        .expect("clock kept")
}

const MIN: i64 = 60_000_000;

#[test]
fn a_first_response_counts_only_business_time() {
    use TicketEvent::*;
    // Opened Monday 7 December 2026 at 16:30 GMT; answered Tuesday 09:20.
    let history = [
        Opened(ts("2026-12-07T16:30Z")),
        Answered(ts("2026-12-08T09:20Z")),
    ];
    let all = clocks(&history, &targets(), &office(), ts("2026-12-08T12:00Z"));
    let first = clock(&all, ClockKind::FirstResponse);
    assert_eq!(first.used, 50 * MIN, "30 minutes on Monday, 20 on Tuesday");
    assert_eq!(first.state(), ClockState::Met);
    let resolution = clock(&all, ClockKind::Resolution);
    assert_eq!(resolution.state(), ClockState::Running);
    assert_eq!(resolution.used, 30 * MIN + 3 * 60 * MIN);
    assert_eq!(
        resolution.due_at,
        Some(ts("2026-12-08T16:30Z")),
        "eight business hours after Monday 16:30"
    );
    assert_eq!(resolution.warn_at, Some(ts("2026-12-08T16:15Z")));
}

#[test]
fn an_unanswered_ticket_breaches_at_the_exact_business_minute() {
    use TicketEvent::*;
    // Opened Friday 11 December 16:30: the hour runs out Monday at 09:30.
    let history = [Opened(ts("2026-12-11T16:30Z"))];
    let friday = clocks(&history, &targets(), &office(), ts("2026-12-11T18:00Z"));
    let first = clock(&friday, ClockKind::FirstResponse);
    assert_eq!(first.state(), ClockState::Running);
    assert_eq!(first.due_at, Some(ts("2026-12-14T09:30Z")));
    assert_eq!(first.warn_at, Some(ts("2026-12-14T09:15Z")));
    let monday = clocks(&history, &targets(), &office(), ts("2026-12-14T10:00Z"));
    let first = clock(&monday, ClockKind::FirstResponse);
    assert_eq!(first.state(), ClockState::Overdue);
    assert_eq!(first.breached_at, Some(ts("2026-12-14T09:30Z")));
    assert_eq!(first.remaining(), -30 * MIN);
    let late = [
        Opened(ts("2026-12-11T16:30Z")),
        Answered(ts("2026-12-14T11:00Z")),
    ];
    let first = clock(
        &clocks(&late, &targets(), &office(), ts("2026-12-20T00:00Z")),
        ClockKind::FirstResponse,
    );
    assert_eq!(first.state(), ClockState::Missed);
}

#[test]
fn waiting_on_the_requester_stops_every_clock() {
    use TicketEvent::*;
    use TicketStatus::*;
    let history = [
        Opened(ts("2026-12-07T09:00Z")),
        Answered(ts("2026-12-07T09:10Z")),
        Status(ts("2026-12-07T09:10Z"), Pending),
        // The requester answers two business days later.
        RequesterReplied(ts("2026-12-09T09:00Z")),
    ];
    let all = clocks(&history, &targets(), &office(), ts("2026-12-09T09:30Z"));
    let resolution = clock(&all, ClockKind::Resolution);
    assert_eq!(
        resolution.used,
        40 * MIN,
        "10 before pending, 30 since the reply"
    );
    let next = clock(&all, ClockKind::NextResponse);
    assert_eq!(next.started_at, ts("2026-12-09T09:00Z"));
    assert_eq!(next.used, 30 * MIN);
    assert_eq!(next.due_at, Some(ts("2026-12-09T11:00Z")));
    // While pending the clocks report paused, with nothing due.
    let paused = clocks(
        &history[..3],
        &targets(),
        &office(),
        ts("2026-12-08T12:00Z"),
    );
    let r = clock(&paused, ClockKind::Resolution);
    assert_eq!((r.state(), r.due_at), (ClockState::Paused, None));
}

#[test]
fn a_reopened_ticket_resumes_its_resolution_clock() {
    use TicketEvent::*;
    use TicketStatus::*;
    let history = [
        Opened(ts("2026-12-07T09:00Z")),
        Answered(ts("2026-12-07T10:00Z")),
        Status(ts("2026-12-07T10:00Z"), Solved),
        RequesterReplied(ts("2026-12-08T09:00Z")),
    ];
    let all = clocks(&history, &targets(), &office(), ts("2026-12-08T10:00Z"));
    let r = clock(&all, ClockKind::Resolution);
    assert_eq!(r.state(), ClockState::Running, "reopened");
    assert_eq!(
        r.used,
        2 * 60 * MIN,
        "an hour before solving, an hour since"
    );
    let next = clock(&all, ClockKind::NextResponse);
    assert_eq!(next.used, 60 * MIN);
}

#[test]
fn a_target_used_up_at_a_blocks_end_is_missed_from_then_on() {
    use TicketEvent::*;
    // Opened Monday 7 December 09:00 GMT with an eight-hour resolution
    // target: used up at 17:00, the end of the day's block.
    let history = [Opened(ts("2026-12-07T09:00Z"))];
    let evening = clocks(&history, &targets(), &office(), ts("2026-12-07T19:00Z"));
    let r = clock(&evening, ClockKind::Resolution);
    assert_eq!(r.used, 480 * MIN);
    assert_eq!(r.state(), ClockState::Overdue, "missed by the evening");
    assert_eq!(r.breached_at, Some(ts("2026-12-07T17:00Z")));
    let at_five = clocks(&history, &targets(), &office(), ts("2026-12-07T17:00Z"));
    let r = clock(&at_five, ClockKind::Resolution);
    assert_eq!(
        (r.state(), r.due_at),
        (ClockState::Running, Some(ts("2026-12-07T17:00Z")))
    );
}

#[test]
fn a_ticket_without_a_target_keeps_no_such_clock() {
    use TicketEvent::*;
    let only_resolution = SlaTargets::new(None, None, Some(60), 0).expect("targets");
    let all = clocks(
        &[
            Opened(ts("2026-12-07T09:00Z")),
            Answered(ts("2026-12-07T09:05Z")),
            RequesterReplied(ts("2026-12-07T09:06Z")),
        ],
        &only_resolution,
        &office(),
        ts("2026-12-07T09:30Z"),
    );
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, ClockKind::Resolution);
}

#[test]
fn bad_targets_are_refused_with_the_reason() {
    let msg = |r: Result<SlaTargets, CoreError>| r.expect_err("refused").to_string();
    assert!(msg(SlaTargets::new(Some(0), None, None, 0)).contains("more than zero"));
    assert!(msg(SlaTargets::new(Some(-5), None, None, 0)).contains("more than zero"));
    assert!(msg(SlaTargets::new(None, None, None, 0)).contains("at least one"));
    assert!(msg(SlaTargets::new(Some(30), None, None, 30)).contains("before"));
    assert!(msg(SlaTargets::new(Some(30), None, None, -1)).contains("negative"));
}

const ZONES: [&str; 4] = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
];

fn hours_in(zone: &str) -> BusinessHours {
    let day = vec![
        Block::parse("01:30-02:30").expect("block"),
        Block::parse("09:00-12:00").expect("block"),
        Block::parse("13:00-17:30").expect("block"),
    ];
    BusinessHours::new(
        zone,
        std::array::from_fn(|i| if i < 6 { day.clone() } else { vec![] }),
        [NaiveDate::from_ymd_opt(2026, 12, 25).expect("date")],
    )
    .expect("hours")
}

fn history_strategy() -> impl Strategy<Value = Vec<TicketEvent>> {
    let step = (0i64..4, 1i64..3000, 0usize..4);
    (0i64..700 * 24 * 60, proptest::collection::vec(step, 0..12)).prop_map(|(start, steps)| {
        let base = ts("2026-01-01T00:00Z").micros() + start * MIN;
        let mut at = base;
        let mut v = vec![TicketEvent::Opened(Timestamp(at))];
        let mut status = TicketStatus::New;
        for (what, gap, to) in steps {
            at += gap * MIN;
            let t = Timestamp(at);
            match what {
                0 => v.push(TicketEvent::Answered(t)),
                1 => v.push(TicketEvent::RequesterReplied(t)),
                _ => {
                    let to = [
                        TicketStatus::Open,
                        TicketStatus::Pending,
                        TicketStatus::OnHold,
                        TicketStatus::Solved,
                    ][to];
                    if status.may_become(to) {
                        status = to;
                        v.push(TicketEvent::Status(t, to));
                    }
                }
            }
        }
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The breach and warning times a clock shows are the ones it will
    /// have: looking again later, with nothing new, finds the breach at the
    /// very instant promised.
    #[test]
    fn a_promised_breach_is_the_breach(zone in 0usize..ZONES.len(), history in history_strategy(), later_min in 0i64..20_000) {
        let hours = hours_in(ZONES[zone]);
        let last = history.iter().map(|e| e.at()).max().expect("opened");
        let now = Timestamp(last.micros() + later_min * MIN);
        for c in clocks(&history, &targets(), &hours, now) {
            if let Some(due) = c.due_at {
                let after = clocks(&history, &targets(), &hours, Timestamp(due.micros() + 366 * 24 * 60 * MIN));
                let same = after.iter().find(|a| a.kind == c.kind && a.started_at == c.started_at).expect("same clock");
                prop_assert_eq!(same.breached_at, Some(due));
                let at_due = clocks(&history, &targets(), &hours, due);
                let same = at_due.iter().find(|a| a.kind == c.kind && a.started_at == c.started_at).expect("same clock");
                prop_assert_eq!(same.breached_at, None, "not breached at the due instant itself");
            }
            if let Some(warn) = c.warn_at {
                prop_assert!(warn < c.due_at.expect("a warning comes with a due time"));
            }
        }
    }

    /// Time only adds up: a clock never runs backwards, never counts more
    /// than real time, and a stopped clock stays as it stopped.
    #[test]
    fn clocks_only_move_forward(zone in 0usize..ZONES.len(), history in history_strategy(), a in 0i64..20_000, b in 0i64..20_000) {
        let hours = hours_in(ZONES[zone]);
        let last = history.iter().map(|e| e.at()).max().expect("opened");
        let (a, b) = (a.min(b), a.max(b));
        let early = clocks(&history, &targets(), &hours, Timestamp(last.micros() + a * MIN));
        let late = clocks(&history, &targets(), &hours, Timestamp(last.micros() + b * MIN));
        prop_assert_eq!(early.len(), late.len());
        for (e, l) in early.iter().zip(&late) {
            prop_assert!(e.used <= l.used);
            prop_assert!(e.used >= 0);
            prop_assert!(l.used <= last.micros() + b * MIN - l.started_at.micros());
            if e.stopped_at.is_some() {
                prop_assert_eq!(e, l);
            }
            if l.used > l.target {
                prop_assert!(l.breached_at.is_some());
            }
            if l.breached_at.is_some() {
                prop_assert!(l.used >= l.target);
            }
        }
    }

    /// Putting a ticket on hold for a while never makes it look worse.
    #[test]
    fn holding_never_adds_time(zone in 0usize..ZONES.len(), history in history_strategy(), hold_at in 0i64..3000, hold_for in 1i64..3000) {
        let hours = hours_in(ZONES[zone]);
        let opened = history[0].at().micros();
        let plain: Vec<TicketEvent> = history.iter().copied().filter(|e| !matches!(e, TicketEvent::Status(..))).collect();
        let from = Timestamp(opened + hold_at * MIN);
        let to = Timestamp(from.micros() + hold_for * MIN);
        let mut held = plain.clone();
        held.push(TicketEvent::Status(from, TicketStatus::OnHold));
        held.push(TicketEvent::Status(to, TicketStatus::Open));
        held.sort_by_key(|e| e.at());
        let now = Timestamp(to.micros() + 10_000 * MIN);
        let a = clocks(&plain, &targets(), &hours, now);
        let b = clocks(&held, &targets(), &hours, now);
        let ra = a.iter().find(|c| c.kind == ClockKind::Resolution).expect("r");
        let rb = b.iter().find(|c| c.kind == ClockKind::Resolution).expect("r");
        prop_assert!(rb.used <= ra.used);
        prop_assert!(ra.used - rb.used <= hours.working_between(from, to));
    }
}
