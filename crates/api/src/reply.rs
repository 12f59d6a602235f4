//! What a route answers with, and how that becomes an HTTP response.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::problem::ApiError;

/// An HTTP response with its body.
pub type Response = http::Response<Bytes>;

/// A route's answer, before it becomes HTTP.
pub(crate) enum Reply {
    /// A wire type, serialised.
    Json(StatusCode, Bytes),
    /// A wire type to save as a file named `filename` (a case's exported record).
    JsonFile { body: Bytes, filename: String },
    /// The report as a spreadsheet download.
    Csv(String),
    /// Done, nothing to say (204).
    NoContent,
    /// An iCalendar file (RFC 5545): a subscribed feed, or a download named `filename`.
    Calendar {
        ics: String,
        filename: Option<String>,
    },
}

impl Reply {
    pub(crate) fn ok<T: Serialize>(body: &T) -> Result<Reply, ApiError> {
        Reply::json(StatusCode::OK, body)
    }

    pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Result<Reply, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Internal(Box::new(e)))?;
        Ok(Reply::Json(status, Bytes::from(bytes)))
    }

    pub(crate) fn into_response(self) -> Response {
        match self {
            Reply::Json(status, body) => respond(status, "application/json", body),
            Reply::JsonFile { body, filename } => {
                let mut response = respond(StatusCode::OK, "application/json", body);
                if let Ok(disposition) =
                    HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
                {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_DISPOSITION, disposition);
                }
                response
            }
            Reply::Csv(csv) => {
                let mut response =
                    respond(StatusCode::OK, "text/csv; charset=utf-8", Bytes::from(csv));
                response.headers_mut().insert(
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"escalations-report.csv\""),
                );
                response
            }
            Reply::NoContent => {
                let mut response = http::Response::new(Bytes::new());
                *response.status_mut() = StatusCode::NO_CONTENT;
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            Reply::Calendar { ics, filename } => {
                let mut response = respond(
                    StatusCode::OK,
                    "text/calendar; charset=utf-8",
                    Bytes::from(ics),
                );
                if let Some(disposition) = filename.and_then(|name| {
                    HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).ok()
                }) {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_DISPOSITION, disposition);
                }
                response
            }
        }
    }
}

/// Every answer: its type, and never cached (case data must not linger in browser or proxy
/// caches).
fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// How long a busy answer asks the caller to wait, in seconds.
pub const RETRY_AFTER_SECONDS: &str = "2";

/// Maps an error to its problem-details response, logging the cause chain of a 500.
pub fn problem(error: &ApiError) -> Response {
    if let ApiError::Busy(cause) = error {
        tracing::warn!(cause = %cause, "storage busy: answered 503");
    }
    if let ApiError::Internal(cause) = error {
        let mut chain = vec![cause.to_string()];
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        tracing::error!(cause = %chain.join(": "), "internal error");
    }
    let body = serde_json::to_vec(&error.body()).unwrap_or_default();
    let mut response = respond(
        error.status(),
        "application/problem+json",
        Bytes::from(body),
    );
    let headers = response.headers_mut();
    match error {
        // RFC 6750: a 401 names the scheme the caller must use.
        ApiError::Unauthenticated => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        ApiError::MethodNotAllowed { allow, .. } => {
            if let Ok(allow) = HeaderValue::from_str(&allow.join(", ")) {
                headers.insert(header::ALLOW, allow);
            }
        }
        // RFC 9110: when to try again. Throttling clears within seconds.
        ApiError::Busy(_) => {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        _ => {}
    }
    response
}
