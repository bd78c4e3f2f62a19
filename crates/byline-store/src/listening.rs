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

/// A post an incident holds: (post, poster, at).
pub type Heard = (i64, i64, i64);

/// What opening an incident writes.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    /// The topic that spiked.
    pub topic_id: i64,
    /// Its help desk.
    pub profile_id: i64,
    /// The ticket's subject.
    pub subject: &'a str,
    /// The ticket's first event, saying what the listener saw.
    pub detail: &'a str,
    /// Distinct people in the window.
    pub posters: i64,
    /// What the window usually holds.
    pub expected: f64,
    /// The chance of as many by luck.
    pub tail: f64,
    /// The posts that set it off, oldest first (at least one).
    pub posts: &'a [Heard],
}

/// An incident with its ticket and what it holds.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct IncidentRow {
    /// Its id.
    pub id: i64,
    /// The topic that spiked.
    pub topic_id: i64,
    /// Its name.
    pub topic_name: String,
    /// The help desk.
    pub profile_id: i64,
    /// Its ticket.
    pub ticket_id: i64,
    /// The ticket's number at the desk.
    pub ticket_number: i64,
    /// The ticket's status.
    pub ticket_status: String,
    /// When the spike was heard.
    pub opened_at: i64,
    /// Distinct people in the window that set it off.
    pub posters: i64,
    /// What that window usually holds.
    pub expected: f64,
    /// The chance of as many by luck.
    pub tail: f64,
    /// Posts attached.
    pub posts: i64,
    /// Distinct people among them.
    pub people: i64,
    /// Threads they are in.
    pub threads: i64,
    /// Threads the desk has answered.
    pub answered: i64,
}

/// A kept weekly digest.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DigestRow {
    /// The Monday its week starts on (`YYYY-MM-DD`).
    pub week: String,
    /// Its figures, JSON.
    pub body: String,
    /// When it was written.
    pub created_at: i64,
}

/// A post attached to an incident.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IncidentPost {
    /// The post.
    pub post_id: i64,
    /// Its thread.
    pub thread_root_id: i64,
    /// Who wrote it.
    pub poster_profile_id: i64,
    /// When.
    pub at: i64,
    /// The desk's answer in its thread, once given.
    pub answer_post_id: Option<i64>,
}

const INCIDENT_SELECT: &str = "SELECT i.id, i.topic_id, tp.name AS topic_name, i.profile_id, \
     i.ticket_id, t.number AS ticket_number, t.status AS ticket_status, i.opened_at, i.posters, \
     i.expected, i.tail, \
     (SELECT COUNT(*) FROM incident_posts x WHERE x.incident_id = i.id) AS posts, \
     (SELECT COUNT(DISTINCT x.poster_profile_id) FROM incident_posts x WHERE x.incident_id = i.id) AS people, \
     (SELECT COUNT(DISTINCT x.thread_root_id) FROM incident_posts x WHERE x.incident_id = i.id) AS threads, \
     (SELECT COUNT(DISTINCT x.thread_root_id) FROM incident_posts x \
       WHERE x.incident_id = i.id AND x.answer_post_id IS NOT NULL) AS answered \
     FROM listening_incidents i JOIN listening_topics tp ON tp.id = i.topic_id \
     JOIN tickets t ON t.id = i.ticket_id";

/// A ticket still being worked.
const OPEN_TICKET: &str = "t.status NOT IN ('solved', 'closed')";

