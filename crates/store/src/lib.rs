//! The storage port: what the product needs from storage, in the core's terms.
//!
//! Architecture invariants (every adapter, checked by the conformance suite):
//! - the partnership is part of every key and every query: no call made for partnership A
//!   can read, list, query or change partnership B's data, even knowing B's case ids;
//! - a case change and its chronology events commit together, conditional on the version
//!   that was read; a stale write fails with [`StoreError::Conflict`] and changes nothing;
//! - a notice is recorded at most once; an idempotency key creates at most one case;
//! - data that fails to decode is an error naming its key and field, never a panic and never
//!   a silently skipped case.

use std::fmt;

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, ChildKey, Event, MatchSecret, Transition};
use escalations_core::ids::{CaseId, ClockId, PartnershipId, PersonId, ProcedureId, StageId};
use escalations_core::procedure::Party;
use serde::{Deserialize, Serialize};

#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "instrument")]
pub mod instrumented;

// ---------------------------------------------------------------------------------------
// Partnership configuration

// The configuration lives in the core (valid by construction, loaded from TOML there); it
// is re-exported here because the port stores it.
pub use escalations_core::partnership::{Agency, EmailAddress, PartnershipConfig, Person};

/// The version of a partnership's stored configuration: 1 when first stored, one more with
/// every change. An administrator's change is conditional on the version they read, so two
/// administrators never overwrite each other silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConfigVersion(pub u64);

impl ConfigVersion {
    pub fn next(self) -> ConfigVersion {
        ConfigVersion(self.0 + 1)
    }
}

impl fmt::Display for ConfigVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One change to a partnership's configuration, as recorded: who made it, when, and what it
/// was in words built from the configuration's own ids, names and dates (never free text
/// about a case or a child).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigChange {
    /// The version the change produced.
    pub version: ConfigVersion,
    pub at: DateTime<Utc>,
    pub by: PersonId,
    pub what: String,
}

// ---------------------------------------------------------------------------------------
// Lists and queries

/// What a list shows of a case (a read model of the core's, stored as list entries).
pub use escalations_core::case::{CaseSummary, RunningClock, WorkQueue};

/// The kind of a case's status, defined with the status in the core.
pub use escalations_core::case::StatusKind;

/// Whose cases to list: the core's access rule and the store's query speak of the same
/// scopes.
pub use escalations_core::access::Scope;

/// One read of a case (who, when, which part), kept with the case in its access history.
pub use escalations_core::access::{CaseAccess, CasePart};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<StatusKind>,
    pub stage: Option<StageId>,
    pub procedure: Option<ProcedureId>,
    /// Only open cases whose running clock is breached at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only cases raised at or after this instant.
    pub raised_from: Option<DateTime<Utc>>,
    /// Only cases raised before this instant.
    pub raised_before: Option<DateTime<Utc>>,
    /// Oldest raised first, rather than newest first.
    pub oldest_first: bool,
}

impl CaseFilter {
    pub fn matches(&self, case: &CaseSummary) -> bool {
        self.status.is_none_or(|s| s == case.status)
            && self.stage.as_ref().is_none_or(|s| s == &case.stage)
            && self.procedure.as_ref().is_none_or(|p| p == &case.procedure)
            && self
                .overdue_at
                .is_none_or(|now| case.running.as_ref().is_some_and(|r| r.due <= now))
            && self.raised_from.is_none_or(|from| case.raised_at >= from)
            && self
                .raised_before
                .is_none_or(|before| case.raised_at < before)
    }
}

