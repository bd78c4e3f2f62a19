//! Effective configuration: command-line flags, then `BYLINE_*` environment
//! variables (clap reads both, flags first), then the TOML file, then
//! built-in defaults.

use anyhow::{Context, bail};
use byline_server::Settings;
use byline_store::{StoreOptions, Synchronous};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every setting, each optional so that sources can be layered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "BYLINE_LISTEN", value_name = "ADDR:PORT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// Directory for the embedded database and files [default: ./byline-data]
    #[arg(long, env = "BYLINE_DATA_DIR", value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Use this database instead of the embedded one (postgres://… or sqlite://PATH)
    #[arg(long, env = "BYLINE_DATABASE_URL", value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// The address people reach Byline at; https:// marks cookies Secure
    #[arg(long, env = "BYLINE_PUBLIC_URL", value_name = "URL")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Most pooled database connections [default: 8]
    #[arg(long, env = "BYLINE_MAX_CONNECTIONS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// SQLite durability: full (default; no acknowledged write is lost on power loss) or normal
    #[arg(long, env = "BYLINE_SQLITE_SYNCHRONOUS", value_parser = parse_synchronous)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqlite_synchronous: Option<Synchronous>,
    /// Largest request body in bytes [default: 1048576]
    #[arg(long, env = "BYLINE_MAX_BODY_BYTES")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<usize>,
    /// Longest a request may take, in seconds [default: 30]
    #[arg(long, env = "BYLINE_REQUEST_TIMEOUT_SECS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout_secs: Option<u64>,
    /// Hours an unused session stays valid [default: 336]
    #[arg(long, env = "BYLINE_SESSION_IDLE_HOURS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_idle_hours: Option<u64>,
    /// Take client addresses from X-Forwarded-For (only behind a trusted proxy)
    #[arg(long, env = "BYLINE_TRUST_FORWARDED_FOR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_forwarded_for: Option<bool>,
    /// Multiply the abuse limits (writes, searches, API tokens) by this [default: 1]
    #[arg(long, env = "BYLINE_RATE_LIMIT_FACTOR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_factor: Option<u32>,
    /// Log format: text or json [default: text]
    #[arg(long, env = "BYLINE_LOG_FORMAT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
    /// The vault's master key file, made with mode 0600 on first use [default: DATA_DIR/vault.key];
    /// BYLINE_VAULT_KEY (64 hex digits) overrides it
    #[arg(long, env = "BYLINE_VAULT_KEY_FILE", value_name = "FILE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_key_file: Option<PathBuf>,
    /// Longest wait for a channel's far end (webhook, SMTP), per attempt, in seconds [default: 10]
    #[arg(long, env = "BYLINE_CHANNEL_TIMEOUT_SECS")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_timeout_secs: Option<u64>,
    /// PEM file of extra certificate authorities trusted for webhooks and SMTP (an internal CA)
    #[arg(long, env = "BYLINE_EXTRA_CA_FILE", value_name = "FILE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<PathBuf>,
}

fn parse_synchronous(s: &str) -> Result<Synchronous, String> {
    match s {
        "full" => Ok(Synchronous::Full),
        "normal" => Ok(Synchronous::Normal),
        other => Err(format!("expected 'full' or 'normal', got '{other}'")),
    }
}

macro_rules! layer_over {
    ($top:expr, $below:expr, $($field:ident),*) => {
        Layer { $($field: $top.$field.or($below.$field)),* }
    };
}

impl Layer {
    /// `self` where set, `below` elsewhere.
    pub fn over(self, below: Layer) -> Layer {
        layer_over!(
            self,
            below,
            listen,
            data_dir,
            database_url,
            public_url,
            max_connections,
            sqlite_synchronous,
            max_body_bytes,
            request_timeout_secs,
            session_idle_hours,
            trust_forwarded_for,
            rate_limit_factor,
            log_format,
            vault_key_file,
            channel_timeout_secs,
            extra_ca_file
        )
    }

    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> anyhow::Result<Layer> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("config file {} is not valid", path.display()))
    }
}

/// The configuration in force, every value resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Listening address.
    pub listen: SocketAddr,
    /// Data directory.
    pub data_dir: PathBuf,
    /// External database, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Public URL, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Pool size.
    pub max_connections: u32,
    /// SQLite durability.
    pub sqlite_synchronous: Synchronous,
    /// Body limit.
    pub max_body_bytes: usize,
    /// Request time limit.
    pub request_timeout_secs: u64,
    /// Session idle lifetime.
    pub session_idle_hours: u64,
    /// Proxy trust.
    pub trust_forwarded_for: bool,
    /// How much looser than the defaults the abuse limits are.
    pub rate_limit_factor: u32,
    /// `text` or `json`.
    pub log_format: String,
    /// The vault's master key file.
    pub vault_key_file: PathBuf,
    /// Channel timeout, seconds.
    pub channel_timeout_secs: u64,
    /// Extra CAs for channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<PathBuf>,
}

