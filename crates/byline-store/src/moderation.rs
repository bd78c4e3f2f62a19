//! Moderation's rows: reports (one open report a thing, each person's
//! filing kept), what became of them, and a moderator's removal of a post
//! with the reason shown in its place. Every step is audited in its own
//! write.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;

/// A filing as the application checked it.
#[derive(Debug, Clone)]
pub struct Filing<'a> {
    /// `post`, `message`, `profile` or `community`.
    pub target_kind: &'a str,
    /// What it names.
    pub target_id: i64,
    /// The community a reported post lives in.
    pub community_id: Option<i64>,
    /// Who files it.
    pub reporter_profile_id: i64,
    /// Why (a reason's stored name).
    pub reason: &'a str,
    /// Their words.
    pub note: &'a str,
}

/// A report with its filings summed up.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportRow {
    /// Its id.
    pub id: i64,
    /// `post`, `message`, `profile` or `community`.
    pub target_kind: String,
    /// What it names.
    pub target_id: i64,
    /// The community a reported post lives in.
    pub community_id: Option<i64>,
    /// `open`, `dismissed`, `actioned` or `escalated`.
    pub status: String,
    /// When it was first filed.
    pub opened_at: i64,
    /// When a moderator closed it.
    pub closed_at: Option<i64>,
    /// What reporters are told.
    pub outcome: String,
    /// How many people filed it.
    pub filings: i64,
}

/// One person's filing, as moderators read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FilingRow {
    /// The reporter's handle.
    pub reporter_handle: String,
    /// Why.
    pub reason: String,
    /// Their words.
    pub note: String,
    /// When (their latest filing).
    pub filed_at: i64,
}

/// A reporter's own filing with what became of it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MyFiling {
    /// The report.
    pub report_id: i64,
    /// What it names.
    pub target_kind: String,
    /// Its id.
    pub target_id: i64,
    /// Why.
    pub reason: String,
    /// Their words.
    pub note: String,
    /// When.
    pub filed_at: i64,
    /// Where it stands.
    pub status: String,
    /// What they are told.
    pub outcome: String,
}

/// How a moderator closes a report.
#[derive(Debug, Clone)]
pub struct Closing<'a> {
    /// `dismissed`, `actioned` or `escalated`.
    pub status: &'a str,
    /// What reporters are told.
    pub outcome: &'a str,
    /// The moderator.
    pub by_user_id: i64,
    /// A post to remove, with the reason shown in its place.
    pub remove: Option<(i64, &'a str)>,
}

const REPORT_SELECT: &str = "SELECT r.id, r.target_kind, r.target_id, r.community_id, r.status, \
     r.opened_at, r.closed_at, r.outcome, \
     (SELECT COUNT(*) FROM report_filings f WHERE f.report_id = r.id) AS filings FROM reports r";

