//! The help desk's tickets: a shared profile with its help desk on turns
//! every post that mentions it into a ticket, inside the same write
//! transaction as the post (see [`open_tickets!`]); the requester's later
//! replies in that thread, and the profile's own public replies there,
//! land on the ticket as its history. Status changes and internal notes
//! are written here with their audit events.

use crate::StoreError;
use crate::audit::AuditEntry;
use byline_core::Timestamp;
use byline_core::ticket::{Priority, Tag, TicketStatus};

/// A profile's help-desk settings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HelpDesk {
    /// The shared profile.
    pub profile_id: i64,
    /// Whether mentions become tickets.
    pub enabled: bool,
    /// `round_robin`, `least_loaded` or `manual`.
    pub assignment: String,
    /// Most open tickets one member is given automatically.
    pub open_limit: i64,
    /// Days after which a solved ticket closes.
    pub auto_close_days: i64,
}

/// What the application worked out, before a post or message is written,
/// for a ticket the write may open at one help desk: the members it may go
/// to and the SLA jobs it starts with. The write applies it inside its own
/// transaction, so a mention of a working desk is one commit, not three.
pub struct Intake {
    /// The desk's profile.
    pub profile_id: i64,
    /// The desk's rule.
    pub rule: byline_core::assignment::Assignment,
    /// Most open tickets one member is given automatically.
    pub open_limit: i64,
    /// Members on shift now (`None`: the desk keeps no roster, so any
    /// member who may work tickets). Their open tickets are counted inside
    /// the write.
    pub on_shift: Option<Vec<i64>>,
    /// When a ticket opened at the write's instant first reaches an SLA
    /// warning, and when it is first due (none without SLA targets).
    pub sla_warn_at: Option<Timestamp>,
    /// See `sla_warn_at`.
    pub sla_due_at: Option<Timestamp>,
    /// The kind of the jobs below.
    pub job_kind: &'static str,
    /// The jobs of a ticket opened at the write's instant, for whatever id
    /// the write gives it.
    pub jobs: Box<dyn Fn(i64) -> Vec<IntakeJob> + Send + Sync>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("profile_id", &self.profile_id)
            .field("rule", &self.rule)
            .field("on_shift", &self.on_shift.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// A job an [`Intake`] schedules for a new ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeJob {
    /// Names it (scheduling a key already scheduled keeps the first).
    pub key: String,
    /// The handler's input, JSON.
    pub payload: String,
    /// When it should run.
    pub due_at: Timestamp,
    /// Attempts before it is given up as failed.
    pub max_attempts: u32,
}

/// A ticket with the names a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Id.
    pub id: i64,
    /// The help desk's profile.
    pub profile_id: i64,
    /// Its handle.
    pub desk_handle: String,
    /// Number within the profile (`#12`).
    pub number: i64,
    /// Who asked.
    pub requester_profile_id: i64,
    /// Their handle.
    pub requester_handle: String,
    /// Their name.
    pub requester_name: String,
    /// From the first words.
    pub subject: String,
    /// Status.
    pub status: TicketStatus,
    /// Priority.
    pub priority: Priority,
    /// The member working on it.
    pub assignee_user_id: Option<i64>,
    /// That member's handle.
    pub assignee_handle: Option<String>,
    /// The post that opened it (none for a direct message).
    pub source_post_id: Option<i64>,
    /// The thread it lives in (none for a direct message).
    pub thread_root_id: Option<i64>,
    /// The conversation it lives in (a direct message to the desk).
    pub conversation_id: Option<i64>,
    /// The closed ticket a reply reopened as this one.
    pub previous_ticket_id: Option<i64>,
    /// Opened.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Last solved.
    pub solved_at: Option<Timestamp>,
    /// Its tags, sorted (members only: the services clear them for the
    /// requester).
    pub tags: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    profile_id: i64,
    desk_handle: String,
    number: i64,
    requester_profile_id: i64,
    requester_handle: String,
    requester_name: String,
    subject: String,
    status: String,
    priority: String,
    assignee_user_id: Option<i64>,
    assignee_handle: Option<String>,
    source_post_id: Option<i64>,
    thread_root_id: Option<i64>,
    conversation_id: Option<i64>,
    previous_ticket_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
    solved_at: Option<i64>,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> Result<Ticket, StoreError> {
        let corrupt = |e: byline_core::CoreError| StoreError::Corrupt(e.to_string());
        Ok(Ticket {
            id: r.id,
            profile_id: r.profile_id,
            desk_handle: r.desk_handle,
            number: r.number,
            requester_profile_id: r.requester_profile_id,
            requester_handle: r.requester_handle,
            requester_name: r.requester_name,
            subject: r.subject,
            status: TicketStatus::parse(&r.status).map_err(corrupt)?,
            priority: Priority::parse(&r.priority).map_err(corrupt)?,
            assignee_user_id: r.assignee_user_id,
            assignee_handle: r.assignee_handle,
            source_post_id: r.source_post_id,
            thread_root_id: r.thread_root_id,
            conversation_id: r.conversation_id,
            previous_ticket_id: r.previous_ticket_id,
            created_at: Timestamp(r.created_at),
            updated_at: Timestamp(r.updated_at),
            solved_at: r.solved_at.map(Timestamp),
            tags: Vec::new(),
        })
    }
}

const TICKET_COLUMNS: &str = "t.id, t.profile_id, dp.handle AS desk_handle, t.number, t.requester_profile_id, \
    rq.handle AS requester_handle, rq.display_name AS requester_name, t.subject, t.status, \
    t.priority, t.assignee_user_id, ap.handle AS assignee_handle, t.source_post_id, \
    t.thread_root_id, t.conversation_id, t.previous_ticket_id, t.created_at, t.updated_at, t.solved_at";
const TICKET_FROM: &str = "FROM tickets t JOIN profiles dp ON dp.id = t.profile_id \
    JOIN profiles rq ON rq.id = t.requester_profile_id \
    LEFT JOIN profiles ap ON ap.user_id = t.assignee_user_id AND ap.kind = 'personal'";

/// One entry in a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketEvent {
    /// Id.
    pub id: i64,
    /// When.
    pub at: i64,
    /// `opened`, `requester_reply`, `answer`, `note`, `status`, `assigned`,
    /// `priority`, `sla`, `rated` or `tags`.
    pub kind: String,
    /// The member (or requester) who did it.
    pub by_user_id: Option<i64>,
    /// Their handle.
    pub by_handle: Option<String>,
    /// The post it was, for posts.
    pub post_id: Option<i64>,
    /// The new status, assignee or priority.
    pub detail: String,
    /// A note's text, rendered (members only).
    pub body_html: Option<String>,
    /// For posts: the profile they appear under.
    pub post_author_profile_id: Option<i64>,
    /// For posts: the attribution policy they were said under.
    pub post_policy: Option<String>,
    /// The direct message it was, for messages.
    pub message_id: Option<i64>,
    /// That message's words, rendered.
    pub message_html: Option<String>,
    /// That message's words as written (Markdown).
    pub message_body: Option<String>,
    /// For messages: the profile they were sent as.
    pub message_author_profile_id: Option<i64>,
    /// For messages: the attribution policy they were said under.
    pub message_policy: Option<String>,
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketView {
    /// Open work (new, open, pending, on hold) assigned to this user.
    Mine(i64),
    /// Open work nobody has.
    Unassigned,
    /// All open work.
    AllOpen,
    /// Solved and closed.
    Done,
    /// Being worked on with clocks running (new or open): the candidates
    /// the services check for a breach coming or come.
    Breaching,
}

