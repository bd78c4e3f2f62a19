//! The vault page of a shared profile: its secrets' names and custodians
//! for members; reveal, copy, TOTP codes, two-person requests and rotation
//! for custodians; custodians, rotation tasks and removal for owners.
//! A page that shows a value is never cached.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::state::{AppState, now};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::vault::{self, Revealed, SecretChange, SecretInput};
use byline_core::Timestamp;
use byline_core::vault::SecretFields;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vault_page, add))
        .routes(routes!(reveal))
        .routes(routes!(request))
        .routes(routes!(approve))
        .routes(routes!(custodians))
        .routes(routes!(rotate))
        .routes(routes!(remove))
}

/// A reveal request as a custodian sees it.
struct RequestLine {
    id: i64,
    who: String,
    reason: String,
    until: String,
    mine: bool,
    approved: bool,
}

/// One field shown after a reveal.
struct ShownField {
    label: &'static str,
    value: String,
}

/// A secret as the page shows it.
struct SecretCard {
    id: i64,
    name: String,
    kind: String,
    has_totp: bool,
    two_person: bool,
    /// Two-person with fewer than two custodians: nobody can approve.
    lonely: bool,
    custodians: String,
    changed: String,
    mine: bool,
    /// (field, label) pairs the viewer may copy.
    copyable: Vec<(&'static str, &'static str)>,
    requests: Vec<RequestLine>,
    /// An approved request of the viewer's, ready to use.
    approved_request: Option<i64>,
    shown: Vec<ShownField>,
}

/// A rotation task.
struct RotationLine {
    secret_id: i64,
    name: String,
    why: String,
}

#[derive(Template)]
#[template(path = "vault.html")]
struct VaultPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    secrets: Vec<SecretCard>,
    rotations: Vec<RotationLine>,
    /// Members who may be custodians: (handle, name).
    candidates: Vec<(String, String)>,
    can_add: bool,
    can_manage: bool,
    error: Option<String>,
    notice: Option<String>,
}

fn copyable(kind: &str) -> Vec<(&'static str, &'static str)> {
    match kind {
        "login" => vec![("username", "username"), ("password", "password")],
        "password" => vec![("password", "password")],
        "api_token" => vec![("token", "token")],
        "oauth" => vec![("token", "token"), ("refresh_token", "refresh token")],
        "note" => vec![("notes", "notes")],
        _ => Vec::new(),
    }
}

fn shown(fields: &SecretFields) -> Vec<ShownField> {
    [
        ("Username", &fields.username),
        ("Password", &fields.password),
        ("Token", &fields.token),
        ("Refresh token", &fields.refresh_token),
        ("Notes", &fields.notes),
    ]
    .into_iter()
    .filter_map(|(label, v)| {
        v.as_ref().map(|v| ShownField {
            label,
            value: v.clone(),
        })
    })
    .collect()
}

async fn page(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    revealed: Option<Revealed>,
    error: Option<String>,
    notice: Option<String>,
) -> Result<VaultPage, PageError> {
    let v = vault::load(state, current, handle).await?;
    let at = now().micros();
    let mut secrets = Vec::with_capacity(v.secrets.len());
    for s in &v.secrets {
        let requests = if s.mine && s.row.two_person {
            vault::requests(state, current, handle, s.row.id).await?
        } else {
            Vec::new()
        };
        let open: Vec<RequestLine> = requests
            .iter()
            .filter(|r| r.used_at.is_none() && r.expires_at > at)
            .map(|r| RequestLine {
                id: r.id,
                who: r.requester_handle.clone(),
                reason: r.reason.clone(),
                until: Timestamp(r.expires_at).to_minute_label(),
                mine: r.requested_by == current.user.id,
                approved: r.approved_by.is_some(),
            })
            .collect();
        secrets.push(SecretCard {
            id: s.row.id,
            name: s.row.name.clone(),
            kind: s.row.kind.replace('_', " "),
            has_totp: s.row.has_totp,
            two_person: s.row.two_person,
            lonely: s.row.two_person && s.custodians.len() < 2,
            custodians: s
                .custodians
                .iter()
                .map(|c| format!("@{}", c.handle))
                .collect::<Vec<_>>()
                .join(", "),
            changed: Timestamp(s.row.changed_at).to_minute_label(),
            mine: s.mine,
            copyable: copyable(&s.row.kind),
            approved_request: open.iter().find(|r| r.mine && r.approved).map(|r| r.id),
            requests: open,
            shown: revealed
                .as_ref()
                .filter(|r| r.row.id == s.row.id)
                .map(|r| shown(&r.fields))
                .unwrap_or_default(),
        });
    }
    Ok(VaultPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: v.profile.handle.clone(),
        name: v.profile.display_name.clone(),
        rotations: v
            .rotations
            .iter()
            .map(|r| RotationLine {
                secret_id: r.secret_id,
                name: r.secret_name.clone(),
                why: match &r.leaver_handle {
                    Some(h) => format!("@{h}, who saw it, left"),
                    None => "its value is old".to_owned(),
                },
            })
            .collect(),
        candidates: v
            .candidates
            .iter()
            .map(|m| (m.handle.clone(), m.display_name.clone()))
            .collect(),
        can_add: v.can_add,
        can_manage: v.can_manage,
        secrets,
        error,
        notice,
    })
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Shows the page again with a refusal's reason (422 or 403), or fails.
async fn refused(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    e: byline_app::Error,
) -> Result<Response, PageError> {
    let (status, why) = super::refusal(e)?;
    let p = page(state, current, handle, None, Some(why), None).await?;
    Ok((status, render(&p)?).into_response())
}

