//! What every handler can reach: the services and the server's settings.

use byline_app::{App, AppSettings};
use byline_store::Store;
use std::time::Duration;

/// Settings that shape HTTP behaviour.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies `Secure` (set when the public URL is https).
    pub secure_cookies: bool,
    /// How long an unused session stays valid.
    pub session_idle: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Longest time a request may take.
    pub request_timeout: Duration,
    /// Failed sign-ins for one email before it is throttled.
    pub sign_in_failures_per_email: i64,
    /// Failed sign-ins from one address before it is throttled.
    pub sign_in_failures_per_address: i64,
    /// Window over which failures are counted.
    pub sign_in_failure_window: Duration,
    /// Take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_forwarded_for: bool,
    /// Where uploaded images are kept.
    pub attachments_dir: std::path::PathBuf,
    /// How often an open event stream re-checks that its session or token
    /// is still valid (sign-out and deactivation end streams within this).
    pub live_recheck: Duration,
    /// How fast one person or address may write, search and mint tokens.
    pub limits: byline_app::limits::LimitSettings,
    /// Where the vault's master key is.
    pub vault_key: byline_app::vault::KeySource,
    /// How channels reach the outside world.
    pub channels: byline_app::channels::Setup,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secure_cookies: false,
            session_idle: Duration::from_secs(14 * 24 * 3600),
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            sign_in_failures_per_email: 5,
            sign_in_failures_per_address: 50,
            sign_in_failure_window: Duration::from_secs(15 * 60),
            trust_forwarded_for: false,
            attachments_dir: std::path::PathBuf::from("./byline-data/attachments"),
            live_recheck: Duration::from_secs(30),
            limits: byline_app::limits::LimitSettings::default(),
            vault_key: byline_app::vault::KeySource::File(std::path::PathBuf::from(
                "./byline-data/vault.key",
            )),
            channels: byline_app::channels::Setup::default(),
        }
    }
}

/// Shared by all handlers: the services, and the HTTP settings.
#[derive(Clone)]
pub struct AppState {
    /// The services (store, live events, limits) every handler calls.
    pub app: App,
    /// HTTP settings.
    pub settings: Settings,
    /// The OpenAPI document, rendered once at start.
    pub openapi_json: axum::body::Bytes,
}

/// A handler passes `&state` where a service wants `&App`.
impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

/// The current time as stored (see [`byline_app::now`]).
pub use byline_app::now;

impl Settings {
    /// The part of these settings that shapes the services.
    pub fn app_settings(&self) -> AppSettings {
        AppSettings {
            session_idle: self.session_idle,
            sign_in_failures_per_email: self.sign_in_failures_per_email,
            sign_in_failures_per_address: self.sign_in_failures_per_address,
            sign_in_failure_window: self.sign_in_failure_window,
            attachments_dir: self.attachments_dir.clone(),
            live_recheck: self.live_recheck,
            limits: self.limits,
            vault_key: self.vault_key.clone(),
            channels: self.channels.clone(),
            ..AppSettings::default()
        }
    }
}

impl AppState {
    /// The state over `store` shaped by `settings`.
    pub fn new(store: Store, settings: Settings, openapi_json: axum::body::Bytes) -> AppState {
        AppState {
            app: App::new(store, settings.app_settings()),
            settings,
            openapi_json,
        }
    }
}
