//! The sign-in and sign-out pages.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::auth::{Client, CurrentUser, FORM_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::accounts;
use byline_core::secret_token;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in_page, sign_in))
        .routes(routes!(sign_out))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nav: Nav,
    error: Option<String>,
    email: String,
    csrf_token: String,
}

/// Renders the form with a fresh double-submit CSRF token in a cookie.
fn sign_in_form(
    state: &AppState,
    email: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let token = secret_token::mint("").plaintext;
    let html = render(&SignInPage {
        nav: Nav::anonymous(),
        error,
        email,
        csrf_token: token.clone(),
    })?;
    let cookie = set_cookie(
        FORM_CSRF_COOKIE,
        &token,
        3600,
        state.settings.secure_cookies,
    );
    Ok(([(header::SET_COOKIE, cookie)], html).into_response())
}

/// The sign-in page.
#[utoipa::path(get, operation_id = "page_sign_in_page", path = "/sign-in", tag = "web", security(()),
    responses((status = 200, description = "Sign-in form", content_type = "text/html"),
              (status = 303, description = "Already signed in: to home")))]
async fn sign_in_page(
    State(state): State<AppState>,
    current: Option<CurrentUser>,
) -> Result<Response, PageError> {
    if current.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    sign_in_form(&state, String::new(), None)
}

/// The sign-in form's fields.
#[derive(Deserialize, ToSchema)]
pub struct SignInForm {
    email: String,
    password: String,
    csrf_token: String,
}

/// Signs in from the form; on success to home, otherwise the form again
/// with the reason.
#[utoipa::path(post, operation_id = "page_sign_in", path = "/sign-in", tag = "web", security(()),
    request_body(content = SignInForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Signed in: to home"),
              (status = 400, description = "Unreadable form", content_type = "text/html"),
              (status = 401, description = "Wrong email or password", content_type = "text/html"),
              (status = 403, description = "Missing or wrong CSRF token", content_type = "text/html"),
              (status = 429, description = "Too many failed attempts", content_type = "text/html")))]
async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    WebForm(form): WebForm<SignInForm>,
) -> Result<Response, PageError> {
    let expected = cookie(&headers, FORM_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !secret_token::constant_time_eq(expected, &form.csrf_token) {
        return Err(PageError(AppError::Forbidden));
    }
    let previous = cookie(&headers, SESSION_COOKIE);
    match accounts::sign_in(&state, &form.email, form.password, &client, previous)
        .await
        .map_err(AppError::from)
    {
        Ok(signed_in) => {
            let max_age = i64::try_from(state.settings.session_idle.as_secs()).unwrap_or(i64::MAX);
            let secure = state.settings.secure_cookies;
            let mut response = Redirect::to("/").into_response();
            let headers = response.headers_mut();
            for c in [
                set_cookie(SESSION_COOKIE, &signed_in.cookie_value, max_age, secure),
                set_cookie(FORM_CSRF_COOKIE, "", 0, secure),
            ] {
                if let Ok(v) = c.parse() {
                    headers.append(header::SET_COOKIE, v);
                }
            }
            Ok(response)
        }
        Err(e @ (AppError::Unauthenticated(_) | AppError::RateLimited(_))) => {
            let status = e.status();
            let mut response = sign_in_form(&state, form.email, Some(e.public_message()))?;
            *response.status_mut() = status;
            if let Some(v) = e.retry_after() {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A form carrying only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct CsrfForm {
    csrf_token: String,
}

/// Signs out and returns to the sign-in page.
#[utoipa::path(post, operation_id = "page_sign_out", path = "/sign-out", tag = "web",
    request_body(content = CsrfForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Signed out: to sign-in"),
              (status = 403, description = "Missing or wrong CSRF token", content_type = "text/html")))]
async fn sign_out(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    WebForm(form): WebForm<CsrfForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&form.csrf_token)?;
    accounts::sign_out(&state, &current).await?;
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.settings.secure_cookies);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/sign-in")).into_response())
}
