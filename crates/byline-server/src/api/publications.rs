//! Publishing over the API: a profile's approval rules and zone, its
//! publications (draft, edit, submit, approve, reject, comment, schedule,
//! unschedule) and the content calendar.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::publishing::{self, PublicationInput, PublicationView, TierInput, VariantInput};
use byline_core::Timestamp;
use byline_core::publication::Progress;
use byline_store::publishing::{CalendarRow, PublicationRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_rules, set_rules))
        .routes(routes!(list_publications, create_publication))
        .routes(routes!(get_publication, edit_publication))
        .routes(routes!(submit_publication))
        .routes(routes!(approve_publication))
        .routes(routes!(reject_publication))
        .routes(routes!(comment_publication))
        .routes(routes!(schedule_publication, unschedule_publication))
        .routes(routes!(profile_calendar))
        .routes(routes!(calendar))
}

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// One approval tier.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierBody {
    /// Approvals it needs (1–5).
    approvals: u8,
    /// Roles whose members may approve (`owner`, `editor`, `responder`, `observer`).
    #[serde(default)]
    roles: Vec<String>,
    /// Members (personal handles) who may approve whatever their role.
    #[serde(default)]
    people: Vec<String>,
}

/// A profile's publishing rules.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// IANA zone schedules are written in.
    time_zone: String,
    /// Up to three tiers, approved in order; none: approved on submission.
    tiers: Vec<TierBody>,
    /// A webhook channel of the profile that hears each step as an event
    /// (`publication.submitted`, `.approved`, `.rejected`, `.published`,
    /// `.failed`); none when left out.
    #[serde(default)]
    events_channel: Option<String>,
}

async fn rules_view(
    state: &AppState,
    handle: &str,
    s: &publishing::Settings,
) -> Result<RulesBody, AppError> {
    let profile = byline_core::Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let profile = state.store.profiles().profile_by_handle(&profile).await?;
    let tiers = publishing::named_tiers(state, profile.id, &s.rules).await?;
    Ok(RulesBody {
        events_channel: s.events_channel.map(|id| id.to_string()),
        time_zone: s.zone.name().to_owned(),
        tiers: tiers
            .into_iter()
            .map(|t| TierBody {
                approvals: t.approvals,
                roles: t.roles,
                people: t.people,
            })
            .collect(),
    })
}

/// A profile's publishing zone and approval rules (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/publishing", tag = "publishing",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Its rules", body = RulesBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
    ))]
async fn get_rules(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<RulesBody>, AppError> {
    let s = publishing::settings(&state, &current, &handle).await?;
    Ok(Json(rules_view(&state, &handle, &s).await?))
}

/// Set a profile's publishing zone and approval rules (owners). A tier
/// nobody could complete is refused.
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/publishing", tag = "publishing", request_body = RulesBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Saved", body = RulesBody),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 422, description = "Unknown zone or role, a person who is not a member, more than three tiers, a tier too few members could complete, or an events channel that is not one of its webhooks", body = ErrorBody),
    ))]
async fn set_rules(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<RulesBody>,
) -> Result<Json<RulesBody>, AppError> {
    let tiers: Vec<TierInput> = b
        .tiers
        .into_iter()
        .map(|t| TierInput {
            approvals: t.approvals,
            roles: t.roles,
            people: t.people,
        })
        .collect();
    let events = match b.events_channel.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(id.parse::<i64>().map_err(|_| {
            AppError::Invalid(format!(
                "events_channel '{id}' is not one of this profile's webhook channels"
            ))
        })?),
    };
    let s =
        publishing::save_settings(&state, &current, &handle, &b.time_zone, &tiers, events).await?;
    Ok(Json(rules_view(&state, &handle, &s).await?))
}

/// A publication in a list.
#[derive(Serialize, ToSchema)]
pub struct PublicationSummary {
    /// Id.
    id: String,
    /// Working title.
    title: String,
    /// `draft`, `in_review`, `approved`, `scheduled`, `publishing`, `published`, `failed` or `rejected`.
    status: String,
    /// Bumped by every edit; approve and schedule name the version they mean.
    version: i64,
    /// Its campaign's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<String>,
    /// Due minute (RFC 3339) once scheduled.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<String>,
    /// When every channel took it.
    #[serde(skip_serializing_if = "Option::is_none")]
    published_at: Option<String>,
    /// Why it was sent back, or why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// Last change (RFC 3339).
    updated_at: String,
}

