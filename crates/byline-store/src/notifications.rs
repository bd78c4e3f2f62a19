//! Notifications: what happened that concerns a profile.

use crate::StoreError;
use crate::visibility::readable_post;
use byline_core::Timestamp;

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notification {
    /// Id (newest is highest).
    pub id: i64,
    /// `mention`, `reply`, `reaction`, `follow`, `join_request`, `invitation`, `message`,
    /// `investigator`, `sla_warning`, `sla_breach`, `vault_reveal`, `vault_rotate`,
    /// `publication_submitted`, `publication_approved`, `publication_rejected`,
    /// `publication_published`, `publication_failed`, `listening_incident`,
    /// `listening_digest`.
    pub kind: String,
    /// Who caused it.
    pub actor_handle: String,
    /// Their display name.
    pub actor_name: String,
    /// The post concerned, if any.
    pub post_id: Option<i64>,
    /// The community concerned (slug), if any.
    pub community_slug: Option<String>,
    /// The conversation concerned, if any.
    pub conversation_id: Option<i64>,
    /// The vault entry concerned (its name), if any.
    pub secret_name: Option<String>,
    /// The shared profile whose vault holds it (handle), if any.
    pub secret_profile: Option<String>,
    /// The publication concerned, if any.
    pub publication_id: Option<i64>,
    /// The shared profile it is said as (handle), if any.
    pub publication_profile: Option<String>,
    /// When (µs).
    pub created_at: i64,
    /// When read (µs), if read.
    pub read_at: Option<i64>,
}

impl Notifications<'_> {
    /// Records a notification about a community (join request, invitation).
    pub async fn notify_community(
        &self,
        recipients: &[i64],
        kind: &str,
        actor: i64,
        community_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            for r in recipients {
                sqlx::query(
                    "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, community_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(r)
                .bind(kind)
                .bind(actor)
                .bind(community_id)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// A profile's notifications, newest first, before `before`. Those
    /// about posts the profile can no longer read are left out.
    pub async fn notifications(
        &self,
        profile_id: i64,
        before: i64,
        limit: u32,
    ) -> Result<Vec<Notification>, StoreError> {
        let sql = format!(
            "SELECT n.id, n.kind, a.handle AS actor_handle, a.display_name AS actor_name, n.post_id, \
             c.slug AS community_slug, n.conversation_id, vs.name AS secret_name, vp.handle AS secret_profile, \
             n.publication_id, pp.handle AS publication_profile, n.created_at, n.read_at FROM notifications n \
             LEFT JOIN publications pu ON pu.id = n.publication_id LEFT JOIN profiles pp ON pp.id = pu.profile_id \
             JOIN profiles a ON a.id = n.actor_profile_id \
             LEFT JOIN vault_secrets vs ON vs.id = n.secret_id LEFT JOIN profiles vp ON vp.id = vs.profile_id \
             LEFT JOIN communities c ON c.id = n.community_id \
             LEFT JOIN posts p ON p.id = n.post_id \
             WHERE n.recipient_profile_id = $1 AND n.id < $2 AND (n.post_id IS NULL OR {}) \
             ORDER BY n.id DESC LIMIT $3",
            readable_post("$1")
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        }))
    }

    /// Unread notifications a profile can see.
    pub async fn unread_notifications(&self, profile_id: i64) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM notifications n LEFT JOIN posts p ON p.id = n.post_id \
             WHERE n.recipient_profile_id = $1 AND n.read_at IS NULL AND (n.post_id IS NULL OR {})",
            readable_post("$1")
        );
        Ok(read!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(profile_id)
                .fetch_one(pool)
                .await?
        }))
    }

    /// Marks every notification up to `up_to` as read.
    pub async fn mark_notifications_read(
        &self,
        profile_id: i64,
        up_to: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE recipient_profile_id = $2 AND id <= $3 AND read_at IS NULL",
            )
            .bind(now.micros())
            .bind(profile_id)
            .bind(up_to)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}

capability!(
    /// The store's notifications.
    Notifications,
    notifications
);
