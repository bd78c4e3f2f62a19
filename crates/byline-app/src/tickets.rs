//! The help desk: a shared profile's owner turns it on; from then on every
//! mention of the profile is a ticket (opened by the store inside the
//! post's own write). Members read the inbox and tickets with their
//! internal notes; members other than observers work them; a requester
//! sees their own requests without the notes. Public replies are posts
//! spoken as the profile in the ticket's thread, through the one speak
//! function like every other word said as it.

use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use byline_core::assignment::{Assignment, Candidate, choose};
use byline_core::business_hours::{Block, BusinessHours};
use byline_core::markdown::{self, PostText};
use byline_core::policy::{Action, authorize};
use byline_core::roster::Shift;
use byline_core::shared_profile::ProfileRole;
use byline_core::sla::{Clock, SlaTargets};
use byline_core::ticket::{Priority, Tag, TicketStatus};
use byline_store::audit::AuditEntry;
use byline_store::profiles::Profile;
use byline_store::tickets::{HelpDesk, IntakeJob, Ticket, TicketEvent, TicketView, ViewCounts};
use std::collections::HashSet;

/// Tickets on one page of a view.
pub const PAGE: u32 = 50;

/// Longest internal note, in characters.
pub const NOTE_MAX: usize = 5_000;

/// A view of a help desk's inbox.
pub struct Inbox {
    /// The shared profile.
    pub profile: Profile,
    /// Which view.
    pub view: TicketView,
    /// Its tickets, newest first.
    pub tickets: Vec<Ticket>,
    /// How many tickets each view holds.
    pub counts: ViewCounts,
    /// Whether the viewer may work tickets (not an observer).
    pub can_work: bool,
    /// The tag the list is filtered by, if any.
    pub tag: Option<String>,
}

/// One ticket as its viewer may see it.
pub struct TicketPage {
    /// The shared profile.
    pub profile: Profile,
    /// The ticket.
    pub ticket: Ticket,
    /// Its history (internal notes only for members).
    pub events: Vec<TicketEvent>,
    /// Whether the viewer is a member (sees notes).
    pub member: bool,
    /// Whether the viewer may work it.
    pub can_work: bool,
    /// Its SLA clocks now (none when its priority has no SLA).
    pub clocks: Vec<Clock>,
    /// Whether the viewer is asked to rate it (its requester, solved, not
    /// yet rated for this solve).
    pub can_rate: bool,
}

/// Parses a view's name: `mine`, `unassigned`, `open` (default),
/// `breaching` (soon, or already) or `done`.
pub fn view_named(name: Option<&str>, user_id: i64) -> Result<TicketView, Error> {
    Ok(match name.unwrap_or("open") {
        "mine" => TicketView::Mine(user_id),
        "unassigned" => TicketView::Unassigned,
        "open" => TicketView::AllOpen,
        "done" => TicketView::Done,
        "breaching" => TicketView::Breaching,
        other => {
            return Err(Error::Invalid(format!(
                "unknown view '{other}': expected mine, unassigned, open, breaching or done"
            )));
        }
    })
}

/// The profile and the caller's role on it, refusing when its help desk
/// is not on (which, to an outsider, is as if it had none).
pub(crate) async fn desk(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    match app.store.tickets().help_desk(profile.id).await? {
        Some(d) if d.enabled => Ok((profile, role)),
        _ => Err(Error::NotFound),
    }
}

/// Turns a shared profile's help desk on (owners and admins).
pub async fn enable(app: &App, by: &Caller, handle: &str) -> Result<HelpDesk, Error> {
    let (profile, role) = shared(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let mut audit = by.audit("helpdesk.enable", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    app.intake.forget(profile.id);
    Ok(app
        .store
        .tickets()
        .enable_help_desk(profile.id, by.user.id, &audit, now())
        .await?)
}

/// A view of the inbox (members), only the tickets tagged `tag` when one
/// is given (an empty one is no filter).
pub async fn inbox(
    app: &App,
    by: &Caller,
    handle: &str,
    view: Option<&str>,
    tag: Option<&str>,
    before: Option<i64>,
) -> Result<Inbox, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ReadInbox { role })?;
    let view = view_named(view, by.user.id)?;
    let tag = tag
        .filter(|t| !t.trim().is_empty())
        .map(Tag::parse)
        .transpose()?;
    let tickets = app.store.tickets();
    let breaching = breaching_soon(app, profile.id).await?;
    let list = if view == TicketView::Breaching {
        // Most urgent first: the candidates, kept in the clocks' order.
        let candidates = tickets
            .tickets(profile.id, view, tag.as_ref(), None, BREACHING_MAX)
            .await?;
        breaching
            .iter()
            .filter_map(|(id, _)| candidates.iter().find(|t| t.id == *id).cloned())
            .filter(|t| before.is_none_or(|b| t.id < b))
            .take(PAGE as usize)
            .collect()
    } else {
        tickets
            .tickets(profile.id, view, tag.as_ref(), before, PAGE)
            .await?
    };
    let mut counts = tickets.view_counts(profile.id, by.user.id).await?;
    counts.breaching = i64::try_from(breaching.len()).unwrap_or(i64::MAX);
    Ok(Inbox {
        tickets: list,
        tag: tag.map(|t| t.as_str().to_owned()),
        counts,
        can_work: authorize(Some(&by.actor()), Action::WorkTicket { role }).is_ok(),
        profile,
        view,
    })
}

