//! Investigators and investigations.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;

/// An investigation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Investigation {
    /// Id.
    pub id: i64,
    /// Who opened it.
    pub investigator_id: i64,
    /// Their handle.
    pub investigator_handle: String,
    /// Why.
    pub reason: String,
    /// The shared profile in scope.
    pub profile_id: i64,
    /// The profile's handle.
    pub profile_handle: String,
    /// Window start (µs).
    pub window_from: i64,
    /// Window end (µs, exclusive).
    pub window_to: i64,
    /// Opened (µs).
    pub opened_at: i64,
    /// Closed (µs), once closed.
    pub closed_at: Option<i64>,
    /// The outcome, once closed.
    pub outcome: Option<String>,
}

/// What opening an investigation records.
#[derive(Debug, Clone, Copy)]
pub struct NewInvestigation<'a> {
    /// The investigator's user id.
    pub investigator: i64,
    /// Why.
    pub reason: &'a str,
    /// The shared profile in scope.
    pub profile_id: i64,
    /// Window start.
    pub from: Timestamp,
    /// Window end (exclusive).
    pub to: Timestamp,
    /// When not empty, only these posts' bylines are in scope.
    pub post_ids: &'a [i64],
}

/// A revealed byline: who wrote a post's current text, one of its earlier
/// versions (edited or deleted text), or a message, as the profile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RevealedByline {
    /// `post`, `version` or `message`.
    pub kind: String,
    /// The post (for posts and versions).
    pub post_id: Option<i64>,
    /// The message (for messages).
    pub message_id: Option<i64>,
    /// When these words were written (µs).
    pub at: i64,
    /// The words.
    pub body: String,
    /// The writer's handle.
    pub handle: String,
    /// The writer's name.
    pub display_name: String,
    /// The acting session.
    pub acting_session_id: i64,
    /// Where the writer was.
    pub source_address: String,
}

const COLUMNS: &str = "i.id, i.investigator_id, ip.handle AS investigator_handle, i.reason, i.profile_id, \
     pp.handle AS profile_handle, i.window_from, i.window_to, i.opened_at, i.closed_at, i.outcome";
const FROM: &str = "FROM investigations i JOIN profiles ip ON ip.user_id = i.investigator_id \
     JOIN profiles pp ON pp.id = i.profile_id";

