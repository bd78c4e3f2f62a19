//! Channels: a shared profile's voice outside the network (its own feed,
//! a signed webhook, e-mail). Owners connect them, and their credentials go
//! straight into the vault, so the team sends through a channel without
//! anyone holding its password. Sending is speech: it goes through the one
//! speak function (role, shift, byline, audit), is queued, and the job
//! runner delivers it through the channel's [`adapters::Adapter`],
//! retrying with backoff what may pass and logging every attempt.

pub mod adapters;
pub mod syndication;

use crate::jobs::{Handlers, JobFailure, JobOutcome};
use crate::shared_profiles::shared;
use crate::{App, Caller, Error, now};
use adapters::{Link, Outgoing, Report, Trouble, adapter};
use byline_core::channel::{self, ChannelKind, OwnAddress, SmtpSecurity};
use byline_core::policy::{Action, authorize};
use byline_core::shared_profile::ProfileRole;
use byline_core::vault::{SecretFields, SecretKind};
use byline_store::channels::{AttemptRow, ChannelRow, DeliveryRow, NewChannel, NewDelivery};
use byline_store::jobs::{ClaimedJob, NewJob};
use byline_store::profiles::Profile;
use byline_store::speak::{Spoken, Utterance, Voice};
use byline_store::vault::NewSecret;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The job that delivers one queued send.
pub const DELIVER_JOB: &str = "channel.deliver";

/// How channels reach the outside world.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Where this server answers: no channel may point here.
    pub own_addresses: Vec<OwnAddress>,
    /// The address readers reach Byline at (links in feeds).
    pub public_url: Option<String>,
    /// Extra certificate authorities (PEM) trusted for webhooks and SMTP,
    /// for an organisation's internal CA.
    pub extra_roots_pem: Option<Arc<Vec<u8>>>,
    /// Longest wait for a far end, per attempt.
    pub timeout: Duration,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            own_addresses: Vec::new(),
            public_url: None,
            extra_roots_pem: None,
            timeout: Duration::from_secs(10),
        }
    }
}

impl Setup {
    /// The base of links to this server, without a trailing slash.
    pub fn base_url(&self) -> String {
        match (&self.public_url, self.own_addresses.first()) {
            (Some(u), _) => u.trim_end_matches('/').to_owned(),
            (None, Some(a)) if a.host.contains(':') => format!("http://[{}]:{}", a.host, a.port),
            (None, Some(a)) => format!("http://{}:{}", a.host, a.port),
            (None, None) => "http://localhost".to_owned(),
        }
    }
}

/// The organisation's own feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSettings {
    /// Publish the profile's feed as RSS, Atom and JSON Feed.
    #[serde(default)]
    pub syndicate: bool,
}

/// A signed webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// Where the POST goes.
    pub url: String,
}

/// E-mail over SMTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSettings {
    /// The SMTP server.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    /// The sender address.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
}

/// A channel's settings that are not secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settings {
    /// The organisation's own feed.
    Feed(FeedSettings),
    /// A signed webhook.
    Webhook(WebhookSettings),
    /// E-mail.
    Email(EmailSettings),
}

impl Settings {
    fn read(kind: ChannelKind, json: &str) -> Result<Settings, Error> {
        let corrupt =
            |e: serde_json::Error| Error::Internal(format!("stored channel settings: {e}"));
        Ok(match kind {
            ChannelKind::Feed => Settings::Feed(serde_json::from_str(json).map_err(corrupt)?),
            ChannelKind::Webhook => Settings::Webhook(serde_json::from_str(json).map_err(corrupt)?),
            ChannelKind::Email => Settings::Email(serde_json::from_str(json).map_err(corrupt)?),
        })
    }

    fn to_json(&self) -> String {
        match self {
            Settings::Feed(s) => serde_json::to_string(s),
            Settings::Webhook(s) => serde_json::to_string(s),
            Settings::Email(s) => serde_json::to_string(s),
        }
        .unwrap_or_else(|_| "{}".into())
    }
}

/// A connected channel as members see it.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Its row.
    pub row: ChannelRow,
    /// Its kind.
    pub kind: ChannelKind,
    /// Its settings (never its credentials).
    pub settings: Settings,
}