/// A shared profile's vault (members): names and custodians, never values.
#[utoipa::path(get, path = "/profiles/{handle}/vault", tag = "web", operation_id = "page_vault",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses((status = 200, description = "Vault page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html")))]
async fn vault_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let p = page(&state, &current, &handle, None, None, None).await?;
    Ok(render(&p)?.into_response())
}

/// The add-a-secret form.
#[derive(Deserialize, ToSchema, Default)]
pub struct SecretForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    totp_seed: String,
    #[serde(default)]
    notes: String,
    /// Custodians' handles, comma-separated.
    #[serde(default)]
    custodians: String,
    /// `on` for a two-person secret.
    #[serde(default)]
    two_person: String,
}

fn fields_of(f: &SecretForm) -> SecretFields {
    let keep = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    let mut fields = SecretFields::default();
    fields.username = keep(&f.username);
    fields.password = keep(&f.password);
    fields.token = keep(&f.token);
    fields.refresh_token = keep(&f.refresh_token);
    fields.totp_seed = keep(&f.totp_seed);
    fields.notes = keep(&f.notes);
    fields
}

fn handles(list: &str) -> Vec<String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Puts a secret in the vault (owners and editors); a refusal shows the page with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/vault", tag = "web", operation_id = "page_vault_add",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = SecretForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Stored"),
              (status = 403, description = "Owners and editors only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html"),
              (status = 409, description = "Name taken", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn add(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<SecretForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let input = SecretInput {
        name: f.name.clone(),
        kind: f.kind.clone(),
        fields: fields_of(&f),
        custodians: handles(&f.custodians),
        two_person: f.two_person == "on",
    };
    match vault::add(&state, &current, &handle, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/profiles/{handle}/vault")).into_response()),
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// A form with the CSRF token and, for a two-person secret, the approved request.
#[derive(Deserialize, ToSchema)]
pub struct RevealForm {
    csrf_token: String,
    #[serde(default)]
    request: Option<i64>,
}

/// Reveals a secret's value on the page (custodians); audited, owners told, never cached.
#[utoipa::path(post, path = "/profiles/{handle}/vault/{id}/reveal", tag = "web", operation_id = "page_vault_reveal",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Secret id")),
    request_body(content = RevealForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The page with the value shown", content_type = "text/html"),
              (status = 403, description = "Not a custodian, approval needed, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such secret, or not a member", content_type = "text/html"),
              (status = 422, description = "The request is not approved, expired or used", content_type = "text/html")))]
async fn reveal(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<RevealForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match vault::reveal(&state, &current, &handle, id, f.request).await {
        Ok(r) => {
            let p = page(&state, &current, &handle, Some(r), None, None).await?;
            Ok(no_store(render(&p)?.into_response()))
        }
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// A two-person reveal request.
#[derive(Deserialize, ToSchema)]
pub struct RequestForm {
    csrf_token: String,
    #[serde(default)]
    reason: String,
}

/// Asks for a two-person reveal (custodians).
#[utoipa::path(post, path = "/profiles/{handle}/vault/{id}/requests", tag = "web", operation_id = "page_vault_request",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Secret id")),
    request_body(content = RequestForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The page, the request waiting", content_type = "text/html"),
              (status = 403, description = "Not a custodian, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such secret, or not a member", content_type = "text/html"),
              (status = 422, description = "No reason, or no approval needed", content_type = "text/html")))]
async fn request(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<RequestForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match vault::request_reveal(&state, &current, &handle, id, &f.reason).await {
        Ok(_) => {
            let notice = format!(
                "Request sent: another custodian must approve it within {} minutes.",
                vault::REQUEST_MINUTES
            );
            let p = page(&state, &current, &handle, None, None, Some(notice)).await?;
            Ok(render(&p)?.into_response())
        }
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// A form with only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct TokenOnly {
    csrf_token: String,
}

/// Approves another custodian's reveal request.
#[utoipa::path(post, path = "/profiles/{handle}/vault/{id}/requests/{request}/approve", tag = "web", operation_id = "page_vault_approve",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Secret id"),
           ("request" = i64, Path, description = "Request id")),
    request_body(content = TokenOnly, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Approved"),
              (status = 403, description = "Not a custodian, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such secret, or not a member", content_type = "text/html"),
              (status = 422, description = "Own request, approved already, or expired", content_type = "text/html")))]
