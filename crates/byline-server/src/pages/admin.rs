//! The admin pages: the user list, adding and deactivating users.

use super::{Nav, PageError, Viewer, WebForm, render};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::parse_id;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use byline_app::accounts;
use byline_store::users::User;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users_page, add_user))
        .routes(routes!(deactivate_user))
}

const PAGE: u32 = 50;

struct UserRow {
    id: i64,
    display_name: String,
    handle: String,
    email: String,
    role: &'static str,
    active: bool,
}

impl From<User> for UserRow {
    fn from(u: User) -> UserRow {
        UserRow {
            id: u.id,
            display_name: u.display_name,
            handle: u.handle,
            email: u.email,
            role: u.role.as_str(),
            active: u.active,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<UserRow>,
    next_cursor: Option<i64>,
    me_id: i64,
    csrf_token: String,
    notice: Option<String>,
    error: Option<String>,
}

/// Paging and the outcome of the last action, carried in the query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Show users after this id.
    after: Option<i64>,
    /// A notice to show (after an action).
    notice: Option<String>,
}

async fn users_page_for(
    state: &AppState,
    current: &CurrentUser,
    after: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<UsersPage, PageError> {
    let users = accounts::list_users(state, current, after, PAGE).await?;
    let next_cursor = (users.len() == PAGE as usize)
        .then(|| users.last().map(|u| u.id))
        .flatten();
    Ok(UsersPage {
        nav: Nav::load(state, current, "admin").await?,
        users: users.into_iter().map(UserRow::from).collect(),
        next_cursor,
        me_id: current.user.id,
        csrf_token: current.csrf_token().to_owned(),
        notice,
        error,
    })
}

/// Lists users with forms to add and deactivate them (admins).
#[utoipa::path(get, operation_id = "page_users_page", path = "/admin/users", tag = "web", params(UsersQuery),
    responses((status = 200, description = "User administration page", content_type = "text/html"),
              (status = 303, description = "Not signed in: to the sign-in page"),
              (status = 403, description = "Admins only", content_type = "text/html")))]
async fn users_page(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Query(q): Query<UsersQuery>,
) -> Result<Response, PageError> {
    // The notice is chosen from a fixed set, so a crafted link cannot put
    // arbitrary words on an admin's screen.
    let notice = match q.notice.as_deref() {
        Some("created") => Some("User added.".to_owned()),
        Some("deactivated") => {
            Some("User deactivated; their sessions and tokens have ended.".to_owned())
        }
        _ => None,
    };
    let page = users_page_for(&state, &current, q.after.unwrap_or(0), notice, None).await?;
    Ok(render(&page)?.into_response())
}

/// The add-user form's fields.
#[derive(Deserialize, ToSchema)]
pub struct AddUserForm {
    csrf_token: String,
    email: String,
    display_name: String,
    handle: Option<String>,
    password: String,
    role: Option<String>,
}

/// Adds a user from the admin form.
#[utoipa::path(post, operation_id = "page_add_user", path = "/admin/users", tag = "web",
    request_body(content = AddUserForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added: back to the list"),
              (status = 403, description = "Admins only, or wrong CSRF token", content_type = "text/html"),
              (status = 409, description = "Email or handle taken", content_type = "text/html"),
              (status = 422, description = "Invalid field", content_type = "text/html")))]
async fn add_user(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    WebForm(form): WebForm<AddUserForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&form.csrf_token)?;
    let registration = accounts::FormRegistration {
        email: form.email,
        display_name: form.display_name,
        handle: form.handle.filter(|h| !h.trim().is_empty()),
        password: form.password,
        role: form.role,
    };
    match accounts::create_user_from_form(&state, &current, registration)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/admin/users?notice=created").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = e.status();
            let page = users_page_for(&state, &current, 0, None, Some(e.public_message())).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A form carrying only the CSRF token.
#[derive(Deserialize, ToSchema)]
pub struct DeactivateForm {
    csrf_token: String,
}

/// Deactivates a user from the admin list.
#[utoipa::path(post, operation_id = "page_deactivate_user", path = "/admin/users/{id}/deactivate", tag = "web",
    params(("id" = String, Path, description = "User id")),
    request_body(content = DeactivateForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Deactivated: back to the list"),
              (status = 403, description = "Admins only, or wrong CSRF token", content_type = "text/html"),
              (status = 404, description = "No such user", content_type = "text/html")))]
async fn deactivate_user(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<DeactivateForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&form.csrf_token)?;
    accounts::deactivate(&state, &current, parse_id(&id)?).await?;
    Ok(Redirect::to("/admin/users?notice=deactivated").into_response())
}
