//! Who is asking: the session cookie or bearer token behind a request,
//! turned into a [`CurrentUser`] by an extractor so no handler can forget.

use crate::error::AppError;
use crate::state::{AppState, now};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE, USER_AGENT};
use axum::http::request::Parts;
use byline_app::{Caller, Credential, accounts};
use byline_core::secret_token;
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "byline_session";
/// Name of the cookie holding the sign-in form's CSRF token.
pub const FORM_CSRF_COOKIE: &str = "byline_csrf";

/// The signed-in caller of a request: an extractor, so no handler can
/// forget to authenticate. It derefs to the [`Caller`] the services take.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Caller);

impl std::ops::Deref for CurrentUser {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl CurrentUser {
    /// The CSRF token for forms (empty for API tokens, which need none).
    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::ApiToken { .. } | Credential::Operator => "",
        }
    }

    /// Checks a submitted form's CSRF token against the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        match &self.credential {
            Credential::Session { csrf_token, .. }
                if secret_token::constant_time_eq(csrf_token, submitted) =>
            {
                Ok(())
            }
            Credential::Session { .. } => Err(AppError::Forbidden),
            Credential::ApiToken { .. } | Credential::Operator => Ok(()),
        }
    }
}

/// The CSRF token belonging to a session cookie value.
pub fn csrf_for_session(cookie_value: &str) -> String {
    secret_token::derive("byline csrf v1", cookie_value)
}

/// A cookie's value from the request, if present.
pub fn cookie<'a>(parts: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value; HttpOnly and SameSite=Lax always, Secure behind HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// Where a request came from, for sessions, throttling and the audit log:
/// an extractor that derefs to the services' [`byline_app::Client`].
#[derive(Debug, Clone)]
pub struct Client(pub byline_app::Client);

impl std::ops::Deref for Client {
    type Target = byline_app::Client;
    fn deref(&self) -> &byline_app::Client {
        &self.0
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Client, AppError> {
        Ok(Client::of(parts, state))
    }
}

impl Client {
    /// Reads the address and user agent from a request.
    pub fn of(parts: &Parts, state: &AppState) -> Client {
        let forwarded = state
            .settings
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
            })
            .flatten()
            .and_then(|v| v.split(',').next())
            .map(|s| s.trim().to_owned());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent: String = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(256)
            .collect();
        Client(byline_app::Client {
            address: forwarded.or(peer).unwrap_or_else(|| "unknown".to_owned()),
            user_agent,
        })
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let now = now();
    let source_address = Client::of(parts, state).0.address;
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthenticated(
                "use 'Authorization: Bearer <token>'",
            ))?;
        let caller = accounts::caller_by_token(state, token, source_address, now).await?;
        return Ok(Some(CurrentUser(caller)));
    }
    let Some(cookie_value) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let caller = accounts::caller_by_session(
        state,
        cookie_value,
        csrf_for_session(cookie_value),
        source_address,
        now,
    )
    .await?;
    Ok(caller.map(CurrentUser))
}

/// The header a script sends the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Cookies ride along on requests other sites make, so an unsafe API
/// request authenticated by the session cookie must prove it comes from
/// Byline's own pages: the session's CSRF token in `X-CSRF-Token`, or an
/// `Origin` (or `Sec-Fetch-Site`) saying it is same-origin. Forms under the
/// pages carry their token in the form and are checked there; bearer tokens
/// are never sent by a browser on its own, so they need neither.
fn check_cross_site(parts: &Parts, state: &AppState, who: &CurrentUser) -> Result<(), AppError> {
    let Credential::Session { csrf_token, .. } = &who.credential else {
        return Ok(());
    };
    let unsafe_method = !matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if !unsafe_method || !parts.uri.path().starts_with("/api/") {
        return Ok(());
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if header(CSRF_HEADER).is_some_and(|t| secret_token::constant_time_eq(csrf_token, t)) {
        return Ok(());
    }
    let host = state
        .settings
        .trust_forwarded_for
        .then(|| header("x-forwarded-host"))
        .flatten()
        .or_else(|| header("host"));
    let same_origin = match header("origin") {
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            origin_host.is_some() && origin_host == host
        }
        None => header("sec-fetch-site") == Some("same-origin"),
    };
    if same_origin {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(
            "a signed-in browser's API writes must come from Byline's own pages: send the session's \
             CSRF token in the X-CSRF-Token header, or use an API token"
                .into(),
        ))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<CurrentUser, AppError> {
        let who = authenticate(parts, state)
            .await?
            .ok_or(AppError::Unauthenticated("sign in first"))?;
        check_cross_site(parts, state, &who)?;
        Ok(who)
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<CurrentUser>, AppError> {
        let who = authenticate(parts, state).await?;
        if let Some(who) = &who {
            check_cross_site(parts, state, who)?;
        }
        Ok(who)
    }
}
