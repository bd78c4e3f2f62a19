//! Shared profiles and acting as them.

use crate::api::views::ProfileView;
use crate::auth::{Client, CurrentUser};
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::acting;
use byline_app::shared_profiles;
use byline_store::shared_profiles::ActingSession;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(update))
        .routes(routes!(members))
        .routes(routes!(who_acted))
        .routes(routes!(set_member, remove_member))
        .routes(routes!(current_acting, switch_in, switch_out))
}

/// A new shared profile.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSharedProfile {
    /// Handle, e.g. `it-helpdesk`.
    handle: String,
    /// Shown name, e.g. "IT Help Desk".
    display_name: String,
    /// `signed`, `internal` or `sealed`.
    #[schema(value_type = super::views::PolicyName)]
    attribution_policy: String,
}

/// Create a shared profile (admins).
#[utoipa::path(post, path = "/api/v1/shared-profiles", tag = "shared profiles", request_body = CreateSharedProfile,
    responses(
        (status = 201, description = "Created", body = ProfileView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 409, description = "Handle taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Bad handle, name or policy", body = ErrorBody),
    ))]
async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(b): ApiJson<CreateSharedProfile>,
) -> Result<(StatusCode, Json<ProfileView>), AppError> {
    let p = shared_profiles::create(
        &state,
        &current,
        &b.handle,
        &b.display_name,
        &b.attribution_policy,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Settings of a shared profile.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSharedProfile {
    /// `signed`, `internal` or `sealed`; applies to later posts only.
    #[serde(default)]
    #[schema(value_type = Option<super::views::PolicyName>)]
    attribution_policy: Option<String>,
    /// Whether only members on shift (and owners) may speak as the profile.
    #[serde(default)]
    shift_only: Option<bool>,
}

/// Change a shared profile's attribution policy or shift-only rule (owners and admins).
#[utoipa::path(patch, path = "/api/v1/shared-profiles/{handle}", tag = "shared profiles", request_body = UpdateSharedProfile,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Changed", body = ProfileView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown policy, or nothing to change", body = ErrorBody),
    ))]
async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<UpdateSharedProfile>,
) -> Result<Json<ProfileView>, AppError> {
    if b.attribution_policy.is_none() && b.shift_only.is_none() {
        return Err(AppError::Invalid(
            "say what to change: attribution_policy, shift_only or both".into(),
        ));
    }
    if b.attribution_policy
        .as_deref()
        .is_some_and(|p| byline_core::shared_profile::AttributionPolicy::parse(p).is_none())
    {
        return Err(AppError::Invalid(
            "attribution_policy is 'signed', 'internal' or 'sealed'".into(),
        ));
    }
    if let Some(on) = b.shift_only {
        byline_app::rosters::set_shift_only(&state, &current, &handle, on).await?;
    }
    if let Some(policy) = b.attribution_policy.as_deref() {
        shared_profiles::set_policy(&state, &current, &handle, policy).await?;
    }
    let (p, _) = shared_profiles::shared(&state, &current, &handle).await?;
    Ok(Json(p.into()))
}

/// A member of a shared profile.
#[derive(Serialize, ToSchema)]
pub struct MemberView {
    /// Their personal handle.
    handle: String,
    /// Their name.
    display_name: String,
    /// `owner`, `editor`, `responder` or `observer`.
    role: String,
}

/// Members.
#[derive(Serialize, ToSchema)]
pub struct MemberList {
    /// By handle.
    members: Vec<MemberView>,
}

/// The members of a shared profile (its members and admins).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/members", tag = "shared profiles",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Members", body = MemberList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Members and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
    ))]
async fn members(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<MemberList>, AppError> {
    let list = shared_profiles::members(&state, &current, &handle).await?;
    Ok(Json(MemberList {
        members: list
            .into_iter()
            .map(|m| MemberView {
                handle: m.handle,
                display_name: m.display_name,
                role: m.role,
            })
            .collect(),
    }))
}

/// A member's role.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    /// `owner`, `editor`, `responder` or `observer`.
    #[schema(value_type = super::views::ProfileRoleName)]
    role: String,
}

/// Give someone a role on a shared profile (owners and admins).
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/members/{member}", tag = "shared profiles", request_body = SetRole,
    params(("handle" = String, Path, description = "Shared profile handle"), ("member" = String, Path, description = "The person's handle")),
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown role or person", body = ErrorBody),
    ))]
async fn set_member(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, member)): Path<(String, String)>,
    ApiJson(b): ApiJson<SetRole>,
) -> Result<StatusCode, AppError> {
    shared_profiles::set_member(&state, &current, &handle, &member, Some(&b.role)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove someone from a shared profile (owners and admins); their acting session on it ends.
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/members/{member}", tag = "shared profiles",
    params(("handle" = String, Path, description = "Shared profile handle"), ("member" = String, Path, description = "The person's handle")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 422, description = "Unknown person", body = ErrorBody),
    ))]
