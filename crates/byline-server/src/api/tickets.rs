//! The help desk: turning it on, the inbox and its views, tickets with
//! their history, status moves, internal notes, and a requester's own
//! requests.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::tickets::{self, TicketPage};
use byline_core::Timestamp;
use byline_core::business_hours::BusinessHours;
use byline_core::sla::{Clock, ClockState, SlaTargets};
use byline_store::tickets::{HelpDesk, Ticket, TicketEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enable_help_desk, change_help_desk))
        .routes(routes!(inbox))
        .routes(routes!(get_ticket))
        .routes(routes!(set_status))
        .routes(routes!(add_note))
        .routes(routes!(set_assignee))
        .routes(routes!(set_priority))
        .routes(routes!(set_tags))
        .routes(routes!(reply_to_ticket))
        .routes(routes!(list_canned, add_canned))
        .routes(routes!(remove_canned))
        .routes(routes!(rate_ticket))
        .routes(routes!(get_satisfaction))
        .routes(routes!(my_requests))
        .routes(routes!(get_hours, put_hours))
        .routes(routes!(get_sla))
        .routes(routes!(put_sla, delete_sla))
}

/// A help desk's settings.
#[derive(Serialize, ToSchema)]
pub struct HelpDeskView {
    /// Whether mentions become tickets.
    enabled: bool,
    /// `round_robin`, `least_loaded` or `manual`.
    assignment: String,
    /// Most open tickets a member is given automatically.
    open_limit: i64,
    /// Days after which a solved ticket closes.
    auto_close_days: i64,
}

impl From<HelpDesk> for HelpDeskView {
    fn from(d: HelpDesk) -> HelpDeskView {
        HelpDeskView {
            enabled: d.enabled,
            assignment: d.assignment,
            open_limit: d.open_limit,
            auto_close_days: d.auto_close_days,
        }
    }
}

/// A ticket in a list.
#[derive(Serialize, ToSchema)]
pub struct TicketView {
    /// Number within the help desk (`#12`).
    number: i64,
    /// From the words that opened it.
    subject: String,
    /// `new`, `open`, `pending`, `on_hold`, `solved` or `closed`.
    status: String,
    /// `low`, `normal`, `high` or `urgent`.
    priority: String,
    /// The requester's handle.
    requester: String,
    /// The requester's name.
    requester_name: String,
    /// The member working on it, if any (personal handle).
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<String>,
    /// The help desk's handle.
    help_desk: String,
    /// The post that opened it (a mention).
    #[serde(skip_serializing_if = "Option::is_none")]
    post: Option<String>,
    /// The thread it lives in (a mention).
    #[serde(skip_serializing_if = "Option::is_none")]
    thread: Option<String>,
    /// The conversation it lives in (a direct message to the desk).
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation: Option<String>,
    /// Opened, RFC 3339.
    created_at: String,
    /// Last change, RFC 3339.
    updated_at: String,
    /// Its tags, sorted (members only; empty for the requester).
    tags: Vec<String>,
}

fn ticket_view(t: &Ticket) -> TicketView {
    TicketView {
        number: t.number,
        subject: t.subject.clone(),
        status: t.status.as_str().to_owned(),
        priority: t.priority.as_str().to_owned(),
        requester: t.requester_handle.clone(),
        requester_name: t.requester_name.clone(),
        assignee: t.assignee_handle.clone(),
        help_desk: t.desk_handle.clone(),
        post: t.source_post_id.map(|p| p.to_string()),
        thread: t.thread_root_id.map(|p| p.to_string()),
        conversation: t.conversation_id.map(|c| c.to_string()),
        created_at: t.created_at.to_rfc3339(),
        updated_at: t.updated_at.to_rfc3339(),
        tags: t.tags.clone(),
    }
}

/// One entry of a ticket's history.
#[derive(Serialize, ToSchema)]
pub struct TicketEventView {
    /// Id.
    id: String,
    /// When, RFC 3339.
    at: String,
    /// `opened`, `requester_reply`, `answer`, `note`, `assigned` and
    /// `tags` (these three members only), `status`, `priority`, `sla` or
    /// `rated`.
    kind: String,
    /// Who (personal handle), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    /// The post, for posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    post: Option<String>,
    /// The new status, assignee or priority; for `tags`, the new tags
    /// separated by spaces.
    #[serde(skip_serializing_if = "String::is_empty")]
    detail: String,
    /// A note's text, as safe HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
}

