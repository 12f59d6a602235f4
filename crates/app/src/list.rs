//! Listing cases.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use escalations_core::access::{Denied, Principal};
use escalations_core::case::Status;
use escalations_core::ids::{AgencyId, ProcedureId, StageId};
use escalations_core::timescale::{end_of_local_day, local_date};
use escalations_store::{
    CaseFilter, CaseSummary, Cursor, Page, PageRequest, Scope, StatusKind, StoreError, drain_pages,
};

use crate::{App, NotSetUp};

/// Whose cases, as the caller names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScopeChoice {
    /// The cases I raised or acted on.
    #[default]
    Mine,
    /// My agency's cases, raised or received.
    Agency,
    /// Every case of the partnership (chair, business unit).
    Partnership,
}

/// A list request, already parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub scope: ScopeChoice,
    pub status: Option<StatusKind>,
    pub stage: Option<StageId>,
    pub procedure: Option<ProcedureId>,
    /// Only open cases whose running clock has breached at `now`.
    pub overdue: bool,
    /// Only cases this agency raised, was asked about, or owes an agreed action in (with the
    /// partnership scope: the chair narrowing every case to one agency's).
    pub agency: Option<AgencyId>,
    /// Only cases raised on or after this local date.
    pub raised_from: Option<NaiveDate>,
    /// Only cases raised on or before this local date.
    pub raised_to: Option<NaiveDate>,
    /// Oldest raised first, rather than newest first.
    pub oldest_first: bool,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

/// What the chair sees at the top of All cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    pub open: usize,
    /// Open, with the running timescale breached now.
    pub overdue: usize,
    /// Resolved on or after the first day of the current quarter.
    pub resolved_this_quarter: usize,
    pub quarter_from: NaiveDate,
}

/// The first day of the calendar quarter (also the UK's financial quarter) holding `day`.
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

/// The instant a local date begins.
fn start_of_local_day(day: NaiveDate) -> Option<DateTime<Utc>> {
    end_of_local_day(day.pred_opt()?)
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("`{0}` is not one of the partnership's agencies")]
    UnknownAgency(AgencyId),
    #[error("choose the agency with every case of the partnership (scope=partnership)")]
    AgencyNeedsPartnership,
}

impl App {
    /// A page of the cases in the caller's chosen scope, newest raised first unless asked for
    /// the oldest first.
    pub async fn list(
        &self,
        who: &Principal,
        query: ListQuery,
        now: DateTime<Utc>,
    ) -> Result<Page<CaseSummary>, ListError> {
        let scope = match (query.scope, query.agency) {
            (ScopeChoice::Mine, None) => Scope::Person(who.actor.person.clone()),
            (ScopeChoice::Agency, None) => Scope::Agency(who.actor.agency.clone()),
            (ScopeChoice::Partnership, None) => Scope::Partnership,
            (ScopeChoice::Partnership, Some(agency)) => {
                who.may_list(&Scope::Partnership)?;
                let config = self.config::<ListError>(who).await?;
                if config.agency(&agency).is_none() {
                    return Err(ListError::UnknownAgency(agency));
                }
                Scope::Agency(agency)
            }
            (_, Some(_)) => return Err(ListError::AgencyNeedsPartnership),
        };
        who.may_list(&scope)?;
        let filter = CaseFilter {
            status: query.status,
            stage: query.stage,
            procedure: query.procedure,
            overdue_at: query.overdue.then_some(now),
            raised_from: query.raised_from.and_then(start_of_local_day),
            raised_before: query.raised_to.and_then(end_of_local_day),
            oldest_first: query.oldest_first,
        };
        let page = PageRequest::new(query.limit, query.cursor);
        Ok(self
            .store
            .list_cases(&who.partnership, &scope, &filter, &page)
            .await?)
    }
}

impl App {
    /// The counts at the top of All cases: open, overdue now, resolved this quarter.
    pub async fn overview(
        &self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Overview, ListError> {
        who.may_list(&Scope::Partnership)?;
        let count = |filter: CaseFilter| async move {
            let every = drain_pages(|page: PageRequest| {
                let filter = filter.clone();
                async move {
                    self.store
                        .list_cases(&who.partnership, &Scope::Partnership, &filter, &page)
                        .await
                }
            })
            .await?;
            Ok::<_, StoreError>(every)
        };
        let open = count(CaseFilter {
            status: Some(StatusKind::Open),
            ..CaseFilter::default()
        })
        .await?;
        let overdue = open
            .iter()
            .filter(|c| c.running.as_ref().is_some_and(|r| r.due <= now))
            .count();
        let quarter_from = quarter_start(local_date(now));
        let since = start_of_local_day(quarter_from).unwrap_or(now);
        // A case resolved this quarter changed this quarter; only those are read in full for
        // the instant they were resolved (a later change, such as an action done, moves the
        // summary's `updated_at` but not the resolution).
        let mut resolved_this_quarter = 0;
        for summary in count(CaseFilter {
            status: Some(StatusKind::Resolved),
            ..CaseFilter::default()
        })
        .await?
        .into_iter()
        .filter(|c| c.updated_at >= since)
        {
            if let Some(case) = self.store.load_case(&who.partnership, &summary.id).await?
                && matches!(case.status, Status::Resolved { at, .. } if at >= since)
            {
                resolved_this_quarter += 1;
            }
        }
        Ok(Overview {
            open: open.len(),
            overdue,
            resolved_this_quarter,
            quarter_from,
        })
    }
}
