//! The partnership's quality-assurance report.

use chrono::{DateTime, NaiveDate, Utc};
use escalations_core::access::{Denied, Principal};
use escalations_core::ids::ProcedureId;
use escalations_core::report::Report;
use escalations_store::{CaseFilter, PageRequest, Scope, StoreError, drain_pages};

use crate::{App, NotSetUp};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("`{0}` is not one of the partnership's procedures")]
    NotInUse(ProcedureId),
}

impl App {
    /// The report over cases raised on local dates `from..=to` (of one procedure, if given),
    /// as things stand at `now`.
    pub async fn report(
        &self,
        who: &Principal,
        from: NaiveDate,
        to: NaiveDate,
        procedure: Option<&ProcedureId>,
        now: DateTime<Utc>,
    ) -> Result<Report, ReportError> {
        who.may_run_report()?;
        let config = self.config::<ReportError>(who).await?;
        if let Some(p) = procedure.filter(|p| !config.procedures.contains(p)) {
            return Err(ReportError::NotInUse(p.clone()));
        }
        let calendar = config.calendar();
        let every = &CaseFilter {
            procedure: procedure.cloned(),
            ..CaseFilter::default()
        };
        let summaries = drain_pages(|page: PageRequest| async move {
            self.store
                .list_cases(&who.partnership, &Scope::Partnership, every, &page)
                .await
        })
        .await?;
        let mut cases = Vec::with_capacity(summaries.len());
        for summary in summaries {
            if let Some(case) = self.store.load_case(&who.partnership, &summary.id).await? {
                cases.push(case);
            }
        }
        let mut report =
            escalations_core::report::report(&cases, &self.catalogue, &calendar, from, to, now);
        report.procedure = procedure.cloned();
        tracing::info!(person = %who.actor.person, cases = report.cases, "report run");
        Ok(report)
    }
}
