//! Raising a case.

use chrono::{DateTime, Utc};
use escalations_core::access::{Denied, Principal};
use escalations_core::case::{Case, ClockInput, RaiseRequest};
use escalations_core::ids::{CaseId, ProcedureId, StageId};
use escalations_store::{Created, Idempotency, IdempotencyKey, StoreError};

use crate::view::ViewError;
use crate::{App, CaseDetail, NotSetUp, ProcedureMissing};
use escalations_core::notices::Trigger;

/// What a raise needs, already parsed into domain types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaiseInput {
    pub procedure: ProcedureId,
    pub request: RaiseRequest,
    /// When the meeting or discussion the first clock runs from took place, if it does.
    pub clock: ClockInput,
    /// A client's key that makes retries safe, with a fingerprint of the request it came with.
    pub idempotency: Option<(IdempotencyKey, String)>,
    /// The person has seen the warning that an open escalation about this child with this
    /// agency exists, and raises anyway.
    pub duplicate_acknowledged: bool,
}

/// An open case about the same child with the same agency: what the warning shows of it
/// (never the child, and nothing the raiser could not learn by asking the agency).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCaseAboutChild {
    pub id: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub raised_at: DateTime<Utc>,
}

/// The raised case, and whether it was stored by this call or by an earlier one with the same
/// idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raised {
    pub detail: CaseDetail,
    pub replayed: bool,
}

/// One bad field of the caller's input, in words they can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RaiseError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    /// The input names things the partnership does not have.
    #[error("the request has {} problem(s)", .0.len())]
    Invalid(Vec<FieldProblem>),
    /// The procedure's own rules refuse it.
    #[error(transparent)]
    Refused(#[from] escalations_core::case::RaiseError),
    /// The idempotency key was used before for something else (or for a case the caller may
    /// no longer see): a retry must reuse a key only for the same request.
    #[error("this Idempotency-Key was already used for a different request: use a new key")]
    KeyReused,
    /// "Concerns should not be escalated multiple times" (Moray): an open escalation about
    /// this child with this agency exists. Raising again needs `duplicate_acknowledged`.
    #[error("an open escalation about this child with this agency already exists")]
    PossibleDuplicate(Vec<OpenCaseAboutChild>),
    #[error(transparent)]
    ProcedureMissing(#[from] ProcedureMissing),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for RaiseError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdempotencyKeyReused { .. } => RaiseError::KeyReused,
            other => RaiseError::Store(other),
        }
    }
}

impl From<ViewError> for RaiseError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NoSuchCase => RaiseError::KeyReused,
            ViewError::NotSetUp(e) => RaiseError::NotSetUp(e),
            ViewError::ProcedureMissing(e) => RaiseError::ProcedureMissing(e),
            ViewError::Calendar(e) => RaiseError::Refused(e.into()),
            ViewError::Store(e) => RaiseError::Store(e),
        }
    }
}

impl App {
    /// Raises a case in the caller's partnership under one of its procedures.
    pub async fn raise(
        &self,
        who: &Principal,
        input: RaiseInput,
        now: DateTime<Utc>,
    ) -> Result<Raised, RaiseError> {
        who.may_raise()?;
        let config = self.config::<RaiseError>(who).await?;
        let mut problems = Vec::new();
        if !config.procedures.contains(&input.procedure) {
            problems.push(FieldProblem::new(
                "procedure",
                format!(
                    "`{}` is not a procedure your partnership uses: choose from {}",
                    input.procedure,
                    config
                        .procedures
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if let Some(agency) = &input.request.receiving_agency
            && !config.agencies.iter().any(|a| &a.id == agency)
        {
            problems.push(FieldProblem::new(
                "receiving_agency",
                format!("`{agency}` is not an agency of your partnership"),
            ));
        }
        for (i, agency) in input.request.agencies_asked.iter().enumerate() {
            if !config.agencies.iter().any(|a| &a.id == agency) {
                problems.push(FieldProblem::new(
                    &format!("agencies_asked[{i}]"),
                    format!("`{agency}` is not an agency of your partnership"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(RaiseError::Invalid(problems));
        }
        let procedure = self.procedure_of(&input.procedure)?;
        let calendar = config.calendar();
        let id = CaseId::parse(&uuid::Uuid::new_v4().to_string())
            .unwrap_or_else(|_| unreachable!("a UUID is kebab case"));
        let secret = self.match_secret(&who.partnership).await?;
        let raised = Case::raise_with(
            id,
            procedure,
            &calendar,
            &who.actor,
            input.request,
            &input.clock,
            now,
        )?
        .with_child_key(&secret);
        let idempotency = input.idempotency.map(|(key, fingerprint)| Idempotency {
            key,
            fingerprint,
            person: who.actor.person.clone(),
        });
        if !input.duplicate_acknowledged {
            self.refuse_duplicate(who, &raised.case, idempotency.as_ref())
                .await?;
        }
        let notices = self.plan_pending(
            &config,
            procedure,
            None,
            &raised,
            Trigger::Person(&who.actor.person),
            now,
        );
        let created = self
            .store
            .create_case_noting(&who.partnership, &raised, idempotency.as_ref(), &notices)
            .await?;
        let replayed = matches!(created, Created::Replayed(_));
        if !replayed {
            self.send_now(&config, &notices, now).await;
        }
        let case = match created {
            Created::New(case) => case,
            // A replay answers with the first case only to someone who may still see it.
            Created::Replayed(case) => {
                who.may_view_case(&case)
                    .map_err(|_| RaiseError::KeyReused)?;
                case
            }
        };
        tracing::info!(case = %case.id, person = %who.actor.person, replayed, "case raised");
        Ok(Raised {
            detail: self.detail(who, case, &calendar, now).await?,
            replayed,
        })
    }

    /// Refuses a new case about a child who already has an open case with the same receiving
    /// agency, matched on the keyed hash in list entries. A retry of a raise that was stored
    /// (same idempotency key) is not refused: it answers with its own case.
    async fn refuse_duplicate(
        &self,
        who: &Principal,
        new: &Case,
        idempotency: Option<&Idempotency>,
    ) -> Result<(), RaiseError> {
        let (Some(key), Some(agency)) = (&new.child_key, &new.receiving_agency) else {
            return Ok(());
        };
        if let Some(idem) = idempotency
            && self
                .store
                .idempotent_case(&who.partnership, idem)
                .await?
                .is_some()
        {
            return Ok(());
        }
        let entries = self.store.open_cases_about(&who.partnership, key).await?;
        let open: Vec<OpenCaseAboutChild> = entries
            .into_iter()
            .filter(|e| {
                e.child_key.as_ref() == Some(key) && e.receiving_agency.as_ref() == Some(agency)
            })
            .map(|e| OpenCaseAboutChild {
                id: e.id,
                procedure: e.procedure,
                stage: e.stage,
                raised_at: e.raised_at,
            })
            .collect();
        if open.is_empty() {
            Ok(())
        } else {
            Err(RaiseError::PossibleDuplicate(open))
        }
    }
}
