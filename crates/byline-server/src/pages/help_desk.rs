//! The help desk's pages: the inbox of a shared profile with its views, a
//! ticket with its clocks and history (notes for members only) and the
//! forms that work it, and a requester's "My requests". Every form works
//! without JavaScript; with it, the inbox refreshes when something new
//! arrives (`live.js`).

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::tickets;
use byline_core::Timestamp;
use byline_core::sla::ClockState;
use byline_store::tickets::{Ticket, TicketView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox_page))
        .routes(routes!(ticket_page))
        .routes(routes!(set_status))
        .routes(routes!(add_note))
        .routes(routes!(change_tag))
        .routes(routes!(reply))
        .routes(routes!(answer_everyone))
        .routes(routes!(rate))
        .routes(routes!(requests_page))
}

/// A ticket in a list.
struct TicketLine {
    number: i64,
    subject: String,
    status: &'static str,
    priority: &'static str,
    requester: String,
    assignee: String,
    desk: String,
    updated: String,
    tags: Vec<String>,
}

fn line(t: &Ticket) -> TicketLine {
    TicketLine {
        number: t.number,
        subject: t.subject.clone(),
        status: t.status.as_str(),
        priority: t.priority.as_str(),
        requester: t.requester_name.clone(),
        assignee: t
            .assignee_handle
            .as_ref()
            .map_or_else(|| "unassigned".to_owned(), |h| format!("@{h}")),
        desk: t.desk_handle.clone(),
        updated: t.updated_at.to_minute_label(),
        tags: t.tags.clone(),
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    nav: Nav,
    handle: String,
    name: String,
    view: &'static str,
    views: Vec<(&'static str, &'static str, i64)>,
    tickets: Vec<TicketLine>,
    tag: Option<String>,
}

/// Which view of the inbox.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// `mine`, `unassigned`, `open` (default), `breaching` or `done`.
    view: Option<String>,
    /// Only tickets with this tag.
    tag: Option<String>,
}

/// A help desk's inbox (members).
#[utoipa::path(get, path = "/profiles/{handle}/inbox", tag = "web", operation_id = "page_inbox",
    params(("handle" = String, Path, description = "Shared profile handle"), ViewQuery),
    responses((status = 200, description = "Inbox page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Members only", content_type = "text/html"),
              (status = 404, description = "No such help desk", content_type = "text/html"),
              (status = 422, description = "Unknown view or bad tag", content_type = "text/html")))]
async fn inbox_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, PageError> {
    let inbox = tickets::inbox(
        &state,
        &current,
        &handle,
        q.view.as_deref(),
        q.tag.as_deref(),
        None,
    )
    .await?;
    let view = match inbox.view {
        TicketView::Mine(_) => "mine",
        TicketView::Unassigned => "unassigned",
        TicketView::AllOpen => "open",
        TicketView::Done => "done",
        TicketView::Breaching => "breaching",
    };
    let c = inbox.counts;
    Ok(render(&InboxPage {
        nav: Nav::load(&state, &current, "").await?,
        handle: inbox.profile.handle.clone(),
        name: inbox.profile.display_name.clone(),
        view,
        views: vec![
            ("mine", "Mine", c.mine),
            ("unassigned", "Unassigned", c.unassigned),
            ("open", "All open", c.all_open),
            ("breaching", "Breaching soon", c.breaching),
            ("done", "Solved and closed", -1),
        ],
        tickets: inbox.tickets.iter().map(line).collect(),
        tag: inbox.tag,
    })?
    .into_response())
}

/// A clock as the ticket page shows it.
struct ClockLine {
    name: &'static str,
    state: &'static str,
    detail: String,
}

