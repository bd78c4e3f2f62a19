//! JSON in and out: an extractor whose failures use our error shape.

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but malformed bodies, unknown fields (request types
/// use `deny_unknown_fields`), wrong content types and oversize bodies
/// become [`AppError`]s.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    use axum::http::StatusCode;
    match r {
        JsonRejection::JsonDataError(e) => {
            AppError::Invalid(format!("the JSON body does not fit: {}", e.body_text()))
        }
        JsonRejection::JsonSyntaxError(e) => {
            AppError::BadRequest(format!("the body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => {
            AppError::BadRequest("send the body as JSON with Content-Type: application/json".into())
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::BadRequest(other.body_text()),
    }
}

/// Like `axum::extract::Query`, with failures in our error shape: a query
/// string that does not parse (an unknown parameter, a number that is not
/// one) is a 400, as a malformed body is.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::BadRequest(format!(
                "the query string does not fit: {}",
                e.body_text()
            ))),
        }
    }
}

/// Parses an opaque id from a path; anything malformed is simply not found.
pub fn parse_id(text: &str) -> Result<i64, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}
