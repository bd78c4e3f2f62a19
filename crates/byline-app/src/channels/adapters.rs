//! The adapter interface, and the adapters this build has. An adapter
//! knows one kind of far end: how to send something there, how to test the
//! connection, and how to say what the far end answered. The workflow in
//! [`super`] (who may send, the byline, the queue, retries, the delivery
//! log) never looks inside one, so a Mastodon, LinkedIn or X adapter is a
//! new type here and a new [`ChannelKind`], nothing more.

use super::{EmailSettings, Settings, Setup};
use crate::App;
use byline_core::Timestamp;
use byline_core::channel::{self, ChannelKind, SmtpSecurity};
use byline_core::vault::SecretFields;
use byline_store::channels::ChannelRow;
use byline_store::speak::Voice;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// A future an adapter returns (boxed, so adapters can sit behind `dyn`).
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The channel as an adapter sees it.
pub struct Link<'a> {
    /// The services (the feed adapter speaks through them).
    pub app: &'a App,
    /// The channel's row.
    pub channel: &'a ChannelRow,
    /// Its settings.
    pub settings: &'a Settings,
    /// Its credentials from the vault, opened for this call only.
    pub credentials: Option<&'a SecretFields>,
    /// The handle of the profile it belongs to.
    pub profile_handle: &'a str,
}

/// One thing to send.
pub struct Outgoing<'a> {
    /// The delivery (receivers use it to drop repeats).
    pub delivery_id: i64,
    /// Its title (a subject line, a feed item's title).
    pub title: &'a str,
    /// Its text.
    pub text: &'a str,
    /// When it was said.
    pub said_at: Timestamp,
    /// Who said it as the profile, for adapters that write as the profile
    /// inside Byline (the speak function checks it again).
    pub voice: Voice<'a>,
}

/// The far end took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// A short status ("HTTP 202", "SMTP 250", "posted").
    pub status: String,
    /// What the far end said.
    pub message: String,
    /// What the far end calls it, when it says.
    pub remote_ref: Option<String>,
}

/// The far end did not take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    /// Whether trying again cannot help (a refusal, not an outage).
    pub permanent: bool,
    /// A short status ("HTTP 500", "SMTP 535", "timeout").
    pub status: String,
    /// The far end's own words.
    pub message: String,
}

impl Trouble {
    fn permanent(status: &str, message: impl Into<String>) -> Trouble {
        Trouble {
            permanent: true,
            status: status.to_owned(),
            message: message.into(),
        }
    }
}

/// What every kind of channel does.
pub trait Adapter: Send + Sync {
    /// Sends `out` through the channel.
    fn send<'a>(
        &'a self,
        link: &'a Link<'a>,
        out: &'a Outgoing<'a>,
    ) -> Pending<'a, Result<Report, Trouble>>;
    /// Checks that the channel would take a send now, sending nothing a
    /// reader would see.
    fn test<'a>(&'a self, link: &'a Link<'a>) -> Pending<'a, Result<Report, Trouble>>;
}

/// The adapter for `kind`.
pub fn adapter(kind: ChannelKind) -> &'static dyn Adapter {
    match kind {
        ChannelKind::Feed => &FeedAdapter,
        ChannelKind::Webhook => &WebhookAdapter,
        ChannelKind::Email => &EmailAdapter,
    }
}

/// At most this much of a far end's answer is kept.
const MOST_ANSWER_CHARS: usize = 500;

fn clip(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MOST_ANSWER_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MOST_ANSWER_CHARS).collect();
    out.push('…');
    out
}

/// The organisation's own feed: a post as the profile, through the speak
/// function like any other.
struct FeedAdapter;

impl Adapter for FeedAdapter {
    fn send<'a>(
        &'a self,
        link: &'a Link<'a>,
        out: &'a Outgoing<'a>,
    ) -> Pending<'a, Result<Report, Trouble>> {
        Box::pin(async move {
            match crate::posts::create_through(link.app, &out.voice, out.text, crate::now()).await {
                Ok(id) => Ok(Report {
                    status: "posted".into(),
                    message: format!("posted as @{} (post {id})", link.profile_handle),
                    remote_ref: Some(format!("post:{id}")),
                }),
                Err(e @ (crate::Error::Unavailable | crate::Error::Internal(_))) => Err(Trouble {
                    permanent: false,
                    status: "unavailable".into(),
                    message: e.to_string(),
                }),
                // The speak function refused (the sender left, went off
                // shift) or the text broke a rule: another try cannot help.
                Err(e) => Err(Trouble::permanent("refused", e.to_string())),
            }
        })
    }

    fn test<'a>(&'a self, link: &'a Link<'a>) -> Pending<'a, Result<Report, Trouble>> {
        Box::pin(async move {
            let syndicated = matches!(link.settings, Settings::Feed(f) if f.syndicate);
            let message = if syndicated {
                let h = link.profile_handle;
                format!(
                    "ready: posts go to @{h}'s feed, also published as /profiles/{h}/feed.rss, \
                     /profiles/{h}/feed.atom and /profiles/{h}/feed.json"
                )
            } else {
                format!("ready: posts go to @{}'s feed", link.profile_handle)
            };
            Ok(Report {
                status: "ready".into(),
                message,
                remote_ref: None,
            })
        })
    }
}

