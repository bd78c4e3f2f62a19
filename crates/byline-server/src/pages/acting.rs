//! The profile switcher: acting as yourself or as a shared profile.

use super::{PageError, Viewer, WebForm};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(switch))
}

/// The profile switcher's fields.
#[derive(Deserialize, ToSchema)]
pub struct SwitchForm {
    csrf_token: String,
    /// A shared profile's handle, or empty to act as yourself.
    profile: String,
}

/// Switches between acting as yourself and as a shared profile.
#[utoipa::path(post, path = "/acting", tag = "web", operation_id = "page_switch_profile",
    request_body(content = SwitchForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Switched"),
              (status = 403, description = "Not a member, or wrong CSRF token", content_type = "text/html")))]
async fn switch(
    State(state): State<AppState>,
    Viewer(current): Viewer,
    client: crate::auth::Client,
    WebForm(f): WebForm<SwitchForm>,
) -> Result<Response, PageError> {
    current.check_csrf(&f.csrf_token)?;
    if f.profile.trim().is_empty() {
        crate::acting::switch_out(&state, &current, "switched_out").await?;
    } else {
        crate::acting::switch_in(&state, &current, f.profile.trim(), &client.user_agent).await?;
    }
    Ok(Redirect::to("/").into_response())
}
