//! Listening's pages: a help desk's topics with what people say on each
//! (volume, the share that reads negative, most-used words) beside the
//! desk's own response times and ratings, its incidents, and one topic's
//! page with its matching posts, which refreshes in place as the listener
//! hears more (`live.js`). Figures are tables without JavaScript; with it,
//! Chart.js draws them (`listening.js`).

use super::social::PostCard;
use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::bylines::BylineLens;
use byline_app::listening::{self, Incident, Standing, Talk, TopicInput};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(listening_page))
        .routes(routes!(create_topic))
        .routes(routes!(topic_page, update_topic))
        .routes(routes!(delete_topic))
        .routes(routes!(digests_page))
        .routes(routes!(listening_script))
}

/// The date range asked for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD`; default eight weeks before `to`.
    from: Option<String>,
    /// Last day, `YYYY-MM-DD`, included; default today.
    to: Option<String>,
}

/// A topic as its form sends it.
#[derive(Deserialize, ToSchema)]
pub struct TopicForm {
    csrf_token: String,
    /// What it is called.
    name: String,
    /// Terms separated by commas or new lines.
    terms: String,
    /// 1 to 10.
    #[serde(default)]
    sensitivity: String,
    /// 2 to 100.
    #[serde(default)]
    min_posters: String,
}

impl TopicForm {
    fn input(&self) -> Result<TopicInput, AppError> {
        let number = |field: &str, value: &str| -> Result<Option<i64>, AppError> {
            let v = value.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| AppError::Invalid(format!("{field} must be a whole number")))
        };
        Ok(TopicInput {
            name: self.name.clone(),
            terms: self
                .terms
                .split([',', '\n'])
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            sensitivity: number("sensitivity", &self.sensitivity)?,
            min_posters: number("the minimum number of people", &self.min_posters)?,
        })
    }
}

/// A form carrying only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct CsrfOnly {
    csrf_token: String,
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.0} %", s * 100.0))
}

/// A topic's line in the desk's table.
struct TopicLine {
    id: i64,
    name: String,
    terms: String,
    now: u32,
    usually: String,
    spike: bool,
    posts: i64,
    people: i64,
    negative: String,
}

/// An incident's line.
struct IncidentLine {
    topic: String,
    opened: String,
    ticket: i64,
    open: bool,
    people: i64,
    posts: i64,
    threads: i64,
    answered: i64,
}

fn incident_line(i: &Incident) -> IncidentLine {
    IncidentLine {
        topic: i.topic_name.clone(),
        opened: i.opened_at.to_minute_label(),
        ticket: i.ticket_number,
        open: i.open,
        people: i.people,
        posts: i.posts,
        threads: i.threads,
        answered: i.answered,
    }
}

/// What the topic form shows again after a refusal.
#[derive(Default)]
struct Draft {
    name: String,
    terms: String,
    sensitivity: String,
    min_posters: String,
}

impl From<&TopicForm> for Draft {
    fn from(f: &TopicForm) -> Draft {
        Draft {
            name: f.name.clone(),
            terms: f.terms.clone(),
            sensitivity: f.sensitivity.clone(),
            min_posters: f.min_posters.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "listening.html")]
struct ListeningPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    from: String,
    to: String,
    topics: Vec<TopicLine>,
    incidents: Vec<IncidentLine>,
    can_manage: bool,
    draft: Draft,
    error: Option<String>,
    /// The desk's own figures over the range: tickets opened, median first
    /// response, average rating and how many ratings.
    desk: (i64, String, String, i64),
    data: String,
}

/// The figures the charts draw, safe inside a `<script>` element.
fn island(value: &serde_json::Value) -> String {
    // Inside <script> only "</" could end the element early; JSON may
    // spell "<" as \u003c, so no text can close it.
    value.to_string().replace('<', "\\u003c")
}

fn days_json(t: &Talk) -> serde_json::Value {
    json!(
        t.days
            .iter()
            .map(|d| json!({"date": d.date.to_string(), "posts": d.posts, "people": d.people, "negative": d.negative}))
            .collect::<Vec<_>>()
    )
}

fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "–".to_owned(),
        Some(s) if s < 3600 => format!("{} min", s / 60),
        Some(s) => format!("{:.1} h", s as f64 / 3600.0),
    }
}

