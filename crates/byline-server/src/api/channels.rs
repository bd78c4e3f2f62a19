//! A shared profile's channels: connect (owners; credentials go to the
//! vault and never come back here), test, send through one as the profile,
//! read the delivery log, disconnect.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use byline_app::channels::{self, Channel, ChannelInput, Logged, Settings, TestOutcome};
use byline_core::Timestamp;
use byline_store::channels::DeliveryRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, connect))
        .routes(routes!(get_channel, disconnect))
        .routes(routes!(test_channel))
        .routes(routes!(list_deliveries, send))
}

/// A channel as members see it: its settings, never its credentials.
#[derive(Serialize, ToSchema)]
pub struct ChannelView {
    /// Id.
    id: String,
    /// `feed`, `webhook` or `email`.
    kind: String,
    /// Its name.
    name: String,
    /// Feed: whether RSS, Atom and JSON Feed are published.
    #[serde(skip_serializing_if = "Option::is_none")]
    syndicate: Option<bool>,
    /// Feed: where the syndicated documents are, when they are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    feeds: Vec<String>,
    /// Webhook: where it POSTs.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    /// E-mail: `host:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp: Option<String>,
    /// E-mail: `starttls`, `tls` or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_security: Option<String>,
    /// E-mail: sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    /// E-mail: recipients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to: Vec<String>,
    /// The vault entry holding its credentials (custodians reveal it there).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// The last connection test, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_test: Option<LastTest>,
}

/// The last connection test.
#[derive(Serialize, ToSchema)]
pub struct LastTest {
    /// When (RFC 3339).
    at: String,
    /// Whether it passed.
    ok: bool,
    /// What the far end said.
    message: String,
}

impl ChannelView {
    pub(crate) fn of(handle: &str, c: &Channel) -> ChannelView {
        let mut v = ChannelView {
            id: c.row.id.to_string(),
            kind: c.kind.as_str().to_owned(),
            name: c.row.name.clone(),
            syndicate: None,
            feeds: Vec::new(),
            url: None,
            smtp: None,
            smtp_security: None,
            from: None,
            to: Vec::new(),
            secret: c.row.secret_id.map(|s| s.to_string()),
            last_test: c.row.tested_at.map(|at| LastTest {
                at: Timestamp(at).to_rfc3339(),
                ok: c.row.test_ok.unwrap_or(false),
                message: c.row.test_message.clone().unwrap_or_default(),
            }),
        };
        match &c.settings {
            Settings::Feed(f) => {
                v.syndicate = Some(f.syndicate);
                if f.syndicate {
                    v.feeds = ["rss", "atom", "json"]
                        .iter()
                        .map(|ext| format!("/profiles/{handle}/feed.{ext}"))
                        .collect();
                }
            }
            Settings::Webhook(w) => v.url = Some(w.url.clone()),
            Settings::Email(e) => {
                v.smtp = Some(format!("{}:{}", e.host, e.port));
                v.smtp_security = Some(e.security.clone());
                v.from = Some(e.from.clone());
                v.to = e.to.clone();
            }
        }
        v
    }
}

/// A profile's channels.
#[derive(Serialize, ToSchema)]
pub struct ChannelList {
    /// Its connected channels, by name.
    channels: Vec<ChannelView>,
    /// Whether the caller may connect, test and disconnect (owners).
    may_manage: bool,
}

/// A channel to connect. Which fields matter depends on `kind`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectBody {
    /// `feed`, `webhook` or `email`.
    kind: String,
    /// 1–80 characters, unique among the profile's channels.
    name: String,
    /// Feed: publish RSS, Atom and JSON Feed of the profile's posts.
    #[serde(default)]
    syndicate: bool,
    /// Webhook: the http(s) address to POST to (not this server).
    #[serde(default)]
    url: Option<String>,
    /// Webhook: the signing secret (16+ characters); made when left out.
    #[serde(default)]
    signing_secret: Option<String>,
    /// E-mail: SMTP host.
    #[serde(default)]
    smtp_host: Option<String>,
    /// E-mail: SMTP port (default 587 with STARTTLS, 465 with TLS).
    #[serde(default)]
    smtp_port: Option<u16>,
    /// E-mail: `starttls` (default), `tls`, or `none` (a relay on this machine only).
    #[serde(default)]
    smtp_security: Option<String>,
    /// E-mail: SMTP user name (with the password, Byline signs in).
    #[serde(default)]
    smtp_username: Option<String>,
    /// E-mail: SMTP password; sealed in the vault.
    #[serde(default)]
    smtp_password: Option<String>,
    /// E-mail: sender address.
    #[serde(default)]
    from: Option<String>,
    /// E-mail: recipients.
    #[serde(default)]
    to: Vec<String>,
    /// Custodians of the credentials (handles); the caller when empty.
    #[serde(default)]
    custodians: Vec<String>,
}

