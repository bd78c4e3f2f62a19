//! Channels: the places a shared profile publishes to besides the network
//! itself (the organisation's own feed, a signed webhook, e-mail). The
//! rules here are the ones that need no I/O: what a channel's settings may
//! be, how a webhook body is signed, and which failures are worth a retry.

use crate::CoreError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Longest channel name, in characters.
pub const MOST_NAME_CHARS: usize = 80;
/// Longest text sent through a channel, in characters.
pub const MOST_TEXT_CHARS: usize = 10_000;
/// Longest title (a feed item's title, an e-mail's subject), in characters.
pub const MOST_TITLE_CHARS: usize = 200;
/// Recipients an e-mail channel may have.
pub const MOST_RECIPIENTS: usize = 50;
/// Attempts at one delivery before it is marked failed.
pub const MOST_ATTEMPTS: i64 = 6;

/// The header carrying the webhook's signature (`sha256=<hex>`).
pub const SIGNATURE_HEADER: &str = "Byline-Signature";
/// The header carrying the Unix time (seconds) the signature covers.
pub const TIMESTAMP_HEADER: &str = "Byline-Timestamp";
/// The header carrying the delivery's id, the same on every retry, so a
/// receiver can drop a repeat.
pub const DELIVERY_HEADER: &str = "Byline-Delivery";

/// What kind of place a channel sends to. A new kind (Mastodon, LinkedIn,
/// X) is a new variant here and a new adapter in the application; the
/// sending workflow does not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// The organisation's own feed: a post as the profile.
    Feed,
    /// An HTTP POST of a signed JSON body.
    Webhook,
    /// E-mail over SMTP.
    Email,
}

impl ChannelKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Feed, ChannelKind::Webhook, ChannelKind::Email];

    /// Reads a kind's name.
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        Ok(match s {
            "feed" => Self::Feed,
            "webhook" => Self::Webhook,
            "email" => Self::Email,
            other => {
                return Err(CoreError::InvalidChannel(format!(
                    "unknown channel kind '{other}': use feed, webhook or email"
                )));
            }
        })
    }

    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Webhook => "webhook",
            Self::Email => "email",
        }
    }

    /// Whether its credentials live in the vault (the feed needs none).
    pub fn has_credentials(self) -> bool {
        !matches!(self, Self::Feed)
    }
}

/// Checks a channel's name.
pub fn validate_name(name: &str) -> Result<String, CoreError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MOST_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(CoreError::InvalidChannel(format!(
            "a channel's name is 1 to {MOST_NAME_CHARS} characters without control characters"
        )));
    }
    Ok(name.to_owned())
}

/// Checks what is sent through a channel: a title (may be empty: the first
/// line of the text stands in) and a text.
pub fn validate_outgoing(title: &str, text: &str) -> Result<(String, String), CoreError> {
    let title = title.trim();
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::InvalidChannel(
            "there is nothing to send: write some text".into(),
        ));
    }
    if text.chars().count() > MOST_TEXT_CHARS {
        return Err(CoreError::InvalidChannel(format!(
            "a channel takes at most {MOST_TEXT_CHARS} characters"
        )));
    }
    if title.chars().count() > MOST_TITLE_CHARS || title.chars().any(char::is_control) {
        return Err(CoreError::InvalidChannel(format!(
            "a title is at most {MOST_TITLE_CHARS} characters on one line"
        )));
    }
    let title = if title.is_empty() {
        let first = text.lines().next().unwrap_or_default().trim();
        first.chars().take(MOST_TITLE_CHARS).collect()
    } else {
        title.to_owned()
    };
    Ok((title, text.to_owned()))
}

/// A host and port this server answers on: a channel may not point at it
/// (a webhook to itself would be a loop, or a way to make the server call
/// its own API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAddress {
    /// Host name or IP literal, lower case.
    pub host: String,
    /// Port.
    pub port: u16,
}

/// Whether `host` names this machine's loopback or unspecified address.
fn is_local_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// Checks a webhook's address: http or https, a host, no credentials in
/// it, and not this server itself.
pub fn validate_webhook_url(raw: &str, own: &[OwnAddress]) -> Result<url::Url, CoreError> {
    let bad = |why: &str| CoreError::InvalidChannel(format!("the webhook address {why}"));
    let url = url::Url::parse(raw.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(&format!(
            "must start with http:// or https://, not {}:",
            url.scheme()
        )));
    }
    let host = url
        .host_str()
        .ok_or_else(|| bad("has no host"))?
        .to_ascii_lowercase();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not hold a user name or password: the signing secret authenticates Byline",
        ));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let points_here = own.iter().any(|a| {
        a.port == port && (a.host == host || (is_local_host(&host) && (is_local_host(&a.host))))
    });
    if points_here {
        return Err(bad("points at this Byline server itself"));
    }
    Ok(url)
}

/// How an e-mail channel's connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required, never skipped).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

