//! Why a raise or a transition was refused, in words a practitioner understands.

use crate::calendar::YearOutOfRange;
use crate::forms::FormProblem;
use crate::ids::{ActionId, AgencyId, FormId, LevelId, ProcedureId, ReasonId, StageId};

/// Why a case could not be raised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RaiseError {
    #[error("{role} cannot raise a case under {procedure}: it is raised by {allowed}")]
    RoleMayNotRaise {
        role: &'static str,
        procedure: ProcedureId,
        allowed: String,
    },
    #[error("this procedure is about one child: give the child's name")]
    ChildRequired,
    #[error(
        "this procedure is not about one child: remove the child's details (use the \
         escalation procedure for a concern about a child)"
    )]
    ChildNotAllowed,
    #[error("say which agency's decision, action or inaction you are challenging")]
    ReceivingAgencyRequired,
    #[error(
        "name the agencies this alert asks to respond (each responds on behalf of their agency)"
    )]
    AgenciesAskedRequired,
    #[error("this procedure does not ask agencies for one response each: remove `agencies_asked`")]
    AgenciesAskedNotUsed,
    #[error(
        "an escalation is between two agencies: choose the other agency, not your own \
         (disagreements within one agency follow that agency's own procedure)"
    )]
    SameAgency,
    #[error("{question} Answer yes or no before raising.")]
    ImmediateRiskRequired { question: String },
    /// The child is at immediate risk of significant harm: the procedure's own instruction.
    #[error("{instruction}")]
    ImmediateRisk { instruction: String },
    #[error(
        "a Partnership Practice Alert is not about one child: the immediate-risk question is \
         not asked"
    )]
    ImmediateRiskNotAsked,
    #[error("you chose `other`: give the reason in words")]
    OtherReasonRequired,
    #[error("choose at least one reason for escalation: {choices}")]
    ReasonRequired { choices: String },
    #[error("`{given}` is not a reason in this procedure: choose from {choices}")]
    UnknownReason { given: ReasonId, choices: String },
    #[error("choose the level of need: {choices}")]
    LevelOfNeedRequired { choices: String },
    #[error("`{given}` is not a level of need in this procedure: choose from {choices}")]
    UnknownLevelOfNeed { given: LevelId, choices: String },
    #[error(transparent)]
    Clock(#[from] ClockRefused),
    #[error(transparent)]
    Calendar(#[from] YearOutOfRange),
}

/// Why the clock an action would start cannot start as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockRefused {
    #[error("say when {from} took place: {who} has {timescale} from {from} to {task}")]
    StatedStartRequired {
        from: String,
        who: String,
        timescale: String,
        task: String,
    },
    #[error("{from} cannot be in the future: it was given as {given}")]
    StatedStartInFuture { from: String, given: String },
    #[error("{from} cannot be before the case was raised ({raised}): it was given as {given}")]
    StatedStartBeforeRaise {
        from: String,
        raised: String,
        given: String,
    },
    #[error("a shorter timescale cannot be set here: {why}")]
    ShorterNotAllowed { why: String },
    #[error("{given} is not shorter than the procedure's {standard}")]
    NotShorter { given: String, standard: String },
    #[error(transparent)]
    Calendar(#[from] YearOutOfRange),
}

/// Why a transition on an existing case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("this case was {how} on {at}: it can no longer change")]
    Closed { how: &'static str, at: String },
    #[error("administrators manage the partnership's set-up and do not act on cases")]
    AdministratorsDoNotAct,
    #[error("it is not your move: {expected}")]
    NotYourMove { expected: String },
    #[error(
        "a case resolved at {stage} must be reported with the {title} first: record it \
         (form `{form}`), then resolve"
    )]
    FormRequiredToClose {
        stage: StageId,
        form: FormId,
        title: String,
    },
    #[error("{agency} has already responded at {stage}: one response from each agency asked")]
    AlreadyAnswered { agency: AgencyId, stage: StageId },
    #[error("the next step at {stage} is not to {attempted}: {expected}")]
    NotThisAction {
        stage: StageId,
        attempted: &'static str,
        expected: String,
    },
    #[error("{stage} is the last stage of this procedure: record the outcome with resolve")]
    LastStage { stage: StageId },
    #[error("`{given}` is not a stage of this procedure: choose from {choices}")]
    UnknownStage { given: StageId, choices: String },
    #[error("a case can only be escalated forward: {given} does not come after {current}")]
    NotForward { given: StageId, current: StageId },
    #[error("{target} needs {missing} first: {missing} has not been used for this case")]
    StageRequired { target: StageId, missing: StageId },
    #[error(
        "{who} has until {due} to {task}; escalate once they respond that it is not resolved, \
         or once that time has passed"
    )]
    TooEarlyToEscalate {
        who: String,
        task: String,
        due: String,
    },
    #[error("agreed action {index}: say which agency owns it")]
    ActionOwnerRequired { index: usize },
    #[error("this case has no agreed action `{given}`")]
    NoSuchAction { given: ActionId },
    #[error("agreed action `{action}` was already marked done on {at}")]
    ActionAlreadyDone { action: ActionId, at: String },
    #[error("only {owner} or the partnership's chair can mark agreed action `{action}` done")]
    NotActionOwner { action: ActionId, owner: String },
    #[error("`{given}` is not a form of this procedure: choose from {choices}")]
    NoSuchForm { given: FormId, choices: String },
    #[error("the case is at {stage}, which uses {here}, not `{form}`")]
    FormNotAtStage {
        form: FormId,
        stage: StageId,
        here: String,
    },
    /// The values sent do not fit the form: every problem, by field, row and column.
    #[error("the form has {} problem(s)", .problems.len())]
    FormInvalid { problems: Vec<FormProblem> },
    /// The stage asks a level of management the person deciding does not have (or another
    /// agency's).
    #[error(
        "{stage} is answered by {asked} ({level}) or above in {agency}: {why}; record it on \
         their behalf with on_behalf_of"
    )]
    LevelAsked {
        stage: StageId,
        asked: String,
        level: &'static str,
        agency: String,
        why: String,
    },
    #[error(
        "a practitioner cannot record a decision on someone else's behalf: ask a manager to \
         record it"
    )]
    PractitionerOnBehalf,
    #[error(
        "{target} is escalated by a {level} or above on the raising side (or the partnership's \
         chair): you are {you}"
    )]
    EscalatedBy {
        target: StageId,
        level: &'static str,
        you: String,
    },
    #[error("this case follows {case}, not {given}")]
    WrongProcedure {
        case: ProcedureId,
        given: ProcedureId,
    },
    #[error(transparent)]
    Clock(#[from] ClockRefused),
    #[error(transparent)]
    Calendar(#[from] YearOutOfRange),
}

/// `a`, `b`, `c`: the ids a refusal offers as choices.
pub(super) fn ids_list<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}
