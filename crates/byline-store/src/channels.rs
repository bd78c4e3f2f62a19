//! Channels' rows: a shared profile's connected channels, what was sent
//! through them, and the delivery log. Credentials are vault entries
//! (`vault_secrets.channel_id`); nothing here sees them in clear.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::vault::NewSecret;
use byline_core::Timestamp;

/// A connected channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChannelRow {
    /// Id.
    pub id: i64,
    /// The shared profile it belongs to.
    pub profile_id: i64,
    /// `feed`, `webhook` or `email`.
    pub kind: String,
    /// Its name ("Press list").
    pub name: String,
    /// Its settings that are not secret, as JSON.
    pub settings: String,
    /// The vault entry holding its credentials.
    pub secret_id: Option<i64>,
    /// Who connected it.
    pub created_by: i64,
    /// When (µs).
    pub created_at: i64,
    /// When it was last tested (µs).
    pub tested_at: Option<i64>,
    /// Whether that test passed.
    pub test_ok: Option<bool>,
    /// What the far end said then.
    pub test_message: Option<String>,
}

/// A channel to connect.
#[derive(Debug)]
pub struct NewChannel<'a> {
    /// The shared profile.
    pub profile_id: i64,
    /// Its kind.
    pub kind: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its settings, as JSON.
    pub settings: &'a str,
    /// Who connects it.
    pub created_by: i64,
}

/// Something sent through a channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    /// Id.
    pub id: i64,
    /// The channel.
    pub channel_id: i64,
    /// The shared profile it was said as.
    pub profile_id: i64,
    /// Who sent it (shown only where the profile's byline policy allows).
    pub sent_by: i64,
    /// The acting session it was said in.
    pub acting_session_id: i64,
    /// Where the sender was.
    pub source_address: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// `queued`, `delivered` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// What the far end calls it (a post id, a message id).
    pub remote_ref: Option<String>,
    /// The last failure, in the far end's words.
    pub last_error: Option<String>,
    /// When it was sent (µs).
    pub created_at: i64,
    /// When it was delivered or given up (µs).
    pub finished_at: Option<i64>,
    /// The publication it releases, if one.
    pub publication_id: Option<i64>,
}

/// What to send through a channel; written by the speak function.
#[derive(Debug)]
pub struct NewDelivery<'a> {
    /// The channel.
    pub channel_id: i64,
    /// Its title.
    pub title: &'a str,
    /// Its text.
    pub body: &'a str,
}

/// One attempt at a delivery, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptRow {
    /// The delivery.
    pub delivery_id: i64,
    /// 1 for the first.
    pub attempt: i64,
    /// When (µs).
    pub at: i64,
    /// Whether it got through.
    pub ok: bool,
    /// Whether the far end's answer rules out another try.
    pub permanent: bool,
    /// A short status ("HTTP 500", "SMTP 535", "timeout").
    pub status: String,
    /// The far end's words.
    pub message: String,
    /// How long it took.
    pub millis: i64,
}

/// A post of a profile's public feed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedItem {
    /// The post.
    pub id: i64,
    /// Its Markdown.
    pub body: String,
    /// Its rendered HTML.
    pub body_html: String,
    /// When (µs).
    pub created_at: i64,
    /// When last edited (µs).
    pub edited_at: Option<i64>,
}

const CHANNEL_COLUMNS: &str = "id, profile_id, kind, name, settings, secret_id, created_by, created_at, \
    tested_at, test_ok, test_message";

const DELIVERY_COLUMNS: &str = "id, channel_id, profile_id, sent_by, acting_session_id, source_address, \
    title, body, state, attempts, remote_ref, last_error, created_at, finished_at, publication_id";

/// Records `$new` as said by the writer `$w` inside the speak function's
/// transaction `$tx`: the channel must be connected and belong to the
/// profile spoken as. Evaluates to the delivery's id.
macro_rules! write_delivery {
    ($tx:ident, $w:expr, $voice:expr, $new:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let new: &$crate::channels::NewDelivery<'_> = $new;
        let v: &$crate::speak::Voice<'_> = $voice;
        let b = w.byline.as_ref().ok_or_else(|| {
            $crate::StoreError::Corrupt("a shared profile's write without a byline".into())
        })?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO channel_deliveries (channel_id, profile_id, sent_by, acting_session_id, source_address, \
             title, body, state, created_at) \
             SELECT c.id, c.profile_id, $1, $2, $3, $4, $5, 'queued', $6 FROM channels c \
             WHERE c.id = $7 AND c.profile_id = $8 AND c.disconnected_at IS NULL RETURNING id",
        )
        .bind(w.user_id)
        .bind(b.acting_session_id)
        .bind(v.source_address)
        .bind(new.title)
        .bind(new.body)
        .bind($now.micros())
        .bind(new.channel_id)
        .bind(w.profile_id)
        .fetch_optional(&mut *$tx)
        .await?;
        id.ok_or($crate::StoreError::NotFound)?
    }};
}

