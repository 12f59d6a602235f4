//! A store that wraps another and lets a [`Probe`] watch every call: count what is read,
//! or fail a chosen call (a throttling error, a process dying between a send and its record).
//! For tests and benchmarks (feature `instrument`), so each of them need not write the port's
//! every method again.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, ChildKey, Event, MatchSecret, Transition};
use escalations_core::ids::{CaseId, PartnershipId, PersonId};

use crate::{
    CalendarFeed, CaseAccess, CaseFilter, CaseSummary, ClaimedNotice, ClosedCase, Created,
    DueClock, DueNotice, Idempotency, Notice, NoticeEnd, NoticeKey, NoticeOutcome, Page,
    PageRequest, PartnershipConfig, PendingNotice, Scope, Store, StoreError, WorkQueue as Queue,
};

/// One method of the port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    PutPartnership,
    Partnership,
    Partnerships,
    PartnershipVersioned,
    ChangePartnership,
    PartnershipChanges,
    CreateCaseNoting,
    LoadCase,
    Chronology,
    ApplyNoting,
    ListCases,
    WorkQueue,
    DueBy,
    RecordNotice,
    Notices,
    DueNotices,
    ClaimNotice,
    ReleaseNotice,
    FinishNotice,
    IdempotentCase,
    OpenCasesAbout,
    MatchSecret,
    Reindex,
    // Retention
    ClosedBy,
    ApplyErasure,
    // Access history
    RecordAccess,
    AccessHistory,
    // Calendar feeds
    PutCalendarFeed,
    CalendarFeed,
    DeleteCalendarFeed,
}

/// Watches the calls of an [`Instrumented`] store.
pub trait Probe: Send + Sync {
    /// Before each call: an error here is returned instead of making the call.
    fn before(&self, _call: Call) -> Result<(), StoreError> {
        Ok(())
    }

    /// After a read that succeeded: how many items it returned.
    fn read(&self, _call: Call, _items: usize) {}
}

/// `inner`, watched by `probe`.
pub struct Instrumented<P> {
    pub inner: Arc<dyn Store>,
    pub probe: P,
}

impl<P: Probe> Instrumented<P> {
    pub fn new(inner: Arc<dyn Store>, probe: P) -> Self {
        Instrumented { inner, probe }
    }
}

#[async_trait]
impl<P: Probe> Store for Instrumented<P> {
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError> {
        self.probe.before(Call::PutPartnership)?;
        self.inner.put_partnership(config).await
    }

    async fn partnership(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<PartnershipConfig>, StoreError> {
        self.probe.before(Call::Partnership)?;
        let found = self.inner.partnership(id).await?;
        self.probe
            .read(Call::Partnership, usize::from(found.is_some()));
        Ok(found)
    }

    async fn partnerships(&self) -> Result<Vec<PartnershipId>, StoreError> {
        self.probe.before(Call::Partnerships)?;
        let found = self.inner.partnerships().await?;
        self.probe.read(Call::Partnerships, found.len());
        Ok(found)
    }

    async fn partnership_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, crate::ConfigVersion)>, StoreError> {
        self.probe.before(Call::PartnershipVersioned)?;
        let found = self.inner.partnership_versioned(id).await?;
        self.probe
            .read(Call::PartnershipVersioned, usize::from(found.is_some()));
        Ok(found)
    }

    async fn change_partnership(
        &self,
        config: &PartnershipConfig,
        expected: crate::ConfigVersion,
        change: &crate::ConfigChange,
    ) -> Result<(), StoreError> {
        self.probe.before(Call::ChangePartnership)?;
        self.inner
            .change_partnership(config, expected, change)
            .await
    }

    async fn partnership_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<crate::ConfigChange>, StoreError> {
        self.probe.before(Call::PartnershipChanges)?;
        let found = self.inner.partnership_changes(id, page).await?;
        self.probe.read(Call::PartnershipChanges, found.items.len());
        Ok(found)
    }

    async fn create_case_noting(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
        notices: &[PendingNotice],
    ) -> Result<Created, StoreError> {
        self.probe.before(Call::CreateCaseNoting)?;
        self.inner
            .create_case_noting(partnership, raised, idempotency, notices)
            .await
    }

