//! Acting on a case: respond, submit, escalate, resolve, withdraw, mark an agreed action
//! done, and record a form.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use escalations_core::access::{Denied, Principal};
use escalations_core::case::{
    Actor, AgreedAction, Case, ClockInput, Contact, ContactRefused, Decider, EscalateRequest,
    Outcome, Refused, ResolveRequest,
};
use escalations_core::forms::Plain;
use escalations_core::ids::{ActionId, CaseId, FormId, PersonId, Text};
use escalations_core::procedure::Procedure;
use escalations_store::PartnershipConfig;
use escalations_store::StoreError;

use crate::view::ViewError;
use crate::{App, CaseDetail, FieldProblem, NotSetUp, ProcedureMissing};
use escalations_core::notices::Trigger;

/// What the person states with an action besides the action itself: when the meeting a clock
/// runs from took place (and a shorter timescale), how the discussion behind a response or an
/// escalation happened, and whose decision a response or a resolution records when a manager
/// records it on someone's behalf.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stated {
    pub clock: ClockInput,
    pub contact: Option<Contact>,
    /// A person of the partnership's configuration, of the level the stage asks (or above) in
    /// the asked agency.
    pub on_behalf_of: Option<PersonId>,
}

/// Everything a person can do to an open case. Matched once, here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The side asked answers: resolved, or not resolved with reasons and agreed actions.
    Respond(Outcome),
    /// The pro-forma was sent on to the person asked.
    Submit,
    Escalate(EscalateRequest),
    Resolve(ResolveRequest),
    Withdraw {
        reason: Text,
    },
    /// An agreed action was done: its owner agency or the chair says so, also after the case
    /// is resolved.
    CompleteAction {
        id: ActionId,
    },
    /// A procedure's form is recorded at the current stage, with its values as sent (parsed
    /// against the form by the core, every problem named).
    RecordForm {
        form: FormId,
        values: BTreeMap<String, Plain>,
    },
}

impl Action {
    /// The action's name in logs.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Respond(_) => "respond",
            Action::Submit => "submit",
            Action::Escalate(_) => "escalate",
            Action::Resolve(_) => "resolve",
            Action::Withdraw { .. } => "withdraw",
            Action::CompleteAction { .. } => "complete-action",
            Action::RecordForm { .. } => "record-form",
        }
    }

    /// The plan this action agrees, if any.
    fn agreed_actions(&self) -> &[AgreedAction] {
        match self {
            Action::Respond(outcome) => outcome.agreed_actions(),
            Action::Resolve(request) => &request.agreed_actions,
            _ => &[],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ActError {
    #[error("no such case")]
    NoSuchCase,
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    /// The caller read an older version than the one stored.
    #[error(
        "you read version {read}, but the case is now at version {current}: reload it and try again"
    )]
    StaleVersion { read: u64, current: u64 },
    /// The procedure does not allow this now, or not by this person.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The contact stated cannot be recorded (in the future, or on an action that records no
    /// response or escalation).
    #[error(transparent)]
    Contact(#[from] ContactRefused),
    /// The input names things the partnership does not have.
    #[error("the request has {} problem(s)", .0.len())]
    Invalid(Vec<FieldProblem>),
    /// The person named `on_behalf_of` cannot make this decision: not of the partnership, of
    /// another agency, or below the level the stage asks.
    #[error("on_behalf_of: {}", .0.message)]
    OnBehalfOf(FieldProblem),
    #[error(transparent)]
    ProcedureMissing(#[from] ProcedureMissing),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ActError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ActError::NoSuchCase,
            other => ActError::Store(other),
        }
    }
}

impl From<Denied> for ActError {
    fn from(_: Denied) -> Self {
        ActError::NoSuchCase
    }
}

impl From<ViewError> for ActError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NoSuchCase => ActError::NoSuchCase,
            ViewError::NotSetUp(e) => ActError::NotSetUp(e),
            ViewError::ProcedureMissing(e) => ActError::ProcedureMissing(e),
            ViewError::Calendar(e) => ActError::Refused(Refused::Calendar(e)),
            ViewError::Store(e) => ActError::from(e),
        }
    }
}

