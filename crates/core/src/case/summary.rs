//! What a list shows of a case: enough to triage and to know whose move it is while a clock
//! runs, nothing about the child. Stored as list entries, and sent to the page as is.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Case, ChildKey, StatusKind};
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