impl PublicationSummary {
    fn of(r: &PublicationRow) -> PublicationSummary {
        PublicationSummary {
            id: r.id.to_string(),
            title: r.title.clone(),
            status: r.status.clone(),
            version: r.version,
            campaign: r.campaign_id.map(|c| c.to_string()),
            due_at: r.due_at.map(|t| Timestamp(t).to_rfc3339()),
            published_at: r.published_at.map(|t| Timestamp(t).to_rfc3339()),
            reason: r.reason.clone(),
            updated_at: Timestamp(r.updated_at).to_rfc3339(),
        }
    }
}

/// One channel's words.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantBody {
    /// The channel's id.
    channel: String,
    /// Subject line (needed for e-mail).
    #[serde(default)]
    subject: String,
    /// The words, within the channel's length (feed 5,000; webhook and e-mail 10,000).
    text: String,
}

/// A publication with its review.
#[derive(Serialize, ToSchema)]
pub struct PublicationDetail {
    /// The publication.
    #[serde(flatten)]
    summary: PublicationSummary,
    /// Who wrote it (personal handle; members see it).
    writer: String,
    /// Its words per channel.
    variants: Vec<VariantDetail>,
    /// Approvals of this version.
    approvals: Vec<ApprovalView>,
    /// The tier waiting (1-based) while in review.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_tier: Option<usize>,
    /// Comments and steps, oldest first.
    history: Vec<NoteView>,
    /// What the caller may do now.
    may: MayView,
}

/// One channel's words, as stored.
#[derive(Serialize, ToSchema)]
pub struct VariantDetail {
    /// Channel id.
    channel: String,
    /// Its name.
    channel_name: String,
    /// `feed`, `webhook` or `email`.
    channel_kind: String,
    /// Subject.
    subject: String,
    /// Words.
    text: String,
}

/// An approval.
#[derive(Serialize, ToSchema)]
pub struct ApprovalView {
    /// Who (personal handle).
    by: String,
    /// Tier (1-based).
    tier: i64,
    /// When.
    at: String,
}

/// A comment or a step.
#[derive(Serialize, ToSchema)]
pub struct NoteView {
    /// `comment` or the step.
    event: String,
    /// Who (absent for the job runner).
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    /// The comment, reason or detail.
    detail: String,
    /// When.
    at: String,
}

/// What the caller may do now.
#[derive(Serialize, ToSchema)]
pub struct MayView {
    /// Edit.
    edit: bool,
    /// Submit.
    submit: bool,
    /// Approve.
    approve: bool,
    /// Reject.
    reject: bool,
    /// Schedule.
    schedule: bool,
    /// Unschedule.
    unschedule: bool,
}

impl From<&PublicationView> for PublicationDetail {
    fn from(v: &PublicationView) -> PublicationDetail {
        PublicationDetail {
            summary: PublicationSummary::of(&v.row),
            writer: v.writer.clone(),
            variants: v
                .variants
                .iter()
                .map(|x| VariantDetail {
                    channel: x.channel_id.to_string(),
                    channel_name: x.channel_name.clone(),
                    channel_kind: x.channel_kind.clone(),
                    subject: x.subject.clone(),
                    text: x.body.clone(),
                })
                .collect(),
            approvals: v
                .approvals
                .iter()
                .map(|a| ApprovalView {
                    by: a.handle.clone(),
                    tier: a.tier + 1,
                    at: Timestamp(a.at).to_rfc3339(),
                })
                .collect(),
            waiting_tier: match v.progress {
                Progress::Waiting { tier, .. } if v.status.as_str() == "in_review" => {
                    Some(tier + 1)
                }
                _ => None,
            },
            history: v
                .notes
                .iter()
                .map(|n| NoteView {
                    event: n.event.clone(),
                    by: n.handle.clone(),
                    detail: n.detail.clone(),
                    at: Timestamp(n.at).to_rfc3339(),
                })
                .collect(),
            may: MayView {
                edit: v.may.edit,
                submit: v.may.submit,
                approve: v.may.approve,
                reject: v.may.reject,
                schedule: v.may.schedule,
                unschedule: v.may.unschedule,
            },
        }
    }
}

/// Which publications.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this status.
    status: Option<String>,
    /// At most this many (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A profile's publications, latest change first (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/publications", tag = "publishing",
    params(("handle" = String, Path, description = "Shared profile handle"), ListQuery),
    responses(
        (status = 200, description = "Its publications", body = Vec<PublicationSummary>),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    ))]
