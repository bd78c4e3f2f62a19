//! A help desk's business hours and SLA targets as stored, and the part of
//! a ticket's history its clocks are computed from (`byline_core::sla`).

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;
use byline_core::business_hours::{Block, BusinessHours};
use byline_core::sla::{SlaTargets, TicketEvent};
use byline_core::ticket::{Priority, TicketStatus};
use chrono::NaiveDate;

/// (weekday, start minute, end minute) as stored.
type StoredBlock = (i64, i64, i64);

/// (priority, first response, next response, resolution, warning) as stored.
type StoredPolicy = (String, Option<i64>, Option<i64>, Option<i64>, i64);

impl Sla<'_> {
    /// Replaces a desk's business hours (already checked by
    /// [`BusinessHours::new`]); audited.
    pub async fn set_business_hours(
        &self,
        profile_id: i64,
        hours: &BusinessHours,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query("UPDATE help_desks SET time_zone = $1 WHERE profile_id = $2")
                .bind(hours.zone().name())
                .bind(profile_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            for table in ["business_blocks", "business_holidays"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE profile_id = $1"))
                    .bind(profile_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (weekday, blocks) in hours.week().iter().enumerate() {
                for b in blocks {
                    sqlx::query(
                        "INSERT INTO business_blocks (profile_id, weekday, start_minute, end_minute) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(profile_id)
                    .bind(weekday as i64)
                    .bind(i64::from(b.start))
                    .bind(i64::from(b.end))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            for day in hours.holidays() {
                sqlx::query("INSERT INTO business_holidays (profile_id, day) VALUES ($1, $2)")
                    .bind(profile_id)
                    .bind(day.format("%Y-%m-%d").to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// A desk's business hours; round the clock in UTC until set.
    pub async fn business_hours(&self, profile_id: i64) -> Result<BusinessHours, StoreError> {
        let (zone, blocks, days): (Option<String>, Vec<StoredBlock>, Vec<String>) =
            read!(self, |pool| {
                let zone =
                    sqlx::query_scalar("SELECT time_zone FROM help_desks WHERE profile_id = $1")
                        .bind(profile_id)
                        .fetch_optional(pool)
                        .await?;
                let blocks = sqlx::query_as(
                    "SELECT weekday, start_minute, end_minute FROM business_blocks \
                     WHERE profile_id = $1 ORDER BY weekday, start_minute",
                )
                .bind(profile_id)
                .fetch_all(pool)
                .await?;
                let days = sqlx::query_scalar(
                    "SELECT day FROM business_holidays WHERE profile_id = $1 ORDER BY day",
                )
                .bind(profile_id)
                .fetch_all(pool)
                .await?;
                (zone, blocks, days)
            });
        let zone = zone.ok_or(StoreError::NotFound)?;
        if blocks.is_empty() {
            return Ok(BusinessHours::always());
        }
        let corrupt = |what: &str| StoreError::Corrupt(format!("stored business hours: {what}"));
        let mut week: [Vec<Block>; 7] = Default::default();
        for (weekday, start, end) in blocks {
            let day = week
                .get_mut(usize::try_from(weekday).map_err(|_| corrupt("weekday"))?)
                .ok_or_else(|| corrupt("weekday"))?;
            day.push(Block {
                start: u16::try_from(start).map_err(|_| corrupt("start"))?,
                end: u16::try_from(end).map_err(|_| corrupt("end"))?,
            });
        }
        let holidays = days
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| corrupt("holiday")))
            .collect::<Result<Vec<_>, _>>()?;
        BusinessHours::new(&zone, week, holidays).map_err(|e| corrupt(&e.to_string()))
    }

    /// Sets (or, with `None`, removes) the targets for one priority; audited.
    pub async fn set_sla_policy(
        &self,
        profile_id: i64,
        priority: Priority,
        targets: Option<&SlaTargets>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let desk: Option<i64> =
                sqlx::query_scalar("SELECT profile_id FROM help_desks WHERE profile_id = $1")
                    .bind(profile_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if desk.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM sla_policies WHERE profile_id = $1 AND priority = $2")
                .bind(profile_id)
                .bind(priority.as_str())
                .execute(&mut *tx)
                .await?;
            if let Some(t) = targets {
                sqlx::query(
                    "INSERT INTO sla_policies (profile_id, priority, first_response_minutes, \
                     next_response_minutes, resolution_minutes, warn_before_minutes) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(profile_id)
                .bind(priority.as_str())
                .bind(t.first_response_minutes)
                .bind(t.next_response_minutes)
                .bind(t.resolution_minutes)
                .bind(t.warn_before_minutes)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// A desk's targets by priority (priorities without any have no SLA).
    pub async fn sla_policies(
        &self,
        profile_id: i64,
    ) -> Result<Vec<(Priority, SlaTargets)>, StoreError> {
        let rows: Vec<StoredPolicy> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT priority, first_response_minutes, next_response_minutes, resolution_minutes, \
                 warn_before_minutes FROM sla_policies WHERE profile_id = $1",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        });
        let mut out = rows
            .into_iter()
            .map(|(p, first, next, resolution, warn)| {
                Ok((
                    Priority::parse(&p).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    SlaTargets {
                        first_response_minutes: first,
                        next_response_minutes: next,
                        resolution_minutes: resolution,
                        warn_before_minutes: warn,
                    },
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by_key(|(p, _)| *p);
        Ok(out)
    }

    /// The part of a ticket's history its clocks count, oldest first.
    pub async fn clock_history(&self, ticket_id: i64) -> Result<Vec<TicketEvent>, StoreError> {
        let rows: Vec<(i64, String, String)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT at, kind, detail FROM ticket_events WHERE ticket_id = $1 \
                 AND kind IN ('opened', 'requester_reply', 'answer', 'status') ORDER BY id LIMIT 5000",
            )
            .bind(ticket_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(at, kind, detail)| clock_event(at, &kind, &detail))
            .collect()
    }
}

/// One stored ticket event as the clocks read it.
fn clock_event(at: i64, kind: &str, detail: &str) -> Result<TicketEvent, StoreError> {
    let at = Timestamp(at);
    Ok(match kind {
        "opened" => TicketEvent::Opened(at),
        "requester_reply" => TicketEvent::RequesterReplied(at),
        "answer" => TicketEvent::Answered(at),
        _ => TicketEvent::Status(
            at,
            TicketStatus::parse(detail).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ),
    })
}

capability!(
    /// The store's business hours and SLA targets.
    Sla,
    sla
);