impl From<&TicketEvent> for TicketEventView {
    fn from(e: &TicketEvent) -> TicketEventView {
        TicketEventView {
            id: e.id.to_string(),
            at: Timestamp(e.at).to_rfc3339(),
            kind: e.kind.clone(),
            by: e.by_handle.clone(),
            post: e.post_id.map(|p| p.to_string()),
            detail: e.detail.clone(),
            html: e.body_html.clone(),
        }
    }
}

/// One SLA clock of a ticket.
#[derive(Serialize, ToSchema)]
pub struct ClockView {
    /// `first_response`, `next_response` or `resolution`.
    kind: String,
    /// `running`, `paused` (pending or on hold), `overdue`, `met` or `missed`.
    state: String,
    /// When it started, RFC 3339.
    started_at: String,
    /// Its target, in business minutes.
    target_minutes: i64,
    /// Business minutes used so far.
    used_minutes: i64,
    /// While running: when it will be breached, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<String>,
    /// While running: when the assignee is warned, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    warn_at: Option<String>,
    /// When it went past its target, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    breached_at: Option<String>,
}

impl From<&Clock> for ClockView {
    fn from(c: &Clock) -> ClockView {
        let state = match c.state() {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Overdue => "overdue",
            ClockState::Met => "met",
            ClockState::Missed => "missed",
        };
        ClockView {
            kind: c.kind.as_str().to_owned(),
            state: state.to_owned(),
            started_at: c.started_at.to_rfc3339(),
            target_minutes: c.target / 60_000_000,
            used_minutes: c.used / 60_000_000,
            due_at: c.due_at.map(Timestamp::to_rfc3339),
            warn_at: c.warn_at.map(Timestamp::to_rfc3339),
            breached_at: c.breached_at.map(Timestamp::to_rfc3339),
        }
    }
}

/// A ticket with its history.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    /// Its SLA clocks now; empty when its priority has no SLA.
    clocks: Vec<ClockView>,
    /// The ticket.
    ticket: TicketView,
    /// What happened to it, oldest first.
    events: Vec<TicketEventView>,
    /// Whether the viewer sees internal notes (a member).
    member: bool,
    /// Whether the viewer may change it.
    can_work: bool,
    /// Whether the viewer is asked to rate the answer (the requester, once per solve).
    can_rate: bool,
}

fn detail(p: &TicketPage) -> TicketDetail {
    TicketDetail {
        can_rate: p.can_rate,
        clocks: p.clocks.iter().map(ClockView::from).collect(),
        ticket: ticket_view(&p.ticket),
        events: p.events.iter().map(TicketEventView::from).collect(),
        member: p.member,
        can_work: p.can_work,
    }
}

/// Turn a shared profile's help desk on (owners and admins): from then on every mention of it opens a ticket.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/help-desk", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The help desk is on", body = HelpDeskView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
    ))]
async fn enable_help_desk(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<HelpDeskView>, AppError> {
    Ok(Json(
        tickets::enable(&state, &current, &handle).await?.into(),
    ))
}

/// Help-desk settings to change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpDeskChange {
    /// Days after which a solved ticket closes by itself (1 to 365).
    #[serde(default)]
    auto_close_days: Option<i64>,
    /// `round_robin`, `least_loaded` or `manual`.
    #[serde(default)]
    assignment: Option<String>,
    /// Most open tickets a member is given automatically (1 to 1000).
    #[serde(default)]
    open_limit: Option<i64>,
}

/// Change a help desk's settings (owners and admins).
#[utoipa::path(patch, path = "/api/v1/shared-profiles/{handle}/help-desk", tag = "help desk", request_body = HelpDeskChange,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Changed", body = HelpDeskView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Out of range", body = ErrorBody),
    ))]
async fn change_help_desk(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<HelpDeskChange>,
) -> Result<Json<HelpDeskView>, AppError> {
    let change = tickets::SettingsChange {
        assignment: b.assignment.as_deref(),
        open_limit: b.open_limit,
        auto_close_days: b.auto_close_days,
    };
    let desk = tickets::change_settings(&state, &current, &handle, change).await?;
    Ok(Json(desk.into()))
}

/// Which tickets, and where to continue.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// `mine`, `unassigned`, `open` (default), `breaching` (an SLA clock past its warning or target, most urgent first) or `done`.
    view: Option<String>,
    /// The `next_cursor` of the page before.
    cursor: Option<String>,
    /// Only tickets with this tag.
    tag: Option<String>,
}

