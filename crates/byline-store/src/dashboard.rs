//! What a help desk's dashboard is computed from: the backlog now, the
//! tickets opened in a date range with the part of their history their
//! clocks count, their latest ratings, the solves, ratings and
//! deflections in the range. The figures themselves (medians, shares,
//! weeks) are worked out by `byline_app::dashboard`; here is only reading.

use crate::StoreError;
use byline_core::Timestamp;
use byline_core::sla::TicketEvent;
use byline_core::ticket::{Priority, TicketStatus};
use std::collections::HashMap;

/// Most tickets one range reads; a range with more is cut to the newest
/// this many, and says so.
pub const RANGE_TICKETS_MAX: i64 = 50_000;

/// Most rows of any other kind (ratings, solves, deflections) one range reads.
const RANGE_ROWS_MAX: i64 = 200_000;

/// A ticket opened in the range, with what the dashboard needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeTicket {
    /// Id.
    pub id: i64,
    /// Number within the desk.
    pub number: i64,
    /// Subject.
    pub subject: String,
    /// Status now.
    pub status: TicketStatus,
    /// Priority now.
    pub priority: Priority,
    /// The member who has it, by personal handle.
    pub assignee_handle: Option<String>,
    /// Opened.
    pub created_at: Timestamp,
    /// Last solved.
    pub solved_at: Option<Timestamp>,
    /// First public answer, if any.
    pub first_answer_at: Option<Timestamp>,
    /// Its tags, sorted.
    pub tags: Vec<String>,
    /// What its clocks count, oldest first.
    pub history: Vec<TicketEvent>,
    /// Its latest rating: (score, the member it was kept with).
    pub rating: Option<(i64, Option<i64>)>,
}

/// A rating given in the range.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RangeRating {
    /// When, µs.
    pub created_at: i64,
    /// 1 to 5.
    pub score: i64,
    /// The member who had the ticket.
    pub assignee_user_id: Option<i64>,
    /// Their personal handle.
    pub handle: Option<String>,
}

/// A ticket's clock events as read: (ticket, at, kind, detail).
type EventRow = (i64, i64, String, String);

/// Everything one range reads: tickets, their events, tags and ratings.
type RangeRows = (
    Vec<TicketRow>,
    Vec<EventRow>,
    Vec<(i64, String)>,
    Vec<(i64, i64, Option<i64>)>,
);

type TicketRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
);

