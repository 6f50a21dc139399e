//! The HTTP boundary's error type: every way a batch can be refused, each with
//! its status code. The body is always `{"error": "<reason>"}` so the SDK (and
//! a person with curl) can tell what to fix.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestError {
    /// A body that is not a batch (events are refused one by one, see `validate`).
    Invalid(String),
    /// The body did not arrive in time (`--body-timeout`, `--request-timeout`); retryable.
    Timeout(String),
    /// Body or decompressed body over its size limit.
    TooLarge(String),
    /// A `Content-Encoding` we do not decode.
    UnsupportedEncoding(String),
    /// The request's origin may not write for this site.
    OriginNotAllowed { site: String },
    /// Over `--rate-limit`.
    RateLimited,
    /// Storage failed: nothing of the batch was stored, the client should retry.
    Unavailable(String),
}

impl IngestError {
    pub fn status(&self) -> StatusCode {
        match self {
            IngestError::Invalid(_) => StatusCode::BAD_REQUEST,
            IngestError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            IngestError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            IngestError::UnsupportedEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IngestError::OriginNotAllowed { .. } => StatusCode::FORBIDDEN,
            IngestError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            IngestError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn reason(&self) -> String {
        match self {
            IngestError::Invalid(r)
            | IngestError::Timeout(r)
            | IngestError::TooLarge(r)
            | IngestError::UnsupportedEncoding(r) => r.clone(),
            IngestError::OriginNotAllowed { site } if site.is_empty() => "origin not allowed".into(),
            IngestError::OriginNotAllowed { site } => format!("origin not allowed for site {site}"),
            IngestError::RateLimited => "rate limit exceeded, retry later".into(),
            IngestError::Unavailable(r) => format!("storage unavailable, retry later: {r}"),
        }
    }
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        IngestError::Unavailable(e.to_string())
    }
}

impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        let mut resp = (self.status(), Json(serde_json::json!({ "error": self.reason() }))).into_response();
        if matches!(self, IngestError::RateLimited | IngestError::Unavailable(_)) {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        // Answered before the body was read (a rate limit), or with the rest of it unread (too
        // large): the server closes the connection then, and says so, or a client reusing it
        // for its next request sees that one fail.
        if matches!(self, IngestError::RateLimited | IngestError::TooLarge(_)) {
            resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        resp
    }
}
