//! Direct messages: conversations, their members and messages.

use crate::StoreError;
use crate::posts::placeholders;
use byline_core::Timestamp;

/// Adds a message by `$w` to conversation `$conversation_id` inside `$tx`,
/// notifies the other participants, marks it read for its author and
/// records it on the tickets of help desks taking part; evaluates to
/// (message id, other participants, tickets opened or added to, those of
/// them settled by an intake).
macro_rules! write_message {
    ($tx:ident, $w:expr, $conversation_id:expr, $text:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let m: &$crate::messages::MessageText<'_> = $text;
        let conversation_id: i64 = $conversation_id;
        let now: byline_core::Timestamp = $now;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, author_profile_id, written_by_user_id, body, body_html, created_at, \
             acting_session_id, attribution_policy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(conversation_id)
        .bind(w.profile_id)
        .bind(w.user_id)
        .bind(m.body)
        .bind(m.body_html)
        .bind(now.micros())
        .bind(w.acting_session_id())
        .bind(w.policy())
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query("UPDATE conversations SET last_message_id = $1 WHERE id = $2")
            .bind(id)
            .bind(conversation_id)
            .execute(&mut *$tx)
            .await?;
        sqlx::query("UPDATE conversation_members SET last_read_id = $1 WHERE conversation_id = $2 AND profile_id = $3")
            .bind(id)
            .bind(conversation_id)
            .bind(w.profile_id)
            .execute(&mut *$tx)
            .await?;
        let others: Vec<i64> = sqlx::query_scalar(
            "SELECT profile_id FROM conversation_members WHERE conversation_id = $1 AND profile_id <> $2",
        )
        .bind(conversation_id)
        .bind(w.profile_id)
        .fetch_all(&mut *$tx)
        .await?;
        for r in &others {
            sqlx::query(
                "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, conversation_id, created_at) \
                 VALUES ($1, 'message', $2, $3, $4)",
            )
            .bind(r)
            .bind(w.profile_id)
            .bind(conversation_id)
            .bind(now.micros())
            .execute(&mut *$tx)
            .await?;
        }
        let (tickets, settled) = message_tickets!($tx, w, id, conversation_id, m.body, m.intake, now);
        (id, others, tickets, settled)
    }};
}

/// A conversation as listed for one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Id.
    pub id: i64,
    /// Everyone in it, as (handle, display name), the viewer included.
    pub participants: Vec<(String, String)>,
    /// The newest message's text, if any.
    pub last_text: Option<String>,
    /// When the newest message was written.
    pub last_at: Option<Timestamp>,
    /// Messages from others the viewer has not read.
    pub unread: i64,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Message {
    /// Id.
    pub id: i64,
    /// Author handle.
    pub author_handle: String,
    /// Author name.
    pub author_name: String,
    /// Markdown source.
    pub body: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// When (µs).
    pub created_at: i64,
    /// The profile it was written as.
    pub author_profile_id: i64,
    /// The attribution policy when written as a shared profile.
    pub attribution_policy: Option<String>,
    /// The writer's name (shown only as the policy allows).
    pub written_by_name: String,
    /// The writer's handle.
    pub written_by_handle: String,
}

/// The words of a message being sent (who sends it is the store's to
/// establish: see [`Store::send_message`] and [`crate::speak`]).
pub struct MessageText<'a> {
    /// Markdown.
    pub body: &'a str,
    /// Rendered HTML.
    pub body_html: &'a str,
    /// What to do with a ticket the message opens at a help desk taking
    /// part (empty: the tickets are seen to after the write).
    pub intake: &'a [crate::tickets::Intake],
}

