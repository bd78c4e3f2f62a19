//! Shared profiles, their members, and acting sessions.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::shared_profile::{AttributionPolicy, PolicyHistory, ProfileRole};
use byline_core::{DisplayName, Handle, Timestamp};
use std::collections::HashMap;

/// A member of a shared profile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProfileMember {
    /// User id.
    pub user_id: i64,
    /// Their personal handle.
    pub handle: String,
    /// Their name.
    pub display_name: String,
    /// Stored role name.
    pub role: String,
}

/// A shared profile a user may act as, with their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// Profile id.
    pub profile_id: i64,
    /// Handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// The user's role.
    pub role: ProfileRole,
    /// The profile's attribution policy.
    pub policy: AttributionPolicy,
}

/// An open acting session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingSession {
    /// Id.
    pub id: i64,
    /// The shared profile and the user's role on it.
    pub membership: Membership,
    /// When it started.
    pub started_at: Timestamp,
}

/// Inside `$tx`: ends the user's other open acting sessions (`switched`),
/// starts one on `$profile_id`, appends its `acting.start` event and
/// evaluates to its id.
macro_rules! begin_acting {
    ($tx:ident, $user_id:expr, $profile_id:expr, $source:expr, $agent:expr, $audit:expr, $now:expr) => {{
        let (user_id, profile_id, source_address, user_agent, audit, now): (
            i64,
            i64,
            &str,
            &str,
            &AuditEntry,
            Timestamp,
        ) = ($user_id, $profile_id, $source, $agent, $audit, $now);
            sqlx::query(
            "UPDATE acting_sessions SET ended_at = $1, end_reason = 'switched' WHERE user_id = $2 AND ended_at IS NULL",
        )
        .bind(now.micros())
        .bind(user_id)
        .execute(&mut *$tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO acting_sessions (user_id, profile_id, started_at, last_active_at, source_address, user_agent) \
             VALUES ($1, $2, $3, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(profile_id)
        .bind(now.micros())
        .bind(source_address)
        .bind(user_agent)
        .fetch_one(&mut *$tx)
        .await?;
        let entry = AuditEntry {
            target: format!("acting_session:{id}"),
            profile_id: Some(profile_id),
            ..audit.clone()
        };
        append_audit!($tx, &entry, now);
        id
    }};
}

/// Records, inside `$tx`, that `$profile`'s policy is `$policy` from `$now`
/// (`$seq` is the audit event of the change).
macro_rules! record_policy {
    ($tx:ident, $profile:expr, $policy:expr, $seq:expr, $now:expr) => {{
        let policy: AttributionPolicy = $policy;
        sqlx::query(
            "INSERT INTO attribution_policy_changes (profile_id, since, seq, policy) VALUES ($1, $2, $3, $4)",
        )
        .bind($profile)
        .bind($now.micros())
        .bind($seq)
        .bind(policy.as_str())
        .execute(&mut *$tx)
        .await?;
    }};
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

impl SharedProfiles<'_> {
    /// Creates a shared profile (no members yet).
    pub async fn create_shared_profile(
        &self,
        handle: &Handle,
        name: &DisplayName,
        policy: AttributionPolicy,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO profiles (handle, kind, display_name, created_at, attribution_policy) \
                 VALUES ($1, 'shared', $2, $3, $4) RETURNING id",
            )
            .bind(handle.as_str())
            .bind(name.as_str())
            .bind(now.micros())
            .bind(policy.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry {
                target: format!("profile:{id}"),
                profile_id: Some(id),
                details: format!(
                    "{{\"handle\":\"{}\",\"policy\":\"{}\"}}",
                    handle.as_str(),
                    policy.as_str()
                ),
                ..audit.clone()
            };
            let seq = append_audit!(tx, &entry, now);
            record_policy!(tx, id, policy, seq, now);
            id
        }))
    }

    /// Sets (or with `None` removes) a user's role on a shared profile; ends
    /// their acting session on it when they lose the right to act.
    pub async fn set_profile_member(
        &self,
        profile_id: i64,
        user_id: i64,
        role: Option<ProfileRole>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            match role {
                Some(role) => {
                    sqlx::query(
                        "INSERT INTO profile_members (profile_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (profile_id, user_id) DO UPDATE SET role = excluded.role",
                    )
                    .bind(profile_id)
                    .bind(user_id)
                    .bind(role.as_str())
                    .bind(now.micros())
                    .execute(&mut *tx)
                    .await?;
                    if role == ProfileRole::Observer {
                        // Observers never act for the profile, so hold none of its keys.
                        sqlx::query(
                            "DELETE FROM vault_custodians WHERE user_id = $1 AND secret_id IN \
                             (SELECT id FROM vault_secrets WHERE profile_id = $2)",
                        )
                        .bind(user_id)
                        .bind(profile_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                None => {
                    // Sessions first, in the order the speak function
                    // locks rows, so a removal and a post never deadlock.
                    sqlx::query(
                        "UPDATE acting_sessions SET ended_at = $1, end_reason = 'membership_removed' \
                         WHERE profile_id = $2 AND user_id = $3 AND ended_at IS NULL",
                    )
                    .bind(now.micros())
                    .bind(profile_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                    vault_leaver!(tx, user_id, Some(profile_id), now);
                    sqlx::query(
                        "DELETE FROM profile_members WHERE profile_id = $1 AND user_id = $2",
                    )
                    .bind(profile_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// The members of a shared profile.
    pub async fn profile_members(&self, profile_id: i64) -> Result<Vec<ProfileMember>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id AS user_id, p.handle, u.display_name, m.role FROM profile_members m \
                 JOIN users u ON u.id = m.user_id JOIN profiles p ON p.user_id = u.id \
                 WHERE m.profile_id = $1 ORDER BY p.handle",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The shared profiles a user belongs to, or one of them by handle.
    pub async fn memberships_of(
        &self,
        user_id: i64,
        handle: Option<&str>,
    ) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<(i64, String, String, String, String)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.handle, p.display_name, m.role, p.attribution_policy FROM profile_members m \
                 JOIN profiles p ON p.id = m.profile_id WHERE m.user_id = $1 AND ($2 IS NULL OR p.handle = $2) \
                 ORDER BY p.handle",
            )
            .bind(user_id)
            .bind(handle)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(profile_id, handle, display_name, role, policy)| {
                Ok(Membership {
                    profile_id,
                    handle,
                    display_name,
                    role: ProfileRole::parse(&role).ok_or_else(|| corrupt("profile role"))?,
                    policy: AttributionPolicy::parse(&policy)
                        .ok_or_else(|| corrupt("attribution policy"))?,
                })
            })
            .collect()
    }

    /// A user's role on a profile, if any.
    pub async fn profile_role(
        &self,
        profile_id: i64,
        user_id: i64,
    ) -> Result<Option<ProfileRole>, StoreError> {
        let role: Option<String> = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT role FROM profile_members WHERE profile_id = $1 AND user_id = $2",
            )
            .bind(profile_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        role.map(|r| ProfileRole::parse(&r).ok_or_else(|| corrupt("profile role")))
            .transpose()
    }

    /// Changes a shared profile's attribution policy (later posts only).
    pub async fn set_attribution_policy(
        &self,
        profile_id: i64,
        policy: AttributionPolicy,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE profiles SET attribution_policy = $1 WHERE id = $2 AND kind = 'shared'",
            )
            .bind(policy.as_str())
            .bind(profile_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let seq = append_audit!(tx, audit, now);
            record_policy!(tx, profile_id, policy, seq, now);
        });
        Ok(())
    }

    /// The user's open acting session on `profile_id` if one was active
    /// since `active_since`, else a new one (ending any other the user has
    /// open). Decided inside the write transaction, with the user's row
    /// locked on PostgreSQL, so two requests of one API client that both
    /// find no session share the one the first starts, instead of the
    /// second ending it under the first.
    #[allow(clippy::too_many_arguments)]
    pub async fn join_or_start_acting(
        &self,
        user_id: i64,
        profile_id: i64,
        active_since: Timestamp,
        source_address: &str,
        user_agent: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let lock = self.update_lock();
        Ok(write_tx!(self, |tx| {
            sqlx::query(&format!("SELECT id FROM users WHERE id = $1{lock}"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM acting_sessions WHERE user_id = $1 AND profile_id = $2 \
                 AND ended_at IS NULL AND last_active_at >= $3",
            )
            .bind(user_id)
            .bind(profile_id)
            .bind(active_since.micros())
            .fetch_optional(&mut *tx)
            .await?;
            match open {
                Some(id) => id,
                None => begin_acting!(
                    tx,
                    user_id,
                    profile_id,
                    source_address,
                    user_agent,
                    audit,
                    now
                ),
            }
        }))
    }

    /// Starts an acting session (ending any other the user has open).
    pub async fn start_acting(
        &self,
        user_id: i64,
        profile_id: i64,
        source_address: &str,
        user_agent: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| begin_acting!(
            tx,
            user_id,
            profile_id,
            source_address,
            user_agent,
            audit,
            now
        )))
    }

    /// Ends the user's open acting session, if any; returns whether one was open.
    pub async fn end_acting(
        &self,
        user_id: i64,
        reason: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| {
            let ended: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE acting_sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL \
                 RETURNING id, profile_id",
            )
            .bind(now.micros())
            .bind(reason)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, profile_id)) = ended {
                let entry = AuditEntry {
                    target: format!("acting_session:{id}"),
                    profile_id: Some(profile_id),
                    ..audit.clone()
                };
                append_audit!(tx, &entry, now);
            }
            ended.is_some()
        }))
    }

    /// The user's open acting session, if it was active since `idle_since`
    /// and they are still a member. An idle one is ended (and audited).
    pub async fn current_acting(
        &self,
        user_id: i64,
        idle_since: Timestamp,
        now: Timestamp,
    ) -> Result<Option<ActingSession>, StoreError> {
        let row: Option<(i64, i64, i64, i64)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, profile_id, started_at, last_active_at FROM acting_sessions WHERE user_id = $1 AND ended_at IS NULL",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        let Some((id, profile_id, started_at, last_active)) = row else {
            return Ok(None);
        };
        if last_active < idle_since.micros() {
            let audit = AuditEntry::new(Some(user_id), "acting.end", String::new(), "server");
            self.end_acting(
                user_id,
                "idle_timeout",
                &AuditEntry {
                    details: "{\"reason\":\"idle_timeout\"}".into(),
                    ..audit
                },
                now,
            )
            .await?;
            return Ok(None);
        }
        let membership = self
            .memberships_of(user_id, None)
            .await?
            .into_iter()
            .find(|m| m.profile_id == profile_id);
        Ok(membership.map(|membership| ActingSession {
            id,
            membership,
            started_at: Timestamp(started_at),
        }))
    }
}