/// One ticket: members see all of it, the requester all but the notes,
/// anyone else nothing (not even that it exists).
pub async fn ticket(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
) -> Result<TicketPage, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    let ticket = app.store.tickets().ticket(profile.id, number).await?;
    let requester = ticket.requester_profile_id == by.user.profile_id;
    authorize(Some(&by.actor()), Action::SeeRequest { requester, role })
        .map_err(|_| Error::NotFound)?;
    let member = authorize(Some(&by.actor()), Action::ReadInbox { role }).is_ok();
    let clocks = clocks_of(app, &ticket).await?;
    let mut events = app.store.tickets().ticket_events(ticket.id, member).await?;
    let lens = crate::bylines::BylineLens::for_viewer(app, by).await?;
    for e in &mut events {
        let said_as_desk = if e.post_author_profile_id == Some(ticket.profile_id) {
            Some(e.post_policy.as_deref())
        } else if e.message_author_profile_id == Some(ticket.profile_id) {
            Some(e.message_policy.as_deref())
        } else {
            None
        };
        let shown = if let Some(policy) = said_as_desk {
            // An answer: words said as the profile (a post or a message),
            // whose writer is shown only as its byline policy allows.
            let handle = e.by_handle.clone().unwrap_or_default();
            lens.reveal_parts(policy, ticket.profile_id, (&handle, &handle))
                .is_some()
        } else {
            // The requester's own words, or members' work, which only
            // members see by name.
            member || e.by_user_id == Some(by.user.id)
        };
        if !shown {
            e.by_handle = None;
            e.by_user_id = None;
        }
    }
    // Who works a ticket is the members' business.
    events.retain(|e| member || (e.kind != "assigned" && e.kind != "tags"));
    let mut ticket = ticket;
    if !member {
        // Tags and the assignment are the members' way of working.
        ticket.assignee_handle = None;
        ticket.assignee_user_id = None;
        ticket.tags.clear();
    }
    let can_rate = requester && app.store.tickets().awaits_rating(ticket.id).await?;
    Ok(TicketPage {
        clocks,
        can_rate,
        events,
        can_work: authorize(Some(&by.actor()), Action::WorkTicket { role }).is_ok(),
        member,
        profile,
        ticket,
    })
}

/// A ticket a member may work, or why not.
pub(crate) async fn workable(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
) -> Result<(Profile, Ticket), Error> {
    let (profile, role) = desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        return Err(Error::NotFound);
    }
    authorize(Some(&by.actor()), Action::WorkTicket { role })?;
    let ticket = app.store.tickets().ticket(profile.id, number).await?;
    Ok((profile, ticket))
}

/// Moves a ticket to `status` (members other than observers), if the
/// workflow allows it from where the ticket stands.
pub async fn set_status(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    status: &str,
) -> Result<Ticket, Error> {
    let to = TicketStatus::parse(status)?;
    let (profile, ticket) = workable(app, by, handle, number).await?;
    let mut audit = by.audit("ticket.status", format!("ticket:{}", ticket.id));
    audit.profile_id = Some(profile.id);
    audit.details =
        serde_json::json!({ "from": ticket.status.as_str(), "to": to.as_str() }).to_string();
    app.store
        .tickets()
        .set_ticket_status(ticket.id, to, by.user.id, &audit, now())
        .await?;
    schedule_clock_jobs(app, ticket.id).await?;
    Ok(app.store.tickets().ticket(profile.id, number).await?)
}

/// Adds an internal note, Markdown rendered safe (members other than
/// observers); the requester never sees it.
pub async fn add_note(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    text: &str,
) -> Result<TicketEvent, Error> {
    if text.trim().is_empty() {
        return Err(Error::Invalid("a note needs some text".into()));
    }
    if text.chars().count() > NOTE_MAX {
        return Err(Error::Invalid(format!(
            "a note is at most {NOTE_MAX} characters"
        )));
    }
    let source = PostText::parse(text)?;
    let (profile, ticket) = workable(app, by, handle, number).await?;
    let html = markdown::render(&source, &HashSet::new()).html;
    let mut audit = by.audit("ticket.note", format!("ticket:{}", ticket.id));
    audit.profile_id = Some(profile.id);
    let id = app
        .store
        .tickets()
        .add_ticket_note(ticket.id, by.user.id, &html, &audit, now())
        .await?;
    app.store
        .tickets()
        .ticket_events(ticket.id, true)
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| Error::Internal("a note just written is missing".into()))
}

/// The caller's own requests to every help desk, newest first.
pub async fn my_requests(app: &App, by: &Caller) -> Result<Vec<Ticket>, Error> {
    authorize(Some(&by.actor()), Action::ReadNetwork)?;
    let mut list = app
        .store
        .tickets()
        .requester_tickets(by.user.profile_id, PAGE)
        .await?;
    // Who works a ticket is the desk members' business, not the asker's.
    for t in &mut list {
        t.assignee_handle = None;
        t.assignee_user_id = None;
        t.tags.clear();
    }
    Ok(list)
}

