//! The work queue: what the caller must act on, and by when.

use chrono::{DateTime, Utc};
use escalations_core::access::Principal;
use escalations_core::case::{NextMove, Role};
use escalations_core::ids::{CaseId, ProcedureId, StageId};
use escalations_core::procedure::Action;
use escalations_store::{CaseFilter, PageRequest, Scope, StatusKind, StoreError, drain_pages};

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
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub version: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Open cases in the caller's view whose next move is on their side, earliest due first
    /// (those with no due date last).
    pub async fn queue(
        &self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<WorkItem>, QueueError> {
        let scope = match who.actor.role {
            Role::Chair => Scope::Partnership,
            _ => Scope::Agency(who.actor.agency.clone()),
        };
        let filter = CaseFilter {
            status: Some(StatusKind::Open),
            ..CaseFilter::default()
        };
        let (scope, filter) = (&scope, &filter);
        let open = drain_pages(|page: PageRequest| async move {
            self.store
                .list_cases(&who.partnership, scope, filter, &page)
                .await
        })
        .await?;
        let mut items = Vec::new();
        for summary in open {
            let Some(procedure) = self.catalogue.get(summary.procedure.as_str()) else {
                continue;
            };
            let parties = who
                .actor
                .parties_in(&summary.raising_agency, summary.receiving_agency.as_ref());
            // A running clock on the list entry says whose move it is; only a case with no
            // clock running, where the caller may be the side to move, is read whole.
            let next = match &summary.running {
                Some(run) => NextMove::while_clock_runs(
                    procedure, &run.stage, &run.clock, run.owner, run.due,
                ),
                None if NextMove::parties_without_clock(procedure, &summary.stage)
                    .iter()
                    .any(|p| parties.contains(p)) =>
                {
                    self.store
                        .load_case(&who.partnership, &summary.id)
                        .await?
                        .and_then(|case| case.next_move(procedure))
                }
                None => None,
            };
            if let Some(next) = next
                && parties.contains(&next.party)
            {
                items.push(WorkItem {
                    case: summary.id,
                    procedure: summary.procedure,
                    stage: next.stage,
                    actions: next.actions,
                    who: next.who,
                    task: next.task,
                    overdue: next.due.is_some_and(|d| now >= d),
                    due: next.due,
                    version: summary.version,
                });
            }
        }
        // Earliest due first; no due date sorts last.
        items.sort_by_key(|i| (i.due.is_none(), i.due));
        Ok(items)
    }
}
