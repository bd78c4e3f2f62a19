//! The credential vault's rows: sealed secrets, their custodians, two-person
//! reveal requests, who saw what, and the rotation tasks that follow a
//! leaver or an old secret. Nothing here sees plaintext: the application
//! seals and opens; the store keeps envelopes.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;
use byline_core::vault::Envelope;

/// A secret as members see it: its name and shape, never its fields.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SecretRow {
    /// Id.
    pub id: i64,
    /// Random public name, bound into the envelope.
    pub uid: String,
    /// The shared profile it belongs to.
    pub profile_id: i64,
    /// The channel it is for, if any.
    pub channel_id: Option<i64>,
    /// Its name ("Instagram login").
    pub name: String,
    /// `login`, `password`, `api_token`, `oauth`, `totp` or `note`.
    pub kind: String,
    /// Whether it holds a TOTP seed.
    pub has_totp: bool,
    /// Whether a reveal needs a second custodian's approval.
    pub two_person: bool,
    /// The master key its data key is wrapped under.
    pub key_id: String,
    /// Who created it.
    pub created_by: i64,
    /// When (µs).
    pub created_at: i64,
    /// When its value was last set (µs): how old it is.
    pub changed_at: i64,
}

/// A custodian of a secret.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Custodian {
    /// The secret.
    pub secret_id: i64,
    /// The user.
    pub user_id: i64,
    /// Their personal handle.
    pub handle: String,
}

/// A two-person reveal request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RevealRequest {
    /// Id.
    pub id: i64,
    /// The secret.
    pub secret_id: i64,
    /// Who asked.
    pub requested_by: i64,
    /// Their handle.
    pub requester_handle: String,
    /// Why, in their words.
    pub reason: String,
    /// When (µs).
    pub requested_at: i64,
    /// Until when it may be approved and used (µs).
    pub expires_at: i64,
    /// Who approved it.
    pub approved_by: Option<i64>,
    /// When it was used for a reveal (µs).
    pub used_at: Option<i64>,
}

/// An open task to rotate a secret.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Rotation {
    /// Id.
    pub id: i64,
    /// The secret.
    pub secret_id: i64,
    /// Its name.
    pub secret_name: String,
    /// `leaver` or `age`.
    pub reason: String,
    /// For a leaver: their handle.
    pub leaver_handle: Option<String>,
    /// When the task was made (µs).
    pub created_at: i64,
}

/// A secret to store.
#[derive(Debug)]
pub struct NewSecret<'a> {
    /// Random public name, already bound into `envelope`.
    pub uid: &'a str,
    /// The shared profile.
    pub profile_id: i64,
    /// The channel, if any.
    pub channel_id: Option<i64>,
    /// Its name.
    pub name: &'a str,
    /// Its kind.
    pub kind: &'a str,
    /// Whether it holds a TOTP seed.
    pub has_totp: bool,
    /// Whether reveals need two custodians.
    pub two_person: bool,
    /// The sealed fields.
    pub envelope: &'a Envelope,
    /// Its custodians (user ids), members of the profile.
    pub custodians: &'a [i64],
    /// Who stores it.
    pub created_by: i64,
}

/// What a custodian did with a secret's plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Saw every field.
    Reveal,
    /// Copied one field.
    Copy,
    /// Took a TOTP code (the seed stays sealed).
    TotpCode,
}

/// One data key re-wrapped by a key rotation.
#[derive(Debug, Clone)]
pub struct Rewrap {
    /// The secret.
    pub id: i64,
    /// The key id it was read under.
    pub old_key_id: String,
    /// The wrapped key as read.
    pub old_wrapped: Vec<u8>,
    /// The new master key's id.
    pub new_key_id: String,
    /// The data key wrapped under it.
    pub new_wrapped: Vec<u8>,
}

/// A secret's row with its sealed bytes.
#[derive(sqlx::FromRow)]
struct SealedRow {
    #[sqlx(flatten)]
    row: SecretRow,
    wrapped_key: Vec<u8>,
    sealed: Vec<u8>,
}