/// The help desk's jobs, for the runner: SLA warnings and breaches, and
/// closing solved tickets after their desk's days.
pub fn job_handlers(handlers: crate::jobs::Handlers) -> crate::jobs::Handlers {
    handlers
        .on(SLA_ALERT, |app, job| async move {
            let alert: SlaAlert = serde_json::from_str(&job.payload)
                .map_err(|e| crate::jobs::JobFailure::GiveUp(format!("unreadable payload: {e}")))?;
            run_sla_alert(&app, alert).await?;
            Ok(())
        })
        .on(RECLOCK, |app, job| async move {
            let reclock: Reclock = serde_json::from_str(&job.payload)
                .map_err(|e| crate::jobs::JobFailure::GiveUp(format!("unreadable payload: {e}")))?;
            run_reclock(&app, reclock).await?;
            Ok(())
        })
        .on(byline_store::tickets::AUTO_CLOSE, |app, job| async move {
            let close: byline_store::tickets::AutoClose = serde_json::from_str(&job.payload)
                .map_err(|e| crate::jobs::JobFailure::GiveUp(format!("unreadable payload: {e}")))?;
            // Reopened (or closed by hand) since: nothing left to do.
            app.store
                .tickets()
                .auto_close(close, now())
                .await
                .map_err(|e| crate::jobs::JobFailure::Retry(e.to_string()))?;
            Ok(())
        })
}

/// A ticket's SLA clocks now, from its history, its priority's targets and
/// its desk's business hours.
pub async fn clocks_of(app: &App, ticket: &Ticket) -> Result<Vec<Clock>, Error> {
    Ok(clocks_and_targets(app, ticket).await?.0)
}

async fn clocks_and_targets(
    app: &App,
    ticket: &Ticket,
) -> Result<(Vec<Clock>, Option<SlaTargets>), Error> {
    let sla = app.store.sla();
    let Some((_, targets)) = sla
        .sla_policies(ticket.profile_id)
        .await?
        .into_iter()
        .find(|(p, _)| *p == ticket.priority)
    else {
        return Ok((Vec::new(), None));
    };
    let hours = sla.business_hours(ticket.profile_id).await?;
    let history = sla.clock_history(ticket.id).await?;
    Ok((
        byline_core::sla::clocks(&history, &targets, &hours, now()),
        Some(targets),
    ))
}

/// Most tickets the "breaching soon" view looks through.
const BREACHING_MAX: u32 = 2_000;

/// The desk's tickets with a running SLA clock past its warning time or
/// its target, most urgent first (with the instant their first such clock
/// is or was due). Read from the instants each ticket's clocks were last
/// computed to give (by `byline_core::sla`, on every change), so the view
/// and its count agree with the clocks on each ticket's page and cost one
/// index range, however long the backlog.
pub async fn breaching_soon(
    app: &App,
    profile_id: i64,
) -> Result<Vec<(i64, byline_core::Timestamp)>, Error> {
    Ok(app
        .store
        .tickets()
        .breaching(profile_id, now(), BREACHING_MAX)
        .await?)
}

/// The job kind that computes again the clocks of a desk's open tickets.
pub const RECLOCK: &str = "ticket.reclock";

/// What a reclock job carries.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Reclock {
    profile_id: i64,
}

/// After a desk's calendar or targets changed: forgets its kept setup and
/// schedules, as a durable job due now, computing its open tickets' clocks
/// again (a desk's backlog may be long; each ticket's next change would
/// do it too).
async fn reclock_desk(app: &App, profile_id: i64) -> Result<(), Error> {
    app.intake.forget(profile_id);
    let at = now();
    let payload = serde_json::json!(Reclock { profile_id }).to_string();
    let key = format!("reclock:{profile_id}:{}", at.micros());
    app.store
        .jobs()
        .schedule_job(
            &byline_store::jobs::NewJob {
                kind: RECLOCK,
                key: Some(&key),
                payload: &payload,
                due_at: at,
                max_attempts: 5,
            },
            at,
        )
        .await?;
    Ok(())
}

/// Runs a reclock job: every open ticket's clocks, jobs and instants as
/// they stand now (idempotent, so a retry after a failure is harmless).
async fn run_reclock(app: &App, job: Reclock) -> Result<(), Error> {
    let ids = app
        .store
        .tickets()
        .running_ticket_ids(job.profile_id, 100_000)
        .await?;
    for id in ids {
        schedule_clock_jobs(app, id).await?;
    }
    Ok(())
}

/// The job kind that warns of, or reports, a missed SLA.
pub const SLA_ALERT: &str = "ticket.sla";

/// What an SLA alert job carries.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct SlaAlert {
    ticket_id: i64,
    clock: String,
    started_at: i64,
    breach: bool,
}

