//! The knowledge base's articles. Every save of an article is said as its
//! help-desk profile through the one speak function ([`write_article!`] is
//! only called from there), so each version keeps its byline: who wrote it,
//! in which acting session, under which attribution policy. Feedback ("was
//! this helpful?") and deflections ("this solved it") are kept here too; a
//! deflection on an open request solves it in the same transaction.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;
use byline_core::article::{ArticleStatus, ArticleText, Audience};
use byline_core::ticket::TicketStatus;

/// What one save of an article says.
pub struct ArticleDraft<'a> {
    /// The article being changed; `None` writes a new one.
    pub article_id: Option<i64>,
    /// The version the writer started from; a save over a newer one is
    /// refused, so two people editing at once never lose each other's words.
    pub based_on: Option<i64>,
    /// Title, body and tags, checked.
    pub text: &'a ArticleText,
    /// The body rendered safe.
    pub body_html: &'a str,
    /// Where it stands after this save.
    pub status: ArticleStatus,
    /// Who may read it once published.
    pub audience: Audience,
    /// The ticket it was written up from (new articles only).
    pub source_ticket_id: Option<i64>,
}

/// Writes `$draft` (an [`ArticleDraft`]) by `$w` inside `$tx`: a new
/// article or a new version of one of `$w`'s profile's articles; evaluates
/// to the article id.
macro_rules! write_article {
    ($tx:ident, $w:expr, $draft:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let d: &$crate::articles::ArticleDraft<'_> = $draft;
        let now: byline_core::Timestamp = $now;
        let tags = d.text.tags().join(" ");
        let published_now = d.status == byline_core::article::ArticleStatus::Published;
        let (id, version): (i64, i64) = match d.article_id {
            None => {
                if let Some(ticket) = d.source_ticket_id {
                    let of_desk: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM tickets WHERE id = $1 AND profile_id = $2")
                            .bind(ticket)
                            .bind(w.profile_id)
                            .fetch_optional(&mut *$tx)
                            .await?;
                    if of_desk.is_none() {
                        return Err($crate::StoreError::Refused(
                            "that ticket is not one of this help desk's".into(),
                        ));
                    }
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO articles (profile_id, status, audience, title, body, body_html, tags, version, \
                     source_ticket_id, created_at, updated_at, published_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9, CASE WHEN $10 THEN $9 END) RETURNING id",
                )
                .bind(w.profile_id)
                .bind(d.status.as_str())
                .bind(d.audience.as_str())
                .bind(d.text.title())
                .bind(d.text.body())
                .bind(d.body_html)
                .bind(&tags)
                .bind(d.source_ticket_id)
                .bind(now.micros())
                .bind(published_now)
                .fetch_one(&mut *$tx)
                .await?;
                (id, 1)
            }
            Some(article_id) => {
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM articles WHERE id = $1 AND profile_id = $2",
                )
                .bind(article_id)
                .bind(w.profile_id)
                .fetch_optional(&mut *$tx)
                .await?;
                let current = current.ok_or($crate::StoreError::NotFound)?;
                if let Some(based_on) = d.based_on {
                    if based_on != current {
                        return Err($crate::StoreError::Refused(format!(
                            "someone saved this article (version {current}) since you opened version {based_on}; \
                             open it again to see their changes"
                        )));
                    }
                }
                let version = current + 1;
                sqlx::query(
                    "UPDATE articles SET status = $1, audience = $2, title = $3, body = $4, body_html = $5, \
                     tags = $6, version = $7, updated_at = $8, \
                     published_at = CASE WHEN $9 THEN COALESCE(published_at, $8) ELSE published_at END \
                     WHERE id = $10",
                )
                .bind(d.status.as_str())
                .bind(d.audience.as_str())
                .bind(d.text.title())
                .bind(d.text.body())
                .bind(d.body_html)
                .bind(&tags)
                .bind(version)
                .bind(now.micros())
                .bind(published_now)
                .bind(article_id)
                .execute(&mut *$tx)
                .await?;
                (article_id, version)
            }
        };
        let b = w.byline.as_ref().ok_or_else(|| {
            $crate::StoreError::Corrupt("an article written without a byline".into())
        })?;
        sqlx::query(
            "INSERT INTO article_versions (article_id, version, status, audience, title, body, tags, \
             written_by_user_id, acting_session_id, attribution_policy, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(version)
        .bind(d.status.as_str())
        .bind(d.audience.as_str())
        .bind(d.text.title())
        .bind(d.text.body())
        .bind(&tags)
        .bind(w.user_id)
        .bind(b.acting_session_id)
        .bind(b.policy.as_str())
        .bind(now.micros())
        .execute(&mut *$tx)
        .await?;
        id
    }};
}