impl Channel {
    fn from_row(row: ChannelRow) -> Result<Channel, Error> {
        let kind = ChannelKind::parse(&row.kind)
            .map_err(|e| Error::Internal(format!("stored channel {}: {e}", row.id)))?;
        let settings = Settings::read(kind, &row.settings)?;
        Ok(Channel {
            row,
            kind,
            settings,
        })
    }
}

/// A profile's channels and what the viewer may do with them.
pub struct ChannelsView {
    /// The profile.
    pub profile: Profile,
    /// The viewer's role on it.
    pub role: Option<ProfileRole>,
    /// Its connected channels.
    pub channels: Vec<Channel>,
    /// Whether the viewer may connect, test and disconnect.
    pub may_manage: bool,
}

/// What an owner fills in to connect a channel.
#[derive(Debug, Default, Clone)]
pub struct ChannelInput {
    /// `feed`, `webhook` or `email`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Feed: publish RSS, Atom and JSON Feed.
    pub syndicate: bool,
    /// Webhook: where to POST.
    pub url: Option<String>,
    /// Webhook: the signing secret the receiver checks (made when empty).
    pub signing_secret: Option<String>,
    /// E-mail: SMTP host.
    pub smtp_host: Option<String>,
    /// E-mail: SMTP port (587 with STARTTLS, 465 with TLS).
    pub smtp_port: Option<u16>,
    /// E-mail: `starttls` (default), `tls` or `none`.
    pub smtp_security: Option<String>,
    /// E-mail: SMTP user name (with the password: AUTH).
    pub smtp_username: Option<String>,
    /// E-mail: SMTP password.
    pub smtp_password: Option<String>,
    /// E-mail: sender address.
    pub from: Option<String>,
    /// E-mail: recipients.
    pub to: Vec<String>,
    /// Custodians of its credentials (handles); the connecting owner when
    /// empty.
    pub custodians: Vec<String>,
    /// Store an e-mail channel without testing it first (the demo seeder,
    /// which has no SMTP server to ask).
    pub untested: bool,
}

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// Whether the channel would take a send.
    pub ok: bool,
    /// A short status ("HTTP 200", "SMTP 535").
    pub status: String,
    /// The channel's own words.
    pub message: String,
}

/// A delivery with its attempts: one line of the delivery log.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The delivery.
    pub delivery: DeliveryRow,
    /// Its attempts, in order.
    pub attempts: Vec<AttemptRow>,
}

async fn member(
    app: &App,
    by: &Caller,
    handle: &str,
) -> Result<(Profile, Option<ProfileRole>), Error> {
    let (profile, role) = shared(app, by, handle).await?;
    // A profile's channels are its members' business only.
    authorize(Some(&by.actor()), Action::SeeChannels { role }).map_err(|_| Error::NotFound)?;
    Ok((profile, role))
}

async fn manager(app: &App, by: &Caller, handle: &str) -> Result<Profile, Error> {
    let (profile, role) = member(app, by, handle).await?;
    authorize(Some(&by.actor()), Action::ManageChannel { role })?;
    Ok(profile)
}

async fn channel_of(app: &App, profile: &Profile, id: i64) -> Result<Channel, Error> {
    let row = app.store.channels().channel(id).await?;
    if row.profile_id != profile.id {
        return Err(Error::NotFound);
    }
    Channel::from_row(row)
}

/// A shared profile's channels.
pub async fn list(app: &App, by: &Caller, handle: &str) -> Result<ChannelsView, Error> {
    let (profile, role) = member(app, by, handle).await?;
    let channels = app
        .store
        .channels()
        .channels(profile.id)
        .await?
        .into_iter()
        .map(Channel::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ChannelsView {
        may_manage: authorize(Some(&by.actor()), Action::ManageChannel { role }).is_ok(),
        profile,
        role,
        channels,
    })
}

/// One of a profile's channels.
pub async fn get(app: &App, by: &Caller, handle: &str, id: i64) -> Result<Channel, Error> {
    let (profile, _) = member(app, by, handle).await?;
    channel_of(app, &profile, id).await
}