/// Schedules the warning and breach jobs of a ticket's running clocks, as
/// they stand after a change. Each job is named by the instant it is for,
/// so a clock that paused and moved on gets new ones; an old one finds,
/// when it runs, that its clock no longer says so, and does nothing.
pub async fn schedule_clock_jobs(app: &App, ticket_id: i64) -> Result<(), Error> {
    let ticket = app.store.tickets().ticket_by_id(ticket_id).await?;
    // Every change to a ticket comes through here: open inboxes refresh.
    app.live.publish(crate::live::LiveEvent::Inbox {
        profile_id: ticket.profile_id,
    });
    let at = now();
    let (clocks, targets) = clocks_and_targets(app, &ticket).await?;
    let alerts = alerts_due(&clocks, targets.as_ref(), at);
    let (warn_at, due_at) = first_instants(&alerts);
    let planned: Vec<IntakeJob> = alerts.iter().map(|a| a.job(ticket_id)).collect();
    let jobs: Vec<byline_store::jobs::NewJob<'_>> = planned
        .iter()
        .map(|j| byline_store::jobs::NewJob {
            kind: SLA_ALERT,
            key: Some(&j.key),
            payload: &j.payload,
            due_at: j.due_at,
            max_attempts: j.max_attempts,
        })
        .collect();
    app.store
        .tickets()
        .time_ticket(ticket_id, warn_at, due_at, &jobs, at)
        .await?;
    Ok(())
}

/// When the first of `alerts` comes (a warning, or a breach already
/// past), and when the first breach is due: what the "breaching soon"
/// view reads. A warning always comes before its own breach, and every
/// clock warns the same time ahead, so the first warning belongs to the
/// clock due first.
pub(crate) fn first_instants(
    alerts: &[DueAlert],
) -> (
    Option<byline_core::Timestamp>,
    Option<byline_core::Timestamp>,
) {
    let warn = alerts.iter().map(|a| a.when).min();
    let due = alerts
        .iter()
        .filter(|a| a.alert.breach)
        .map(|a| a.when)
        .min();
    (warn, due)
}

/// One SLA alert a running clock needs, for a ticket yet to be named.
#[derive(Debug, Clone)]
pub(crate) struct DueAlert {
    alert: SlaAlert,
    when: byline_core::Timestamp,
    /// The clock's promised breach, which moves only when it pauses.
    promised: i64,
}

impl DueAlert {
    /// The job for ticket `ticket_id`, named by the instant it is for, so
    /// a clock that paused and moved on gets new ones; an old one finds,
    /// when it runs, that its clock no longer says so, and does nothing.
    pub(crate) fn job(&self, ticket_id: i64) -> IntakeJob {
        let alert = SlaAlert {
            ticket_id,
            ..self.alert.clone()
        };
        IntakeJob {
            key: format!(
                "sla:{ticket_id}:{}:{}:{}:{}",
                alert.clock,
                alert.started_at,
                if alert.breach { "breach" } else { "warning" },
                self.promised
            ),
            // A struct of numbers and a string always serialises.
            payload: serde_json::to_value(&alert)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            due_at: self.when,
            max_attempts: 5,
        }
    }
}

/// The warning and breach alerts of `clocks` still running at `at`.
pub(crate) fn alerts_due(
    clocks: &[Clock],
    targets: Option<&SlaTargets>,
    at: byline_core::Timestamp,
) -> Vec<DueAlert> {
    let warn_before = targets.map_or(0, |t| t.warn_before_minutes.saturating_mul(60_000_000));
    let mut due = Vec::new();
    for c in clocks {
        if c.stopped_at.is_some() {
            continue;
        }
        // Due now when the moment has already come (a clock past its
        // warning or its target when the ticket changed); the alert itself
        // is given once however many jobs ask for it.
        let warn_when = c.warn_at.or_else(|| {
            (c.breached_at.is_none() && !c.paused && c.remaining() <= warn_before).then_some(at)
        });
        let breach_when = c.due_at.or(c.breached_at);
        let promised = c.due_at.or(c.breached_at).map_or(0, |t| t.micros());
        for (breach, when) in [(false, warn_when), (true, breach_when)] {
            let Some(when) = when else { continue };
            due.push(DueAlert {
                alert: SlaAlert {
                    ticket_id: 0,
                    clock: c.kind.as_str().to_owned(),
                    started_at: c.started_at.micros(),
                    breach,
                },
                when,
                promised,
            });
        }
    }
    due
}

