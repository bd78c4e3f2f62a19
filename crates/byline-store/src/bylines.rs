//! Bylines: who really wrote something, established inside the write
//! transaction. [`Writer`] and [`Byline`] are made only by the macros here
//! (`personal_writer!` for a person speaking as themselves, `hear!` for a
//! shared profile's voice, checked against the policy), and every store
//! write of words takes a `Writer`, so a shared profile's words cannot be
//! written without their byline.

use crate::StoreError;
use byline_core::Timestamp;
use byline_core::policy::Denial;
use byline_core::roster::Shift;
use byline_core::shared_profile::{AttributionPolicy, Duty, ProfileRole};

/// Who really spoke as a shared profile, as established inside the write
/// transaction. Only [`hear!`] makes one.
pub(crate) struct Byline {
    pub(crate) acting_session_id: i64,
    pub(crate) policy: AttributionPolicy,
}

/// Who a write is by, as established inside its transaction: a person as
/// themselves (no byline) or a shared profile (with its byline).
pub(crate) struct Writer {
    /// The profile the words appear under.
    pub(crate) profile_id: i64,
    /// The person writing.
    pub(crate) user_id: i64,
    /// That person's own profile (their uploads belong to it).
    pub(crate) personal_profile_id: i64,
    /// Set when speaking as a shared profile.
    pub(crate) byline: Option<Byline>,
}

impl Writer {
    pub(crate) fn acting_session_id(&self) -> Option<i64> {
        self.byline.as_ref().map(|b| b.acting_session_id)
    }

    pub(crate) fn policy(&self) -> Option<&'static str> {
        self.byline.as_ref().map(|b| b.policy.as_str())
    }
}

/// Why a voice was not heard, with the role it was found to have.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal {
    pub(crate) denial: Denial,
    pub(crate) role: Option<ProfileRole>,
}

/// The writer for a person speaking as themselves, inside `$tx`.
macro_rules! personal_writer {
    ($store:expr, $tx:ident, $user_id:expr) => {{
        let user_id: i64 = $user_id;
        let known = $store.memo.personal_profile(user_id);
        let profile_id: i64 = match known {
            Some(id) => id,
            None => {
                let id: i64 = sqlx::query_scalar(
                    "SELECT id FROM profiles WHERE user_id = $1 AND kind = 'personal'",
                )
                .bind(user_id)
                .fetch_optional(&mut *$tx)
                .await?
                .ok_or($crate::StoreError::NotFound)?;
                $store.memo.learn_personal_profile(user_id, id);
                id
            }
        };
        $crate::bylines::Writer {
            profile_id,
            user_id,
            personal_profile_id: profile_id,
            byline: None,
        }
    }};
}