fn channel_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A shared profile's channels (members).
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/channels", tag = "channels", operation_id = "list_channels",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 200, description = "Its channels, no credentials", body = ChannelList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
) -> Result<Json<ChannelList>, AppError> {
    let v = channels::list(&state, &current, &handle).await?;
    Ok(Json(ChannelList {
        channels: v
            .channels
            .iter()
            .map(|c| ChannelView::of(&v.profile.handle, c))
            .collect(),
        may_manage: v.may_manage,
    }))
}

/// Connect a channel (owners). Credentials are sealed into the vault; an
/// e-mail channel is tested first (sign-in included) and nothing is stored
/// when the server refuses.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/channels", tag = "channels", operation_id = "connect_channel", request_body = ConnectBody,
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses(
        (status = 201, description = "Connected", body = ChannelView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such shared profile, or not a member", body = ErrorBody),
        (status = 409, description = "Name taken among the profile's channels", body = ErrorBody),
        (status = 422, description = "Unknown kind; address not http(s) or this server; bad SMTP host, port or addresses; SMTP server refused the connection or sign-in; bad custodians", body = ErrorBody),
    ))]
async fn connect(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<ConnectBody>,
) -> Result<(StatusCode, Json<ChannelView>), AppError> {
    let c = channels::connect(
        &state,
        &current,
        &handle,
        ChannelInput {
            kind: b.kind,
            name: b.name,
            syndicate: b.syndicate,
            url: b.url,
            signing_secret: b.signing_secret,
            smtp_host: b.smtp_host,
            smtp_port: b.smtp_port,
            smtp_security: b.smtp_security,
            smtp_username: b.smtp_username,
            smtp_password: b.smtp_password,
            from: b.from,
            to: b.to,
            custodians: b.custodians,
            untested: false,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ChannelView::of(&handle, &c))))
}

/// One channel.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/channels/{id}", tag = "channels",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Channel id")),
    responses(
        (status = 200, description = "The channel", body = ChannelView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such channel, or not a member", body = ErrorBody),
    ))]
async fn get_channel(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<ChannelView>, AppError> {
    let c = channels::get(&state, &current, &handle, channel_id(&id)?).await?;
    Ok(Json(ChannelView::of(&handle, &c)))
}

/// Disconnect a channel (owners): queued sends fail, its credentials leave
/// the vault.
#[utoipa::path(delete, path = "/api/v1/shared-profiles/{handle}/channels/{id}", tag = "channels", operation_id = "disconnect_channel",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Channel id")),
    responses(
        (status = 204, description = "Disconnected"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such channel, or not a member", body = ErrorBody),
    ))]