async fn remove_member(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, member)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    shared_profiles::set_member(&state, &current, &handle, &member, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shared profile you are acting as.
#[derive(Serialize, ToSchema)]
pub struct ActingView {
    /// Acting session id.
    session: String,
    /// The shared profile's handle.
    handle: String,
    /// Its name.
    display_name: String,
    /// Your role on it.
    role: String,
    /// Its attribution policy.
    attribution_policy: String,
    /// RFC 3339.
    started_at: String,
}

impl From<ActingSession> for ActingView {
    fn from(s: ActingSession) -> ActingView {
        ActingView {
            session: s.id.to_string(),
            handle: s.membership.handle,
            display_name: s.membership.display_name,
            role: s.membership.role.as_str().to_owned(),
            attribution_policy: s.membership.policy.as_str().to_owned(),
            started_at: s.started_at.to_rfc3339(),
        }
    }
}

/// Whom you are acting as right now.
#[utoipa::path(get, path = "/api/v1/me/acting", tag = "shared profiles",
    responses(
        (status = 200, description = "Acting as this profile", body = ActingView),
        (status = 204, description = "Acting as yourself"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn current_acting(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    Ok(match acting::current(&state, &current).await? {
        Some(s) => Json(ActingView::from(s)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Which shared profile to act as.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchIn {
    /// Its handle.
    profile: String,
}

/// Switch to acting as a shared profile you are a member of (starts an acting session).
#[utoipa::path(put, path = "/api/v1/me/acting", tag = "shared profiles", request_body = SwitchIn,
    responses(
        (status = 200, description = "Now acting as the profile", body = ActingView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of that profile", body = ErrorBody),
        (status = 404, description = "Not a handle", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Body does not fit", body = ErrorBody),
    ))]
async fn switch_in(
    State(state): State<AppState>,
    current: CurrentUser,
    client: Client,
    ApiJson(b): ApiJson<SwitchIn>,
) -> Result<Json<ActingView>, AppError> {
    Ok(Json(
        acting::switch_in(&state, &current, &b.profile, &client.user_agent)
            .await?
            .into(),
    ))
}

/// Stop acting as a shared profile.
#[utoipa::path(delete, path = "/api/v1/me/acting", tag = "shared profiles",
    responses(
        (status = 204, description = "Acting as yourself again"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn switch_out(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<StatusCode, AppError> {
    acting::switch_out(&state, &current, "switched_out").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The time window asked about.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// Start, RFC 3339 with your offset, e.g. `2026-11-18T14:30:00+01:00`.
    from: String,
    /// End (exclusive), same form; at most 31 days after `from`.
    to: String,
}

/// An acting session in the answer.
#[derive(Serialize, ToSchema)]
pub struct ActingRecordView {
    /// Session id.
    session: String,
    /// The person.
    handle: String,
    /// Their name.
    display_name: String,
    /// RFC 3339.
    started_at: String,
    /// RFC 3339, if it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_at: Option<String>,
    /// Why it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    end_reason: Option<String>,
    /// Where they were.
    source_address: String,
    /// Their browser or client.
    user_agent: String,
}

/// Something said as the profile in the window.
#[derive(Serialize, ToSchema)]
pub struct ActionView {
    /// What was done, e.g. `post.create_as_profile`, `post.edit_as_profile`,
    /// `post.react_as_profile`, `message.send_as_profile`.
    action: String,
    /// What it touched, e.g. `post:42` or `message:7`.
    target: String,
    /// The post, when the target is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    post: Option<String>,
    /// RFC 3339.
    at: String,
    /// Its acting session.
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
    /// Who wrote it.
    handle: String,
    /// Where they were.
    source_address: String,
}

/// Who was acting as a profile in a window.
#[derive(Serialize, ToSchema)]
pub struct WhoActedView {
    /// Acting sessions overlapping the window.
    sessions: Vec<ActingRecordView>,
    /// What was said as the profile inside it.
    actions: Vec<ActionView>,
}

/// Who was acting as this profile between `from` and `to`? (Admins; a
/// sealed profile needs an open investigation.) The question is audited.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/acting", tag = "shared profiles",
    params(("handle" = String, Path, description = "Shared profile handle"), WindowQuery),
    responses(
        (status = 400, description = "Malformed query string (an unknown parameter, a value of the wrong type)", body = ErrorBody),
        (status = 200, description = "Sessions and attributed actions", body = WhoActedView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such shared profile", body = ErrorBody),
        (status = 422, description = "Bad window, or a sealed profile without an investigation", body = ErrorBody),
    ))]
async fn who_acted(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    crate::json::ApiQuery(q): crate::json::ApiQuery<WindowQuery>,
) -> Result<Json<WhoActedView>, AppError> {
    use byline_core::Timestamp;
    let (from, to) = shared_profiles::parse_window(&q.from, &q.to)?;
    let w = shared_profiles::who_acted(&state, &current, &handle, from, to).await?;
    Ok(Json(WhoActedView {
        sessions: w
            .sessions
            .into_iter()
            .map(|s| ActingRecordView {
                session: s.id.to_string(),
                handle: s.handle,
                display_name: s.display_name,
                started_at: Timestamp(s.started_at).to_rfc3339(),
                ended_at: s.ended_at.map(|t| Timestamp(t).to_rfc3339()),
                end_reason: s.end_reason,
                source_address: s.source_address,
                user_agent: s.user_agent,
            })
            .collect(),
        actions: w
            .actions
            .into_iter()
            .map(|a| ActionView {
                post: a.target.strip_prefix("post:").map(str::to_owned),
                action: a.action,
                target: a.target,
                at: Timestamp(a.at).to_rfc3339(),
                session: a.acting_session_id.map(|s| s.to_string()),
                handle: a.handle,
                source_address: a.source_address,
            })
            .collect(),
    }))
}
