//! The partnership's quality-assurance report.

use chrono::{DateTime, NaiveDate, Utc};
use escalations_core::access::{Denied, Principal};
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
}

impl App {
    /// The report over cases raised on local dates `from..=to`, as things stand at `now`.
    pub async fn report(
        &self,
        who: &Principal,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Report, ReportError> {
        who.may_run_report()?;
        let calendar = self.config::<ReportError>(who).await?.calendar();
        let every = &CaseFilter::default();
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
        let report =
            escalations_core::report::report(&cases, &self.catalogue, &calendar, from, to, now);
        tracing::info!(person = %who.actor.person, cases = report.cases, "report run");
        Ok(report)
    }
}