/// A signed HTTP POST of JSON.
struct WebhookAdapter;

/// Posts a signed event (not a delivery) to a webhook channel: the
/// profile's publishing steps, for its events webhook.
pub async fn webhook_event(
    link: &Link<'_>,
    event: &str,
    data: serde_json::Value,
) -> Result<Report, Trouble> {
    WebhookAdapter::post(link, event, None, data).await
}

impl WebhookAdapter {
    fn client(setup: &Setup) -> Result<reqwest::Client, Trouble> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(setup.timeout)
            .connect_timeout(setup.timeout)
            .user_agent(concat!("Byline/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &setup.extra_roots_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Trouble::permanent("tls", format!("the extra CA file: {e}")))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        builder
            .build()
            .map_err(|e| Trouble::permanent("tls", e.to_string()))
    }

    async fn post(
        link: &Link<'_>,
        event: &str,
        delivery: Option<i64>,
        body: serde_json::Value,
    ) -> Result<Report, Trouble> {
        let Settings::Webhook(settings) = link.settings else {
            return Err(Trouble::permanent("settings", "not a webhook channel"));
        };
        let secret = link
            .credentials
            .and_then(|c| c.token.as_deref())
            .ok_or_else(|| {
                Trouble::permanent(
                    "no secret",
                    "the channel's signing secret is missing from the vault",
                )
            })?;
        let body = serde_json::to_vec(&serde_json::json!({
            "event": event,
            "profile": format!("@{}", link.profile_handle),
            "channel": link.channel.id,
            "data": body,
        }))
        .map_err(|e| Trouble::permanent("body", e.to_string()))?;
        let timestamp = crate::now().micros() / 1_000_000;
        let signature = channel::sign_webhook(secret.as_bytes(), timestamp, &body);
        let client = Self::client(&link.app.settings.channels)?;
        let mut request = client
            .post(&settings.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(channel::TIMESTAMP_HEADER, timestamp.to_string())
            .header(channel::SIGNATURE_HEADER, signature);
        if let Some(id) = delivery {
            request = request.header(channel::DELIVERY_HEADER, id.to_string());
        }
        let response = request.body(body).send().await.map_err(|e| Trouble {
            permanent: false,
            status: if e.is_timeout() {
                "timeout".into()
            } else {
                "unreachable".into()
            },
            message: if e.is_timeout() {
                format!(
                    "the receiver did not answer within {} seconds",
                    link.app.settings.channels.timeout.as_secs()
                )
            } else {
                // reqwest's chain says why (refused, DNS, TLS).
                let mut why = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    why.push_str(": ");
                    why.push_str(&s.to_string());
                    source = s.source();
                }
                clip(&why)
            },
        })?;
        let status = response.status();
        let answer = match response.text().await {
            Ok(t) => clip(&t),
            Err(e) if e.is_timeout() => "(the receiver stopped answering mid-body)".into(),
            Err(_) => String::new(),
        };
        let label = format!("HTTP {}", status.as_u16());
        if status.is_success() {
            Ok(Report {
                status: label,
                message: answer,
                remote_ref: None,
            })
        } else {
            Err(Trouble {
                permanent: !channel::http_status_is_transient(status.as_u16()),
                status: label,
                message: if answer.is_empty() {
                    status.canonical_reason().unwrap_or("error").to_owned()
                } else {
                    answer
                },
            })
        }
    }
}

impl Adapter for WebhookAdapter {
    fn send<'a>(
        &'a self,
        link: &'a Link<'a>,
        out: &'a Outgoing<'a>,
    ) -> Pending<'a, Result<Report, Trouble>> {
        Box::pin(async move {
            let data = serde_json::json!({
                "delivery": out.delivery_id,
                "title": out.title,
                "text": out.text,
                "said_at": out.said_at.to_rfc3339(),
            });
            Self::post(link, "delivery", Some(out.delivery_id), data).await
        })
    }

    fn test<'a>(&'a self, link: &'a Link<'a>) -> Pending<'a, Result<Report, Trouble>> {
        Box::pin(async move {
            let data =
                serde_json::json!({ "note": "a connection test from Byline; nothing to publish" });
            Self::post(link, "test", None, data).await
        })
    }
}