/// An entry of the history.
struct EventLine {
    when: String,
    what: String,
    by: String,
    post: Option<i64>,
    note_html: Option<String>,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPageView {
    nav: Nav,
    csrf_token: String,
    handle: String,
    ticket: TicketLine,
    thread: Option<i64>,
    conversation: Option<i64>,
    member: bool,
    can_work: bool,
    clocks: Vec<ClockLine>,
    events: Vec<EventLine>,
    moves: Vec<&'static str>,
    canned: Vec<(i64, String)>,
    can_rate: bool,
    can_write_up: bool,
    suggestions: Vec<(i64, String)>,
    presence: String,
    incident: Option<IncidentPanel>,
    error: Option<String>,
}

/// An incident's ticket: what the listener heard, and each post with
/// whether its thread has been answered.
struct IncidentPanel {
    open: bool,
    topic_id: i64,
    topic: String,
    people: i64,
    posts: i64,
    threads: i64,
    answered: i64,
    /// (post, thread, "@handle: the first words", answered)
    heard: Vec<(i64, i64, String, bool)>,
}

async fn incident_panel(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    ticket_id: i64,
) -> Result<Option<IncidentPanel>, PageError> {
    let Some(found) = byline_app::listening::incident_of_ticket(state, ticket_id).await? else {
        return Ok(None);
    };
    let (i, held, posts) =
        byline_app::listening::incident(state, current, handle, found.id).await?;
    let heard = held
        .iter()
        .filter_map(|h| {
            let p = posts.iter().find(|p| p.id == h.post_id)?;
            let words: String = p.body.chars().take(90).collect();
            Some((
                h.post_id,
                h.thread_root_id,
                format!("@{}: {words}", p.author_handle),
                h.answer_post_id.is_some(),
            ))
        })
        .collect();
    Ok(Some(IncidentPanel {
        open: i.open,
        topic_id: i.topic_id,
        topic: i.topic_name,
        people: i.people,
        posts: i.posts,
        threads: i.threads,
        answered: i.answered,
        heard,
    }))
}

/// "@ivan is viewing; @jane is typing a reply" (empty when alone).
fn presence_text(others: &[byline_app::collision::Watcher]) -> String {
    others
        .iter()
        .map(|w| {
            if w.typing {
                format!("@{} is typing a reply", w.handle)
            } else {
                format!("@{} is viewing", w.handle)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn minutes(us: i64) -> String {
    let m = us / 60_000_000;
    if m.abs() >= 120 {
        format!("{} h {} min", m / 60, (m % 60).abs())
    } else {
        format!("{m} min")
    }
}

async fn ticket_view(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    number: i64,
    error: Option<String>,
) -> Result<TicketPageView, PageError> {
    let p = tickets::ticket(state, current, handle, number).await?;
    let clocks = p
        .clocks
        .iter()
        .map(|c| {
            let (state, detail) = match c.state() {
                ClockState::Running => (
                    "running",
                    c.due_at.map_or_else(String::new, |d| {
                        format!(
                            "{} left, due {}",
                            minutes(c.remaining()),
                            d.to_minute_label()
                        )
                    }),
                ),
                ClockState::Paused => (
                    "paused",
                    format!("{} left, waiting", minutes(c.remaining())),
                ),
                ClockState::Overdue => (
                    "overdue",
                    format!("{} over target", minutes(-c.remaining())),
                ),
                ClockState::Met => ("met", format!("in {}", minutes(c.used))),
                ClockState::Missed => ("missed", format!("took {}", minutes(c.used))),
            };
            ClockLine {
                name: match c.kind {
                    byline_core::sla::ClockKind::FirstResponse => "First response",
                    byline_core::sla::ClockKind::NextResponse => "Next response",
                    byline_core::sla::ClockKind::Resolution => "Resolution",
                },
                state,
                detail,
            }
        })
        .collect();
    let events = p
        .events
        .iter()
        .filter(|e| e.kind != "sla")
        .map(|e| EventLine {
            when: Timestamp(e.at).to_minute_label(),
            what: match e.kind.as_str() {
                "opened" => "opened the request".to_owned(),
                "requester_reply" => "wrote again".to_owned(),
                "answer" => "answered".to_owned(),
                "note" => "noted (members only)".to_owned(),
                "status" => format!("made it {}", e.detail.replace('_', " ")),
                "assigned" if e.detail.is_empty() => "unassigned it".to_owned(),
                "assigned" => format!("gave it to @{}", e.detail),
                "priority" => format!("set priority {}", e.detail),
                "tags" if e.detail.is_empty() => "removed the tags".to_owned(),
                "tags" => format!("tagged it {}", e.detail.replace(' ', ", ")),
                other => other.to_owned(),
            },
            by: e
                .by_handle
                .as_ref()
                .map_or_else(|| "Byline".to_owned(), |h| format!("@{h}")),
            post: e.post_id,
            // A note's words, or a direct message's (the ticket's history
            // is where members read a conversation they are not in).
            note_html: e.body_html.clone().or_else(|| e.message_html.clone()),
        })
        .collect();
    let moves = byline_core::ticket::TicketStatus::ALL
        .into_iter()
        .filter(|s| p.ticket.status.may_become(*s))
        .map(|s| s.as_str())
        .collect();
    let canned = if p.can_work {
        tickets::canned_replies(state, current, handle)
            .await?
            .into_iter()
            .map(|c| (c.id, c.title))
            .collect()
    } else {
        Vec::new()
    };
    let requester = p.ticket.requester_profile_id == current.user.profile_id;
    // The requester is offered what the knowledge base already knows.
    let suggestions = if requester && p.ticket.status.is_active() {
        byline_app::articles::for_ticket(state, current, p.profile.id, &p.ticket.subject)
            .await?
            .into_iter()
            .map(|a| (a.id, a.title))
            .collect()
    } else {
        Vec::new()
    };
    let can_write_up = p.can_work
        && matches!(
            p.ticket.status,
            byline_core::ticket::TicketStatus::Solved | byline_core::ticket::TicketStatus::Closed
        );
    // Opening the page is being on the ticket: the others there are named
    // at once, JavaScript or not.
    let presence = if p.member {
        presence_text(
            &byline_app::collision::heartbeat(state, current, handle, number, false).await?,
        )
    } else {
        String::new()
    };
    let incident = if p.member {
        incident_panel(state, current, handle, p.ticket.id).await?
    } else {
        None
    };
    Ok(TicketPageView {
        incident,
        presence,
        can_write_up,
        suggestions,
        can_rate: p.can_rate,
        canned,
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: p.profile.handle.clone(),
        thread: p.ticket.thread_root_id,
        conversation: p.ticket.conversation_id,
        ticket: line(&p.ticket),
        member: p.member,
        can_work: p.can_work,
        clocks,
        events,
        moves,
        error,
    })
}

/// One ticket: its clocks, history and (for members) the forms that work it.
#[utoipa::path(get, path = "/profiles/{handle}/tickets/{number}", tag = "web", operation_id = "page_ticket",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    responses((status = 200, description = "Ticket page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such ticket, or not yours to see", content_type = "text/html")))]
async fn ticket_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    Ok(render(&ticket_view(&state, &current, &handle, number, None).await?)?.into_response())
}

/// A status form.
#[derive(Deserialize, ToSchema)]
pub struct StatusForm {
    csrf_token: String,
    /// The new status.
    status: String,
}

/// Moves a ticket (members other than observers); a refused move shows the page again with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/status", tag = "web", operation_id = "page_ticket_status",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = StatusForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Moved"),
              (status = 403, description = "Observers read only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn set_status(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<StatusForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let moved = tickets::set_status(&state, &current, &handle, number, &f.status).await;
    done_or_again(&state, &current, &handle, number, moved.map(|_| ())).await
}

async fn done_or_again(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    number: i64,
    outcome: Result<(), byline_app::Error>,
) -> Result<Response, PageError> {
    match outcome.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/profiles/{handle}/tickets/{number}")).into_response()),
        Err(AppError::Invalid(why)) => {
            let p = ticket_view(state, current, handle, number, Some(why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A note form.
#[derive(Deserialize, ToSchema)]
pub struct NoteForm {
    csrf_token: String,
    /// Markdown.
    text: String,
}

/// Adds an internal note (members other than observers).
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/notes", tag = "web", operation_id = "page_ticket_note",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = NoteForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Noted"),
              (status = 403, description = "Observers read only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket", content_type = "text/html"),
              (status = 422, description = "Empty or too long; the page says why", content_type = "text/html")))]
async fn add_note(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<NoteForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let noted = tickets::add_note(&state, &current, &handle, number, &f.text).await;
    done_or_again(&state, &current, &handle, number, noted.map(|_| ())).await
}

/// A tag form: one tag (or several words) to add, or one to remove.
#[derive(Deserialize, ToSchema)]
pub struct TagForm {
    csrf_token: String,
    /// Tag(s) to add, separated by spaces or commas.
    #[serde(default)]
    add: String,
    /// A tag to remove.
    #[serde(default)]
    remove: String,
}

/// Adds or removes a ticket's tag (members other than observers); a bad tag shows the page again with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/tags", tag = "web", operation_id = "page_ticket_tags",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = TagForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Tagged"),
              (status = 403, description = "Observers read only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket", content_type = "text/html"),
              (status = 422, description = "A bad tag or too many; the page says why", content_type = "text/html")))]
async fn change_tag(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<TagForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let add = Some(f.add.as_str()).filter(|a| !a.trim().is_empty());
    let remove = Some(f.remove.as_str()).filter(|r| !r.trim().is_empty());
    let tagged = tickets::change_tag(&state, &current, &handle, number, add, remove).await;
    done_or_again(&state, &current, &handle, number, tagged.map(|_| ())).await
}

/// A public reply: text, or a canned reply.
#[derive(Deserialize, ToSchema)]
pub struct ReplyForm {
    csrf_token: String,
    /// Markdown; used when no canned reply is chosen.
    #[serde(default)]
    text: String,
    /// A canned reply's id, or empty.
    #[serde(default)]
    canned: String,
}

/// Answers as the profile in the ticket's thread, with typed text or a canned reply.
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/reply", tag = "web", operation_id = "page_ticket_reply",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = ReplyForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Answered"),
              (status = 403, description = "Observers read only, off shift, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn reply(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<ReplyForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let canned = f.canned.trim().parse::<i64>().ok();
    let text = (canned.is_none()).then_some(f.text.as_str());
    let answered = tickets::reply(&state, &current, &handle, number, text, canned).await;
    done_or_again(&state, &current, &handle, number, answered.map(|_| ())).await
}