impl Messages<'_> {
    /// The conversation between exactly these profiles, created if new;
    /// returns its id.
    pub async fn conversation_between(
        &self,
        creator: i64,
        participants: &[i64],
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let mut ids = participants.to_vec();
        ids.push(creator);
        ids.sort_unstable();
        ids.dedup();
        let key = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        Ok(write_tx!(self, |tx| {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM conversations WHERE participant_key = $1")
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(id) => id,
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO conversations (created_by, created_at, participant_key) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(creator)
                    .bind(now.micros())
                    .bind(&key)
                    .fetch_one(&mut *tx)
                    .await?;
                    for p in &ids {
                        sqlx::query("INSERT INTO conversation_members (conversation_id, profile_id) VALUES ($1, $2)")
                            .bind(id)
                            .bind(p)
                            .execute(&mut *tx)
                            .await?;
                    }
                    id
                }
            }
        }))
    }

    /// Whether a profile takes part in a conversation.
    pub async fn is_participant(
        &self,
        conversation_id: i64,
        profile_id: i64,
    ) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM conversation_members WHERE conversation_id = $1 AND profile_id = $2")
                .bind(conversation_id)
                .bind(profile_id)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Adds a message by `user_id` as themselves, notifies the other
    /// participants and marks it read for its author; returns (message id,
    /// other participants, tickets opened or added to, those settled). A shared profile's messages go through
    /// [`Store::speak`].
    pub async fn send_message(
        &self,
        conversation_id: i64,
        user_id: i64,
        text: &MessageText<'_>,
        now: Timestamp,
    ) -> Result<(i64, Vec<i64>, Vec<i64>, Vec<i64>), StoreError> {
        Ok(write_tx!(self, |tx| {
            let w = personal_writer!(self, tx, user_id);
            write_message!(tx, &w, conversation_id, text, now)
        }))
    }

    /// A participant's conversations, most recent first.
    pub async fn conversations_of(
        &self,
        profile_id: i64,
        limit: u32,
    ) -> Result<Vec<Conversation>, StoreError> {
        let rows: Vec<(i64, i64, Option<String>, Option<i64>)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, \
                   (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.id > me.last_read_id \
                      AND m.author_profile_id <> $1), \
                   lm.body, lm.created_at \
                 FROM conversation_members me JOIN conversations c ON c.id = me.conversation_id \
                 LEFT JOIN messages lm ON lm.id = c.last_message_id \
                 WHERE me.profile_id = $1 ORDER BY c.last_message_id DESC, c.id DESC LIMIT $2",
            )
            .bind(profile_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let people = self.participants(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|(id, unread, last_text, last_at)| Conversation {
                id,
                participants: people
                    .iter()
                    .filter(|p| p.0 == id)
                    .map(|p| (p.1.clone(), p.2.clone()))
                    .collect(),
                last_text,
                last_at: last_at.map(Timestamp),
                unread,
            })
            .collect())
    }

    async fn participants(
        &self,
        conversation_ids: &[i64],
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT cm.conversation_id, p.handle, p.display_name FROM conversation_members cm \
             JOIN profiles p ON p.id = cm.profile_id WHERE cm.conversation_id IN ({}) ORDER BY p.handle",
            placeholders(1, conversation_ids.len())
        );
        Ok(read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for id in conversation_ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// One conversation for a participant (NotFound for anyone else).
    pub async fn conversation_for(
        &self,
        id: i64,
        profile_id: i64,
    ) -> Result<Conversation, StoreError> {
        self.conversations_of_one(id, profile_id).await
    }

    async fn conversations_of_one(
        &self,
        id: i64,
        profile_id: i64,
    ) -> Result<Conversation, StoreError> {
        if !self.is_participant(id, profile_id).await? {
            return Err(StoreError::NotFound);
        }
        let unread: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM messages m JOIN conversation_members me ON me.conversation_id = m.conversation_id \
                 AND me.profile_id = $2 WHERE m.conversation_id = $1 AND m.id > me.last_read_id AND m.author_profile_id <> $2",
            )
            .bind(id)
            .bind(profile_id)
            .fetch_one(pool)
            .await?
        });
        let people = self.participants(&[id]).await?;
        Ok(Conversation {
            id,
            participants: people.into_iter().map(|p| (p.1, p.2)).collect(),
            last_text: None,
            last_at: None,
            unread,
        })
    }

    /// Messages of a conversation, oldest first, the newest `limit` before `before`.
    pub async fn messages(
        &self,
        conversation_id: i64,
        before: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let mut rows: Vec<Message> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT m.id, p.handle AS author_handle, p.display_name AS author_name, m.body, m.body_html, m.created_at, \
                 m.author_profile_id, m.attribution_policy, w.display_name AS written_by_name, wp.handle AS written_by_handle \
                 FROM messages m JOIN profiles p ON p.id = m.author_profile_id \
                 JOIN users w ON w.id = m.written_by_user_id JOIN profiles wp ON wp.user_id = w.id \
                 WHERE m.conversation_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3",
            )
            .bind(conversation_id)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.reverse();
        Ok(rows)
    }

    /// Marks everything in a conversation read for a participant.
    pub async fn mark_conversation_read(
        &self,
        conversation_id: i64,
        profile_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE conversation_members SET last_read_id = (SELECT last_message_id FROM conversations WHERE id = $1) \
                 WHERE conversation_id = $1 AND profile_id = $2",
            )
            .bind(conversation_id)
            .bind(profile_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE recipient_profile_id = $2 AND conversation_id = $3 AND read_at IS NULL",
            )
            .bind(now.micros())
            .bind(profile_id)
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Unread messages across all of a profile's conversations.
    pub async fn unread_messages(&self, profile_id: i64) -> Result<i64, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM conversation_members me JOIN messages m ON m.conversation_id = me.conversation_id \
                 WHERE me.profile_id = $1 AND m.id > me.last_read_id AND m.author_profile_id <> $1",
            )
            .bind(profile_id)
            .fetch_one(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's conversations and their messages.
    Messages,
    messages
);
