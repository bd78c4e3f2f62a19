//! Listening's rows: the topics help desks watch, the posts that matched
//! them, and the listener's place in the stream of posts.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;

/// A watched topic.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TopicRow {
    /// Its id.
    pub id: i64,
    /// The help desk watching it.
    pub profile_id: i64,
    /// Its name.
    pub name: String,
    /// Its terms, a JSON array.
    pub terms: String,
    /// 1–10.
    pub sensitivity: i64,
    /// Fewest distinct posters for an alert.
    pub min_posters: i64,
    /// When it was defined.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

impl TopicRow {
    /// The terms as a list (an unreadable list reads as none).
    pub fn term_list(&self) -> Vec<String> {
        serde_json::from_str(&self.terms).unwrap_or_default()
    }
}

/// What a topic is set to (name, terms as JSON, sensitivity, minimum).
#[derive(Debug, Clone)]
pub struct TopicFields<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its terms, a JSON array.
    pub terms: &'a str,
    /// 1–10.
    pub sensitivity: i64,
    /// Fewest distinct posters for an alert.
    pub min_posters: i64,
}

/// A post the listener has not read yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnreadPost {
    /// Its id.
    pub id: i64,
    /// Who wrote it (a person's profile).
    pub author_profile_id: i64,
    /// Its text.
    pub body: String,
    /// When.
    pub created_at: i64,
}

/// One match to record: (topic, post, poster, at).
pub type Match = (i64, i64, i64, i64);

const TOPIC_COLUMNS: &str =
    "id, profile_id, name, terms, sensitivity, min_posters, created_at, updated_at";

impl Listening<'_> {
    /// Defines a topic for a help desk; a name the desk already uses is a
    /// conflict.
    pub async fn create_topic(
        &self,
        profile_id: i64,
        fields: &TopicFields<'_>,
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<TopicRow, StoreError> {
        let sql = format!(
            "INSERT INTO listening_topics (profile_id, name, terms, sensitivity, min_posters, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING {TOPIC_COLUMNS}"
        );
        Ok(write_tx!(self, |tx| {
            let row: TopicRow = sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(fields.name)
                .bind(fields.terms)
                .bind(fields.sensitivity)
                .bind(fields.min_posters)
                .bind(by)
                .bind(now.micros())
                .fetch_one(&mut *tx)
                .await?;
            append_audit!(tx, audit, now);
            row
        }))
    }

    /// Changes a desk's topic.
    pub async fn update_topic(
        &self,
        profile_id: i64,
        id: i64,
        fields: &TopicFields<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<TopicRow, StoreError> {
        let sql = format!(
            "UPDATE listening_topics SET name = $3, terms = $4, sensitivity = $5, \
             min_posters = $6, updated_at = $7 WHERE profile_id = $1 AND id = $2 \
             RETURNING {TOPIC_COLUMNS}"
        );
        Ok(write_tx!(self, |tx| {
            let row: Option<TopicRow> = sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(id)
                .bind(fields.name)
                .bind(fields.terms)
                .bind(fields.sensitivity)
                .bind(fields.min_posters)
                .bind(now.micros())
                .fetch_optional(&mut *tx)
                .await?;
            let row = row.ok_or(StoreError::NotFound)?;
            append_audit!(tx, audit, now);
            row
        }))
    }

    /// Stops watching a topic, forgetting its matches.
    pub async fn delete_topic(
        &self,
        profile_id: i64,
        id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM topic_matches WHERE topic_id = $1 AND topic_id IN (SELECT id FROM listening_topics WHERE profile_id = $2)")
                .bind(id)
                .bind(profile_id)
                .execute(&mut *tx)
                .await?;
            let gone =
                sqlx::query("DELETE FROM listening_topics WHERE profile_id = $1 AND id = $2")
                    .bind(profile_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if gone == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// A desk's topics, by name.
    pub async fn topics(&self, profile_id: i64) -> Result<Vec<TopicRow>, StoreError> {
        let sql = format!(
            "SELECT {TOPIC_COLUMNS} FROM listening_topics WHERE profile_id = $1 ORDER BY lower(name), id"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Every desk's topics (the listener matches them all at once).
    pub async fn all_topics(&self) -> Result<Vec<TopicRow>, StoreError> {
        let sql = format!("SELECT {TOPIC_COLUMNS} FROM listening_topics ORDER BY id");
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql).fetch_all(pool).await?
        }))
    }

    /// One topic.
    pub async fn topic(&self, profile_id: i64, id: i64) -> Result<TopicRow, StoreError> {
        let sql = format!(
            "SELECT {TOPIC_COLUMNS} FROM listening_topics WHERE profile_id = $1 AND id = $2"
        );
        read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Where the listener stands: the last post it has read.
    pub async fn cursor(&self) -> Result<i64, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar("SELECT last_post_id FROM listening_cursor WHERE id = 1")
                .fetch_optional(pool)
                .await?
                .unwrap_or(0)
        }))
    }

    /// Up to `limit` posts after `after` that listening may hear: written
    /// by people (not shared profiles, whose answers would echo the topic
    /// back), not deleted, and outside any community or in an open one. A
    /// closed or secret community's talk stays its own: a topic's page and
    /// its incidents are read by every member of the desk.
    pub async fn unread_posts(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<UnreadPost>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.author_profile_id, p.body, p.created_at FROM posts p \
                 JOIN profiles a ON a.id = p.author_profile_id AND a.kind = 'personal' \
                 LEFT JOIN communities c ON c.id = p.community_id \
                 WHERE p.id > $1 AND p.deleted_at IS NULL \
                   AND (p.community_id IS NULL OR c.visibility = 'open') \
                 ORDER BY p.id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records matches and moves the cursor from `from` to `to` in one
    /// write; false (and nothing written) when another listener moved it
    /// first, so every post is matched once.
    pub async fn record(&self, from: i64, to: i64, matches: &[Match]) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| {
            let moved = sqlx::query(
                "UPDATE listening_cursor SET last_post_id = $2 WHERE id = 1 AND last_post_id = $1",
            )
            .bind(from)
            .bind(to)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 1 {
                for (topic, post, poster, at) in matches {
                    sqlx::query(
                        "INSERT INTO topic_matches (topic_id, post_id, poster_profile_id, at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(topic)
                    .bind(post)
                    .bind(poster)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            moved == 1
        }))
    }

    /// `(at, poster)` of a topic's matches in `[from, to)`, by time.
    pub async fn matches_between(
        &self,
        topic_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT at, poster_profile_id FROM topic_matches \
                 WHERE topic_id = $1 AND at >= $2 AND at < $3 ORDER BY at",
            )
            .bind(topic_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The newest `limit` posts matching a topic, newest first.
    pub async fn matched_posts(&self, topic_id: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT m.post_id FROM topic_matches m JOIN posts p ON p.id = m.post_id \
                 WHERE m.topic_id = $1 AND p.deleted_at IS NULL \
                 ORDER BY m.at DESC, m.post_id DESC LIMIT $2",
            )
            .bind(topic_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Up to `limit` recent posts' texts (to judge how common a term is).
    pub async fn recent_texts(&self, limit: i64) -> Result<Vec<String>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT body FROM posts WHERE deleted_at IS NULL ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's listening: topics, matches and the listener's cursor.
    Listening,
    listening
);
