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
//!
//! This file is the model: the case and its parts, the chronology events, a transition's
//! result. Around it: `actor` (roles, and the sides a person stands on), `transitions` (raise
//! … record_breaches), `forms` (recording a procedure's forms, pre-filling them), `next_move` (whose move it is, in data and in words) and `refusals`.

mod actor;
mod child_key;
mod contact;
mod erasure;
mod forms;
mod next_move;
mod refusals;
mod summary;
mod targets;
mod transitions;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    ActionId, AgencyId, CaseId, ClockId, FormId, LevelId, PersonId, ProcedureId, ReasonId, StageId,
    Text,
};
use crate::procedure::{Action, Inform, InformWhen, Party, Stage};
use crate::timescale::{Timescale, local_date};

pub(crate) use actor::role_label;
pub use actor::{Actor, Decider, Level, Role};
pub use child_key::{ChildKey, MIN_SECRET_BYTES, MatchSecret, SecretTooShort};
pub use contact::{Contact, ContactMethod, ContactRefused};
pub use forms::FormRecord;
pub use next_move::{NextMove, describe_move, local_time, lowercase_first};
pub use refusals::{ClockRefused, RaiseError, Refused};
pub use summary::{CaseSummary, OpenActions, RunningClock, WorkQueue};
pub use targets::{RunningTotal, TotalState};
pub use transitions::{DecisionAsked, DueMoved};

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
    /// The procedure's reason ids, and `other` when `other_reason` is given.
    pub reasons: Vec<ReasonId>,
    /// A reason not in the procedure's list, in words (`other`). Free text: never in events,
    /// logs, notices or reports (the report counts `other` by id).
    #[serde(default)]
    pub other_reason: Option<Text>,
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
    /// The answer to the procedure's immediate-risk question: required for a procedure about
    /// a child (a yes refuses the raise), absent otherwise.
    #[serde(default)]
    pub immediate_risk: Option<bool>,
    /// The agencies a Practice Alert asks to respond, one response each (a procedure whose
    /// stage takes `each_agency` responses needs at least one; others take none).
    #[serde(default)]
    pub agencies_asked: Vec<AgencyId>,
}

/// One action of an agreed plan ("a mutually agreed plan of action including timescales" —
/// Sefton): what, whose (an agency of the partnership, optionally a person in it), by when,
/// and whether it was done. It is kept where it was agreed (a response or the resolution);
/// its id is its place in the case's plan ([`Case::actions`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreedAction {
    pub what: Text,
    /// The agency that owns it. Required of a new action; an action stored before owners were
    /// agencies has none (its owner is `owner_person`, in words): only the chair marks it done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_agency: Option<AgencyId>,
    /// The person in the owner agency, in words; stored before as `by_whom`.
    #[serde(default, alias = "by_whom", skip_serializing_if = "Option::is_none")]
    pub owner_person: Option<Text>,
    /// The due date: done on it is on time.
    pub by_when: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<ActionDone>,
}

/// When an agreed action was marked done, and by whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDone {
    pub at: DateTime<Utc>,
    pub by: PersonId,
}

impl AgreedAction {
    /// Whether it was done after its due date (in the partnership's time zone).
    pub fn done_late(&self) -> Option<bool> {
        self.done
            .as_ref()
            .map(|done| local_date(done.at) > self.by_when)
    }

    /// Open and past its due date at `now`.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.done.is_none() && local_date(now) > self.by_when
    }
}

/// An agreed action with its id and where it was agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedAction<'c> {
    pub index: usize,
    pub stage: &'c StageId,
    pub agreed_at: DateTime<Utc>,
    pub action: &'c AgreedAction,
}

impl PlannedAction<'_> {
    pub fn id(&self) -> ActionId {
        ActionId::nth(self.index)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Resolved {
        summary: Text,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        agreed_actions: Vec<AgreedAction>,
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

    pub fn agreed_actions(&self) -> &[AgreedAction] {
        match self {
            Outcome::Resolved { agreed_actions, .. }
            | Outcome::NotResolved { agreed_actions, .. } => agreed_actions,
        }
    }

    pub(super) fn agreed_actions_mut(&mut self) -> &mut Vec<AgreedAction> {
        match self {
            Outcome::Resolved { agreed_actions, .. }
            | Outcome::NotResolved { agreed_actions, .. } => agreed_actions,
        }
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
    /// How and when the discussion behind it happened, and with whom, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Whose decision it was, where the stage asks a level of management: the person who
    /// recorded it (`by`) or the person they recorded it for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Decider>,
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
    /// How and when the discussion behind it happened, and with whom, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveRequest {
    pub outcome: Text,
    pub lessons_learned: Text,
    /// The plan agreed with the decision ("Agreed actions need to be followed up" — Moray).
    #[serde(default)]
    pub agreed_actions: Vec<AgreedAction>,
}

/// What the person states with an action that starts a clock: when the meeting or discussion
/// the clock runs from took place ("within 72 hours of the meeting"), and, where the procedure
/// lets their role, a shorter timescale for this case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInput {
    #[serde(default)]
    pub meeting_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub shorter: Option<Timescale>,
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
    /// The shorter timescale set for this case, if any (MSET's Chair for immediate
    /// safeguarding concerns); `due` was computed from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortened_to: Option<Timescale>,
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
        /// The plan agreed with the decision.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        agreed_actions: Vec<AgreedAction>,
        /// Whose decision it was, where the stage asks a level of management (Moray's Chief
        /// Social Work Officer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_by: Option<Decider>,
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

    /// Which status, without its details: what lists show and filter on.
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::Open => StatusKind::Open,
            Status::Resolved { .. } => StatusKind::Resolved,
            Status::Withdrawn { .. } => StatusKind::Withdrawn,
        }
    }
}