// "Open" is always spelled as the four open statuses, never as NOT IN
// the other two: the same set (the column's CHECK allows six), but only
// IN lets the planner seek an index instead of reading every ticket a
// desk ever had (docs/BENCHMARKS.md, "Help desk (#14)"). The lists are
// written exactly as in the partial indexes of migration 0024
// (`tickets_open`, `tickets_open_by_assignee`, `tickets_done`), which a
// query uses only when its WHERE repeats them word for word.
impl TicketView {
    fn clause(self) -> &'static str {
        match self {
            TicketView::Mine(_) => {
                "t.status IN ('new', 'open', 'pending', 'on_hold') AND t.assignee_user_id = $2"
            }
            TicketView::Unassigned => {
                "t.status IN ('new', 'open', 'pending', 'on_hold') AND t.assignee_user_id IS NULL AND CAST($2 AS BIGINT) IS NULL"
            }
            TicketView::AllOpen => {
                "t.status IN ('new', 'open', 'pending', 'on_hold') AND CAST($2 AS BIGINT) IS NULL"
            }
            TicketView::Done => "t.status IN ('solved', 'closed') AND CAST($2 AS BIGINT) IS NULL",
            TicketView::Breaching => "t.status IN ('new', 'open') AND CAST($2 AS BIGINT) IS NULL",
        }
    }

    fn user(self) -> Option<i64> {
        match self {
            TicketView::Mine(u) => Some(u),
            _ => None,
        }
    }
}

/// How many tickets each view holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewCounts {
    /// Assigned to the viewer and open.
    pub mine: i64,
    /// Open and unassigned.
    pub unassigned: i64,
    /// Open.
    pub all_open: i64,
    /// Open with an SLA clock past its warning or its target (counted by
    /// the services, which own the clocks).
    pub breaching: i64,
}

/// Inside the write transaction of a new post `$post_id` by `$w` (in the
/// thread `$root`, if a reply), records what it means for help desks:
/// - a reply in a ticket's thread by its requester is a requester reply
///   (reopening a pending or solved ticket; a closed one gets a new ticket
///   linked to it);
/// - a reply there as the help desk's profile is an answer (a new ticket
///   becomes open);
/// - a mention of a profile whose help desk is on, by anyone but the
///   profile, that `$notified` says may read the post, opens a ticket
///   unless the thread already has one with that desk.
///
/// Evaluates to the ids of the tickets it opened or added to, and of those
/// among them that an [`Intake`] of `$intake` settled.
macro_rules! open_tickets {
    ($tx:ident, $w:expr, $post_id:expr, $root:expr, $body:expr, $mentioned:expr, $notified:expr, $intake:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let now: byline_core::Timestamp = $now;
        let mut opened: Vec<i64> = Vec::new();
        let mut settled: Vec<i64> = Vec::new();
        let mut desks_in_thread: Vec<i64> = Vec::new();
        if let Some(root) = $root {
            let in_thread: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                "SELECT id, profile_id, requester_profile_id, status FROM tickets \
                 WHERE thread_root_id = $1 ORDER BY id DESC",
            )
            .bind(root)
            .fetch_all(&mut *$tx)
            .await?;
            let mut seen: Vec<i64> = Vec::new();
            for (ticket_id, desk, requester, status) in in_thread {
                // Only the newest ticket of each desk in the thread counts.
                if seen.contains(&desk) {
                    continue;
                }
                seen.push(desk);
                desks_in_thread.push(desk);
                let status = byline_core::ticket::TicketStatus::parse(&status)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                if w.profile_id == desk {
                    words_on_ticket!(
                        $tx,
                        ticket_id,
                        status,
                        w,
                        true,
                        Some($post_id),
                        None::<i64>,
                        now
                    );
                    opened.push(ticket_id);
                } else if w.profile_id == requester {
                    if status == byline_core::ticket::TicketStatus::Closed {
                        // A desk turned off since keeps its old tickets but
                        // opens no new one.
                        if let Some((id, done)) = new_ticket_in_tx!(
                            $tx,
                            desk,
                            w,
                            Some($post_id),
                            Some(root),
                            None::<i64>,
                            None::<i64>,
                            $body,
                            Some(ticket_id),
                            $intake,
                            now
                        ) {
                            opened.push(id);
                            if done {
                                settled.push(id);
                            }
                        }
                    } else {
                        words_on_ticket!(
                            $tx,
                            ticket_id,
                            status,
                            w,
                            false,
                            Some($post_id),
                            None::<i64>,
                            now
                        );
                        opened.push(ticket_id);
                    }
                }
            }
        }
        let mentioned: &[i64] = $mentioned;
        let notified: &[i64] = $notified;
        let candidates: Vec<i64> = mentioned
            .iter()
            .copied()
            .filter(|p| *p != w.profile_id && notified.contains(p) && !desks_in_thread.contains(p))
            .collect();
        // A planned desk is known to be one (its number is only taken while
        // it is on); the others mentioned are looked up, in one statement.
        let intakes: &[$crate::tickets::Intake] = $intake;
        let (mut desks, unplanned): (Vec<i64>, Vec<i64>) = candidates
            .iter()
            .partition(|p| intakes.iter().any(|i| i.profile_id == **p));
        if !unplanned.is_empty() {
            let sql = format!(
                "SELECT profile_id FROM help_desks WHERE enabled AND profile_id IN ({})",
                $crate::posts::placeholders(1, unplanned.len())
            );
            let mut q = sqlx::query_scalar(&sql);
            for p in &unplanned {
                q = q.bind(*p);
            }
            let found: Vec<i64> = q.fetch_all(&mut *$tx).await?;
            desks.extend(found);
        }
        for desk in desks {
            if let Some((id, done)) = new_ticket_in_tx!(
                $tx,
                desk,
                w,
                Some($post_id),
                Some($root.unwrap_or($post_id)),
                None::<i64>,
                None::<i64>,
                $body,
                None::<i64>,
                $intake,
                now
            ) {
                opened.push(id);
                if done {
                    settled.push(id);
                }
            }
        }
        (opened, settled)
    }};
}

/// Records words by `$w` on ticket `$ticket_id` (now in `$status`), said
/// in post `$post` or message `$message`, inside `$tx`: the desk's words
/// are an answer (a new ticket becomes open; the move is recorded without
/// a person, since who answered as the profile is the byline's to tell,
/// under its policy), anyone else's a requester reply (reopening a
/// waiting or solved ticket).
macro_rules! words_on_ticket {
    ($tx:ident, $ticket_id:expr, $status:expr, $w:expr, $answer:expr, $post:expr, $message:expr, $now:expr) => {{
        let answer: bool = $answer;
        let status: byline_core::ticket::TicketStatus = $status;
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, post_id, message_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($ticket_id)
        .bind($now.micros())
        .bind(if answer { "answer" } else { "requester_reply" })
        .bind($w.user_id)
        .bind($post)
        .bind($message)
        .execute(&mut *$tx)
        .await?;
        if answer {
            let to = (status == byline_core::ticket::TicketStatus::New)
                .then_some(byline_core::ticket::TicketStatus::Open);
            set_status_in_tx!($tx, $ticket_id, to, None::<i64>, $now);
        } else {
            set_status_in_tx!(
                $tx,
                $ticket_id,
                status.after_requester_reply(),
                Some($w.user_id),
                $now
            );
        }
    }};
}

