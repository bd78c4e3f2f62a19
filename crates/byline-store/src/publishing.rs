//! Publications' rows: drafts and their variants per channel, review
//! (approvals per version, comments, the history page), the schedule and
//! release (written by the speak function: see `write_schedule!` and
//! `write_release!`), campaigns with their spend, results, short links
//! and click counts.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::jobs::NewJob;
use byline_core::Timestamp;

/// A profile's publishing settings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SettingsRow {
    /// IANA zone schedules are typed in.
    pub time_zone: String,
    /// Approval rules as JSON.
    pub approval_rules: String,
    /// The webhook channel that hears the profile's publishing steps.
    pub events_channel_id: Option<i64>,
}

/// A publication.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublicationRow {
    /// Id.
    pub id: i64,
    /// The shared profile it will be said as.
    pub profile_id: i64,
    /// Working title.
    pub title: String,
    /// Stored status name.
    pub status: String,
    /// Its campaign.
    pub campaign_id: Option<i64>,
    /// Who wrote it.
    pub written_by: i64,
    /// Bumped by every edit; approvals count for one version.
    pub version: i64,
    /// Due minute (µs) while scheduled, and after.
    pub due_at: Option<i64>,
    /// Who scheduled it.
    pub scheduled_by: Option<i64>,
    /// The acting session it was scheduled in.
    pub acting_session_id: Option<i64>,
    /// Where it was scheduled from.
    pub source_address: Option<String>,
    /// Why it was sent back, or why it failed.
    pub reason: Option<String>,
    /// Created (µs).
    pub created_at: i64,
    /// Last changed (µs).
    pub updated_at: i64,
    /// When every channel took it (µs).
    pub published_at: Option<i64>,
}

const PUBLICATION_COLUMNS: &str = "id, profile_id, title, status, campaign_id, written_by, version, due_at, \
    scheduled_by, acting_session_id, source_address, reason, created_at, updated_at, published_at";

/// One channel's words for a publication.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VariantRow {
    /// The channel.
    pub channel_id: i64,
    /// Its name.
    pub channel_name: String,
    /// Its kind.
    pub channel_kind: String,
    /// Whether the channel is still connected.
    pub connected: bool,
    /// Subject line (e-mail).
    pub subject: String,
    /// The words.
    pub body: String,
}

/// A variant to save.
#[derive(Debug, Clone)]
pub struct NewVariant<'a> {
    /// The channel.
    pub channel_id: i64,
    /// Subject line.
    pub subject: &'a str,
    /// The words.
    pub body: &'a str,
}

/// A publication to create or the new state of one being edited.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    /// Working title.
    pub title: &'a str,
    /// Its campaign.
    pub campaign_id: Option<i64>,
    /// Its words per channel.
    pub variants: &'a [NewVariant<'a>],
}

/// An approval given.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApprovalRow {
    /// Who.
    pub user_id: i64,
    /// Their handle.
    pub handle: String,
    /// The tier (0-based).
    pub tier: i64,
    /// When (µs).
    pub at: i64,
}

/// A comment or a step in a publication's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoteRow {
    /// Id.
    pub id: i64,
    /// Who (none for the job runner).
    pub handle: Option<String>,
    /// Their display name.
    pub name: Option<String>,
    /// `comment`, or the step (`created`, `edited`, `submitted`, ...).
    pub event: String,
    /// The comment, reason or detail.
    pub detail: String,
    /// When (µs).
    pub at: i64,
}

/// One item on a content calendar.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CalendarRow {
    /// The publication.
    pub id: i64,
    /// Its profile's handle.
    pub handle: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// When it is or was due (µs).
    pub due_at: i64,
    /// Its campaign.
    pub campaign_id: Option<i64>,
    /// The campaign's name.
    pub campaign_name: Option<String>,
}

/// A campaign.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignRow {
    /// Id.
    pub id: i64,
    /// Its profile.
    pub profile_id: i64,
    /// Name.
    pub name: String,
    /// First day (`YYYY-MM-DD`).
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// Budget in cents.
    pub budget_cents: i64,
    /// What it is for.
    pub goal: String,
    /// Who created it.
    pub created_by: i64,
    /// When (µs).
    pub created_at: i64,
}