/// Runs an SLA alert: if the clock it is for still says so now, notifies
/// the assignee and the owners, once per clock and stage.
async fn run_sla_alert(app: &App, alert: SlaAlert) -> Result<(), Error> {
    let ticket = match app.store.tickets().ticket_by_id(alert.ticket_id).await {
        Ok(t) => t,
        Err(byline_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let (clocks, targets) = clocks_and_targets(app, &ticket).await?;
    let Some(targets) = targets else {
        return Ok(());
    };
    let Some(clock) = clocks
        .iter()
        .find(|c| c.kind.as_str() == alert.clock && c.started_at.micros() == alert.started_at)
    else {
        return Ok(());
    };
    let running = clock.stopped_at.is_none();
    let due = if alert.breach {
        running && clock.breached_at.is_some()
    } else {
        running
            && clock.breached_at.is_none()
            && !clock.paused
            && clock.remaining() <= targets.warn_before_minutes.saturating_mul(60_000_000)
    };
    if !due {
        return Ok(());
    }
    let (kind, stage) = if alert.breach {
        ("sla_breach", "breach")
    } else {
        ("sla_warning", "warning")
    };
    let key = format!("{stage}:{}:{}", alert.clock, alert.started_at);
    let notified = app
        .store
        .tickets()
        .record_sla_alert(ticket.id, &key, kind, now())
        .await?;
    if !notified.is_empty() {
        app.live.publish(crate::live::LiveEvent::Notified {
            profile_ids: notified,
        });
    }
    Ok(())
}

/// Business hours as typed: a zone, blocks such as `09:00-12:30` for each
/// weekday (Monday first), holidays as `YYYY-MM-DD`.
pub struct HoursInput<'a> {
    /// IANA zone.
    pub time_zone: &'a str,
    /// Blocks per weekday, Monday first.
    pub week: [&'a [String]; 7],
    /// Whole days off.
    pub holidays: &'a [String],
}

/// Replaces a desk's business hours (owners and admins). Refused with the
/// reason: unknown zones, empty or overlapping blocks, a week without work,
/// dates that are not dates.
pub async fn set_business_hours(
    app: &App,
    by: &Caller,
    handle: &str,
    input: HoursInput<'_>,
) -> Result<BusinessHours, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let mut week: [Vec<Block>; 7] = Default::default();
    for (day, blocks) in week.iter_mut().zip(input.week) {
        *day = blocks
            .iter()
            .map(|b| Block::parse(b))
            .collect::<Result<_, _>>()?;
    }
    let holidays = input
        .holidays
        .iter()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                Error::Invalid(format!("holiday '{d}' is not a date such as 2026-12-25"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let hours = BusinessHours::new(input.time_zone, week, holidays)?;
    let mut audit = by.audit("helpdesk.hours", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "time_zone": hours.zone().name() }).to_string();
    app.store
        .sla()
        .set_business_hours(profile.id, &hours, &audit, now())
        .await?;
    reclock_desk(app, profile.id).await?;
    Ok(hours)
}

/// A desk's business hours (members, owners and admins).
pub async fn business_hours(app: &App, by: &Caller, handle: &str) -> Result<BusinessHours, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    }
    Ok(app.store.sla().business_hours(profile.id).await?)
}

/// SLA targets as typed, in business minutes (checked by [`set_sla`]).
pub struct TargetsInput {
    /// Opening to first public reply.
    pub first_response_minutes: Option<i64>,
    /// Requester reply to the next public reply.
    pub next_response_minutes: Option<i64>,
    /// Opening to solved.
    pub resolution_minutes: Option<i64>,
    /// Warning before a breach.
    pub warn_before_minutes: i64,
}

/// Sets a priority's SLA targets, or removes them with `None` (owners and
/// admins). Refused with the reason: zero or negative targets, none at
/// all, a warning not before every target.
pub async fn set_sla(
    app: &App,
    by: &Caller,
    handle: &str,
    priority: &str,
    targets: Option<TargetsInput>,
) -> Result<Option<SlaTargets>, Error> {
    let priority = Priority::parse(priority).map_err(|_| Error::NotFound)?;
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let targets = targets
        .map(|t| {
            SlaTargets::new(
                t.first_response_minutes,
                t.next_response_minutes,
                t.resolution_minutes,
                t.warn_before_minutes,
            )
        })
        .transpose()?;
    let mut audit = by.audit("helpdesk.sla", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details =
        serde_json::json!({ "priority": priority.as_str(), "removed": targets.is_none() })
            .to_string();
    app.store
        .sla()
        .set_sla_policy(profile.id, priority, targets.as_ref(), &audit, now())
        .await?;
    reclock_desk(app, profile.id).await?;
    Ok(targets)
}

/// A desk's SLA targets by priority (members, owners and admins).
pub async fn sla_policies(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<Vec<(Priority, SlaTargets)>, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    }
    Ok(app.store.sla().sla_policies(profile.id).await?)
}

/// Gives each ticket just opened to a member of its desk who may work
/// tickets and is on shift now (everyone who may, when the desk keeps no
/// roster), by the desk's rule, skipping members at their limit. A ticket
/// nobody can take waits in the unassigned queue.
pub async fn assign_new(app: &App, tickets: &[i64]) -> Result<(), Error> {
    for id in tickets {
        let ticket = app.store.tickets().ticket_by_id(*id).await?;
        let Some(desk) = app.store.tickets().help_desk(ticket.profile_id).await? else {
            continue;
        };
        let rule = Assignment::parse(&desk.assignment)?;
        if rule == Assignment::Manual {
            continue;
        }
        let at = now();
        let (candidates, last) = on_shift_candidates(app, ticket.profile_id, at).await?;
        let Some(to) = choose(rule, &candidates, desk.open_limit, last) else {
            continue;
        };
        let mut audit = AuditEntry::new(None, "ticket.assign", format!("ticket:{id}"), "system");
        audit.profile_id = Some(ticket.profile_id);
        audit.details = serde_json::json!({ "to": to, "rule": rule.as_str() }).to_string();
        app.store
            .tickets()
            .assign_ticket(*id, Some(to), None, Some(desk.open_limit), &audit, at)
            .await?;
    }
    Ok(())
}