async fn disconnect(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    channels::disconnect(&state, &current, &handle, channel_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a connection test found.
#[derive(Serialize, ToSchema)]
pub struct TestView {
    /// Whether the channel would take a send now.
    ok: bool,
    /// A short status ("HTTP 200", "SMTP 535", "timeout").
    status: String,
    /// The channel's own words.
    message: String,
}

impl From<TestOutcome> for TestView {
    fn from(t: TestOutcome) -> TestView {
        TestView {
            ok: t.ok,
            status: t.status,
            message: t.message,
        }
    }
}

/// Test a channel's connection (owners). A failing far end is a 200 with
/// `ok: false` and its own words.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/channels/{id}/test", tag = "channels",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Channel id")),
    responses(
        (status = 200, description = "The outcome", body = TestView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Owners only", body = ErrorBody),
        (status = 404, description = "No such channel, or not a member", body = ErrorBody),
    ))]
async fn test_channel(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Json<TestView>, AppError> {
    let t = channels::test(&state, &current, &handle, channel_id(&id)?).await?;
    Ok(Json(t.into()))
}

/// One attempt at a delivery.
#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first.
    attempt: i64,
    /// When (RFC 3339).
    at: String,
    /// Whether it got through.
    ok: bool,
    /// A short status.
    status: String,
    /// The far end's words.
    message: String,
    /// How long it took.
    millis: i64,
}

/// Something sent through a channel.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// Id (webhooks send it as `Byline-Delivery`).
    id: String,
    /// `queued`, `delivered` or `failed`.
    state: String,
    /// Its title.
    title: String,
    /// Its text.
    text: String,
    /// Attempts made.
    attempts: i64,
    /// The last failure, in the far end's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    /// What the far end calls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_ref: Option<String>,
    /// When it was sent (RFC 3339).
    sent_at: String,
    /// The log of attempts (in the log only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    log: Vec<AttemptView>,
}

impl DeliveryView {
    fn of(d: &DeliveryRow) -> DeliveryView {
        DeliveryView {
            id: d.id.to_string(),
            state: d.state.clone(),
            title: d.title.clone(),
            text: d.body.clone(),
            attempts: d.attempts,
            last_error: d.last_error.clone(),
            remote_ref: d.remote_ref.clone(),
            sent_at: Timestamp(d.created_at).to_rfc3339(),
            log: Vec::new(),
        }
    }
}

impl From<&Logged> for DeliveryView {
    fn from(l: &Logged) -> DeliveryView {
        let mut v = DeliveryView::of(&l.delivery);
        v.log = l
            .attempts
            .iter()
            .map(|a| AttemptView {
                attempt: a.attempt,
                at: Timestamp(a.at).to_rfc3339(),
                ok: a.ok,
                status: a.status.clone(),
                message: a.message.clone(),
                millis: a.millis,
            })
            .collect();
        v
    }
}

/// How much of the log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Deliveries, newest first (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A channel's delivery log (members), newest first.
#[utoipa::path(get, path = "/api/v1/shared-profiles/{handle}/channels/{id}/deliveries", tag = "channels",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Channel id"), LogQuery),
    responses(
        (status = 200, description = "Deliveries with their attempts", body = Vec<DeliveryView>),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such channel, or not a member", body = ErrorBody),
    ))]
async fn list_deliveries(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> Result<Json<Vec<DeliveryView>>, AppError> {
    let log = channels::log(
        &state,
        &current,
        &handle,
        channel_id(&id)?,
        i64::from(q.limit.unwrap_or(50)),
    )
    .await?;
    Ok(Json(log.iter().map(DeliveryView::from).collect()))
}

/// Words to send through a channel.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// A title or subject (the text's first line when left out).
    #[serde(default)]
    title: String,
    /// The text, 1–10,000 characters.
    text: String,
}

/// Send through a channel as the profile (owners and editors, on shift
/// where the roster requires it). Recorded with its byline at once and
/// delivered by the job runner; the log shows how it went.
#[utoipa::path(post, path = "/api/v1/shared-profiles/{handle}/channels/{id}/deliveries", tag = "channels", operation_id = "send_through_channel", request_body = SendBody,
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = String, Path, description = "Channel id")),
    responses(
        (status = 202, description = "Queued for delivery", body = DeliveryView),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not speak as the profile (role or shift)", body = ErrorBody),
        (status = 404, description = "No such channel, or not a member", body = ErrorBody),
        (status = 422, description = "Empty or too long text, or a title over one line", body = ErrorBody),
        (status = 429, description = "Too many writes", body = ErrorBody),
    ))]
async fn send(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((handle, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<SendBody>,
) -> Result<(StatusCode, Json<DeliveryView>), AppError> {
    let d = channels::send(
        &state,
        &current,
        &handle,
        channel_id(&id)?,
        &b.title,
        &b.text,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(DeliveryView::of(&d))))
}