/// A campaign to create.
#[derive(Debug, Clone)]
pub struct NewCampaign<'a> {
    /// Its profile.
    pub profile_id: i64,
    /// Name.
    pub name: &'a str,
    /// First day.
    pub starts_on: &'a str,
    /// Last day.
    pub ends_on: &'a str,
    /// Budget in cents.
    pub budget_cents: i64,
    /// Goal.
    pub goal: &'a str,
    /// Who.
    pub created_by: i64,
}

/// Money spent on a campaign.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SpendRow {
    /// Id.
    pub id: i64,
    /// The channel it was spent on, if one.
    pub channel_id: Option<i64>,
    /// The day.
    pub spent_on: String,
    /// Cents.
    pub cents: i64,
    /// What for.
    pub note: String,
}

/// Results reported for a campaign.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResultsRow {
    /// Id.
    pub id: i64,
    /// The channel they came through, if known.
    pub channel_id: Option<i64>,
    /// The day.
    pub result_on: String,
    /// Leads.
    pub leads: i64,
    /// Conversions.
    pub conversions: i64,
    /// Revenue in cents.
    pub revenue_cents: i64,
    /// `hand`, `csv` or `api`.
    pub source: String,
}

/// Clicks on a campaign's links on one day through one channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClicksRow {
    /// Days since the epoch.
    pub day: i64,
    /// The channel.
    pub channel_id: i64,
    /// Clicks.
    pub clicks: i64,
}

/// What one step of a publication writes besides its status.
#[derive(Debug, Clone)]
pub struct StepRecord<'a> {
    /// The status it must have now.
    pub from: &'a str,
    /// The status it gets.
    pub to: &'a str,
    /// The step's name in its history.
    pub event: &'a str,
    /// The reason or detail.
    pub detail: &'a str,
    /// Who did it.
    pub user_id: i64,
    /// The audit event.
    pub audit: &'a AuditEntry,
    /// Who hears of it (users), and as what kind of notification.
    pub notify: (&'a [i64], &'a str),
    /// The actor named in the notification (a profile).
    pub actor_profile_id: i64,
}

/// Notifies users (through their personal profiles) about a publication.
macro_rules! notify_publication {
    ($tx:ident, $users:expr, $kind:expr, $actor:expr, $publication:expr, $now:expr) => {{
        let users: &[i64] = $users;
        if !users.is_empty() {
            let sql = format!(
                "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, publication_id, created_at) \
                 SELECT p.id, $1, $2, $3, $4 FROM profiles p WHERE p.user_id IN ({})",
                $crate::posts::placeholders(5, users.len())
            );
            let mut q = sqlx::query(&sql)
                .bind($kind)
                .bind($actor)
                .bind($publication)
                .bind($now.micros());
            for u in users {
                q = q.bind(*u);
            }
            q.execute(&mut *$tx).await?;
        }
    }};
}

