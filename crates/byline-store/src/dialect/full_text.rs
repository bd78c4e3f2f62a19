//! Full-text search, where the two backends differ most: SQLite's FTS5
//! (a `posts_fts` table kept by triggers, `MATCH`, `bm25`, `snippet`) and
//! PostgreSQL's text search (the `search` tsvector column, `to_tsquery`,
//! `ts_rank`, `ts_headline`). Both rank only among the newest matches, so
//! a word found in millions of posts costs no more than a rare one.

use crate::visibility::readable_post;
use crate::{Backend, Store, StoreError};
use byline_core::search::SearchQuery;

/// Matches ranked by relevance, newest first; a word with more matches
/// ranks them newest first on SQLite (see `search_posts_as`).
const RANK_WINDOW: i64 = 2000;

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

impl Store {
    /// Ids and raw snippets of the posts matching `q` that `viewer` may
    /// read, best first; the last word a prefix when `prefix`.
    pub(crate) async fn posts_matching(
        &self,
        q: &SearchQuery,
        prefix: bool,
        viewer: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let readable = readable_post("$1");
        Ok(match &self.backend {
            Backend::Sqlite { read, .. } => {
                let fts = fts5_query(q, prefix);
                // The oldest of the newest matches, read lazily from the
                // index, becomes a rowid lower bound (FTS5 runs `rowid IN
                // (subquery)` again for every match: seconds for a common
                // word); only that one row crosses to this thread. Past the
                // window, matches rank newest first: bm25 weighs a word by
                // reading every post that has it, which costs in
                // proportion to all its matches, not the window's.
                let beyond: Option<i64> = sqlx::query_scalar(
                    "SELECT rowid FROM posts_fts WHERE posts_fts MATCH $1 ORDER BY rowid DESC LIMIT 1 OFFSET $2",
                )
                .bind(&fts)
                .bind(RANK_WINDOW)
                .fetch_optional(read)
                .await?;
                let (oldest, order) = match beyond {
                    Some(rowid) => (rowid, "posts_fts.rowid DESC"),
                    None => (i64::MIN, "bm25(posts_fts)"),
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
        })
    }
}

impl crate::articles::Articles<'_> {
    /// Ids of the articles `readable` allows that match all `terms` (or
    /// any, for suggestions), best first: title weighs most, then tags,
    /// then body. With `any`, matches less than half as relevant as the
    /// best are left out: a word shared by chance ("floor") should not
    /// offer every article that has it.
    pub(crate) async fn articles_matching(
        &self,
        terms: &[String],
        any: bool,
        readable: &crate::articles::Readable,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        // Terms are letters and digits only (byline_core::search and
        // byline_core::article make them), so quoting them suffices.
        let (clause, binds) = readable.clause(3);
        Ok(match &self.backend {
            Backend::Sqlite { read, .. } => {
                let joiner = if any { " OR " } else { " " };
                let fts = terms
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(joiner);
                // bm25 is lower for better matches (and below zero).
                let sql = format!(
                    "SELECT a.id, -bm25(articles_fts, 10.0, 1.0, 4.0) AS score FROM articles_fts \
                     JOIN articles a ON a.id = articles_fts.rowid \
                     WHERE articles_fts MATCH $1 AND {clause} \
                     ORDER BY score DESC, a.id DESC LIMIT $2"
                );
                let mut q = sqlx::query_as(&sql).bind(fts).bind(i64::from(limit));
                for b in &binds {
                    q = q.bind(*b);
                }
                relevant(q.fetch_all(read).await?, any)
            }
            Backend::Postgres(pool) => {
                let joiner = if any { " | " } else { " & " };
                let tsq = terms.join(joiner);
                let sql = format!(
                    "SELECT a.id, ts_rank(a.search, q)::float8 AS score FROM articles a, to_tsquery('english', $1) q \
                     WHERE a.search @@ q AND {clause} \
                     ORDER BY score DESC, a.id DESC LIMIT $2"
                );
                let mut q = sqlx::query_as(&sql).bind(tsq).bind(i64::from(limit));
                for b in &binds {
                    q = q.bind(*b);
                }
                relevant(q.fetch_all(pool).await?, any)
            }
        })
    }
}

/// The ids of `scored` (best first, higher is better), keeping with `any`
/// only those at least half as relevant as the best.
fn relevant(scored: Vec<(i64, f64)>, any: bool) -> Vec<i64> {
    let best = scored.first().map_or(0.0, |(_, s)| *s);
    scored
        .into_iter()
        .filter(|(_, s)| !any || *s >= best * 0.5)
        .map(|(id, _)| id)
        .collect()
}
