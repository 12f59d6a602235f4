//! The case lifecycle as a pure state machine.
//!
//! raise → (submit | respond)* → escalate → … → resolve | withdraw
//!
//! Every transition takes the procedure, the partnership's calendar, the acting person and
//! `now`, and returns the new case (version + 1) with the chronology events it produced, or a
//! typed refusal that says why in words a practitioner understands.
//!
//! Architecture invariants:
//! - a transition never mutates its input: callers persist the returned case and events
//!   together, conditional on the version they read;
//! - at most one clock runs at a time, always in the current stage; clocks of a stage start
//!   one after another;
//! - chronology events never carry the child's details or any free text, so they are safe to
//!   log and to summarise in notices.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, YearOutOfRange};
use crate::ids::{
    AgencyId, CaseId, ClockId, LevelId, PersonId, ProcedureId, ReasonId, StageId, Text,
};
use crate::procedure::{Action, Inform, InformWhen, Party, Procedure, RaiserRole, Stage, Subject};

/// What a person does in the partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Practitioner,
    /// A manager at any line of management in an agency.
    Manager,
    /// The partnership's chair or business unit.
    Chair,
    /// Looks after agencies, people and the partnership's procedure; acts on no case.
    Administrator,
}

/// The person acting, as identity established them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub person: PersonId,
    pub agency: AgencyId,
    pub role: Role,
}

impl Actor {
    /// The sides this actor stands on in a case between these agencies. A case's list entry
    /// carries both agencies, so a work queue needs no whole case to know.
    pub fn parties_in(&self, raising: &AgencyId, receiving: Option<&AgencyId>) -> Vec<Party> {
        if self.role == Role::Administrator {
            return Vec::new();
        }
        let mut parties = Vec::new();
        if &self.agency == raising {
            parties.push(Party::Raising);
        }
        if receiving == Some(&self.agency) {
            parties.push(Party::Receiving);
        }
        if self.role == Role::Chair {
            parties.push(Party::Partnership);
        }
        parties
    }
}