/// Counts of the inbox's views.
#[derive(Serialize, ToSchema)]
pub struct ViewCountsView {
    /// Open tickets assigned to the viewer.
    mine: i64,
    /// Open tickets nobody has.
    unassigned: i64,
    /// All open tickets.
    open: i64,
    /// Open tickets with an SLA clock past its warning time or its target.
    breaching: i64,
}

/// A page of the inbox.
#[derive(Serialize, ToSchema)]
pub struct InboxView {
    /// The view shown.
    view: String,
    /// Its tickets, newest first.
    tickets: Vec<TicketView>,
    /// How many tickets each view holds.
    counts: ViewCountsView,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    /// Whether the viewer may work tickets (not an observer).
    can_work: bool,
}

/// A help desk's inbox: tickets in a view, with the counts of every view (members only).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/tickets", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), InboxQuery),
    responses(
        (status = 200, description = "A page of tickets", body = InboxView),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 422, description = "Unknown view, bad tag or bad cursor", body = ErrorBody),
    ))]
async fn inbox(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<InboxView>, AppError> {
    let before = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            AppError::from(byline_app::Error::Invalid(
                "cursor must be a next_cursor from an earlier page".into(),
            ))
        })?),
    };
    let inbox = tickets::inbox(
        &state,
        &current,
        &handle,
        q.view.as_deref(),
        q.tag.as_deref(),
        before,
    )
    .await?;
    let full = inbox.tickets.len() == tickets::PAGE as usize;
    Ok(Json(InboxView {
        view: q.view.unwrap_or_else(|| "open".into()),
        next_cursor: inbox
            .tickets
            .last()
            .filter(|_| full)
            .map(|t| t.id.to_string()),
        tickets: inbox.tickets.iter().map(ticket_view).collect(),
        counts: ViewCountsView {
            mine: inbox.counts.mine,
            unassigned: inbox.counts.unassigned,
            open: inbox.counts.all_open,
            breaching: inbox.counts.breaching,
        },
        can_work: inbox.can_work,
    }))
}

fn number_of(text: &str) -> Result<i64, AppError> {
    text.trim_start_matches('#')
        .parse()
        .map_err(|_| AppError::NotFound)
}

/// One ticket and its history: members see internal notes, the requester everything else, anyone else nothing.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/tickets/{number}", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such ticket, or not yours to see", body = ErrorBody),
    ))]
async fn get_ticket(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
) -> Result<Json<TicketDetail>, AppError> {
    let page = tickets::ticket(&state, &current, &handle, number_of(&number)?).await?;
    Ok(Json(detail(&page)))
}

/// A new status.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `open`, `pending`, `on_hold`, `solved` or `closed` (closing only from solved).
    status: String,
}

/// Move a ticket to another status (members other than observers); the workflow decides which moves exist.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/status", tag = "help desk", request_body = StatusBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 200, description = "Moved", body = TicketView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers read only", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown status, or a move the workflow does not allow", body = ErrorBody),
    ))]
async fn set_status(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<Json<TicketView>, AppError> {
    let t = tickets::set_status(&state, &current, &handle, number_of(&number)?, &b.status).await?;
    Ok(Json(ticket_view(&t)))
}

/// Who works a ticket.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssigneeBody {
    /// A member's personal handle, or null for nobody.
    member: Option<String>,
}

/// Give a ticket to a member, or to nobody (members other than observers); only members who may work tickets can take one.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/assignee", tag = "help desk", request_body = AssigneeBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 200, description = "Assigned", body = TicketView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers read only", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Not a member, an observer, or deactivated", body = ErrorBody),
    ))]
async fn set_assignee(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<AssigneeBody>,
) -> Result<Json<TicketView>, AppError> {
    let t = tickets::assign(
        &state,
        &current,
        &handle,
        number_of(&number)?,
        b.member.as_deref(),
    )
    .await?;
    Ok(Json(ticket_view(&t)))
}

/// A priority.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityBody {
    /// `low`, `normal`, `high` or `urgent`.
    priority: String,
}

/// Change a ticket's priority, and so its SLA targets (members other than observers).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/priority", tag = "help desk", request_body = PriorityBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 200, description = "Changed", body = TicketView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers read only", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown priority", body = ErrorBody),
    ))]
