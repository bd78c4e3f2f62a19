//! The channels page of a shared profile (connect, test, send, the
//! delivery log), and the profile's syndicated feed documents, which are
//! the one thing here readable without signing in.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::channels::{self, ChannelInput, Settings, syndication};
use byline_core::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(channels_page, connect))
        .routes(routes!(test))
        .routes(routes!(send))
        .routes(routes!(disconnect))
        .routes(routes!(feed_document))
}

/// One attempt as the log shows it.
struct AttemptLine {
    at: String,
    ok: bool,
    status: String,
    message: String,
    millis: i64,
}

/// One delivery as the log shows it.
struct DeliveryLine {
    id: i64,
    title: String,
    state: String,
    sent: String,
    attempts: Vec<AttemptLine>,
}

/// A channel as the page shows it.
struct ChannelCard {
    id: i64,
    name: String,
    kind: &'static str,
    /// Where it sends, in a line.
    target: String,
    /// Syndicated feed addresses, if any.
    feeds: Vec<String>,
    last_test: Option<(bool, String, String)>,
    log: Vec<DeliveryLine>,
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage {
    nav: Nav,
    csrf_token: String,
    handle: String,
    name: String,
    channels: Vec<ChannelCard>,
    may_manage: bool,
    error: Option<String>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    error: Option<String>,
    notice: Option<String>,
) -> Result<ChannelsPage, PageError> {
    let v = channels::list(state, current, handle).await?;
    let mut cards = Vec::with_capacity(v.channels.len());
    for c in &v.channels {
        let log = channels::log(state, current, handle, c.row.id, 10).await?;
        let (target, feeds) = match &c.settings {
            Settings::Feed(f) => (
                format!("@{}'s feed", v.profile.handle),
                if f.syndicate {
                    ["rss", "atom", "json"]
                        .iter()
                        .map(|ext| format!("/profiles/{}/feed.{ext}", v.profile.handle))
                        .collect()
                } else {
                    Vec::new()
                },
            ),
            Settings::Webhook(w) => (format!("POST {}", w.url), Vec::new()),
            Settings::Email(e) => (
                format!(
                    "{} via {}:{} ({}) from {}",
                    e.to.join(", "),
                    e.host,
                    e.port,
                    e.security,
                    e.from
                ),
                Vec::new(),
            ),
        };
        cards.push(ChannelCard {
            id: c.row.id,
            name: c.row.name.clone(),
            kind: c.kind.as_str(),
            target,
            feeds,
            last_test: c.row.tested_at.map(|at| {
                (
                    c.row.test_ok.unwrap_or(false),
                    Timestamp(at).to_minute_label(),
                    c.row.test_message.clone().unwrap_or_default(),
                )
            }),
            log: log
                .iter()
                .map(|l| DeliveryLine {
                    id: l.delivery.id,
                    title: l.delivery.title.clone(),
                    state: l.delivery.state.clone(),
                    sent: Timestamp(l.delivery.created_at).to_minute_label(),
                    attempts: l
                        .attempts
                        .iter()
                        .map(|a| AttemptLine {
                            at: Timestamp(a.at).to_minute_label(),
                            ok: a.ok,
                            status: a.status.clone(),
                            message: a.message.clone(),
                            millis: a.millis,
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    Ok(ChannelsPage {
        nav: Nav::load(state, current, "").await?,
        csrf_token: current.csrf_token().to_owned(),
        handle: v.profile.handle.clone(),
        name: v.profile.display_name.clone(),
        channels: cards,
        may_manage: v.may_manage,
        error,
        notice,
    })
}

/// Shows the page again with a refusal's reason, or fails.
async fn refused(
    state: &AppState,
    current: &crate::auth::CurrentUser,
    handle: &str,
    e: byline_app::Error,
) -> Result<Response, PageError> {
    let (status, why) = super::refusal(e)?;
    let p = page(state, current, handle, Some(why), None).await?;
    Ok((status, render(&p)?).into_response())
}

/// A shared profile's channels (members).
#[utoipa::path(get, path = "/profiles/{handle}/channels", tag = "web", operation_id = "page_channels",
    params(("handle" = String, Path, description = "Shared profile handle")),
    responses((status = 200, description = "Channels page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html")))]
async fn channels_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
) -> Result<Response, PageError> {
    let p = page(&state, &current, &handle, None, None).await?;
    Ok(render(&p)?.into_response())
}

/// The connect-a-channel form.
#[derive(Deserialize, ToSchema, Default)]
pub struct ConnectForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    /// `on` to publish RSS, Atom and JSON Feed.
    #[serde(default)]
    syndicate: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    signing_secret: String,
    #[serde(default)]
    smtp_host: String,
    #[serde(default)]
    smtp_port: String,
    #[serde(default)]
    smtp_security: String,
    #[serde(default)]
    smtp_username: String,
    #[serde(default)]
    smtp_password: String,
    #[serde(default)]
    from: String,
    /// Recipients, comma-separated.
    #[serde(default)]
    to: String,
    /// Custodians' handles, comma-separated.
    #[serde(default)]
    custodians: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Connects a channel (owners); a refusal shows the page with the reason.
#[utoipa::path(post, path = "/profiles/{handle}/channels", tag = "web", operation_id = "page_channels_connect",
    params(("handle" = String, Path, description = "Shared profile handle")),
    request_body(content = ConnectForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Connected"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such shared profile, or not a member", content_type = "text/html"),
              (status = 409, description = "Name taken", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn connect(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(handle): Path<String>,
    WebForm(f): WebForm<ConnectForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let smtp_port = match some(&f.smtp_port) {
        Some(p) => match p.parse::<u16>() {
            Ok(p) => Some(p),
            Err(_) => {
                let e = byline_app::Error::Invalid("the SMTP port is 1 to 65535".into());
                return refused(&state, &current, &handle, e).await;
            }
        },
        None => None,
    };
    let input = ChannelInput {
        kind: f.kind.clone(),
        name: f.name.clone(),
        syndicate: f.syndicate == "on",
        url: some(&f.url),
        signing_secret: some(&f.signing_secret),
        smtp_host: some(&f.smtp_host),
        smtp_port,
        smtp_security: some(&f.smtp_security),
        smtp_username: some(&f.smtp_username),
        smtp_password: some(&f.smtp_password),
        from: some(&f.from),
        to: vec![f.to.clone()],
        custodians: f
            .custodians
            .split([',', ' '])
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned)
            .collect(),
        untested: false,
    };
    match channels::connect(&state, &current, &handle, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/profiles/{handle}/channels")).into_response()),
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// A form with only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct TokenForm {
    csrf_token: String,
}

/// Tests a channel (owners) and shows what the far end said.
#[utoipa::path(post, path = "/profiles/{handle}/channels/{id}/test", tag = "web", operation_id = "page_channels_test",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Channel id")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The page, with the outcome", content_type = "text/html"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such channel, or not a member", content_type = "text/html")))]
async fn test(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    let t = channels::test(&state, &current, &handle, id).await?;
    let said = format!("{}: {}", t.status, t.message);
    let (error, notice) = if t.ok {
        (None, Some(format!("The channel answered. {said}")))
    } else {
        (Some(format!("The channel failed its test. {said}")), None)
    };
    let p = page(&state, &current, &handle, error, notice).await?;
    Ok(render(&p)?.into_response())
}

/// The send form.
#[derive(Deserialize, ToSchema)]
pub struct SendForm {
    csrf_token: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

/// Sends through a channel as the profile; the log shows how it went.
#[utoipa::path(post, path = "/profiles/{handle}/channels/{id}/send", tag = "web", operation_id = "page_channels_send",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Channel id")),
    request_body(content = SendForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Queued"),
              (status = 403, description = "May not speak as the profile, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such channel, or not a member", content_type = "text/html"),
              (status = 422, description = "Refused; the page says why", content_type = "text/html")))]
async fn send(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<SendForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    match channels::send(&state, &current, &handle, id, &f.title, &f.text).await {
        Ok(d) => Ok(
            Redirect::to(&format!("/profiles/{handle}/channels#delivery-{}", d.id)).into_response(),
        ),
        Err(e) => refused(&state, &current, &handle, e).await,
    }
}

/// Disconnects a channel (owners).
#[utoipa::path(post, path = "/profiles/{handle}/channels/{id}/disconnect", tag = "web", operation_id = "page_channels_disconnect",
    params(("handle" = String, Path, description = "Shared profile handle"), ("id" = i64, Path, description = "Channel id")),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Disconnected"),
              (status = 403, description = "Owners only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such channel, or not a member", content_type = "text/html")))]
async fn disconnect(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path((handle, id)): Path<(String, i64)>,
    WebForm(f): WebForm<TokenForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    channels::disconnect(&state, &current, &handle, id).await?;
    Ok(Redirect::to(&format!("/profiles/{handle}/channels")).into_response())
}

/// A profile's syndicated feed (`feed.rss`, `feed.atom`, `feed.json`),
/// readable without signing in while one of its feed channels syndicates.
#[utoipa::path(get, path = "/profiles/{handle}/{file}", tag = "web", operation_id = "page_feed_document", security(()),
    params(("handle" = String, Path, description = "Shared profile handle"), ("file" = String, Path, description = "feed.rss, feed.atom or feed.json")),
    responses((status = 200, description = "RSS 2.0, Atom or JSON Feed 1.1", content_type = "application/rss+xml"),
              (status = 404, description = "No such feed, or the profile does not syndicate")))]
async fn feed_document(
    State(state): State<AppState>,
    Path((handle, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let format = file
        .strip_prefix("feed.")
        .and_then(syndication::Format::from_extension)
        .ok_or(AppError::NotFound)?;
    let body = channels::syndicated(&state, &handle, format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response())
}