async fn listening_view(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    q: &RangeQuery,
    draft: Draft,
    error: Option<String>,
) -> Result<ListeningPage, PageError> {
    let (profile, range, talks) =
        listening::desk_talk(state, current, handle, q.from.as_deref(), q.to.as_deref()).await?;
    let incidents = listening::incidents(state, current, handle).await?;
    let from = range.from.to_string();
    let to = range.to.to_string();
    let desk = byline_app::dashboard::dashboard(state, current, handle, Some(&from), Some(&to))
        .await
        .map(|d| {
            (
                d.opened,
                duration(d.first_response.median),
                d.satisfaction
                    .average()
                    .map_or_else(|| "–".to_owned(), |a| format!("{a:.1} / 5")),
                d.satisfaction.ratings,
            )
        })
        .unwrap_or((0, "–".to_owned(), "–".to_owned(), 0));
    let data = json!({
        "topics": talks.iter().map(|(t, _)| json!({"name": t.topic.name, "days": days_json(t)})).collect::<Vec<_>>(),
    });
    let topics = talks
        .iter()
        .map(|(t, s): &(Talk, Standing)| TopicLine {
            id: t.topic.id,
            name: t.topic.name.clone(),
            terms: t.topic.terms.join(", "),
            now: s.posters_now,
            usually: format!("{:.1}", s.usually),
            spike: s.spike,
            posts: t.posts,
            people: t.people,
            negative: percent(t.negative_share()),
        })
        .collect();
    Ok(ListeningPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: profile.handle.clone(),
        name: profile.display_name.clone(),
        from,
        to,
        topics,
        incidents: incidents.iter().map(incident_line).collect(),
        can_manage: listening::may_manage(state, current, handle).await,
        draft,
        error,
        desk,
        data: island(&data),
    })
}

/// A help desk's listening (members): its topics and what people say on each, its incidents, and (for owners) the form to watch a topic.
#[utoipa::path(get, path = "/profiles/{handle}/listening", tag = "web", operation_id = "page_listening",
    params(("handle" = String, Path, description = "Shared profile handle"), RangeQuery),
    responses((status = 200, description = "Listening page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such help desk, or not a member", content_type = "text/html"),
              (status = 422, description = "A bad date or range", content_type = "text/html")))]
async fn listening_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let page = listening_view(&state, &current, &handle, &q, Draft::default(), None).await?;
    Ok(render(&page)?.into_response())
}

/// Watches a topic (owners and admins); a refused topic shows the page again with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/listening/topics", tag = "web", operation_id = "page_listening_create_topic",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = TopicForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Watched: to the topic's page"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such help desk", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn create_topic(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<TopicForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let made = match f.input() {
        Ok(input) => listening::create_topic(&state, &current, &handle, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match made {
        Ok(t) => Ok(
            Redirect::to(&format!("/profiles/{handle}/listening/topics/{}", t.id)).into_response(),
        ),
        Err(AppError::Invalid(why)) => {
            let q = RangeQuery {
                from: None,
                to: None,
            };
            let page =
                listening_view(&state, &current, &handle, &q, Draft::from(&f), Some(why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "topic.html")]
struct TopicPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    topic_id: i64,
    topic_name: String,
    terms: String,
    sensitivity: i64,
    min_posters: i64,
    standing: (u32, String, bool),
    from: String,
    to: String,
    days: Vec<(String, i64, i64, i64)>,
    totals: (i64, i64, String),
    words: Vec<(String, usize)>,
    incidents: Vec<IncidentLine>,
    posts: Vec<PostCard>,
    can_manage: bool,
    draft: Draft,
    truncated: bool,
    error: Option<String>,
    data: String,
}

async fn topic_view(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    id: i64,
    q: &RangeQuery,
    draft: Option<Draft>,
    error: Option<String>,
) -> Result<TopicPage, PageError> {
    let (profile, talk) = listening::talk(
        state,
        current,
        handle,
        id,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let (_, _, standing, posts) = listening::topic(state, current, handle, id, 50).await?;
    let incidents: Vec<IncidentLine> = listening::incidents(state, current, handle)
        .await?
        .iter()
        .filter(|i| i.topic_id == id)
        .map(incident_line)
        .collect();
    let lens = BylineLens::for_viewer(state, current).await?;
    let t = &talk.topic;
    let draft = draft.unwrap_or_else(|| Draft {
        name: t.name.clone(),
        terms: t.terms.join(", "),
        sensitivity: t.sensitivity.to_string(),
        min_posters: t.min_posters.to_string(),
    });
    Ok(TopicPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: profile.handle.clone(),
        name: profile.display_name.clone(),
        topic_id: t.id,
        topic_name: t.name.clone(),
        terms: t.terms.join(", "),
        sensitivity: t.sensitivity,
        min_posters: t.min_posters,
        standing: (
            standing.posters_now,
            format!("{:.1}", standing.usually),
            standing.spike,
        ),
        from: talk
            .days
            .first()
            .map_or_else(String::new, |d| d.date.to_string()),
        to: talk
            .days
            .last()
            .map_or_else(String::new, |d| d.date.to_string()),
        days: talk
            .days
            .iter()
            .rev()
            .filter(|d| d.posts > 0)
            .map(|d| {
                (
                    d.date.format("%-d %b %Y").to_string(),
                    d.posts,
                    d.people,
                    d.negative,
                )
            })
            .collect(),
        totals: (talk.posts, talk.people, percent(talk.negative_share())),
        words: talk.words.clone(),
        incidents,
        posts: posts.into_iter().map(|p| PostCard::new(p, &lens)).collect(),
        can_manage: listening::may_manage(state, current, handle).await,
        draft,
        truncated: talk.truncated,
        error,
        data: island(&json!({"name": t.name, "days": days_json(&talk)})),
    })
}

fn topic_id(id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| PageError(AppError::NotFound))
}

/// One topic (members): how it stands now, what people say on it over a range, its incidents and its newest posts, refreshed in place as more are heard.
#[utoipa::path(get, path = "/profiles/{handle}/listening/topics/{id}", tag = "web", operation_id = "page_topic",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Topic id"), RangeQuery),
    responses((status = 200, description = "Topic page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such topic, or not a member", content_type = "text/html"),
              (status = 422, description = "A bad date or range", content_type = "text/html")))]