/// The child a case is about. Never appears in events, logs or emails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub name: Text,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Text>,
    /// The child has a child protection plan: the Child Protection Conference Chair is told.
    pub child_protection_plan: bool,
    /// The child is in care: the Independent Reviewing Officer is told.
    pub in_care: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concern {
    pub summary: Text,
    pub reasons: Vec<ReasonId>,
    pub level_of_need: Option<LevelId>,
    pub desired_outcome: Option<Text>,
    /// What was tried before the formal process (professional to professional, manager to
    /// manager).
    pub tried: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaiseRequest {
    /// The agency whose decision, action or inaction is challenged.
    pub receiving_agency: Option<AgencyId>,
    pub child: Option<Child>,
    pub concern: Concern,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreedAction {
    pub what: Text,
    pub by_whom: Text,
    pub by_when: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Resolved {
        summary: Text,
    },
    NotResolved {
        reasons: Text,
        agreed_actions: Vec<AgreedAction>,
    },
}

impl Outcome {
    pub fn is_resolved(&self) -> bool {
        matches!(self, Outcome::Resolved { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub stage: StageId,
    /// The clock this response met, if one was running.
    pub clock: Option<ClockId>,
    pub by: PersonId,
    pub agency: AgencyId,
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalateRequest {
    /// The stage to move to; the next stage when absent.
    pub to: Option<StageId>,
    pub reasons: Text,
    pub tried: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub from: StageId,
    pub to: StageId,
    pub by: PersonId,
    pub at: DateTime<Utc>,
    pub reasons: Text,
    pub tried: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveRequest {
    pub outcome: Text,
    pub lessons_learned: Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageEntry {
    pub stage: StageId,
    pub at: DateTime<Utc>,
}

/// How a clock stopped running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockEnd {
    /// The action it waited for happened.
    Met,
    /// The case moved on (escalated, resolved or withdrawn) before it was met.
    Stopped,
}

/// One run of a procedure clock in a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRun {
    pub stage: StageId,
    pub clock: ClockId,
    pub owner: Party,
    pub action: Action,
    pub started_at: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub ended: Option<(ClockEnd, DateTime<Utc>)>,
    /// Whether a breach event has been recorded for it (by the sweeper).
    pub breach_recorded: bool,
}

/// Where a clock stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ClockState {
    Running { overdue: bool },
    Met { late: bool },
    Stopped { overdue: bool },
}

impl ClockRun {
    pub fn is_running(&self) -> bool {
        self.ended.is_none()
    }

    /// A clock is breached when `now >= due` and it was not met before then.
    pub fn state(&self, now: DateTime<Utc>) -> ClockState {
        match self.ended {
            None => ClockState::Running {
                overdue: now >= self.due,
            },
            Some((ClockEnd::Met, at)) => ClockState::Met {
                late: at >= self.due,
            },
            Some((ClockEnd::Stopped, at)) => ClockState::Stopped {
                overdue: at >= self.due,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    Open,
    Resolved {
        at: DateTime<Utc>,
        by: PersonId,
        stage: StageId,
        outcome: Text,
        lessons_learned: Text,
    },
    Withdrawn {
        at: DateTime<Utc>,
        by: PersonId,
        stage: StageId,
        reason: Text,
    },
}

impl Status {
    pub fn is_open(&self) -> bool {
        matches!(self, Status::Open)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub procedure: ProcedureId,
    /// Increases by one with every transition; storage writes are conditional on it.
    pub version: u64,
    pub raised_at: DateTime<Utc>,
    pub raised_by: PersonId,
    pub raising_agency: AgencyId,
    pub receiving_agency: Option<AgencyId>,
    pub child: Option<Child>,
    pub concern: Concern,
    /// The current stage, or the stage the case closed at.
    pub stage: StageId,
    pub stages_entered: Vec<StageEntry>,
    pub clocks: Vec<ClockRun>,
    pub responses: Vec<Response>,
    pub escalations: Vec<Escalation>,
    pub status: Status,
    pub updated_at: DateTime<Utc>,
}

/// A chronology entry. Carries ids and instants only: never the child's details or free
/// text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub case: CaseId,
    /// The case version this event produced.
    pub version: u64,
    /// Its position within that version's events, so (version, seq) orders the chronology.
    pub seq: u32,
    pub at: DateTime<Utc>,
    /// `None` for events the system records itself (breaches).
    pub by: Option<PersonId>,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EventKind {
    Raised {
        stage: StageId,
    },
    ClockStarted {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
    },
    ClockMet {
        stage: StageId,
        clock: ClockId,
        late: bool,
    },
    ClockStopped {
        stage: StageId,
        clock: ClockId,
    },
    ClockBreached {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
    },
    Submitted {
        stage: StageId,
    },
    Responded {
        stage: StageId,
        resolved: bool,
    },
    Escalated {
        from: StageId,
        to: StageId,
    },
    Resolved {
        stage: StageId,
    },
    Withdrawn {
        stage: StageId,
    },
}

/// A transition's result: the new case and the events to store with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub case: Case,
    pub events: Vec<Event>,
}

/// What happens next in a case, and by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMove {
    pub stage: StageId,
    pub party: Party,
    /// Who on that side, in the procedure's words.
    pub who: String,
    /// What is expected, in the procedure's words.
    pub task: String,
    /// The actions that would move the case on.
    pub actions: Vec<Action>,
    pub clock: Option<ClockId>,
    pub due: Option<DateTime<Utc>>,
}

impl NextMove {
    /// The next move while a clock runs: its owner must do its task by its due time. A case's
    /// list entry carries its running clock, so a work queue needs no whole case for this.
    pub fn while_clock_runs(
        procedure: &Procedure,
        stage: &StageId,
        clock: &ClockId,
        owner: Party,
        due: DateTime<Utc>,
    ) -> Option<NextMove> {
        let stage = procedure.stage(stage.as_str())?;
        let clock = stage.clock(clock.as_str())?;
        Some(NextMove {
            stage: stage.id.clone(),
            party: owner,
            who: clock.who.clone(),
            task: clock.task.clone(),
            actions: vec![clock.action],
            clock: Some(clock.id.clone()),
            due: Some(due),
        })
    }

    /// Whose move it can be at an open case's stage when no clock runs: the side asked at a
    /// stage without clocks, or the side that decides what happens next. Anyone on neither
    /// side has nothing to do, whatever the rest of the case says.
    pub fn parties_without_clock(procedure: &Procedure, stage: &StageId) -> Vec<Party> {
        let mut parties = vec![Case::deciding_party(procedure)];
        if let Some(stage) = procedure.stage(stage.as_str())
            && stage.clocks.is_empty()
        {
            parties.push(stage.asked.party);
        }
        parties
    }
}

// ---------------------------------------------------------------------------------------
// Refusals

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
        "a Partnership Practice Alert is not about one child: remove the child's details \
         (use the escalation procedure for a concern about a child)"
    )]
    ChildNotAllowed,
    #[error("say which agency's decision, action or inaction you are challenging")]
    ReceivingAgencyRequired,
    #[error(
        "an escalation is between two agencies: choose the other agency, not your own \
         (disagreements within one agency follow that agency's own procedure)"
    )]
    SameAgency,
    #[error("choose at least one reason for escalation: {choices}")]
    ReasonRequired { choices: String },
    #[error("`{given}` is not a reason in this procedure: choose from {choices}")]
    UnknownReason { given: ReasonId, choices: String },
    #[error("choose the level of need: {choices}")]
    LevelOfNeedRequired { choices: String },
    #[error("`{given}` is not a level of need in this procedure: choose from {choices}")]
    UnknownLevelOfNeed { given: LevelId, choices: String },
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
    #[error("this case follows {case}, not {given}")]
    WrongProcedure {
        case: ProcedureId,
        given: ProcedureId,
    },
    #[error(transparent)]
    Calendar(#[from] YearOutOfRange),
}

// ---------------------------------------------------------------------------------------
// Transitions

fn ids_list<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// Formats an instant for a practitioner: local date and time in the partnership's zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::timescale::ZONE)
        .format("%a %-d %b %Y %H:%M")
        .to_string()
}

struct Builder {
    case: Case,
    events: Vec<Event>,
    by: Option<PersonId>,
    now: DateTime<Utc>,
}

impl Builder {
    fn new(case: Case, by: Option<PersonId>, now: DateTime<Utc>) -> Self {
        let mut case = case;
        case.version += 1;
        case.updated_at = now;
        Builder {
            case,
            events: Vec::new(),
            by,
            now,
        }
    }

    fn event(&mut self, kind: EventKind) {
        self.events.push(Event {
            case: self.case.id.clone(),
            version: self.case.version,
            seq: self.events.len() as u32,
            at: self.now,
            by: self.by.clone(),
            kind,
        });
    }

    fn start_clock(
        &mut self,
        stage: &Stage,
        index: usize,
        calendar: &Calendar,
    ) -> Result<(), YearOutOfRange> {
        if let Some(clock) = stage.clocks.get(index) {
            let due = clock.timescale.due(self.now, calendar)?;
            self.case.clocks.push(ClockRun {
                stage: stage.id.clone(),
                clock: clock.id.clone(),
                owner: clock.owner,
                action: clock.action,
                started_at: self.now,
                due,
                ended: None,
                breach_recorded: false,
            });
            self.event(EventKind::ClockStarted {
                stage: stage.id.clone(),
                clock: clock.id.clone(),
                due,
            });
        }
        Ok(())
    }

    /// Ends the running clock, if any.
    fn end_clock(&mut self, how: ClockEnd) {
        let now = self.now;
        let Some(run) = self.case.clocks.iter_mut().find(|c| c.is_running()) else {
            return;
        };
        run.ended = Some((how, now));
        let (stage, clock) = (run.stage.clone(), run.clock.clone());
        let late = now >= run.due;
        self.event(match how {
            ClockEnd::Met => EventKind::ClockMet { stage, clock, late },
            ClockEnd::Stopped => EventKind::ClockStopped { stage, clock },
        });
    }

    /// Meets the running clock and starts the stage's next one.
    fn meet_and_advance(
        &mut self,
        stage: &Stage,
        calendar: &Calendar,
    ) -> Result<(), YearOutOfRange> {
        let next_index = self
            .case
            .running_clock()
            .and_then(|run| stage.clocks.iter().position(|c| c.id == run.clock))
            .map(|i| i + 1);
        self.end_clock(ClockEnd::Met);
        if let Some(index) = next_index {
            self.start_clock(stage, index, calendar)?;
        }
        Ok(())
    }

    fn done(self) -> Transition {
        Transition {
            case: self.case,
            events: self.events,
        }
    }
}

impl Case {
    /// Raises a case into the procedure's first stage and starts its first clock.
    pub fn raise(
        id: CaseId,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        request: RaiseRequest,
        now: DateTime<Utc>,
    ) -> Result<Transition, RaiseError> {
        let role = match actor.role {
            Role::Practitioner => Some(RaiserRole::Practitioner),
            Role::Manager => Some(RaiserRole::Manager),
            Role::Chair => Some(RaiserRole::Chair),
            Role::Administrator => None,
        };
        if !role.is_some_and(|r| procedure.raised_by.contains(&r)) {
            return Err(RaiseError::RoleMayNotRaise {
                role: role_label(actor.role),
                procedure: procedure.id.clone(),
                allowed: procedure
                    .raised_by
                    .iter()
                    .map(|r| format!("{r:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" or "),
            });
        }
        match (procedure.subject, &request.child) {
            (Subject::Child, None) => return Err(RaiseError::ChildRequired),
            (Subject::Practice, Some(_)) => return Err(RaiseError::ChildNotAllowed),
            _ => {}
        }
        match (&request.receiving_agency, procedure.subject) {
            (None, Subject::Child) => return Err(RaiseError::ReceivingAgencyRequired),
            (Some(receiving), _) if *receiving == actor.agency => {
                return Err(RaiseError::SameAgency);
            }
            _ => {}
        }
        let reason_choices = || ids_list(procedure.reasons.iter().map(|r| r.id.as_str()));
        if !procedure.reasons.is_empty() && request.concern.reasons.is_empty() {
            return Err(RaiseError::ReasonRequired {
                choices: reason_choices(),
            });
        }
        if let Some(unknown) = request
            .concern
            .reasons
            .iter()
            .find(|given| !procedure.reasons.iter().any(|r| &r.id == *given))
        {
            return Err(RaiseError::UnknownReason {
                given: unknown.clone(),
                choices: reason_choices(),
            });
        }
        let level_choices = || ids_list(procedure.levels_of_need.iter().map(|l| l.id.as_str()));
        match &request.concern.level_of_need {
            None if !procedure.levels_of_need.is_empty() => {
                return Err(RaiseError::LevelOfNeedRequired {
                    choices: level_choices(),
                });
            }
            Some(given) if !procedure.levels_of_need.iter().any(|l| &l.id == given) => {
                return Err(RaiseError::UnknownLevelOfNeed {
                    given: given.clone(),
                    choices: level_choices(),
                });
            }
            _ => {}
        }

        let first = procedure.first_stage();
        let case = Case {
            id,
            procedure: procedure.id.clone(),
            version: 0,
            raised_at: now,
            raised_by: actor.person.clone(),
            raising_agency: actor.agency.clone(),
            receiving_agency: request.receiving_agency,
            child: request.child,
            concern: request.concern,
            stage: first.id.clone(),
            stages_entered: vec![StageEntry {
                stage: first.id.clone(),
                at: now,
            }],
            clocks: Vec::new(),
            responses: Vec::new(),
            escalations: Vec::new(),
            status: Status::Open,
            updated_at: now,
        };
        let mut b = Builder::new(case, Some(actor.person.clone()), now);
        b.event(EventKind::Raised {
            stage: first.id.clone(),
        });
        b.start_clock(first, 0, calendar)?;
        Ok(b.done())
    }

    /// Everyone who has acted on the case, in order of first action: the raiser, then
    /// responders, escalators and whoever closed it. Their work queues list the case.
    pub fn people_involved(&self) -> Vec<PersonId> {
        let closer = match &self.status {
            Status::Open => None,
            Status::Resolved { by, .. } | Status::Withdrawn { by, .. } => Some(by),
        };
        let mut people: Vec<PersonId> = Vec::new();
        let all = std::iter::once(&self.raised_by)
            .chain(self.responses.iter().map(|r| &r.by))
            .chain(self.escalations.iter().map(|e| &e.by))
            .chain(closer);
        for person in all {
            if !people.contains(person) {
                people.push(person.clone());
            }
        }
        people
    }

    /// The agencies party to the case: the raising agency, then the receiving one.
    pub fn agencies(&self) -> Vec<AgencyId> {
        std::iter::once(self.raising_agency.clone())
            .chain(self.receiving_agency.clone())
            .collect()
    }

    /// The clock running now, if any.
    pub fn running_clock(&self) -> Option<&ClockRun> {
        self.clocks.iter().find(|c| c.is_running())
    }

    /// The sides the actor stands on in this case.
    pub fn parties_of(&self, actor: &Actor) -> Vec<Party> {
        actor.parties_in(&self.raising_agency, self.receiving_agency.as_ref())
    }

    /// The side that decides to escalate or resolve: the partnership when its chair raises
    /// cases under the procedure (MSET), otherwise the raising agency.
    pub fn deciding_party(procedure: &Procedure) -> Party {
        if procedure.raised_by == [RaiserRole::Chair] {
            Party::Partnership
        } else {
            Party::Raising
        }
    }

    /// Who must be told at the current stage, given what is known about the child.
    pub fn to_inform<'p>(&self, stage: &'p Stage) -> Vec<&'p Inform> {
        stage
            .inform
            .iter()
            .filter(|inform| match inform.when {
                InformWhen::Always => true,
                InformWhen::ChildProtectionPlan => {
                    self.child.as_ref().is_some_and(|c| c.child_protection_plan)
                }
                InformWhen::InCare => self.child.as_ref().is_some_and(|c| c.in_care),
            })
            .collect()
    }

    /// Whose move it is, and by when. `None` once the case is closed.
    pub fn next_move(&self, procedure: &Procedure) -> Option<NextMove> {
        if !self.status.is_open() {
            return None;
        }
        let stage = procedure.stage(self.stage.as_str())?;
        if let Some(run) = self.running_clock() {
            return NextMove::while_clock_runs(
                procedure, &stage.id, &run.clock, run.owner, run.due,
            );
        }
        let responded_here = self.responses.iter().any(|r| r.stage == stage.id);
        if stage.clocks.is_empty() && !responded_here {
            return Some(NextMove {
                stage: stage.id.clone(),
                party: stage.asked.party,
                who: stage.asked.role.clone(),
                task: "Consider the escalation and respond (no timescale is set)".to_owned(),
                actions: vec![Action::Respond],
                clock: None,
                due: None,
            });
        }
        let is_last = procedure.stages.last().is_some_and(|s| s.id == stage.id);
        let party = Case::deciding_party(procedure);
        Some(NextMove {
            stage: stage.id.clone(),
            party,
            who: match party {
                Party::Partnership => "The chair".to_owned(),
                _ => "The professional who raised the escalation, with their manager".to_owned(),
            },
            task: if is_last {
                "Record the outcome and lessons learned".to_owned()
            } else {
                "Decide: resolve the case, or escalate to the next stage".to_owned()
            },
            actions: if is_last {
                vec![Action::Resolve]
            } else {
                vec![Action::Escalate, Action::Resolve]
            },
            clock: None,
            due: None,
        })
    }

    fn check_open(&self, procedure: &Procedure, actor: &Actor) -> Result<(), Refused> {
        if self.procedure != procedure.id {
            return Err(Refused::WrongProcedure {
                case: self.procedure.clone(),
                given: procedure.id.clone(),
            });
        }
        match &self.status {
            Status::Open => {}
            Status::Resolved { at, .. } => {
                return Err(Refused::Closed {
                    how: "resolved",
                    at: local_time(*at),
                });
            }
            Status::Withdrawn { at, .. } => {
                return Err(Refused::Closed {
                    how: "withdrawn",
                    at: local_time(*at),
                });
            }
        }
        if actor.role == Role::Administrator {
            return Err(Refused::AdministratorsDoNotAct);
        }
        Ok(())
    }

    fn current_stage<'p>(&self, procedure: &'p Procedure) -> &'p Stage {
        procedure
            .stage(self.stage.as_str())
            .unwrap_or_else(|| procedure.first_stage())
    }

    /// Refuses unless the next move is `action` and the actor is on the side that owns it.
    fn check_move(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        action: Action,
    ) -> Result<(), Refused> {
        let Some(next) = self.next_move(procedure) else {
            return Ok(());
        };
        let expected = describe_move(&next);
        if !next.actions.contains(&action) {
            return Err(Refused::NotThisAction {
                stage: next.stage,
                attempted: action.verb(),
                expected,
            });
        }
        if !self.parties_of(actor).contains(&next.party) {
            return Err(Refused::NotYourMove { expected });
        }
        Ok(())
    }

    /// Never lets time run backwards within a case (clock skew between processes).
    fn effective_now(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.max(self.updated_at)
    }

    /// Records that the escalation or pro-forma was sent on to the person asked.
    pub fn submit(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        self.check_move(procedure, actor, Action::Submit)?;
        let stage = self.current_stage(procedure);
        let mut b = Builder::new(
            self.clone(),
            Some(actor.person.clone()),
            self.effective_now(now),
        );
        b.event(EventKind::Submitted {
            stage: stage.id.clone(),
        });
        b.meet_and_advance(stage, calendar)?;
        Ok(b.done())
    }

    /// Records a response at the current stage: resolved, or not resolved with reasons and
    /// agreed actions.
    pub fn respond(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        self.check_move(procedure, actor, Action::Respond)?;
        let stage = self.current_stage(procedure);
        let now = self.effective_now(now);
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.event(EventKind::Responded {
            stage: stage.id.clone(),
            resolved: outcome.is_resolved(),
        });
        b.case.responses.push(Response {
            stage: stage.id.clone(),
            clock: self.running_clock().map(|c| c.clock.clone()),
            by: actor.person.clone(),
            agency: actor.agency.clone(),
            at: now,
            outcome,
        });
        b.meet_and_advance(stage, calendar)?;
        Ok(b.done())
    }

    /// Moves the case to the next stage (or a later one whose required stages were all
    /// used), ending the current stage's clock and starting the new stage's first one.
    pub fn escalate(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        request: EscalateRequest,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        let now = self.effective_now(now);
        let parties = self.parties_of(actor);
        let deciding = Case::deciding_party(procedure);
        if !parties.contains(&deciding) && !parties.contains(&Party::Partnership) {
            return Err(Refused::NotYourMove {
                expected: format!(
                    "only {} or the partnership's chair can escalate this case",
                    deciding.describe()
                ),
            });
        }
        let current_index = procedure.stage_index(&self.stage).unwrap_or(0);
        let current = &procedure.stages[current_index];
        if current_index + 1 == procedure.stages.len() {
            return Err(Refused::LastStage {
                stage: current.id.clone(),
            });
        }
        let target_index = match &request.to {
            None => current_index + 1,
            Some(to) => match procedure.stage_index(to) {
                None => {
                    return Err(Refused::UnknownStage {
                        given: to.clone(),
                        choices: ids_list(procedure.stages.iter().map(|s| s.id.as_str())),
                    });
                }
                Some(i) if i <= current_index => {
                    return Err(Refused::NotForward {
                        given: to.clone(),
                        current: current.id.clone(),
                    });
                }
                Some(i) => i,
            },
        };
        let target = &procedure.stages[target_index];
        if let Some(missing) = target
            .requires
            .iter()
            .find(|required| !self.stages_entered.iter().any(|e| &e.stage == *required))
        {
            return Err(Refused::StageRequired {
                target: target.id.clone(),
                missing: missing.clone(),
            });
        }
        // Escalation waits for a "not resolved" response or for the running clock to breach,
        // unless escalating is itself what the running clock waits for.
        let running = self.running_clock();
        let meets_running = running.is_some_and(|r| r.action == Action::Escalate);
        if let Some(run) = running.filter(|_| !meets_running) {
            let not_resolved_here = self
                .responses
                .iter()
                .rev()
                .find(|r| r.stage == current.id)
                .is_some_and(|r| !r.outcome.is_resolved());
            if now < run.due && !not_resolved_here {
                let clock = current.clock(run.clock.as_str());
                return Err(Refused::TooEarlyToEscalate {
                    who: clock.map_or_else(String::new, |c| c.who.clone()),
                    task: clock.map_or_else(String::new, |c| lowercase_first(&c.task)),
                    due: local_time(run.due),
                });
            }
        }

        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.end_clock(if meets_running {
            ClockEnd::Met
        } else {
            ClockEnd::Stopped
        });
        b.case.stage = target.id.clone();
        b.case.stages_entered.push(StageEntry {
            stage: target.id.clone(),
            at: now,
        });
        b.case.escalations.push(Escalation {
            from: current.id.clone(),
            to: target.id.clone(),
            by: actor.person.clone(),
            at: now,
            reasons: request.reasons,
            tried: request.tried,
        });
        b.event(EventKind::Escalated {
            from: current.id.clone(),
            to: target.id.clone(),
        });
        b.start_clock(target, 0, calendar)?;
        Ok(b.done())
    }

    /// Records the outcome and lessons learned, and closes the case.
    pub fn resolve(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        request: ResolveRequest,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        let now = self.effective_now(now);
        let parties = self.parties_of(actor);
        let running = self.running_clock();
        let meets_running = running.is_some_and(|r| r.action == Action::Resolve);
        match running {
            // A decision clock (Sefton's step 4) belongs to whoever makes the decision.
            Some(run) if meets_running && !parties.contains(&run.owner) => {
                let next = self.next_move(procedure);
                return Err(Refused::NotYourMove {
                    expected: next.map_or_else(String::new, |n| describe_move(&n)),
                });
            }
            _ if !meets_running
                && !parties.contains(&Case::deciding_party(procedure))
                && !parties.contains(&Party::Partnership) =>
            {
                return Err(Refused::NotYourMove {
                    expected: format!(
                        "only {} or the partnership's chair can resolve this case",
                        Case::deciding_party(procedure).describe()
                    ),
                });
            }
            _ => {}
        }
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.end_clock(if meets_running {
            ClockEnd::Met
        } else {
            ClockEnd::Stopped
        });
        b.case.status = Status::Resolved {
            at: now,
            by: actor.person.clone(),
            stage: self.stage.clone(),
            outcome: request.outcome,
            lessons_learned: request.lessons_learned,
        };
        b.event(EventKind::Resolved {
            stage: self.stage.clone(),
        });
        Ok(b.done())
    }

    /// Withdraws the case, with a reason.
    pub fn withdraw(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        reason: Text,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        let parties = self.parties_of(actor);
        if !parties.contains(&Case::deciding_party(procedure))
            && !parties.contains(&Party::Partnership)
        {
            return Err(Refused::NotYourMove {
                expected: format!(
                    "only {} or the partnership's chair can withdraw this case",
                    Case::deciding_party(procedure).describe()
                ),
            });
        }
        let now = self.effective_now(now);
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.end_clock(ClockEnd::Stopped);
        b.case.status = Status::Withdrawn {
            at: now,
            by: actor.person.clone(),
            stage: self.stage.clone(),
            reason,
        };
        b.event(EventKind::Withdrawn {
            stage: self.stage.clone(),
        });
        Ok(b.done())
    }

    /// Records a breach event for the running clock if it has passed its due instant and no
    /// breach was recorded yet. `None` when there is nothing to record, so running it twice
    /// changes nothing.
    pub fn record_breaches(&self, now: DateTime<Utc>) -> Option<Transition> {
        let run = self.running_clock()?;
        if !self.status.is_open() || run.breach_recorded || now < run.due {
            return None;
        }
        let (stage, clock, due) = (run.stage.clone(), run.clock.clone(), run.due);
        let mut b = Builder::new(self.clone(), None, self.effective_now(now));
        if let Some(run) = b.case.clocks.iter_mut().find(|c| c.is_running()) {
            run.breach_recorded = true;
        }
        b.event(EventKind::ClockBreached { stage, clock, due });
        Some(b.done())
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Practitioner => "a practitioner",
        Role::Manager => "a manager",
        Role::Chair => "the chair",
        Role::Administrator => "an administrator",
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "The other agency's head of service (the agency the escalation is about) must give a
/// mutually agreeable plan of action by Wed 30 Dec 2026 00:00".
pub fn describe_move(next: &NextMove) -> String {
    let verbs: Vec<&str> = next.actions.iter().map(|a| a.verb()).collect();
    let by_when = next
        .due
        .map(|due| format!(", due by {}", local_time(due)))
        .unwrap_or_default();
    format!(
        "at {} the next step is for {} ({}) to {}: {}{by_when}",
        next.stage,
        lowercase_first(&next.who),
        next.party.describe(),
        verbs.join(" or "),
        lowercase_first(&next.task),
    )
}
