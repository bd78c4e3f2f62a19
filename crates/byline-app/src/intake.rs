//! A help desk's intake: what a post or message that opens a ticket at a
//! desk does with it inside its own write. Before the write, the services
//! plan, for each desk it may open a ticket at, the members on shift the
//! ticket may go to and the SLA jobs and instants a ticket opened then
//! starts with; the store applies the plan in the post's transaction
//! (turn and load checked again there), so a mention of a working desk is
//! one commit.
//!
//! A desk's setup (settings, default-priority targets, calendar, roster)
//! changes rarely and is read on every mention of it, so it is kept here
//! for [`SETUP_TTL`]: changes made through this process are seen at once,
//! those of another server process within that time. Open-ticket loads
//! are counted inside the write.

use crate::tickets::{SLA_ALERT, alerts_due, first_instants};
use crate::{App, Error};
use byline_core::Timestamp;
use byline_core::assignment::Assignment;
use byline_core::business_hours::BusinessHours;
use byline_core::roster::Shift;
use byline_core::sla::SlaTargets;
use byline_core::ticket::Priority;
use byline_store::tickets::{HelpDesk, Intake};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a desk's setup is kept before it is read again.
pub const SETUP_TTL: Duration = Duration::from_secs(2);

/// What a desk's intake is planned from, apart from the loads.
struct Setup {
    desk: HelpDesk,
    rule: Assignment,
    /// The targets of the priority new tickets get, and the calendar.
    sla: Option<(SlaTargets, BusinessHours)>,
    /// Shifts on the roster (none: everyone may take tickets at any time).
    shifts: Vec<(i64, Shift)>,
    /// Whether the roster has rows, even ones that no longer parse.
    keeps_roster: bool,
    /// Who is on shift during one second (from the epoch). Shifts begin
    /// and end on whole local seconds, so the answer holds for the
    /// second, and a busy desk's recurrences are not walked on every
    /// mention.
    on_shift: Mutex<Option<(i64, Vec<i64>)>>,
}

impl Setup {
    /// The members whose shift covers `at`.
    fn on_shift(&self, at: Timestamp) -> Vec<i64> {
        let second = at.micros().div_euclid(1_000_000);
        if let Ok(kept) = self.on_shift.lock()
            && let Some((m, users)) = kept.as_ref()
            && *m == second
        {
            return users.clone();
        }
        let users: Vec<i64> = self
            .shifts
            .iter()
            .filter(|(_, s)| s.covering(at).is_some())
            .map(|(user, _)| *user)
            .collect();
        if let Ok(mut kept) = self.on_shift.lock() {
            *kept = Some((second, users.clone()));
        }
        users
    }
}

/// A profile's setup as read at an instant (`None`: not a desk that is on).
type Kept = (Instant, Option<Arc<Setup>>);

/// The setups of the desks this process has planned for lately; a profile
/// that is not a desk is remembered as `None`.
#[derive(Clone, Default)]
pub struct Setups {
    known: Arc<Mutex<HashMap<i64, Kept>>>,
}

impl Setups {
    /// Forgets what is kept for a profile (its settings, targets, calendar
    /// or roster changed).
    pub fn forget(&self, profile_id: i64) {
        if let Ok(mut known) = self.known.lock() {
            known.remove(&profile_id);
        }
    }

    fn kept(&self, profile_id: i64) -> Option<Option<Arc<Setup>>> {
        let known = self.known.lock().ok()?;
        let (at, setup) = known.get(&profile_id)?;
        (at.elapsed() < SETUP_TTL).then(|| setup.clone())
    }

    fn keep(&self, profile_id: i64, setup: Option<Arc<Setup>>) {
        if let Ok(mut known) = self.known.lock() {
            // Bounded: a process that has seen many profiles starts over.
            if known.len() > 10_000 {
                known.clear();
            }
            known.insert(profile_id, (Instant::now(), setup));
        }
    }
}