async fn set_priority(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<PriorityBody>,
) -> Result<Json<TicketView>, AppError> {
    let t =
        tickets::set_priority(&state, &current, &handle, number_of(&number)?, &b.priority).await?;
    Ok(Json(ticket_view(&t)))
}

/// A ticket's whole set of tags.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsBody {
    /// Lowercase words (`a-z`, `0-9`, `-`, 1 to 32 characters), at most 10; an empty list removes them all.
    tags: Vec<String>,
}

/// Replace a ticket's tags (members other than observers); a bad tag refuses the whole set and changes nothing.
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/tags", tag = "help desk", request_body = TagsBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 200, description = "Tagged", body = TicketView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers read only", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "A bad tag, or more than 10", body = ErrorBody),
    ))]
async fn set_tags(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<TagsBody>,
) -> Result<Json<TicketView>, AppError> {
    let t = tickets::set_tags(&state, &current, &handle, number_of(&number)?, &b.tags).await?;
    Ok(Json(ticket_view(&t)))
}

/// An internal note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Markdown, at most 5,000 characters.
    text: String,
}

/// Add an internal note to a ticket (members other than observers); the requester never sees it.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/notes", tag = "help desk", request_body = NoteBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 201, description = "Noted", body = TicketEventView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers read only", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    ))]
async fn add_note(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<TicketEventView>), AppError> {
    let e = tickets::add_note(&state, &current, &handle, number_of(&number)?, &b.text).await?;
    Ok((StatusCode::CREATED, Json(TicketEventView::from(&e))))
}

/// The caller's requests.
#[derive(Serialize, ToSchema)]
pub struct RequestsView {
    /// Newest first, at most 50.
    tickets: Vec<TicketView>,
}

/// Your own requests to every help desk, with their status ("My requests").
#[utoipa::path(get, path = "/api/v1/me/requests", tag = "help desk",
    responses(
        (status = 200, description = "Your requests", body = RequestsView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn my_requests(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Json<RequestsView>, AppError> {
    let list = tickets::my_requests(&state, &current).await?;
    Ok(Json(RequestsView {
        tickets: list.iter().map(ticket_view).collect(),
    }))
}

/// Business hours: working blocks per weekday in the desk's zone.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// IANA zone, e.g. `Europe/London`.
    time_zone: String,
    /// Blocks such as `09:00-12:30` per weekday, Monday first (seven lists).
    week: Vec<Vec<String>>,
    /// Whole days off, `YYYY-MM-DD`.
    #[serde(default)]
    holidays: Vec<String>,
}

fn hours_view(h: &BusinessHours) -> HoursBody {
    HoursBody {
        time_zone: h.zone().name().to_owned(),
        week: h
            .week()
            .iter()
            .map(|day| day.iter().map(|b| b.label()).collect())
            .collect(),
        holidays: h
            .holidays()
            .iter()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .collect(),
    }
}

/// A help desk's business hours, which its SLA clocks count (members, owners, admins); round the clock in UTC until set.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/help-desk/hours", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The hours", body = HoursBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members, owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
    ))]
async fn get_hours(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<HoursBody>, AppError> {
    Ok(Json(hours_view(
        &tickets::business_hours(&state, &current, &handle).await?,
    )))
}

/// Replace a help desk's business hours (owners and admins).
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/help-desk/hours", tag = "help desk", request_body = HoursBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Set", body = HoursBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown zone, empty or overlapping blocks, no working time, bad date", body = ErrorBody),
    ))]
async fn put_hours(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<HoursBody>,
) -> Result<Json<HoursBody>, AppError> {
    let week: [&[String]; 7] = match b.week.as_slice() {
        [a, b2, c, d, e, f, g] => [a, b2, c, d, e, f, g],
        _ => {
            return Err(byline_app::Error::Invalid(
                "week must hold seven lists of blocks, Monday first".into(),
            )
            .into());
        }
    };
    let hours = tickets::set_business_hours(
        &state,
        &current,
        &handle,
        tickets::HoursInput {
            time_zone: &b.time_zone,
            week,
            holidays: &b.holidays,
        },
    )
    .await?;
    Ok(Json(hours_view(&hours)))
}

/// SLA targets for one priority, in business minutes.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaBody {
    /// Opening to the first public reply.
    #[serde(default)]
    first_response_minutes: Option<i64>,
    /// A requester's reply to the next public reply.
    #[serde(default)]
    next_response_minutes: Option<i64>,
    /// Opening to solved.
    #[serde(default)]
    resolution_minutes: Option<i64>,
    /// Warn the assignee this long before a breach.
    #[serde(default)]
    warn_before_minutes: i64,
}

