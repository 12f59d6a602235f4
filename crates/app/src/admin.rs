//! Administration: the partnership's configuration read and changed by its administrators —
//! agencies, people, mailboxes, division, working hours, closure days. Every change is checked
//! with the same checks as `escalations-admin check` (`PartnershipConfig::problems`), is
//! conditional on the version the administrator read (two administrators never overwrite each
//! other silently), and is recorded with who made it and when. A change to the calendar moves
//! the running clocks it affects (`Case::reschedule`), and can be previewed first; adding a
//! person creates their sign-in in the user directory.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use escalations_core::access::{Denied, Principal};
use escalations_core::case::{Case, DueMoved, Transition};
use escalations_core::config_edit::{ConfigEdit, EditRefused};
use escalations_core::ids::{CaseId, ClockId, PartnershipId, ProcedureId, StageId};
use escalations_core::notices::Trigger;
use escalations_core::timescale::local_date;
use escalations_store::{
    ConfigChange, ConfigVersion, PageRequest, PartnershipConfig, StoreError, drain_pages,
};
use escalations_users::{NewUser, UsersError};

use crate::{App, NotSetUp};

/// How many of the latest changes the administration page shows.
pub const RECENT_CHANGES: u32 = 20;

/// How many times moving one case's deadline is re-read and re-applied when the case changes
/// under it.
const ATTEMPTS: usize = 3;

/// The configuration as an administrator reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Administration {
    pub config: PartnershipConfig,
    pub version: ConfigVersion,
    /// The latest changes, newest first.
    pub changes: Vec<ConfigChange>,
}

/// A running clock's deadline that a change to the calendar moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovedDeadline {
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub clock: ClockId,
    pub was: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// What a stored change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigChanged {
    pub administration: Administration,
    pub change: ConfigChange,
    /// The deadlines it moved (a change to closure days or the division).
    pub moved: Vec<MovedDeadline>,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    /// Another administrator changed the configuration after this one read it.
    #[error(
        "another administrator changed the partnership's set-up after you read version {read}: reload it and make your change again"
    )]
    Conflict { read: u64 },
    /// The edit names something absent, or already there.
    #[error(transparent)]
    Refused(#[from] EditRefused),
    /// The configuration it would make fails the checks: every problem, in words beginning
    /// with the part at fault (`people: …`, `agencies: …`, `mailboxes: …`).
    #[error("the change would leave the set-up with {} problem(s)", .0.len())]
    Invalid(Vec<String>),
    /// The person's sign-in could not be created: nothing was changed.
    #[error(transparent)]
    Users(UsersError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConfigConflict {
                expected_version, ..
            } => AdminError::Conflict {
                read: expected_version,
            },
            other => AdminError::Store(other),
        }
    }
}

/// Later than any deadline a running clock can have: the due query up to it lists them all.
fn end_of_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .expect("a valid instant")
}

impl App {
    async fn versioned_config(
        &self,
        who: &Principal,
    ) -> Result<(PartnershipConfig, ConfigVersion), AdminError> {
        Ok(self
            .store
            .partnership_versioned(&who.partnership)
            .await?
            .ok_or(NotSetUp)?)
    }

    /// The partnership's configuration, its version and its latest changes.
    pub async fn administration(&self, who: &Principal) -> Result<Administration, AdminError> {
        who.may_administer()?;
        let (config, version) = self.versioned_config(who).await?;
        let changes = self
            .store
            .partnership_changes(&who.partnership, &PageRequest::first(RECENT_CHANGES))
            .await?
            .items;
        Ok(Administration {
            config,
            version,
            changes,
        })
    }

    /// What `edit` would do to running deadlines, without changing anything: the preview an
    /// administrator sees before saving a closure day ("moves 3 open deadlines").
    pub async fn preview_edit(
        &self,
        who: &Principal,
        edit: &ConfigEdit,
    ) -> Result<Vec<MovedDeadline>, AdminError> {
        who.may_administer()?;
        let (config, _) = self.versioned_config(who).await?;
        let (next, _) = edit.apply(&config)?;
        let Some(from) = edit.calendar_change() else {
            return Ok(Vec::new());
        };
        Ok(self
            .moves(&who.partnership, &next, from)
            .await?
            .into_iter()
            .map(|(moved, _)| moved)
            .collect())
    }