    async fn load_case(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Option<Case>, StoreError> {
        self.probe.before(Call::LoadCase)?;
        let found = self.inner.load_case(partnership, id).await?;
        self.probe
            .read(Call::LoadCase, usize::from(found.is_some()));
        Ok(found)
    }

    async fn chronology(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Vec<Event>, StoreError> {
        self.probe.before(Call::Chronology)?;
        let found = self.inner.chronology(partnership, id).await?;
        self.probe.read(Call::Chronology, found.len());
        Ok(found)
    }

    async fn apply_noting(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError> {
        self.probe.before(Call::ApplyNoting)?;
        self.inner
            .apply_noting(partnership, transition, notices)
            .await
    }

    async fn list_cases(
        &self,
        partnership: &PartnershipId,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError> {
        self.probe.before(Call::ListCases)?;
        let found = self
            .inner
            .list_cases(partnership, scope, filter, page)
            .await?;
        self.probe.read(Call::ListCases, found.items.len());
        Ok(found)
    }

    async fn work_queue(
        &self,
        partnership: &PartnershipId,
        queue: &Queue,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        self.probe.before(Call::WorkQueue)?;
        let found = self.inner.work_queue(partnership, queue).await?;
        self.probe.read(Call::WorkQueue, found.len());
        Ok(found)
    }

    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError> {
        self.probe.before(Call::DueBy)?;
        let found = self.inner.due_by(partnership, instant, page).await?;
        self.probe.read(Call::DueBy, found.items.len());
        Ok(found)
    }

    async fn record_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        self.probe.before(Call::RecordNotice)?;
        self.inner.record_notice(partnership, case, key, at).await
    }

    async fn notices(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<Notice>, StoreError> {
        self.probe.before(Call::Notices)?;
        let found = self.inner.notices(partnership, case).await?;
        self.probe.read(Call::Notices, found.len());
        Ok(found)
    }

    async fn due_notices(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueNotice>, StoreError> {
        self.probe.before(Call::DueNotices)?;
        let found = self.inner.due_notices(partnership, instant, page).await?;
        self.probe.read(Call::DueNotices, found.items.len());
        Ok(found)
    }

    async fn claim_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedNotice>, StoreError> {
        self.probe.before(Call::ClaimNotice)?;
        let found = self
            .inner
            .claim_notice(partnership, case, key, now, lease_until)
            .await?;
        self.probe
            .read(Call::ClaimNotice, usize::from(found.is_some()));
        Ok(found)
    }

    async fn release_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.probe.before(Call::ReleaseNotice)?;
        self.inner
            .release_notice(partnership, case, key, retry_at)
            .await
    }

    async fn finish_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        end: NoticeEnd,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        self.probe.before(Call::FinishNotice)?;
        self.inner
            .finish_notice(partnership, case, key, end, at)
            .await
    }

    async fn idempotent_case(
        &self,
        partnership: &PartnershipId,
        idempotency: &Idempotency,
    ) -> Result<Option<Case>, StoreError> {
        self.probe.before(Call::IdempotentCase)?;
        let found = self.inner.idempotent_case(partnership, idempotency).await?;
        self.probe
            .read(Call::IdempotentCase, usize::from(found.is_some()));
        Ok(found)
    }

    async fn open_cases_about(
        &self,
        partnership: &PartnershipId,
        child: &ChildKey,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        self.probe.before(Call::OpenCasesAbout)?;
        let found = self.inner.open_cases_about(partnership, child).await?;
        self.probe.read(Call::OpenCasesAbout, found.len());
        Ok(found)
    }

    async fn match_secret(
        &self,
        partnership: &PartnershipId,
        candidate: &MatchSecret,
    ) -> Result<MatchSecret, StoreError> {
        self.probe.before(Call::MatchSecret)?;
        let found = self.inner.match_secret(partnership, candidate).await?;
        self.probe.read(Call::MatchSecret, 1);
        Ok(found)
    }

    async fn reindex(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<bool, StoreError> {
        self.probe.before(Call::Reindex)?;
        self.inner.reindex(partnership, case).await
    }

    // --- Retention ----------------------------------------------------------------------

    async fn closed_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<ClosedCase>, StoreError> {
        self.probe.before(Call::ClosedBy)?;
        let found = self.inner.closed_by(partnership, instant, page).await?;
        self.probe.read(Call::ClosedBy, found.items.len());
        Ok(found)
    }

    async fn apply_erasure(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        forget: Option<&ChildKey>,
    ) -> Result<(), StoreError> {
        self.probe.before(Call::ApplyErasure)?;
        self.inner
            .apply_erasure(partnership, transition, forget)
            .await
    }

    // --- Access history -------------------------------------------------------------------

    async fn record_access(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        access: &CaseAccess,
    ) -> Result<(), StoreError> {
        self.probe.before(Call::RecordAccess)?;
        self.inner.record_access(partnership, case, access).await
    }

    async fn access_history(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<CaseAccess>, StoreError> {
        self.probe.before(Call::AccessHistory)?;
        let found = self.inner.access_history(partnership, case).await?;
        self.probe.read(Call::AccessHistory, found.len());
        Ok(found)
    }

    // --- Calendar feeds -----------------------------------------------------------------

    async fn put_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
        feed: &CalendarFeed,
    ) -> Result<(), StoreError> {
        self.probe.before(Call::PutCalendarFeed)?;
        self.inner
            .put_calendar_feed(partnership, person, feed)
            .await
    }

    async fn calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        self.probe.before(Call::CalendarFeed)?;
        let found = self.inner.calendar_feed(partnership, person).await?;
        self.probe
            .read(Call::CalendarFeed, usize::from(found.is_some()));
        Ok(found)
    }

    async fn delete_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<(), StoreError> {
        self.probe.before(Call::DeleteCalendarFeed)?;
        self.inner.delete_calendar_feed(partnership, person).await
    }
}
