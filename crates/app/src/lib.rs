//! The application layer: every use case of the product as one named method of [`App`],
//! taking the caller, typed input and `now` (read once per request or invocation by the entry
//! point and passed down), and returning a typed result or that use case's own error.
//!
//! The HTTP API (`crates/api`) only parses requests into these inputs and maps these errors to
//! problem details; the local stack, the Lambda functions and the sweeper all call the same
//! methods, so no business rule is written twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use escalations_core::access::Principal;
use escalations_core::case::MatchSecret;
use escalations_core::ids::{PartnershipId, ProcedureId};
use escalations_core::{Catalogue, Procedure};
use escalations_store::{PartnershipConfig, Store, StoreError};

mod act;
mod admin;
mod audit;
mod calendar;
mod directory;
mod forms;
mod list;
mod notify;
mod queue;
mod raise;
mod report;
mod sweep;
mod view;

pub use act::{ActError, Action, Stated};
pub use admin::{AdminError, Administration, ConfigChanged, MovedDeadline, RECENT_CHANGES};
pub use audit::{AuditError, CaseRecord, Read};
pub use calendar::{CalendarError, Deadline, FeedToken, MoveFacts, When, ics};
pub use directory::{DirectoryError, MeDetail};
pub use forms::{FormAt, FormDetail, FormError};
pub use list::{ListError, ListQuery, Overview, ScopeChoice, quarter_start};
pub use notify::{Delivery, LEASE, RETRY_AFTER, SENDS_AT_ONCE, Sending};
pub use queue::{ActionsDue, QueueError, Work, WorkItem};
pub use raise::{FieldProblem, OpenCaseAboutChild, RaiseError, RaiseInput, Raised};
pub use report::ReportError;
pub use sweep::{SweepError, SweepSummary};
pub use view::{CaseDetail, ViewError};

/// The product's use cases over one store and one catalogue of procedures.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    catalogue: Arc<Catalogue>,
    /// Each partnership's secret for child keys, read once per process: it never changes.
    match_secrets: Arc<Mutex<HashMap<PartnershipId, MatchSecret>>>,
    /// How notices are sent, if this process sends them (`with_mail`).
    mail: Option<Arc<MailSettings>>,
    /// The sends started after answering (`Sending::AfterAnswering`); `None`: before.
    after_answering: Option<Arc<notify::InFlight>>,
    /// Where people sign in: an added person's sign-in is created there (`with_users`).
    users: Arc<dyn escalations_users::UserDirectory>,
}

/// What sending notices needs besides the store: the mail service, the sender, and where the
/// case pages are (a notice links to its case).
pub struct MailSettings {
    pub mailer: Arc<dyn escalations_mail::Mailer>,
    pub from: escalations_mail::EmailAddress,
    /// The web page's base URL, e.g. `https://escalations.example.org` (no trailing slash).
    pub base_url: String,
}

/// The caller's partnership has no configuration stored yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("your partnership is not set up yet: ask its administrator")]
pub struct NotSetUp;

/// A stored case names a procedure this build does not ship: a deployment fault, never the
/// caller's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case uses procedure `{0}`, which this build does not ship")]
pub struct ProcedureMissing(pub ProcedureId);

impl App {
    pub fn new(store: Arc<dyn Store>, catalogue: Catalogue) -> Self {
        App {
            store,
            catalogue: Arc::new(catalogue),
            match_secrets: Arc::default(),
            mail: None,
            after_answering: None,
            users: Arc::new(escalations_users::NoDirectory),
        }
    }

    /// The same app, creating the sign-ins of people administrators add in `users`.
    pub fn with_users(mut self, users: Arc<dyn escalations_users::UserDirectory>) -> Self {
        self.users = users;
        self
    }

    /// The same app, sending notices through `mail`: event notices at once after the action
    /// that causes them, the rest when a sweep finds them due.
    pub fn with_mail(mut self, mail: MailSettings) -> Self {
        self.mail = Some(Arc::new(mail));
        self
    }

    /// The same app, sending the notices of a person's action as `sending` says.
    pub fn sending(mut self, sending: Sending) -> Self {
        self.after_answering = match sending {
            Sending::BeforeAnswering => None,
            Sending::AfterAnswering => Some(Arc::new(notify::InFlight::new())),
        };
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// A shipped procedure by id.
    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.catalogue.get(id)
    }

    fn procedure_of(&self, id: &ProcedureId) -> Result<&Procedure, ProcedureMissing> {
        self.catalogue
            .get(id.as_str())
            .ok_or_else(|| ProcedureMissing(id.clone()))
    }

    /// The partnership's secret for child keys: stored on first use (a fresh random one,
    /// from two version-4 UUIDs: 244 random bits), then cached.
    async fn match_secret(&self, partnership: &PartnershipId) -> Result<MatchSecret, StoreError> {
        if let Some(secret) = self.cached_secret(partnership) {
            return Ok(secret);
        }
        let candidate: Vec<u8> = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
            .iter()
            .flat_map(|u| *u.as_bytes())
            .collect();
        let candidate =
            MatchSecret::new(candidate).unwrap_or_else(|_| unreachable!("two UUIDs are 32 bytes"));
        let secret = self.store.match_secret(partnership, &candidate).await?;
        self.match_secrets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(partnership.clone(), secret.clone());
        Ok(secret)
    }

    fn cached_secret(&self, partnership: &PartnershipId) -> Option<MatchSecret> {
        self.match_secrets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(partnership)
            .cloned()
    }

    /// The caller's partnership configuration.
    async fn config<E: From<NotSetUp> + From<StoreError>>(
        &self,
        who: &Principal,
    ) -> Result<PartnershipConfig, E> {
        Ok(self
            .store
            .partnership(&who.partnership)
            .await?
            .ok_or(NotSetUp)?)
    }
}
