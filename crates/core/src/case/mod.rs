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
//! … record_breaches), `next_move` (whose move it is, in data and in words) and `refusals`.

mod actor;
mod contact;
mod next_move;
mod refusals;
mod summary;
mod targets;
mod transitions;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    AgencyId, CaseId, ClockId, LevelId, PersonId, ProcedureId, ReasonId, StageId, Text,
};
use crate::procedure::{Action, Inform, InformWhen, Party, Stage};
use crate::timescale::Timescale;

pub use actor::{Actor, Role};
pub use contact::{Contact, ContactMethod, ContactRefused};
pub use next_move::{NextMove, describe_move, local_time};
pub use refusals::{ClockRefused, RaiseError, Refused};
pub use summary::{CaseSummary, RunningClock};
pub use targets::{RunningTotal, TotalState};

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
    /// How and when the discussion behind it happened, and with whom, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
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
