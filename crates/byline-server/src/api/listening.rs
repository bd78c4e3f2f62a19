//! Listening: the topics a help desk watches in staff's open posts, and
//! each topic's matching posts and how it stands now.

use crate::api::views::PostView;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::bylines::BylineLens;
use byline_app::listening::{self, Incident, Standing, Topic, TopicInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_topics, create_topic))
        .routes(routes!(get_topic, update_topic, delete_topic))
        .routes(routes!(list_incidents))
        .routes(routes!(get_incident))
        .routes(routes!(answer_incident))
        .routes(routes!(list_digests))
}

/// A watched topic.
#[derive(Serialize, ToSchema)]
pub struct TopicView {
    /// Id.
    id: String,
    /// What it is called.
    name: String,
    /// The words and phrases that mean it (whole words, any case, stemmed).
    terms: Vec<String>,
    /// 1 (only the loudest bursts) to 10 (the faintest).
    sensitivity: i64,
    /// Fewest distinct people in ten minutes for an alert.
    min_posters: i64,
    /// When it was defined (RFC 3339).
    created_at: String,
}

impl From<Topic> for TopicView {
    fn from(t: Topic) -> TopicView {
        TopicView {
            id: t.id.to_string(),
            name: t.name,
            terms: t.terms,
            sensitivity: t.sensitivity,
            min_posters: t.min_posters,
            created_at: t.created_at.to_rfc3339(),
        }
    }
}

/// A desk's topics.
#[derive(Serialize, ToSchema)]
pub struct TopicList {
    /// By name.
    topics: Vec<TopicView>,
}

/// A topic as written by the desk's owners.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicBody {
    /// 1 to 60 characters, unique on the desk.
    name: String,
    /// 1 to 20 terms of at least three letters or digits; a term matching more than 5 % of recent posts is refused.
    terms: Vec<String>,
    /// 1 (only the loudest bursts) to 10 (the faintest); 5 when left out.
    #[serde(default)]
    sensitivity: Option<i64>,
    /// 2 to 100 people in ten minutes; 5 when left out.
    #[serde(default)]
    min_posters: Option<i64>,
}

impl From<TopicBody> for TopicInput {
    fn from(b: TopicBody) -> TopicInput {
        TopicInput {
            name: b.name,
            terms: b.terms,
            sensitivity: b.sensitivity,
            min_posters: b.min_posters,
        }
    }
}

/// How a topic stands now.
#[derive(Serialize, ToSchema)]
pub struct StandingView {
    /// Distinct people in the last ten minutes.
    posters_now: u32,
    /// What the same ten minutes of the week usually hold.
    usually: f64,
    /// The chance of at least this many if nothing were wrong.
    tail: f64,
    /// Whether that is a spike by the topic's sensitivity.
    spike: bool,
}

impl From<Standing> for StandingView {
    fn from(s: Standing) -> StandingView {
        StandingView {
            posters_now: s.posters_now,
            usually: s.usually,
            tail: s.tail,
            spike: s.spike,
        }
    }
}

/// A topic with its newest matching posts.
#[derive(Serialize, ToSchema)]
pub struct TopicDetail {
    /// The topic.
    topic: TopicView,
    /// Its last ten minutes against the same hour of past weeks.
    now: StandingView,
    /// The newest matching posts the caller may read, newest first.
    posts: Vec<PostView>,
}

/// How many posts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicQuery {
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A help desk's watched topics (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/topics", tag = "listening",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The topics", body = TopicList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such help desk, or not a member", body = ErrorBody),
    ))]
async fn list_topics(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<TopicList>, AppError> {
    let (_, topics) = listening::topics(&state, &current, &handle).await?;
    Ok(Json(TopicList {
        topics: topics.into_iter().map(TopicView::from).collect(),
    }))
}

/// Watch a topic (owners and admins).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/topics", tag = "listening", request_body = TopicBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "Watched", body = TopicView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such help desk, or not a member", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "No name or terms, a term too short or too common (with the share of posts it would match), sensitivity out of range, name taken", body = ErrorBody),
    ))]
async fn create_topic(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<TopicBody>,
) -> Result<(StatusCode, Json<TopicView>), AppError> {
    let t = listening::create_topic(&state, &current, &handle, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// A topic, how it stands now and its newest matching posts (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/topics/{id}", tag = "listening",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Topic id"), TopicQuery),
    responses(
        (status = 200, description = "The topic", body = TopicDetail),
        (status = 400, description = "Unreadable query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such topic, or not a member", body = ErrorBody),
    ))]