impl Moderation<'_> {
    /// Files a report: it joins the open report on the same thing, or opens
    /// one; filing again replaces one's reason and note. Evaluates to the
    /// report and whether this reporter had filed it already.
    pub async fn file_report(
        &self,
        f: &Filing<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(i64, bool), StoreError> {
        Ok(write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO reports (target_kind, target_id, community_id, opened_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (target_kind, target_id) WHERE status = 'open' DO NOTHING",
            )
            .bind(f.target_kind)
            .bind(f.target_id)
            .bind(f.community_id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            let report: i64 = sqlx::query_scalar(
                "SELECT id FROM reports WHERE target_kind = $1 AND target_id = $2 AND status = 'open'",
            )
            .bind(f.target_kind)
            .bind(f.target_id)
            .fetch_one(&mut *tx)
            .await?;
            let before: Option<i64> = sqlx::query_scalar(
                "SELECT report_id FROM report_filings WHERE report_id = $1 AND reporter_profile_id = $2",
            )
            .bind(report)
            .bind(f.reporter_profile_id)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO report_filings (report_id, reporter_profile_id, reason, note, filed_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_id, reporter_profile_id) \
                 DO UPDATE SET reason = excluded.reason, note = excluded.note, filed_at = excluded.filed_at",
            )
            .bind(report)
            .bind(f.reporter_profile_id)
            .bind(f.reason)
            .bind(f.note)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            let mut audit = audit.clone();
            audit.target = format!("report:{report}");
            append_audit!(tx, &audit, now);
            (report, before.is_some())
        }))
    }

    /// Open reports, oldest first: all of them (`None`) or those about
    /// posts in `communities`.
    pub async fn open_reports(
        &self,
        communities: Option<&[i64]>,
        limit: i64,
    ) -> Result<Vec<ReportRow>, StoreError> {
        let scope = match communities {
            None => String::new(),
            Some([]) => " AND 1 = 0".to_owned(),
            Some(ids) => format!(
                " AND r.community_id IN ({})",
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let sql = format!("{REPORT_SELECT} WHERE r.status = 'open'{scope} ORDER BY r.id LIMIT $1");
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?
        }))
    }

    /// One report.
    pub async fn report(&self, id: i64) -> Result<ReportRow, StoreError> {
        let sql = format!("{REPORT_SELECT} WHERE r.id = $1");
        read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// A report's filings, oldest first.
    pub async fn filings(&self, report_id: i64) -> Result<Vec<FilingRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT p.handle AS reporter_handle, f.reason, f.note, f.filed_at \
                 FROM report_filings f JOIN profiles p ON p.id = f.reporter_profile_id \
                 WHERE f.report_id = $1 ORDER BY f.filed_at, p.handle",
            )
            .bind(report_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// What a reporter filed, newest first, with what became of it.
    pub async fn my_filings(
        &self,
        reporter_profile_id: i64,
        limit: i64,
    ) -> Result<Vec<MyFiling>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id AS report_id, r.target_kind, r.target_id, f.reason, f.note, f.filed_at, \
                 r.status, r.outcome FROM report_filings f JOIN reports r ON r.id = f.report_id \
                 WHERE f.reporter_profile_id = $1 ORDER BY f.filed_at DESC, r.id DESC LIMIT $2",
            )
            .bind(reporter_profile_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The author of message `id` when `profile_id` received it (is in its
    /// conversation and did not write it); `None` otherwise, alike.
    pub async fn received_message(
        &self,
        id: i64,
        profile_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT m.author_profile_id FROM messages m JOIN conversation_members c \
                 ON c.conversation_id = m.conversation_id AND c.profile_id = $2 \
                 WHERE m.id = $1 AND m.author_profile_id <> $2",
            )
            .bind(id)
            .bind(profile_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The communities a profile moderates (owner or moderator).
    pub async fn moderated_communities(&self, profile_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT community_id FROM community_members WHERE profile_id = $1 \
                 AND state = 'member' AND role IN ('owner', 'moderator') ORDER BY community_id",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Closes an open report (and removes its post, if asked), audited;
    /// false when it was closed already (by another moderator, say).
    pub async fn close_report(
        &self,
        id: i64,
        closing: &Closing<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| 'closing: {
            let closed = sqlx::query(
                "UPDATE reports SET status = $2, outcome = $3, closed_by = $4, closed_at = $5 \
                 WHERE id = $1 AND status = 'open'",
            )
            .bind(id)
            .bind(closing.status)
            .bind(closing.outcome)
            .bind(closing.by_user_id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if closed == 0 {
                break 'closing false;
            }
            if let Some((post, reason)) = closing.remove {
                archive_current_version!(tx, post, None::<i64>);
                sqlx::query(
                    "UPDATE posts SET body = '', body_html = '', deleted_at = $1, deleted_by_user_id = $2, \
                     removed_reason = $3 WHERE id = $4 AND deleted_at IS NULL",
                )
                .bind(now.micros())
                .bind(closing.by_user_id)
                .bind(reason)
                .bind(post)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
                    .bind(post)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, audit, now);
            true
        }))
    }
}

capability!(
    /// The store's moderation: reports and moderators' steps.
    Moderation,
    moderation
);
