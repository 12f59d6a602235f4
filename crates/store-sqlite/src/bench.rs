//! What only the storage and sweep benchmarks need (`bench` feature): bulk loading (cases and
//! pending notices), SQLite's own count of the rows the due query visits, and the naive read
//! it is compared against. Not part of the production adapter's API.

use chrono::{DateTime, Utc};
use escalations_core::case::{Case, Transition};
use escalations_core::ids::PartnershipId;
use escalations_store::{PendingNotice, StoreError, check_transition, sortable_instant};
use rusqlite::{TransactionBehavior, params};

use crate::rows::{decode, insert_case, insert_pending};
use crate::{DUE_QUERY, SqliteStore, backend};

impl SqliteStore {
    /// Rows the due query visits, by SQLite's own count, for the benchmark: the rows
    /// returned plus any full-scan steps (zero when the index serves it).
    pub async fn due_query_cost(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
    ) -> Result<(usize, i32, i32), StoreError> {
        let p = partnership.to_string();
        let instant = sortable_instant(instant);
        self.with(move |conn| {
            let mut stmt = conn.prepare(DUE_QUERY).map_err(backend)?;
            let rows = stmt
                .query_map(params![p, instant, "", "", 1_000_000], |_| Ok(()))
                .map_err(backend)?
                .count();
            let fullscan = stmt.get_status(rusqlite::StatementStatus::FullscanStep);
            let vm = stmt.get_status(rusqlite::StatementStatus::VmStep);
            Ok((rows, fullscan, vm))
        })
        .await
    }

    /// The naive alternative the benchmark compares against: read every case of the
    /// partnership and keep those with a running clock due by `instant`. Returns (rows read,
    /// rows due).
    pub async fn naive_due_scan(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
    ) -> Result<(usize, usize), StoreError> {
        let p = partnership.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare("SELECT id, body FROM cases WHERE partnership = ?1")
                .map_err(backend)?;
            let mut rows = stmt.query(params![p]).map_err(backend)?;
            let (mut read, mut due) = (0, 0);
            while let Some(row) = rows.next().map_err(backend)? {
                read += 1;
                let id: String = row.get(0).map_err(backend)?;
                let body: String = row.get(1).map_err(backend)?;
                let case: Case = decode(&format!("cases/{p}/{id}"), &body)?;
                if case.running_clock().is_some_and(|r| r.due <= instant) {
                    due += 1;
                }
            }
            Ok((read, due))
        })
        .await
    }

    /// Bulk-loads already-raised cases in one transaction (benchmarks and demo data).
    pub async fn load_many(
        &self,
        partnership: &PartnershipId,
        raised: Vec<Transition>,
    ) -> Result<(), StoreError> {
        let p = partnership.to_string();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            for t in &raised {
                check_transition(t)?;
                insert_case(&tx, &p, t)?;
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    /// Bulk-loads pending notices in one transaction (the sweep benchmark's outbox): the rows
    /// `apply_noting` writes.
    pub async fn load_pending(
        &self,
        partnership: &PartnershipId,
        notices: Vec<PendingNotice>,
    ) -> Result<(), StoreError> {
        let p = partnership.to_string();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            insert_pending(&tx, &p, &notices)?;
            tx.commit().map_err(backend)
        })
        .await
    }
}
