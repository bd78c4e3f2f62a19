//! Acting as a shared profile: switching in and out, and the one path by
//! which anything is said as a shared profile (policy check, byline and
//! audit event, all in the transaction of the write).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::{AppState, now};
use byline_core::Handle;
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::Speech;
use byline_store::audit::AuditEntry;
use byline_store::shared_profiles::{ActingSession, Membership};

/// An acting session ends after this long without anything said.
pub const IDLE_SECS: i64 = 30 * 60;

async fn membership(
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

/// Switches the user in: starts an acting session as the profile.
pub async fn switch_in(
    state: &AppState,
    by: &CurrentUser,
    handle: &str,
    user_agent: &str,
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
            now(),
        )
        .await?;
    current(state, by)
        .await?
        .ok_or(AppError::Internal("acting session vanished".into()))
}

/// Switches the user out; returns whether they were acting.
pub async fn switch_out(
    state: &AppState,
    by: &CurrentUser,
    reason: &str,
) -> Result<bool, AppError> {
    let mut audit = by.audit("acting.end", String::new());
    audit.details = format!("{{\"reason\":\"{reason}\"}}");
    Ok(state
        .store
        .end_acting(by.user.id, reason, &audit, now())
        .await?)
}

/// The user's open acting session, if any (idle ones are ended).
pub async fn current(
    state: &AppState,
    by: &CurrentUser,
) -> Result<Option<ActingSession>, AppError> {
    let n = now();
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

/// The one gate for speaking as a shared profile: resolves the acting
/// session (starting one for API callers who name `acting_as`), asks the
/// policy whether this role may say this, and prepares the audit event.
/// A refusal is itself audited.
pub async fn speaker(
    state: &AppState,
    by: &CurrentUser,
    acting_as: &str,
    speech: Speech,
    action: &'static str,
) -> Result<Speaker, AppError> {
    let m = membership(state, by, acting_as).await?;
    let session = match current(state, by).await? {
        Some(s) if s.membership.profile_id == m.profile_id => s,
        _ => switch_in(state, by, acting_as, "api").await?,
    };
    if authorize(
        Some(&by.actor()),
        Action::SpeakAs {
            role: Some(session.membership.role),
            speech,
        },
    )
    .is_err()
    {
        let mut entry = by.audit(
            "speak.refused",
            format!("profile:{}", session.membership.profile_id),
        );
        entry.profile_id = Some(session.membership.profile_id);
        entry.details = format!(
            "{{\"role\":\"{}\",\"action\":\"{action}\"}}",
            session.membership.role.as_str()
        );
        state.store.append_audit(&entry, now()).await?;
        return Err(AppError::Forbidden);
    }
    let audit = AuditEntry {
        profile_id: Some(session.membership.profile_id),
        ..by.audit(action, String::new())
    };
    Ok(Speaker { session, audit })
}