/// Checks a [`Voice`] inside the open transaction `$tx`: evaluates to
/// `Ok(Writer)` with its byline, or `Err(Refusal)`. `$lock` is the
/// dialect's row-lock clause for the facts read.
macro_rules! hear {
    ($tx:ident, $voice:expr, $speech:expr, $now:expr, $lock:expr) => {{
        let v: &$crate::speak::Voice<'_> = $voice;
        let speech: byline_core::shared_profile::Speech = $speech;
        let now: byline_core::Timestamp = $now;
        // Keeping the session alive also locks it; an ended or idle
        // session (a removal ends the member's sessions) speaks no more.
        let live: Option<i64> = match v.release {
            None => {
                sqlx::query_scalar(
                    "UPDATE acting_sessions SET last_active_at = $1 WHERE id = $2 AND user_id = $3 AND profile_id = $4 \
                     AND ended_at IS NULL AND last_active_at >= $5 RETURNING id",
                )
                .bind(now.micros())
                .bind(v.acting_session_id)
                .bind(v.user_id)
                .bind(v.profile_id)
                .bind(now.plus_seconds(-byline_core::shared_profile::ACTING_IDLE_SECS).micros())
                .fetch_optional(&mut *$tx)
                .await?
            }
            // A scheduled publication speaks with the schedule its
            // scheduler said; the schedule stands for the ended session.
            Some(publication) => {
                sqlx::query_scalar(&format!(
                    "SELECT id FROM publications WHERE id = $1 AND profile_id = $2 AND scheduled_by = $3 \
                     AND acting_session_id = $4 AND status IN ('scheduled', 'publishing'){}",
                    $lock
                ))
                .bind(publication)
                .bind(v.profile_id)
                .bind(v.user_id)
                .bind(v.acting_session_id)
                .fetch_optional(&mut *$tx)
                .await?
            }
        };
        let facts: Option<(String, String, bool, String, bool, i64)> = match live {
            None => None,
            Some(_) => {
                sqlx::query_as(&format!(
                    "SELECT m.role, p.attribution_policy, p.shift_only, u.role, u.active, own.id \
                     FROM profile_members m JOIN profiles p ON p.id = m.profile_id \
                     JOIN users u ON u.id = m.user_id JOIN profiles own ON own.user_id = u.id \
                     WHERE m.profile_id = $1 AND m.user_id = $2{}",
                    $lock
                ))
                .bind(v.profile_id)
                .bind(v.user_id)
                .fetch_optional(&mut *$tx)
                .await?
            }
        };
        match facts {
            None => Err($crate::bylines::Refusal {
                denial: byline_core::policy::Denial::Forbidden,
                role: None,
            }),
            Some((_, _, _, _, false, _)) => Err($crate::bylines::Refusal {
                denial: byline_core::policy::Denial::Forbidden,
                role: None,
            }),
            Some((role, policy, shift_only, user_role, true, own)) => {
                let role = byline_core::shared_profile::ProfileRole::parse(&role)
                    .ok_or_else(|| $crate::StoreError::Corrupt("profile role".into()))?;
                let policy = byline_core::shared_profile::AttributionPolicy::parse(&policy)
                    .ok_or_else(|| $crate::StoreError::Corrupt("attribution policy".into()))?;
                let user_role = byline_core::Role::parse(&user_role)
                    .map_err(|_| $crate::StoreError::Corrupt("user role".into()))?;
                // The shift was checked when the publication was scheduled;
                // its due minute may fall at any hour.
                let duty = if shift_only && v.release.is_none() {
                    let shifts: Vec<(i64, String, String, String, Option<String>)> =
                        sqlx::query_as(&format!(
                            "SELECT id, time_zone, starts_local, ends_local, recurrence FROM shifts \
                             WHERE profile_id = $1 AND user_id = $2 AND (removed_at IS NULL OR removed_at > $3){}",
                            $lock
                        ))
                        .bind(v.profile_id)
                        .bind(v.user_id)
                        .bind(now.micros())
                        .fetch_all(&mut *$tx)
                        .await?;
                    $crate::bylines::duty_among(&shifts, now)?
                } else {
                    byline_core::shared_profile::Duty::NotRequired
                };
                let actor = byline_core::policy::Actor {
                    user_id: v.user_id,
                    profile_id: v.profile_id,
                    role: user_role,
                };
                match byline_core::policy::authorize(
                    Some(&actor),
                    byline_core::policy::Action::SpeakAs {
                        role: Some(role),
                        speech,
                        duty,
                    },
                ) {
                    Ok(()) => Ok($crate::bylines::Writer {
                        profile_id: v.profile_id,
                        user_id: v.user_id,
                        personal_profile_id: own,
                        byline: Some($crate::bylines::Byline {
                            acting_session_id: v.acting_session_id,
                            policy,
                        }),
                    }),
                    Err(denial) => Err($crate::bylines::Refusal {
                        denial,
                        role: Some(role),
                    }),
                }
            }
        }
    }};
}

/// Appends, inside `$tx`, the audit event of what `$writer` said through
/// `$voice` (its profile is the one spoken as), with `$target` filled in.
macro_rules! record_byline {
    ($tx:ident, $writer:expr, $voice:expr, $action:expr, $target:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $writer;
        let v: &$crate::speak::Voice<'_> = $voice;
        let b = w.byline.as_ref().ok_or_else(|| {
            $crate::StoreError::Corrupt("a shared profile's write without a byline".into())
        })?;
        let entry = $crate::audit::AuditEntry {
            user_id: Some(w.user_id),
            profile_id: Some(w.profile_id),
            action: $action,
            target: $target,
            source_address: v.source_address.to_owned(),
            details: format!(
                "{{\"acting_session\":{},\"policy\":\"{}\"}}",
                b.acting_session_id,
                b.policy.as_str()
            ),
        };
        append_audit!($tx, &entry, $now);
    }};
}

/// Where a member stands with their shifts at `now`.
pub(crate) fn duty_among(
    shifts: &[(i64, String, String, String, Option<String>)],
    now: Timestamp,
) -> Result<Duty, StoreError> {
    for (id, zone, starts, ends, recurrence) in shifts {
        let shift = Shift::parse(zone, starts, ends, recurrence.as_deref())
            .map_err(|e| StoreError::Corrupt(format!("stored shift {id} unreadable: {e}")))?;
        if shift.covering(now).is_some() {
            return Ok(Duty::OnShift);
        }
    }
    Ok(Duty::OffShift)
}
