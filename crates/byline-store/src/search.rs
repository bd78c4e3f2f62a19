//! Search: posts by their words (through each backend's full-text engine,
//! see `dialect::full_text`), profiles and communities by name, tags.

use crate::StoreError;
use crate::visibility::readable_post;
use byline_core::search::SearchQuery;

/// A matching post id and its snippet (`\u{1}`/`\u{2}` around matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostHit {
    /// The post.
    pub post_id: i64,
    /// Raw snippet with match markers.
    pub snippet: String,
}

/// A matching profile.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProfileHit {
    /// Handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// `personal` or `shared`.
    pub kind: String,
}

/// A hashtag and how many posts the viewer can read carry it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TagHit {
    /// The tag.
    pub tag: String,
    /// Readable posts with it.
    pub posts: i64,
}

/// `%phrase%` for LIKE, with LIKE's own wildcards escaped.
fn like_pattern(q: &SearchQuery) -> String {
    let escaped = q
        .phrase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Search<'_> {
    /// Posts matching `q` that `viewer` may read, best first. The words
    /// are matched whole first; only if that does not fill the page is the
    /// last one taken as the start of a word (as while typing). A prefix
    /// costs in proportion to every post it matches, a whole word only in
    /// proportion to the newest matches ranked.
    pub async fn search_posts(
        &self,
        q: &SearchQuery,
        viewer: i64,
        limit: u32,
    ) -> Result<Vec<PostHit>, StoreError> {
        let whole = self.search_posts_as(q, false, viewer, limit).await?;
        if whole.len() >= limit as usize {
            return Ok(whole);
        }
        self.search_posts_as(q, true, viewer, limit).await
    }

    async fn search_posts_as(
        &self,
        q: &SearchQuery,
        prefix: bool,
        viewer: i64,
        limit: u32,
    ) -> Result<Vec<PostHit>, StoreError> {
        let rows = self.posts_matching(q, prefix, viewer, limit).await?;
        Ok(rows
            .into_iter()
            .map(|(post_id, snippet)| PostHit { post_id, snippet })
            .collect())
    }

    /// Profiles whose handle or name contains the query.
    pub async fn search_profiles(
        &self,
        q: &SearchQuery,
        limit: u32,
    ) -> Result<Vec<ProfileHit>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT handle, display_name, kind FROM profiles \
                 WHERE LOWER(handle) LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\' \
                 ORDER BY handle LIMIT $2",
            )
            .bind(like_pattern(q))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }))
    }

    /// Community ids whose name or description contains the query, among
    /// those the viewer may know exist.
    pub async fn search_communities(
        &self,
        q: &SearchQuery,
        viewer: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT c.id FROM communities c \
             LEFT JOIN community_members m ON m.community_id = c.id AND m.profile_id = $1 \
             WHERE {} \
               AND (LOWER(c.name) LIKE $2 ESCAPE '\\' OR LOWER(c.slug) LIKE $2 ESCAPE '\\' \
                    OR LOWER(c.description) LIKE $2 ESCAPE '\\') \
             ORDER BY c.name LIMIT $3",
            crate::visibility::visible_community("c", "m")
        );
        Ok(read!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(viewer)
                .bind(like_pattern(q))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        }))
    }

    /// Hashtags starting with the first term, counting only posts the viewer may read.
    pub async fn search_tags(
        &self,
        q: &SearchQuery,
        viewer: i64,
        limit: u32,
    ) -> Result<Vec<TagHit>, StoreError> {
        let Some(first) = q.terms().first() else {
            return Ok(Vec::new());
        };
        let prefix = format!(
            "{}%",
            first
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let sql = format!(
            "SELECT t.tag, COUNT(*) AS posts FROM post_tags t JOIN posts p ON p.id = t.post_id \
             WHERE t.tag LIKE $2 ESCAPE '\\' AND p.deleted_at IS NULL AND {} \
             GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag LIMIT $3",
            readable_post("$1")
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(viewer)
                .bind(prefix)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        }))
    }
}

capability!(
    /// The store's search over posts, profiles, communities and tags.
    Search,
    search
);