/// Opens a ticket for `$desk` by `$w` inside `$tx`, from post `$post`
/// in thread `$root` or from message `$message` in conversation
/// `$conversation`, linked to `$previous`. When the write carries the
/// desk's [`Intake`] (one of `$intake`), the ticket is also given out by
/// the desk's rule and its SLA jobs scheduled, in the same transaction.
/// Evaluates to (ticket id, whether the intake settled it), or `None` when
/// the desk's help desk is off.
macro_rules! new_ticket_in_tx {
    ($tx:ident, $desk:expr, $w:expr, $post:expr, $root:expr, $conversation:expr, $message:expr, $body:expr, $previous:expr, $intake:expr, $now:expr) => {{
        let desk: i64 = $desk;
        let intakes: &[$crate::tickets::Intake] = $intake;
        let intake = intakes.iter().find(|i| i.profile_id == desk);
        let gives_out = intake.is_some_and(|i| i.rule != byline_core::assignment::Assignment::Manual);
        // Each statement is a round trip to the database thread while
        // holding the write lock, so one takes the next number (only while
        // the desk is on) and, for a desk that gives tickets out, counts
        // each workable member's open tickets as they stand inside the
        // write. With SQLite's sole writer what it reads stays true until
        // the commit, so it also reads the audit chain's head, and the turn
        // and the head move on with the ticket's other rows below, unchecked.
        let sole = $crate::dialect::joined::RunJoined::sole_writer(&*$tx);
        let taken: Option<(i64, Option<i64>, Option<String>, Option<i64>, Option<Vec<u8>>)> = sqlx::query_as(
            "UPDATE help_desks SET next_number = next_number + 1 WHERE profile_id = $1 AND enabled \
             RETURNING next_number - 1, last_assigned_user_id, \
             CASE WHEN $2 THEN (SELECT string_agg(CAST(m.user_id AS TEXT) || ':' || CAST( \
               (SELECT COUNT(*) FROM tickets t WHERE t.profile_id = $1 AND t.assignee_user_id = m.user_id \
                AND t.status IN ('new', 'open', 'pending', 'on_hold')) AS TEXT) || ':' || p.handle, ',') \
               FROM profile_members m JOIN users u ON u.id = m.user_id \
               JOIN profiles p ON p.user_id = u.id AND p.kind = 'personal' \
               WHERE m.profile_id = $1 AND m.role IN ('owner', 'editor', 'responder') AND u.active) END, \
             CASE WHEN $3 THEN (SELECT seq FROM audit_head WHERE id = 1) END, \
             CASE WHEN $3 THEN (SELECT hash FROM audit_head WHERE id = 1) END",
        )
        .bind(desk)
        .bind(gives_out)
        .bind(gives_out && sole)
        .fetch_optional(&mut *$tx)
        .await?;
        match taken {
            // Turned off since the caller looked: no ticket.
            None => None,
            Some((number, last, loads, head_seq, head_hash)) => {
        use $crate::dialect::joined::Bound;
        let mut joined = $crate::dialect::joined::Joined::default();
        let mut assignee: Option<(i64, String)> = None;
        let mut settled = intake.is_some();
        if let Some(intake) = intake.filter(|_| gives_out) {
            let members: Vec<(i64, i64, &str)> = loads
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter_map(|member| {
                    let mut parts = member.splitn(3, ':');
                    let user = parts.next()?.parse().ok()?;
                    let open = parts.next()?.parse().ok()?;
                    Some((user, open, parts.next()?))
                })
                .filter(|(user, _, _)| intake.on_shift.as_ref().is_none_or(|s| s.contains(user)))
                .collect();
            let candidates: Vec<byline_core::assignment::Candidate> = members
                .iter()
                .map(|(user_id, open, _)| byline_core::assignment::Candidate {
                    user_id: *user_id,
                    open: *open,
                })
                .collect();
            let chosen = byline_core::assignment::choose(
                intake.rule,
                &candidates,
                intake.open_limit,
                last,
            );
            match chosen {
                None => {}
                Some(to) if sole => {
                    let handle = members
                        .iter()
                        .find(|(user, _, _)| *user == to)
                        .map_or("", |(_, _, h)| *h);
                    assignee = Some((to, handle.to_owned()));
                    joined.push(
                        "UPDATE help_desks SET last_assigned_user_id = $1 WHERE profile_id = $2",
                        vec![Bound::Int(Some(to)), Bound::Int(Some(desk))],
                    );
                }
                Some(to) => {
                    // The counts above may predate a concurrent write that
                    // waited for this desk's row: the limit and the
                    // membership are checked again as the turn moves on.
                    let handle: Option<Option<String>> = sqlx::query_scalar(
                        "UPDATE help_desks SET last_assigned_user_id = $2 WHERE profile_id = $1 \
                         AND (SELECT COUNT(*) FROM tickets WHERE profile_id = $1 AND assignee_user_id = $2 \
                           AND status IN ('new', 'open', 'pending', 'on_hold')) < $3 \
                         AND EXISTS (SELECT 1 FROM profile_members m JOIN users u ON u.id = m.user_id \
                           WHERE m.profile_id = $1 AND m.user_id = $2 \
                           AND m.role IN ('owner', 'editor', 'responder') AND u.active) \
                         RETURNING (SELECT handle FROM profiles WHERE user_id = $2 AND kind = 'personal')",
                    )
                    .bind(desk)
                    .bind(to)
                    .bind(intake.open_limit)
                    .fetch_optional(&mut *$tx)
                    .await?;
                    match handle {
                        Some(Some(h)) => assignee = Some((to, h)),
                        // Someone else's ticket got there first: handed out
                        // after the write, with fresh counts.
                        _ => settled = false,
                    }
                }
            }
        }
        let subject = byline_core::ticket::subject_from($body);
        let ticket_id: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (profile_id, number, requester_profile_id, subject, source_post_id, \
             thread_root_id, conversation_id, source_message_id, previous_ticket_id, assignee_user_id, \
             sla_warn_at, sla_due_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(desk)
        .bind(number)
        .bind($w.profile_id)
        .bind(&subject)
        .bind($post)
        .bind($root)
        .bind($conversation)
        .bind($message)
        .bind($previous)
        .bind(assignee.as_ref().map(|(id, _)| *id))
        .bind(intake.and_then(|i| i.sla_warn_at).map(|t| t.micros()))
        .bind(intake.and_then(|i| i.sla_due_at).map(|t| t.micros()))
        .bind($now.micros())
        .fetch_one(&mut *$tx)
        .await?;
        // The opening and the assignment (one statement), the audit event
        // and the jobs go together, after the turn if it moved unchecked:
        // a round trip to the database thread each would be spent holding
        // the write lock (see `joined.rs`).
        let events = if assignee.is_some() {
            "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, post_id, message_id, detail) \
             VALUES ($1, $2, 'opened', $3, $4, $5, ''), ($1, $2, 'assigned', NULL, NULL, NULL, $6)"
        } else {
            "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, post_id, message_id, detail) \
             VALUES ($1, $2, 'opened', $3, $4, $5, CAST($6 AS TEXT))"
        };
        joined.push(
            events,
            vec![
                Bound::Int(Some(ticket_id)),
                Bound::Int(Some($now.micros())),
                Bound::Int(Some($w.user_id)),
                Bound::Int($post),
                Bound::Int($message),
                Bound::Text(Some(assignee.as_ref().map_or("", |(_, h)| h.as_str()).to_owned())),
            ],
        );
        if let (Some(intake), Some((to, _))) = (intake, &assignee) {
            let mut entry = $crate::audit::AuditEntry::new(
                None,
                "ticket.assign",
                format!("ticket:{ticket_id}"),
                "system",
            );
            entry.profile_id = Some(desk);
            entry.details = serde_json::json!({ "to": to, "rule": intake.rule.as_str() }).to_string();
            let (seq, prev) = match (head_seq, head_hash) {
                (Some(seq), Some(hash)) => {
                    joined.push(
                        "UPDATE audit_head SET seq = $1 WHERE id = 1",
                        vec![Bound::Int(Some(seq + 1))],
                    );
                    (seq + 1, hash)
                }
                _ => take_audit_head!($tx),
            };
            let (sql, values) = entry.appended(seq, &prev, $now);
            joined.push(sql, values);
        }
        if let Some(intake) = intake {
            let jobs = (intake.jobs)(ticket_id);
            if !jobs.is_empty() {
                // A new ticket's keys are new: nothing to keep from before.
                let rows: Vec<String> = (0..jobs.len())
                    .map(|i| {
                        let b = i * 4;
                        format!("($1, ${}, ${}, ${}, ${}, $2)", b + 3, b + 4, b + 5, b + 6)
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO jobs (kind, job_key, payload, due_at, max_attempts, created_at) \
                     VALUES {} ON CONFLICT (job_key) DO NOTHING",
                    rows.join(", ")
                );
                let mut values = vec![
                    Bound::Text(Some(intake.job_kind.to_owned())),
                    Bound::Int(Some($now.micros())),
                ];
                for job in jobs {
                    values.push(Bound::Text(Some(job.key)));
                    values.push(Bound::Text(Some(job.payload)));
                    values.push(Bound::Int(Some(job.due_at.micros())));
                    values.push(Bound::Int(Some(i64::from(job.max_attempts.max(1)))));
                }
                joined.push(sql, values);
            }
        }
        $crate::dialect::joined::RunJoined::run_joined(&mut *$tx, joined).await?;
        Some((ticket_id, settled))
            }
        }
    }};
}

/// Moves ticket `$ticket_id` to `$to` (an `Option<TicketStatus>`; `None`
/// only touches it) inside `$tx`, with a `status` event by `$by`.
macro_rules! set_status_in_tx {
    ($tx:ident, $ticket_id:expr, $to:expr, $by:expr, $now:expr) => {{
        let to: Option<byline_core::ticket::TicketStatus> = $to;
        match to {
            Some(to) => {
                sqlx::query(
                    "UPDATE tickets SET status = $1, updated_at = $2, \
                     solved_at = CASE WHEN $1 = 'solved' THEN $2 ELSE solved_at END \
                     WHERE id = $3",
                )
                .bind(to.as_str())
                .bind($now.micros())
                .bind($ticket_id)
                .execute(&mut *$tx)
                .await?;
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, detail) VALUES ($1, $2, 'status', $3, $4)",
                )
                .bind($ticket_id)
                .bind($now.micros())
                .bind($by)
                .bind(to.as_str())
                .execute(&mut *$tx)
                .await?;
            }
            None => {
                sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                    .bind($now.micros())
                    .bind($ticket_id)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}

/// Inside the write transaction of message `$message_id` by `$w` in
/// conversation `$conversation_id`, records what it means for the help
/// desks taking part: a message from the desk's profile answers its
/// newest ticket there (a new one becomes open); anyone else's message is
/// a requester reply to it (reopening a pending or solved ticket), or
/// opens a ticket when there is none or the last one is closed (linked to
/// it). Evaluates to the ids of the tickets it opened or added to, and of
/// those among them that an [`Intake`] of `$intake` settled.
macro_rules! message_tickets {
    ($tx:ident, $w:expr, $message_id:expr, $conversation_id:expr, $body:expr, $intake:expr, $now:expr) => {{
        let w: &$crate::bylines::Writer = $w;
        let now: byline_core::Timestamp = $now;
        let conversation_id: i64 = $conversation_id;
        let message_id: i64 = $message_id;
        let mut touched: Vec<i64> = Vec::new();
        let mut settled: Vec<i64> = Vec::new();
        let desks: Vec<i64> = sqlx::query_scalar(
            "SELECT m.profile_id FROM conversation_members m JOIN help_desks d ON d.profile_id = m.profile_id \
             WHERE m.conversation_id = $1 AND d.enabled ORDER BY m.profile_id",
        )
        .bind(conversation_id)
        .fetch_all(&mut *$tx)
        .await?;
        for desk in desks {
            let newest: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, status FROM tickets WHERE profile_id = $1 AND conversation_id = $2 \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(desk)
            .bind(conversation_id)
            .fetch_optional(&mut *$tx)
            .await?;
            let newest = match newest {
                Some((id, status)) => Some((
                    id,
                    byline_core::ticket::TicketStatus::parse(&status)
                        .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?,
                )),
                None => None,
            };
            let closed = byline_core::ticket::TicketStatus::Closed;
            if w.profile_id == desk {
                if let Some((ticket_id, status)) = newest.filter(|(_, s)| *s != closed) {
                    words_on_ticket!($tx, ticket_id, status, w, true, None::<i64>, Some(message_id), now);
                    touched.push(ticket_id);
                }
                continue;
            }
            match newest {
                Some((ticket_id, status)) if status != closed => {
                    words_on_ticket!($tx, ticket_id, status, w, false, None::<i64>, Some(message_id), now);
                    touched.push(ticket_id);
                }
                previous => {
                    if let Some((ticket_id, done)) = new_ticket_in_tx!(
                        $tx,
                        desk,
                        w,
                        None::<i64>,
                        None::<i64>,
                        Some(conversation_id),
                        Some(message_id),
                        $body,
                        previous.map(|(id, _)| id),
                        $intake,
                        now
                    ) {
                        if done {
                            settled.push(ticket_id);
                        }
                        touched.push(ticket_id);
                    }
                }
            }
        }
        (touched, settled)
    }};
}

/// The job kind that closes a solved ticket after its desk's days.
pub const AUTO_CLOSE: &str = "ticket.auto_close";

/// What an auto-close job carries: the ticket and the solve it follows (a
/// ticket reopened and solved again has a later solve and a later job).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AutoClose {
    /// The ticket.
    pub ticket_id: i64,
    /// When it was solved, µs.
    pub solved_at: i64,
}

/// Schedules, inside `$tx`, the closing of ticket `$ticket_id` just solved
/// at `$now`, after its desk's `auto_close_days`.
macro_rules! schedule_auto_close {
    ($tx:ident, $ticket_id:expr, $now:expr) => {{
        let days: i64 = sqlx::query_scalar(
            "SELECT d.auto_close_days FROM help_desks d JOIN tickets t ON t.profile_id = d.profile_id WHERE t.id = $1",
        )
        .bind($ticket_id)
        .fetch_one(&mut *$tx)
        .await?;
        let payload = serde_json::to_string(&$crate::tickets::AutoClose {
            ticket_id: $ticket_id,
            solved_at: $now.micros(),
        })
        .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
        let key = format!("ticket:{}:close:{}", $ticket_id, $now.micros());
        schedule_job!(
            $tx,
            &$crate::jobs::NewJob {
                kind: $crate::tickets::AUTO_CLOSE,
                key: Some(&key),
                payload: &payload,
                due_at: $now.plus_seconds(days.saturating_mul(86_400)),
                max_attempts: 5,
            },
            $now
        );
    }};
}

impl Tickets<'_> {
    /// Closes a ticket that is still solved since `job.solved_at` (the
    /// auto-close job); returns whether it closed it. Audited as the system.
    pub async fn auto_close(&self, job: AutoClose, now: Timestamp) -> Result<bool, StoreError> {
        let closed = write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE tickets SET status = 'closed', closed_at = $1, updated_at = $1 \
                 WHERE id = $2 AND status = 'solved' AND solved_at = $3",
            )
            .bind(now.micros())
            .bind(job.ticket_id)
            .bind(job.solved_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, kind, detail) VALUES ($1, $2, 'status', 'closed')",
                )
                .bind(job.ticket_id)
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
                let entry = AuditEntry::new(
                    None,
                    "ticket.auto_close",
                    format!("ticket:{}", job.ticket_id),
                    "system",
                );
                append_audit!(tx, &entry, now);
            }
            n == 1
        });
        Ok(closed)
    }

    /// The members of a desk who may work tickets (owners, editors,
    /// responders; active), each with their open tickets there, and the
    /// member given the last ticket automatically.
    pub async fn assignment_candidates(
        &self,
        profile_id: i64,
    ) -> Result<(Vec<(i64, i64)>, Option<i64>), StoreError> {
        let members = self.member_loads(profile_id).await?;
        let last: Option<Option<i64>> = read!(self, |pool| {
            sqlx::query_scalar("SELECT last_assigned_user_id FROM help_desks WHERE profile_id = $1")
                .bind(profile_id)
                .fetch_optional(pool)
                .await?
        });
        Ok((members, last.flatten()))
    }

    /// The members of a desk who may work tickets (owners, editors,
    /// responders; active), each with their open tickets there.
    pub async fn member_loads(&self, profile_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT m.user_id, (SELECT COUNT(*) FROM tickets t WHERE t.profile_id = m.profile_id \
                   AND t.assignee_user_id = m.user_id AND t.status IN ('new', 'open', 'pending', 'on_hold')) \
                 FROM profile_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.profile_id = $1 AND m.role IN ('owner', 'editor', 'responder') AND u.active \
                 ORDER BY m.user_id",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Gives a ticket to `to` (or to nobody), checked inside the write: the
    /// member must be one who may work tickets. With `automatic`, only a
    /// ticket still unassigned is given, only to a member still under
    /// `limit` open tickets, and the turn moves on; returns whether it was
    /// given. Audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn assign_ticket(
        &self,
        ticket_id: i64,
        to: Option<i64>,
        by_user_id: Option<i64>,
        automatic: Option<i64>,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let lock = self.update_lock();
        let sql = format!("SELECT profile_id, assignee_user_id FROM tickets WHERE id = $1{lock}");
        Ok(write_tx!(self, |tx| {
            let (profile_id, current): (i64, Option<i64>) = sqlx::query_as(&sql)
                .bind(ticket_id)
                .fetch_one(&mut *tx)
                .await?;
            if automatic.is_some() && current.is_some() {
                return Ok(false);
            }
            let mut handle = String::new();
            if let Some(user) = to {
                let found: Option<(String, String, bool)> = sqlx::query_as(
                    "SELECT m.role, p.handle, u.active FROM profile_members m JOIN users u ON u.id = m.user_id \
                     JOIN profiles p ON p.user_id = u.id AND p.kind = 'personal' \
                     WHERE m.profile_id = $1 AND m.user_id = $2",
                )
                .bind(profile_id)
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
                match found {
                    None => {
                        return Err(StoreError::Refused(
                            "tickets go to members of the help desk's profile only".into(),
                        ));
                    }
                    Some((role, _, _)) if role == "observer" => {
                        return Err(StoreError::Refused(
                            "an observer reads the inbox but cannot be given tickets".into(),
                        ));
                    }
                    Some((_, _, false)) => {
                        return Err(StoreError::Refused("that member is deactivated".into()));
                    }
                    Some((_, h, true)) => handle = h,
                }
                if let Some(limit) = automatic {
                    let open: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM tickets WHERE profile_id = $1 AND assignee_user_id = $2 \
                         AND status IN ('new', 'open', 'pending', 'on_hold')",
                    )
                    .bind(profile_id)
                    .bind(user)
                    .fetch_one(&mut *tx)
                    .await?;
                    if open >= limit {
                        return Ok(false);
                    }
                    sqlx::query(
                        "UPDATE help_desks SET last_assigned_user_id = $1 WHERE profile_id = $2",
                    )
                    .bind(user)
                    .bind(profile_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query("UPDATE tickets SET assignee_user_id = $1, updated_at = $2 WHERE id = $3")
                .bind(to)
                .bind(now.micros())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, detail) VALUES ($1, $2, 'assigned', $3, $4)",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(by_user_id)
            .bind(&handle)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
            true
        }))
    }

    /// Changes a ticket's priority (its SLA targets follow); audited.
    pub async fn set_ticket_priority(
        &self,
        ticket_id: i64,
        priority: Priority,
        by_user_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE tickets SET priority = $1, updated_at = $2 WHERE id = $3")
                .bind(priority.as_str())
                .bind(now.micros())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, detail) VALUES ($1, $2, 'priority', $3, $4)",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(by_user_id)
            .bind(priority.as_str())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Sets how a desk hands out tickets and each member's limit; audited.
    pub async fn set_assignment(
        &self,
        profile_id: i64,
        assignment: &str,
        open_limit: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if !(1..=1000).contains(&open_limit) {
            return Err(StoreError::Refused(
                "a member's open-ticket limit is 1 to 1000".into(),
            ));
        }
        write_tx!(self, |tx| {
            let n = sqlx::query(
                "UPDATE help_desks SET assignment = $1, open_limit = $2 WHERE profile_id = $3",
            )
            .bind(assignment)
            .bind(open_limit)
            .bind(profile_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Records an SLA alert on a ticket once (by `alert_key`) and notifies
    /// its assignee and its desk's owners with `kind` (`sla_warning` or
    /// `sla_breach`); returns the profiles notified, empty when the alert
    /// was already given.
    pub async fn record_sla_alert(
        &self,
        ticket_id: i64,
        alert_key: &str,
        kind: &str,
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let lock = self.update_lock();
        let sql = format!("SELECT id FROM tickets WHERE id = $1{lock}");
        Ok(write_tx!(self, |tx| {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(ticket_id)
                .fetch_one(&mut *tx)
                .await?;
            let given: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM ticket_events WHERE ticket_id = $1 AND kind = 'sla' AND detail = $2",
            )
            .bind(ticket_id)
            .bind(alert_key)
            .fetch_optional(&mut *tx)
            .await?;
            if given.is_some() {
                return Ok(Vec::new());
            }
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, kind, detail) VALUES ($1, $2, 'sla', $3)",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(alert_key)
            .execute(&mut *tx)
            .await?;
            let notified: Vec<i64> = sqlx::query_scalar(
                "INSERT INTO notifications (recipient_profile_id, kind, actor_profile_id, post_id, created_at) \
                 SELECT p.id, $1, t.profile_id, t.source_post_id, $2 FROM tickets t \
                 JOIN profiles p ON p.kind = 'personal' AND (p.user_id = t.assignee_user_id \
                   OR p.user_id IN (SELECT m.user_id FROM profile_members m \
                                    WHERE m.profile_id = t.profile_id AND m.role = 'owner')) \
                 WHERE t.id = $3 RETURNING recipient_profile_id",
            )
            .bind(kind)
            .bind(now.micros())
            .bind(ticket_id)
            .fetch_all(&mut *tx)
            .await?;
            notified
        }))
    }

    /// Sets how many days a solved ticket waits before it closes.
    pub async fn set_auto_close_days(
        &self,
        profile_id: i64,
        days: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if !(1..=365).contains(&days) {
            return Err(StoreError::Refused(
                "a solved ticket closes after 1 to 365 days".into(),
            ));
        }
        write_tx!(self, |tx| {
            let n = sqlx::query("UPDATE help_desks SET auto_close_days = $1 WHERE profile_id = $2")
                .bind(days)
                .bind(profile_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Turns a shared profile's help desk on (again), audited.
    pub async fn enable_help_desk(
        &self,
        profile_id: i64,
        by_user_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<HelpDesk, StoreError> {
        write_tx!(self, |tx| {
            let kind: Option<String> =
                sqlx::query_scalar("SELECT kind FROM profiles WHERE id = $1")
                    .bind(profile_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match kind.as_deref() {
                Some("shared") => {}
                Some(_) => {
                    return Err(StoreError::Refused(
                        "only a shared profile can run a help desk".into(),
                    ));
                }
                None => return Err(StoreError::NotFound),
            }
            sqlx::query(
                "INSERT INTO help_desks (profile_id, enabled_by, enabled_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (profile_id) DO UPDATE SET enabled = TRUE",
            )
            .bind(profile_id)
            .bind(by_user_id)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        self.help_desk(profile_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A profile's help desk, if it ever had one.
    pub async fn help_desk(&self, profile_id: i64) -> Result<Option<HelpDesk>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT profile_id, enabled, assignment, open_limit, auto_close_days \
                 FROM help_desks WHERE profile_id = $1",
            )
            .bind(profile_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Records when a ticket's clocks, as they stand after a change, first
    /// warn and are first due, and schedules their alert jobs, in one
    /// transaction.
    pub async fn time_ticket(
        &self,
        ticket_id: i64,
        warn_at: Option<Timestamp>,
        due_at: Option<Timestamp>,
        jobs: &[crate::jobs::NewJob<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE tickets SET sla_warn_at = $1, sla_due_at = $2 WHERE id = $3")
                .bind(warn_at.map(|t| t.micros()))
                .bind(due_at.map(|t| t.micros()))
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            for job in jobs {
                schedule_job!(tx, job, now);
            }
        });
        Ok(())
    }

    /// A desk's new and open tickets whose clocks warn at or before `at`,
    /// each with the instant it is first due, soonest first (at most
    /// `limit`), read from `tickets_breaching`.
    pub async fn breaching(
        &self,
        profile_id: i64,
        at: Timestamp,
        limit: u32,
    ) -> Result<Vec<(i64, Timestamp)>, StoreError> {
        let rows: Vec<(i64, i64)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, COALESCE(sla_due_at, sla_warn_at) AS due FROM tickets \
                 WHERE profile_id = $1 AND status IN ('new', 'open') AND sla_warn_at <= $2 \
                 ORDER BY due, id LIMIT $3",
            )
            .bind(profile_id)
            .bind(at.micros())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, due)| (id, Timestamp(due)))
            .collect())
    }

    /// The open tickets of a desk (ids, oldest first, at most `limit`),
    /// whose clocks a calendar or target change moves.
    pub async fn running_ticket_ids(
        &self,
        profile_id: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM tickets WHERE profile_id = $1 AND status IN ('new', 'open', 'pending', 'on_hold') \
                 ORDER BY id LIMIT $2",
            )
            .bind(profile_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }))
    }

    /// The help desks that are on among `profile_ids`.
    pub async fn help_desks_among(&self, profile_ids: &[i64]) -> Result<Vec<HelpDesk>, StoreError> {
        if profile_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT profile_id, enabled, assignment, open_limit, auto_close_days \
             FROM help_desks WHERE enabled AND profile_id IN ({}) ORDER BY profile_id",
            crate::posts::placeholders(1, profile_ids.len())
        );
        Ok(read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for p in profile_ids {
                q = q.bind(*p);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The help desks that are on among a conversation's participants.
    pub async fn help_desks_in_conversation(
        &self,
        conversation_id: i64,
    ) -> Result<Vec<HelpDesk>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT d.profile_id, d.enabled, d.assignment, d.open_limit, d.auto_close_days \
                 FROM conversation_members m JOIN help_desks d ON d.profile_id = m.profile_id \
                 WHERE m.conversation_id = $1 AND d.enabled ORDER BY d.profile_id",
            )
            .bind(conversation_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A view of a desk's tickets, newest first, before ticket id `before`;
    /// with `tag`, only the tickets carrying it.
    pub async fn tickets(
        &self,
        profile_id: i64,
        view: TicketView,
        tag: Option<&Tag>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} {TICKET_FROM} WHERE t.profile_id = $1 AND {} \
             AND t.id < $3 AND (CAST($5 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM ticket_tags g \
               WHERE g.profile_id = t.profile_id AND g.tag = $5 AND g.ticket_id = t.id)) \
             ORDER BY t.id DESC LIMIT $4",
            view.clause()
        );
        let rows: Vec<TicketRow> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(view.user())
                .bind(before.unwrap_or(i64::MAX))
                .bind(i64::from(limit.min(200)))
                .bind(tag.map(Tag::as_str))
                .fetch_all(pool)
                .await?
        });
        self.with_tags(rows).await
    }

    /// How many tickets each view holds for `user_id`.
    pub async fn view_counts(
        &self,
        profile_id: i64,
        user_id: i64,
    ) -> Result<ViewCounts, StoreError> {
        // One row per assignee, read from `tickets_open_by_assignee`
        // alone: the desk's backlog, never its history.
        let loads: Vec<(Option<i64>, i64)> = read!(self, |pool| {
            sqlx::query_as(
                "SELECT assignee_user_id, COUNT(*) FROM tickets \
                 WHERE profile_id = $1 AND status IN ('new', 'open', 'pending', 'on_hold') \
                 GROUP BY assignee_user_id",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        });
        let count = |f: &dyn Fn(Option<i64>) -> bool| -> i64 {
            loads.iter().filter(|(a, _)| f(*a)).map(|(_, n)| n).sum()
        };
        let mine = count(&|a| a == Some(user_id));
        let unassigned = count(&|a| a.is_none());
        let all_open = count(&|_| true);
        Ok(ViewCounts {
            mine,
            unassigned,
            all_open,
            breaching: 0,
        })
    }

    /// A ticket by id.
    pub async fn ticket_by_id(&self, id: i64) -> Result<Ticket, StoreError> {
        let sql = format!("SELECT {TICKET_COLUMNS} {TICKET_FROM} WHERE t.id = $1");
        let row: TicketRow = read!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_one(pool).await?
        });
        one(self.with_tags(vec![row]).await?)
    }

    /// The desk's ticket numbered `number`.
    pub async fn ticket(&self, profile_id: i64, number: i64) -> Result<Ticket, StoreError> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} {TICKET_FROM} WHERE t.profile_id = $1 AND t.number = $2"
        );
        let row: TicketRow = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(profile_id)
                .bind(number)
                .fetch_one(pool)
                .await?
        });
        one(self.with_tags(vec![row]).await?)
    }

    /// A ticket's history, oldest first; internal notes only when
    /// `with_notes`.
    pub async fn ticket_events(
        &self,
        ticket_id: i64,
        with_notes: bool,
    ) -> Result<Vec<TicketEvent>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, e.at, e.kind, e.by_user_id, p.handle AS by_handle, e.post_id, e.detail, e.body_html, \
                   wp.author_profile_id AS post_author_profile_id, wp.attribution_policy AS post_policy, \
                   e.message_id, wm.body_html AS message_html, wm.body AS message_body, wm.author_profile_id AS message_author_profile_id, \
                   wm.attribution_policy AS message_policy \
                 FROM ticket_events e LEFT JOIN profiles p ON p.user_id = e.by_user_id AND p.kind = 'personal' \
                 LEFT JOIN posts wp ON wp.id = e.post_id \
                 LEFT JOIN messages wm ON wm.id = e.message_id \
                 WHERE e.ticket_id = $1 AND ($2 OR e.kind <> 'note') ORDER BY e.id LIMIT 2000",
            )
            .bind(ticket_id)
            .bind(with_notes)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The tickets `requester_profile_id` opened, newest first.
    pub async fn requester_tickets(
        &self,
        requester_profile_id: i64,
        limit: u32,
    ) -> Result<Vec<Ticket>, StoreError> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} {TICKET_FROM} WHERE t.requester_profile_id = $1 \
             ORDER BY t.id DESC LIMIT $2"
        );
        let rows: Vec<TicketRow> = read!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(requester_profile_id)
                .bind(i64::from(limit.min(200)))
                .fetch_all(pool)
                .await?
        });
        self.with_tags(rows).await
    }

    /// Moves a ticket to `to` as `by_user_id`, if its status at that moment
    /// allows it (checked inside the transaction); audited.
    pub async fn set_ticket_status(
        &self,
        ticket_id: i64,
        to: TicketStatus,
        by_user_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT status FROM tickets WHERE id = $1{}",
            self.update_lock()
        );
        write_tx!(self, |tx| {
            let status: String = sqlx::query_scalar(&sql)
                .bind(ticket_id)
                .fetch_one(&mut *tx)
                .await?;
            let from =
                TicketStatus::parse(&status).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            from.become_(to)
                .map_err(|e| StoreError::Refused(e.to_string()))?;
            set_status_in_tx!(tx, ticket_id, Some(to), Some(by_user_id), now);
            if to == TicketStatus::Solved {
                schedule_auto_close!(tx, ticket_id, now);
            }
            if to == TicketStatus::Closed {
                sqlx::query("UPDATE tickets SET closed_at = $1 WHERE id = $2")
                    .bind(now.micros())
                    .bind(ticket_id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Adds an internal note (members only) to a ticket; audited.
    pub async fn add_ticket_note(
        &self,
        ticket_id: i64,
        by_user_id: i64,
        body_html: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, body_html) \
                 VALUES ($1, $2, 'note', $3, $4) RETURNING id",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(by_user_id)
            .bind(body_html)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                .bind(now.micros())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, audit, now);
            id
        }))
    }
}