/// Attaches one post to an incident inside a write, its thread read from
/// the post.
macro_rules! attach_in_tx {
    ($tx:ident, $incident:expr, $post:expr, $poster:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO incident_posts (incident_id, post_id, thread_root_id, poster_profile_id, at) \
             SELECT $1, p.id, COALESCE(p.thread_root_id, p.id), $3, $4 FROM posts p WHERE p.id = $2 \
             ON CONFLICT DO NOTHING",
        )
        .bind($incident)
        .bind($post)
        .bind($poster)
        .bind($at)
        .execute(&mut *$tx)
        .await?;
    };
}

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
    /// first, so every post is matched once. A match of a topic with an
    /// open incident joins the incident in the same write, when it was
    /// said no earlier than `lead` µs before the burst was heard (one
    /// write a pass, however many incidents are open).
    pub async fn record(
        &self,
        from: i64,
        to: i64,
        matches: &[Match],
        lead: i64,
    ) -> Result<bool, StoreError> {
        let join_sql = format!(
            "INSERT INTO incident_posts (incident_id, post_id, thread_root_id, poster_profile_id, at) \
             SELECT i.id, p.id, COALESCE(p.thread_root_id, p.id), $3, $4 \
             FROM listening_incidents i JOIN tickets t ON t.id = i.ticket_id JOIN posts p ON p.id = $2 \
             WHERE i.topic_id = $1 AND {OPEN_TICKET} AND $4 >= i.opened_at - $5 \
             ON CONFLICT DO NOTHING"
        );
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
                    sqlx::query(&join_sql)
                        .bind(topic)
                        .bind(post)
                        .bind(poster)
                        .bind(at)
                        .bind(lead)
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

    /// A topic's matches in `[from, to)` as `(post, poster, at)`, by time.
    pub async fn heard_between(
        &self,
        topic_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<Heard>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT post_id, poster_profile_id, at FROM topic_matches \
                 WHERE topic_id = $1 AND at >= $2 AND at < $3 ORDER BY at, post_id",
            )
            .bind(topic_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }

    /// `(at, poster, text)` of the posts matching a topic in `[from, to)`
    /// that are still there, by time, at most `limit`.
    pub async fn matched_texts(
        &self,
        topic_id: i64,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<(i64, i64, String)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT m.at, m.poster_profile_id, p.body FROM topic_matches m JOIN posts p ON p.id = m.post_id \
                 WHERE m.topic_id = $1 AND m.at >= $2 AND m.at < $3 AND p.deleted_at IS NULL \
                 ORDER BY m.at LIMIT $4",
            )
            .bind(topic_id)
            .bind(from)
            .bind(to)
            .bind(limit)
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

    /// Opens an incident: a ticket in the desk's inbox (high priority, the
    /// desk itself as requester, living in the thread of the first post)
    /// with the posts attached, in one write. `None` when the topic already
    /// has an open incident (another listener got there first) or the
    /// desk's help desk is off.
    pub async fn open_incident(
        &self,
        new: &NewIncident<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let Some(&(first, _, _)) = new.posts.first() else {
            return Ok(None);
        };
        let open_sql = format!(
            "SELECT i.id FROM listening_incidents i JOIN tickets t ON t.id = i.ticket_id \
             WHERE i.topic_id = $1 AND {OPEN_TICKET}"
        );
        // Two listeners judging the same topic at once take turns on its
        // row, so the second sees the first one's incident.
        let turn = format!(
            "SELECT id FROM listening_topics WHERE id = $1{}",
            self.update_lock()
        );
        Ok(write_tx!(self, |tx| 'opening: {
            let topic: Option<i64> = sqlx::query_scalar(&turn)
                .bind(new.topic_id)
                .fetch_optional(&mut *tx)
                .await?;
            if topic.is_none() {
                break 'opening None;
            }
            let open: Option<i64> = sqlx::query_scalar(&open_sql)
                .bind(new.topic_id)
                .fetch_optional(&mut *tx)
                .await?;
            if open.is_some() {
                break 'opening None;
            }
            let number: Option<i64> = sqlx::query_scalar(
                "UPDATE help_desks SET next_number = next_number + 1 \
                 WHERE profile_id = $1 AND enabled RETURNING next_number - 1",
            )
            .bind(new.profile_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(number) = number else {
                break 'opening None;
            };
            let root: i64 =
                sqlx::query_scalar("SELECT COALESCE(thread_root_id, id) FROM posts WHERE id = $1")
                    .bind(first)
                    .fetch_one(&mut *tx)
                    .await?;
            let ticket_id: i64 = sqlx::query_scalar(
                "INSERT INTO tickets (profile_id, number, requester_profile_id, subject, priority, \
                 source_post_id, thread_root_id, created_at, updated_at) \
                 VALUES ($1, $2, $1, $3, 'high', $4, $5, $6, $6) RETURNING id",
            )
            .bind(new.profile_id)
            .bind(number)
            .bind(new.subject)
            .bind(first)
            .bind(root)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, kind, post_id, detail) \
                 VALUES ($1, $2, 'opened', $3, $4)",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(first)
            .bind(new.detail)
            .execute(&mut *tx)
            .await?;
            let incident: i64 = sqlx::query_scalar(
                "INSERT INTO listening_incidents (topic_id, profile_id, ticket_id, opened_at, \
                 posters, expected, tail) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(new.topic_id)
            .bind(new.profile_id)
            .bind(ticket_id)
            .bind(now.micros())
            .bind(new.posters)
            .bind(new.expected)
            .bind(new.tail)
            .fetch_one(&mut *tx)
            .await?;
            for (post, poster, at) in new.posts {
                attach_in_tx!(tx, incident, *post, *poster, *at);
            }
            // Everyone who works the desk's tickets hears of it.
            sqlx::query(
                "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, created_at) \
                 SELECT p.id, 'listening_incident', $1, $2 FROM profile_members m \
                 JOIN users u ON u.id = m.user_id AND u.active \
                 JOIN profiles p ON p.user_id = m.user_id AND p.kind = 'personal' \
                 WHERE m.profile_id = $1 AND m.role IN ('owner', 'editor', 'responder')",
            )
            .bind(new.profile_id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            let mut audit = audit.clone();
            audit.target = format!("ticket:{ticket_id}");
            append_audit!(tx, &audit, now);
            Some((incident, ticket_id))
        }))
    }

    /// The topic's open incident, if any.
    pub async fn open_incident_of(&self, topic_id: i64) -> Result<Option<IncidentRow>, StoreError> {
        let sql = format!("{INCIDENT_SELECT} WHERE i.topic_id = $1 AND {OPEN_TICKET}");
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(topic_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// A desk's incidents, newest first.
    pub async fn incidents(
        &self,
        profile_id: i64,
        limit: i64,
    ) -> Result<Vec<IncidentRow>, StoreError> {
        let sql = format!("{INCIDENT_SELECT} WHERE i.profile_id = $1 ORDER BY i.id DESC LIMIT $2");
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// A topic's incidents, newest first.
    pub async fn topic_incidents(&self, topic_id: i64) -> Result<Vec<IncidentRow>, StoreError> {
        let sql = format!("{INCIDENT_SELECT} WHERE i.topic_id = $1 ORDER BY i.id DESC");
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql).bind(topic_id).fetch_all(pool).await?
        }))
    }

    /// One of a desk's incidents.
    pub async fn incident(&self, profile_id: i64, id: i64) -> Result<IncidentRow, StoreError> {
        let sql = format!("{INCIDENT_SELECT} WHERE i.profile_id = $1 AND i.id = $2");
        read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// The incident a ticket was opened for, if it was.
    pub async fn incident_of_ticket(
        &self,
        ticket_id: i64,
    ) -> Result<Option<IncidentRow>, StoreError> {
        let sql = format!("{INCIDENT_SELECT} WHERE i.ticket_id = $1");
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(ticket_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The posts an incident holds, oldest first.
    pub async fn incident_posts(&self, incident_id: i64) -> Result<Vec<IncidentPost>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT post_id, thread_root_id, poster_profile_id, at, answer_post_id \
                 FROM incident_posts WHERE incident_id = $1 ORDER BY at, post_id",
            )
            .bind(incident_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Claims a thread of an incident for answering; false when it is
    /// answered or being answered already.
    pub async fn claim_thread(
        &self,
        incident_id: i64,
        thread_root_id: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE incident_posts SET answered_at = $3 \
                 WHERE incident_id = $1 AND thread_root_id = $2 AND answered_at IS NULL",
            )
            .bind(incident_id)
            .bind(thread_root_id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0
        }))
    }

    /// Records the answer said in a claimed thread (`None`: saying it
    /// failed, so the thread is free again).
    pub async fn answered_thread(
        &self,
        incident_id: i64,
        thread_root_id: i64,
        answer_post_id: Option<i64>,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let sql = if answer_post_id.is_some() {
                "UPDATE incident_posts SET answer_post_id = $3 \
                 WHERE incident_id = $1 AND thread_root_id = $2 AND answer_post_id IS NULL"
            } else {
                "UPDATE incident_posts SET answered_at = NULL \
                 WHERE incident_id = $1 AND thread_root_id = $2 AND answer_post_id IS NULL"
            };
            sqlx::query(sql)
                .bind(incident_id)
                .bind(thread_root_id)
                .bind(answer_post_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Keeps a desk's digest of a week and tells its owners, once: false
    /// when that week's digest was kept already (by another process, say).
    pub async fn save_digest(
        &self,
        profile_id: i64,
        week: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO listening_digests (profile_id, week, body, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (profile_id, week) DO NOTHING RETURNING id",
            )
            .bind(profile_id)
            .bind(week)
            .bind(body)
            .bind(now.micros())
            .fetch_optional(&mut *tx)
            .await?;
            if id.is_some() {
                sqlx::query(
                    "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, created_at) \
                     SELECT p.id, 'listening_digest', $1, $2 FROM profile_members m \
                     JOIN users u ON u.id = m.user_id AND u.active \
                     JOIN profiles p ON p.user_id = m.user_id AND p.kind = 'personal' \
                     WHERE m.profile_id = $1 AND m.role = 'owner'",
                )
                .bind(profile_id)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
            }
            id.is_some()
        }))
    }

    /// A desk's digests, newest week first.
    pub async fn digests(&self, profile_id: i64, limit: i64) -> Result<Vec<DigestRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT week, body, created_at FROM listening_digests WHERE profile_id = $1 \
                 ORDER BY week DESC LIMIT $2",
            )
            .bind(profile_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The desks whose help desk is on.
    pub async fn help_desks(&self) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT profile_id FROM help_desks WHERE enabled ORDER BY profile_id",
            )
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
