//! Personal API tokens for `Authorization: Bearer`.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::credentials::Holder;
use crate::users::{USER_COLUMNS, User, UserRow};
use byline_core::Timestamp;

/// A token's description (never its secret, which is not stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    /// Token id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Name the owner gave it.
    pub name: String,
    /// Creation time (µs).
    pub created_at: i64,
    /// Last successful use (µs), refreshed at most once a minute.
    pub last_used_at: Option<i64>,
    /// Revocation time (µs), if revoked.
    pub revoked_at: Option<i64>,
}

const TOKEN_COLUMNS: &str = "t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.revoked_at";

impl Tokens<'_> {
    /// Stores a new token's digest.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_digest: &[u8],
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<ApiToken, StoreError> {
        let sql = format!(
            "INSERT INTO api_tokens (user_id, name, token_digest, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING {}",
            TOKEN_COLUMNS.replace("t.", "")
        );
        Ok(write_tx!(self, |tx| {
            let token: ApiToken = sqlx::query_as(&sql)
                .bind(user_id)
                .bind(name)
                .bind(token_digest)
                .bind(now.micros())
                .fetch_one(&mut *tx)
                .await?;
            let entry = AuditEntry {
                target: format!("token:{}", token.id),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            token
        }))
    }

    /// The active user owning an unrevoked token, with the token. Answered
    /// from memory when it can be (`credentials.rs`).
    pub async fn token_user(&self, token_digest: &[u8]) -> Result<(ApiToken, User), StoreError> {
        let (held, ticket) = self.credentials.recall(token_digest);
        if let Some(Holder::Token(token, user)) = held {
            return Ok((token, user));
        }
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS} FROM api_tokens t \
             JOIN users u ON u.id = t.user_id JOIN profiles p ON p.user_id = u.id \
             WHERE t.token_digest = $1 AND t.revoked_at IS NULL AND u.active"
        );
        let (token, row): (ApiToken, UserRow) = read!(self, |pool| {
            let row = sqlx::query(&sql).bind(token_digest).fetch_one(pool).await?;
            (
                sqlx::FromRow::from_row(&row)?,
                sqlx::FromRow::from_row(&row)?,
            )
        });
        let user: User = row.try_into()?;
        self.credentials.learn(
            token_digest,
            Holder::Token(token.clone(), user.clone()),
            ticket,
        );
        Ok((token, user))
    }

    /// Records that the token with digest `token_digest` was used now.
    pub async fn touch_api_token(
        &self,
        token_digest: &[u8],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_digest = $2")
                .bind(now.micros())
                .bind(token_digest)
                .execute(&mut *tx)
                .await?;
        });
        self.credentials.refresh(token_digest, |holder| {
            if let Holder::Token(token, _) = holder {
                token.last_used_at = Some(now.micros());
            }
        });
        Ok(())
    }

    /// A user's tokens, newest first, revoked ones included.
    pub async fn list_api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC LIMIT 1000"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await?
        }))
    }

    /// Who owns a token, if it exists.
    pub async fn api_token_owner(&self, token_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE id = $1")
                .bind(token_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Revokes one of `user_id`'s tokens. A token of someone else is
    /// [`StoreError::NotFound`], exactly like a token that does not exist.
    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let revoked = async {
            Ok::<_, StoreError>(write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3",
            )
            .bind(now.micros())
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                append_audit!(tx, audit, now);
            }
            n
        }))
        }
        .await;
        self.credentials.forget_all();
        if revoked? == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}

capability!(
    /// The store's personal API tokens.
    Tokens,
    tokens
);
