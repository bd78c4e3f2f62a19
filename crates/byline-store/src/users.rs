//! Users and their personal profiles.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::{DisplayName, Email, Handle, Role, Timestamp};

/// A user as the rest of Byline sees it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Internal id.
    pub id: i64,
    /// Work email, lowercase.
    pub email: String,
    /// Name shown on their profile.
    pub display_name: String,
    /// Organisation-wide role.
    pub role: Role,
    /// False once deactivated.
    pub active: bool,
    /// When the account was created.
    pub created_at: Timestamp,
    /// Their personal profile's id.
    pub profile_id: i64,
    /// Their personal profile's handle (without `@`).
    pub handle: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    active: bool,
    created_at: i64,
    profile_id: i64,
    handle: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            role: Role::parse(&r.role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            active: r.active,
            created_at: Timestamp(r.created_at),
            profile_id: r.profile_id,
            handle: r.handle,
        })
    }
}

/// Columns of [`UserRow`], for joins in other modules.
pub(crate) const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.active, \
     u.created_at, p.id AS profile_id, p.handle";

/// What it takes to create a user.
pub struct NewUser<'a> {
    /// Work email.
    pub email: &'a Email,
    /// Shown name.
    pub display_name: &'a DisplayName,
    /// Personal profile handle.
    pub handle: &'a Handle,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Organisation-wide role.
    pub role: Role,
}

/// Refuses, inside `$tx`, a change that would leave the organisation with
/// no active admin (`$user` is losing the role or their account). The
/// admins' rows are locked on PostgreSQL, so two admins demoting each other
/// at once cannot both succeed.
macro_rules! keep_an_admin {
    ($tx:ident, $user:expr, $lock:expr, $what:literal) => {{
        let admins: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id{}",
            $lock
        ))
        .fetch_all(&mut *$tx)
        .await?;
        if admins == [$user] {
            return Err(StoreError::Refused(format!(
                "this is the organisation's last admin and cannot be {}: make someone else an admin first",
                $what
            )));
        }
    }};
}

impl Users<'_> {
    /// Creates a user and their personal profile together; a taken email or
    /// handle is a [`StoreError::Conflict`] and nothing is written.
    /// `audit` is recorded in the same transaction with `user:<new id>` as target.
    pub async fn create_user(
        &self,
        new: &NewUser<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let id: i64 = write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, display_name, password_hash, role, active, created_at) \
                 VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id",
            )
            .bind(new.email.as_str())
            .bind(new.display_name.as_str())
            .bind(new.password_hash)
            .bind(new.role.as_str())
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO profiles (handle, kind, display_name, user_id, created_at) \
                 VALUES ($1, 'personal', $2, $3, $4)",
            )
            .bind(new.handle.as_str())
            .bind(new.display_name.as_str())
            .bind(id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            let entry = AuditEntry {
                target: format!("user:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        });
        self.user_by_id(id).await
    }

    /// The user with this id, active or not.
    pub async fn user_by_id(&self, id: i64) -> Result<User, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN profiles p ON p.user_id = u.id WHERE u.id = $1"
        );
        let row: UserRow = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_one(pool).await?
        });
        row.try_into()
    }

    /// The user with this email and their password hash, for sign-in.
    pub async fn user_for_sign_in(&self, email: &Email) -> Result<(User, String), StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u \
             JOIN profiles p ON p.user_id = u.id WHERE u.email = $1"
        );
        let (row, hash): (UserRow, String) = read!(self, |pool| {
            let row = sqlx::query(&sql)
                .bind(email.as_str())
                .fetch_one(pool)
                .await?;
            (
                sqlx::FromRow::from_row(&row)?,
                sqlx::Row::try_get(&row, "password_hash")?,
            )
        });
        Ok((row.try_into()?, hash))
    }

    /// Users in id order after `after_id`, at most `limit`.
    pub async fn list_users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN profiles p ON p.user_id = u.id \
             WHERE u.id > $1 ORDER BY u.id LIMIT $2"
        );
        let rows: Vec<UserRow> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(after_id)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(User::try_from).collect()
    }

    /// How many users exist (active or not).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Replaces a user's password hash and ends all their sessions, so a
    /// reset locks out whoever knew the old password.
    pub async fn set_password_hash(
        &self,
        user_id: i64,
        password_hash: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let reset = async {
            write_tx!(self, |tx| {
                let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now.micros())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                append_audit!(tx, audit, now);
            });
            Ok::<_, StoreError>(())
        }
        .await;
        self.credentials.forget_all();
        reset
    }

    /// Changes a user's organisation-wide role.
    pub async fn set_role(
        &self,
        user_id: i64,
        role: Role,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let lock = self.update_lock();
        let changed = async {
            write_tx!(self, |tx| {
                if role != Role::Admin {
                    keep_an_admin!(tx, user_id, lock, "demoted");
                }
                let n = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
                append_audit!(tx, audit, now);
            });
            Ok::<_, StoreError>(())
        }
        .await;
        // Remembered credentials carry the role that permissions are
        // decided on.
        self.credentials.forget_all();
        changed?;
        self.user_by_id(user_id).await
    }

    /// Deactivates a user and, in the same transaction, revokes every
    /// session and API token they hold: access ends at once.
    pub async fn deactivate_user(
        &self,
        user_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let lock = self.update_lock();
        let ended = async {
            write_tx!(self, |tx| {
            // Acting sessions are locked before the user rows, in the order
            // the speak function locks them, so the two never deadlock.
            sqlx::query(
                "UPDATE acting_sessions SET ended_at = $1, end_reason = 'deactivated' \
                 WHERE user_id = $2 AND ended_at IS NULL",
            )
            .bind(now.micros())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            keep_an_admin!(tx, user_id, lock, "deactivated");
            let n = sqlx::query(
                "UPDATE users SET active = FALSE, deactivated_at = $1 WHERE id = $2 AND active",
            )
            .bind(now.micros())
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                vault_leaver!(tx, user_id, None, now);
                for table in ["sessions", "api_tokens"] {
                    sqlx::query(&format!(
                        "UPDATE {table} SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
                    ))
                    .bind(now.micros())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                }
                append_audit!(tx, audit, now);
            }
            });
            Ok::<_, StoreError>(())
        }
        .await;
        self.credentials.forget_all();
        ended?;
        self.user_by_id(user_id).await
    }
}

capability!(
    /// The store's user accounts: creating, finding, roles, deactivation.
    Users,
    users
);