fn some_text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks an owner's input: the settings, and the credentials to seal.
fn settings_from(
    app: &App,
    kind: ChannelKind,
    input: &ChannelInput,
) -> Result<(Settings, Option<(SecretKind, SecretFields)>), Error> {
    Ok(match kind {
        ChannelKind::Feed => (
            Settings::Feed(FeedSettings {
                syndicate: input.syndicate,
            }),
            None,
        ),
        ChannelKind::Webhook => {
            let url = some_text(&input.url).ok_or_else(|| {
                Error::Invalid("a webhook channel needs the address to POST to".into())
            })?;
            let url = channel::validate_webhook_url(url, &app.settings.channels.own_addresses)?;
            let secret = match some_text(&input.signing_secret) {
                Some(s) if s.len() < 16 => {
                    return Err(Error::Invalid(
                        "a signing secret is at least 16 characters (leave it empty and Byline makes one)"
                            .into(),
                    ));
                }
                Some(s) => s.to_owned(),
                None => byline_core::secret_token::mint("whsec_").plaintext,
            };
            let mut fields = SecretFields::default();
            fields.token = Some(secret);
            fields.notes = Some(format!(
                "Signing secret of the webhook to {url}: HMAC-SHA256 over \"<Byline-Timestamp>.<body>\""
            ));
            (
                Settings::Webhook(WebhookSettings {
                    url: url.to_string(),
                }),
                Some((SecretKind::ApiToken, fields)),
            )
        }
        ChannelKind::Email => {
            let security =
                SmtpSecurity::parse(some_text(&input.smtp_security).unwrap_or("starttls"))?;
            let host = channel::validate_smtp_host(
                some_text(&input.smtp_host).unwrap_or_default(),
                security,
            )?;
            let port = input.smtp_port.unwrap_or(match security {
                SmtpSecurity::Tls => 465,
                SmtpSecurity::Starttls => 587,
                SmtpSecurity::None => 25,
            });
            if port == 0 {
                return Err(Error::Invalid("the SMTP port is 1 to 65535".into()));
            }
            let from = channel::validate_address(some_text(&input.from).unwrap_or_default())?;
            let to = input
                .to
                .iter()
                .flat_map(|t| t.split([',', '\n']))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(channel::validate_address)
                .collect::<Result<Vec<_>, _>>()?;
            if to.is_empty() || to.len() > channel::MOST_RECIPIENTS {
                return Err(Error::Invalid(format!(
                    "an e-mail channel sends to 1 to {} recipients",
                    channel::MOST_RECIPIENTS
                )));
            }
            let login = match (
                some_text(&input.smtp_username),
                some_text(&input.smtp_password),
            ) {
                (Some(u), Some(p)) => {
                    let mut fields = SecretFields::default();
                    fields.username = Some(u.to_owned());
                    fields.password = Some(p.to_owned());
                    Some((SecretKind::Login, fields))
                }
                (None, None) => None,
                _ => {
                    return Err(Error::Invalid(
                        "SMTP sign-in needs both a user name and a password (or neither, for a relay without AUTH)"
                            .into(),
                    ));
                }
            };
            (
                Settings::Email(EmailSettings {
                    host,
                    port,
                    security: security.as_str().to_owned(),
                    from,
                    to,
                }),
                login,
            )
        }
    })
}

/// Connects a channel to a shared profile (owners only). Its credentials
/// are sealed into the vault with the named custodians. An e-mail channel
/// is tested first, sign-in included: a server that refuses is a clear
/// error and nothing is stored.
pub async fn connect(
    app: &App,
    by: &Caller,
    handle: &str,
    input: ChannelInput,
) -> Result<Channel, Error> {
    let profile = manager(app, by, handle).await?;
    let kind = ChannelKind::parse(input.kind.trim())?;
    let name = channel::validate_name(&input.name)?;
    let (settings, credentials) = settings_from(app, kind, &input)?;
    if kind == ChannelKind::Email && !input.untested {
        let probe = ChannelRow {
            id: 0,
            profile_id: profile.id,
            kind: kind.as_str().to_owned(),
            name: name.clone(),
            settings: settings.to_json(),
            secret_id: None,
            created_by: by.user.id,
            created_at: now().micros(),
            tested_at: None,
            test_ok: None,
            test_message: None,
        };
        let link = Link {
            app,
            channel: &probe,
            settings: &settings,
            credentials: credentials.as_ref().map(|(_, f)| f),
            profile_handle: &profile.handle,
        };
        if let Err(t) = adapter(kind).test(&link).await {
            return Err(Error::Invalid(format!(
                "the SMTP server did not accept the connection, so nothing was stored: {} ({})",
                t.message, t.status
            )));
        }
    }
    let custodians = if input.custodians.is_empty() {
        vec![by.user.handle.clone()]
    } else {
        input.custodians.clone()
    };
    let settings_json = settings.to_json();
    let mut audit = by.audit("channel.connect", String::new());
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "kind": kind.as_str(), "name": name }).to_string();
    let new = NewChannel {
        profile_id: profile.id,
        kind: kind.as_str(),
        name: &name,
        settings: &settings_json,
        created_by: by.user.id,
    };
    let id = match credentials {
        Some((secret_kind, fields)) => {
            let ids = crate::vault::custodians_named(app, profile.id, &custodians).await?;
            let (uid, envelope) = crate::vault::seal_new(app, &fields).await?;
            let secret_name = format!("Channel: {name}");
            let secret = NewSecret {
                uid: &uid,
                profile_id: profile.id,
                channel_id: None,
                name: &secret_name,
                kind: secret_kind.as_str(),
                has_totp: false,
                two_person: false,
                envelope: &envelope,
                custodians: &ids,
                created_by: by.user.id,
            };
            app.store
                .channels()
                .create_channel(&new, Some(&secret), &audit, now())
                .await
        }
        None => {
            app.store
                .channels()
                .create_channel(&new, None, &audit, now())
                .await
        }
    }
    .map_err(|e| match e {
        byline_store::StoreError::Conflict { .. } => Error::Conflict("channel name"),
        other => other.into(),
    })?;
    channel_of(app, &profile, id).await
}