/// An acting session as the "who was acting" answer lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActingRecord {
    /// Session id.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// Their handle.
    pub handle: String,
    /// Their name.
    pub display_name: String,
    /// Start (µs).
    pub started_at: i64,
    /// End (µs), if ended.
    pub ended_at: Option<i64>,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Where they were.
    pub source_address: String,
    /// Their browser or client.
    pub user_agent: String,
}

/// Something said as a shared profile, from the audit log: posts,
/// replies, edits, deletions, reactions and messages alike.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttributedAction {
    /// The audit action, e.g. `post.create_as_profile`.
    pub action: String,
    /// What it touched, e.g. `post:42` or `message:7`.
    pub target: String,
    /// When (µs).
    pub at: i64,
    /// The acting session it belongs to.
    pub acting_session_id: Option<i64>,
    /// The person.
    pub user_id: i64,
    /// Their handle.
    pub handle: String,
    /// Where they were.
    pub source_address: String,
    /// The event's details (JSON), with the policy the words were said under.
    pub details: String,
}

impl AttributedAction {
    /// The attribution policy recorded with the act, if it was.
    pub fn policy(&self) -> Option<AttributionPolicy> {
        let (_, rest) = self.details.split_once("\"policy\":\"")?;
        AttributionPolicy::parse(rest.split('"').next()?)
    }