/// (id, uid, key id, wrapped key, sealed) as read.
type EnvelopeRow = (i64, String, String, Vec<u8>, Vec<u8>);

const SECRET_COLUMNS: &str = "s.id, s.uid, s.profile_id, s.channel_id, s.name, s.kind, s.has_totp, \
    s.two_person, s.key_id, s.created_by, s.created_at, s.changed_at";

/// Refuses custodians who are not members of the profile, inside `$tx`.
macro_rules! check_custodians {
    ($tx:ident, $profile_id:expr, $custodians:expr) => {{
        let custodians: &[i64] = $custodians;
        if custodians.is_empty() {
            return Err(StoreError::Refused("a secret needs at least one custodian".into()));
        }
        let sql = format!(
            "SELECT COUNT(*) FROM profile_members m JOIN users u ON u.id = m.user_id \
             WHERE m.profile_id = $1 AND u.active AND m.role IN ('owner', 'editor', 'responder') \
             AND m.user_id IN ({})",
            $crate::posts::placeholders(2, custodians.len())
        );
        let mut q = sqlx::query_scalar(&sql).bind($profile_id);
        for c in custodians {
            q = q.bind(*c);
        }
        let members: i64 = q.fetch_one(&mut *$tx).await?;
        if usize::try_from(members).unwrap_or(0) != custodians.len() {
            return Err(StoreError::Refused(
                "custodians must be active members of the profile who may act for it (owners, editors, responders)"
                    .into(),
            ));
        }
    }};
}