/// Opens what an adapter needs to reach the channel.
async fn credentials_of(app: &App, channel: &Channel) -> Result<Option<SecretFields>, Error> {
    match channel.row.secret_id {
        Some(secret) => Ok(Some(
            crate::vault::open_for_channel(app, channel.row.profile_id, secret).await?,
        )),
        None => Ok(None),
    }
}

/// Tests a channel's connection (owners), keeps and audits the outcome,
/// and says what the far end said.
pub async fn test(app: &App, by: &Caller, handle: &str, id: i64) -> Result<TestOutcome, Error> {
    let profile = manager(app, by, handle).await?;
    let channel = channel_of(app, &profile, id).await?;
    let credentials = credentials_of(app, &channel).await?;
    let link = Link {
        app,
        channel: &channel.row,
        settings: &channel.settings,
        credentials: credentials.as_ref(),
        profile_handle: &profile.handle,
    };
    let outcome = match adapter(channel.kind).test(&link).await {
        Ok(Report {
            status, message, ..
        }) => TestOutcome {
            ok: true,
            status,
            message,
        },
        Err(Trouble {
            status, message, ..
        }) => TestOutcome {
            ok: false,
            status,
            message,
        },
    };
    let mut audit = by.audit("channel.test", format!("channel:{id}"));
    audit.profile_id = Some(profile.id);
    audit.details = serde_json::json!({ "ok": outcome.ok, "status": outcome.status }).to_string();
    let said = format!("{}: {}", outcome.status, outcome.message);
    app.store
        .channels()
        .record_test(id, outcome.ok, &said, &audit, now())
        .await?;
    Ok(outcome)
}

/// Disconnects a channel (owners): queued sends fail, its credentials
/// leave the vault.
pub async fn disconnect(app: &App, by: &Caller, handle: &str, id: i64) -> Result<(), Error> {
    let profile = manager(app, by, handle).await?;
    let channel = channel_of(app, &profile, id).await?;
    let mut audit = by.audit("channel.disconnect", format!("channel:{id}"));
    audit.profile_id = Some(profile.id);
    app.store.channels().disconnect(id, &audit, now()).await?;
    // Publications due through it fail now, and their people hear, rather
    // than at the due minute.
    let why = format!("the channel '{}' was disconnected", channel.row.name);
    for (publication, due) in app.store.publishing().scheduled_through(id).await? {
        app.store
            .publishing()
            .fail_scheduled(publication, byline_core::Timestamp(due), &why, now())
            .await?;
    }
    Ok(())
}

