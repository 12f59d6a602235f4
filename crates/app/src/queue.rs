//! The work queue: what the caller must act on, and by when — moves in open cases, and agreed
//! actions their agency owns (in open and resolved cases: plans are followed up after the
//! decision).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use escalations_core::access::Principal;
use escalations_core::case::{NextMove, Role};
use escalations_core::ids::{CaseId, ClockId, ProcedureId, StageId};
use escalations_core::procedure::Action;
use escalations_core::timescale::local_date;
use escalations_store::{CaseSummary, StatusKind, StoreError, WorkQueue};

use crate::App;

/// One thing the caller must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkItem {
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub actions: Vec<Action>,
    /// Who on the caller's side, in the procedure's words.
    pub who: String,
    pub task: String,
    /// The running clock the move meets, if one runs.
    pub clock: Option<ClockId>,
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub version: u64,
}

/// A case in which the caller's agency owns open agreed actions: the earliest due date among
/// them (the case says which they are).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionsDue {
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub status: StatusKind,
    pub due: NaiveDate,
    /// The due date has passed.
    pub overdue: bool,
    pub version: u64,
}

/// The caller's work: moves, earliest due first, and agreed actions, earliest due first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub moves: Vec<WorkItem>,
    pub actions: Vec<ActionsDue>,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Open cases in the caller's view whose next move is on their side, earliest due first
    /// (those with no due date last), and cases in which the caller's agency owns an open
    /// agreed action. Both come from the entries of the work queues the caller reads.
    pub async fn queue(&self, who: &Principal, now: DateTime<Utc>) -> Result<Work, QueueError> {
        // The caller's agency's work queue, and the partnership's for its chair: only cases
        // waiting there (a move or an agreed action), never every case the agency was party to.
        let mut queues = vec![WorkQueue::Agency(who.actor.agency.clone())];
        if who.actor.role == Role::Chair {
            queues.push(WorkQueue::Partnership);
        }
        let mut entries: Vec<CaseSummary> = Vec::new();
        let mut seen: HashSet<CaseId> = HashSet::new();
        for queue in &queues {
            for entry in self.store.work_queue(&who.partnership, queue).await? {
                // A case in both the agency's and the partnership's queue is listed once.
                if seen.insert(entry.id.clone()) {
                    entries.push(entry);
                }
            }
        }
        let mut items = Vec::new();
        let mut actions = Vec::new();
        let today = local_date(now);
        for summary in entries {
            if summary.status != StatusKind::Withdrawn
                && let Some(open) = summary
                    .open_actions
                    .iter()
                    .find(|o| o.owner == who.actor.agency)
            {
                actions.push(ActionsDue {
                    case: summary.id.clone(),
                    procedure: summary.procedure.clone(),
                    status: summary.status,
                    due: open.due,
                    overdue: today > open.due,
                    version: summary.version,
                });
            }
            if summary.status != StatusKind::Open {
                continue;
            }
            let Some(procedure) = self.catalogue.get(summary.procedure.as_str()) else {
                continue;
            };
            let parties = who
                .actor
                .parties_in(&summary.raising_agency, summary.receiving_agency.as_ref());
            // A running clock on the list entry says whose move it is; only a case with no
            // clock running, where the caller may be the side to move (or their agency may be
            // one asked for its own response), is read whole.
            let each_agency = procedure
                .stage(summary.stage.as_str())
                .is_some_and(|s| s.asked.each_agency);
            let mut answers_for_agency = false;
            let next = match &summary.running {
                Some(run) => NextMove::while_clock_runs(
                    procedure, &run.stage, &run.clock, run.owner, run.due,
                ),
                None if each_agency
                    || NextMove::parties_without_clock(procedure, &summary.stage)
                        .iter()
                        .any(|p| parties.contains(p)) =>
                {
                    let case = self.store.load_case(&who.partnership, &summary.id).await?;
                    case.and_then(|case| {
                        let stage = procedure.stage(case.stage.as_str())?;
                        answers_for_agency =
                            matches!(who.actor.role, Role::Practitioner | Role::Manager)
                                && case
                                    .agencies_yet_to_answer(stage)
                                    .contains(&who.actor.agency);
                        case.next_move(procedure)
                    })
                }
                None => None,
            };
            if let Some(next) = next
                && (parties.contains(&next.party) || answers_for_agency)
            {
                items.push(WorkItem {
                    case: summary.id,
                    procedure: summary.procedure,
                    stage: next.stage,
                    actions: next.actions,
                    who: next.who,
                    task: next.task,
                    clock: next.clock,
                    overdue: next.due.is_some_and(|d| now >= d),
                    due: next.due,
                    version: summary.version,
                });
            }
        }
        // Earliest due first; no due date sorts last.
        items.sort_by_key(|i| (i.due.is_none(), i.due));
        actions.sort_by(|a, b| (a.due, &a.case).cmp(&(b.due, &b.case)));
        Ok(Work {
            moves: items,
            actions,
        })
    }
}