impl Dashboard<'_> {
    /// How many of a desk's tickets stand in each status now.
    pub async fn backlog(&self, profile_id: i64) -> Result<Vec<(TicketStatus, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT status, COUNT(*) FROM tickets WHERE profile_id = $1 GROUP BY status",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(s, n)| {
                Ok((
                    TicketStatus::parse(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    n,
                ))
            })
            .collect()
    }

    /// The tickets a desk opened in `[from, to)`, newest first, at most
    /// [`RANGE_TICKETS_MAX`], each with its tags, clock history, first
    /// answer and latest rating.
    pub async fn tickets_opened(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<RangeTicket>, StoreError> {
        // The events and tags of the same tickets, read by the same range
        // (not by a list of ids, which could be longer than a statement
        // may bind).
        const IN_RANGE: &str = "SELECT t.id FROM tickets t WHERE t.profile_id = $1 \
             AND t.created_at >= $2 AND t.created_at < $3 ORDER BY t.id DESC LIMIT $4";
        let (rows, events, tags, ratings): RangeRows = read!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT t.id, t.number, t.subject, t.status, t.priority, ap.handle, t.created_at, t.solved_at \
                 FROM tickets t LEFT JOIN profiles ap ON ap.user_id = t.assignee_user_id AND ap.kind = 'personal' \
                 WHERE t.profile_id = $1 AND t.created_at >= $2 AND t.created_at < $3 \
                 ORDER BY t.id DESC LIMIT $4",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_TICKETS_MAX)
            .fetch_all(pool)
            .await?;
            let events = sqlx::query_as(&format!(
                "SELECT e.ticket_id, e.at, e.kind, e.detail FROM ticket_events e \
                 WHERE e.ticket_id IN ({IN_RANGE}) \
                 AND e.kind IN ('opened', 'requester_reply', 'answer', 'status') ORDER BY e.ticket_id, e.id"
            ))
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_TICKETS_MAX)
            .fetch_all(pool)
            .await?;
            let tags = sqlx::query_as(&format!(
                "SELECT g.ticket_id, g.tag FROM ticket_tags g WHERE g.ticket_id IN ({IN_RANGE}) \
                 ORDER BY g.ticket_id, g.tag"
            ))
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_TICKETS_MAX)
            .fetch_all(pool)
            .await?;
            let ratings = sqlx::query_as(&format!(
                "SELECT r.ticket_id, r.score, r.assignee_user_id FROM ticket_ratings r \
                 WHERE r.ticket_id IN ({IN_RANGE}) ORDER BY r.ticket_id, r.created_at, r.id"
            ))
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_TICKETS_MAX)
            .fetch_all(pool)
            .await?;
            (rows, events, tags, ratings)
        });
        let corrupt = |e: byline_core::CoreError| StoreError::Corrupt(e.to_string());
        let mut histories: HashMap<i64, Vec<TicketEvent>> = HashMap::new();
        let mut first_answer: HashMap<i64, Timestamp> = HashMap::new();
        for (ticket, at, kind, detail) in events {
            let at = Timestamp(at);
            let event = match kind.as_str() {
                "opened" => TicketEvent::Opened(at),
                "requester_reply" => TicketEvent::RequesterReplied(at),
                "answer" => {
                    first_answer.entry(ticket).or_insert(at);
                    TicketEvent::Answered(at)
                }
                _ => TicketEvent::Status(at, TicketStatus::parse(&detail).map_err(corrupt)?),
            };
            histories.entry(ticket).or_default().push(event);
        }
        let mut tags_of: HashMap<i64, Vec<String>> = HashMap::new();
        for (ticket, tag) in tags {
            tags_of.entry(ticket).or_default().push(tag);
        }
        // Ordered oldest first, so the last one kept is the latest.
        let rating_of: HashMap<i64, (i64, Option<i64>)> = ratings
            .into_iter()
            .map(|(ticket, score, member)| (ticket, (score, member)))
            .collect();
        rows.into_iter()
            .map(
                |(id, number, subject, status, priority, assignee, created, solved)| {
                    Ok(RangeTicket {
                        id,
                        number,
                        subject,
                        status: TicketStatus::parse(&status).map_err(corrupt)?,
                        priority: Priority::parse(&priority).map_err(corrupt)?,
                        assignee_handle: assignee,
                        created_at: Timestamp(created),
                        solved_at: solved.map(Timestamp),
                        first_answer_at: first_answer.get(&id).copied(),
                        tags: tags_of.remove(&id).unwrap_or_default(),
                        history: histories.remove(&id).unwrap_or_default(),
                        rating: rating_of.get(&id).copied(),
                    })
                },
            )
            .collect()
    }

    /// When a desk's tickets were solved in `[from, to)`, µs (each solve,
    /// so a ticket solved twice counts twice).
    pub async fn solves(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT e.at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
                 WHERE t.profile_id = $1 AND e.kind = 'status' AND e.detail = 'solved' \
                 AND e.at >= $2 AND e.at < $3 ORDER BY e.at LIMIT $4",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_ROWS_MAX)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The ratings a desk was given in `[from, to)`, oldest first.
    pub async fn ratings(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<RangeRating>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT r.created_at, r.score, r.assignee_user_id, p.handle FROM ticket_ratings r \
                 LEFT JOIN profiles p ON p.user_id = r.assignee_user_id AND p.kind = 'personal' \
                 WHERE r.profile_id = $1 AND r.created_at >= $2 AND r.created_at < $3 \
                 ORDER BY r.created_at LIMIT $4",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_ROWS_MAX)
            .fetch_all(pool)
            .await?
        }))
    }

    /// When the desk's articles answered someone in `[from, to)`, µs.
    pub async fn deflections(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT created_at FROM kb_deflections WHERE profile_id = $1 \
                 AND created_at >= $2 AND created_at < $3 ORDER BY created_at LIMIT $4",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(RANGE_ROWS_MAX)
            .fetch_all(pool)
            .await?
        }))
    }
}

capability!(
    /// The store's reading for help-desk dashboards.
    Dashboard,
    dashboard
);
