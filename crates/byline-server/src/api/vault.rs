//! A shared profile's credential vault: names and custodians for members,
//! values for custodians only, at the moment they ask. Responses that
//! carry a value are marked `Cache-Control: no-store`.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_app::vault::{self, Secret, SecretChange, SecretInput};
use byline_core::Timestamp;
use byline_core::vault::SecretFields;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(get_secret, change, remove))
        .routes(routes!(set_custodians))
        .routes(routes!(reveal))
        .routes(routes!(copy))
        .routes(routes!(totp))
        .routes(routes!(list_requests, request_reveal))
        .routes(routes!(approve))
}

/// A vault entry as members see it: never its value.
#[derive(Serialize, ToSchema)]
pub struct SecretView {
    /// Id.
    id: String,
    /// Its name.
    name: String,
    /// `login`, `password`, `api_token`, `oauth`, `totp` or `note`.
    kind: String,
    /// Whether it holds a TOTP seed (custodians can take codes).
    has_totp: bool,
    /// Whether a reveal needs a second custodian's approval.
    two_person: bool,
    /// Custodians' handles.
    custodians: Vec<String>,
    /// Whether the caller is a custodian.
    custodian: bool,
    /// When its value was last set (RFC 3339).
    changed_at: String,
}

impl From<&Secret> for SecretView {
    fn from(s: &Secret) -> SecretView {
        SecretView {
            id: s.row.id.to_string(),
            name: s.row.name.clone(),
            kind: s.row.kind.clone(),
            has_totp: s.row.has_totp,
            two_person: s.row.two_person,
            custodians: s.custodians.iter().map(|c| c.handle.clone()).collect(),
            custodian: s.mine,
            changed_at: Timestamp(s.row.changed_at).to_rfc3339(),
        }
    }
}

/// A secret to rotate.
#[derive(Serialize, ToSchema)]
pub struct RotationView {
    /// The secret's id.
    secret: String,
    /// Its name.
    name: String,
    /// `leaver` (someone who saw it left) or `age`.
    reason: String,
    /// For a leaver, their handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    leaver: Option<String>,
    /// Since when (RFC 3339).
    since: String,
}

/// A profile's vault.
#[derive(Serialize, ToSchema)]
pub struct VaultList {
    /// Its entries, by name.
    secrets: Vec<SecretView>,
    /// Secrets to rotate (owners only; empty for others).
    rotations: Vec<RotationView>,
}

/// A secret's fields. Only the ones the kind needs are required.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FieldsBody {
    /// Login name.
    #[serde(default)]
    username: Option<String>,
    /// Password.
    #[serde(default)]
    password: Option<String>,
    /// API or OAuth access token.
    #[serde(default)]
    token: Option<String>,
    /// OAuth refresh token.
    #[serde(default)]
    refresh_token: Option<String>,
    /// TOTP seed, base32; gives codes, never shown again.
    #[serde(default)]
    totp_seed: Option<String>,
    /// Free text.
    #[serde(default)]
    notes: Option<String>,
}

impl From<FieldsBody> for SecretFields {
    fn from(b: FieldsBody) -> SecretFields {
        let keep = |o: Option<String>| o.filter(|s| !s.is_empty());
        SecretFields {
            username: keep(b.username),
            password: keep(b.password),
            token: keep(b.token),
            refresh_token: keep(b.refresh_token),
            totp_seed: keep(b.totp_seed),
            notes: keep(b.notes),
        }
    }
}

/// A new vault entry.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSecretBody {
    /// 1–120 characters, unique in the profile's vault.
    name: String,
    /// `login`, `password`, `api_token`, `oauth`, `totp` or `note`.
    kind: String,
    /// Its value.
    fields: FieldsBody,
    /// Custodians' handles: members who act for the profile.
    custodians: Vec<String>,
    /// Whether a reveal needs a second custodian's approval.
    #[serde(default)]
    two_person: bool,
}

fn secret_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A shared profile's vault: names, kinds and custodians (members only).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/vault", tag = "vault",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "The vault, no values", body = VaultList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<VaultList>, AppError> {
    let v = vault::load(&state, &current, &handle).await?;
    Ok(Json(VaultList {
        secrets: v.secrets.iter().map(SecretView::from).collect(),
        rotations: v
            .rotations
            .iter()
            .map(|r| RotationView {
                secret: r.secret_id.to_string(),
                name: r.secret_name.clone(),
                reason: r.reason.clone(),
                leaver: r.leaver_handle.clone(),
                since: Timestamp(r.created_at).to_rfc3339(),
            })
            .collect(),
    }))
}

/// Put a secret in the vault (owners and editors); it is sealed at once.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/vault", tag = "vault", request_body = NewSecretBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "Stored, sealed", body = SecretView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners and editors only", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 409, description = "Name taken in this vault", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Unknown kind, missing fields, seed not base32, too large, unknown, duplicate or non-member custodians", body = ErrorBody),
    ))]
