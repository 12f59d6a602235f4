//! Viewing a case: what the caller sees of it at an instant.

use chrono::{DateTime, Utc};
use escalations_core::access::{CaseAccess, CasePart, Denied, Principal};
use escalations_core::calendar::{Calendar, YearOutOfRange};
use escalations_core::case::{Case, ClockRun, ClockState, Event, NextMove, RunningTotal};
use escalations_core::ids::CaseId;
use escalations_core::procedure::{Inform, Party};
use escalations_store::StoreError;

use crate::{App, NotSetUp, ProcedureMissing};

/// A case as its reader sees it at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDetail {
    pub case: Case,
    pub next_move: Option<NextMove>,
    /// The sides of the case the reader stands on.
    pub your_sides: Vec<Party>,
    pub clocks: Vec<(ClockRun, ClockState)>,
    /// Each stage's overall target counted from the raise (Sefton's running totals), where the
    /// procedure sets one.
    pub running_totals: Vec<RunningTotal>,
    /// Who beyond the parties must be told at the current stage.
    pub inform: Vec<Inform>,
    pub chronology: Vec<Event>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// Unknown, another partnership's, or not one the caller may see: all look alike.
    #[error("no such case")]
    NoSuchCase,
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error(transparent)]
    ProcedureMissing(#[from] ProcedureMissing),
    /// An overall target beyond the years the calendar covers.
    #[error(transparent)]
    Calendar(#[from] YearOutOfRange),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Denied> for ViewError {
    fn from(_: Denied) -> Self {
        ViewError::NoSuchCase
    }
}

impl App {
    /// One case, if the caller may see it. Every read is kept in the case's access history.
    pub async fn view_case(
        &self,
        who: &Principal,
        id: &CaseId,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail, ViewError> {
        let case = self.read_case(who, id, CasePart::Case, now).await?;
        let calendar = self.config::<ViewError>(who).await?.calendar();
        self.detail(who, case, &calendar, now).await
    }

    /// Loads a case the caller may view and keeps the read in its access history before
    /// anything of it is shown: a read that cannot be recorded is not served.
    pub(crate) async fn read_case(
        &self,
        who: &Principal,
        id: &CaseId,
        part: CasePart,
        now: DateTime<Utc>,
    ) -> Result<Case, ViewError> {
        let case = self.load_viewable(who, id).await?;
        let access = CaseAccess::by(who, part, now);
        self.store
            .record_access(&who.partnership, &case.id, &access)
            .await?;
        tracing::info!(case = %case.id, person = %who.actor.person, part = %access.part, "case read");
        Ok(case)
    }

    /// Loads a case the caller may view; anything else is "no such case".
    pub(crate) async fn load_viewable(
        &self,
        who: &Principal,
        id: &CaseId,
    ) -> Result<Case, ViewError> {
        let case = self
            .store
            .load_case(&who.partnership, id)
            .await?
            .ok_or(ViewError::NoSuchCase)?;
        who.may_view_case(&case)?;
        Ok(case)
    }

    /// The reader's view of a case they may see, at `now`.
    pub(crate) async fn detail(
        &self,
        who: &Principal,
        case: Case,
        calendar: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail, ViewError> {
        let procedure = self.procedure_of(&case.procedure)?;
        let running_totals = case.running_totals(procedure, calendar, now)?;
        let chronology = self.store.chronology(&who.partnership, &case.id).await?;
        let inform = procedure
            .stage(case.stage.as_str())
            .map(|stage| case.to_inform(stage).into_iter().cloned().collect())
            .unwrap_or_default();
        Ok(CaseDetail {
            next_move: case.next_move(procedure),
            your_sides: case.parties_of(&who.actor),
            clocks: case
                .clocks
                .iter()
                .map(|run| (run.clone(), run.state(now)))
                .collect(),
            running_totals,
            inform,
            chronology,
            now,
            case,
        })
    }
}
