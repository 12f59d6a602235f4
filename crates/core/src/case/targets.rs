//! A procedure's overall targets counted from the raise (Sefton's running totals: "within a
//! further 2 working days of step 1 (4 days total)"), and whether a case met them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Case, ClockEnd, Status};
use crate::calendar::{Calendar, YearOutOfRange};
use crate::ids::StageId;
use crate::procedure::Procedure;
use crate::timescale::Timescale;

/// One stage's overall target in one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningTotal {
    pub stage: StageId,
    /// The stage's `running_total`, counted from the raise.
    pub timescale: Timescale,
    /// `timescale` from the instant the case was raised, in the partnership's calendar.
    pub due: DateTime<Utc>,
    pub state: TotalState,
}

/// Where an overall target stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum TotalState {
    /// The stage's last clock was met before the target fell due.
    Met { at: DateTime<Utc> },
    /// The stage's last clock was met late (`met_at`), or not met by the time it fell due.
    Missed { met_at: Option<DateTime<Utc>> },
    /// Not met yet, and not yet due.
    Running,
    /// The case closed before the target fell due without reaching it: it no longer applies.
    NotNeeded,
}

impl TotalState {
    pub fn as_str(self) -> &'static str {
        match self {
            TotalState::Met { .. } => "met",
            TotalState::Missed { .. } => "missed",
            TotalState::Running => "running",
            TotalState::NotNeeded => "not-needed",
        }
    }
}

impl Case {
    /// Every stage's overall target (`running_total`), in stage order, as it stands at `now`.
    /// A stage's target is met when its last clock is met before it; procedures without
    /// running totals give none.
    pub fn running_totals(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Vec<RunningTotal>, YearOutOfRange> {
        let closed_at = match &self.status {
            Status::Open => None,
            Status::Resolved { at, .. } | Status::Withdrawn { at, .. } => Some(*at),
        };
        let mut totals = Vec::new();
        for stage in &procedure.stages {
            let Some(timescale) = stage.running_total else {
                continue;
            };
            let due = timescale.due(self.raised_at, calendar)?;
            let met_at = stage.clocks.last().and_then(|last| {
                self.clocks
                    .iter()
                    .filter(|run| run.stage == stage.id && run.clock == last.id)
                    .find_map(|run| match run.ended {
                        Some((ClockEnd::Met, at)) => Some(at),
                        _ => None,
                    })
            });
            let state = match (met_at, closed_at) {
                (Some(at), _) if at < due => TotalState::Met { at },
                (Some(at), _) => TotalState::Missed { met_at: Some(at) },
                (None, Some(closed)) if closed < due => TotalState::NotNeeded,
                (None, _) if now >= due => TotalState::Missed { met_at: None },
                (None, None) => TotalState::Running,
                // Closed at or after the due with the stage never met: missed.
                (None, Some(_)) => TotalState::Missed { met_at: None },
            };
            totals.push(RunningTotal {
                stage: stage.id.clone(),
                timescale,
                due,
                state,
            });
        }
        Ok(totals)
    }
}