/// Sends words through a channel as the profile: the speak function
/// decides and records the byline; the job runner delivers.
pub async fn send(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    title: &str,
    text: &str,
) -> Result<DeliveryRow, Error> {
    let (profile, _) = member(app, by, handle).await?;
    channel_of(app, &profile, id).await?;
    let (title, text) = channel::validate_outgoing(title, text)?;
    app.limits.check(crate::limits::Limit::Write, by)?;
    let voice = crate::acting::voice_at(app, by, &profile.handle, now()).await?;
    let new = NewDelivery {
        channel_id: id,
        title: &title,
        body: &text,
    };
    let delivery = match app
        .store
        .speak(&voice, Utterance::Delivery(&new), now())
        .await?
    {
        Spoken::Delivery(d) => d,
        other => {
            return Err(Error::Internal(format!(
                "unexpected outcome of speaking: {other:?}"
            )));
        }
    };
    schedule(app, delivery).await?;
    Ok(app.store.channels().delivery(delivery).await?)
}

async fn schedule(app: &App, delivery: i64) -> Result<(), Error> {
    let key = format!("{DELIVER_JOB}:{delivery}");
    let payload = serde_json::json!({ "delivery": delivery }).to_string();
    app.store
        .jobs()
        .schedule_job(
            &NewJob {
                kind: DELIVER_JOB,
                key: Some(&key),
                payload: &payload,
                due_at: now(),
                max_attempts: u32::try_from(channel::MOST_ATTEMPTS).unwrap_or(6),
            },
            now(),
        )
        .await?;
    Ok(())
}

/// A channel's latest deliveries with their attempts (members).
pub async fn log(
    app: &App,
    by: &Caller,
    handle: &str,
    id: i64,
    limit: i64,
) -> Result<Vec<Logged>, Error> {
    let (profile, _) = member(app, by, handle).await?;
    channel_of(app, &profile, id).await?;
    let deliveries = app
        .store
        .channels()
        .deliveries(id, limit.clamp(1, 200))
        .await?;
    let ids: Vec<i64> = deliveries.iter().map(|d| d.id).collect();
    let mut attempts = app.store.channels().attempts(&ids).await?;
    Ok(deliveries
        .into_iter()
        .map(|delivery| {
            let (mine, rest): (Vec<_>, Vec<_>) = attempts
                .drain(..)
                .partition(|a| a.delivery_id == delivery.id);
            attempts = rest;
            Logged {
                delivery,
                attempts: mine,
            }
        })
        .collect())
}