/// E-mail over SMTP (STARTTLS, TLS, or plain to a local relay; AUTH when
/// the vault holds a login).
struct EmailAdapter;

type Smtp = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

impl EmailAdapter {
    fn transport<'a>(link: &'a Link<'a>) -> Result<(Smtp, &'a EmailSettings), Trouble> {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let Settings::Email(settings) = link.settings else {
            return Err(Trouble::permanent("settings", "not an e-mail channel"));
        };
        let setup = &link.app.settings.channels;
        let mut tls = TlsParameters::builder(settings.host.clone());
        if let Some(pem) = &setup.extra_roots_pem {
            let cert = Certificate::from_pem(pem)
                .map_err(|e| Trouble::permanent("tls", format!("the extra CA file: {e}")))?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = tls
            .build_rustls()
            .map_err(|e| Trouble::permanent("tls", e.to_string()))?;
        let security = SmtpSecurity::parse(&settings.security)
            .map_err(|e| Trouble::permanent("settings", e.to_string()))?;
        let mut builder = Smtp::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .timeout(Some(setup.timeout))
            .tls(match security {
                SmtpSecurity::Starttls => Tls::Required(tls),
                SmtpSecurity::Tls => Tls::Wrapper(tls),
                SmtpSecurity::None => Tls::None,
            });
        if let Some((Some(user), Some(password))) =
            link.credentials.map(|c| (&c.username, &c.password))
        {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok((builder.build(), settings))
    }

    fn trouble(e: &lettre::transport::smtp::Error) -> Trouble {
        let status = match e.status() {
            Some(code) => format!("SMTP {code}"),
            None if e.is_timeout() => "timeout".into(),
            None => "unreachable".into(),
        };
        let mut why = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            why.push_str(": ");
            why.push_str(&s.to_string());
            source = s.source();
        }
        Trouble {
            permanent: e.is_permanent(),
            status,
            message: clip(&why),
        }
    }
}

impl Adapter for EmailAdapter {
    fn send<'a>(
        &'a self,
        link: &'a Link<'a>,
        out: &'a Outgoing<'a>,
    ) -> Pending<'a, Result<Report, Trouble>> {
        Box::pin(async move {
            use lettre::AsyncTransport;
            use lettre::message::{Mailbox, header::ContentType};
            let (smtp, settings) = Self::transport(link)?;
            let bad = |e: String| Trouble::permanent("address", e);
            let from: Mailbox = settings
                .from
                .parse()
                .map_err(|e| bad(format!("from: {e}")))?;
            let mut message = lettre::Message::builder()
                .from(from)
                .subject(out.title)
                .header(ContentType::TEXT_PLAIN);
            for to in &settings.to {
                message = message.to(to.parse().map_err(|e| bad(format!("{to}: {e}")))?);
            }
            let message = message
                .body(out.text.to_owned())
                .map_err(|e| Trouble::permanent("message", e.to_string()))?;
            let started = Instant::now();
            let answer = smtp.send(message).await.map_err(|e| Self::trouble(&e))?;
            let words: Vec<&str> = answer.message().collect();
            tracing::debug!(millis = started.elapsed().as_millis(), "e-mail handed over");
            Ok(Report {
                status: format!("SMTP {}", answer.code()),
                message: clip(&words.join(" ")),
                remote_ref: None,
            })
        })
    }

    fn test<'a>(&'a self, link: &'a Link<'a>) -> Pending<'a, Result<Report, Trouble>> {
        Box::pin(async move {
            let (smtp, settings) = Self::transport(link)?;
            match smtp.test_connection().await {
                Ok(true) => Ok(Report {
                    status: "connected".into(),
                    message: format!(
                        "{}:{} accepted the connection{}",
                        settings.host,
                        settings.port,
                        if link.credentials.is_some() {
                            " and the sign-in"
                        } else {
                            ""
                        }
                    ),
                    remote_ref: None,
                }),
                Ok(false) => Err(Trouble {
                    permanent: false,
                    status: "no answer".into(),
                    message: "the server did not answer NOOP".into(),
                }),
                Err(e) => Err(Self::trouble(&e)),
            }
        })
    }
}
