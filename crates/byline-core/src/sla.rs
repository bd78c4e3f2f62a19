//! SLA clocks: how long a ticket has waited, counted in business hours,
//! against the targets of its priority. A clock's state is a pure function
//! of the ticket's history and the calendar, so the page, the dashboard
//! and the warning and breach jobs always agree, whenever they look.
//!
//! Three clocks: the **first response** runs from the ticket's opening to
//! the first public reply; a **next response** runs from each requester
//! reply that follows an answer to the next public reply; **resolution**
//! runs from the opening until the ticket is solved (and on again if it is
//! reopened). All three stand still while the ticket is `pending` or
//! `on_hold`, and outside business hours.

use crate::business_hours::BusinessHours;
use crate::error::CoreError;
use crate::ticket::TicketStatus;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Longest target: a year of working time, in minutes.
const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;

/// Targets for one priority, in business minutes; `None` means that clock
/// is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    /// Opening to first public reply.
    pub first_response_minutes: Option<i64>,
    /// Requester reply to the next public reply.
    pub next_response_minutes: Option<i64>,
    /// Opening to solved.
    pub resolution_minutes: Option<i64>,
    /// How long before a breach the assignee is warned.
    pub warn_before_minutes: i64,
}

impl SlaTargets {
    /// Checks targets: each positive and at most a year, at least one
    /// kept, the warning not negative and shorter than every target.
    pub fn new(
        first_response_minutes: Option<i64>,
        next_response_minutes: Option<i64>,
        resolution_minutes: Option<i64>,
        warn_before_minutes: i64,
    ) -> Result<SlaTargets, CoreError> {
        let all = [
            ("first response", first_response_minutes),
            ("next response", next_response_minutes),
            ("resolution", resolution_minutes),
        ];
        if all.iter().all(|(_, t)| t.is_none()) {
            return Err(CoreError::InvalidSla(
                "an SLA needs at least one target (a ticket without an SLA has no policy at all)"
                    .into(),
            ));
        }
        for (name, target) in all {
            if let Some(t) = target {
                if t <= 0 {
                    return Err(CoreError::InvalidSla(format!(
                        "the {name} target must be more than zero minutes (got {t})"
                    )));
                }
                if t > MAX_TARGET_MINUTES {
                    return Err(CoreError::InvalidSla(format!(
                        "the {name} target is at most {MAX_TARGET_MINUTES} minutes"
                    )));
                }
                if warn_before_minutes >= t {
                    return Err(CoreError::InvalidSla(format!(
                        "the warning ({warn_before_minutes} min) must come before the {name} target ({t} min)"
                    )));
                }
            }
        }
        if warn_before_minutes < 0 {
            return Err(CoreError::InvalidSla(
                "the warning cannot be a negative number of minutes".into(),
            ));
        }
        Ok(SlaTargets {
            first_response_minutes,
            next_response_minutes,
            resolution_minutes,
            warn_before_minutes,
        })
    }
}

/// What happened to a ticket, as far as its clocks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketEvent {
    /// The ticket was opened (its first event).
    Opened(Timestamp),
    /// The requester wrote again.
    RequesterReplied(Timestamp),
    /// A member replied publicly, as the profile.
    Answered(Timestamp),
    /// The status changed.
    Status(Timestamp, TicketStatus),
}

impl TicketEvent {
    fn at(&self) -> Timestamp {
        match *self {
            TicketEvent::Opened(t)
            | TicketEvent::RequesterReplied(t)
            | TicketEvent::Answered(t)
            | TicketEvent::Status(t, _) => t,
        }
    }
}

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Opening to first public reply.
    FirstResponse,
    /// Requester reply to the next public reply.
    NextResponse,
    /// Opening to solved.
    Resolution,
}

impl ClockKind {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::FirstResponse => "first_response",
            ClockKind::NextResponse => "next_response",
            ClockKind::Resolution => "resolution",
        }
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Counting, within target.
    Running,
    /// Standing still (pending or on hold), within target.
    Paused,
    /// Past its target and not yet stopped.
    Overdue,
    /// Stopped within target.
    Met,
    /// Stopped past its target.
    Missed,
}

/// One clock of a ticket, as of `now` (or as of when it stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Which clock.
    pub kind: ClockKind,
    /// When it started.
    pub started_at: Timestamp,
    /// Its target, µs of business time.
    pub target: i64,
    /// Business time used so far, µs.
    pub used: i64,
    /// When it stopped (the reply came, the ticket was solved).
    pub stopped_at: Option<Timestamp>,
    /// When it went past its target, if it did.
    pub breached_at: Option<Timestamp>,
    /// While counting within target: when it will be breached.
    pub due_at: Option<Timestamp>,
    /// While counting before the warning: when to warn.
    pub warn_at: Option<Timestamp>,
    /// Whether it stands still now.
    pub paused: bool,
}

impl Clock {
    /// Its state.
    pub fn state(&self) -> ClockState {
        match (self.stopped_at, self.breached_at) {
            (Some(_), None) => ClockState::Met,
            (Some(_), Some(_)) => ClockState::Missed,
            (None, Some(_)) => ClockState::Overdue,
            (None, None) if self.paused => ClockState::Paused,
            (None, None) => ClockState::Running,
        }
    }

    /// Business time left before the breach, µs (negative when overdue).
    pub fn remaining(&self) -> i64 {
        self.target - self.used
    }
}

const MINUTE: i64 = 60_000_000;

/// A clock being counted while the history is walked.
struct Counting {
    kind: ClockKind,
    started_at: Timestamp,
    target: i64,
    used: i64,
    breached_at: Option<Timestamp>,
    stopped_at: Option<Timestamp>,
}