/// The members of a desk who may work tickets and are on shift at `at`
/// (everyone who may, when the desk keeps no roster), with their open
/// tickets, and the member given the last ticket automatically.
async fn on_shift_candidates(
    app: &App,
    profile_id: i64,
    at: byline_core::Timestamp,
) -> Result<(Vec<Candidate>, Option<i64>), Error> {
    let (members, last) = app
        .store
        .tickets()
        .assignment_candidates(profile_id)
        .await?;
    let shifts = app.store.rosters().shifts(profile_id, None, at).await?;
    let on_shift: Vec<i64> = shifts
        .iter()
        .filter(|row| {
            Shift::parse(
                &row.time_zone,
                &row.starts_local,
                &row.ends_local,
                row.recurrence.as_deref(),
            )
            .is_ok_and(|s| s.covering(at).is_some())
        })
        .map(|row| row.user_id)
        .collect();
    let candidates = members
        .into_iter()
        .filter(|(user, _)| shifts.is_empty() || on_shift.contains(user))
        .map(|(user_id, open)| Candidate { user_id, open })
        .collect();
    Ok((candidates, last))
}

/// Gives a ticket to the member with personal handle `member`, or to nobody
/// with `None` (members other than observers). Refused with the reason:
/// someone not a member, an observer, a deactivated member.
pub async fn assign(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    member: Option<&str>,
) -> Result<Ticket, Error> {
    let (profile, ticket) = workable(app, by, handle, number).await?;
    let to = match member {
        None => None,
        Some(h) => {
            let h = byline_core::Handle::parse(h).map_err(|_| {
                Error::Invalid(format!("'{h}' is not a member of @{}", profile.handle))
            })?;
            let p = match app.store.profiles().profile_by_handle(&h).await {
                Ok(p) => p,
                Err(byline_store::StoreError::NotFound) => {
                    return Err(Error::Invalid(format!(
                        "@{} is not a member of @{}",
                        h.as_str(),
                        profile.handle
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            Some(
                p.user_id
                    .ok_or_else(|| Error::Invalid(format!("@{} is not a person", h.as_str())))?,
            )
        }
    };
    let mut audit = by.audit("ticket.assign", format!("ticket:{}", ticket.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "to": to }).to_string();
    app.store
        .tickets()
        .assign_ticket(ticket.id, to, Some(by.user.id), None, &audit, now())
        .await?;
    Ok(app.store.tickets().ticket(profile.id, number).await?)
}

/// Changes a ticket's priority (members other than observers).
pub async fn set_priority(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    priority: &str,
) -> Result<Ticket, Error> {
    let priority = Priority::parse(priority)?;
    let (profile, ticket) = workable(app, by, handle, number).await?;
    let mut audit = by.audit("ticket.priority", format!("ticket:{}", ticket.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "priority": priority.as_str() }).to_string();
    app.store
        .tickets()
        .set_ticket_priority(ticket.id, priority, by.user.id, &audit, now())
        .await?;
    schedule_clock_jobs(app, ticket.id).await?;
    Ok(app.store.tickets().ticket(profile.id, number).await?)
}

/// Replaces a ticket's tags (members other than observers): each a
/// lowercase word, at most ten; refused whole, changing nothing, if any
/// is bad. Setting the tags it already has records nothing.
pub async fn set_tags(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    tags: &[String],
) -> Result<Ticket, Error> {
    let (profile, ticket) = workable(app, by, handle, number).await?;
    let tags = byline_core::ticket::parse_tags(tags)?;
    let names: Vec<&str> = tags.iter().map(Tag::as_str).collect();
    let mut audit = by.audit("ticket.tags", format!("ticket:{}", ticket.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "from": ticket.tags, "to": names }).to_string();
    app.store
        .tickets()
        .set_ticket_tags(ticket.id, &tags, by.user.id, &audit, now())
        .await?;
    Ok(app.store.tickets().ticket(profile.id, number).await?)
}

/// Adds one tag to a ticket and removes another (either may be absent),
/// as the ticket page's form does without JavaScript.
pub async fn change_tag(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    add: Option<&str>,
    remove: Option<&str>,
) -> Result<Ticket, Error> {
    let (_, ticket) = workable(app, by, handle, number).await?;
    let mut tags = ticket.tags.clone();
    if let Some(r) = remove {
        tags.retain(|t| t != r.trim());
    }
    if let Some(a) = add.filter(|a| !a.trim().is_empty()) {
        // Several words typed at once are several tags.
        tags.extend(
            a.split([' ', ','])
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        );
    }
    set_tags(app, by, handle, number, &tags).await
}

/// Help-desk settings to change; what is `None` stays as it is.
#[derive(Debug, Default)]
pub struct SettingsChange<'a> {
    /// `round_robin`, `least_loaded` or `manual`.
    pub assignment: Option<&'a str>,
    /// Most open tickets a member is given automatically (1 to 1000).
    pub open_limit: Option<i64>,
    /// Days before a solved ticket closes (1 to 365).
    pub auto_close_days: Option<i64>,
}

/// Changes a desk's settings (owners and admins). Everything is checked
/// before anything is written.
pub async fn change_settings(
    app: &App,
    by: &Caller,
    handle: &str,
    change: SettingsChange<'_>,
) -> Result<HelpDesk, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let current = app
        .store
        .tickets()
        .help_desk(profile.id)
        .await?
        .ok_or(Error::NotFound)?;
    let rule = match change.assignment {
        Some(r) => Assignment::parse(r)?,
        None => Assignment::parse(&current.assignment)?,
    };
    let limit = change.open_limit.unwrap_or(current.open_limit);
    if !(1..=1000).contains(&limit) {
        return Err(Error::Invalid(
            "a member's open-ticket limit is 1 to 1000".into(),
        ));
    }
    let days = change.auto_close_days.unwrap_or(current.auto_close_days);
    if !(1..=365).contains(&days) {
        return Err(Error::Invalid(
            "a solved ticket closes after 1 to 365 days".into(),
        ));
    }
    let mut audit = by.audit("helpdesk.settings", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({
        "assignment": rule.as_str(),
        "open_limit": limit,
        "auto_close_days": days,
    })
    .to_string();
    let tickets = app.store.tickets();
    tickets
        .set_assignment(profile.id, rule.as_str(), limit, &audit, now())
        .await?;
    if days != current.auto_close_days {
        tickets
            .set_auto_close_days(profile.id, days, &audit, now())
            .await?;
    }
    app.intake.forget(profile.id);
    tickets.help_desk(profile.id).await?.ok_or(Error::NotFound)
}

/// A desk's canned replies (members).
pub async fn canned_replies(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<Vec<byline_store::tickets::CannedReply>, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ReadInbox { role })?;
    Ok(app.store.tickets().canned_replies(profile.id).await?)
}

/// Saves a canned reply (members other than observers). Refused with the
/// reason: no title, empty or too long, an unknown placeholder, a title
/// already used.
pub async fn add_canned_reply(
    app: &App,
    by: &Caller,
    handle: &str,
    title: &str,
    body: &str,
) -> Result<byline_store::tickets::CannedReply, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        return Err(Error::Forbidden);
    }
    authorize(Some(&by.actor()), Action::WorkTicket { role })?;
    byline_core::canned::check(title, body)?;
    let mut audit = by.audit("helpdesk.canned_add", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "title": title.trim() }).to_string();
    match app
        .store
        .tickets()
        .add_canned_reply(profile.id, title.trim(), body, by.user.id, &audit, now())
        .await
    {
        Err(byline_store::StoreError::Conflict { .. }) => Err(Error::Invalid(format!(
            "a canned reply called '{}' already exists",
            title.trim()
        ))),
        other => Ok(other?),
    }
}