async fn approve(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id, request)): Path<(String, i64, i64)>,
    WebForm(f): WebForm<TokenOnly>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match vault::approve(&state, &current, &handle, id, request).await {
        Ok(()) => Ok(Redirect::to(&format!("/profiles/{handle}/vault")).into_response()),
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// A secret's custodians and two-person rule.
#[derive(Deserialize, ToSchema)]
pub struct CustodiansForm {
    csrf_token: String,
    /// Handles, comma-separated.
    #[serde(default)]
    custodians: String,
    /// `on` for a two-person secret.
    #[serde(default)]
    two_person: String,
}

/// Sets a secret's custodians and two-person rule (owners).
#[utoipa::path(post, path = "/profiles/{handle}/vault/{id}/custodians", tag = "web", operation_id = "page_vault_custodians",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Secret id")),
    request_body(content = CustodiansForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such secret, or not a member", content_type = "text/html"),
              (status = 422, description = "Unknown, duplicate or non-member custodians, or too few", content_type = "text/html")))]
async fn custodians(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<CustodiansForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let two_person = f.two_person == "on";
    let before = vault::secret(&state, &current, &handle, id).await;
    let was = before
        .as_ref()
        .map(|s| s.row.two_person)
        .unwrap_or(two_person);
    let rule = |on: bool| SecretChange {
        two_person: Some(on),
        ..SecretChange::default()
    };
    // Loosening the rule first and tightening it last keeps every step valid.
    let steps = async {
        before?;
        if was && !two_person {
            vault::change(&state, &current, &handle, id, rule(false)).await?;
        }
        vault::set_custodians(&state, &current, &handle, id, &handles(&f.custodians)).await?;
        if !was && two_person {
            vault::change(&state, &current, &handle, id, rule(true)).await?;
        }
        Ok::<(), byline_app::Error>(())
    };
    match steps.await {
        Ok(()) => Ok(Redirect::to(&format!("/profiles/{handle}/vault")).into_response()),
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// Sets a new value (custodians): closes the secret's rotation tasks.
#[utoipa::path(post, path = "/profiles/{handle}/vault/{id}/rotate", tag = "web", operation_id = "page_vault_rotate",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Secret id")),
    request_body(content = SecretForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Rotated"),
              (status = 403, description = "Not a custodian, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such secret, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn rotate(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<SecretForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let change = SecretChange {
        fields: Some(fields_of(&f)),
        ..SecretChange::default()
    };
    match vault::change(&state, &current, &handle, id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/profiles/{handle}/vault")).into_response()),
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// Takes a secret out of the vault (owners).
#[utoipa::path(post, path = "/profiles/{handle}/vault/{id}/remove", tag = "web", operation_id = "page_vault_remove",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Secret id")),
    request_body(content = TokenOnly, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such secret, or not a member", content_type = "text/html")))]
async fn remove(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<TokenOnly>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    vault::remove(&state, &current, &handle, id).await?;
    Ok(Redirect::to(&format!("/profiles/{handle}/vault")).into_response())
}