/// Delivers one queued send (the job's work): opens the channel's
/// credentials, hands it to the adapter, logs the attempt, and says
/// whether to try again.
pub async fn deliver(app: &App, delivery_id: i64, attempt: i64, last: bool) -> JobOutcome {
    let delivery = match app.store.channels().delivery(delivery_id).await {
        Ok(d) => d,
        Err(byline_store::StoreError::NotFound) => {
            return Err(JobFailure::GiveUp(format!(
                "delivery {delivery_id} is gone"
            )));
        }
        Err(e) => return Err(JobFailure::Retry(e.to_string())),
    };
    if delivery.state != "queued" {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let result = attempt_delivery(app, &delivery).await;
    let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (row, remote_ref, retry) = match result {
        Ok(report) => (
            AttemptRow {
                delivery_id,
                attempt,
                at: now().micros(),
                ok: true,
                permanent: false,
                status: report.status,
                message: report.message,
                millis,
            },
            report.remote_ref,
            false,
        ),
        Err(t) => {
            let retry = !t.permanent && !last;
            (
                AttemptRow {
                    delivery_id,
                    attempt,
                    at: now().micros(),
                    ok: false,
                    permanent: t.permanent,
                    status: t.status,
                    message: t.message,
                    millis,
                },
                None,
                retry,
            )
        }
    };
    let recorded = app
        .store
        .channels()
        .record_attempt(&row, remote_ref.as_deref(), !row.ok && !retry)
        .await
        .map_err(|e| JobFailure::Retry(e.to_string()))?;
    if !recorded || row.ok {
        return Ok(());
    }
    let why = format!("{}: {}", row.status, row.message);
    if retry {
        Err(JobFailure::Retry(why))
    } else {
        Err(JobFailure::GiveUp(why))
    }
}

/// A connected channel opened for sending: its row and settings, its
/// profile and its credentials, each failure said as the far end's
/// trouble (a disconnected channel or a broken vault entry is permanent).
struct Opened {
    channel: Channel,
    profile: Profile,
    credentials: Option<SecretFields>,
}

impl Opened {
    async fn of(app: &App, channel_id: i64) -> Result<Opened, Trouble> {
        let internal = |e: Error| match e {
            Error::NotFound => Trouble {
                permanent: true,
                status: DISCONNECTED.into(),
                message: "the channel was disconnected".into(),
            },
            e @ Error::Vault(_) => Trouble {
                permanent: true,
                status: "vault".into(),
                message: e.to_string(),
            },
            other => Trouble {
                permanent: false,
                status: "unavailable".into(),
                message: other.to_string(),
            },
        };
        let row = app
            .store
            .channels()
            .channel(channel_id)
            .await
            .map_err(|e| internal(e.into()))?;
        let channel = Channel::from_row(row).map_err(internal)?;
        let profile = app
            .store
            .profiles()
            .profile_by_id(channel.row.profile_id)
            .await
            .map_err(|e| internal(e.into()))?;
        let credentials = credentials_of(app, &channel).await.map_err(internal)?;
        Ok(Opened {
            channel,
            profile,
            credentials,
        })
    }

    fn link<'a>(&'a self, app: &'a App) -> Link<'a> {
        Link {
            app,
            channel: &self.channel.row,
            settings: &self.channel.settings,
            credentials: self.credentials.as_ref(),
            profile_handle: &self.profile.handle,
        }
    }
}

/// The trouble a disconnected channel reports.
const DISCONNECTED: &str = "disconnected";

async fn attempt_delivery(app: &App, delivery: &DeliveryRow) -> Result<Report, Trouble> {
    let opened = Opened::of(app, delivery.channel_id).await?;
    let link = opened.link(app);
    let out = Outgoing {
        delivery_id: delivery.id,
        title: &delivery.title,
        text: &delivery.body,
        said_at: byline_core::Timestamp(delivery.created_at),
        voice: {
            let voice = Voice::new(
                delivery.sent_by,
                delivery.profile_id,
                delivery.acting_session_id,
                &delivery.source_address,
            );
            // A publication's delivery speaks (into the feed) under its
            // schedule, long after the scheduler's session ended.
            match delivery.publication_id {
                Some(p) => voice.releasing(p),
                None => voice,
            }
        },
    };
    adapter(opened.channel.kind).send(&link, &out).await
}

/// Tells a profile's webhook channel `channel_id` of `event`; a channel
/// since disconnected, or no longer a webhook, hears nothing (`Ok(None)`).
pub(crate) async fn tell_webhook(
    app: &App,
    channel_id: i64,
    event: &str,
    data: serde_json::Value,
) -> Result<Option<Report>, Trouble> {
    let opened = match Opened::of(app, channel_id).await {
        Ok(o) => o,
        Err(t) if t.status == DISCONNECTED => return Ok(None),
        Err(t) => return Err(t),
    };
    if opened.channel.kind != ChannelKind::Webhook {
        return Ok(None);
    }
    adapters::webhook_event(&opened.link(app), event, data)
        .await
        .map(Some)
}

/// A profile's syndicated feed in `format`, for anyone: only while one of
/// its feed channels syndicates (otherwise "not found").
pub async fn syndicated(
    app: &App,
    handle: &str,
    format: syndication::Format,
) -> Result<String, Error> {
    let handle = byline_core::Handle::parse(handle).map_err(|_| Error::NotFound)?;
    let profile = app.store.profiles().profile_by_handle(&handle).await?;
    let channels = app.store.channels().channels(profile.id).await?;
    let syndicates = channels.into_iter().any(|c| {
        c.kind == ChannelKind::Feed.as_str()
            && serde_json::from_str::<FeedSettings>(&c.settings).is_ok_and(|s| s.syndicate)
    });
    if !syndicates {
        return Err(Error::NotFound);
    }
    let items = app
        .store
        .channels()
        .public_posts(profile.id, syndication::FEED_ITEMS)
        .await?;
    let base = app.settings.channels.base_url();
    Ok(syndication::render(
        format,
        &syndication::FeedOf {
            handle: &profile.handle,
            name: &profile.display_name,
            bio: &profile.bio,
            base_url: &base,
        },
        &items,
    ))
}

/// Adds the channel jobs' handlers.
pub fn job_handlers(handlers: Handlers) -> Handlers {
    handlers.on(DELIVER_JOB, |app: App, job: ClaimedJob| async move {
        let delivery = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v.get("delivery").and_then(serde_json::Value::as_i64))
            .ok_or_else(|| JobFailure::GiveUp("a delivery job without its delivery".into()))?;
        deliver(
            &app,
            delivery,
            job.attempts,
            job.attempts >= job.max_attempts,
        )
        .await
    })
}