impl SmtpSecurity {
    /// Reads a setting's name.
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        Ok(match s {
            "starttls" => Self::Starttls,
            "tls" => Self::Tls,
            "none" => Self::None,
            other => {
                return Err(CoreError::InvalidChannel(format!(
                    "unknown SMTP security '{other}': use starttls, tls or none"
                )));
            }
        })
    }

    /// The setting's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starttls => "starttls",
            Self::Tls => "tls",
            Self::None => "none",
        }
    }
}

/// Checks an SMTP host: a plain name or IP, no scheme or path.
pub fn validate_smtp_host(host: &str, security: SmtpSecurity) -> Result<String, CoreError> {
    let host = host.trim().to_ascii_lowercase();
    let plain = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !plain {
        return Err(CoreError::InvalidChannel(
            "the SMTP host is a host name or IP address (like smtp.example.com), without scheme or port"
                .into(),
        ));
    }
    if security == SmtpSecurity::None && !is_local_host(&host) {
        return Err(CoreError::InvalidChannel(
            "an unencrypted SMTP connection is allowed only to a relay on this machine: use starttls or tls"
                .into(),
        ));
    }
    Ok(host)
}

/// Checks an e-mail address closely enough to catch typing mistakes (the
/// SMTP server has the last word).
pub fn validate_address(address: &str) -> Result<String, CoreError> {
    let a = address.trim();
    let ok = a.len() <= 254
        && a.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !a.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';')
                })
                && domain.matches('@').count() == 0
        });
    if !ok {
        return Err(CoreError::InvalidChannel(format!(
            "'{a}' is not an e-mail address"
        )));
    }
    Ok(a.to_owned())
}

/// The signature a webhook receiver checks: HMAC-SHA256 under the
/// channel's signing secret over `"{timestamp}.{body}"`, hex, prefixed
/// `sha256=`. Binding the timestamp lets a receiver refuse replays.
pub fn sign_webhook(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    #[allow(clippy::expect_used)]
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("an HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in tag {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether an HTTP status from a webhook receiver is worth another try:
/// server errors, timeouts and "slow down" pass; other refusals will not.
pub fn http_status_is_transient(status: u16) -> bool {
    status >= 500 || status == 408 || status == 429
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Vec<OwnAddress> {
        vec![OwnAddress {
            host: "127.0.0.1".into(),
            port: 8080,
        }]
    }

    #[test]
    fn webhook_urls_must_be_http_and_not_this_server() {
        assert!(validate_webhook_url("https://hooks.example.com/x", &own()).is_ok());
        assert!(validate_webhook_url("http://127.0.0.1:9000/hook", &own()).is_ok());
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "not a url",
            "http://127.0.0.1:8080/api/v1/posts",
            "http://localhost:8080/",
            "http://[::1]:8080/",
            "http://0.0.0.0:8080/",
            "https://user:pw@example.com/",
        ] {
            let e = validate_webhook_url(bad, &own()).expect_err(bad);
            assert!(
                e.to_string().starts_with("the webhook address"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn signature_matches_a_known_hmac() {
        // HMAC-SHA256("key", "1700000000.{}") computed independently.
        let sig = sign_webhook(b"key", 1_700_000_000, b"{}");
        assert!(sig.starts_with("sha256="));
        assert_eq!(sig.len(), 7 + 64);
        assert_ne!(sig, sign_webhook(b"key", 1_700_000_001, b"{}"));
        assert_ne!(sig, sign_webhook(b"other", 1_700_000_000, b"{}"));
        // The same HMAC computed by Python's hmac module.
        assert_eq!(
            sig,
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }

    #[test]
    fn outgoing_text_is_checked_and_titled() {
        let (title, text) = validate_outgoing("", "Wi-Fi is back\nThanks for waiting").expect("ok");
        assert_eq!(title, "Wi-Fi is back");
        assert_eq!(text, "Wi-Fi is back\nThanks for waiting");
        assert!(validate_outgoing("x", "   ").is_err());
        assert!(validate_outgoing("a\nb", "text").is_err());
        assert!(validate_outgoing("", &"x".repeat(MOST_TEXT_CHARS + 1)).is_err());
    }

    #[test]
    fn smtp_settings_are_checked() {
        assert!(validate_smtp_host("smtp.example.com", SmtpSecurity::Starttls).is_ok());
        assert!(validate_smtp_host("smtp://x", SmtpSecurity::Starttls).is_err());
        assert!(validate_smtp_host("smtp.example.com", SmtpSecurity::None).is_err());
        assert!(validate_smtp_host("127.0.0.1", SmtpSecurity::None).is_ok());
        assert!(validate_address("press@acme.example").is_ok());
        for bad in ["", "press", "@acme", "a@", "a b@c.d", "a@b@c", "<a@b.c>"] {
            assert!(validate_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_passing_trouble_is_retried() {
        assert!(http_status_is_transient(500));
        assert!(http_status_is_transient(503));
        assert!(http_status_is_transient(429));
        assert!(!http_status_is_transient(400));
        assert!(!http_status_is_transient(410));
    }
}