async fn add(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<NewSecretBody>,
) -> Result<(StatusCode, Json<SecretView>), AppError> {
    let s = vault::add(
        &state,
        &current,
        &handle,
        SecretInput {
            name: b.name,
            kind: b.kind,
            fields: b.fields.into(),
            custodians: b.custodians,
            two_person: b.two_person,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(SecretView::from(&s))))
}

/// One vault entry, without its value.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/vault/{id}", tag = "vault",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "The entry", body = SecretView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
    ))]
async fn get_secret(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<SecretView>, AppError> {
    let s = vault::secret(&state, &current, &handle, secret_id(&id)?).await?;
    Ok(Json(SecretView::from(&s)))
}

/// A change to a vault entry.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    /// A new name (custodians and owners).
    #[serde(default)]
    name: Option<String>,
    /// The two-person rule (owners).
    #[serde(default)]
    two_person: Option<bool>,
    /// A new value: a rotation (custodians); closes its rotation tasks.
    #[serde(default)]
    fields: Option<FieldsBody>,
}

/// Rename a vault entry, change its two-person rule, or rotate its value.
#[utoipa::path(patch, path = "/api/v1/shared-profiles/{handle}/vault/{id}", tag = "vault", request_body = ChangeBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "Changed", body = SecretView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian (value, name) or owner (two-person rule)", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 409, description = "Name taken in this vault", body = ErrorBody),
        (status = 422, description = "Bad name or fields", body = ErrorBody),
    ))]
async fn change(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<ChangeBody>,
) -> Result<Json<SecretView>, AppError> {
    let s = vault::change(
        &state,
        &current,
        &handle,
        secret_id(&id)?,
        SecretChange {
            name: b.name,
            two_person: b.two_person,
            fields: b.fields.map(SecretFields::from),
        },
    )
    .await?;
    Ok(Json(SecretView::from(&s)))
}

/// Take an entry out of the vault (owners); its sealed bytes are erased.
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/vault/{id}", tag = "vault",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    vault::remove(&state, &current, &handle, secret_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A secret's custodians.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustodiansBody {
    /// Handles of members who act for the profile; at least one (two for a two-person entry).
    custodians: Vec<String>,
}

/// Choose an entry's custodians (owners, who see no value unless they name themselves).
#[utoipa::path(put, path = "/api/v1/shared-profiles/{handle}/vault/{id}/custodians", tag = "vault", request_body = CustodiansBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "Custodians set", body = SecretView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 422, description = "Unknown, duplicate or non-member custodians, or too few", body = ErrorBody),
    ))]
async fn set_custodians(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<CustodiansBody>,
) -> Result<Json<SecretView>, AppError> {
    let s =
        vault::set_custodians(&state, &current, &handle, secret_id(&id)?, &b.custodians).await?;
    Ok(Json(SecretView::from(&s)))
}

/// Which approved request a two-person reveal uses.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RevealBody {
    /// An approved reveal request (two-person entries only).
    #[serde(default)]
    request: Option<String>,
}

/// A revealed entry.
#[derive(Serialize, ToSchema)]
pub struct RevealedView {
    /// The entry.
    secret: SecretView,
    /// Login name.
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    /// Password.
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
    /// Token.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// Refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// Notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
}

fn request_id(r: Option<&str>) -> Result<Option<i64>, AppError> {
    r.map(|r| {
        r.parse()
            .map_err(|_| AppError::Invalid("request must be a reveal request's id".into()))
    })
    .transpose()
}

/// Reveal an entry's value (custodians; two-person entries need an approved request). Audited; the profile's owners are told.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/vault/{id}/reveal", tag = "vault", operation_id = "reveal_secret", request_body = RevealBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "The value, once (not cached)", body = RevealedView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian, or approval needed", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 422, description = "Request not approved, expired or used", body = ErrorBody),
        (status = 500, description = "The entry does not open (wrong key, tampered)", body = ErrorBody),
    ))]
async fn reveal(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<RevealBody>,
) -> Result<Response, AppError> {
    let id = secret_id(&id)?;
    let r = vault::reveal(
        &state,
        &current,
        &handle,
        id,
        request_id(b.request.as_deref())?,
    )
    .await?;
    let s = Secret {
        row: r.row,
        custodians: r.custodians,
        mine: true,
    };
    let mut fields = r.fields;
    Ok(no_store(
        Json(RevealedView {
            secret: SecretView::from(&s),
            username: fields.username.take(),
            password: fields.password.take(),
            token: fields.token.take(),
            refresh_token: fields.refresh_token.take(),
            notes: fields.notes.take(),
        })
        .into_response(),
    ))
}