/// A [`Status`] without its details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusKind {
    Open,
    Resolved,
    Withdrawn,
}

impl StatusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Open => "open",
            StatusKind::Resolved => "resolved",
            StatusKind::Withdrawn => "withdrawn",
        }
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
    /// The child's keyed hash under the deployment's secret (`ChildKey`), set by the
    /// application when it raises the case: how a raise finds an open escalation about the
    /// same child without the child's details in any list entry or index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_key: Option<ChildKey>,
    /// The agencies asked for one response each (a Practice Alert's agencies concerned).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies_asked: Vec<AgencyId>,
    /// Every recording of a procedure's form, in order (values may identify the child: never
    /// in events, list entries or reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<FormRecord>,
    /// When the child's details and everything written about the case were erased, at the
    /// end of the partnership's retention period (`Case::erase`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<DateTime<Utc>>,
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
        /// The stated instant it runs from (a meeting or discussion), or the breach it
        /// follows, when that is not the event's own instant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<DateTime<Utc>>,
        /// The shorter timescale set for this case, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shortened_to: Option<Timescale>,
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
    /// The running clock's due instant counted again because the partnership's calendar
    /// changed (an administrator added or removed a closure day).
    ClockRescheduled {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
        was: DateTime<Utc>,
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
    /// A form was recorded at a stage: which, never its values.
    FormRecorded {
        stage: StageId,
        form: FormId,
    },
    /// An agreed action was marked done: its id and dates, never its words.
    ActionDone {
        action: ActionId,
        due: NaiveDate,
        late: bool,
    },
    /// The partnership's retention period for closed cases ended: the child's details and
    /// every word written about the case were erased; its ids, dates and choices remain for
    /// the partnership's figures.
    Erased {
        /// The period, in years after the closed case's last change.
        kept_for_years: u32,
    },
}

/// A transition's result: the new case and the events to store with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub case: Case,
    pub events: Vec<Event>,
}

impl Case {
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

    /// The case's agreed plan: every action agreed in a response or with the resolution, in
    /// the order agreed, so the `n`th is `a{n}`.
    pub fn actions(&self) -> Vec<PlannedAction<'_>> {
        let in_responses = self.responses.iter().flat_map(|r| {
            r.outcome
                .agreed_actions()
                .iter()
                .map(move |a| (&r.stage, r.at, a))
        });
        let at_resolution = match &self.status {
            Status::Resolved {
                at,
                stage,
                agreed_actions,
                ..
            } => agreed_actions.iter().map(|a| (stage, *at, a)).collect(),
            _ => Vec::new(),
        };
        in_responses
            .chain(at_resolution)
            .enumerate()
            .map(|(index, (stage, agreed_at, action))| PlannedAction {
                index,
                stage,
                agreed_at,
                action,
            })
            .collect()
    }

    /// The action with this id, to change it.
    pub(super) fn action_mut(&mut self, id: &ActionId) -> Option<&mut AgreedAction> {
        let index = self.actions().iter().position(|p| &p.id() == id)?;
        let in_responses = self
            .responses
            .iter_mut()
            .flat_map(|r| r.outcome.agreed_actions_mut().iter_mut());
        let at_resolution = match &mut self.status {
            Status::Resolved { agreed_actions, .. } => Some(agreed_actions.iter_mut()),
            _ => None,
        };
        in_responses
            .chain(at_resolution.into_iter().flatten())
            .nth(index)
    }

    /// The agencies with an open action, each with its earliest due date, in the order of
    /// those dates: what a list entry carries so owners' work queues need no whole case.
    pub fn open_actions(&self) -> Vec<OpenActions> {
        let mut open: Vec<OpenActions> = Vec::new();
        for planned in self.actions() {
            let action = planned.action;
            let (None, Some(owner)) = (&action.done, &action.owner_agency) else {
                continue;
            };
            match open.iter_mut().find(|o| &o.owner == owner) {
                Some(o) => o.due = o.due.min(action.by_when),
                None => open.push(OpenActions {
                    owner: owner.clone(),
                    due: action.by_when,
                }),
            }
        }
        open.sort_by(|a, b| (a.due, &a.owner).cmp(&(b.due, &b.owner)));
        open
    }

    /// The agencies concerned: the parties, then every agency that owns an agreed action
    /// (their people see the case, and its list entry is in their agency's list).
    pub fn agencies_concerned(&self) -> Vec<AgencyId> {
        let mut agencies = self.agencies();
        for asked in &self.agencies_asked {
            if !agencies.contains(asked) {
                agencies.push(asked.clone());
            }
        }
        for planned in self.actions() {
            if let Some(owner) = &planned.action.owner_agency
                && !agencies.contains(owner)
            {
                agencies.push(owner.clone());
            }
        }
        agencies
    }

    /// The agencies asked at this stage that have not yet given their response, when the
    /// stage takes one from each (`each_agency`); empty otherwise.
    pub fn agencies_yet_to_answer(&self, stage: &Stage) -> Vec<AgencyId> {
        if !stage.asked.each_agency {
            return Vec::new();
        }
        self.agencies_asked
            .iter()
            .filter(|agency| {
                !self
                    .responses
                    .iter()
                    .any(|r| r.stage == stage.id && &r.agency == *agency)
            })
            .cloned()
            .collect()
    }

    /// The clock running now, if any.
    pub fn running_clock(&self) -> Option<&ClockRun> {
        self.clocks.iter().find(|c| c.is_running())
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
}