impl Channels<'_> {
    /// Connects a channel, with its credentials in the vault when it has
    /// any, in one transaction; evaluates to its id.
    pub async fn create_channel(
        &self,
        channel: &NewChannel<'_>,
        secret: Option<&NewSecret<'_>>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO channels (profile_id, kind, name, settings, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(channel.profile_id)
            .bind(channel.kind)
            .bind(channel.name)
            .bind(channel.settings)
            .bind(channel.created_by)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            if let Some(secret) = secret {
                let secret = NewSecret {
                    channel_id: Some(id),
                    ..*secret
                };
                let secret_id = insert_secret!(tx, &secret, now);
                sqlx::query("UPDATE channels SET secret_id = $1 WHERE id = $2")
                    .bind(secret_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let entry = AuditEntry {
                target: format!("channel:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// A profile's connected channels, by name.
    pub async fn channels(&self, profile_id: i64) -> Result<Vec<ChannelRow>, StoreError> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE profile_id = $1 AND disconnected_at IS NULL \
             ORDER BY lower(name), id"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// One connected channel.
    pub async fn channel(&self, id: i64) -> Result<ChannelRow, StoreError> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1 AND disconnected_at IS NULL"
        );
        let row: Option<ChannelRow> = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// Keeps the outcome of a connection test.
    pub async fn record_test(
        &self,
        id: i64,
        ok: bool,
        message: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE channels SET tested_at = $1, test_ok = $2, test_message = $3 WHERE id = $4",
            )
            .bind(now.micros())
            .bind(ok)
            .bind(message)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Disconnects a channel: it takes nothing more, its queued deliveries
    /// fail, and its credentials leave the vault.
    pub async fn disconnect(
        &self,
        id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let secret: Option<Option<i64>> = sqlx::query_scalar(
                "UPDATE channels SET disconnected_at = $1 WHERE id = $2 AND disconnected_at IS NULL \
                 RETURNING secret_id",
            )
            .bind(now.micros())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(secret) = secret else {
                return Err(StoreError::NotFound);
            };
            if let Some(secret) = secret {
                sqlx::query("UPDATE vault_secrets SET removed_at = $1 WHERE id = $2")
                    .bind(now.micros())
                    .bind(secret)
                    .execute(&mut *tx)
                    .await?;
            }
            let failed: Vec<i64> = sqlx::query_scalar(
                "UPDATE channel_deliveries SET state = 'failed', last_error = 'the channel was disconnected', \
                 finished_at = $1 WHERE channel_id = $2 AND state = 'queued' RETURNING id",
            )
            .bind(now.micros())
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            for delivery in failed {
                settle_publication!(tx, delivery, now);
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// One delivery.
    pub async fn delivery(&self, id: i64) -> Result<DeliveryRow, StoreError> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM channel_deliveries WHERE id = $1");
        let row: Option<DeliveryRow> = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// A channel's latest deliveries, newest first.
    pub async fn deliveries(
        &self,
        channel_id: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM channel_deliveries WHERE channel_id = $1 ORDER BY id DESC LIMIT $2"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(channel_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The attempts at the given deliveries, in order.
    pub async fn attempts(&self, delivery_ids: &[i64]) -> Result<Vec<AttemptRow>, StoreError> {
        if delivery_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT delivery_id, attempt, at, ok, permanent, status, message, millis FROM channel_attempts \
             WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
            crate::posts::placeholders(1, delivery_ids.len())
        );
        Ok(read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for id in delivery_ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// Logs an attempt at a queued delivery and settles it: delivered when
    /// `attempt.ok`, failed when `give_up`, else still queued. Evaluates to
    /// false (and logs nothing) when the delivery is no longer queued (a
    /// disconnected channel) or a later claim has logged already (a runner
    /// that lost its lease). A claim whose runner died before logging
    /// leaves a gap in the attempt numbers, not a stuck delivery.
    pub async fn record_attempt(
        &self,
        attempt: &AttemptRow,
        remote_ref: Option<&str>,
        give_up: bool,
    ) -> Result<bool, StoreError> {
        let state = if attempt.ok {
            "delivered"
        } else if give_up {
            "failed"
        } else {
            "queued"
        };
        let finished = (state != "queued").then_some(attempt.at);
        let last_error = (!attempt.ok).then_some(attempt.message.as_str());
        Ok(write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE channel_deliveries SET attempts = $1, state = $2, remote_ref = COALESCE($3, remote_ref), \
                 last_error = $4, finished_at = $5 WHERE id = $6 AND state = 'queued' AND attempts < $1",
            )
            .bind(attempt.attempt)
            .bind(state)
            .bind(remote_ref)
            .bind(last_error)
            .bind(finished)
            .bind(attempt.delivery_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query(
                    "INSERT INTO channel_attempts (delivery_id, attempt, at, ok, permanent, status, message, millis) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(attempt.delivery_id)
                .bind(attempt.attempt)
                .bind(attempt.at)
                .bind(attempt.ok)
                .bind(attempt.permanent)
                .bind(&attempt.status)
                .bind(&attempt.message)
                .bind(attempt.millis)
                .execute(&mut *tx)
                .await?;
                if state != "queued" {
                    settle_publication!(
                        tx,
                        attempt.delivery_id,
                        byline_core::Timestamp(attempt.at)
                    );
                }
            }
            n == 1
        }))
    }

    /// A profile's latest top-level posts outside communities (what
    /// everyone in the organisation may read), newest first.
    pub async fn public_posts(
        &self,
        profile_id: i64,
        limit: i64,
    ) -> Result<Vec<FeedItem>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, body, body_html, created_at, edited_at FROM posts \
                 WHERE author_profile_id = $1 AND community_id IS NULL AND reply_to_id IS NULL \
                 AND deleted_at IS NULL ORDER BY id DESC LIMIT $2",
            )
            .bind(profile_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's channels and their delivery log.
    Channels,
    channels
);