/// An article as a page shows it, with the byline of its latest version
/// (to be shown only as the policy it was written under allows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Id.
    pub id: i64,
    /// The help-desk profile it belongs to.
    pub profile_id: i64,
    /// That profile's handle.
    pub desk_handle: String,
    /// That profile's name.
    pub desk_name: String,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// Staff or members only.
    pub audience: Audience,
    /// Title.
    pub title: String,
    /// Markdown source.
    pub body: String,
    /// Rendered, safe.
    pub body_html: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Current version number.
    pub version: i64,
    /// The ticket it was written up from.
    pub source_ticket_id: Option<i64>,
    /// That ticket's number on its desk.
    pub source_ticket_number: Option<i64>,
    /// First written.
    pub created_at: Timestamp,
    /// Last saved.
    pub updated_at: Timestamp,
    /// First published.
    pub published_at: Option<Timestamp>,
    /// The latest version's writer (name, handle).
    pub written_by: (String, String),
    /// The policy the latest version was written under.
    pub attribution_policy: String,
    /// Readers who found it helpful.
    pub helpful: i64,
    /// Readers who did not.
    pub not_helpful: i64,
    /// Times it answered someone.
    pub deflections: i64,
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    profile_id: i64,
    desk_handle: String,
    desk_name: String,
    status: String,
    audience: String,
    title: String,
    body: String,
    body_html: String,
    tags: String,
    version: i64,
    source_ticket_id: Option<i64>,
    source_ticket_number: Option<i64>,
    created_at: i64,
    updated_at: i64,
    published_at: Option<i64>,
    writer_name: String,
    writer_handle: String,
    attribution_policy: String,
    helpful: i64,
    not_helpful: i64,
    deflections: i64,
}

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;
    fn try_from(r: ArticleRow) -> Result<Article, StoreError> {
        let corrupt = |e: byline_core::CoreError| StoreError::Corrupt(e.to_string());
        Ok(Article {
            id: r.id,
            profile_id: r.profile_id,
            desk_handle: r.desk_handle,
            desk_name: r.desk_name,
            status: ArticleStatus::parse(&r.status).map_err(corrupt)?,
            audience: Audience::parse(&r.audience).map_err(corrupt)?,
            title: r.title,
            body: r.body,
            body_html: r.body_html,
            tags: r.tags.split_whitespace().map(str::to_owned).collect(),
            version: r.version,
            source_ticket_id: r.source_ticket_id,
            source_ticket_number: r.source_ticket_number,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            published_at: r.published_at.map(Timestamp),
            written_by: (r.writer_name, r.writer_handle),
            attribution_policy: r.attribution_policy,
            helpful: r.helpful,
            not_helpful: r.not_helpful,
            deflections: r.deflections,
        })
    }
}