/// Removes a canned reply (members other than observers).
pub async fn remove_canned_reply(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
) -> Result<(), Error> {
    let (profile, role) = desk(app, by, handle).await?;
    if authorize(Some(&by.actor()), Action::ReadInbox { role }).is_err() {
        return Err(Error::Forbidden);
    }
    authorize(Some(&by.actor()), Action::WorkTicket { role })?;
    let mut audit = by.audit("helpdesk.canned_remove", format!("canned:{id}"));
    audit.profile_id = Some(profile.id);
    Ok(app
        .store
        .tickets()
        .remove_canned_reply(profile.id, id, &audit, now())
        .await?)
}

/// After a post or message opened tickets or added to them (committed
/// with it): hands new ones out and schedules their clocks' jobs, except
/// for those the intake of one of `planned` (desks) `settled` in the
/// write itself, whose desks' open inboxes only need to hear of them. A
/// failure here leaves the ticket in the unassigned queue, never undone.
pub(crate) async fn after_change(app: &App, tickets: &[i64], settled: &[i64], planned: &[i64]) {
    let rest: Vec<i64> = tickets
        .iter()
        .copied()
        .filter(|t| !settled.contains(t))
        .collect();
    if !settled.is_empty() {
        // Every planned desk is told: a refresh too many costs a reader
        // one page, a query here costs every mention one read.
        for profile_id in planned {
            app.live.publish(crate::live::LiveEvent::Inbox {
                profile_id: *profile_id,
            });
        }
    }
    if rest.is_empty() {
        return;
    }
    if let Err(e) = assign_new(app, &rest).await {
        tracing::warn!(error = %e, tickets = ?rest, "new tickets not assigned");
    }
    for ticket in rest {
        if let Err(e) = schedule_clock_jobs(app, ticket).await {
            tracing::warn!(error = %e, ticket, "SLA jobs not scheduled");
        }
    }
}