    /// The post it touched, if any.
    pub fn post_id(&self) -> Option<i64> {
        self.target.strip_prefix("post:")?.parse().ok()
    }
}

impl SharedProfiles<'_> {
    /// Acting sessions on a profile overlapping [from, to), and what was
    /// said as the profile in that window.
    pub async fn who_acted(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(Vec<ActingRecord>, Vec<AttributedAction>), StoreError> {
        let sessions: Vec<ActingRecord> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.user_id, p.handle, u.display_name, s.started_at, s.ended_at, s.end_reason, s.source_address, \
                 s.user_agent FROM acting_sessions s JOIN users u ON u.id = s.user_id JOIN profiles p ON p.user_id = u.id \
                 WHERE s.profile_id = $1 AND s.started_at < $3 AND (s.ended_at IS NULL OR s.ended_at > $2) \
                 ORDER BY s.started_at LIMIT 1000",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .fetch_all(pool)
            .await?
        });
        // Every attributed write appends its audit event in its own
        // transaction, so the log is the one complete list of them.
        // Exactly the actions the speak function records (one list).
        let spoken = crate::speak::SPOKEN_ACTIONS
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT a.action, a.target, a.at, \
             (SELECT s.id FROM acting_sessions s WHERE s.user_id = a.user_id AND s.profile_id = a.profile_id \
              AND s.started_at <= a.at ORDER BY s.started_at DESC LIMIT 1) AS acting_session_id, \
             a.user_id, p.handle, a.source_address, a.details \
             FROM audit_events a JOIN profiles p ON p.user_id = a.user_id \
             WHERE a.profile_id = $1 AND a.at >= $2 AND a.at < $3 AND a.action IN ({spoken}) \
             ORDER BY a.seq LIMIT 1000"
        );
        let actions: Vec<AttributedAction> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(from.micros())
                .bind(to.micros())
                .fetch_all(pool)
                .await?
        });
        Ok((sessions, actions))
    }
}

