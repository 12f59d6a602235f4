//! Errors as RFC 9457 problem details: every use case's error is mapped to HTTP here, and
//! only here.
//!
//! Architecture invariant: a 500 says nothing about its cause to the caller; the cause chain
//! is logged, and log lines never carry a child's details or free text (the store's and the
//! core's errors name ids and fields only).

use http::StatusCode;

use escalations_app::{
    ActError, AdminError, AuditError, DirectoryError, FieldProblem, FormError, ListError,
    QueueError, RaiseError, ReportError, ViewError,
};
use escalations_core::access::Denied;
use escalations_core::case::{ContactRefused, Refused};
use escalations_store::StoreError;
use escalations_wire::{FieldError, OpenCaseRef, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request has {} problem(s)", .0.len())]
    BadRequest(Vec<FieldError>),
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("send the body as JSON, with the header Content-Type: application/json")]
    UnsupportedMediaType,
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
    /// A form's values do not fit it: every bad value, as `values.<field>` or
    /// `values.<field>[row].<column>`.
    #[error("the form's values have {} problem(s)", .0.len())]
    InvalidValues(Vec<FieldError>),
    /// Well formed, but a field names something that cannot do what is asked (a person named
    /// `on_behalf_of` who cannot make the decision).
    #[error("the request has {} problem(s)", .0.len())]
    Unprocessable(Vec<FieldError>),
    /// The child is at immediate risk of significant harm: the procedure's instruction to use
    /// child protection procedures now.
    #[error("{0}")]
    ImmediateRisk(String),
    /// An open escalation about the same child with the same agency exists.
    #[error(
        "an open escalation about this child with this agency already exists ({}): \
         \"Concerns should not be escalated multiple times\". Join it by contacting the agency, \
         or send the raise again with \"duplicate_acknowledged\": true",
        .0.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
    )]
    PossibleDuplicate(Vec<OpenCaseRef>),
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("{path} does not answer {method}: use {}", allow.join(" or "))]
    MethodNotAllowed {
        method: String,
        path: String,
        allow: Vec<&'static str>,
    },
    /// Storage is busy (throttled, timed out): nothing was changed; send the same request
    /// again after `Retry-After` seconds (with the same Idempotency-Key for a raise).
    #[error("the service is busy: nothing was changed; try again in a few seconds")]
    Busy(#[source] Box<dyn std::error::Error + Send + Sync>),
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

    fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(e))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::PossibleDuplicate(_) => StatusCode::CONFLICT,
            ApiError::Refused(_)
            | ApiError::ImmediateRisk(_)
            | ApiError::InvalidValues(_)
            | ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "invalid-request",
            ApiError::TooLarge { .. } => "request-too-large",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) | ApiError::NoRoute { .. } => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict(_) => "version-conflict",
            ApiError::Refused(_) | ApiError::Unprocessable(_) => "transition-refused",
            ApiError::InvalidValues(_) => "invalid-form-values",
            ApiError::ImmediateRisk(_) => "immediate-risk",
            ApiError::PossibleDuplicate(_) => "possible-duplicate",
            ApiError::Busy(_) => "busy",
            ApiError::Internal(_) => "internal-error",
        }
    }

    /// The problem-details document. Internal errors are opaque.
    pub fn body(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: format!("https://escalations.invalid/problems/{}", self.kind()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: match self {
                ApiError::Internal(_) => {
                    "Something went wrong on our side. Nothing was changed; please try again."
                        .to_owned()
                }
                ApiError::BadRequest(errors)
                | ApiError::InvalidValues(errors)
                | ApiError::Unprocessable(errors) => errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            },
            errors: match self {
                ApiError::BadRequest(errors)
                | ApiError::InvalidValues(errors)
                | ApiError::Unprocessable(errors) => errors.clone(),
                _ => Vec::new(),
            },
            open_cases: match self {
                ApiError::PossibleDuplicate(cases) => cases.clone(),
                _ => Vec::new(),
            },
        }
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
            StoreError::Busy(cause) => ApiError::Busy(cause),
            other => ApiError::internal(other),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(e: Refused) -> Self {
        match e {
            Refused::NotYourMove { .. }
            | Refused::AdministratorsDoNotAct
            | Refused::NotActionOwner { .. }
            // Who may act: the level of management a stage asks, or must escalate into it.
            | Refused::LevelAsked { .. }
            | Refused::PractitionerOnBehalf
            | Refused::EscalatedBy { .. } => ApiError::Forbidden(e.to_string()),
            Refused::UnknownStage { .. } => ApiError::field("to", e.to_string()),
            Refused::NoSuchAction { .. } => ApiError::field("action", e.to_string()),
            Refused::NoSuchForm { .. } => ApiError::NotFound("form"),
            Refused::FormInvalid { problems } => ApiError::InvalidValues(
                problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: format!("values.{}", p.at),
                        message: p.message,
                    })
                    .collect(),
            ),
            Refused::Clock(refused) => refused.into(),
            Refused::Calendar(_) | Refused::WrongProcedure { .. } => ApiError::internal(e),
            _ => ApiError::Refused(e.to_string()),
        }
    }
}

