//! Campaign short links: `/r/{code}` counts the click (a day and the
//! link, nothing about who) and sends the reader on to the tagged address.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(follow))
}

/// Follow a campaign's short link (anyone). The click is counted durably
/// before the redirect is sent.
#[utoipa::path(get, path = "/r/{code}", tag = "web", operation_id = "page_short_link", security(()),
    params(("code" = String, Path, description = "The short link's code")),
    responses((status = 302, description = "On to the link's address, with its UTM parameters"),
              (status = 404, description = "No such short link")))]
async fn follow(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let target = byline_app::campaigns::follow(&state, &code).await?;
    // No caching: every click is counted, and the address never leaks to
    // a shared cache under someone else's request.
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, target),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
        ],
    )
        .into_response())
}