pub(crate) const ARTICLE_COLUMNS: &str = "a.id, a.profile_id, dp.handle AS desk_handle, \
    dp.display_name AS desk_name, a.status, a.audience, a.title, a.body, a.body_html, a.tags, \
    a.version, a.source_ticket_id, st.number AS source_ticket_number, a.created_at, a.updated_at, \
    a.published_at, wp.display_name AS writer_name, wp.handle AS writer_handle, \
    av.attribution_policy, \
    (SELECT COUNT(*) FROM article_feedback f WHERE f.article_id = a.id AND f.helpful) AS helpful, \
    (SELECT COUNT(*) FROM article_feedback f WHERE f.article_id = a.id AND NOT f.helpful) AS not_helpful, \
    (SELECT COUNT(*) FROM kb_deflections k WHERE k.article_id = a.id) AS deflections";
pub(crate) const ARTICLE_FROM: &str = "FROM articles a JOIN profiles dp ON dp.id = a.profile_id \
    JOIN article_versions av ON av.article_id = a.id AND av.version = a.version \
    JOIN profiles wp ON wp.user_id = av.written_by_user_id AND wp.kind = 'personal' \
    LEFT JOIN tickets st ON st.id = a.source_ticket_id";

/// Which articles a reader may find: published ones for staff everywhere,
/// and everything but archived of the profiles they are a member of.
#[derive(Debug, Clone, Default)]
pub struct Readable {
    /// The shared profiles the reader is a member of.
    pub member_of: Vec<i64>,
    /// Only published articles (suggestions never offer drafts).
    pub published_only: bool,
    /// Only this help desk's.
    pub desk: Option<i64>,
}

impl Readable {
    /// The SQL condition on `a`, its parameters numbered from `$first`
    /// (the member profiles, then the desk); evaluates to the clause and
    /// the values to bind in order.
    pub(crate) fn clause(&self, first: usize) -> (String, Vec<i64>) {
        let mut binds = self.member_of.clone();
        let members = if self.member_of.is_empty() {
            "FALSE".to_owned()
        } else {
            format!(
                "a.profile_id IN ({})",
                crate::posts::placeholders(first, self.member_of.len())
            )
        };
        let mut clause = if self.published_only {
            format!("a.status = 'published' AND (a.audience = 'staff' OR {members})")
        } else {
            format!(
                "((a.status = 'published' AND a.audience = 'staff') OR ({members} AND a.status <> 'archived'))"
            )
        };
        if let Some(desk) = self.desk {
            clause.push_str(&format!(" AND a.profile_id = ${}", first + binds.len()));
            binds.push(desk);
        }
        (clause, binds)
    }
}

/// One saved version of an article, with its byline.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ArticleVersion {
    /// Version number.
    pub version: i64,
    /// Status after this save.
    pub status: String,
    /// Title then.
    pub title: String,
    /// Body then.
    pub body: String,
    /// Writer's name.
    pub writer_name: String,
    /// Writer's handle.
    pub writer_handle: String,
    /// The policy it was written under.
    pub attribution_policy: String,
    /// When, µs.
    pub written_at: i64,
}

/// What "this solved it" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deflected {
    /// The deflection recorded.
    pub id: i64,
    /// The ticket it solved, if it was open.
    pub solved_ticket: Option<i64>,
}