/// An opaque position in a list. Adapters encode their own state in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    pub fn encode<T: Serialize>(state: &T) -> Cursor {
        let json = serde_json::to_vec(state).unwrap_or_default();
        Cursor(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
    }

    pub fn decode<T: for<'de> Deserialize<'de>>(&self) -> Result<T, StoreError> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&self.0)
            .map_err(|_| StoreError::InvalidCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)
    }

    /// A cursor continuing after `position`, good only for `partnership`'s pages
    /// ([`PageRequest::resume`]).
    pub fn after<P: Serialize>(partnership: &str, position: P) -> Cursor {
        Cursor::encode(&After {
            partnership: partnership.to_owned(),
            position,
        })
    }

    pub fn from_string(s: String) -> Cursor {
        Cursor(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a page ended, and in which partnership: what [`Cursor::after`] holds.
#[derive(Serialize, Deserialize)]
struct After<P> {
    partnership: String,
    #[serde(flatten)]
    position: P,
}

/// The largest page any list returns.
pub const MAX_PAGE: u32 = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    limit: u32,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// `limit` is clamped to 1..=MAX_PAGE.
    pub fn new(limit: u32, cursor: Option<Cursor>) -> Self {
        PageRequest {
            limit: limit.clamp(1, MAX_PAGE),
            cursor,
        }
    }

    pub fn first(limit: u32) -> Self {
        PageRequest::new(limit, None)
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The position this page continues from ([`Cursor::after`]), if it has a cursor. A
    /// cursor from another partnership, or for another kind of page, is refused.
    pub fn resume<P: for<'de> Deserialize<'de>>(
        &self,
        partnership: &str,
    ) -> Result<Option<P>, StoreError> {
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        let after: After<P> = cursor.decode()?;
        if after.partnership != partnership {
            return Err(StoreError::InvalidCursor);
        }
        Ok(Some(after.position))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when there may be more.
    pub next: Option<Cursor>,
}

/// An open clock, as the sweeper needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueClock {
    pub partnership: PartnershipId,
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub clock: ClockId,
    pub owner: Party,
    pub due: DateTime<Utc>,
}

/// A closed case not yet erased, as the retention query finds it: its last change starts the
/// partnership's retention period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedCase {
    pub case: CaseId,
    pub last_change: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------
// Idempotency and notices

/// A client-chosen key that makes a retried raise return the first result.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key is 8 to 128 letters, digits, hyphens or underscores (a UUID works)")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    pub fn parse(s: &str) -> Result<Self, InvalidIdempotencyKey> {
        let ok = (8..=128).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(IdempotencyKey(s.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An idempotency key, the person who sent it and a fingerprint of the request it was first
/// used with, so reusing the key for a different request is refused rather than silently
/// answered.
///
/// A key belongs to the person who sent it: adapters store it under (partnership, person,
/// key), so the same key sent by someone else is a different key and never replays their
/// case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idempotency {
    pub person: PersonId,
    pub key: IdempotencyKey,
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Created {
    /// The case was stored now.
    New(Case),
    /// The idempotency key was used before: this is the case that request created.
    Replayed(Case),
}

impl Created {
    pub fn case(&self) -> &Case {
        match self {
            Created::New(case) | Created::Replayed(case) => case,
        }
    }
}

/// Names one notice, e.g. `breached/step-1/response/v3`: the same key is sent at most once.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoticeKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a notice key is 1 to 200 printable ASCII characters without spaces")]
pub struct InvalidNoticeKey;

impl NoticeKey {
    pub fn parse(s: &str) -> Result<Self, InvalidNoticeKey> {
        if (1..=200).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(NoticeKey(s.to_owned()))
        } else {
            Err(InvalidNoticeKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub case: CaseId,
    pub key: NoticeKey,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// This call recorded it: send the notice.
    Recorded,
    /// Someone recorded it before: do not send again.
    AlreadyRecorded,
}

/// A notice a change planned, kept pending in the ledger until it is sent: written in the same
/// atomic write as the change that caused it (`Store::create_case_noting`,
/// `Store::apply_noting`), so a notice is never lost to a crash after the change.
///
/// `plan` is the core's plan of the notice as JSON (ids, kind, recipients' addresses, instants):
/// opaque to the store, and never child data. Keys are unique per case: a change never plans a
/// key planned before (keys carry the case version or the clock's due instant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingNotice {
    pub case: CaseId,
    pub key: NoticeKey,
    /// Not sent before this instant (working hours, reminders before a due instant).
    pub not_before: DateTime<Utc>,
    pub plan: String,
}

/// A pending notice whose `not_before` has come, as the due-notices query returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueNotice {
    pub case: CaseId,
    pub key: NoticeKey,
    pub not_before: DateTime<Utc>,
}

/// A pending notice this caller holds the lease on until `lease_until`: only it sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedNotice {
    pub notice: PendingNotice,
    /// How many times it has been claimed, this time included (1 on the first claim).
    pub attempts: u32,
    pub lease_until: DateTime<Utc>,
}

/// How a claimed notice ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeEnd {
    /// The mail service took it.
    Sent,
    /// Not sent, for good: no longer applies (the clock was met first), or the mail service
    /// refused it permanently. Never retried.
    Dropped,
}

// ---------------------------------------------------------------------------------------
// Calendar feeds

/// A person's calendar feed: what the store keeps of its secret URL. Only a SHA-256 hash of
/// the secret is stored, so a copy of the store cannot be turned into working feed URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarFeed {
    /// SHA-256 of the secret part of the feed's URL.
    pub secret_hash: [u8; 32],
    pub created_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------
// Errors

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("case {case} changed since version {expected_version} was read: reload and try again")]
    Conflict { case: CaseId, expected_version: u64 },
    #[error(
        "the configuration of {partnership} changed since version {expected_version} was read: reload it and try again"
    )]
    ConfigConflict {
        partnership: PartnershipId,
        expected_version: u64,
    },
    #[error("case {case} already exists")]
    AlreadyExists { case: CaseId },
    #[error("case {case} does not exist")]
    NotFound { case: CaseId },
    #[error("idempotency key {key} was already used for a different request")]
    IdempotencyKeyReused { key: String },
    #[error("stored data at {key} cannot be read: field `{field}`: {message}")]
    Corrupt {
        key: String,
        field: String,
        message: String,
    },
    #[error("the page cursor is not valid here: start the list again")]
    InvalidCursor,
    #[error("not a valid transition to store: {0}")]
    InvalidTransition(String),
    /// The storage service is busy or briefly unreachable (throttled, timed out, a server
    /// error): nothing was changed, and the same request may be sent again shortly.
    #[error("storage is busy: try again shortly")]
    Busy(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("storage is unavailable")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(error))
    }

    /// A transient failure: the storage service throttled or could not answer in time.
    pub fn busy(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Busy(Box::new(error))
    }
}