/// The clock an action would start: the stated meeting (`meeting_at`) or the shorter
/// timescale is the field to fix.
impl From<escalations_core::case::ClockRefused> for ApiError {
    fn from(e: escalations_core::case::ClockRefused) -> Self {
        use escalations_core::case::ClockRefused as C;
        match e {
            C::StatedStartRequired { .. }
            | C::StatedStartInFuture { .. }
            | C::StatedStartBeforeRaise { .. } => ApiError::field("meeting_at", e.to_string()),
            C::ShorterNotAllowed { .. } | C::NotShorter { .. } => {
                ApiError::field("shorter_timescale", e.to_string())
            }
            C::Calendar(_) => ApiError::internal(e),
        }
    }
}

impl From<escalations_core::case::RaiseError> for ApiError {
    fn from(e: escalations_core::case::RaiseError) -> Self {
        use escalations_core::case::RaiseError as E;
        match e {
            E::RoleMayNotRaise { .. } => ApiError::Forbidden(e.to_string()),
            E::ChildRequired | E::ChildNotAllowed => ApiError::field("child", e.to_string()),
            E::ReceivingAgencyRequired | E::SameAgency => {
                ApiError::field("receiving_agency", e.to_string())
            }
            E::AgenciesAskedRequired | E::AgenciesAskedNotUsed => {
                ApiError::field("agencies_asked", e.to_string())
            }
            E::ImmediateRisk { instruction } => ApiError::ImmediateRisk(instruction),
            E::ImmediateRiskRequired { .. } | E::ImmediateRiskNotAsked => {
                ApiError::field("immediate_risk", e.to_string())
            }
            E::OtherReasonRequired => ApiError::field("concern.other_reason", e.to_string()),
            E::ReasonRequired { .. } | E::UnknownReason { .. } => {
                ApiError::field("concern.reasons", e.to_string())
            }
            E::LevelOfNeedRequired { .. } | E::UnknownLevelOfNeed { .. } => {
                ApiError::field("concern.level_of_need", e.to_string())
            }
            E::Clock(refused) => refused.into(),
            E::Calendar(_) => ApiError::internal(e),
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

fn forbidden_not_set_up(e: impl std::fmt::Display) -> ApiError {
    ApiError::Forbidden(e.to_string())
}

impl From<RaiseError> for ApiError {
    fn from(e: RaiseError) -> Self {
        match e {
            RaiseError::Denied(d) => d.into(),
            RaiseError::NotSetUp(e) => forbidden_not_set_up(e),
            RaiseError::Invalid(problems) => ApiError::BadRequest(
                problems
                    .into_iter()
                    .map(|FieldProblem { field, message }| FieldError { field, message })
                    .collect(),
            ),
            RaiseError::Refused(e) => e.into(),
            RaiseError::KeyReused => ApiError::Refused(RaiseError::KeyReused.to_string()),
            RaiseError::PossibleDuplicate(cases) => ApiError::PossibleDuplicate(
                cases
                    .into_iter()
                    .map(|c| OpenCaseRef {
                        id: c.id,
                        procedure: c.procedure,
                        stage: c.stage,
                        raised_at: c.raised_at,
                    })
                    .collect(),
            ),
            RaiseError::ProcedureMissing(e) => ApiError::internal(e),
            RaiseError::Store(e) => e.into(),
        }
    }
}

impl From<ActError> for ApiError {
    fn from(e: ActError) -> Self {
        match e {
            ActError::NoSuchCase => ApiError::NotFound("case"),
            ActError::NotSetUp(e) => forbidden_not_set_up(e),
            e @ ActError::StaleVersion { .. } => ApiError::Conflict(e.to_string()),
            ActError::Refused(e) => e.into(),
            ActError::Contact(e @ ContactRefused::InFuture { .. }) => {
                ApiError::field("contact.at", e.to_string())
            }
            ActError::Contact(e @ ContactRefused::NothingToRecordOn) => ApiError::internal(e),
            ActError::OnBehalfOf(FieldProblem { field, message }) => {
                ApiError::Unprocessable(vec![FieldError { field, message }])
            }
            ActError::Invalid(problems) => ApiError::BadRequest(
                problems
                    .into_iter()
                    .map(|FieldProblem { field, message }| FieldError { field, message })
                    .collect(),
            ),
            ActError::ProcedureMissing(e) => ApiError::internal(e),
            ActError::Store(e) => e.into(),
        }
    }
}

impl From<ViewError> for ApiError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NoSuchCase => ApiError::NotFound("case"),
            ViewError::NotSetUp(e) => forbidden_not_set_up(e),
            ViewError::ProcedureMissing(e) => ApiError::internal(e),
            ViewError::Calendar(e) => ApiError::internal(e),
            ViewError::Store(e) => e.into(),
        }
    }
}

