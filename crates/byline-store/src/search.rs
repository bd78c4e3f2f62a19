//! Search. Posts use SQLite FTS5 or PostgreSQL full-text search behind one
//! method; this file is the one place their query syntax differs. Both rank
//! only among the newest matches, so a word found in millions of posts
//! costs no more than a rare one.

use crate::visibility::readable_post;
use crate::{Backend, Store, StoreError};
use byline_core::search::SearchQuery;

/// Matches ranked by relevance, newest first; a word with more matches
/// ranks them newest first on SQLite (see `search_posts_as`).
const RANK_WINDOW: i64 = 2000;

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

/// FTS5: each term quoted (so nothing is an operator), the last a prefix
/// when `prefix`.
fn fts5_query(q: &SearchQuery, prefix: bool) -> String {
    let n = q.terms().len();
    q.terms()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if prefix && i + 1 == n {
                format!("\"{t}\"*")
            } else {
                format!("\"{t}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// tsquery: terms are letters and digits only, so they need no quoting.
fn tsquery(q: &SearchQuery, prefix: bool) -> String {
    let n = q.terms().len();
    q.terms()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if prefix && i + 1 == n {
                format!("{t}:*")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
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

impl Store {
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
        let readable = readable_post("$1");
        let rows: Vec<(i64, String)> = match &self.backend {
            Backend::Sqlite { read, .. } => {
                let fts = fts5_query(q, prefix);
                // The newest matches, read lazily from the index; their
                // oldest becomes a rowid lower bound (FTS5 runs `rowid IN
                // (subquery)` again for every match: seconds for a common
                // word). Past the window, matches rank newest first: bm25
                // weighs a word by reading every post that has it, which
                // costs in proportion to all its matches, not the window's.
                let window: Vec<i64> = sqlx::query_scalar(
                    "SELECT rowid FROM posts_fts WHERE posts_fts MATCH $1 ORDER BY rowid DESC LIMIT $2",
                )
                .bind(&fts)
                .bind(RANK_WINDOW + 1)
                .fetch_all(read)
                .await?;
                let Some(&oldest) = window.last() else {
                    return Ok(Vec::new());
                };
                let order = if window.len() as i64 > RANK_WINDOW {
                    "posts_fts.rowid DESC"
                } else {
                    "bm25(posts_fts)"
                };
                let sql = format!(
                    "SELECT p.id, snippet(posts_fts, 0, char(1), char(2), '…', 16) FROM posts_fts \
                     JOIN posts p ON p.id = posts_fts.rowid \
                     WHERE posts_fts MATCH $2 AND posts_fts.rowid >= $4 AND p.deleted_at IS NULL AND {readable} \
                     ORDER BY {order} LIMIT $3"
                );
                sqlx::query_as(&sql)
                    .bind(viewer)
                    .bind(&fts)
                    .bind(i64::from(limit))
                    .bind(oldest)
                    .fetch_all(read)
                    .await?
            }
            Backend::Postgres(pool) => {
                let sql = format!(
                    "SELECT p.id, ts_headline('english', p.body, q, \
                       'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=24, MinWords=8, MaxFragments=1') \
                     FROM posts p, to_tsquery('english', $2) q \
                     WHERE p.search @@ q AND p.deleted_at IS NULL AND {readable} \
                       AND p.id IN (SELECT id FROM posts WHERE search @@ to_tsquery('english', $2) ORDER BY id DESC LIMIT $4) \
                     ORDER BY ts_rank(p.search, q) DESC, p.id DESC LIMIT $3"
                );
                sqlx::query_as(&sql)
                    .bind(viewer)
                    .bind(tsquery(q, prefix))
                    .bind(i64::from(limit))
                    .bind(RANK_WINDOW)
                    .fetch_all(pool)
                    .await?
            }
        };
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