/// Appends a step to a publication's history.
macro_rules! publication_event {
    ($tx:ident, $publication:expr, $user:expr, $event:expr, $detail:expr, $now:expr) => {{
        let user: Option<i64> = $user;
        let publication: i64 = $publication;
        let event: &str = $event;
        let event_id: i64 = sqlx::query_scalar(
            "INSERT INTO publication_events (publication_id, user_id, event, detail, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(publication)
        .bind(user)
        .bind(event)
        .bind($detail)
        .bind($now.micros())
        .fetch_one(&mut *$tx)
        .await?;
        // The steps a profile's events webhook hears are queued with the
        // step itself, so none is lost or told twice.
        if $crate::publishing::WEBHOOK_EVENTS.contains(&event) {
            let payload = format!("{{\"event\":{event_id}}}");
            sqlx::query(
                "INSERT INTO jobs (kind, payload, due_at, max_attempts, created_at) \
                 SELECT $1, $2, $3, $4, $3 FROM publications u \
                 JOIN publishing_settings s ON s.profile_id = u.profile_id \
                 WHERE u.id = $5 AND s.events_channel_id IS NOT NULL",
            )
            .bind($crate::publishing::EVENT_JOB)
            .bind(payload)
            .bind($now.micros())
            .bind($crate::publishing::EVENT_ATTEMPTS)
            .bind(publication)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

/// The publishing steps an events webhook hears.
pub const WEBHOOK_EVENTS: [&str; 5] = ["submitted", "approved", "rejected", "published", "failed"];

/// Tells a profile's events webhook of one publishing step.
pub const EVENT_JOB: &str = "publication.event";

/// Attempts at telling the events webhook (with the runner's backoff).
pub(crate) const EVENT_ATTEMPTS: i64 = 6;

/// A publishing step as the events webhook hears it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StepEvent {
    /// The step's id (the same on every attempt at telling it).
    pub id: i64,
    /// The publication.
    pub publication_id: i64,
    /// Its profile.
    pub profile_id: i64,
    /// `submitted`, `approved`, …
    pub event: String,
    /// The tier approved, the reason, the failure.
    pub detail: String,
    /// When.
    pub at: i64,
    /// The publication's title.
    pub title: String,
    /// Its status now.
    pub status: String,
    /// The channel to tell, if the profile still has one.
    pub events_channel_id: Option<i64>,
}

/// A publication's schedule, said through the speak function.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The publication.
    pub publication_id: i64,
    /// The version that was approved (an edit since makes it stale).
    pub version: i64,
    /// The due minute.
    pub due_at: Timestamp,
    /// When to check that its channels can still take it.
    pub check_at: Timestamp,
}

/// The job that releases a scheduled publication at its due minute.
pub const RELEASE_JOB: &str = "publication.release";
/// The job that checks, before the due minute, that it can be sent.
pub const CHECK_JOB: &str = "publication.check";

/// Writes, inside the speak function's transaction, a publication's
/// schedule under the writer's byline, with its release and check jobs;
/// evaluates to nothing. Refused unless the publication is the profile's,
/// approved (or scheduled) at the given version.
macro_rules! write_schedule {
    ($tx:ident, $w:expr, $voice:expr, $schedule:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let s: &$crate::publishing::Schedule = $schedule;
        let v: &$crate::speak::Voice<'_> = $voice;
        let b = w.byline.as_ref().ok_or_else(|| {
            $crate::StoreError::Corrupt("a shared profile's write without a byline".into())
        })?;
        let n = sqlx::query(
            "UPDATE publications SET status = 'scheduled', due_at = $1, scheduled_by = $2, acting_session_id = $3, \
             source_address = $4, updated_at = $5 \
             WHERE id = $6 AND profile_id = $7 AND version = $8 AND status IN ('approved', 'scheduled')",
        )
        .bind(s.due_at.micros())
        .bind(w.user_id)
        .bind(b.acting_session_id)
        .bind(v.source_address)
        .bind($now.micros())
        .bind(s.publication_id)
        .bind(w.profile_id)
        .bind(s.version)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err($crate::StoreError::Refused(
                "only an approved publication can be scheduled, and it changed meanwhile: reload it".into(),
            ));
        }
        publication_event!(
            $tx,
            s.publication_id,
            Some(w.user_id),
            "scheduled",
            s.due_at.to_rfc3339(),
            $now
        );
        let payload = format!(
            "{{\"publication\":{},\"due\":{}}}",
            s.publication_id,
            s.due_at.micros()
        );
        // Keyed by the due minute: moving it schedules new jobs, and the
        // old ones find the publication no longer due then and do nothing.
        for (kind, at) in [
            ($crate::publishing::CHECK_JOB, s.check_at),
            ($crate::publishing::RELEASE_JOB, s.due_at),
        ] {
            let key = format!("{kind}:{}:{}", s.publication_id, s.due_at.micros());
            schedule_job!(
                $tx,
                &$crate::jobs::NewJob {
                    kind,
                    key: Some(&key),
                    payload: &payload,
                    due_at: at,
                    max_attempts: 8,
                },
                $now
            );
        }
    }};
}

/// The words a release sends through one channel (links already tagged).
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The channel.
    pub channel_id: i64,
    /// Title or subject.
    pub title: &'a str,
    /// The words.
    pub body: &'a str,
}

/// A scheduled publication handed to its channels at the due minute.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    /// The publication.
    pub publication_id: i64,
    /// The due minute the release job was made for.
    pub due_at: Timestamp,
    /// What goes through each channel.
    pub outgoing: &'a [Outgoing<'a>],
}