impl Investigations<'_> {
    /// Grants or withdraws the investigator right.
    pub async fn set_investigator(
        &self,
        user_id: i64,
        on: bool,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        // The operator at the command line is no user: the grant then
        // records the investigator themselves, and the audit event says cli.
        let granted_by = audit.user_id.unwrap_or(user_id);
        write_tx!(self, |tx| {
            if on {
                let granted = sqlx::query("INSERT INTO investigators (user_id, granted_by, granted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(user_id)
                    .bind(granted_by)
                    .bind(now.micros())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if granted > 0 {
                    // Every owner of a sealed profile learns who can now
                    // reveal its bylines.
                    sqlx::query(
                        "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, created_at) \
                         SELECT DISTINCT op.id, 'investigator', ip.id, $2 FROM profile_members m \
                         JOIN profiles p ON p.id = m.profile_id JOIN profiles op ON op.user_id = m.user_id \
                         JOIN profiles ip ON ip.user_id = $1 \
                         WHERE m.role = 'owner' AND p.attribution_policy = 'sealed'",
                    )
                    .bind(user_id)
                    .bind(now.micros())
                    .execute(&mut *tx)
                    .await?;
                }
            } else {
                sqlx::query("DELETE FROM investigators WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Whether a user may open investigations.
    pub async fn is_investigator(&self, user_id: i64) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM investigators WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Opens an investigation (audited in the same transaction).
    pub async fn open_investigation(
        &self,
        new: &NewInvestigation<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let NewInvestigation {
            investigator,
            reason,
            profile_id,
            from,
            to,
            post_ids,
        } = *new;
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO investigations (investigator_id, reason, profile_id, window_from, window_to, opened_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(investigator)
            .bind(reason)
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            for post in post_ids {
                sqlx::query(
                    "INSERT INTO investigation_posts (investigation_id, post_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(post)
                .execute(&mut *tx)
                .await?;
            }
            let entry = AuditEntry {
                target: format!("investigation:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// Closes an open investigation with its outcome.
    pub async fn close_investigation(
        &self,
        id: i64,
        outcome: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query("UPDATE investigations SET closed_at = $1, outcome = $2 WHERE id = $3 AND closed_at IS NULL")
                .bind(now.micros())
                .bind(outcome)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// One investigation.
    pub async fn investigation(&self, id: i64) -> Result<Investigation, StoreError> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE i.id = $1");
        Ok(read!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(pool)
            .await?))
    }

    /// Investigations of one investigator, or touching one profile.
    pub async fn investigations(
        &self,
        investigator: Option<i64>,
        profile: Option<i64>,
    ) -> Result<Vec<Investigation>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE ($1 IS NULL OR i.investigator_id = $1) AND ($2 IS NULL OR i.profile_id = $2) \
             ORDER BY i.id DESC LIMIT 500"
        );
        Ok(read!(self, |pool| sqlx::query_as(&sql)
            .bind(investigator)
            .bind(profile)
            .fetch_all(pool)
            .await?))
    }

    /// Whether `investigator` has an open investigation on `profile_id`
    /// covering all of [from, to).
    /// What the investigator's open investigations of a profile covering
    /// the whole window let them see: `None` when none covers it, an empty
    /// list when one covers the whole window, else the posts they name.
    pub async fn investigation_scope(
        &self,
        investigator: i64,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let covering: Vec<i64> = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM investigations WHERE investigator_id = $1 AND profile_id = $2 AND closed_at IS NULL \
                 AND window_from <= $3 AND window_to >= $4 ORDER BY id",
            )
            .bind(investigator)
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .fetch_all(pool)
            .await?
        });
        if covering.is_empty() {
            return Ok(None);
        }
        let mut posts = Vec::new();
        for id in covering {
            let named = self.investigation_posts(id).await?;
            if named.is_empty() {
                return Ok(Some(Vec::new()));
            }
            posts.extend(named);
        }
        posts.sort_unstable();
        posts.dedup();
        Ok(Some(posts))
    }

    /// Whether the investigator has an open investigation of the profile.
    pub async fn investigating_profile(
        &self,
        investigator: i64,
        profile_id: i64,
    ) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM investigations WHERE investigator_id = $1 AND profile_id = $2 AND closed_at IS NULL",
            )
            .bind(investigator)
            .bind(profile_id)
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// Every byline of a profile's words written inside a window: posts'
    /// current text, earlier versions (edited or deleted text) and
    /// messages; only those of `posts` when it is not empty.
    pub async fn bylines_in(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
        posts: &[i64],
    ) -> Result<Vec<RevealedByline>, StoreError> {
        const WRITER: &str =
            "JOIN users u ON u.id = s.user_id JOIN profiles wp ON wp.user_id = u.id";
        let sql = format!(
            "SELECT 'post' AS kind, po.id AS post_id, CAST(NULL AS BIGINT) AS message_id, \
             COALESCE(po.edited_at, po.created_at) AS at, po.body, wp.handle, u.display_name, \
             s.id AS acting_session_id, s.source_address \
             FROM posts po JOIN acting_sessions s ON s.id = po.acting_session_id {WRITER} \
             WHERE po.author_profile_id = $1 AND po.deleted_at IS NULL \
             AND COALESCE(po.edited_at, po.created_at) >= $2 AND COALESCE(po.edited_at, po.created_at) < $3 \
             UNION ALL \
             SELECT 'version', v.post_id, CAST(NULL AS BIGINT), v.written_at, v.body, wp.handle, u.display_name, \
             s.id, s.source_address \
             FROM post_versions v JOIN posts po ON po.id = v.post_id \
             JOIN acting_sessions s ON s.id = v.acting_session_id {WRITER} \
             WHERE po.author_profile_id = $1 AND v.written_at >= $2 AND v.written_at < $3 \
             UNION ALL \
             SELECT 'message', CAST(NULL AS BIGINT), m.id, m.created_at, m.body, wp.handle, u.display_name, \
             s.id, s.source_address \
             FROM messages m JOIN acting_sessions s ON s.id = m.acting_session_id {WRITER} \
             WHERE m.author_profile_id = $1 AND m.created_at >= $2 AND m.created_at < $3 \
             ORDER BY at LIMIT 1000"
        );
        let all: Vec<RevealedByline> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(from.micros())
                .bind(to.micros())
                .fetch_all(pool)
                .await?
        });
        Ok(if posts.is_empty() {
            all
        } else {
            all.into_iter()
                .filter(|b| b.post_id.is_some_and(|p| posts.contains(&p)))
                .collect()
        })
    }

    /// The posts an investigation is scoped to (empty: its whole window).
    pub async fn investigation_posts(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT post_id FROM investigation_posts WHERE investigation_id = $1 ORDER BY post_id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's investigations and the investigator right.
    Investigations,
    investigations
);