/// Answers a ticket publicly, as the profile, in its thread: `text`, or
/// the canned reply `canned` with its placeholders filled in. The answer
/// is a post spoken through the one speak function, so its byline, the
/// profile's policy and shift rule and the audit log apply as to any
/// other; the ticket records it as its answer.
pub async fn reply(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    text: Option<&str>,
    canned: Option<i64>,
) -> Result<Ticket, Error> {
    let (profile, ticket) = workable(app, by, handle, number).await?;
    let body = match (text, canned) {
        (Some(t), None) => t.to_owned(),
        (None, Some(id)) => {
            let reply = app
                .store
                .tickets()
                .canned_replies(profile.id)
                .await?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or_else(|| Error::Invalid("no such canned reply on this help desk".into()))?;
            let number = format!("#{}", ticket.number);
            let requester = format!("@{}", ticket.requester_handle);
            // The reply goes out as the profile: naming the member who has
            // the ticket would tell the requester who speaks for it, which
            // only the policy in force may allow.
            let policy = app
                .store
                .shared_profiles()
                .policy_history(profile.id)
                .await?
                .at(now());
            let requester_sees_writer = authorize(
                Some(&by.actor()),
                Action::SeeByline {
                    policy,
                    member: false,
                    investigating: false,
                },
            )
            .is_ok();
            let assignee = ticket
                .assignee_handle
                .clone()
                .filter(|_| requester_sees_writer)
                .map_or_else(|| profile.display_name.clone(), |h| format!("@{h}"));
            byline_core::canned::fill(
                &reply.body,
                &byline_core::canned::Values {
                    requester: &requester,
                    requester_name: &ticket.requester_name,
                    ticket: &number,
                    assignee: &assignee,
                },
            )
        }
        _ => {
            return Err(Error::Invalid(
                "give either the text of the reply or a canned reply".into(),
            ));
        }
    };
    // Answering from the ticket should not leave the agent speaking as the
    // desk everywhere else: a session opened for this answer ends with it.
    let at = now();
    let was_acting = crate::acting::current_at(app, by, at)
        .await?
        .is_some_and(|s| s.membership.profile_id == profile.id);
    let answered = answer(app, by, &profile, &ticket, body).await;
    if !was_acting {
        crate::acting::switch_out_at(app, by, "answered a ticket", now()).await?;
    }
    answered?;
    Ok(app.store.tickets().ticket(profile.id, number).await?)
}

/// Says `body` as the desk where the ticket lives: its conversation or
/// its thread.
async fn answer(
    app: &App,
    by: &Caller,
    profile: &Profile,
    ticket: &Ticket,
    body: String,
) -> Result<(), Error> {
    match (ticket.conversation_id, ticket.source_post_id) {
        // A direct message is answered in its conversation.
        (Some(conversation), _) => {
            crate::messages::send(app, by, conversation, &body, Some(&profile.handle)).await?;
        }
        (None, Some(post)) => {
            crate::posts::create(
                app,
                by,
                crate::posts::Compose {
                    text: body,
                    community: None,
                    reply_to: Some(post),
                    attachments: Vec::new(),
                    acting_as: Some(profile.handle.clone()),
                },
            )
            .await?;
        }
        (None, None) => {
            return Err(Error::Internal(
                "a ticket with neither thread nor conversation".into(),
            ));
        }
    }
    Ok(())
}

/// Rates the answer to one's own request, 1 to 5 with a comment, once per
/// solve (the requester only).
pub async fn rate(
    app: &App,
    by: &Caller,
    handle: &str,
    number: i64,
    score: i64,
    comment: &str,
) -> Result<(), Error> {
    let (profile, _) = desk(app, by, handle).await?;
    let ticket = app.store.tickets().ticket(profile.id, number).await?;
    let requester = ticket.requester_profile_id == by.user.profile_id;
    authorize(Some(&by.actor()), Action::RateTicket { requester }).map_err(|_| Error::NotFound)?;
    if !(1..=5).contains(&score) {
        return Err(Error::Invalid("a rating is 1 to 5".into()));
    }
    if comment.chars().count() > 1_000 {
        return Err(Error::Invalid(
            "a comment is at most 1,000 characters".into(),
        ));
    }
    let mut audit = by.audit("ticket.rate", format!("ticket:{}", ticket.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "score": score }).to_string();
    Ok(app
        .store
        .tickets()
        .rate_ticket(
            ticket.id,
            by.user.profile_id,
            by.user.id,
            score,
            comment.trim(),
            &audit,
            now(),
        )
        .await?)
}

/// A desk's satisfaction over the last `days` days: owners and admins see
/// the desk and every member; other members only their own figures.
pub async fn satisfaction(
    app: &App,
    by: &Caller,
    handle: &str,
    days: i64,
) -> Result<Vec<byline_store::tickets::Satisfaction>, Error> {
    if !(1..=366).contains(&days) {
        return Err(Error::Invalid("a range is 1 to 366 days".into()));
    }
    let (profile, role) = desk(app, by, handle).await?;
    authorize(
        Some(&by.actor()),
        Action::SeeSatisfaction { role, own: true },
    )?;
    let everyone = authorize(
        Some(&by.actor()),
        Action::SeeSatisfaction { role, own: false },
    )
    .is_ok();
    let to = now();
    let all = app
        .store
        .tickets()
        .satisfaction(profile.id, to.plus_seconds(-days * 86_400), to)
        .await?;
    Ok(all
        .into_iter()
        .filter(|s| everyone || s.user_id == Some(by.user.id))
        .collect())
}
