//! Browser sessions: a cookie's digest mapped to a user until it expires or
//! is revoked.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::credentials::Holder;
use crate::users::{USER_COLUMNS, User, UserRow};
use byline_core::Timestamp;

/// A session being opened.
pub struct NewSession<'a> {
    /// Who signed in.
    pub user_id: i64,
    /// SHA-256 of the cookie value.
    pub token_digest: &'a [u8],
    /// When it stops working even if used.
    pub expires_at: Timestamp,
    /// Client address as seen by the server.
    pub source_address: &'a str,
    /// The browser's User-Agent header.
    pub user_agent: &'a str,
}

/// An open session and its user.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// Session id.
    pub session_id: i64,
    /// When the session was last used (refreshed at most once a minute).
    pub last_seen_at: Timestamp,
    /// The signed-in user (always active).
    pub user: User,
}

impl Sessions<'_> {
    /// Records a new session.
    pub async fn create_session(
        &self,
        s: &NewSession<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (user_id, token_digest, created_at, last_seen_at, expires_at, \
                 source_address, user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id",
            )
            .bind(s.user_id)
            .bind(s.token_digest)
            .bind(now.micros())
            .bind(s.expires_at.micros())
            .bind(s.source_address)
            .bind(s.user_agent)
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
            id
        }))
    }

    /// The active user behind a session cookie, if the session is open,
    /// unexpired and the user still active. Answered from memory when it
    /// can be (`credentials.rs`).
    pub async fn session_user(
        &self,
        token_digest: &[u8],
        now: Timestamp,
    ) -> Result<SessionUser, StoreError> {
        let (held, ticket) = self.credentials.recall(token_digest);
        if let Some(Holder::Session { found, expires_at }) = held
            && expires_at > now
        {
            return Ok(found);
        }
        let sql = format!(
            "SELECT s.id AS session_id, s.last_seen_at, s.expires_at, {USER_COLUMNS} FROM sessions s \
             JOIN users u ON u.id = s.user_id JOIN profiles p ON p.user_id = u.id \
             WHERE s.token_digest = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active"
        );
        let (session_id, last_seen, expires_at, row): (i64, i64, i64, UserRow) =
            read!(self, |pool| {
                let row = sqlx::query(&sql)
                    .bind(token_digest)
                    .bind(now.micros())
                    .fetch_one(pool)
                    .await?;
                (
                    sqlx::Row::try_get(&row, "session_id")?,
                    sqlx::Row::try_get(&row, "last_seen_at")?,
                    sqlx::Row::try_get(&row, "expires_at")?,
                    sqlx::FromRow::from_row(&row)?,
                )
            });
        let found = SessionUser {
            session_id,
            last_seen_at: Timestamp(last_seen),
            user: row.try_into()?,
        };
        let holder = Holder::Session {
            found: found.clone(),
            expires_at: Timestamp(expires_at),
        };
        self.credentials.learn(token_digest, holder, ticket);
        Ok(found)
    }

    /// Marks the session with cookie digest `token_digest` as used now and
    /// pushes its expiry to `expires_at`.
    pub async fn touch_session(
        &self,
        token_digest: &[u8],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_digest = $3",
            )
            .bind(now.micros())
            .bind(expires_at.micros())
            .bind(token_digest)
            .execute(&mut *tx)
            .await?;
        });
        self.credentials.refresh(token_digest, |holder| {
            if let Holder::Session {
                found,
                expires_at: until,
            } = holder
            {
                found.last_seen_at = now;
                *until = expires_at;
            }
        });
        Ok(())
    }

    /// Ends a session; returns whether one was open.
    pub async fn revoke_session(
        &self,
        token_digest: &[u8],
        audit: Option<&AuditEntry>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let revoked = async {
            Ok::<_, StoreError>(write_tx!(self, |tx| {
            let n = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_digest = $2 AND revoked_at IS NULL")
                .bind(now.micros())
                .bind(token_digest)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if let Some(entry) = audit.filter(|_| n > 0) {
                append_audit!(tx, entry, now);
            }
            n
        }))
        }
        .await;
        self.credentials.forget_all();
        Ok(revoked? > 0)
    }

    /// Number of open, unexpired sessions a user has.
    pub async fn open_session_count(
        &self,
        user_id: i64,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
            )
            .bind(user_id)
            .bind(now.micros())
            .fetch_one(pool)
            .await?
        }))
    }
}

impl Sessions<'_> {
    /// Whether a session is still open and its user active (for long-lived
    /// connections that authenticated once).
    pub async fn session_still_valid(
        &self,
        session_id: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active",
            )
            .bind(session_id)
            .bind(now.micros())
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// Whether an API token is still valid and its user active.
    pub async fn token_still_valid(&self, token_id: i64) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.id = $1 AND t.revoked_at IS NULL AND u.active",
            )
            .bind(token_id)
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }
}

capability!(
    /// The store's browser sessions.
    Sessions,
    sessions
);