async fn get_topic(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<TopicQuery>,
) -> Result<Json<TopicDetail>, AppError> {
    let (_, topic, now, posts) = listening::topic(
        &state,
        &current,
        &handle,
        id_of(&id)?,
        q.limit.unwrap_or(50),
    )
    .await?;
    let lens = BylineLens::for_viewer(&state, &current).await?;
    Ok(Json(TopicDetail {
        topic: topic.into(),
        now: now.into(),
        posts: posts.into_iter().map(|p| PostView::new(p, &lens)).collect(),
    }))
}

/// Change a topic (owners and admins).
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/topics/{id}", tag = "listening", request_body = TopicBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Topic id")),
    responses(
        (status = 200, description = "Changed", body = TopicView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such topic, or not a member", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "As when watching a topic", body = ErrorBody),
    ))]
async fn update_topic(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<TopicBody>,
) -> Result<Json<TopicView>, AppError> {
    let t = listening::update_topic(&state, &current, &handle, id_of(&id)?, &b.into()).await?;
    Ok(Json(t.into()))
}

/// Stop watching a topic, forgetting its matches (owners and admins).
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/topics/{id}", tag = "listening",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Topic id")),
    responses(
        (status = 204, description = "No longer watched"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such topic, or not a member", body = ErrorBody),
    ))]
async fn delete_topic(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    listening::delete_topic(&state, &current, &handle, id_of(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An incident: a spike on a topic that opened a ticket in the inbox.
#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    /// Id.
    id: String,
    /// The topic that spiked.
    topic_id: String,
    /// Its name.
    topic: String,
    /// The ticket's number in the desk's inbox.
    ticket_number: i64,
    /// Whether the ticket is still being worked (later matching posts attach to it).
    open: bool,
    /// When the spike was heard (RFC 3339).
    opened_at: String,
    /// Distinct people in the ten minutes that set it off.
    posters: i64,
    /// What those ten minutes of the week usually hold.
    usually: f64,
    /// Posts attached: those that set it off and those since.
    posts: i64,
    /// Distinct people among them.
    people: i64,
    /// Threads they are in.
    threads: i64,
    /// Threads the desk has answered.
    answered: i64,
}

impl From<Incident> for IncidentView {
    fn from(i: Incident) -> IncidentView {
        IncidentView {
            id: i.id.to_string(),
            topic_id: i.topic_id.to_string(),
            topic: i.topic_name,
            ticket_number: i.ticket_number,
            open: i.open,
            opened_at: i.opened_at.to_rfc3339(),
            posters: i.posters,
            usually: i.usually,
            posts: i.posts,
            people: i.people,
            threads: i.threads,
            answered: i.answered,
        }
    }
}

/// A desk's incidents.
#[derive(Serialize, ToSchema)]
pub struct IncidentList {
    /// Newest first (at most 100).
    incidents: Vec<IncidentView>,
}

/// A post an incident holds.
#[derive(Serialize, ToSchema)]
pub struct HeldPost {
    /// The post, when the caller may still read it.
    post: Option<PostView>,
    /// Its id.
    post_id: String,
    /// Its thread.
    thread_id: String,
    /// The desk's answer in that thread, once given.
    answer_id: Option<String>,
}

/// An incident with its posts.
#[derive(Serialize, ToSchema)]
pub struct IncidentDetail {
    /// The incident.
    incident: IncidentView,
    /// Oldest first.
    posts: Vec<HeldPost>,
}

/// The answer to everyone an incident holds.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// Markdown, said as the desk once in each thread.
    text: String,
}

/// What answering did.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// Threads answered now.
    answered: usize,
    /// Threads answered before, left alone.
    already: usize,
}

/// A help desk's incidents (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/incidents", tag = "listening",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The incidents", body = IncidentList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such help desk, or not a member", body = ErrorBody),
    ))]
async fn list_incidents(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<IncidentList>, AppError> {
    let incidents = listening::incidents(&state, &current, &handle).await?;
    Ok(Json(IncidentList {
        incidents: incidents.into_iter().map(IncidentView::from).collect(),
    }))
}

/// An incident and the posts it holds (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/incidents/{id}", tag = "listening",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Incident id")),
    responses(
        (status = 200, description = "The incident", body = IncidentDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such incident, or not a member", body = ErrorBody),
    ))]
