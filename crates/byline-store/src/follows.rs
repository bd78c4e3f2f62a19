//! Who follows whom.

use crate::StoreError;
use byline_core::Timestamp;

impl Follows<'_> {
    /// Follows a profile (idempotent); notifies the followee the first time.
    pub async fn follow(
        &self,
        follower: i64,
        followee: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(follower)
            .bind(followee)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                sqlx::query(
                    "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, created_at) VALUES ($1, 'follow', $2, $3)",
                )
                .bind(followee)
                .bind(follower)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
            }
        });
        self.memo.forget_follows(follower);
        Ok(())
    }

    /// Stops following (idempotent).
    pub async fn unfollow(&self, follower: i64, followee: i64) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2")
                .bind(follower)
                .bind(followee)
                .execute(&mut *tx)
                .await?;
        });
        self.memo.forget_follows(follower);
        Ok(())
    }

    /// Whether `follower` follows `followee`.
    pub async fn follows(&self, follower: i64, followee: i64) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM follows WHERE follower_id = $1 AND followee_id = $2",
            )
            .bind(follower)
            .bind(followee)
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// (followers, following) counts of a profile.
    pub async fn follow_counts(&self, profile_id: i64) -> Result<(i64, i64), StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM follows WHERE followee_id = $1), \
                        (SELECT COUNT(*) FROM follows WHERE follower_id = $1)",
            )
            .bind(profile_id)
            .fetch_one(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's follows: who follows whom.
    Follows,
    follows
);
