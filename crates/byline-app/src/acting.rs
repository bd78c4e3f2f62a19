//! Acting as a shared profile: switching in and out, and naming the voice
//! that the store's one speak function then checks inside the write.

use crate::Caller;
use crate::Error;
use crate::{App, now};
use byline_core::policy::{Action, authorize};
use byline_core::{Handle, Timestamp};
use byline_store::shared_profiles::{ActingSession, Membership};
use byline_store::speak::Voice;

/// An acting session ends after this long without anything said.
pub const IDLE_SECS: i64 = byline_core::shared_profile::ACTING_IDLE_SECS;

/// The user's membership of a shared profile, if the policy lets them act
/// as it at all; a refusal is audited.
pub(crate) async fn membership(app: &App, by: &Caller, handle: &str) -> Result<Membership, Error> {
    let handle = Handle::parse(handle).map_err(|_| Error::NotFound)?;
    let m = app
        .store
        .shared_profiles()
        .memberships_of(by.user.id, Some(handle.as_str()))
        .await?
        .pop();
    let role = m.as_ref().map(|m| m.role);
    if authorize(Some(&by.actor()), Action::ActAs { role }).is_err() {
        // Refused attempts to act as a profile are worth recording.
        let entry = by.audit("acting.refused", format!("profile:@{}", handle.as_str()));
        app.store.audit().append_audit(&entry, now()).await?;
        return Err(Error::Forbidden);
    }
    m.ok_or(Error::Forbidden)
}

/// Switches the user in now.
pub async fn switch_in(
    app: &App,
    by: &Caller,
    handle: &str,
    user_agent: &str,
) -> Result<ActingSession, Error> {
    switch_in_at(app, by, handle, user_agent, now()).await
}

/// Switches the user in at `at`: starts an acting session as the profile.
pub async fn switch_in_at(
    app: &App,
    by: &Caller,
    handle: &str,
    user_agent: &str,
    at: Timestamp,
) -> Result<ActingSession, Error> {
    let m = membership(app, by, handle).await?;
    let audit = by.audit("acting.start", String::new());
    app.store
        .shared_profiles()
        .start_acting(
            by.user.id,
            m.profile_id,
            &by.source_address,
            user_agent,
            &audit,
            at,
        )
        .await?;
    current_at(app, by, at)
        .await?
        .ok_or(Error::Internal("acting session vanished".into()))
}

/// Switches the user out now; returns whether they were acting.
pub async fn switch_out(app: &App, by: &Caller, reason: &str) -> Result<bool, Error> {
    switch_out_at(app, by, reason, now()).await
}

/// Switches the user out as of `at`.
pub async fn switch_out_at(
    app: &App,
    by: &Caller,
    reason: &str,
    at: Timestamp,
) -> Result<bool, Error> {
    let mut audit = by.audit("acting.end", String::new());
    audit.details = format!("{{\"reason\":\"{reason}\"}}");
    Ok(app
        .store
        .shared_profiles()
        .end_acting(by.user.id, reason, &audit, at)
        .await?)
}

/// The user's open acting session now, if any (idle ones are ended).
pub async fn current(app: &App, by: &Caller) -> Result<Option<ActingSession>, Error> {
    current_at(app, by, now()).await
}

/// The user's open acting session as of `n`.
pub async fn current_at(
    app: &App,
    by: &Caller,
    n: Timestamp,
) -> Result<Option<ActingSession>, Error> {
    Ok(app
        .store
        .shared_profiles()
        .current_acting(by.user.id, n.plus_seconds(-IDLE_SECS), n)
        .await?)
}

/// What the profile switcher shows a signed-in person.
pub struct Switcher {
    /// The shared profiles they may act as.
    pub profiles: Vec<Membership>,
    /// The one they are acting as now, if any.
    pub acting: Option<ActingSession>,
    /// Unread messages in the inbox the messages pages show: the acting
    /// profile's while acting, else their own.
    pub unread_messages: i64,
    /// Whether they hold the investigator right (for the menu).
    pub investigator: bool,
}

/// The switcher's facts for the signed-in person.
pub async fn switcher(app: &App, by: &Caller) -> Result<Switcher, Error> {
    let acting = current(app, by).await?;
    let inbox = acting
        .as_ref()
        .map_or(by.user.profile_id, |s| s.membership.profile_id);
    Ok(Switcher {
        profiles: app
            .store
            .shared_profiles()
            .memberships_of(by.user.id, None)
            .await?,
        acting,
        unread_messages: app.store.messages().unread_messages(inbox).await?,
        investigator: app
            .store
            .investigations()
            .is_investigator(by.user.id)
            .await?,
    })
}

/// Resolves who would speak as a shared profile: the membership (a user
/// with none is refused and audited) and the acting session, starting one
/// for API callers who name `acting_as`. It decides nothing about the
/// words: the store's one speak function re-reads membership, role, session
/// and shift inside the write transaction, asks the policy, and records the
/// byline and its audit event (or audits the refusal).
pub async fn voice_at<'a>(
    app: &App,
    by: &'a Caller,
    acting_as: &str,
    at: Timestamp,
) -> Result<Voice<'a>, Error> {
    let handle = Handle::parse(acting_as).map_err(|_| Error::NotFound)?;
    // Speaking through the session already open needs no look at the
    // membership here: the speak function re-reads it inside its
    // transaction, and audits a refusal there.
    let open = current_at(app, by, at)
        .await?
        .filter(|s| s.membership.handle == handle.as_str());
    let (session_id, profile_id) = match open {
        Some(s) => (s.id, s.membership.profile_id),
        None => {
            // Checks (and audits a refusal of) the membership, then joins
            // the session a concurrent request of the same caller may
            // have just started, or starts one.
            let m = membership(app, by, acting_as).await?;
            let audit = by.audit("acting.start", String::new());
            let id = app
                .store
                .shared_profiles()
                .join_or_start_acting(
                    by.user.id,
                    m.profile_id,
                    at.plus_seconds(-IDLE_SECS),
                    &by.source_address,
                    "api",
                    &audit,
                    at,
                )
                .await?;
            (id, m.profile_id)
        }
    };
    Ok(Voice::new(
        by.user.id,
        profile_id,
        session_id,
        &by.source_address,
    ))
}
