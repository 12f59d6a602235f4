//! What the scheduled sweeper needs: every partnership's due clocks, and recording breaches.

use chrono::{DateTime, Utc};
use escalations_core::case::Case;
use escalations_core::ids::{CaseId, PartnershipId};
use escalations_store::{DueClock, StoreError, due_everywhere};

use std::collections::HashMap;

use escalations_core::partnership::Retention;
use escalations_store::PartnershipConfig;

use crate::App;
use crate::notify::Delivery;
use escalations_core::notices::Trigger;
use escalations_store::{MAX_PAGE, PageRequest};

/// What one sweep did: ids and counts only, logged as one JSON line per run.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SweepSummary {
    /// The instant the sweep ran for (the scheduled event's `time`).
    pub now: DateTime<Utc>,
    pub partnerships: usize,
    /// Open clocks due at `now`, read through the due query.
    pub due_clocks: usize,
    pub breaches_recorded: usize,
    /// Breaches recorded outside the partnership's working hours: their overdue notices wait
    /// for the start of the next working period.
    pub deferred_to_working_hours: usize,
    /// Pending notices whose time had come, read through the due-notices query.
    pub notices_due: usize,
    pub sent: usize,
    /// Not sent because they no longer apply (the clock was met first) or the mail service
    /// refused them for good.
    pub dropped: usize,
    /// Not sent this time (the mail service unavailable): tried again next sweep.
    pub failed: usize,
    /// Held by another sweep's lease.
    pub leased_elsewhere: usize,
    /// Left for the next sweep because the time budget ran out.
    pub left_for_next_run: usize,
    /// Closed cases whose retention period had ended, erased.
    #[serde(default)]
    pub erased: usize,
    pub duration_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Someone else kept changing the case while the breach was being recorded.
    #[error("case {0} kept changing while its breach was being recorded: try again next sweep")]
    Contended(CaseId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SweepSummary {
    /// The summary as one structured log line. Every field is named (the pattern is
    /// exhaustive, so a field added to the summary must be added here).
    pub fn log(&self) {
        let SweepSummary {
            now,
            partnerships,
            due_clocks,
            breaches_recorded,
            deferred_to_working_hours,
            notices_due,
            sent,
            dropped,
            failed,
            leased_elsewhere,
            left_for_next_run,
            erased,
            duration_ms,
        } = self;
        tracing::info!(
            %now,
            partnerships,
            due_clocks,
            breaches_recorded,
            deferred_to_working_hours,
            notices_due,
            sent,
            dropped,
            failed,
            leased_elsewhere,
            left_for_next_run,
            erased,
            duration_ms,
            "sweep finished"
        );
    }
}

/// How many times a breach is re-read and re-applied when the case changes under it.
const ATTEMPTS: usize = 3;

impl App {
    /// Every open clock due at or before `now`, in every partnership, earliest first.
    pub async fn due_clocks(&self, now: DateTime<Utc>) -> Result<Vec<DueClock>, SweepError> {
        Ok(due_everywhere(self.store.as_ref(), now).await?)
    }

    /// Records the breach of the case's running clock if it is due at `now` and not yet
    /// recorded. Returns the changed case, or `None` when there was nothing to record (the
    /// case is unknown, closed, not yet due, or already recorded): running it twice changes
    /// nothing.
    pub async fn record_breaches(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
        now: DateTime<Utc>,
    ) -> Result<Option<Case>, SweepError> {
        let config = self.store.partnership(partnership).await?;
        let calendar = config.as_ref().map(|config| config.calendar());
        for _ in 0..ATTEMPTS {
            let Some(case) = self.store.load_case(partnership, id).await? else {
                return Ok(None);
            };
            // A clock that runs "if not resolved (or no response)" starts from the breach.
            let procedure = self.catalogue.get(case.procedure.as_str());
            let transition = match (procedure, &calendar) {
                (Some(procedure), Some(calendar)) => case
                    .record_breaches_in(procedure, calendar, now)
                    .unwrap_or_else(|_| case.record_breaches(now)),
                _ => case.record_breaches(now),
            };
            let Some(transition) = transition else {
                return Ok(None);
            };
            // A clock started from the breach ("or no response") plans its own notices.
            let notices = match (procedure, &config) {
                (Some(procedure), Some(config)) => self.plan_pending(
                    config,
                    procedure,
                    Some(&case),
                    &transition,
                    Trigger::Sweeper,
                    now,
                ),
                _ => Vec::new(),
            };
            match self
                .store
                .apply_noting(partnership, &transition, &notices)
                .await
            {
                Ok(()) => {
                    tracing::info!(%partnership, case = %id, "breach recorded");
                    return Ok(Some(transition.case));
                }
                // The case moved on meanwhile: read it again and see what is still due.
                Err(StoreError::Conflict { .. }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(SweepError::Contended(id.clone()))
    }

    /// One sweep at `now`: records the breaches of every due clock, then sends every pending
    /// notice whose time has come, each exactly once, stopping cleanly when `budget` runs out
    /// (what is left stays due, so the next sweep continues). Reads only what is due: the due
    /// query and the due-notices query, never every case. Without a mailer (`App::with_mail`)
    /// notices stay pending.
    pub async fn sweep(
        &self,
        now: DateTime<Utc>,
        budget: std::time::Duration,
    ) -> Result<SweepSummary, SweepError> {
        let started = std::time::Instant::now();
        let out_of_time = || started.elapsed() >= budget;
        let mut summary = SweepSummary {
            now,
            ..SweepSummary::default()
        };
        let partnerships = self.store.partnerships().await?;
        summary.partnerships = partnerships.len();
        // Each partnership's configuration, read once per sweep.
        let mut configs: HashMap<PartnershipId, Option<PartnershipConfig>> = HashMap::new();
        for partnership in &partnerships {
            configs.insert(
                partnership.clone(),
                self.store.partnership(partnership).await?,
            );
        }
        let in_working_hours = |config: &PartnershipConfig| {
            config
                .notices
                .working_hours
                .next_open(&config.calendar(), now)
                == now
        };
        let due = self.due_clocks(now).await?;
        summary.due_clocks = due.len();
        for clock in &due {
            if out_of_time() {
                summary.left_for_next_run += 1;
                continue;
            }
            match self
                .record_breaches(&clock.partnership, &clock.case, now)
                .await
            {
                Ok(Some(_)) => {
                    summary.breaches_recorded += 1;
                    if let Some(Some(config)) = configs.get(&clock.partnership)
                        && !in_working_hours(config)
                    {
                        summary.deferred_to_working_hours += 1;
                    }
                }
                Ok(None) => {}
                // Someone kept acting on it: the next sweep records it.
                Err(SweepError::Contended(_)) => summary.left_for_next_run += 1,
                Err(other) => return Err(other),
            }
        }
        for partnership in &partnerships {
            let Some(Some(config)) = configs.get(partnership) else {
                // Not set up: its notices wait until it is (they cannot be addressed without it).
                continue;
            };
            let mut page = PageRequest::first(MAX_PAGE);
            loop {
                let found = self.store.due_notices(partnership, now, &page).await?;
                for notice in &found.items {
                    summary.notices_due += 1;
                    if out_of_time() {
                        summary.left_for_next_run += 1;
                        continue;
                    }
                    match self.deliver(config, &notice.case, &notice.key, now).await? {
                        Delivery::Sent => summary.sent += 1,
                        Delivery::Dropped => summary.dropped += 1,
                        Delivery::Failed => summary.failed += 1,
                        Delivery::Elsewhere => summary.leased_elsewhere += 1,
                        Delivery::NoMailer => summary.left_for_next_run += 1,
                    }
                }
                match found.next {
                    Some(next) if !out_of_time() => page = PageRequest::new(MAX_PAGE, Some(next)),
                    Some(_) => break,
                    None => break,
                }
            }
        }
        // Last, so deadlines and notices never wait behind it: closed cases whose
        // partnership's retention period has ended.
        for partnership in &partnerships {
            let Some(Some(config)) = configs.get(partnership) else {
                continue;
            };
            let Some(retention) = config.retention else {
                continue;
            };
            let ended = retention.closed_on_or_before(now);
            let mut page = PageRequest::first(MAX_PAGE);
            loop {
                let found = self.store.closed_by(partnership, ended, &page).await?;
                for closed in &found.items {
                    if out_of_time() {
                        summary.left_for_next_run += 1;
                        continue;
                    }
                    if self
                        .erase(partnership, &closed.case, &retention, now)
                        .await?
                    {
                        summary.erased += 1;
                    }
                }
                match found.next {
                    Some(next) if !out_of_time() => page = PageRequest::new(MAX_PAGE, Some(next)),
                    _ => break,
                }
            }
        }
        summary.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        summary.log();
        Ok(summary)
    }

    /// Erases the case if its retention period has ended at `now`; whether it did. A case
    /// changed meanwhile (an agreed action marked done) is left for the sweep after.
    pub async fn erase(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
        retention: &Retention,
        now: DateTime<Utc>,
    ) -> Result<bool, SweepError> {
        let Some(case) = self.store.load_case(partnership, id).await? else {
            return Ok(false);
        };
        let Some(erasure) = case.erase(retention, now) else {
            return Ok(false);
        };
        match self
            .store
            .apply_erasure(partnership, &erasure, case.child_key.as_ref())
            .await
        {
            Ok(()) => {
                tracing::info!(%partnership, case = %id, "closed case erased");
                Ok(true)
            }
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }
}