/// Writes, inside the speak function's transaction, a publication's
/// release: one queued delivery per channel with its delivery job, and the
/// publication `publishing`. Evaluates to whether it was released now
/// (false when it was already, or is no longer due then: a release job
/// that runs twice sends nothing twice).
macro_rules! write_release {
    ($tx:ident, $w:expr, $voice:expr, $release:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let r: &$crate::publishing::Release<'_> = $release;
        let v: &$crate::speak::Voice<'_> = $voice;
        let b = w.byline.as_ref().ok_or_else(|| {
            $crate::StoreError::Corrupt("a shared profile's write without a byline".into())
        })?;
        let n = sqlx::query(
            "UPDATE publications SET status = 'publishing', updated_at = $1 \
             WHERE id = $2 AND profile_id = $3 AND status = 'scheduled' AND due_at = $4",
        )
        .bind($now.micros())
        .bind(r.publication_id)
        .bind(w.profile_id)
        .bind(r.due_at.micros())
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if n == 1 {
            for out in r.outgoing {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO channel_deliveries (channel_id, profile_id, sent_by, acting_session_id, source_address, \
                     title, body, state, created_at, publication_id) \
                     SELECT c.id, c.profile_id, $1, $2, $3, $4, $5, 'queued', $6, $7 FROM channels c \
                     WHERE c.id = $8 AND c.profile_id = $9 AND c.disconnected_at IS NULL RETURNING id",
                )
                .bind(w.user_id)
                .bind(b.acting_session_id)
                .bind(v.source_address)
                .bind(out.title)
                .bind(out.body)
                .bind($now.micros())
                .bind(r.publication_id)
                .bind(out.channel_id)
                .bind(w.profile_id)
                .fetch_optional(&mut *$tx)
                .await?;
                let Some(id) = id else {
                    return Err($crate::StoreError::Refused(format!(
                        "channel {} was disconnected",
                        out.channel_id
                    )));
                };
                let key = format!("channel.deliver:{id}");
                let payload = format!("{{\"delivery\":{id}}}");
                schedule_job!(
                    $tx,
                    &$crate::jobs::NewJob {
                        kind: "channel.deliver",
                        key: Some(&key),
                        payload: &payload,
                        due_at: $now,
                        max_attempts: 6,
                    },
                    $now
                );
            }
            publication_event!($tx, r.publication_id, None, "released", String::new(), $now);
        }
        n == 1
    }};
}

/// Settles, inside a transaction, the publication of a delivery that has
/// just finished: published when every channel took it, failed (with the
/// channel's own words) when one refused and none is still trying.
macro_rules! settle_publication {
    ($tx:ident, $delivery:expr, $now:expr) => {{
        let settled: Option<(i64, i64, String, i64, Option<i64>)> = sqlx::query_as(
            "UPDATE publications SET \
               status = CASE WHEN EXISTS (SELECT 1 FROM channel_deliveries d WHERE d.publication_id = publications.id \
                 AND d.state = 'failed') THEN 'failed' ELSE 'published' END, \
               reason = (SELECT c.name || ': ' || d.last_error FROM channel_deliveries d JOIN channels c ON c.id = d.channel_id \
                 WHERE d.publication_id = publications.id AND d.state = 'failed' ORDER BY d.id LIMIT 1), \
               published_at = $1, updated_at = $1 \
             WHERE id = (SELECT publication_id FROM channel_deliveries WHERE id = $2) AND status = 'publishing' \
               AND NOT EXISTS (SELECT 1 FROM channel_deliveries d WHERE d.publication_id = publications.id \
                 AND d.state = 'queued') \
             RETURNING id, profile_id, status, written_by, scheduled_by",
        )
        .bind($now.micros())
        .bind($delivery)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some((id, profile_id, status, writer, scheduler)) = settled {
            let (event, kind) = if status == "published" {
                ("published", "publication_published")
            } else {
                ("failed", "publication_failed")
            };
            publication_event!($tx, id, None, event, String::new(), $now);
            let mut users = vec![writer];
            if let Some(s) = scheduler.filter(|s| *s != writer) {
                users.push(s);
            }
            notify_publication!($tx, &users, kind, profile_id, id, $now);
            let entry = $crate::audit::AuditEntry {
                user_id: None,
                profile_id: Some(profile_id),
                action: if status == "published" {
                    "publication.published"
                } else {
                    "publication.failed"
                },
                target: format!("publication:{id}"),
                source_address: String::new(),
                details: "{}".into(),
            };
            append_audit!($tx, &entry, $now);
        }
    }};
}

