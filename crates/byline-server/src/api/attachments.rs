//! Uploading and fetching images.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::json::parse_id;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_app::attachments::{self, MAX_BYTES};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // Images may be larger than other request bodies.
        .routes(routes!(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 1)))
        .routes(routes!(fetch))
}

/// An uploaded image.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    /// Opaque id; pass it in a new post's `attachments`.
    id: String,
    /// What the bytes are: image/png, image/jpeg, image/gif or image/webp.
    media_type: String,
    /// Size in bytes.
    size: i64,
    /// Where to fetch it.
    url: String,
}

impl From<byline_store::attachments::Attachment> for AttachmentView {
    fn from(a: byline_store::attachments::Attachment) -> AttachmentView {
        AttachmentView {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id.to_string(),
            media_type: a.media_type,
            size: a.size_bytes,
        }
    }
}

/// Upload an image (PNG, JPEG, GIF or WebP, at most 10 MiB) as the raw request body.
/// Its type is checked by content; a Content-Type naming another image type is refused.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "posts",
    request_body(content = String, content_type = "application/octet-stream", description = "The image bytes"),
    responses(
        (status = 201, description = "Stored; attach it to a post within your next posts", body = AttachmentView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Larger than 10 MiB", body = ErrorBody),
        (status = 422, description = "Empty, not an allowed image, or mislabelled", body = ErrorBody),
        (status = 429, description = "Too many in a short time; try again after Retry-After seconds", body = ErrorBody),
    ))]
async fn upload(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AttachmentView>), AppError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(e.body_text())
        }
    })?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let a = attachments::upload(&state, &current, declared, bytes).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Fetch an image you may see (yours, or on a post you may read).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "posts",
    params(("id" = String, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such image, or not yours to see", body = ErrorBody),
    ))]
async fn fetch(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (a, path) = attachments::open(&state, &current, parse_id(&id)?).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Internal(format!("reading attachment {}: {e}", a.id)))?;
    Ok((
        [
            (header::CONTENT_TYPE, a.media_type),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