impl From<&SlaTargets> for SlaBody {
    fn from(t: &SlaTargets) -> SlaBody {
        SlaBody {
            first_response_minutes: t.first_response_minutes,
            next_response_minutes: t.next_response_minutes,
            resolution_minutes: t.resolution_minutes,
            warn_before_minutes: t.warn_before_minutes,
        }
    }
}

/// A priority's SLA.
#[derive(Serialize, ToSchema)]
pub struct SlaPolicyView {
    /// `low`, `normal`, `high` or `urgent`.
    priority: String,
    /// Its targets.
    #[serde(flatten)]
    targets: SlaBody,
}

/// The SLAs.
#[derive(Serialize, ToSchema)]
pub struct SlaPoliciesView {
    /// By priority; a priority not listed has no SLA.
    policies: Vec<SlaPolicyView>,
}

/// A help desk's SLA targets by priority (members, owners, admins).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/help-desk/sla", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The SLAs", body = SlaPoliciesView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members, owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
    ))]
async fn get_sla(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<SlaPoliciesView>, AppError> {
    let list = tickets::sla_policies(&state, &current, &handle).await?;
    Ok(Json(SlaPoliciesView {
        policies: list
            .iter()
            .map(|(p, t)| SlaPolicyView {
                priority: p.as_str().to_owned(),
                targets: t.into(),
            })
            .collect(),
    }))
}

/// Set the SLA targets of one priority (owners and admins).
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/help-desk/sla/{priority}", tag = "help desk", request_body = SlaBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("priority" = String, Path, description = "low, normal, high or urgent")),
    responses(
        (status = 200, description = "Set", body = SlaBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk or priority", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "A target of zero or less, none at all, a warning not before every target", body = ErrorBody),
    ))]
async fn put_sla(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, priority)): Path<(String, String)>,
    ApiJson(b): ApiJson<SlaBody>,
) -> Result<Json<SlaBody>, AppError> {
    let targets = tickets::TargetsInput {
        first_response_minutes: b.first_response_minutes,
        next_response_minutes: b.next_response_minutes,
        resolution_minutes: b.resolution_minutes,
        warn_before_minutes: b.warn_before_minutes,
    };
    let set = tickets::set_sla(&state, &current, &handle, &priority, Some(targets)).await?;
    Ok(Json(set.as_ref().map_or(b, SlaBody::from)))
}

/// Remove a priority's SLA: its tickets keep no clocks (owners and admins).
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/help-desk/sla/{priority}", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), ("priority" = String, Path, description = "low, normal, high or urgent")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk or priority", body = ErrorBody),
    ))]
async fn delete_sla(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, priority)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    tickets::set_sla(&state, &current, &handle, &priority, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A canned reply.
#[derive(Serialize, ToSchema)]
pub struct CannedView {
    /// Id.
    id: String,
    /// What it is called in the reply box.
    title: String,
    /// Markdown with placeholders: `{{requester}}`, `{{requester_name}}`, `{{ticket}}`, `{{assignee}}`.
    body: String,
}

impl From<byline_store::tickets::CannedReply> for CannedView {
    fn from(c: byline_store::tickets::CannedReply) -> CannedView {
        CannedView {
            id: c.id.to_string(),
            title: c.title,
            body: c.body,
        }
    }
}

/// The canned replies.
#[derive(Serialize, ToSchema)]
pub struct CannedList {
    /// By title.
    canned_replies: Vec<CannedView>,
}

/// A help desk's canned replies (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/canned-replies", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The canned replies", body = CannedList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
    ))]
async fn list_canned(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<CannedList>, AppError> {
    let list = tickets::canned_replies(&state, &current, &handle).await?;
    Ok(Json(CannedList {
        canned_replies: list.into_iter().map(CannedView::from).collect(),
    }))
}

/// A new canned reply.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCanned {
    /// 1 to 100 characters, unique on the desk.
    title: String,
    /// Markdown, at most 5,000 characters; placeholders `{{requester}}`, `{{requester_name}}`, `{{ticket}}`, `{{assignee}}`.
    body: String,
}