impl App {
    /// Applies one action to the case at the version the caller read, at `now`, and answers
    /// with the case as it stands after it (viewed at the same instant).
    pub async fn act(
        &self,
        who: &Principal,
        id: &CaseId,
        version: u64,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail, ActError> {
        self.act_with(who, id, version, action, &Stated::default(), now)
            .await
    }

    /// [`App::act`], with what the person states: for the clock the action starts (when the
    /// meeting or discussion it runs from took place), and the contact behind it.
    pub async fn act_with(
        &self,
        who: &Principal,
        id: &CaseId,
        version: u64,
        action: Action,
        stated: &Stated,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail, ActError> {
        let case = self.load_viewable(who, id).await?;
        let clock = &stated.clock;
        if version != case.version {
            return Err(ActError::StaleVersion {
                read: version,
                current: case.version,
            });
        }
        let procedure = self.procedure_of(&case.procedure)?;
        let config = self.config::<ActError>(who).await?;
        if let Some(contact) = &stated.contact
            && !config.agencies.iter().any(|a| a.id == contact.with_agency)
        {
            return Err(ActError::Invalid(vec![FieldProblem::new(
                "contact.with_agency",
                format!(
                    "`{}` is not an agency of this partnership",
                    contact.with_agency
                ),
            )]));
        }
        check_owners(&config, action.agreed_actions())?;
        let actor = &acting(&config, &case, procedure, &who.actor, &action, stated)?;
        let calendar = config.calendar();
        let name = action.name();
        let transition = match action {
            Action::Respond(outcome) => {
                case.respond_with(procedure, &calendar, actor, outcome, clock, now)
            }
            Action::Submit => case.submit_with(procedure, &calendar, actor, clock, now),
            Action::Escalate(request) => {
                case.escalate_with(procedure, &calendar, actor, request, clock, now)
            }
            Action::Resolve(request) => case.resolve(procedure, actor, request, now),
            Action::Withdraw { reason } => case.withdraw(procedure, actor, reason, now),
            Action::CompleteAction { id } => case.complete_action(actor, &id, now),
            Action::RecordForm { form, values } => {
                case.record_form(procedure, actor, &form, &values, now)
            }
        }?;
        let transition = match stated.contact.clone() {
            None => transition,
            Some(contact) => transition.with_contact(contact)?,
        };
        let notices = self.plan_pending(
            &config,
            procedure,
            Some(&case),
            &transition,
            Trigger::Person(&who.actor.person),
            now,
        );
        self.store
            .apply_noting(&who.partnership, &transition, &notices)
            .await?;
        self.send_now(&config, &notices, now).await;
        tracing::info!(case = %case.id, person = %actor.person, action = name, version = transition.case.version, "case changed");
        Ok(self.detail(who, transition.case, &calendar, now).await?)
    }
}

/// The actor as the partnership's configuration knows them: their level of management (none
/// for a person it does not list in their agency), and the person named `on_behalf_of`,
/// checked against the level the case's stage asks.
fn acting(
    config: &PartnershipConfig,
    case: &Case,
    procedure: &Procedure,
    actor: &Actor,
    action: &Action,
    stated: &Stated,
) -> Result<Actor, ActError> {
    let mut actor = actor.clone();
    actor.level = config
        .person(&actor.person)
        .filter(|p| p.agency == actor.agency)
        .and_then(|p| p.level);
    let Some(id) = &stated.on_behalf_of else {
        return Ok(actor);
    };
    let invalid =
        |message: String| ActError::OnBehalfOf(FieldProblem::new("on_behalf_of", message));
    if !matches!(action, Action::Respond(_) | Action::Resolve(_)) {
        return Err(invalid(
            "only a response or a decision is recorded on someone's behalf".to_owned(),
        ));
    }
    let asked = case.decision_asked(procedure).ok_or_else(|| {
        invalid(format!(
            "{} asks no level of management: record it as yourself",
            case.stage
        ))
    })?;
    let who_is_asked = format!(
        "{} is answered by {} ({}) or above in {}",
        asked.stage,
        asked.asked,
        asked.level.label(),
        asked
            .agency
            .as_ref()
            .map_or_else(|| "any agency".to_owned(), |a| format!("`{a}`"))
    );
    let person = config.person(id).ok_or_else(|| {
        invalid(format!(
            "`{id}` is not a person of your partnership: {who_is_asked}"
        ))
    })?;
    let decider = Decider {
        person: person.id.clone(),
        agency: person.agency.clone(),
        level: person.level,
    };
    if let Some(why) = asked.refuses(&decider) {
        return Err(invalid(format!("{why}: {who_is_asked}")));
    }
    Ok(actor.for_decider(decider))
}

/// Every action of a plan is owned by an agency of the partnership.
fn check_owners(config: &PartnershipConfig, plan: &[AgreedAction]) -> Result<(), ActError> {
    let problems: Vec<FieldProblem> = plan
        .iter()
        .enumerate()
        .filter_map(|(i, action)| {
            let owner = action.owner_agency.as_ref()?;
            (!config.agencies.iter().any(|a| &a.id == owner)).then(|| {
                FieldProblem::new(
                    &format!("agreed_actions[{i}].owner_agency"),
                    format!("`{owner}` is not an agency of your partnership"),
                )
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ActError::Invalid(problems))
    }
}