impl Articles<'_> {
    /// One article, whoever may read it (the caller asks the policy).
    pub async fn article(&self, id: i64) -> Result<Article, StoreError> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} {ARTICLE_FROM} WHERE a.id = $1");
        let row: Option<ArticleRow> = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// The newest articles `readable` allows, at most `limit`.
    pub async fn articles(
        &self,
        readable: &Readable,
        limit: u32,
    ) -> Result<Vec<Article>, StoreError> {
        let (clause, binds) = readable.clause(2);
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} {ARTICLE_FROM} WHERE {clause} ORDER BY a.updated_at DESC, a.id DESC LIMIT $1"
        );
        let rows: Vec<ArticleRow> = read!(self, |pool| {
            let mut q = sqlx::query_as(&sql).bind(i64::from(limit));
            for b in &binds {
                q = q.bind(*b);
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter().map(Article::try_from).collect()
    }

    /// The articles `readable` allows that match `terms`, best first: all
    /// of them (`any` false, a search) or any of them (a suggestion).
    pub async fn search(
        &self,
        terms: &[String],
        any: bool,
        readable: &Readable,
        limit: u32,
    ) -> Result<Vec<Article>, StoreError> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let ids = self.articles_matching(terms, any, readable, limit).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} {ARTICLE_FROM} WHERE a.id IN ({})",
            crate::posts::placeholders(1, ids.len())
        );
        let rows: Vec<ArticleRow> = read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await?
        });
        let mut found: Vec<Article> = rows
            .into_iter()
            .map(Article::try_from)
            .collect::<Result<_, _>>()?;
        found.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
        Ok(found)
    }

    /// Every version of an article, newest first.
    pub async fn versions(&self, article_id: i64) -> Result<Vec<ArticleVersion>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT v.version, v.status, v.title, v.body, p.display_name AS writer_name, \
                 p.handle AS writer_handle, v.attribution_policy, v.written_at \
                 FROM article_versions v JOIN profiles p ON p.user_id = v.written_by_user_id AND p.kind = 'personal' \
                 WHERE v.article_id = $1 ORDER BY v.version DESC",
            )
            .bind(article_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records whether `user_id` found an article helpful (their earlier
    /// answer is replaced).
    pub async fn record_feedback(
        &self,
        article_id: i64,
        user_id: i64,
        helpful: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO article_feedback (article_id, user_id, helpful, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (article_id, user_id) DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
            )
            .bind(article_id)
            .bind(user_id)
            .bind(helpful)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// What `user_id` said of an article, if anything.
    pub async fn feedback_of(
        &self,
        article_id: i64,
        user_id: i64,
    ) -> Result<Option<bool>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT helpful FROM article_feedback WHERE article_id = $1 AND user_id = $2",
            )
            .bind(article_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Records that an article answered `user_id`. With `ticket_id` (one of
    /// theirs to the article's desk), a ticket still being worked on is
    /// solved in the same transaction, by them, with its auto-close
    /// scheduled; `solve_audit` records that. Always audited as
    /// `deflect_audit`.
    pub async fn record_deflection(
        &self,
        article: &Article,
        user_id: i64,
        ticket_id: Option<i64>,
        deflect_audit: &AuditEntry,
        solve_audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<Deflected, StoreError> {
        let lock = self.update_lock();
        Ok(write_tx!(self, |tx| {
            let mut solved_ticket = None;
            if let Some(ticket_id) = ticket_id {
                let sql = format!(
                    "SELECT status FROM tickets WHERE id = $1 AND profile_id = $2 AND requester_profile_id = \
                     (SELECT id FROM profiles WHERE user_id = $3 AND kind = 'personal'){lock}"
                );
                let status: Option<String> = sqlx::query_scalar(&sql)
                    .bind(ticket_id)
                    .bind(article.profile_id)
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let status = status.ok_or(StoreError::NotFound)?;
                let status =
                    TicketStatus::parse(&status).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if status.is_active() {
                    set_status_in_tx!(
                        tx,
                        ticket_id,
                        Some(TicketStatus::Solved),
                        Some(user_id),
                        now
                    );
                    schedule_auto_close!(tx, ticket_id, now);
                    append_audit!(tx, solve_audit, now);
                    solved_ticket = Some(ticket_id);
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO kb_deflections (profile_id, article_id, user_id, ticket_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(article.profile_id)
            .bind(article.id)
            .bind(user_id)
            .bind(ticket_id)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(tx, deflect_audit, now);
            Deflected { id, solved_ticket }
        }))
    }

    /// How many times a desk's articles answered someone since `since`.
    pub async fn deflections_since(
        &self,
        profile_id: i64,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM kb_deflections WHERE profile_id = $1 AND created_at >= $2",
            )
            .bind(profile_id)
            .bind(since.micros())
            .fetch_one(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's knowledge-base articles.
    Articles,
    articles
);
