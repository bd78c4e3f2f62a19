//! Timelines: home, profile, community, hashtag and thread, newest first
//! with an id cursor. Each reads post ids from covering indexes per source,
//! merges them, cuts the page, then fetches just those posts.

use crate::StoreError;
use crate::posts::Post;
use crate::visibility::readable_post;

/// Follows beyond which the home timeline walks all posts newest first
/// instead of each followed profile's (see [`Store::home_feed`]).
const DENSE_FOLLOWS: i64 = 100;

/// A page of posts and the cursor for the next one.
#[derive(Debug, Clone)]
pub struct Page {
    /// Newest first.
    pub posts: Vec<Post>,
    /// Pass as `before` to continue; None on the last page.
    pub next_before: Option<i64>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Only posts with ids below this.
    pub before: i64,
    /// At most this many.
    pub limit: u32,
}

impl Feeds<'_> {
    async fn page_of(&self, ids: Vec<i64>, viewer: i64, limit: u32) -> Result<Page, StoreError> {
        let next_before = (ids.len() == limit as usize)
            .then(|| ids.last().copied())
            .flatten();
        Ok(Page {
            posts: self.posts().posts_for(&ids, viewer).await?,
            next_before,
        })
    }

    /// Own posts, posts of followed profiles outside communities, and posts
    /// in communities the viewer belongs to.
    pub async fn home_feed(&self, viewer: i64, w: Window) -> Result<Page, StoreError> {
        // Which shape to use is only a plan: a stale answer gives the same
        // posts, so it is counted once a minute, not on every page.
        let dense = match self.memo.follows_many(viewer) {
            Some(many) => many,
            None => {
                let following: i64 = read!(self, |pool| {
                    sqlx::query_scalar("SELECT COUNT(*) FROM follows WHERE follower_id = $1")
                        .bind(viewer)
                        .fetch_one(pool)
                        .await?
                });
                let many = following > DENSE_FOLLOWS;
                self.memo.learn_follows_many(viewer, many);
                many
            }
        };
        // Few follows: read each followed profile's newest posts from the
        // author index and sort them. Many follows: that reads (and sorts)
        // every post of thousands of profiles, while walking all posts
        // newest first meets enough of theirs at once; the unary `+` keeps
        // the planner off the author index.
        let followed = if dense {
            "SELECT p.id FROM posts p WHERE +p.author_profile_id IN \
               (SELECT followee_id FROM follows WHERE follower_id = $1) AND p.community_id IS NULL \
               AND p.deleted_at IS NULL AND p.id < $2 ORDER BY p.id DESC LIMIT $3"
        } else {
            self.newest_posts_of_followed()
        };
        let joined = self.newest_posts_of_joined();
        let sql = format!(
            "SELECT id FROM ( \
              SELECT id FROM (SELECT p.id FROM posts p WHERE p.author_profile_id = $1 AND p.community_id IS NULL \
                 AND p.deleted_at IS NULL AND p.id < $2 ORDER BY p.id DESC LIMIT $3) own \
              UNION ALL SELECT id FROM ({followed}) followed \
              UNION ALL SELECT id FROM ({joined}) joined \
            ) merged ORDER BY id DESC LIMIT $3"
        );
        let ids: Vec<i64> = read!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(viewer)
                .bind(w.before)
                .bind(i64::from(w.limit))
                .fetch_all(pool)
                .await?
        });
        self.page_of(ids, viewer, w.limit).await
    }

    /// A profile's posts that the viewer may read.
    pub async fn profile_feed(
        &self,
        profile_id: i64,
        viewer: i64,
        w: Window,
    ) -> Result<Page, StoreError> {
        let sql = format!(
            "SELECT p.id FROM posts p WHERE p.author_profile_id = $2 AND p.deleted_at IS NULL AND p.id < $3 \
             AND {} ORDER BY p.id DESC LIMIT $4",
            readable_post("$1")
        );
        let ids: Vec<i64> = read!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(viewer)
                .bind(profile_id)
                .bind(w.before)
                .bind(i64::from(w.limit))
                .fetch_all(pool)
                .await?
        });
        self.page_of(ids, viewer, w.limit).await
    }

    /// A community's posts (the caller has checked the viewer may read it).
    pub async fn community_feed(
        &self,
        community_id: i64,
        viewer: i64,
        w: Window,
    ) -> Result<Page, StoreError> {
        let ids: Vec<i64> = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT p.id FROM posts p WHERE p.community_id = $1 AND p.deleted_at IS NULL AND p.id < $2 \
                 ORDER BY p.id DESC LIMIT $3",
            )
            .bind(community_id)
            .bind(w.before)
            .bind(i64::from(w.limit))
            .fetch_all(pool)
            .await?
        });
        self.page_of(ids, viewer, w.limit).await
    }

    /// Posts with a hashtag that the viewer may read.
    pub async fn tag_feed(&self, tag: &str, viewer: i64, w: Window) -> Result<Page, StoreError> {
        let sql = format!(
            "SELECT p.id FROM post_tags t JOIN posts p ON p.id = t.post_id WHERE t.tag = $2 AND t.post_id < $3 \
             AND p.deleted_at IS NULL AND {} ORDER BY t.post_id DESC LIMIT $4",
            readable_post("$1")
        );
        let ids: Vec<i64> = read!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(viewer)
                .bind(tag)
                .bind(w.before)
                .bind(i64::from(w.limit))
                .fetch_all(pool)
                .await?
        });
        self.page_of(ids, viewer, w.limit).await
    }

    /// A whole thread, oldest first, tombstones included (at most `limit`
    /// posts); NotFound unless the viewer may read its root.
    pub async fn thread(
        &self,
        root_id: i64,
        viewer: i64,
        limit: u32,
    ) -> Result<Vec<Post>, StoreError> {
        let root = self.posts().post_for(root_id, viewer).await?;
        let root_id = root.thread_root_id.unwrap_or(root.id);
        let ids: Vec<i64> = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM posts WHERE id = $1 OR thread_root_id = $1 ORDER BY id LIMIT $2",
            )
            .bind(root_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        self.posts().posts_for(&ids, viewer).await
    }
}

impl Feeds<'_> {
    /// Every profile whose home timeline holds this post (the rule of
    /// [`Store::home_feed`]), found once per new post for live updates
    /// rather than once per subscriber.
    pub async fn home_audience(&self, post_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT p.author_profile_id FROM posts p \
                   WHERE p.id = $1 AND p.deleted_at IS NULL AND p.community_id IS NULL \
                 UNION SELECT f.follower_id FROM posts p JOIN follows f ON f.followee_id = p.author_profile_id \
                   WHERE p.id = $1 AND p.deleted_at IS NULL AND p.community_id IS NULL \
                 UNION SELECT m.profile_id FROM posts p JOIN community_members m \
                   ON m.community_id = p.community_id AND m.state = 'member' \
                   WHERE p.id = $1 AND p.deleted_at IS NULL",
            )
            .bind(post_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's timelines: home, profile, community, tag, thread.
    Feeds,
    feeds
);