impl Publishing<'_> {
    /// A profile's publishing settings, if it has saved any.
    pub async fn settings(&self, profile_id: i64) -> Result<Option<SettingsRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT time_zone, approval_rules, events_channel_id FROM publishing_settings WHERE profile_id = $1",
            )
            .bind(profile_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Saves a profile's zone and approval rules.
    pub async fn save_settings(
        &self,
        profile_id: i64,
        settings: &SettingsRow,
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO publishing_settings (profile_id, time_zone, approval_rules, updated_by, updated_at, events_channel_id) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (profile_id) DO UPDATE SET \
                 time_zone = excluded.time_zone, approval_rules = excluded.approval_rules, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at, \
                 events_channel_id = excluded.events_channel_id",
            )
            .bind(profile_id)
            .bind(&settings.time_zone)
            .bind(&settings.approval_rules)
            .bind(by)
            .bind(now.micros())
            .bind(settings.events_channel_id)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// One publishing step, for telling the events webhook.
    pub async fn step_event(&self, id: i64) -> Result<StepEvent, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, e.publication_id, u.profile_id, e.event, e.detail, \
                 e.at, u.title, u.status, s.events_channel_id \
                 FROM publication_events e JOIN publications u ON u.id = e.publication_id \
                 LEFT JOIN publishing_settings s ON s.profile_id = u.profile_id \
                 WHERE e.id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?
        }))
    }

    /// One publication.
    pub async fn publication(&self, id: i64) -> Result<PublicationRow, StoreError> {
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE id = $1");
        let row: Option<PublicationRow> = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// A profile's publications, newest change first, optionally of one status.
    pub async fn publications(
        &self,
        profile_id: i64,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PublicationRow>, StoreError> {
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publications WHERE profile_id = $1 \
             AND ($2 IS NULL OR status = $2) ORDER BY updated_at DESC, id DESC LIMIT $3"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(status)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// A publication's variants, by channel name.
    pub async fn variants(&self, publication_id: i64) -> Result<Vec<VariantRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT v.channel_id, c.name AS channel_name, c.kind AS channel_kind, \
                 (c.disconnected_at IS NULL) AS connected, v.subject, v.body \
                 FROM publication_variants v JOIN channels c ON c.id = v.channel_id \
                 WHERE v.publication_id = $1 ORDER BY lower(c.name), c.id",
            )
            .bind(publication_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The approvals of one version of a publication.
    pub async fn approvals(
        &self,
        publication_id: i64,
        version: i64,
    ) -> Result<Vec<ApprovalRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT a.user_id, p.handle, a.tier, a.at FROM publication_approvals a \
                 JOIN profiles p ON p.user_id = a.user_id \
                 WHERE a.publication_id = $1 AND a.version = $2 ORDER BY a.at",
            )
            .bind(publication_id)
            .bind(version)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A publication's comments and history, oldest first.
    pub async fn notes(&self, publication_id: i64) -> Result<Vec<NoteRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, p.handle, p.display_name AS name, e.event, e.detail, e.at \
                 FROM publication_events e LEFT JOIN profiles p ON p.user_id = e.user_id \
                 WHERE e.publication_id = $1 ORDER BY e.id",
            )
            .bind(publication_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Publications of the given profiles due (or published) in `[from, to)`,
    /// in time order: the content calendar.
    pub async fn calendar(
        &self,
        profile_ids: &[i64],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<CalendarRow>, StoreError> {
        if profile_ids.is_empty() {
            return Ok(Vec::new());
        }
        // A month can hold thousands of items: they come back as one JSON
        // row, because sqlx hands SQLite rows over from its worker thread
        // one at a time, which cost more than the query (7 ms for 2,000).
        let from_where = format!(
            "FROM publications u JOIN profiles p ON p.id = u.profile_id \
             LEFT JOIN campaigns c ON c.id = u.campaign_id \
             WHERE u.profile_id IN ({}) AND u.due_at >= $1 AND u.due_at < $2",
            crate::posts::placeholders(3, profile_ids.len())
        );
        let json: String = match &self.backend {
            crate::Backend::Sqlite { read, .. } => {
                let sql = format!(
                    "SELECT COALESCE(json_group_array(json_array(u.id, p.handle, u.title, u.status, \
                     u.due_at, u.campaign_id, c.name)), '[]') {from_where}"
                );
                let mut q = sqlx::query_scalar(&sql)
                    .bind(from.micros())
                    .bind(to.micros());
                for id in profile_ids {
                    q = q.bind(*id);
                }
                q.fetch_one(read).await?
            }
            crate::Backend::Postgres(pool) => {
                let sql = format!(
                    "SELECT COALESCE(json_agg(json_build_array(u.id, p.handle, u.title, u.status, \
                     u.due_at, u.campaign_id, c.name)), '[]')::text {from_where}"
                );
                let mut q = sqlx::query_scalar(&sql)
                    .bind(from.micros())
                    .bind(to.micros());
                for id in profile_ids {
                    q = q.bind(*id);
                }
                q.fetch_one(pool).await?
            }
        };
        type Item = (
            i64,
            String,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
        );
        let items: Vec<Item> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("a calendar's items: {e}")))?;
        let mut rows: Vec<CalendarRow> = items
            .into_iter()
            .map(
                |(id, handle, title, status, due_at, campaign_id, campaign_name)| CalendarRow {
                    id,
                    handle,
                    title,
                    status,
                    due_at,
                    campaign_id,
                    campaign_name,
                },
            )
            .collect();
        rows.sort_unstable_by_key(|r| (r.due_at, r.id));
        Ok(rows)
    }

    /// Creates a draft with its variants; evaluates to its id.
    pub async fn create(
        &self,
        profile_id: i64,
        writer: i64,
        draft: &Draft<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO publications (profile_id, title, status, campaign_id, written_by, created_at, updated_at) \
                 VALUES ($1, $2, 'draft', $3, $4, $5, $5) RETURNING id",
            )
            .bind(profile_id)
            .bind(draft.title)
            .bind(draft.campaign_id)
            .bind(writer)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            for v in draft.variants {
                sqlx::query(
                    "INSERT INTO publication_variants (publication_id, channel_id, subject, body) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(v.channel_id)
                .bind(v.subject)
                .bind(v.body)
                .execute(&mut *tx)
                .await?;
            }
            publication_event!(tx, id, Some(writer), "created", String::new(), now);
            let entry = AuditEntry {
                target: format!("publication:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// Replaces a publication's words, title and campaign, moving it from
    /// `from` to `to` (an edit after approval sends it back to review) and
    /// making a new version, whose approvals start again. Refused when it
    /// changed meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit(
        &self,
        id: i64,
        version: i64,
        from: &str,
        to: &str,
        draft: &Draft<'_>,
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE publications SET title = $1, campaign_id = $2, status = $3, version = version + 1, \
                 due_at = CASE WHEN $3 IN ('draft', 'in_review') THEN NULL ELSE due_at END, \
                 reason = NULL, updated_at = $4 WHERE id = $5 AND version = $6 AND status = $7",
            )
            .bind(draft.title)
            .bind(draft.campaign_id)
            .bind(to)
            .bind(now.micros())
            .bind(id)
            .bind(version)
            .bind(from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Refused(
                    "the publication changed since you opened it: reload it and edit again".into(),
                ));
            }
            sqlx::query("DELETE FROM publication_variants WHERE publication_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for v in draft.variants {
                sqlx::query(
                    "INSERT INTO publication_variants (publication_id, channel_id, subject, body) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(v.channel_id)
                .bind(v.subject)
                .bind(v.body)
                .execute(&mut *tx)
                .await?;
            }
            publication_event!(tx, id, Some(by), "edited", String::new(), now);
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Moves a publication one step (submit, reject, unschedule, fail),
    /// with its history, audit event and notifications; refused when it
    /// is no longer in `step.from`.
    pub async fn step(
        &self,
        id: i64,
        step: &StepRecord<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let reason = (step.to == "rejected" || step.to == "failed").then_some(step.detail);
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE publications SET status = $1, reason = COALESCE($2, reason), updated_at = $3, \
                 due_at = CASE WHEN $1 IN ('approved', 'rejected', 'draft') THEN NULL ELSE due_at END \
                 WHERE id = $4 AND status = $5",
            )
            .bind(step.to)
            .bind(reason)
            .bind(now.micros())
            .bind(id)
            .bind(step.from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Refused(
                    "the publication changed since you opened it: reload it".into(),
                ));
            }
            publication_event!(tx, id, Some(step.user_id), step.event, step.detail, now);
            let (users, kind) = step.notify;
            notify_publication!(tx, users, kind, step.actor_profile_id, id, now);
            append_audit!(tx, step.audit, now);
        });
        Ok(())
    }

    /// Records one approval of `version` in `tier`, approving the
    /// publication when it completes the review; refused when the version
    /// changed or the approver already approved it.
    #[allow(clippy::too_many_arguments)]
    pub async fn approve(
        &self,
        id: i64,
        version: i64,
        tier: i64,
        completes: bool,
        by: i64,
        notify: (&[i64], &str),
        actor_profile_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE publications SET status = $1, updated_at = $2 WHERE id = $3 AND version = $4 AND status = 'in_review'",
            )
            .bind(if completes { "approved" } else { "in_review" })
            .bind(now.micros())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Refused(
                    "the publication changed since you opened it: reload it and review the new version".into(),
                ));
            }
            let inserted = sqlx::query(
                "INSERT INTO publication_approvals (publication_id, version, user_id, tier, at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(version)
            .bind(by)
            .bind(tier)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted != 1 {
                return Err(StoreError::Refused(
                    "you have already approved this version".into(),
                ));
            }
            let detail = format!("tier {}", tier + 1);
            publication_event!(tx, id, Some(by), "approved", detail, now);
            let (users, kind) = notify;
            notify_publication!(tx, users, kind, actor_profile_id, id, now);
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Adds a comment to a publication.
    pub async fn comment(
        &self,
        id: i64,
        by: i64,
        text: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            publication_event!(tx, id, Some(by), "comment", text, now);
        });
        Ok(())
    }

    /// Fails a scheduled publication before it is due (its channel or its
    /// credentials are gone), telling its writer and scheduler; false when
    /// it was no longer scheduled for `due_at`.
    pub async fn fail_scheduled(
        &self,
        id: i64,
        due_at: Timestamp,
        why: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(write_tx!(self, |tx| {
            let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
                "UPDATE publications SET status = 'failed', reason = $1, updated_at = $2 \
                 WHERE id = $3 AND status = 'scheduled' AND due_at = $4 \
                 RETURNING profile_id, written_by, scheduled_by",
            )
            .bind(why)
            .bind(now.micros())
            .bind(id)
            .bind(due_at.micros())
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                None => false,
                Some((profile_id, writer, scheduler)) => {
                    publication_event!(tx, id, None, "failed", why, now);
                    let mut users = vec![writer];
                    if let Some(s) = scheduler.filter(|s| *s != writer) {
                        users.push(s);
                    }
                    notify_publication!(tx, &users, "publication_failed", profile_id, id, now);
                    let entry = AuditEntry {
                        user_id: None,
                        profile_id: Some(profile_id),
                        action: "publication.failed",
                        target: format!("publication:{id}"),
                        source_address: String::new(),
                        details: serde_json::json!({ "reason": why }).to_string(),
                    };
                    append_audit!(tx, &entry, now);
                    true
                }
            }
        }))
    }

    /// The short links of one publication's channel, made once: for each
    /// target, the code already made or the candidate given.
    pub async fn short_links(
        &self,
        publication_id: i64,
        channel_id: i64,
        campaign_id: Option<i64>,
        links: &[(String, String)],
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        Ok(write_tx!(self, |tx| {
            let mut codes = Vec::with_capacity(links.len());
            for (candidate, target) in links {
                sqlx::query(
                    "INSERT INTO short_links (code, campaign_id, publication_id, channel_id, target, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(candidate)
                .bind(campaign_id)
                .bind(publication_id)
                .bind(channel_id)
                .bind(target)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
                let code: String = sqlx::query_scalar(
                    "SELECT code FROM short_links WHERE publication_id = $1 AND channel_id = $2 AND target = $3",
                )
                .bind(publication_id)
                .bind(channel_id)
                .bind(target)
                .fetch_one(&mut *tx)
                .await?;
                codes.push(code);
            }
            codes
        }))
    }

    /// Where a short link leads.
    pub async fn link_target(&self, code: &str) -> Result<String, StoreError> {
        let target: Option<String> = read!(self, |pool| {
            sqlx::query_scalar("SELECT target FROM short_links WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        target.ok_or(StoreError::NotFound)
    }

    /// Counts one click on a short link on `day` (durable on return;
    /// concurrent clicks share a commit on SQLite).
    pub async fn count_click(&self, code: &str, day: i64) -> Result<(), StoreError> {
        self.add_clicks(code, day, 1).await
    }

    /// Adds `n` clicks on a short link on `day`.
    pub async fn add_clicks(&self, code: &str, day: i64, n: i64) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO link_clicks (code, day, clicks) VALUES ($1, $2, $3) \
                 ON CONFLICT (code, day) DO UPDATE SET clicks = link_clicks.clicks + $3",
            )
            .bind(code)
            .bind(day)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// A publication's short links: (code, channel, target).
    pub async fn links_of(
        &self,
        publication_id: i64,
    ) -> Result<Vec<(String, i64, String)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT code, channel_id, target FROM short_links WHERE publication_id = $1 ORDER BY code",
            )
            .bind(publication_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A profile's campaigns, latest first.
    pub async fn campaigns(&self, profile_id: i64) -> Result<Vec<CampaignRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, profile_id, name, starts_on, ends_on, budget_cents, goal, created_by, created_at \
                 FROM campaigns WHERE profile_id = $1 ORDER BY starts_on DESC, id DESC",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// One campaign.
    pub async fn campaign(&self, id: i64) -> Result<CampaignRow, StoreError> {
        let row: Option<CampaignRow> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, profile_id, name, starts_on, ends_on, budget_cents, goal, created_by, created_at \
                 FROM campaigns WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// Creates a campaign; refused when the profile has one by that name.
    pub async fn create_campaign(
        &self,
        new: &NewCampaign<'_>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM campaigns WHERE profile_id = $1 AND lower(name) = lower($2)",
            )
            .bind(new.profile_id)
            .bind(new.name)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(StoreError::Refused(format!(
                    "this profile already has a campaign named '{}'",
                    new.name
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO campaigns (profile_id, name, starts_on, ends_on, budget_cents, goal, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(new.profile_id)
            .bind(new.name)
            .bind(new.starts_on)
            .bind(new.ends_on)
            .bind(new.budget_cents)
            .bind(new.goal)
            .bind(new.created_by)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry {
                target: format!("campaign:{id}"),
                ..audit.clone()
            };
            append_audit!(tx, &entry, now);
            id
        }))
    }

    /// Records money spent on a campaign.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_spend(
        &self,
        campaign_id: i64,
        channel_id: Option<i64>,
        on: &str,
        cents: i64,
        note: &str,
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO campaign_spend (campaign_id, channel_id, spent_on, cents, note, entered_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(campaign_id)
            .bind(channel_id)
            .bind(on)
            .bind(cents)
            .bind(note)
            .bind(by)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
            id
        }))
    }

    /// Records results for a campaign, all in one transaction (an import
    /// stores every row or none).
    pub async fn add_results(
        &self,
        campaign_id: i64,
        rows: &[(Option<i64>, String, i64, i64, i64)],
        source: &str,
        by: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        Ok(write_tx!(self, |tx| {
            for (channel_id, on, leads, conversions, revenue) in rows {
                sqlx::query(
                    "INSERT INTO campaign_results (campaign_id, channel_id, result_on, leads, conversions, revenue_cents, \
                     source, entered_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(campaign_id)
                .bind(channel_id)
                .bind(on)
                .bind(leads)
                .bind(conversions)
                .bind(revenue)
                .bind(source)
                .bind(by)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(tx, audit, now);
            rows.len()
        }))
    }

    /// A campaign's spend, by day.
    pub async fn spend(&self, campaign_id: i64) -> Result<Vec<SpendRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, channel_id, spent_on, cents, note FROM campaign_spend WHERE campaign_id = $1 \
                 ORDER BY spent_on, id",
            )
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A campaign's results, by day.
    pub async fn results(&self, campaign_id: i64) -> Result<Vec<ResultsRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, channel_id, result_on, leads, conversions, revenue_cents, source FROM campaign_results \
                 WHERE campaign_id = $1 ORDER BY result_on, id",
            )
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Clicks on a campaign's short links, per day and channel.
    pub async fn clicks(&self, campaign_id: i64) -> Result<Vec<ClicksRow>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT k.day, s.channel_id, CAST(SUM(k.clicks) AS BIGINT) AS clicks FROM link_clicks k \
                 JOIN short_links s ON s.code = k.code WHERE s.campaign_id = $1 \
                 GROUP BY k.day, s.channel_id ORDER BY k.day, s.channel_id",
            )
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The publications of a campaign, by due time.
    pub async fn campaign_publications(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<PublicationRow>, StoreError> {
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publications WHERE campaign_id = $1 ORDER BY due_at, id"
        );
        Ok(read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(campaign_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The scheduled publications that go through a channel.
    pub async fn scheduled_through(&self, channel_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.due_at FROM publications u JOIN publication_variants v ON v.publication_id = u.id \
                 WHERE v.channel_id = $1 AND u.status = 'scheduled' AND u.due_at IS NOT NULL",
            )
            .bind(channel_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Schedules a job for a publication on its own.
    pub async fn schedule(&self, job: &NewJob<'_>, now: Timestamp) -> Result<i64, StoreError> {
        self.jobs().schedule_job(job, now).await
    }
}

capability!(
    /// The store's publications and campaigns.
    Publishing,
    publishing
);