async fn topic_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    Query(q): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let page = topic_view(&state, &current, &handle, topic_id(&id)?, &q, None, None).await?;
    Ok(render(&page)?.into_response())
}

/// Changes a topic (owners and admins); a refused change shows the page again with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/listening/topics/{id}", tag = "web", operation_id = "page_topic_update",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Topic id")),
    request_body(content = TopicForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Changed: back to the topic"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such topic", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn update_topic(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<TopicForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let id = topic_id(&id)?;
    let changed = match f.input() {
        Ok(input) => listening::update_topic(&state, &current, &handle, id, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match changed {
        Ok(_) => {
            Ok(Redirect::to(&format!("/profiles/{handle}/listening/topics/{id}")).into_response())
        }
        Err(AppError::Invalid(why)) => {
            let q = RangeQuery {
                from: None,
                to: None,
            };
            let page = topic_view(
                &state,
                &current,
                &handle,
                id,
                &q,
                Some(Draft::from(&f)),
                Some(why),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Stops watching a topic, forgetting its matches (owners and admins).
#[utoipa::path(post, path = "/profiles/{handle}/listening/topics/{id}/delete", tag = "web", operation_id = "page_topic_delete",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Topic id")),
    request_body(content = CsrfOnly, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "No longer watched: to the listening page"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such topic", content_type = "text/html")))]
async fn delete_topic(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, String)>,
    WebForm(f): WebForm<CsrfOnly>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    listening::delete_topic(&state, &current, &handle, topic_id(&id)?).await?;
    Ok(Redirect::to(&format!("/profiles/{handle}/listening")).into_response())
}

/// A week of a digest, as the page shows it.
struct DigestLine {
    week: String,
    topics: Vec<(String, i64, i64, String, String)>,
    incidents: Vec<(String, i64, String, i64, i64, i64)>,
    tickets: (i64, i64),
    times: (String, String),
    sla: String,
    satisfaction: (String, i64),
}

#[derive(Template)]
#[template(path = "digests.html")]
struct DigestsPage {
    nav: Nav,
    handle: String,
    name: String,
    digests: Vec<DigestLine>,
}

/// A help desk's weekly listening digests (owners and admins).
#[utoipa::path(get, path = "/profiles/{handle}/listening/digests", tag = "web", operation_id = "page_listening_digests",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses((status = 200, description = "Digests page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Owners only", content_type = "text/html"),
              (status = 404, description = "No such help desk, or not a member", content_type = "text/html")))]
async fn digests_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let (profile, digests) = listening::digest::digests(&state, &current, &handle).await?;
    let digests = digests
        .into_iter()
        .map(|d| DigestLine {
            week: d.week,
            topics: d
                .topics
                .into_iter()
                .map(|t| {
                    (
                        t.name,
                        t.posts,
                        t.people,
                        percent(t.negative_share),
                        t.words.join(", "),
                    )
                })
                .collect(),
            incidents: d
                .incidents
                .into_iter()
                .map(|i| {
                    (
                        i.topic,
                        i.ticket_number,
                        i.opened_at.replace('T', " ").chars().take(16).collect(),
                        i.people,
                        i.answered,
                        i.threads,
                    )
                })
                .collect(),
            tickets: (d.tickets_opened, d.solved),
            times: (
                duration(d.first_response_median),
                duration(d.resolution_median),
            ),
            sla: percent(d.sla_attainment),
            satisfaction: (
                d.satisfaction
                    .map_or_else(|| "–".to_owned(), |a| format!("{a:.1} / 5")),
                d.ratings,
            ),
        })
        .collect();
    Ok(render(&DigestsPage {
        nav: Nav::load(&state, &current, "").await?,
        handle: profile.handle.clone(),
        name: profile.display_name.clone(),
        digests,
    })?
    .into_response())
}

const LISTENING_SCRIPT: &str = include_str!("../../../../web/static/listening.js");

/// The small script that draws listening's charts from the figures in the page (the page works without it).
#[utoipa::path(get, path = "/static/listening.js", tag = "web", operation_id = "page_listening_script", security(()),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript")))]
async fn listening_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LISTENING_SCRIPT,
    )
}
