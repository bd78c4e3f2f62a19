//! Shifts on shared profiles' rosters, and the shift-only rule.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;

/// A shift as stored: the member and the shift as typed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ShiftRow {
    /// Id.
    pub id: i64,
    /// The member on duty.
    pub user_id: i64,
    /// Their personal handle.
    pub handle: String,
    /// Their name.
    pub display_name: String,
    /// IANA zone.
    pub time_zone: String,
    /// First start, wall-clock (`2026-11-23T09:00`).
    pub starts_local: String,
    /// First end, wall-clock.
    pub ends_local: String,
    /// RRULE, if it repeats.
    pub recurrence: Option<String>,
    /// Free text ("first line", "on call").
    pub note: String,
    /// When it was taken off the roster, if it was.
    pub removed_at: Option<i64>,
}

/// A shift to put on a roster.
#[derive(Debug, Clone, Copy)]
pub struct NewShift<'a> {
    /// The shared profile.
    pub profile_id: i64,
    /// The member on duty.
    pub user_id: i64,
    /// IANA zone.
    pub time_zone: &'a str,
    /// First start, wall-clock.
    pub starts_local: &'a str,
    /// First end, wall-clock.
    pub ends_local: &'a str,
    /// RRULE, if it repeats.
    pub recurrence: Option<&'a str>,
    /// Free text.
    pub note: &'a str,
    /// The first occurrence's start in UTC (for ordering).
    pub first_start: Timestamp,
    /// Who put it there.
    pub created_by: i64,
}

const SHIFT_COLUMNS: &str = "s.id, s.user_id, p.handle, u.display_name, s.time_zone, \
    s.starts_local, s.ends_local, s.recurrence, s.note, s.removed_at";

impl Rosters<'_> {
    /// Shifts on a profile's roster that were still on it at `as_of`
    /// (all current ones when `as_of` is now), optionally for one member.
    pub async fn shifts(
        &self,
        profile_id: i64,
        user_id: Option<i64>,
        as_of: Timestamp,
    ) -> Result<Vec<ShiftRow>, StoreError> {
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts s JOIN users u ON u.id = s.user_id \
             JOIN profiles p ON p.user_id = u.id \
             WHERE s.profile_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR s.user_id = $2) \
             AND (s.removed_at IS NULL OR s.removed_at > $3) \
             ORDER BY s.first_start, s.id"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(user_id)
                .bind(as_of.micros())
                .fetch_all(pool)
                .await?
        }))
    }

    /// Puts a shift on the roster. `clash` sees the member's current shifts
    /// on the profile inside the write transaction (so two additions cannot
    /// both pass) and names the overlap that refuses the new one, if any.
    pub async fn add_shift(
        &self,
        shift: &NewShift<'_>,
        clash: impl Fn(&[ShiftRow]) -> Option<String>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts s JOIN users u ON u.id = s.user_id \
             JOIN profiles p ON p.user_id = u.id \
             WHERE s.profile_id = $1 AND s.user_id = $2 AND s.removed_at IS NULL ORDER BY s.id"
        );
        let lock = self.update_lock();
        Ok(write_tx!(self, |tx| {
            // Serialises roster changes for one member on PostgreSQL (SQLite
            // serialises every write already); also proves membership.
            let member: Option<String> = sqlx::query_scalar(&format!(
                "SELECT role FROM profile_members WHERE profile_id = $1 AND user_id = $2{lock}"
            ))
            .bind(shift.profile_id)
            .bind(shift.user_id)
            .fetch_optional(&mut *tx)
            .await?;
            if member.is_none() {
                return Err(StoreError::Refused(
                    "only members of the profile can be put on its roster".into(),
                ));
            }
            let existing: Vec<ShiftRow> = sqlx::query_as(&sql)
                .bind(shift.profile_id)
                .bind(shift.user_id)
                .fetch_all(&mut *tx)
                .await?;
            if let Some(why) = clash(&existing) {
                return Err(StoreError::Refused(why));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO shifts (profile_id, user_id, time_zone, starts_local, ends_local, recurrence, \
                 note, first_start, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(shift.profile_id)
            .bind(shift.user_id)
            .bind(shift.time_zone)
            .bind(shift.starts_local)
            .bind(shift.ends_local)
            .bind(shift.recurrence)
            .bind(shift.note)
            .bind(shift.first_start.micros())
            .bind(shift.created_by)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry {
                target: format!("shift:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// Takes a shift off a profile's roster; false if it was not on it.
    pub async fn remove_shift(
        &self,
        profile_id: i64,
        shift_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE shifts SET removed_at = $1 WHERE id = $2 AND profile_id = $3 AND removed_at IS NULL",
            )
            .bind(now.micros())
            .bind(shift_id)
            .bind(profile_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if done {
                append_audit!(tx, audit, now);
            }
            done
        }))
    }

    /// Whether members must be on shift to speak as the profile.
    pub async fn shift_only(&self, profile_id: i64) -> Result<bool, StoreError> {
        let v: Option<bool> = read!(self, |pool| {
            sqlx::query_scalar("SELECT shift_only FROM profiles WHERE id = $1")
                .bind(profile_id)
                .fetch_optional(pool)
                .await?
        });
        v.ok_or(StoreError::NotFound)
    }

    /// Turns the shift-only rule on or off.
    pub async fn set_shift_only(
        &self,
        profile_id: i64,
        on: bool,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE profiles SET shift_only = $1 WHERE id = $2")
                .bind(on)
                .bind(profile_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }
}

capability!(
    /// The store's rosters: shifts and the shift-only rule.
    Rosters,
    rosters
);