/// Save a canned reply (members other than observers); unknown placeholders are refused.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/canned-replies", tag = "help desk", request_body = NewCanned,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "Saved", body = CannedView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members other than observers only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "No title, empty or too long, unknown placeholder, title taken", body = ErrorBody),
    ))]
async fn add_canned(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<NewCanned>,
) -> Result<(StatusCode, Json<CannedView>), AppError> {
    let c = tickets::add_canned_reply(&state, &current, &handle, &b.title, &b.body).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Remove a canned reply (members other than observers).
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/canned-replies/{id}", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Canned reply id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members other than observers only", body = ErrorBody),
        (status = 404, description = "No such canned reply", body = ErrorBody),
    ))]
async fn remove_canned(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    tickets::remove_canned_reply(&state, &current, &handle, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A public reply.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// The reply's Markdown; or give `canned`.
    #[serde(default)]
    text: Option<String>,
    /// A canned reply's id, its placeholders filled in for this ticket.
    #[serde(default)]
    canned: Option<String>,
}

/// Answer a ticket publicly, as the profile, in its thread (members who may reply as it); the answer carries its byline like any post.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/replies", tag = "help desk", request_body = ReplyBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 201, description = "Answered", body = TicketView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers read only, or off shift under a shift-only rule", body = ErrorBody),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Neither or both of text and canned, unknown canned reply, bad text", body = ErrorBody),
        (status = 429, description = "Too many writes", body = ErrorBody),
    ))]
async fn reply_to_ticket(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<TicketView>), AppError> {
    let canned = match b.canned.as_deref() {
        None => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            AppError::from(byline_app::Error::Invalid(
                "no such canned reply on this help desk".into(),
            ))
        })?),
    };
    let t = tickets::reply(
        &state,
        &current,
        &handle,
        number_of(&number)?,
        b.text.as_deref(),
        canned,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ticket_view(&t))))
}

/// A rating.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// 1 (bad) to 5 (excellent).
    score: i64,
    /// At most 1,000 characters.
    #[serde(default)]
    comment: String,
}

/// Rate the answer to your own request, once per solve.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/tickets/{number}/rating", tag = "help desk", request_body = RatingBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = String, Path, description = "Ticket number")),
    responses(
        (status = 204, description = "Rated"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such ticket of yours", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Out of range, not solved, or rated already", body = ErrorBody),
    ))]
async fn rate_ticket(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, number)): Path<(String, String)>,
    ApiJson(b): ApiJson<RatingBody>,
) -> Result<StatusCode, AppError> {
    tickets::rate(
        &state,
        &current,
        &handle,
        number_of(&number)?,
        b.score,
        &b.comment,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A range of days.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DaysQuery {
    /// The last this many days (1 to 366); default 30.
    days: Option<i64>,
}

/// Satisfaction figures.
#[derive(Serialize, ToSchema)]
pub struct SatisfactionView {
    /// A member's handle; absent for the whole desk.
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<String>,
    /// Ratings given.
    ratings: i64,
    /// Mean score, 1 to 5 (0 without ratings).
    average: f64,
    /// Share of ratings of 4 or 5, 0 to 1.
    satisfied_share: f64,
}

/// A help desk's satisfaction.
#[derive(Serialize, ToSchema)]
pub struct SatisfactionList {
    /// The desk first (owners and admins), then each member; a member sees only their own.
    figures: Vec<SatisfactionView>,
}

/// A help desk's satisfaction over the last days: owners and admins see the desk and every member, members their own.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/satisfaction", tag = "help desk",
    params(("handle" = String, Path, description = "Shared profile handle"), DaysQuery),
    responses(
        (status = 200, description = "The figures", body = SatisfactionList),
        (status = 400, description = "Unknown query parameter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members, owners and admins only", body = ErrorBody),
        (status = 404, description = "No such help desk", body = ErrorBody),
        (status = 422, description = "Range out of bounds", body = ErrorBody),
    ))]
async fn get_satisfaction(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<DaysQuery>,
) -> Result<Json<SatisfactionList>, AppError> {
    let list = tickets::satisfaction(&state, &current, &handle, q.days.unwrap_or(30)).await?;
    Ok(Json(SatisfactionList {
        figures: list
            .into_iter()
            .map(|s| SatisfactionView {
                member: s.handle,
                ratings: s.ratings,
                average: s.average,
                satisfied_share: if s.ratings > 0 {
                    s.satisfied as f64 / s.ratings as f64
                } else {
                    0.0
                },
            })
            .collect(),
    }))
}
