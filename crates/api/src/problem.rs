//! Errors as RFC 9457 problem details, mapped to HTTP in this one place.
//!
//! Architecture invariant: a 500 says nothing about its cause to the caller; the cause chain
//! is logged, and log lines never carry a child's details or free text (the store's and the
//! core's errors name ids and fields only).

use http::StatusCode;
use serde::Serialize;

use escalations_core::access::Denied;
use escalations_core::case::{RaiseError, Refused};
use escalations_store::StoreError;

/// One bad field of a request body or query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// A JSON pointer-like path, e.g. `concern.summary`.
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request has {} problem(s)", .0.len())]
    BadRequest(Vec<FieldError>),
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Refused(String),
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "invalid-request",
            ApiError::TooLarge { .. } => "request-too-large",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) | ApiError::NoRoute { .. } => "not-found",
            ApiError::Conflict(_) => "version-conflict",
            ApiError::Refused(_) => "transition-refused",
            ApiError::Internal(_) => "internal-error",
        }
    }

    /// The problem-details document. Internal errors are opaque.
    pub fn body(&self) -> serde_json::Value {
        let status = self.status();
        let mut body = serde_json::json!({
            "type": format!("https://escalations.invalid/problems/{}", self.kind()),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": match self {
                ApiError::Internal(_) => "Something went wrong on our side. Nothing was changed; please try again.".to_owned(),
                ApiError::BadRequest(errors) => errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            },
        });
        if let ApiError::BadRequest(errors) = self {
            body["errors"] = serde_json::to_value(errors).unwrap_or_default();
        }
        body
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict {
                expected_version, ..
            } => ApiError::Conflict(format!(
                "the case changed after you read version {expected_version}: reload it and try again"
            )),
            StoreError::NotFound { .. } => ApiError::NotFound("case"),
            StoreError::IdempotencyKeyReused { .. } => ApiError::Refused(
                "this Idempotency-Key was already used for a different request: use a new key"
                    .into(),
            ),
            StoreError::InvalidCursor => {
                ApiError::field("cursor", "not valid here: start the list again")
            }
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(e: Refused) -> Self {
        match e {
            Refused::NotYourMove { .. } | Refused::AdministratorsDoNotAct => {
                ApiError::Forbidden(e.to_string())
            }
            Refused::UnknownStage { .. } => ApiError::field("to", e.to_string()),
            Refused::Calendar(_) | Refused::WrongProcedure { .. } => {
                ApiError::Internal(Box::new(e))
            }
            _ => ApiError::Refused(e.to_string()),
        }
    }
}

impl From<RaiseError> for ApiError {
    fn from(e: RaiseError) -> Self {
        match e {
            RaiseError::RoleMayNotRaise { .. } => ApiError::Forbidden(e.to_string()),
            RaiseError::ChildRequired | RaiseError::ChildNotAllowed => {
                ApiError::field("child", e.to_string())
            }
            RaiseError::ReceivingAgencyRequired | RaiseError::SameAgency => {
                ApiError::field("receiving_agency", e.to_string())
            }
            RaiseError::ReasonRequired { .. } | RaiseError::UnknownReason { .. } => {
                ApiError::field("concern.reasons", e.to_string())
            }
            RaiseError::LevelOfNeedRequired { .. } | RaiseError::UnknownLevelOfNeed { .. } => {
                ApiError::field("concern.level_of_need", e.to_string())
            }
            RaiseError::Calendar(_) => ApiError::Internal(Box::new(e)),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(e: Denied) -> Self {
        match e {
            Denied::NoSuchCase => ApiError::NotFound("case"),
            other => ApiError::Forbidden(other.to_string()),
        }
    }
}
