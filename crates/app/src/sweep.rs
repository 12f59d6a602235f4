//! What the scheduled sweeper needs: every partnership's due clocks, and recording breaches.

use chrono::{DateTime, Utc};
use escalations_core::case::Case;
use escalations_core::ids::{CaseId, PartnershipId};
use escalations_store::{DueClock, StoreError, due_everywhere};

use crate::App;

/// What one sweep did: ids and counts only, logged as one JSON line per run.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SweepSummary {
    /// The instant the sweep ran for (the scheduled event's `time`).
    pub now: DateTime<Utc>,
    pub partnerships: usize,
    /// Open clocks due at `now`, read through the due query.
    pub due_clocks: usize,
    pub breaches_recorded: usize,
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
        let calendar = self
            .store
            .partnership(partnership)
            .await?
            .map(|config| config.calendar());
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
            match self.store.apply(partnership, &transition).await {
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
    /// (the next sweep continues). Without a mailer (`App::with_mail`) notices stay pending.
    pub async fn sweep(
        &self,
        now: DateTime<Utc>,
        budget: std::time::Duration,
    ) -> Result<SweepSummary, SweepError> {
        let started = std::time::Instant::now();
        let mut summary = SweepSummary {
            now,
            ..SweepSummary::default()
        };
        let due = self.due_clocks(now).await?;
        summary.due_clocks = due.len();
        for clock in &due {
            if started.elapsed() >= budget {
                summary.left_for_next_run += 1;
                continue;
            }
            if self
                .record_breaches(&clock.partnership, &clock.case, now)
                .await?
                .is_some()
            {
                summary.breaches_recorded += 1;
            }
        }
        summary.duration_ms = started.elapsed().as_millis() as u64;
        Ok(summary)
    }
}