/// Checks a transition's internal consistency before any adapter stores it.
pub fn check_transition(transition: &Transition) -> Result<(), StoreError> {
    let version = transition.case.version;
    if version == 0 {
        return Err(StoreError::InvalidTransition("version 0".into()));
    }
    if transition.events.is_empty() {
        return Err(StoreError::InvalidTransition("no events".into()));
    }
    for (i, event) in transition.events.iter().enumerate() {
        if event.case != transition.case.id || event.version != version || event.seq as usize != i {
            return Err(StoreError::InvalidTransition(format!(
                "event {i} does not belong to case {} version {version}",
                transition.case.id
            )));
        }
    }
    Ok(())
}

/// Checks a configuration change before any adapter stores it: it produces the version after
/// the one expected, for the configuration's own partnership.
pub fn check_config_change(
    expected: ConfigVersion,
    change: &ConfigChange,
) -> Result<(), StoreError> {
    if change.version != expected.next() {
        return Err(StoreError::InvalidTransition(format!(
            "a change to configuration version {expected} produces version {}, not {}",
            expected.next(),
            change.version
        )));
    }
    Ok(())
}

/// Checks a newly raised case's transition: consistent, and at version 1.
pub fn check_new_case(raised: &Transition) -> Result<(), StoreError> {
    check_transition(raised)?;
    if raised.case.version != 1 {
        return Err(StoreError::InvalidTransition(
            "a new case is version 1".into(),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The port

#[async_trait]
pub trait Store: Send + Sync {
    /// Creates or replaces a partnership's configuration (the operator's tool, the local
    /// stack's seeding): its version goes up by one, so an administrator's change read before
    /// it conflicts. Not recorded as an administrator's change.
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError>;
    async fn partnership(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<PartnershipConfig>, StoreError>;
    async fn partnerships(&self) -> Result<Vec<PartnershipId>, StoreError>;

    // --- Administration: the configuration, versioned, and its record of changes ---------

    /// The partnership's configuration and its version (configurations stored before versions
    /// read version 1).
    async fn partnership_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, ConfigVersion)>, StoreError>;

    /// Replaces the configuration and appends `change` to its record, atomically, if and only
    /// if the stored configuration is still at `expected` (`change.version` is
    /// `expected.next()`); otherwise `ConfigConflict`, and nothing is written.
    async fn change_partnership(
        &self,
        config: &PartnershipConfig,
        expected: ConfigVersion,
        change: &ConfigChange,
    ) -> Result<(), StoreError>;

    /// The record of changes to a partnership's configuration, newest first.
    async fn partnership_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<ConfigChange>, StoreError>;

    /// Stores a newly raised case (version 1) with its events. With an idempotency key, a
    /// retry returns the case the first call created and never creates a second one.
    ///
    /// `create_case_noting` with no notices: adapters implement that one.
    async fn create_case(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
    ) -> Result<Created, StoreError> {
        self.create_case_noting(partnership, raised, idempotency, &[])
            .await
    }

    /// `None` for unknown cases and for other partnerships' cases alike.
    async fn load_case(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Option<Case>, StoreError>;

    /// The case's events in order. Empty for unknown cases and other partnerships' cases.
    async fn chronology(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Vec<Event>, StoreError>;

    /// Stores a transition's case and events atomically, if and only if the stored case is
    /// still at `transition.case.version - 1`.
    ///
    /// `apply_noting` with no notices: adapters implement that one.
    async fn apply(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
    ) -> Result<(), StoreError> {
        self.apply_noting(partnership, transition, &[]).await
    }

    /// Cases in scope, newest raised first.
    async fn list_cases(
        &self,
        partnership: &PartnershipId,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError>;

    /// The cases in a work queue (`Case::work_queues`), as list entries: the one read behind
    /// a person's work queue, bounded by the work waiting there, not by every case their agency
    /// was ever party to. Kept up to date by every write of a case.
    async fn work_queue(
        &self,
        partnership: &PartnershipId,
        queue: &WorkQueue,
    ) -> Result<Vec<CaseSummary>, StoreError>;

    /// Open clocks due at or before `instant`, earliest first, without reading anything else.
    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError>;

    /// Records that a notice was sent, once. Concurrent callers: exactly one `Recorded`.
    async fn record_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError>;

    async fn notices(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<Notice>, StoreError>;

    /// `create_case`, also keeping `notices` pending, in the same atomic write.
    async fn create_case_noting(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
        notices: &[PendingNotice],
    ) -> Result<Created, StoreError>;

    /// `apply`, also keeping `notices` pending, in the same atomic write: if the change is not
    /// stored, neither are they.
    async fn apply_noting(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError>;

    /// Pending notices whose `not_before` is at or before `instant` (leased ones included:
    /// a claim tells), earliest first, without reading anything else.
    async fn due_notices(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueNotice>, StoreError>;

    /// Takes the lease on a pending notice until `lease_until`, if it is still pending and
    /// nobody holds an unexpired lease at `now`. Concurrent callers: at most one gets it.
    /// `None` when it is finished, unknown, or leased to someone else.
    async fn claim_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedNotice>, StoreError>;

    /// Gives a claimed notice back, to be tried again from `retry_at` (the mail service was
    /// unavailable). Nothing happens if it is already finished.
    async fn release_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Ends a pending notice: it leaves the due-notices query for good, and `Sent` ones are
    /// recorded as `record_notice` does (listed by `notices`). Concurrent or repeated calls:
    /// exactly one `Recorded`.
    async fn finish_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        end: NoticeEnd,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError>;

    /// The case an idempotency key already created, if any (the key used for another request
    /// is `IdempotencyKeyReused`): lets a retried raise be recognised before it is checked
    /// against open cases about the same child.
    async fn idempotent_case(
        &self,
        partnership: &PartnershipId,
        idempotency: &Idempotency,
    ) -> Result<Option<Case>, StoreError>;

    /// The open cases about the child with this key (`Case::child_key`), from a lookup by the
    /// key: a raise's duplicate check reads these, never every case of an agency.
    async fn open_cases_about(
        &self,
        partnership: &PartnershipId,
        child: &ChildKey,
    ) -> Result<Vec<CaseSummary>, StoreError>;

    /// The partnership's secret for child keys. The first call stores `candidate`; every
    /// call, concurrent ones included, returns the one stored. Never in a list entry or index.
    async fn match_secret(
        &self,
        partnership: &PartnershipId,
        candidate: &MatchSecret,
    ) -> Result<MatchSecret, StoreError>;

    /// Writes the case's index entries again from the case as stored — its list entries, work
    /// queues, and its place in the due and retention queries — changing nothing of the case
    /// or its chronology: run after an upgrade adds an index, for cases stored before it.
    /// `false` for an unknown case. A case changed meanwhile is a `Conflict` (its change has
    /// already written every entry).
    async fn reindex(&self, partnership: &PartnershipId, case: &CaseId)
    -> Result<bool, StoreError>;

    // --- Retention ----------------------------------------------------------------------

    /// Closed cases not yet erased whose last change is at or before `instant`, oldest change
    /// first, without reading anything else (the sweeper's retention query).
    async fn closed_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<ClosedCase>, StoreError>;

    /// Stores an erasure (`Case::erase`) as `apply` stores a transition, and with it removes
    /// every entry kept under the child's key the case had before (`forget`), so nothing left
    /// can tell that a case about that child existed.
    async fn apply_erasure(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        forget: Option<&ChildKey>,
    ) -> Result<(), StoreError>;

    // --- Access history -------------------------------------------------------------------

    /// Appends one read to the case's access history. Append-only: nothing changes or removes
    /// a recorded read (recording the very same read twice keeps one).
    async fn record_access(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        access: &CaseAccess,
    ) -> Result<(), StoreError>;

    /// The case's access history, oldest first. Empty for unknown cases and other
    /// partnerships' cases.
    async fn access_history(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<CaseAccess>, StoreError>;

    // --- Calendar feeds -----------------------------------------------------------------

    /// Creates or replaces the person's calendar feed: a replaced feed's URL stops working at
    /// once.
    async fn put_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
        feed: &CalendarFeed,
    ) -> Result<(), StoreError>;

    /// The person's calendar feed; `None` when they have none or revoked it.
    async fn calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<Option<CalendarFeed>, StoreError>;

    /// Revokes the person's calendar feed. Revoking a feed that does not exist is not an
    /// error.
    async fn delete_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<(), StoreError>;
}

/// Every item of a paged listing, in order, reading page after page of MAX_PAGE.
pub async fn drain_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, StoreError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, StoreError>>,
{
    let mut all = Vec::new();
    let mut page = PageRequest::first(MAX_PAGE);
    loop {
        let found = fetch(page).await?;
        all.extend(found.items);
        match found.next {
            Some(next) => page = PageRequest::new(MAX_PAGE, Some(next)),
            None => return Ok(all),
        }
    }
}

/// Every open clock due at or before `instant` in every partnership (for the sweeper).
pub async fn due_everywhere(
    store: &dyn Store,
    instant: DateTime<Utc>,
) -> Result<Vec<DueClock>, StoreError> {
    let mut all = Vec::new();
    for partnership in store.partnerships().await? {
        let partnership = &partnership;
        all.extend(
            drain_pages(|page| async move { store.due_by(partnership, instant, &page).await })
                .await?,
        );
    }
    all.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.case.cmp(&b.case)));
    Ok(all)
}

/// The fixed-width UTC form used in sortable keys, to the nanosecond so that "due at or
/// before" is exact: `2026-12-30T00:00:00.000000000Z`.
pub fn sortable_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// Runs a future that never waits on I/O, as the fakes here are.
    fn ready<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the fake fetch never waits"),
        }
    }

    #[test]
    fn drain_pages_reads_every_page_in_order_passing_each_cursor_on() {
        let pages = [
            (None, vec![1, 2, 3], Some("after-3")),
            (Some("after-3"), vec![4, 5], Some("after-5")),
            (Some("after-5"), vec![6, 7], None),
        ];
        let mut asked = Vec::new();
        let all = ready(drain_pages(|request: PageRequest| {
            asked.push(request.clone());
            let (_, items, next) = pages
                .iter()
                .find(|(cursor, _, _)| {
                    cursor.map(|c| Cursor::from_string(c.into())) == request.cursor
                })
                .expect("a cursor this listing handed out")
                .clone();
            async move {
                Ok(Page {
                    items,
                    next: next.map(|c| Cursor::from_string(c.into())),
                })
            }
        }))
        .unwrap();
        assert_eq!(all, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(asked.len(), 3, "one request per page, none after the last");
        assert!(asked.iter().all(|r| r.limit() == MAX_PAGE));
        let cursors: Vec<_> = asked
            .iter()
            .map(|r| r.cursor.as_ref().map(Cursor::as_str))
            .collect();
        assert_eq!(cursors, [None, Some("after-3"), Some("after-5")]);
    }

    #[test]
    fn drain_pages_stops_at_the_first_error() {
        let mut calls = 0;
        let result: Result<Vec<u8>, _> = ready(drain_pages(|_| {
            calls += 1;
            let n = calls;
            async move {
                if n == 1 {
                    Ok(Page {
                        items: vec![1],
                        next: Some(Cursor::from_string("more".into())),
                    })
                } else {
                    Err(StoreError::InvalidCursor)
                }
            }
        }));
        assert!(
            matches!(result, Err(StoreError::InvalidCursor)),
            "{result:?}"
        );
        assert_eq!(calls, 2);
    }
}