/// A help desk's ready answer.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CannedReply {
    /// Id.
    pub id: i64,
    /// What it is called in the reply box.
    pub title: String,
    /// Markdown with placeholders.
    pub body: String,
}

impl Tickets<'_> {
    /// Saves a canned reply (checked by the caller); audited. A title
    /// already used on the desk is [`StoreError::Conflict`].
    pub async fn add_canned_reply(
        &self,
        profile_id: i64,
        title: &str,
        body: &str,
        by_user_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<CannedReply, StoreError> {
        Ok(write_tx!(self, |tx| {
            let reply: CannedReply = sqlx::query_as(
                "INSERT INTO canned_replies (profile_id, title, body, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id, title, body",
            )
            .bind(profile_id)
            .bind(title)
            .bind(body)
            .bind(by_user_id)
            .bind(now.micros())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
            reply
        }))
    }

    /// A desk's canned replies by title.
    pub async fn canned_replies(&self, profile_id: i64) -> Result<Vec<CannedReply>, StoreError> {
        Ok(read!(self, |pool| {
            sqlx::query_as(
                "SELECT id, title, body FROM canned_replies WHERE profile_id = $1 ORDER BY title LIMIT 500",
            )
            .bind(profile_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Removes one of a desk's canned replies; audited.
    pub async fn remove_canned_reply(
        &self,
        profile_id: i64,
        id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let n = sqlx::query("DELETE FROM canned_replies WHERE id = $1 AND profile_id = $2")
                .bind(id)
                .bind(profile_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit!(tx, audit, now);
        });
        Ok(())
    }
}

/// One member's (or the whole desk's) satisfaction figures.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Satisfaction {
    /// The member, or `None` for the whole desk.
    pub user_id: Option<i64>,
    /// Their handle.
    pub handle: Option<String>,
    /// Ratings given.
    pub ratings: i64,
    /// Mean score, 1 to 5.
    pub average: f64,
    /// Ratings of 4 or 5.
    pub satisfied: i64,
}

impl Tickets<'_> {
    /// Records the requester's rating of the solve their ticket is in now,
    /// once: refused when the ticket is not solved (or closed after a
    /// solve), when it is not theirs, or when that solve was rated already.
    #[allow(clippy::too_many_arguments)]
    pub async fn rate_ticket(
        &self,
        ticket_id: i64,
        requester_profile_id: i64,
        by_user_id: i64,
        score: i64,
        comment: &str,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if !(1..=5).contains(&score) {
            return Err(StoreError::Refused("a rating is 1 to 5".into()));
        }
        let lock = self.update_lock();
        let sql = format!(
            "SELECT profile_id, requester_profile_id, status, solved_at, assignee_user_id FROM tickets WHERE id = $1{lock}"
        );
        write_tx!(self, |tx| {
            let (desk, requester, status, solved_at, assignee): (
                i64,
                i64,
                String,
                Option<i64>,
                Option<i64>,
            ) = sqlx::query_as(&sql)
                .bind(ticket_id)
                .fetch_one(&mut *tx)
                .await?;
            if requester != requester_profile_id {
                return Err(StoreError::NotFound);
            }
            let Some(solved_at) = solved_at.filter(|_| status == "solved" || status == "closed")
            else {
                return Err(StoreError::Refused(
                    "a ticket is rated once it is solved".into(),
                ));
            };
            let done: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM ticket_ratings WHERE ticket_id = $1 AND solved_at = $2",
            )
            .bind(ticket_id)
            .bind(solved_at)
            .fetch_optional(&mut *tx)
            .await?;
            if done.is_some() {
                return Err(StoreError::Refused(
                    "you already rated this answer; a reopened ticket can be rated again once solved"
                        .into(),
                ));
            }
            sqlx::query(
                "INSERT INTO ticket_ratings (ticket_id, profile_id, solved_at, assignee_user_id, score, comment, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(ticket_id)
            .bind(desk)
            .bind(solved_at)
            .bind(assignee)
            .bind(score)
            .bind(comment)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, detail) VALUES ($1, $2, 'rated', $3, $4)",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(by_user_id)
            .bind(score.to_string())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
        });
        Ok(())
    }

    /// Whether the solve a ticket is in now is still to be rated.
    pub async fn awaits_rating(&self, ticket_id: i64) -> Result<bool, StoreError> {
        let n: i64 = read!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM tickets t WHERE t.id = $1 AND t.status IN ('solved', 'closed') \
                 AND t.solved_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ticket_ratings r \
                   WHERE r.ticket_id = t.id AND r.solved_at = t.solved_at)",
            )
            .bind(ticket_id)
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// A desk's satisfaction between `from` and `to`: the whole desk first,
    /// then each member who had rated tickets.
    pub async fn satisfaction(
        &self,
        profile_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Satisfaction>, StoreError> {
        Ok(read!(self, |pool| {
            let mut all: Vec<Satisfaction> = sqlx::query_as(
                "SELECT CAST(NULL AS BIGINT) AS user_id, CAST(NULL AS TEXT) AS handle, COUNT(*) AS ratings, \
                   CAST(COALESCE(AVG(CAST(score AS DOUBLE PRECISION)), 0) AS DOUBLE PRECISION) AS average, \
                   COALESCE(SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END), 0) AS satisfied \
                 FROM ticket_ratings WHERE profile_id = $1 AND created_at >= $2 AND created_at < $3",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .fetch_all(pool)
            .await?;
            let members: Vec<Satisfaction> = sqlx::query_as(
                "SELECT r.assignee_user_id AS user_id, p.handle, COUNT(*) AS ratings, \
                   CAST(AVG(CAST(r.score AS DOUBLE PRECISION)) AS DOUBLE PRECISION) AS average, \
                   SUM(CASE WHEN r.score >= 4 THEN 1 ELSE 0 END) AS satisfied \
                 FROM ticket_ratings r JOIN profiles p ON p.user_id = r.assignee_user_id AND p.kind = 'personal' \
                 WHERE r.profile_id = $1 AND r.created_at >= $2 AND r.created_at < $3 \
                 GROUP BY r.assignee_user_id, p.handle ORDER BY p.handle",
            )
            .bind(profile_id)
            .bind(from.micros())
            .bind(to.micros())
            .fetch_all(pool)
            .await?;
            all.extend(members);
            all
        }))
    }
}

/// The one ticket of a list that was read by its key.
fn one(mut tickets: Vec<Ticket>) -> Result<Ticket, StoreError> {
    tickets.pop().ok_or(StoreError::NotFound)
}

impl Tickets<'_> {
    /// Tickets from their rows, each with its tags (one more query for the
    /// whole list).
    async fn with_tags(&self, rows: Vec<TicketRow>) -> Result<Vec<Ticket>, StoreError> {
        let mut tickets = rows
            .into_iter()
            .map(Ticket::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        if tickets.is_empty() {
            return Ok(tickets);
        }
        let sql = format!(
            "SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN ({}) ORDER BY ticket_id, tag",
            crate::posts::placeholders(1, tickets.len())
        );
        let tags: Vec<(i64, String)> = read!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for t in &tickets {
                q = q.bind(t.id);
            }
            q.fetch_all(pool).await?
        });
        let mut by_ticket: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        for (id, tag) in tags {
            by_ticket.entry(id).or_default().push(tag);
        }
        for t in &mut tickets {
            t.tags = by_ticket.remove(&t.id).unwrap_or_default();
        }
        Ok(tickets)
    }

    /// Replaces a ticket's tags with `tags` (already checked by
    /// [`byline_core::ticket::parse_tags`]), recording a `tags` event and
    /// `audit` when they change; returns whether they did. The old set is
    /// read under the ticket's lock, so two members tagging at once each
    /// see what the other left.
    pub async fn set_ticket_tags(
        &self,
        ticket_id: i64,
        tags: &[Tag],
        by_user_id: i64,
        audit: &AuditEntry,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if tags.len() > byline_core::ticket::TAGS_MAX {
            return Err(StoreError::Refused(format!(
                "a ticket has at most {} tags",
                byline_core::ticket::TAGS_MAX
            )));
        }
        let lock = self.update_lock();
        let sql = format!("SELECT profile_id FROM tickets WHERE id = $1{lock}");
        Ok(write_tx!(self, |tx| {
            let profile_id: i64 = sqlx::query_scalar(&sql)
                .bind(ticket_id)
                .fetch_one(&mut *tx)
                .await?;
            let old: Vec<String> =
                sqlx::query_scalar("SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag")
                    .bind(ticket_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let new: Vec<&str> = tags.iter().map(Tag::as_str).collect();
            if old.iter().map(String::as_str).eq(new.iter().copied()) {
                return Ok(false);
            }
            sqlx::query("DELETE FROM ticket_tags WHERE ticket_id = $1")
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            for tag in &new {
                sqlx::query(
                    "INSERT INTO ticket_tags (ticket_id, profile_id, tag) VALUES ($1, $2, $3)",
                )
                .bind(ticket_id)
                .bind(profile_id)
                .bind(*tag)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                .bind(now.micros())
                .bind(ticket_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, kind, by_user_id, detail) VALUES ($1, $2, 'tags', $3, $4)",
            )
            .bind(ticket_id)
            .bind(now.micros())
            .bind(by_user_id)
            .bind(new.join(" "))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, audit, now);
            true
        }))
    }
}

capability!(
    /// The store's help desks and tickets.
    Tickets,
    tickets
);
