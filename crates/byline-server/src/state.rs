//! What every handler can reach: the store and the server's settings.

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
    pub limits: crate::limits::LimitSettings,
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
            limits: crate::limits::LimitSettings::default(),
        }
    }
}

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// HTTP settings.
    pub settings: Settings,
    /// The OpenAPI document, rendered once at start.
    pub openapi_json: axum::body::Bytes,
    /// Live events for open pages.
    pub live: crate::live::Live,
    /// Abuse limits.
    pub limits: std::sync::Arc<crate::limits::Limits>,
}

/// The current time as stored. The one place the server reads the clock;
/// domain functions take the value as a parameter.
pub fn now() -> byline_core::Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    byline_core::Timestamp(micros)
}

impl AppState {
    /// State for work done outside a server, such as CLI tasks.
    pub fn for_tasks(store: Store) -> AppState {
        let settings = Settings::default();
        AppState {
            store,
            limits: std::sync::Arc::new(crate::limits::Limits::new(&settings.limits)),
            settings,
            openapi_json: axum::body::Bytes::new(),
            live: crate::live::Live::default(),
        }
    }
}