/// The setup of each help desk that is on among `profiles`.
async fn setups(app: &App, profiles: &[i64]) -> Result<Vec<Arc<Setup>>, Error> {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for p in profiles {
        match app.intake.kept(*p) {
            Some(Some(setup)) => found.push(setup),
            Some(None) => {}
            None => unknown.push(*p),
        }
    }
    if unknown.is_empty() {
        return Ok(found);
    }
    let desks = app.store.tickets().help_desks_among(&unknown).await?;
    for p in unknown {
        match desks.iter().find(|d| d.profile_id == p) {
            Some(desk) => {
                let setup = Arc::new(read_setup(app, desk.clone()).await?);
                app.intake.keep(p, Some(setup.clone()));
                found.push(setup);
            }
            None => app.intake.keep(p, None),
        }
    }
    Ok(found)
}

async fn read_setup(app: &App, desk: HelpDesk) -> Result<Setup, Error> {
    let rule = Assignment::parse(&desk.assignment)?;
    let sla = app.store.sla();
    let targets = sla
        .sla_policies(desk.profile_id)
        .await?
        .into_iter()
        .find(|(p, _)| *p == Priority::Normal)
        .map(|(_, t)| t);
    let sla = match targets {
        Some(t) => Some((t, sla.business_hours(desk.profile_id).await?)),
        None => None,
    };
    let (shifts, keeps_roster) = if rule == Assignment::Manual {
        (Vec::new(), false)
    } else {
        let rows = app
            .store
            .rosters()
            .shifts(desk.profile_id, None, crate::now())
            .await?;
        let keeps = !rows.is_empty();
        let parsed = rows
            .iter()
            .filter_map(|row| {
                Shift::parse(
                    &row.time_zone,
                    &row.starts_local,
                    &row.ends_local,
                    row.recurrence.as_deref(),
                )
                .ok()
                .map(|s| (row.user_id, s))
            })
            .collect();
        (parsed, keeps)
    };
    Ok(Setup {
        desk,
        rule,
        sla,
        shifts,
        keeps_roster,
        on_shift: Mutex::new(None),
    })
}

/// The plan for one desk, for a ticket opened at `at`. The members' loads
/// are counted by the write itself, where they cannot be out of date.
fn plan(setup: &Setup, at: Timestamp) -> Intake {
    let profile_id = setup.desk.profile_id;
    let on_shift =
        (setup.rule != Assignment::Manual && setup.keeps_roster).then(|| setup.on_shift(at));
    let alerts = match &setup.sla {
        Some((targets, hours)) => {
            let opened = [byline_core::sla::TicketEvent::Opened(at)];
            alerts_due(
                &byline_core::sla::clocks(&opened, targets, hours, at),
                Some(targets),
                at,
            )
        }
        None => Vec::new(),
    };
    let (sla_warn_at, sla_due_at) = first_instants(&alerts);
    Intake {
        profile_id,
        rule: setup.rule,
        open_limit: setup.desk.open_limit,
        on_shift,
        sla_warn_at,
        sla_due_at,
        job_kind: SLA_ALERT,
        jobs: Box::new(move |id| alerts.iter().map(|a| a.job(id)).collect()),
    }
}

/// The intake of the help desks among `profiles` (those a post
/// mentions), or none when reading it failed: the tickets are then seen
/// to after the write, as without it.
pub(crate) async fn for_profiles(app: &App, profiles: &[i64], at: Timestamp) -> Vec<Intake> {
    if profiles.is_empty() {
        return Vec::new();
    }
    let planned = async {
        let mut out = Vec::new();
        for setup in setups(app, profiles).await? {
            out.push(plan(&setup, at));
        }
        Ok::<_, Error>(out)
    };
    planned.await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "help-desk intake not planned; done after the write");
        Vec::new()
    })
}

/// The intake of the help desks taking part in a conversation, other than
/// the sender `from` (a desk's own message opens no ticket).
pub(crate) async fn for_conversation(
    app: &App,
    conversation: i64,
    from: i64,
    at: Timestamp,
) -> Vec<Intake> {
    let desks = match app
        .store
        .tickets()
        .help_desks_in_conversation(conversation)
        .await
    {
        Ok(desks) => desks,
        Err(e) => {
            tracing::warn!(error = %e, "help-desk intake not planned; done after the write");
            return Vec::new();
        }
    };
    let profiles: Vec<i64> = desks
        .iter()
        .map(|d| d.profile_id)
        .filter(|p| *p != from)
        .collect();
    for_profiles(app, &profiles, at).await
}
