//! The help desk: a shared profile's owner turns it on; from then on every
//! mention of the profile is a ticket (opened by the store inside the
//! post's own write). Members read the inbox and tickets with their
//! internal notes; members other than observers work them; a requester
//! sees their own requests without the notes. Public replies are posts
//! spoken as the profile in the ticket's thread, through the one speak
//! function like every other word said as it.

use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use byline_core::business_hours::{Block, BusinessHours};
use byline_core::markdown::{self, PostText};
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::ProfileRole;
use byline_core::sla::{Clock, SlaTargets};
use byline_core::ticket::{Priority, TicketStatus};
use byline_store::profiles::Profile;
use byline_store::tickets::{HelpDesk, Ticket, TicketEvent, TicketView, ViewCounts};
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
}

/// Parses a view's name: `mine`, `unassigned`, `open` (default) or `done`.
pub fn view_named(name: Option<&str>, user_id: i64) -> Result<TicketView, Error> {
    Ok(match name.unwrap_or("open") {
        "mine" => TicketView::Mine(user_id),
        "unassigned" => TicketView::Unassigned,
        "open" => TicketView::AllOpen,
        "done" => TicketView::Done,
        other => {
            return Err(Error::Invalid(format!(
                "unknown view '{other}': expected mine, unassigned, open or done"
            )));
        }
    })
}

/// The profile and the caller's role on it, refusing when its help desk
/// is not on (which, to an outsider, is as if it had none).
async fn desk(
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
    Ok(app
        .store
        .tickets()
        .enable_help_desk(profile.id, by.user.id, &audit, now())
        .await?)
}

/// A view of the inbox (members).
pub async fn inbox(
    app: &App,
    by: &Caller,
    handle: &str,
    view: Option<&str>,
    before: Option<i64>,
) -> Result<Inbox, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ReadInbox { role })?;
    let view = view_named(view, by.user.id)?;
    let tickets = app.store.tickets();
    Ok(Inbox {
        tickets: tickets.tickets(profile.id, view, before, PAGE).await?,
        counts: tickets.view_counts(profile.id, by.user.id).await?,
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
    Ok(TicketPage {
        clocks,
        events: app.store.tickets().ticket_events(ticket.id, member).await?,
        can_work: authorize(Some(&by.actor()), Action::WorkTicket { role }).is_ok(),
        member,
        profile,
        ticket,
    })
}

/// A ticket a member may work, or why not.
async fn workable(
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
    Ok(app
        .store
        .tickets()
        .requester_tickets(by.user.profile_id, PAGE)
        .await?)
}

/// The help desk's jobs, for the runner: closing solved tickets after
/// their desk's days.
pub fn job_handlers(handlers: crate::jobs::Handlers) -> crate::jobs::Handlers {
    handlers.on(byline_store::tickets::AUTO_CLOSE, |app, job| async move {
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

/// Sets how many days a solved ticket waits before it closes (owners and
/// admins).
pub async fn set_auto_close_days(
    app: &App,
    by: &Caller,
    handle: &str,
    days: i64,
) -> Result<HelpDesk, Error> {
    let (profile, role) = desk(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageSharedProfile { role })?;
    let mut audit = by.audit("helpdesk.settings", format!("profile:{}", profile.id));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "auto_close_days": days }).to_string();
    app.store
        .tickets()
        .set_auto_close_days(profile.id, days, &audit, now())
        .await?;
    app.store
        .tickets()
        .help_desk(profile.id)
        .await?
        .ok_or(Error::NotFound)
}

/// A ticket's SLA clocks now, from its history, its priority's targets and
/// its desk's business hours.
pub async fn clocks_of(app: &App, ticket: &Ticket) -> Result<Vec<Clock>, Error> {
    let sla = app.store.sla();
    let Some((_, targets)) = sla
        .sla_policies(ticket.profile_id)
        .await?
        .into_iter()
        .find(|(p, _)| *p == ticket.priority)
    else {
        return Ok(Vec::new());
    };
    let hours = sla.business_hours(ticket.profile_id).await?;
    let history = sla.clock_history(ticket.id).await?;
    Ok(byline_core::sla::clocks(&history, &targets, &hours, now()))
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
