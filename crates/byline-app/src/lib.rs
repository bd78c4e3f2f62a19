//! Byline's application layer: one service per capability (posts,
//! messages, communities, acting, rosters, investigations, accounts, …),
//! called alike by the JSON API, the web pages, the CLI and the demo
//! seeder. A service takes the [`App`], the [`Caller`] and plain values,
//! asks the policy, calls the store and returns its own [`Error`]; none
//! knows about HTTP, which the server maps errors to in one place.

pub mod accounts;
pub mod acting;
pub mod articles;
pub mod attachments;
pub mod audit_log;
pub mod bylines;
mod caller;
pub mod campaigns;
pub mod channels;
pub mod collision;
pub mod communities;
pub mod dashboard;
mod error;
pub mod feeds;
pub mod follows;
pub mod intake;
pub mod investigations;
pub mod jobs;
pub mod limits;
pub mod listening;
pub mod live;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod operator;
pub mod posts;
pub mod profiles;
pub mod publishing;
pub mod rosters;
pub mod search;
pub mod shared_profiles;
pub mod tickets;
pub mod vault;

pub use caller::{Caller, Client, Credential};
pub use error::Error;

use byline_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What the services need beyond the caller: the store, the live event
/// bus, the abuse limits and where uploads are kept.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Store,
    /// Live events for open pages and streams.
    pub live: live::Live,
    /// Who is on which ticket now (collision notices).
    pub presence: collision::Presence,
    /// Help desks' setups, kept briefly for planning new tickets.
    pub intake: intake::Setups,
    /// Abuse limits.
    pub limits: Arc<limits::Limits>,
    /// How the services are shaped.
    pub settings: AppSettings,
}

/// The settings an [`App`] is built from.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// How long an unused session stays valid.
    pub session_idle: Duration,
    /// Failed sign-ins for one email before it is throttled.
    pub sign_in_failures_per_email: i64,
    /// Failed sign-ins from one address before it is throttled.
    pub sign_in_failures_per_address: i64,
    /// Window over which failures are counted.
    pub sign_in_failure_window: Duration,
    /// Where uploaded images are kept.
    pub attachments_dir: PathBuf,
    /// How often an open event stream re-checks its credential.
    pub live_recheck: Duration,
    /// How fast one person or address may write, search and mint tokens.
    pub limits: limits::LimitSettings,
    /// Where the vault's master key is.
    pub vault_key: vault::KeySource,
    /// Days after which a secret's value is due for rotation.
    pub vault_rotation_days: i64,
    /// How channels reach the outside world.
    pub channels: channels::Setup,
}

impl Default for AppSettings {
    fn default() -> AppSettings {
        AppSettings {
            session_idle: Duration::from_secs(14 * 24 * 3600),
            sign_in_failures_per_email: 5,
            sign_in_failures_per_address: 50,
            sign_in_failure_window: Duration::from_secs(15 * 60),
            attachments_dir: PathBuf::from("./byline-data/attachments"),
            live_recheck: Duration::from_secs(30),
            limits: limits::LimitSettings::default(),
            vault_key: vault::KeySource::File(PathBuf::from("./byline-data/vault.key")),
            vault_rotation_days: 180,
            channels: channels::Setup::default(),
        }
    }
}

impl App {
    /// The services over `store`, shaped by `settings`.
    pub fn new(store: Store, settings: AppSettings) -> App {
        App {
            store,
            live: live::Live::default(),
            presence: collision::Presence::default(),
            intake: intake::Setups::default(),
            limits: Arc::new(limits::Limits::new(&settings.limits)),
            settings,
        }
    }

    /// The services for work done outside a server, such as CLI tasks and
    /// the demo seeder.
    pub fn for_tasks(store: Store) -> App {
        App::new(store, AppSettings::default())
    }
}

/// The current time as stored. The one place Byline reads the clock;
/// domain functions take the value as a parameter.
pub fn now() -> byline_core::Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    byline_core::Timestamp(micros.saturating_add(clock_offset_micros()))
}

/// The variable that moves this process's clock forward, for tests only
/// (docs/RELIABILITY.md): the crash suite starts a real server some days
/// ahead so that jobs scheduled days out come due now, as they would after
/// the days had passed. Whole seconds; unset or unreadable means none.
pub const FAULT_CLOCK_OFFSET_VAR: &str = "BYLINE_FAULT_CLOCK_OFFSET_SECS";

fn clock_offset_micros() -> i64 {
    static OFFSET: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *OFFSET.get_or_init(|| {
        let secs = std::env::var(FAULT_CLOCK_OFFSET_VAR)
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        if secs != 0 {
            tracing::warn!(
                seconds = secs,
                "{FAULT_CLOCK_OFFSET_VAR} is set: this process's clock is moved (a test knob)"
            );
        }
        secs.saturating_mul(1_000_000)
    })
}