async fn list_publications(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<PublicationSummary>>, AppError> {
    let (_, rows) = publishing::list(
        &state,
        &current,
        &handle,
        q.status.as_deref(),
        i64::from(q.limit.unwrap_or(50)),
    )
    .await?;
    Ok(Json(rows.iter().map(PublicationSummary::of).collect()))
}

/// A publication to write or the new state of one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationBody {
    /// Working title (1–200 characters).
    title: String,
    /// Its campaign's id.
    #[serde(default)]
    campaign: Option<String>,
    /// Its words per channel (at least one).
    variants: Vec<VariantBody>,
    /// Editing: the version you are changing.
    #[serde(default)]
    version: Option<i64>,
}

fn input_of(b: PublicationBody) -> Result<PublicationInput, AppError> {
    let campaign_id = match b.campaign.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(c.parse().map_err(|_| {
            AppError::Invalid(format!("campaign '{c}' is not one of this profile's"))
        })?),
    };
    let variants = b
        .variants
        .into_iter()
        .map(|v| {
            Ok(VariantInput {
                channel_id: v.channel.trim().parse().map_err(|_| {
                    AppError::Invalid(format!(
                        "channel '{}' is not one of this profile's connected channels",
                        v.channel
                    ))
                })?,
                subject: v.subject,
                body: v.text,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(PublicationInput {
        title: b.title,
        campaign_id,
        variants,
    })
}

/// Write a draft (owners and editors).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/publications", tag = "publishing", operation_id = "create_publication", request_body = PublicationBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "The draft", body = PublicationSummary),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 422, description = "No title or channel; unknown channel or campaign; a variant over its channel's length or without a needed subject", body = ErrorBody),
        (status = 429, description = "Too many writes", body = ErrorBody),
    ))]
async fn create_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<PublicationBody>,
) -> Result<(StatusCode, Json<PublicationSummary>), AppError> {
    let row = publishing::create(&state, &current, &handle, &input_of(b)?).await?;
    Ok((StatusCode::CREATED, Json(PublicationSummary::of(&row))))
}

/// One publication with its review (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/publications/{id}", tag = "publishing",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "The publication", body = PublicationDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
    ))]
async fn get_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<PublicationDetail>, AppError> {
    let v = publishing::get(&state, &current, &handle, id_of(&id)?).await?;
    Ok(Json((&v).into()))
}

/// Change a publication (owners and editors): a new version; one that was
/// approved or scheduled goes back to review. Published ones never change.
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/publications/{id}", tag = "publishing", operation_id = "edit_publication", request_body = PublicationBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "The new version", body = PublicationSummary),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "Published or publishing; version missing or stale; bad title, channel, campaign or variant", body = ErrorBody),
    ))]
async fn edit_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<PublicationBody>,
) -> Result<Json<PublicationSummary>, AppError> {
    let version = b
        .version
        .ok_or_else(|| AppError::Invalid("say which version you are editing (version)".into()))?;
    let row = publishing::edit(
        &state,
        &current,
        &handle,
        id_of(&id)?,
        version,
        &input_of(b)?,
    )
    .await?;
    Ok(Json(PublicationSummary::of(&row)))
}

/// Send a draft for review (owners and editors); the waiting tier's
/// reviewers are notified.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/publications/{id}/submit", tag = "publishing",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "In review (or approved when no approvals are needed)", body = PublicationSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "Not a draft", body = ErrorBody),
    ))]
async fn submit_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<PublicationSummary>, AppError> {
    let row = publishing::submit(&state, &current, &handle, id_of(&id)?).await?;
    Ok(Json(PublicationSummary::of(&row)))
}

/// The version meant.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// The version you reviewed.
    version: i64,
}

/// Approve the version you reviewed, in the tier waiting now (a member the
/// tier admits; never the writer; once).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/publications/{id}/approve", tag = "publishing", request_body = VersionBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "Approved in its tier", body = PublicationSummary),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The writer, or not admitted by the waiting tier", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "Not in review, already approved by you, or the version changed", body = ErrorBody),
    ))]
async fn approve_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<VersionBody>,
) -> Result<Json<PublicationSummary>, AppError> {
    let row = publishing::approve(&state, &current, &handle, id_of(&id)?, b.version).await?;
    Ok(Json(PublicationSummary::of(&row)))
}

/// Why it goes back.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// The reason the writer sees (1–1000 characters).
    reason: String,
}

/// Send a publication back to its writer with a reason.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/publications/{id}/reject", tag = "publishing", request_body = ReasonBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "Rejected", body = PublicationSummary),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a reviewer of it", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "No reason, or not in review or approved", body = ErrorBody),
    ))]
async fn reject_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> Result<Json<PublicationSummary>, AppError> {
    let row = publishing::reject(&state, &current, &handle, id_of(&id)?, &b.reason).await?;
    Ok(Json(PublicationSummary::of(&row)))
}