impl Config {
    /// Layers flags/env over the optional file over defaults and checks the result.
    pub fn resolve(cli: Layer, file: Option<&Path>) -> anyhow::Result<Config> {
        let from_file = match file {
            Some(path) => Layer::from_file(path)?,
            None => Layer::default(),
        };
        let l = cli.over(from_file);
        let data_dir = l
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./byline-data"));
        let config = Config {
            listen: l
                .listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            database_url: l.database_url.filter(|u| !u.is_empty()),
            public_url: l.public_url.filter(|u| !u.is_empty()),
            max_connections: l.max_connections.unwrap_or(8),
            sqlite_synchronous: l.sqlite_synchronous.unwrap_or_default(),
            max_body_bytes: l.max_body_bytes.unwrap_or(1024 * 1024),
            request_timeout_secs: l.request_timeout_secs.unwrap_or(30),
            session_idle_hours: l.session_idle_hours.unwrap_or(14 * 24),
            trust_forwarded_for: l.trust_forwarded_for.unwrap_or(false),
            rate_limit_factor: l.rate_limit_factor.unwrap_or(1),
            log_format: l.log_format.unwrap_or_else(|| "text".to_owned()),
            vault_key_file: l
                .vault_key_file
                .unwrap_or_else(|| data_dir.join("vault.key")),
            channel_timeout_secs: l.channel_timeout_secs.unwrap_or(10),
            extra_ca_file: l.extra_ca_file,
            data_dir,
        };
        if !matches!(config.log_format.as_str(), "text" | "json") {
            bail!(
                "log_format must be 'text' or 'json', not '{}'",
                config.log_format
            );
        }
        if config.max_connections == 0
            || config.max_body_bytes == 0
            || config.request_timeout_secs == 0
            || config.rate_limit_factor == 0
            || config.channel_timeout_secs == 0
        {
            bail!(
                "max_connections, max_body_bytes, request_timeout_secs, rate_limit_factor and channel_timeout_secs must be above zero"
            );
        }
        Ok(config)
    }

    /// How to reach the database.
    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            max_connections: self.max_connections,
            synchronous: self.sqlite_synchronous,
        }
    }

    /// Where the vault's master key is: `BYLINE_VAULT_KEY` when set (read
    /// here, never a flag, so it shows in no process list), else the file.
    pub fn vault_key(&self) -> byline_app::vault::KeySource {
        byline_app::vault::KeySource::from_env_or_file(
            std::env::var("BYLINE_VAULT_KEY").ok(),
            self.vault_key_file.clone(),
        )
    }

    /// How channels reach the outside: the public URL for feed links,
    /// the extra CAs (read now, so a bad file stops the start).
    pub fn channel_setup(&self) -> anyhow::Result<byline_app::channels::Setup> {
        let extra_roots_pem = match &self.extra_ca_file {
            Some(path) => Some(std::sync::Arc::new(std::fs::read(path).with_context(
                || format!("cannot read the extra CA file {}", path.display()),
            )?)),
            None => None,
        };
        let own_addresses: Vec<_> = self
            .public_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|url| {
                Some(byline_core::channel::OwnAddress {
                    host: url.host_str()?.to_ascii_lowercase(),
                    port: url.port_or_known_default()?,
                })
            })
            .into_iter()
            .collect();
        Ok(byline_app::channels::Setup {
            own_addresses,
            public_url: self.public_url.clone(),
            extra_roots_pem,
            timeout: Duration::from_secs(self.channel_timeout_secs),
        })
    }

    /// HTTP behaviour.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        Ok(Settings {
            secure_cookies: self
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            session_idle: Duration::from_secs(self.session_idle_hours.saturating_mul(3600)),
            max_body_bytes: self.max_body_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            trust_forwarded_for: self.trust_forwarded_for,
            attachments_dir: self.data_dir.join("attachments"),
            vault_key: self.vault_key(),
            channels: self.channel_setup()?,
            limits: byline_app::limits::LimitSettings::default().scaled(self.rate_limit_factor),
            ..Settings::default()
        })
    }

    /// The configuration as TOML with secrets masked, for `--print-config`.
    pub fn to_masked_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database_url = shown.database_url.as_deref().map(mask_url_password);
        Ok(toml::to_string(&shown)?)
    }
}

/// Replaces the password in `scheme://user:password@host/...` with `****`.
pub fn mask_url_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:****{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_url_password("postgres://app:s3cr3t@db:5432/byline"),
            "postgres://app:****@db:5432/byline"
        );
        assert_eq!(
            mask_url_password("postgres://app:p@ss@db/byline"),
            "postgres://app:****@db/byline"
        );
        assert_eq!(
            mask_url_password("postgres://app@db/byline"),
            "postgres://app@db/byline"
        );
        assert_eq!(
            mask_url_password("sqlite:///tmp/x.db"),
            "sqlite:///tmp/x.db"
        );
    }

    #[test]
    fn flags_win_over_the_file_which_wins_over_defaults() {
        let dir = std::env::temp_dir().join(format!("byline-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("byline.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nmax_connections = 3\n").expect("write");
        let cli = Layer {
            listen: Some("127.0.0.1:7000".parse().expect("addr")),
            ..Layer::default()
        };
        let c = Config::resolve(cli, Some(&file)).expect("resolve");
        assert_eq!(c.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(c.max_connections, 3);
        assert_eq!(c.request_timeout_secs, 30);
        std::fs::write(&file, "listn = \"oops\"\n").expect("write");
        assert!(
            Config::resolve(Layer::default(), Some(&file)).is_err(),
            "unknown keys are refused"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