impl From<AuditError> for ApiError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Denied(d) => d.into(),
            AuditError::View(e) => e.into(),
        }
    }
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Denied(d) => d.into(),
            ListError::NotSetUp(e) => forbidden_not_set_up(e),
            ListError::Store(e) => e.into(),
            e @ ListError::UnknownAgency(_) => ApiError::BadRequest(vec![FieldError {
                field: "agency".to_owned(),
                message: e.to_string(),
            }]),
            e @ ListError::AgencyNeedsPartnership => ApiError::BadRequest(vec![FieldError {
                field: "agency".to_owned(),
                message: e.to_string(),
            }]),
        }
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::Store(e) => e.into(),
        }
    }
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Denied(d) => d.into(),
            ReportError::NotSetUp(e) => forbidden_not_set_up(e),
            ReportError::Store(e) => e.into(),
            e @ ReportError::NotInUse(_) => ApiError::BadRequest(vec![FieldError {
                field: "procedure".to_owned(),
                message: e.to_string(),
            }]),
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Denied(d) => d.into(),
            AdminError::NotSetUp(e) => forbidden_not_set_up(e),
            e @ AdminError::Conflict { .. } => ApiError::Conflict(e.to_string()),
            AdminError::Refused(e) => ApiError::Unprocessable(vec![FieldError {
                field: e.field.to_owned(),
                message: e.message,
            }]),
            // Each problem begins with the part of the set-up at fault: `people: …`.
            AdminError::Invalid(problems) => ApiError::Unprocessable(
                problems
                    .into_iter()
                    .map(|problem| {
                        let field = problem
                            .split_once(':')
                            .map_or("partnership", |(part, _)| part)
                            .to_owned();
                        FieldError {
                            field,
                            message: problem,
                        }
                    })
                    .collect(),
            ),
            AdminError::Users(e @ escalations_users::UsersError::Refused(_)) => {
                ApiError::Unprocessable(vec![FieldError {
                    field: "person.email".to_owned(),
                    message: e.to_string(),
                }])
            }
            AdminError::Users(e) => ApiError::internal(e),
            AdminError::Store(e) => e.into(),
        }
    }
}

impl From<DirectoryError> for ApiError {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::NotSetUp(e) => forbidden_not_set_up(e),
            DirectoryError::Store(e) => e.into(),
        }
    }
}

impl From<FormError> for ApiError {
    fn from(e: FormError) -> Self {
        match e {
            FormError::NoSuchCase => ApiError::NotFound("case"),
            FormError::NotSetUp(e) => forbidden_not_set_up(e),
            FormError::Refused(e) => e.into(),
            FormError::ProcedureMissing(e) => ApiError::internal(e),
            FormError::Store(e) => e.into(),
        }
    }
}

// --- Calendar feeds ---------------------------------------------------------------------

impl From<escalations_app::CalendarError> for ApiError {
    fn from(e: escalations_app::CalendarError) -> Self {
        use escalations_app::CalendarError;
        match e {
            // Unknown, replaced and revoked feeds answer alike.
            CalendarError::NoSuchFeed => ApiError::NotFound("calendar feed"),
            CalendarError::NoDeadline => {
                ApiError::NotFound("deadline: nothing in this case falls due now")
            }
            CalendarError::View(e) => e.into(),
            CalendarError::NotSetUp(e) => forbidden_not_set_up(e),
            CalendarError::ProcedureMissing(e) => ApiError::internal(e),
            CalendarError::Store(e) => e.into(),
            CalendarError::Queue(e) => e.into(),
        }
    }
}
