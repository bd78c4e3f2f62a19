//! Acting as a shared profile: switching in and out, and the one path by
//! which anything is said as a shared profile (policy check, byline and
//! audit event, all in the transaction of the write).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use byline_core::policy::{Action, Denial, authorize};
use byline_core::shared_profile::Speech;
use byline_core::{Handle, Timestamp};
use byline_store::audit::AuditEntry;
use byline_store::shared_profiles::{ActingSession, Membership};

/// An acting session ends after this long without anything said.
pub const IDLE_SECS: i64 = 30 * 60;

/// The user's membership of a shared profile, if the policy lets them act
/// as it at all; a refusal is audited.
pub(crate) async fn membership(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
) -> Result<Membership, AppError> {
    let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let m = state
        .store
        .memberships_of(by.user.id, Some(handle.as_str()))
        .await?
        .pop();
    let role = m.as_ref().map(|m| m.role);
    if authorize(Some(&by.actor()), Action::ActAs { role }).is_err() {
        // Refused attempts to act as a profile are worth recording.
        let entry = by.audit("acting.refused", format!("profile:@{}", handle.as_str()));
        state.store.append_audit(&entry, now()).await?;
        return Err(AppError::Forbidden);
    }
    m.ok_or(AppError::Forbidden)
}

/// Switches the user in now.
pub async fn switch_in(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    user_agent: &str,
) -> Result<ActingSession, AppError> {
    switch_in_at(state, by, handle, user_agent, now()).await
}

/// Switches the user in at `at`: starts an acting session as the profile.
pub async fn switch_in_at(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    user_agent: &str,
    at: Timestamp,
) -> Result<ActingSession, AppError> {
    let m = membership(state, by, handle).await?;
    let audit = by.audit("acting.start", String::new());
    state
        .store
        .start_acting(
            by.user.id,
            m.profile_id,
            &by.source_address,
            user_agent,
            &audit,
            at,
        )
        .await?;
    current_at(state, by, at)
        .await?
        .ok_or(AppError::Internal("acting session vanished".into()))
}

/// Switches the user out now; returns whether they were acting.
pub async fn switch_out(
    state: &AppState,
    by: &CurrentUser,
    reason: &str,
) -> Result<bool, AppError> {
    switch_out_at(state, by, reason, now()).await
}

/// Switches the user out as of `at`.
pub async fn switch_out_at(
    state: &AppState,
    by: &CurrentUser,
    reason: &str,
    at: Timestamp,
) -> Result<bool, AppError> {
    let mut audit = by.audit("acting.end", String::new());
    audit.details = format!("{{\"reason\":\"{reason}\"}}");
    Ok(state
        .store
        .end_acting(by.user.id, reason, &audit, at)
        .await?)
}

/// The user's open acting session now, if any (idle ones are ended).
pub async fn current(
    state: &AppState,
    by: &CurrentUser,
) -> Result<Option<ActingSession>, AppError> {
    current_at(state, by, now()).await
}

/// The user's open acting session as of `n`.
pub async fn current_at(
    state: &AppState,
    by: &CurrentUser,
    n: Timestamp,
) -> Result<Option<ActingSession>, AppError> {
    Ok(state
        .store
        .current_acting(by.user.id, n.plus_seconds(-IDLE_SECS), n)
        .await?)
}

/// What the attributed-write path needs to speak as a profile.
pub struct Speaker {
    /// The acting session.
    pub session: ActingSession,
    /// The audit event to write with the words.
    pub audit: AuditEntry,
}

impl Speaker {
    /// The profile spoken as.
    pub fn profile_id(&self) -> i64 {
        self.session.membership.profile_id
    }

    /// The policy's view of the person speaking as the profile. Only the
    /// gate hands out a `Speaker`, so only it can make this actor.
    pub fn actor(&self, by: &CurrentUser) -> byline_core::policy::Actor {
        byline_core::policy::Actor {
            profile_id: self.profile_id(),
            ..by.actor()
        }
    }

    /// The byline the store records with the write (and whose audit event
    /// it appends in the write's transaction).
    pub fn byline(&self) -> byline_store::posts::Byline<'_> {
        byline_store::posts::Byline {
            acting_session_id: self.session.id,
            policy: self.session.membership.policy,
            audit: &self.audit,
        }
    }
}

/// The one gate for speaking as a shared profile: resolves the acting
/// session (starting one for API callers who name `acting_as`), asks the
/// policy whether this role may say this, and prepares the audit event.
/// A refusal is itself audited.
pub async fn speaker_at(
    state: &AppState,
    by: &CurrentUser,
    acting_as: &str,
    speech: Speech,
    action: &'static str,
    at: Timestamp,
) -> Result<Speaker, AppError> {
    let m = membership(state, by, acting_as).await?;
    let session = match current_at(state, by, at).await? {
        Some(s) if s.membership.profile_id == m.profile_id => s,
        _ => switch_in_at(state, by, acting_as, "api", at).await?,
    };
    let duty = crate::rosters::duty(state, session.membership.profile_id, by.user.id, at).await?;
    if let Err(denial) = authorize(
        Some(&by.actor()),
        Action::SpeakAs {
            role: Some(session.membership.role),
            speech,
            duty,
        },
    ) {
        let mut entry = by.audit(
            "speak.refused",
            format!("profile:{}", session.membership.profile_id),
        );
        entry.profile_id = Some(session.membership.profile_id);
        entry.details = serde_json::json!({
            "role": session.membership.role.as_str(),
            "action": action,
            "off_shift": denial == Denial::OffShift,
        })
        .to_string();
        state.store.append_audit(&entry, now()).await?;
        return Err(denial.into());
    }
    let audit = AuditEntry {
        profile_id: Some(session.membership.profile_id),
        ..by.audit(action, String::new())
    };
    Ok(Speaker { session, audit })
}