impl SharedProfiles<'_> {
    /// Every attribution policy a profile has had, and since when.
    pub async fn policy_history(&self, profile_id: i64) -> Result<PolicyHistory, StoreError> {
        let rows: Vec<(i64, String)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT since, policy FROM attribution_policy_changes WHERE profile_id = $1 ORDER BY since, seq",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        });
        let changes = rows
            .into_iter()
            .map(|(t, p)| {
                AttributionPolicy::parse(&p)
                    .map(|p| (Timestamp(t), p))
                    .ok_or_else(|| corrupt("attribution policy"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PolicyHistory::new(changes))
    }

    /// Every shared profile's policy history.
    pub async fn policy_histories(&self) -> Result<HashMap<i64, PolicyHistory>, StoreError> {
        let rows: Vec<(i64, i64, String)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT profile_id, since, policy FROM attribution_policy_changes ORDER BY profile_id, since, seq",
            )
            .fetch_all(pool)
            .await?
        });
        let mut by_profile: HashMap<i64, Vec<(Timestamp, AttributionPolicy)>> = HashMap::new();
        for (profile, t, p) in rows {
            let p = AttributionPolicy::parse(&p).ok_or_else(|| corrupt("attribution policy"))?;
            by_profile
                .entry(profile)
                .or_default()
                .push((Timestamp(t), p));
        }
        Ok(by_profile
            .into_iter()
            .map(|(id, changes)| (id, PolicyHistory::new(changes)))
            .collect())
    }
}

capability!(
    /// The store's shared profiles: members, policy, acting sessions, who acted.
    SharedProfiles,
    shared_profiles
);