/// Names `$custodians` the custodians of secret `$id`, added by `$by`,
/// in one statement inside `$tx`.
macro_rules! insert_custodians {
    ($tx:ident, $id:expr, $custodians:expr, $by:expr, $now:expr) => {{
        let custodians: &[i64] = $custodians;
        let rows: Vec<String> = (0..custodians.len())
            .map(|i| format!("($1, ${}, $2, $3)", i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO vault_custodians (secret_id, user_id, added_by, added_at) VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql).bind($id).bind($by).bind($now.micros());
        for c in custodians {
            q = q.bind(*c);
        }
        q.execute(&mut *$tx).await?;
    }};
}

/// Stores `$secret` with its custodians inside `$tx` (refusing custodians
/// who may not hold it); evaluates to its id.
macro_rules! insert_secret {
    ($tx:ident, $secret:expr, $now:expr) => {{
        let secret: &$crate::vault::NewSecret<'_> = $secret;
        check_custodians!($tx, secret.profile_id, secret.custodians);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO vault_secrets (uid, profile_id, channel_id, name, kind, has_totp, two_person, key_id, \
             wrapped_key, sealed, created_by, created_at, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(secret.uid)
        .bind(secret.profile_id)
        .bind(secret.channel_id)
        .bind(secret.name)
        .bind(secret.kind)
        .bind(secret.has_totp)
        .bind(secret.two_person)
        .bind(&secret.envelope.key_id)
        .bind(&secret.envelope.wrapped_key)
        .bind(&secret.envelope.sealed)
        .bind(secret.created_by)
        .bind($now.micros())
        .fetch_one(&mut *$tx)
        .await?;
        insert_custodians!($tx, id, secret.custodians, secret.created_by, $now);
        id
    }};
}

/// When `$user_id` leaves (deactivated, or removed from `$profile`, or
/// from every profile when it is `None`), inside `$tx`: each secret they
/// saw gets a rotation task, the owners hear of it, and they stop being
/// custodians. Evaluates to the number of tasks made.
macro_rules! vault_leaver {
    ($tx:ident, $user_id:expr, $profile:expr, $now:expr) => {{
        let user_id: i64 = $user_id;
        let profile: Option<i64> = $profile;
        let now: byline_core::Timestamp = $now;
        let made: Vec<(i64, i64)> = sqlx::query_as(
            "INSERT INTO vault_rotations (secret_id, reason, leaver_user_id, created_at) \
             SELECT s.id, 'leaver', $1, $2 FROM vault_exposures e JOIN vault_secrets s ON s.id = e.secret_id \
             WHERE e.user_id = $1 AND s.removed_at IS NULL AND (CAST($3 AS BIGINT) IS NULL OR s.profile_id = $3) \
             AND e.last_at >= s.changed_at \
             AND NOT EXISTS (SELECT 1 FROM vault_rotations r WHERE r.secret_id = s.id AND r.reason = 'leaver' \
               AND r.leaver_user_id = $1 AND r.done_at IS NULL) \
             RETURNING secret_id, id",
        )
        .bind(user_id)
        .bind(now.micros())
        .bind(profile)
        .fetch_all(&mut *$tx)
        .await?;
        if !made.is_empty() {
            sqlx::query(
                "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, secret_id, created_at) \
                 SELECT op.id, 'vault_rotate', lp.id, r.secret_id, $2 FROM vault_rotations r \
                 JOIN vault_secrets s ON s.id = r.secret_id \
                 JOIN profile_members m ON m.profile_id = s.profile_id AND m.role = 'owner' AND m.user_id <> $1 \
                 JOIN profiles op ON op.user_id = m.user_id AND op.kind = 'personal' \
                 JOIN profiles lp ON lp.user_id = $1 AND lp.kind = 'personal' \
                 WHERE r.leaver_user_id = $1 AND r.created_at = $2 AND r.reason = 'leaver'",
            )
            .bind(user_id)
            .bind(now.micros())
            .execute(&mut *$tx)
            .await?;
        }
        sqlx::query(
            "DELETE FROM vault_custodians WHERE user_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR secret_id IN \
             (SELECT id FROM vault_secrets WHERE profile_id = $2))",
        )
        .bind(user_id)
        .bind(profile)
        .execute(&mut *$tx)
        .await?;
        made.len()
    }};
}

impl Vault<'_> {
    /// A profile's secrets, by name.
    pub async fn secrets(&self, profile_id: i64) -> Result<Vec<SecretRow>, StoreError> {
        let sql = format!(
            "SELECT {SECRET_COLUMNS} FROM vault_secrets s WHERE s.profile_id = $1 AND s.removed_at IS NULL \
             ORDER BY lower(s.name), s.id"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// One of a profile's secrets with its envelope, in one read (what a
    /// reveal, copy or TOTP code needs).
    pub async fn sealed_secret(
        &self,
        profile_id: i64,
        id: i64,
    ) -> Result<(SecretRow, Envelope), StoreError> {
        let sql = format!(
            "SELECT {SECRET_COLUMNS}, s.wrapped_key, s.sealed FROM vault_secrets s \
             WHERE s.id = $1 AND s.profile_id = $2 AND s.removed_at IS NULL"
        );
        let row: Option<SealedRow> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(profile_id)
                .fetch_optional(pool)
                .await?
        });
        let SealedRow {
            row,
            wrapped_key,
            sealed,
        } = row.ok_or(StoreError::NotFound)?;
        let envelope = Envelope {
            key_id: row.key_id.clone(),
            wrapped_key,
            sealed,
        };
        Ok((row, envelope))
    }

    /// One of a profile's secrets.
    pub async fn secret(&self, profile_id: i64, id: i64) -> Result<SecretRow, StoreError> {
        let sql = format!(
            "SELECT {SECRET_COLUMNS} FROM vault_secrets s WHERE s.id = $1 AND s.profile_id = $2 \
             AND s.removed_at IS NULL"
        );
        let row: Option<SecretRow> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(profile_id)
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// The custodians of a profile's secrets.
    pub async fn custodians(&self, profile_id: i64) -> Result<Vec<Custodian>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT c.secret_id, c.user_id, p.handle FROM vault_custodians c \
                 JOIN vault_secrets s ON s.id = c.secret_id \
                 JOIN profiles p ON p.user_id = c.user_id AND p.kind = 'personal' \
                 WHERE s.profile_id = $1 ORDER BY c.secret_id, p.handle",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One secret's custodians.
    pub async fn custodians_of(&self, secret_id: i64) -> Result<Vec<Custodian>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT c.secret_id, c.user_id, p.handle FROM vault_custodians c \
                 JOIN profiles p ON p.user_id = c.user_id AND p.kind = 'personal' \
                 WHERE c.secret_id = $1 ORDER BY p.handle",
            )
            .bind(secret_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A secret's envelope.
    pub async fn envelope(&self, id: i64) -> Result<Envelope, StoreError> {
        let row: Option<(String, Vec<u8>, Vec<u8>)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT key_id, wrapped_key, sealed FROM vault_secrets WHERE id = $1 AND removed_at IS NULL",
            )
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let (key_id, wrapped_key, sealed) = row.ok_or(StoreError::NotFound)?;
        Ok(Envelope {
            key_id,
            wrapped_key,
            sealed,
        })
    }

    /// Stores a secret with its custodians; evaluates to its id.
    pub async fn create_secret(
        &self,
        secret: &NewSecret<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id = insert_secret!(tx, secret, now);
            let entry = AuditEntry {
                target: format!("secret:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// Changes a secret: its name and two-person rule, and with `envelope`
    /// its value (a rotation: open rotation tasks are done).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_secret(
        &self,
        id: i64,
        name: &str,
        two_person: bool,
        envelope: Option<(&Envelope, bool)>,
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE vault_secrets SET name = $1, two_person = $2 WHERE id = $3 AND removed_at IS NULL",
            )
            .bind(name)
            .bind(two_person)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            if let Some((envelope, has_totp)) = envelope {
                sqlx::query(
                    "UPDATE vault_secrets SET key_id = $1, wrapped_key = $2, sealed = $3, has_totp = $4, \
                     changed_at = $5, reminded_at = NULL WHERE id = $6",
                )
                .bind(&envelope.key_id)
                .bind(&envelope.wrapped_key)
                .bind(&envelope.sealed)
                .bind(has_totp)
                .bind(now.micros())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE vault_rotations SET done_at = $1, done_by = $2 WHERE secret_id = $3 AND done_at IS NULL",
                )
                .bind(now.micros())
                .bind(by)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Takes a secret out of the vault (its envelope is overwritten).
    pub async fn remove_secret(
        &self,
        id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE vault_secrets SET removed_at = $1, wrapped_key = $2, sealed = $2 \
                 WHERE id = $3 AND removed_at IS NULL",
            )
            .bind(now.micros())
            .bind(Vec::<u8>::new())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "UPDATE vault_rotations SET done_at = $1 WHERE secret_id = $2 AND done_at IS NULL",
            )
            .bind(now.micros())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Replaces a secret's custodians.
    pub async fn set_custodians(
        &self,
        profile_id: i64,
        id: i64,
        custodians: &[i64],
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            check_custodians!(tx, profile_id, custodians);
            sqlx::query("DELETE FROM vault_custodians WHERE secret_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_custodians!(tx, id, custodians, by, now);
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Records that `user_id` had `access` to a secret, with its audit
    /// event; a reveal or copy is remembered as an exposure and the
    /// profile's other owners are notified. With `request`, the approved
    /// two-person request is used up, or the access is refused.
    pub async fn record_access(
        &self,
        secret_id: i64,
        user_id: i64,
        access: Access,
        request: Option<i64>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let lock = self.share_lock();
        write_tx!(self, |tx| {
            // Checked again inside the write: a custodian removed,
            // deactivated or made an observer, or a secret turned
            // two-person, since the caller looked, gets nothing. On
            // PostgreSQL the shared lock waits for such a change in flight.
            let two_person: Option<bool> = sqlx::query_scalar(&format!(
                "SELECT s.two_person FROM vault_secrets s \
                 JOIN vault_custodians c ON c.secret_id = s.id AND c.user_id = $2 \
                 JOIN users u ON u.id = c.user_id AND u.active \
                 JOIN profile_members m ON m.profile_id = s.profile_id AND m.user_id = c.user_id \
                   AND m.role IN ('owner', 'editor', 'responder') \
                 WHERE s.id = $1 AND s.removed_at IS NULL{lock}"
            ))
            .bind(secret_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(two_person) = two_person else {
                return Err(StoreError::Refused(
                    "you are not a custodian of this secret (any more)".into(),
                ));
            };
            let request = if two_person && access != Access::TotpCode {
                Some(request.ok_or_else(|| {
                    StoreError::Refused("this secret needs a second custodian's approval".into())
                })?)
            } else {
                None
            };
            if let Some(request) = request {
                let n = sqlx::query(
                    "UPDATE vault_requests SET used_at = $1 WHERE id = $2 AND secret_id = $3 AND requested_by = $4 \
                     AND approved_by IS NOT NULL AND used_at IS NULL AND expires_at > $1",
                )
                .bind(now.micros())
                .bind(request)
                .bind(secret_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::Refused(
                        "this secret needs a second custodian's approval: the request is not approved, expired or already used"
                            .into(),
                    ));
                }
            }
            if access != Access::TotpCode {
                sqlx::query(
                    "INSERT INTO vault_exposures (secret_id, user_id, first_at, last_at) VALUES ($1, $2, $3, $3) \
                     ON CONFLICT (user_id, secret_id) DO UPDATE SET last_at = excluded.last_at",
                )
                .bind(secret_id)
                .bind(user_id)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, secret_id, created_at) \
                     SELECT op.id, 'vault_reveal', ap.id, s.id, $3 FROM vault_secrets s \
                     JOIN profile_members m ON m.profile_id = s.profile_id AND m.role = 'owner' AND m.user_id <> $2 \
                     JOIN profiles op ON op.user_id = m.user_id AND op.kind = 'personal' \
                     JOIN profiles ap ON ap.user_id = $2 AND ap.kind = 'personal' \
                     WHERE s.id = $1",
                )
                .bind(secret_id)
                .bind(user_id)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Asks for a two-person reveal; evaluates to the request's id.
    pub async fn request_reveal(
        &self,
        secret_id: i64,
        user_id: i64,
        reason: &str,
        expires_at: Timestamp,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO vault_requests (secret_id, requested_by, reason, requested_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(secret_id)
            .bind(user_id)
            .bind(reason)
            .bind(now.micros())
            .bind(expires_at.micros())
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry {
                details: serde_json::json!({"request": id, "reason": reason}).to_string(),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// Approves a two-person request by another custodian than the one who
    /// asked, while it is still open.
    pub async fn approve_reveal(
        &self,
        secret_id: i64,
        request_id: i64,
        approver: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE vault_requests SET approved_by = $1, approved_at = $2 WHERE id = $3 AND secret_id = $4 \
                 AND requested_by <> $1 AND approved_by IS NULL AND expires_at > $2",
            )
            .bind(approver)
            .bind(now.micros())
            .bind(request_id)
            .bind(secret_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Refused(
                    "that request cannot be approved: it is your own, already approved, or expired"
                        .into(),
                ));
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// A secret's reveal requests, newest first (the last 20).
    pub async fn requests(&self, secret_id: i64) -> Result<Vec<RevealRequest>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.secret_id, r.requested_by, p.handle AS requester_handle, r.reason, r.requested_at, \
                 r.expires_at, r.approved_by, r.used_at FROM vault_requests r \
                 JOIN profiles p ON p.user_id = r.requested_by AND p.kind = 'personal' \
                 WHERE r.secret_id = $1 ORDER BY r.id DESC LIMIT 20",
            )
            .bind(secret_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A profile's open rotation tasks, oldest first.
    pub async fn rotations(&self, profile_id: i64) -> Result<Vec<Rotation>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.secret_id, s.name AS secret_name, r.reason, lp.handle AS leaver_handle, r.created_at \
                 FROM vault_rotations r JOIN vault_secrets s ON s.id = r.secret_id \
                 LEFT JOIN profiles lp ON lp.user_id = r.leaver_user_id AND lp.kind = 'personal' \
                 WHERE s.profile_id = $1 AND r.done_at IS NULL ORDER BY r.id",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Makes rotation tasks for secrets whose value was set before
    /// `older_than` and that have no open one, notifying the owners;
    /// evaluates to how many were made.
    pub async fn remind_old_secrets(
        &self,
        older_than: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let made: Vec<(i64, i64)> = sqlx::query_as(
                "INSERT INTO vault_rotations (secret_id, reason, created_at) \
                 SELECT s.id, 'age', $2 FROM vault_secrets s WHERE s.removed_at IS NULL AND s.changed_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM vault_rotations r WHERE r.secret_id = s.id AND r.reason = 'age' \
                   AND r.done_at IS NULL) RETURNING secret_id, id",
            )
            .bind(older_than.micros())
            .bind(now.micros())
            .fetch_all(&mut *tx)
            .await?;
            if !made.is_empty() {
                sqlx::query(
                    "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, secret_id, created_at) \
                     SELECT op.id, 'vault_rotate', s.profile_id, s.id, $1 FROM vault_rotations r \
                     JOIN vault_secrets s ON s.id = r.secret_id \
                     JOIN profile_members m ON m.profile_id = s.profile_id AND m.role = 'owner' \
                     JOIN profiles op ON op.user_id = m.user_id AND op.kind = 'personal' \
                     WHERE r.created_at = $1 AND r.reason = 'age'",
                )
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
            }
            made.len() as u64
        }))
    }

    /// Appends an audit event about the vault with nothing else written
    /// (a refused attempt).
    pub async fn audit_only(&self, audit: &AuditEntry, now: Timestamp) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// How many live secrets each master key wraps.
    pub async fn key_ids(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT key_id, COUNT(*) FROM vault_secrets WHERE removed_at IS NULL GROUP BY key_id ORDER BY key_id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Up to `limit` live envelopes after id `after`, by id: (id, uid, envelope).
    pub async fn envelopes(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String, Envelope)>, StoreError> {
        let rows: Vec<EnvelopeRow> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, uid, key_id, wrapped_key, sealed FROM vault_secrets \
                 WHERE id > $1 AND removed_at IS NULL ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, uid, key_id, wrapped_key, sealed)| {
                (
                    id,
                    uid,
                    Envelope {
                        key_id,
                        wrapped_key,
                        sealed,
                    },
                )
            })
            .collect())
    }

    /// Up to `limit` live entries after id `after` whose data key is not
    /// wrapped under `key_id`: (id, uid, their key id, wrapped key).
    pub async fn wrapped_elsewhere(
        &self,
        key_id: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String, String, Vec<u8>)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, uid, key_id, wrapped_key FROM vault_secrets \
                 WHERE key_id <> $1 AND id > $2 AND removed_at IS NULL ORDER BY id LIMIT $3",
            )
            .bind(key_id)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }))
    }

    /// Stores re-wrapped data keys in one transaction. A row changed since
    /// it was read (a value set meanwhile) is left alone; evaluates to how
    /// many were written.
    pub async fn rewrap(&self, rows: &[Rewrap]) -> Result<u64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let mut n = 0;
            for r in rows {
                // The bytes read, not only the key id: a value set meanwhile
                // by a server still on the old key has a new data key, which
                // must not be overwritten by the one read before.
                n += sqlx::query(
                    "UPDATE vault_secrets SET key_id = $1, wrapped_key = $2 WHERE id = $3 AND key_id = $4 \
                     AND wrapped_key = $5",
                )
                .bind(&r.new_key_id)
                .bind(&r.new_wrapped)
                .bind(r.id)
                .bind(&r.old_key_id)
                .bind(&r.old_wrapped)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            n
        }))
    }

    /// Whether any secret has ever been stored (live or removed).
    pub async fn any_secrets(&self) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM vault_secrets WHERE removed_at IS NULL")
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }
}

capability!(
    /// The store's credential vault.
    Vault,
    vault
);