impl Counting {
    fn new(kind: ClockKind, at: Timestamp, minutes: i64) -> Counting {
        Counting {
            kind,
            started_at: at,
            target: minutes.saturating_mul(MINUTE),
            used: 0,
            breached_at: None,
            stopped_at: None,
        }
    }

    /// Counts the business time in `[from, to)`.
    fn count(&mut self, hours: &BusinessHours, from: Timestamp, to: Timestamp) {
        if self.stopped_at.is_some() || to <= from {
            return;
        }
        let more = hours.working_between(from, to);
        // The breach is the instant the target is used up; a clock is past
        // it from any later instant on, working or not (a target used up
        // at a block's end is missed by the evening, not next morning).
        if self.breached_at.is_none() && self.used + more >= self.target {
            self.breached_at = hours
                .after_working(from, self.target - self.used)
                .filter(|b| *b < to);
        }
        self.used += more;
    }

    fn finish(
        self,
        hours: &BusinessHours,
        counting_from: Option<Timestamp>,
        warn_before: i64,
    ) -> Clock {
        let (due_at, warn_at) = match counting_from {
            Some(from) if self.stopped_at.is_none() && self.breached_at.is_none() => {
                let left = self.target - self.used;
                let due = hours.after_working(from, left).filter(|_| left >= 0);
                let warn = (left - warn_before > 0)
                    .then(|| hours.after_working(from, left - warn_before))
                    .flatten();
                (due, warn)
            }
            _ => (None, None),
        };
        Clock {
            kind: self.kind,
            started_at: self.started_at,
            target: self.target,
            used: self.used,
            stopped_at: self.stopped_at,
            breached_at: self.breached_at,
            due_at,
            warn_at,
            paused: counting_from.is_none() && self.stopped_at.is_none(),
        }
    }
}

/// What a change of status does to the clocks: solving stops them all
/// (it answers whatever waited for an answer); reopening runs resolution
/// on from where it stopped.
fn move_to(
    to: TicketStatus,
    t: Timestamp,
    first: &mut Option<Counting>,
    next: &mut [Counting],
    resolution: &mut Option<Counting>,
) {
    if let Some(c) = resolution.as_mut() {
        if to.is_active() {
            c.stopped_at = None;
        } else if c.stopped_at.is_none() {
            c.stopped_at = Some(t);
        }
    }
    if !to.is_active() {
        for c in first.iter_mut().chain(next.last_mut()) {
            if c.stopped_at.is_none() {
                c.stopped_at = Some(t);
            }
        }
    }
}

/// A ticket's clocks as of `now`, oldest first: first response, each next
/// response, resolution. `history` is the ticket's events in the order
/// they happened; events after `now` are not yet seen.
pub fn clocks(
    history: &[TicketEvent],
    targets: &SlaTargets,
    hours: &BusinessHours,
    now: Timestamp,
) -> Vec<Clock> {
    let mut status = TicketStatus::New;
    let mut last = None::<Timestamp>;
    let mut first: Option<Counting> = None;
    let mut resolution: Option<Counting> = None;
    let mut next: Vec<Counting> = Vec::new();
    let mut answered_once = false;
    let counts = |s: TicketStatus| s.is_active() && !s.pauses_clocks();
    for event in history.iter().filter(|e| e.at() <= now) {
        let at = event.at();
        // Count the time since the last event for the clocks that ran.
        if let Some(from) = last
            && counts(status)
        {
            for c in first
                .iter_mut()
                .chain(resolution.iter_mut())
                .chain(next.last_mut())
            {
                c.count(hours, from, at);
            }
        }
        last = Some(at);
        match *event {
            TicketEvent::Opened(t) => {
                status = TicketStatus::New;
                first = targets
                    .first_response_minutes
                    .map(|m| Counting::new(ClockKind::FirstResponse, t, m));
                resolution = targets
                    .resolution_minutes
                    .map(|m| Counting::new(ClockKind::Resolution, t, m));
            }
            TicketEvent::Answered(t) => {
                answered_once = true;
                if let Some(c) = first.as_mut().filter(|c| c.stopped_at.is_none()) {
                    c.stopped_at = Some(t);
                }
                if let Some(c) = next.last_mut().filter(|c| c.stopped_at.is_none()) {
                    c.stopped_at = Some(t);
                }
            }
            TicketEvent::RequesterReplied(t) => {
                let waiting = next.last().is_some_and(|c| c.stopped_at.is_none());
                if answered_once
                    && !waiting
                    && status != TicketStatus::Closed
                    && let Some(m) = targets.next_response_minutes
                {
                    next.push(Counting::new(ClockKind::NextResponse, t, m));
                }
                if let Some(to) = status.after_requester_reply() {
                    status = to;
                    move_to(to, t, &mut first, &mut next, &mut resolution);
                }
            }
            TicketEvent::Status(t, to) => {
                status = to;
                move_to(to, t, &mut first, &mut next, &mut resolution);
            }
        }
    }
    let running = last.filter(|_| counts(status));
    if let Some(from) = running {
        for c in first
            .iter_mut()
            .chain(resolution.iter_mut())
            .chain(next.last_mut())
        {
            c.count(hours, from, now);
        }
    }
    let warn = targets.warn_before_minutes.saturating_mul(MINUTE);
    let mut out = Vec::with_capacity(2 + next.len());
    let last_next = next.len().saturating_sub(1);
    if let Some(c) = first {
        out.push(c.finish(hours, running.map(|_| now), warn));
    }
    for (i, c) in next.into_iter().enumerate() {
        let from = running.filter(|_| i == last_next).map(|_| now);
        out.push(c.finish(hours, from, warn));
    }
    if let Some(c) = resolution {
        out.push(c.finish(hours, running.map(|_| now), warn));
    }
    out
}

#[cfg(test)]
mod tests;
