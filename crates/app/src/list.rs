//! Listing cases.

use chrono::{DateTime, Utc};
use escalations_core::access::{Denied, Principal};
use escalations_core::ids::{ProcedureId, StageId};
use escalations_store::{
    CaseFilter, CaseSummary, Cursor, Page, PageRequest, Scope, StatusKind, StoreError,
};

use crate::App;

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
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// A page of the cases in the caller's chosen scope, newest raised first.
    pub async fn list(
        &self,
        who: &Principal,
        query: ListQuery,
        now: DateTime<Utc>,
    ) -> Result<Page<CaseSummary>, ListError> {
        let scope = match query.scope {
            ScopeChoice::Mine => Scope::Person(who.actor.person.clone()),
            ScopeChoice::Agency => Scope::Agency(who.actor.agency.clone()),
            ScopeChoice::Partnership => Scope::Partnership,
        };
        who.may_list(&scope)?;
        let filter = CaseFilter {
            status: query.status,
            stage: query.stage,
            procedure: query.procedure,
            overdue_at: query.overdue.then_some(now),
        };
        let page = PageRequest::new(query.limit, query.cursor);
        Ok(self
            .store
            .list_cases(&who.partnership, &scope, &filter, &page)
            .await?)
    }
}