    /// Makes `edit` to the configuration read at `read`: checked, stored conditional on that
    /// version with its record, then the deadlines it moves moved. Adding a person creates
    /// their sign-in first (a retry finds it there), so a stored person can always sign in.
    pub async fn change_configuration(
        &self,
        who: &Principal,
        read: ConfigVersion,
        edit: &ConfigEdit,
        now: DateTime<Utc>,
    ) -> Result<ConfigChanged, AdminError> {
        who.may_administer()?;
        let (config, version) = self.versioned_config(who).await?;
        if version != read {
            return Err(AdminError::Conflict { read: read.0 });
        }
        let (next, what) = edit.apply(&config)?;
        let problems = next.problems(&self.catalogue);
        if !problems.is_empty() {
            return Err(AdminError::Invalid(problems));
        }
        if let Some(person) = edit.added_person() {
            self.users
                .create_user(&NewUser {
                    partnership: who.partnership.clone(),
                    person: person.id.clone(),
                    name: person.name.clone(),
                    email: person.email.clone(),
                    agency: person.agency.clone(),
                    role: person.role,
                })
                .await
                .map_err(AdminError::Users)?;
        }
        let change = ConfigChange {
            version: read.next(),
            at: now,
            by: who.actor.person.clone(),
            what,
        };
        self.store.change_partnership(&next, read, &change).await?;
        tracing::info!(
            partnership = %who.partnership,
            version = change.version.0,
            by = %change.by,
            "configuration changed"
        );
        let mut moved = Vec::new();
        if let Some(from) = edit.calendar_change() {
            for (deadline, _) in self.moves(&who.partnership, &next, from).await? {
                if self
                    .move_deadline(&who.partnership, &next, &deadline.case, who, now)
                    .await?
                    .is_some()
                {
                    moved.push(deadline);
                }
            }
        }
        Ok(ConfigChanged {
            administration: self.administration(who).await?,
            change,
            moved,
        })
    }

    /// The running deadlines `next`'s calendar puts elsewhere, reading only the open clocks
    /// due on or after `from` (all of them when `None`) and their cases.
    async fn moves(
        &self,
        partnership: &PartnershipId,
        next: &PartnershipConfig,
        from: Option<NaiveDate>,
    ) -> Result<Vec<(MovedDeadline, Case)>, StoreError> {
        let calendar = next.calendar();
        let clocks = drain_pages(|page| async move {
            self.store.due_by(partnership, end_of_time(), &page).await
        })
        .await?;
        let mut moves = Vec::new();
        for clock in clocks {
            // A deadline before the changed day cannot be moved by it.
            if from.is_some_and(|day| local_date(clock.due) < day) {
                continue;
            }
            let Some(case) = self.store.load_case(partnership, &clock.case).await? else {
                continue;
            };
            let Some(procedure) = self.catalogue.get(case.procedure.as_str()) else {
                continue;
            };
            let Ok(Some(DueMoved { was, due })) = case.rescheduled_due(procedure, &calendar) else {
                continue;
            };
            moves.push((
                MovedDeadline {
                    case: clock.case,
                    procedure: clock.procedure,
                    stage: clock.stage,
                    clock: clock.clock,
                    was,
                    due,
                },
                case,
            ));
        }
        moves.sort_by(|a, b| a.0.was.cmp(&b.0.was).then_with(|| a.0.case.cmp(&b.0.case)));
        Ok(moves)
    }

    /// Moves one case's running deadline onto `config`'s calendar, with the notices the new
    /// deadline calls for; re-read and re-applied if the case changes meanwhile.
    async fn move_deadline(
        &self,
        partnership: &PartnershipId,
        config: &PartnershipConfig,
        id: &CaseId,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Option<Transition>, StoreError> {
        let calendar = config.calendar();
        for _ in 0..ATTEMPTS {
            let Some(case) = self.store.load_case(partnership, id).await? else {
                return Ok(None);
            };
            let Some(procedure) = self.catalogue.get(case.procedure.as_str()) else {
                return Ok(None);
            };
            let Ok(Some(transition)) =
                case.reschedule(procedure, &calendar, &who.actor.person, now)
            else {
                return Ok(None);
            };
            let notices = self.plan_pending(
                config,
                procedure,
                Some(&case),
                &transition,
                Trigger::Sweeper,
                now,
            );
            match self
                .store
                .apply_noting(partnership, &transition, &notices)
                .await
            {
                Ok(()) => return Ok(Some(transition)),
                Err(StoreError::Conflict { .. }) => continue,
                Err(other) => return Err(other),
            }
        }
        tracing::warn!(%partnership, case = %id, "deadline not moved: the case kept changing");
        Ok(None)
    }
}