/// One field to copy.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyBody {
    /// `username`, `password`, `token`, `refresh_token` or `notes`.
    field: String,
    /// An approved reveal request (two-person entries only).
    #[serde(default)]
    request: Option<String>,
}

/// A copied value.
#[derive(Serialize, ToSchema)]
pub struct CopiedView {
    /// The field's value.
    value: String,
}

/// Copy one field of an entry (custodians); audited like a reveal.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/vault/{id}/copy", tag = "vault", request_body = CopyBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "The value (not cached)", body = CopiedView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian, or approval needed", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 422, description = "Unknown or empty field; request not approved", body = ErrorBody),
        (status = 500, description = "The entry does not open (wrong key, tampered)", body = ErrorBody),
    ))]
async fn copy(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<CopyBody>,
) -> Result<Response, AppError> {
    let value = vault::copy(
        &state,
        &current,
        &handle,
        secret_id(&id)?,
        &b.field,
        request_id(b.request.as_deref())?,
    )
    .await?;
    Ok(no_store(
        Json(CopiedView {
            value: value.as_str().to_owned(),
        })
        .into_response(),
    ))
}

/// A TOTP code.
#[derive(Serialize, ToSchema)]
pub struct TotpView {
    /// Six digits.
    code: String,
    /// Seconds until the next code.
    seconds_left: u32,
}

/// The current TOTP code of an entry's seed (custodians); the seed is never shown.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/vault/{id}/totp", tag = "vault",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "The code (not cached)", body = TotpView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 422, description = "The entry has no TOTP seed", body = ErrorBody),
        (status = 500, description = "The entry does not open (wrong key, tampered)", body = ErrorBody),
    ))]
async fn totp(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let t = vault::totp(&state, &current, &handle, secret_id(&id)?).await?;
    Ok(no_store(
        Json(TotpView {
            code: t.code,
            seconds_left: t.seconds_left,
        })
        .into_response(),
    ))
}

/// A two-person reveal request.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    /// Id.
    id: String,
    /// Who asked (handle).
    requested_by: String,
    /// Why.
    reason: String,
    /// When (RFC 3339).
    requested_at: String,
    /// Until when it may be approved and used (RFC 3339).
    expires_at: String,
    /// `waiting`, `approved`, `used` or `expired`.
    state: &'static str,
}

/// A reason for a two-person reveal.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    /// Why you need the value, 1–500 characters.
    reason: String,
}

/// Created.
#[derive(Serialize, ToSchema)]
pub struct CreatedView {
    /// The new request's id.
    id: String,
}

/// A two-person entry's recent reveal requests (custodians).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/vault/{id}/requests", tag = "vault", operation_id = "list_reveal_requests",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "Newest first", body = [RequestView]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
    ))]
async fn list_requests(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<Vec<RequestView>>, AppError> {
    let now = crate::state::now().micros();
    let rows = vault::requests(&state, &current, &handle, secret_id(&id)?).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| RequestView {
                id: r.id.to_string(),
                requested_by: r.requester_handle,
                reason: r.reason,
                requested_at: Timestamp(r.requested_at).to_rfc3339(),
                expires_at: Timestamp(r.expires_at).to_rfc3339(),
                state: match (r.used_at, r.approved_by) {
                    (Some(_), _) => "used",
                    _ if r.expires_at <= now => "expired",
                    (None, Some(_)) => "approved",
                    (None, None) => "waiting",
                },
            })
            .collect(),
    ))
}

/// Ask for a two-person reveal; another custodian approves it within 15 minutes.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/vault/{id}/requests", tag = "vault", request_body = RequestBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id")),
    responses(
        (status = 201, description = "Waiting for approval", body = CreatedView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 422, description = "No reason, or the entry needs no approval", body = ErrorBody),
    ))]
async fn request_reveal(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<RequestBody>,
) -> Result<(StatusCode, Json<CreatedView>), AppError> {
    let id = vault::request_reveal(&state, &current, &handle, secret_id(&id)?, &b.reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedView { id: id.to_string() }),
    ))
}

/// Approve another custodian's reveal request (custodians, not the one who asked).
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/vault/{id}/requests/{request}/approve", tag = "vault",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Secret id"),
           ("request" = String, Path, description = "Request id")),
    responses(
        (status = 204, description = "Approved"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a custodian", body = ErrorBody),
        (status = 404, description = "No such entry, or not a member", body = ErrorBody),
        (status = 422, description = "Your own request, already approved, or expired", body = ErrorBody),
    ))]
async fn approve(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id, request)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    let request: i64 = request.parse().map_err(|_| AppError::NotFound)?;
    vault::approve(&state, &current, &handle, secret_id(&id)?, request).await?;
    Ok(StatusCode::NO_CONTENT)
}
