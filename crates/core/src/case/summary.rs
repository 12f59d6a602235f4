//! What a list shows of a case: enough to triage and to know whose move it is while a clock
//! runs, nothing about the child. Stored as list entries, and sent to the page as is.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Case, ChildKey, Status, StatusKind};
use crate::ids::{AgencyId, CaseId, ClockId, ProcedureId, StageId};
use crate::procedure::Party;

/// What a list shows of a case: enough to triage, nothing about the child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub status: StatusKind,
    pub raised_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub raising_agency: AgencyId,
    pub receiving_agency: Option<AgencyId>,
    pub running: Option<RunningClock>,
    /// Agencies that owe an agreed action, with the earliest due date of theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_actions: Vec<OpenActions>,
    /// The child's keyed hash (never the child's details): a raise warns of an open case with
    /// the same key and receiving agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_key: Option<ChildKey>,
    pub version: u64,
}

/// An agency's open agreed actions in a case: the earliest due date among them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenActions {
    pub owner: AgencyId,
    pub due: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// The clock running in a case, if any: whose move it is, and by when.
pub struct RunningClock {
    pub stage: StageId,
    pub clock: ClockId,
    pub owner: Party,
    pub due: DateTime<Utc>,
}

impl CaseSummary {
    /// The summary of a case as it stands.
    pub fn of(case: &Case) -> Self {
        CaseSummary {
            id: case.id.clone(),
            procedure: case.procedure.clone(),
            stage: case.stage.clone(),
            status: case.status.kind(),
            raised_at: case.raised_at,
            updated_at: case.updated_at,
            raising_agency: case.raising_agency.clone(),
            receiving_agency: case.receiving_agency.clone(),
            running: case.running_clock().map(|run| RunningClock {
                stage: run.stage.clone(),
                clock: run.clock.clone(),
                owner: run.owner,
                due: run.due,
            }),
            open_actions: case.open_actions(),
            child_key: case.child_key.clone(),
            version: case.version,
        }
    }
}

/// A work queue a case can be in: an agency's, or the partnership's (its chair and business
/// unit). Stored as an index, so a person's queue is one read of the cases in it, however
/// many cases their agency has ever been party to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkQueue {
    Agency(AgencyId),
    Partnership,
}

impl WorkQueue {
    /// The queue in a storage key: the agency's id, or `~partnership` (no agency id has a `~`).
    pub fn key(&self) -> String {
        match self {
            WorkQueue::Agency(agency) => agency.to_string(),
            WorkQueue::Partnership => "~partnership".to_owned(),
        }
    }
}

impl Case {
    /// The work queues the case is in now. An open case whose clock runs: the queue of the
    /// side that owns the clock. An open case with no clock running: whose move it is depends on
    /// the procedure, so the queues of every agency concerned and the partnership's (the queue
    /// reads the case to decide). And, unless it was withdrawn, the queue of every agency that
    /// owes an open agreed action (plans are followed up after the decision).
    pub fn work_queues(&self) -> BTreeSet<WorkQueue> {
        let mut queues = BTreeSet::new();
        if self.status.is_open() {
            match self.running_clock().map(|run| run.owner) {
                Some(Party::Raising) => {
                    queues.insert(WorkQueue::Agency(self.raising_agency.clone()));
                }
                Some(Party::Receiving) => {
                    queues.extend(self.receiving_agency.clone().map(WorkQueue::Agency));
                }
                Some(Party::Partnership) => {
                    queues.insert(WorkQueue::Partnership);
                }
                None => {
                    queues.extend(self.agencies_concerned().into_iter().map(WorkQueue::Agency));
                    queues.insert(WorkQueue::Partnership);
                }
            }
        }
        if !matches!(self.status, Status::Withdrawn { .. }) {
            queues.extend(
                self.open_actions()
                    .into_iter()
                    .map(|open| WorkQueue::Agency(open.owner)),
            );
        }
        queues
    }

    /// Every queue the case could be in now or could have been in before: its agencies
    /// concerned and the partnership's (agencies concerned only ever grow), so a store can
    /// take it out of the ones it has left.
    pub fn possible_work_queues(&self) -> BTreeSet<WorkQueue> {
        let mut queues: BTreeSet<WorkQueue> = self
            .agencies_concerned()
            .into_iter()
            .map(WorkQueue::Agency)
            .collect();
        queues.insert(WorkQueue::Partnership);
        queues
    }
}