async fn get_incident(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<IncidentDetail>, AppError> {
    let (incident, held, posts) =
        listening::incident(&state, &current, &handle, id_of(&id)?).await?;
    let lens = BylineLens::for_viewer(&state, &current).await?;
    let mut posts: Vec<Option<byline_store::posts::Post>> = posts.into_iter().map(Some).collect();
    let held = held
        .into_iter()
        .map(|h| {
            let post = posts
                .iter_mut()
                .find(|p| p.as_ref().is_some_and(|p| p.id == h.post_id))
                .and_then(Option::take)
                .map(|p| PostView::new(p, &lens));
            HeldPost {
                post,
                post_id: h.post_id.to_string(),
                thread_id: h.thread_root_id.to_string(),
                answer_id: h.answer_post_id.map(|a| a.to_string()),
            }
        })
        .collect();
    Ok(Json(IncidentDetail {
        incident: incident.into(),
        posts: held,
    }))
}

/// Answer everyone an incident holds: one reply per thread, said as the desk through the speak function; threads answered before are left alone (members who work tickets).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/incidents/{id}/answer", tag = "listening", request_body = AnswerBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Incident id")),
    responses(
        (status = 200, description = "Answered", body = AnswerView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Observers, or the profile's policy or shift refuses the speaker", body = ErrorBody),
        (status = 404, description = "No such incident, or not a member", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Empty or over-long text", body = ErrorBody),
        (status = 429, description = "Too many writes", body = ErrorBody),
    ))]
async fn answer_incident(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> Result<Json<AnswerView>, AppError> {
    let done = listening::answer_incident(&state, &current, &handle, id_of(&id)?, &b.text).await?;
    Ok(Json(AnswerView {
        answered: done.threads,
        already: done.already,
    }))
}

/// A topic's week in a digest.
#[derive(Serialize, ToSchema)]
pub struct TopicWeekView {
    /// The topic.
    name: String,
    /// Matching posts.
    posts: i64,
    /// Distinct people.
    people: i64,
    /// The share of posts that read as negative (absent without posts).
    negative_share: Option<f64>,
    /// Its most-used words.
    words: Vec<String>,
}

/// An incident in a digest.
#[derive(Serialize, ToSchema)]
pub struct IncidentWeekView {
    /// The topic that spiked.
    topic: String,
    /// Its ticket's number.
    ticket_number: i64,
    /// When it was heard (RFC 3339).
    opened_at: String,
    /// Distinct people it holds.
    people: i64,
    /// Threads answered.
    answered: i64,
    /// Threads.
    threads: i64,
}

/// A desk's week: what people said on its topics, its incidents and its own figures.
#[derive(Serialize, ToSchema)]
pub struct DigestView {
    /// The Monday the week starts on (UTC).
    week: String,
    /// Each watched topic.
    topics: Vec<TopicWeekView>,
    /// Incidents opened that week.
    incidents: Vec<IncidentWeekView>,
    /// Tickets opened.
    tickets_opened: i64,
    /// Solves.
    solved: i64,
    /// Median first response, in business seconds.
    first_response_median_seconds: Option<i64>,
    /// Median resolution, in business seconds.
    resolution_median_seconds: Option<i64>,
    /// The share of decided tickets that kept every SLA target.
    sla_attainment: Option<f64>,
    /// Mean rating, 1 to 5.
    satisfaction: Option<f64>,
    /// Ratings given.
    ratings: i64,
}

impl From<listening::digest::Digest> for DigestView {
    fn from(d: listening::digest::Digest) -> DigestView {
        DigestView {
            week: d.week,
            topics: d
                .topics
                .into_iter()
                .map(|t| TopicWeekView {
                    name: t.name,
                    posts: t.posts,
                    people: t.people,
                    negative_share: t.negative_share,
                    words: t.words,
                })
                .collect(),
            incidents: d
                .incidents
                .into_iter()
                .map(|i| IncidentWeekView {
                    topic: i.topic,
                    ticket_number: i.ticket_number,
                    opened_at: i.opened_at,
                    people: i.people,
                    answered: i.answered,
                    threads: i.threads,
                })
                .collect(),
            tickets_opened: d.tickets_opened,
            solved: d.solved,
            first_response_median_seconds: d.first_response_median,
            resolution_median_seconds: d.resolution_median,
            sla_attainment: d.sla_attainment,
            satisfaction: d.satisfaction,
            ratings: d.ratings,
        }
    }
}

/// A desk's weekly digests.
#[derive(Serialize, ToSchema)]
pub struct DigestList {
    /// Newest week first (at most 52).
    digests: Vec<DigestView>,
}

/// A help desk's weekly digests, written each Monday for the week before (owners and admins).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/digests", tag = "listening",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The digests", body = DigestList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such help desk, or not a member", body = ErrorBody),
    ))]
async fn list_digests(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<DigestList>, AppError> {
    let (_, digests) = listening::digest::digests(&state, &current, &handle).await?;
    Ok(Json(DigestList {
        digests: digests.into_iter().map(DigestView::from).collect(),
    }))
}