/// A comment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// 1–2000 characters.
    text: String,
}

/// Comment on a publication (members).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/publications/{id}/comments", tag = "publishing", request_body = CommentBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 201, description = "Commented"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
        (status = 429, description = "Too many writes", body = ErrorBody),
    ))]
async fn comment_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<CommentBody>,
) -> Result<StatusCode, AppError> {
    publishing::comment(&state, &current, &handle, id_of(&id)?, &b.text).await?;
    Ok(StatusCode::CREATED)
}

/// When to publish.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// The approved version.
    version: i64,
    /// Wall-clock minute in the profile's zone, e.g. `2026-12-10T09:00`.
    at: String,
}

/// Schedule an approved publication (owners and editors, acting as the
/// profile: it is speech, with its byline). The job runner publishes it at
/// the due minute, once.
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/publications/{id}/schedule", tag = "publishing", operation_id = "schedule_publication", request_body = ScheduleBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "Scheduled", body = PublicationSummary),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not acting as the profile, or may not speak as it (role or shift)", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "Not approved, a stale version, a time in the past or unreadable, or a disconnected channel", body = ErrorBody),
    ))]
async fn schedule_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<ScheduleBody>,
) -> Result<Json<PublicationSummary>, AppError> {
    let row =
        publishing::schedule(&state, &current, &handle, id_of(&id)?, b.version, &b.at).await?;
    Ok(Json(PublicationSummary::of(&row)))
}

/// Take a publication off the schedule (owners and editors); it stays approved.
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/publications/{id}/schedule", tag = "publishing", operation_id = "unschedule_publication",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Publication id")),
    responses(
        (status = 200, description = "Approved again, not scheduled", body = PublicationSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such publication, or not a member", body = ErrorBody),
        (status = 422, description = "Not scheduled", body = ErrorBody),
    ))]
async fn unschedule_publication(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<PublicationSummary>, AppError> {
    let row = publishing::unschedule(&state, &current, &handle, id_of(&id)?).await?;
    Ok(Json(PublicationSummary::of(&row)))
}

/// A stretch of the calendar.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// From this instant (RFC 3339).
    from: String,
    /// Up to this instant (RFC 3339), at most 62 days later.
    to: String,
}

/// One item on the calendar.
#[derive(Serialize, ToSchema)]
pub struct CalendarItem {
    /// Publication id.
    id: String,
    /// The shared profile (handle).
    profile: String,
    /// Title.
    title: String,
    /// Status.
    status: String,
    /// Due or published (RFC 3339).
    at: String,
    /// Its campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<String>,
}

fn items(rows: Vec<CalendarRow>) -> Vec<CalendarItem> {
    rows.into_iter()
        .map(|r| CalendarItem {
            id: r.id.to_string(),
            profile: r.handle,
            title: r.title,
            status: r.status,
            at: Timestamp(r.due_at).to_rfc3339(),
            campaign: r.campaign_name,
        })
        .collect()
}

fn range(q: &CalendarQuery) -> Result<(Timestamp, Timestamp), AppError> {
    let parse = |s: &str, what: &str| {
        Timestamp::parse_rfc3339(s).ok_or_else(|| {
            AppError::Invalid(format!(
                "{what} must be an RFC 3339 instant such as 2026-12-01T00:00:00Z"
            ))
        })
    };
    Ok((parse(&q.from, "from")?, parse(&q.to, "to")?))
}

/// One profile's content calendar (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/calendar", tag = "publishing",
    params(("handle" = String, Path, description = "Shared profile handle"), CalendarQuery),
    responses(
        (status = 200, description = "Publications due in the range, in time order", body = Vec<CalendarItem>),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 422, description = "Unreadable instants, or a range over 62 days or backwards", body = ErrorBody),
    ))]
async fn profile_calendar(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> Result<Json<Vec<CalendarItem>>, AppError> {
    let (from, to) = range(&q)?;
    let rows = publishing::calendar(&state, &current, Some(&handle), from, to).await?;
    Ok(Json(items(rows)))
}

/// The content calendar across every shared profile the caller belongs to.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "publishing",
    params(CalendarQuery),
    responses(
        (status = 200, description = "Publications due in the range, in time order", body = Vec<CalendarItem>),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Unreadable instants, or a range over 62 days or backwards", body = ErrorBody),
    ))]
async fn calendar(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> Result<Json<Vec<CalendarItem>>, AppError> {
    let (from, to) = range(&q)?;
    let rows = publishing::calendar(&state, &current, None, from, to).await?;
    Ok(Json(items(rows)))
}