/// The answer to everyone an incident holds.
#[derive(Deserialize, ToSchema)]
pub struct EveryoneForm {
    csrf_token: String,
    /// Markdown, said once in each thread not yet answered.
    text: String,
}

/// Answers everyone an incident's ticket holds: one reply per thread, as the profile through the speak function.
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/answer-everyone", tag = "web", operation_id = "page_ticket_answer_everyone",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = EveryoneForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Answered"),
              (status = 403, description = "Observers read only, off shift, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket, or not an incident", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn answer_everyone(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<EveryoneForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let answered =
        byline_app::listening::answer_ticket_incident(&state, &current, &handle, number, &f.text)
            .await;
    done_or_again(&state, &current, &handle, number, answered.map(|_| ())).await
}

/// A rating form.
#[derive(Deserialize, ToSchema)]
pub struct RatingForm {
    csrf_token: String,
    /// 1 to 5.
    score: String,
    /// Optional words.
    #[serde(default)]
    comment: String,
}

/// Rates the answer to one's own request (once per solve).
#[utoipa::path(post, path = "/profiles/{handle}/tickets/{number}/rating", tag = "web", operation_id = "page_ticket_rating",
    params(("handle" = String, Path, description = "Shared profile handle"), ("number" = i64, Path, description = "Ticket number")),
    request_body(content = RatingForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Rated"),
              (status = 403, description = "Wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such ticket of yours", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn rate(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, number)): Path<(String, i64)>,
    WebForm(f): WebForm<RatingForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let score = f.score.trim().parse::<i64>().unwrap_or(0);
    let rated = tickets::rate(&state, &current, &handle, number, score, &f.comment).await;
    done_or_again(&state, &current, &handle, number, rated).await
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    nav: Nav,
    tickets: Vec<TicketLine>,
}

/// The viewer's own requests to every help desk.
#[utoipa::path(get, path = "/requests", tag = "web", operation_id = "page_requests",
    responses((status = 200, description = "My requests", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page")))]
async fn requests_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
) -> Result<Response, PageError> {
    let list = tickets::my_requests(&state, &current).await?;
    Ok(render(&RequestsPage {
        nav: Nav::load(&state, &current, "requests").await?,
        tickets: list.iter().map(line).collect(),
    })?
    .into_response())
}
