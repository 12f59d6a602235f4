//! The embedded storage adapter: one SQLite file on disk.
//!
//! Several processes may open the same file at once (the functions run as separate processes
//! under cargo-lambda): the file is in WAL mode, every write is an `IMMEDIATE` transaction
//! that waits for the writer lock, and every case change is conditional on the version read.
//! The partnership is the first column of every primary key and every query.
//!
//! - `schema.sql` / `schema.rs`: the tables, and the migrations that bring older files up
//!   to date when a store is opened;
//! - `rows.rs`: rows <-> domain (corrupt data named by key and field);
//! - this file: the connection pool and the [`Store`] impl;
//! - `bench.rs` (feature `bench`): what only the storage benchmark calls.

#[cfg(feature = "bench")]
mod bench;
mod config;
#[cfg(test)]
mod plans;
mod rows;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, ChildKey, Event, MatchSecret, Transition};
use escalations_core::ids::{CaseId, PartnershipId, PersonId};
use escalations_store::{
    CalendarFeed, CaseAccess, CaseFilter, CaseSummary, ClaimedNotice, ClosedCase, Created, Cursor,
    DueClock, DueNotice, Idempotency, Notice, NoticeEnd, NoticeKey, NoticeOutcome, Page,
    PageRequest, PartnershipConfig, PendingNotice, Scope, Store, StoreError, check_new_case,
    check_transition, sortable_instant,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use rows::{
    SUMMARY_COLUMNS, case_columns, claimed_notice, decode, due_clock, due_notice, encode,
    insert_agencies, insert_case, insert_events, insert_pending, insert_people, load, notice,
};
pub use writer::Writes;

/// A store in one SQLite file. Cheap to clone; connections are pooled for reads, and changes
/// go through one writer thread that commits concurrent changes together (`writer.rs`).
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    pool: Arc<Mutex<Vec<Connection>>>,
    /// `None` when every change takes its own transaction (`Writes::OneByOne`).
    writer: Option<Arc<writer::Writer>>,
    /// What lists and queues decoded, kept for their next read.
    summaries: Arc<rows::Summaries>,
}

/// SQLite's failure, classified: the file's write lock still held by another process after
/// the busy timeout is busy (try again shortly); anything else is not.
pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    if is_busy(&e) {
        StoreError::busy(e)
    } else {
        StoreError::backend(e)
    }
}

pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// How much of the file reads may map: more than a partnership's store is likely to reach.
const MMAP_BYTES: i64 = 256 * 1024 * 1024;

fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // WAL lets readers run beside the one writer; FULL sync because these are
    // child-protection records and a power cut must not lose a committed change.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Erased and replaced data is overwritten with zeros, not left in free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // Reads map the file rather than copying each page through a system call (writes, and
    // so durability, are unchanged: they still go through the log and its fsync).
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`, its changes committed in groups.
    pub async fn open(path: impl Into<PathBuf>) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, Writes::Grouped).await
    }

    /// Opens the store at `path`, writing as `writes` says.
    pub async fn open_with(
        path: impl Into<PathBuf>,
        writes: Writes,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.into();
        let writer = match writes {
            Writes::Grouped => Some(Arc::new(writer::Writer::start(path.clone())?)),
            Writes::OneByOne => None,
        };
        let store = SqliteStore {
            path,
            pool: Arc::new(Mutex::new(Vec::new())),
            writer,
            summaries: Arc::default(),
        };
        store
            .with(|conn| schema::migrate(conn).map_err(backend))
            .await?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` as one change: in the writer's next group, or in a transaction of its own.
    /// Answers once the change is committed (or refused, with nothing of it written).
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.write(work).await,
            None => self.with(move |conn| writer::write_alone(conn, work)).await,
        }
    }

    /// Runs `f` on a pooled connection on the blocking thread pool.
    async fn with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = pool.lock().ok().and_then(|mut p| p.pop());
            let mut conn = match pooled {
                Some(conn) => conn,
                None => open_connection(&path).map_err(backend)?,
            };
            let result = f(&mut conn);
            if let Ok(mut p) = pool.lock() {
                p.push(conn);
            }
            result
        })
        .await
        .map_err(StoreError::backend)?
    }
}

pub(crate) const DUE_QUERY: &str =
    "SELECT id, procedure, due_stage, due_clock, due_owner, due FROM cases
    WHERE partnership = ?1 AND due IS NOT NULL AND due <= ?2 AND (due, id) > (?3, ?4)
    ORDER BY due, id LIMIT ?5";

/// Every row a cached statement answers for `params`, each made into a `T` by `item`.
fn collect_rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut item: impl FnMut(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
    let mut rows = stmt.query(params).map_err(backend)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        items.push(item(row)?);
    }
    Ok(items)
}

/// A page of `items`, read one beyond `limit`: that extra item only says there is more, and
/// the cursor is the last kept item's `position`.
fn paged<T, P: Serialize>(
    p: &str,
    mut items: Vec<T>,
    limit: u32,
    position: impl FnOnce(&T) -> P,
) -> Page<T> {
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|last| Cursor::after(p, position(last)))
    } else {
        None
    };
    Page { items, next }
}

#[derive(Serialize, Deserialize)]
struct ListPosition {
    raised_at: String,
    id: String,
}

/// The due-notices query: pending notices due by an instant, after a position, in order.
pub(crate) const DUE_NOTICES_QUERY: &str = "SELECT case_id, key, not_before FROM pending_notices
    WHERE partnership = ?1 AND not_before <= ?2 AND (not_before, case_id, key) > (?3, ?4, ?5)
    ORDER BY not_before, case_id, key LIMIT ?6";

#[derive(Serialize, Deserialize)]
struct DueNoticePosition {
    not_before: String,
    case: String,
    key: String,
}

#[derive(Serialize, Deserialize)]
struct ClosedPosition {
    closed_at: String,
    id: String,
}

#[derive(Serialize, Deserialize)]
struct DuePosition {
    due: String,
    id: String,
}

#[async_trait]
impl Store for SqliteStore {
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError> {
        let id = config.id.to_string();
        let body = encode(config)?;
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO partnerships (id, config, version) VALUES (?1, ?2, 1)
                 ON CONFLICT (id) DO UPDATE SET config = excluded.config,
                    version = partnerships.version + 1",
                params![id, body],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn partnership(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<PartnershipConfig>, StoreError> {
        let id = id.to_string();
        self.with(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT config FROM partnerships WHERE id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(backend)?;
            body.map(|b| decode(&format!("partnerships/{id}"), &b))
                .transpose()
        })
        .await
    }

    async fn partnerships(&self) -> Result<Vec<PartnershipId>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare("SELECT id FROM partnerships ORDER BY id")
                .map_err(backend)?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(backend)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend)?;
            ids.into_iter()
                .map(|id| {
                    PartnershipId::parse(&id).map_err(|e| StoreError::Corrupt {
                        key: format!("partnerships/{id}"),
                        field: "id".into(),
                        message: e.to_string(),
                    })
                })
                .collect()
        })
        .await
    }

    async fn partnership_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, escalations_store::ConfigVersion)>, StoreError> {
        self.config_versioned(id).await
    }

    async fn change_partnership(
        &self,
        config: &PartnershipConfig,
        expected: escalations_store::ConfigVersion,
        change: &escalations_store::ConfigChange,
    ) -> Result<(), StoreError> {
        self.change_config(config, expected, change).await
    }

    async fn partnership_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<escalations_store::ConfigChange>, StoreError> {
        self.config_changes(id, page).await
    }

    async fn create_case_noting(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
        notices: &[PendingNotice],
    ) -> Result<Created, StoreError> {
        check_new_case(raised)?;
        let p = partnership.to_string();
        let t = raised.clone();
        let idempotency = idempotency.cloned();
        let notices = notices.to_vec();
        self.write(move |tx| {
            if let Some(idem) = &idempotency {
                if let Some(case) = replay(tx, &p, idem)? {
                    return Ok(Created::Replayed(case));
                }
                tx.execute(
                    "INSERT INTO idempotency (partnership, person, key, fingerprint, case_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        p,
                        idem.person.as_str(),
                        idem.key.as_str(),
                        idem.fingerprint,
                        t.case.id.as_str()
                    ],
                )
                .map_err(backend)?;
            }
            insert_case(tx, &p, &t)?;
            insert_pending(tx, &p, &notices)?;
            Ok(Created::New(t.case))
        })
        .await
    }

    async fn load_case(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Option<Case>, StoreError> {
        let (p, id) = (partnership.to_string(), id.to_string());
        self.with(move |conn| load(conn, &p, &id)).await
    }

    async fn chronology(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Vec<Event>, StoreError> {
        let (p, id) = (partnership.to_string(), id.to_string());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT version, seq, body FROM events WHERE partnership = ?1 AND case_id = ?2
                     ORDER BY version, seq",
                )
                .map_err(backend)?;
            let mut rows = stmt.query(params![p, id]).map_err(backend)?;
            let mut events = Vec::new();
            while let Some(row) = rows.next().map_err(backend)? {
                let (version, seq, body): (i64, i64, String) = (
                    row.get(0).map_err(backend)?,
                    row.get(1).map_err(backend)?,
                    row.get(2).map_err(backend)?,
                );
                events.push(decode(&format!("events/{p}/{id}/{version}/{seq}"), &body)?);
            }
            Ok(events)
        })
        .await
    }

    async fn apply_noting(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError> {
        check_transition(transition)?;
        let p = partnership.to_string();
        let t = transition.clone();
        let notices = notices.to_vec();
        self.write(move |tx| {
            let case = &t.case;
            let expected = case.version - 1;
            let stored: Option<i64> = tx
                .query_row(
                    "SELECT version FROM cases WHERE partnership = ?1 AND id = ?2",
                    params![p, case.id.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(backend)?;
            match stored {
                None => return Err(StoreError::NotFound { case: case.id.clone() }),
                Some(v) if v as u64 != expected => {
                    return Err(StoreError::Conflict {
                        case: case.id.clone(),
                        expected_version: expected,
                    });
                }
                Some(_) => {}
            }
            let summary = CaseSummary::of(case);
            let [due, due_stage, due_clock, due_owner] = case_columns(case);
            let updated = tx
                .execute(
                    "UPDATE cases SET version = ?3, status = ?4, stage = ?5, due = ?6, due_stage = ?7,
                        due_clock = ?8, due_owner = ?9, body = ?10, child_key = ?12, closed_at = ?13,
                        summary = ?14
                     WHERE partnership = ?1 AND id = ?2 AND version = ?11",
                    params![
                        p,
                        case.id.as_str(),
                        case.version as i64,
                        summary.status.as_str(),
                        case.stage.as_str(),
                        due,
                        due_stage,
                        due_clock,
                        due_owner,
                        encode(case)?,
                        expected as i64,
                        case.child_key.as_ref().map(|k| k.as_str()),
                        rows::closed_column(case),
                        encode(&summary)?,
                    ],
                )
                .map_err(backend)?;
            if updated != 1 {
                return Err(StoreError::Conflict {
                    case: case.id.clone(),
                    expected_version: expected,
                });
            }
            insert_events(tx, &p, &t.events)?;
            insert_people(tx, &p, case)?;
            insert_agencies(tx, &p, case)?;
            rows::file_work(tx, &p, case)?;
            insert_pending(tx, &p, &notices)
        })
        .await
    }

    async fn list_cases(
        &self,
        partnership: &PartnershipId,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let p = partnership.to_string();
        let after: Option<ListPosition> = page.resume(&p)?;
        let (scope, filter, limit) = (scope.clone(), filter.clone(), page.limit());
        let summaries = self.summaries.clone();
        self.with(move |conn| {
            let mut sql = format!("SELECT id, {SUMMARY_COLUMNS} FROM cases WHERE partnership = ?1");
            let mut args: Vec<rusqlite::types::Value> = vec![p.clone().into()];
            let mut arg = |sql: &mut String, clause: &str, value: rusqlite::types::Value| {
                args.push(value);
                sql.push_str(&clause.replace("{}", &format!("?{}", args.len())));
            };
            match &scope {
                Scope::Partnership => {}
                Scope::Agency(agency) => {
                    arg(&mut sql, " AND (raising_agency = {}", agency.to_string().into());
                    arg(&mut sql, " OR receiving_agency = {}", agency.to_string().into());
                    arg(&mut sql, " OR id IN (SELECT case_id FROM case_agencies WHERE partnership = ?1 AND agency = {}))", agency.to_string().into());
                }
                Scope::Person(person) => {
                    arg(&mut sql, " AND id IN (SELECT case_id FROM case_people WHERE partnership = ?1 AND person = {})", person.to_string().into());
                }
            }
            if let Some(status) = filter.status {
                arg(&mut sql, " AND status = {}", status.as_str().to_owned().into());
            }
            if let Some(stage) = &filter.stage {
                arg(&mut sql, " AND stage = {}", stage.to_string().into());
            }
            if let Some(procedure) = &filter.procedure {
                arg(&mut sql, " AND procedure = {}", procedure.to_string().into());
            }
            if let Some(now) = filter.overdue_at {
                arg(&mut sql, " AND due IS NOT NULL AND due <= {}", sortable_instant(now).into());
            }
            if let Some(from) = filter.raised_from {
                arg(&mut sql, " AND raised_at >= {}", sortable_instant(from).into());
            }
            if let Some(before) = filter.raised_before {
                arg(&mut sql, " AND raised_at < {}", sortable_instant(before).into());
            }
            let (beyond, order) = if filter.oldest_first { (">", "ASC") } else { ("<", "DESC") };
            if let Some(after) = &after {
                arg(&mut sql, &format!(" AND (raised_at, id) {beyond} ({{}}"), after.raised_at.clone().into());
                arg(&mut sql, ", {})", after.id.clone().into());
            }
            arg(&mut sql, &format!(" ORDER BY raised_at {order}, id {order} LIMIT {{}}"), i64::from(limit + 1).into());
            // A few shapes of this query recur (a scope, a filter or two): kept compiled.
            let items = collect_rows(conn, &sql, rusqlite::params_from_iter(args), |row| {
                rows::summary_at(&p, row, 1, &summaries)
            })?;
            Ok(paged(&p, items, limit, |last| ListPosition {
                raised_at: sortable_instant(last.raised_at),
                id: last.id.to_string(),
            }))
        })
        .await
    }

    async fn work_queue(
        &self,
        partnership: &PartnershipId,
        queue: &escalations_store::WorkQueue,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let (p, queue) = (partnership.to_string(), queue.key());
        let summaries = self.summaries.clone();
        self.with(move |conn| {
            collect_rows(
                conn,
                "SELECT w.case_id, w.summary, CASE WHEN w.summary IS NULL THEN
                    (SELECT body FROM cases c WHERE c.partnership = w.partnership AND c.id = w.case_id)
                 END
                 FROM case_work w
                 WHERE w.partnership = ?1 AND w.queue = ?2",
                params![p, queue],
                |row| rows::summary_at(&p, row, 1, &summaries),
            )
        })
        .await
    }

    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError> {
        let p = partnership.to_string();
        let after: Option<DuePosition> = page.resume(&p)?;
        let limit = page.limit();
        self.with(move |conn| {
            let (after_due, after_id) = after.map(|a| (a.due, a.id)).unwrap_or_default();
            let items = collect_rows(
                conn,
                DUE_QUERY,
                params![
                    p,
                    sortable_instant(instant),
                    after_due,
                    after_id,
                    i64::from(limit + 1)
                ],
                |row| due_clock(&p, row),
            )?;
            Ok(paged(&p, items, limit, |last| DuePosition {
                due: sortable_instant(last.due),
                id: last.case.to_string(),
            }))
        })
        .await
    }

    async fn record_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        let (p, case, key) = (
            partnership.to_string(),
            case.to_string(),
            key.as_str().to_owned(),
        );
        self.with(move |conn| {
            let inserted = conn
                .execute(
                    "INSERT OR IGNORE INTO notices (partnership, case_id, key, recorded_at) VALUES (?1, ?2, ?3, ?4)",
                    params![p, case, key, sortable_instant(at)],
                )
                .map_err(backend)?;
            Ok(if inserted == 1 {
                NoticeOutcome::Recorded
            } else {
                NoticeOutcome::AlreadyRecorded
            })
        })
        .await
    }

    async fn notices(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<Notice>, StoreError> {
        let (p, case) = (partnership.to_string(), case.to_string());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare("SELECT key, recorded_at FROM notices WHERE partnership = ?1 AND case_id = ?2 ORDER BY recorded_at, key")
                .map_err(backend)?;
            let mut rows = stmt.query(params![p, case]).map_err(backend)?;
            let mut notices = Vec::new();
            while let Some(row) = rows.next().map_err(backend)? {
                notices.push(notice(&p, &case, row)?);
            }
            Ok(notices)
        })
        .await
    }

    async fn due_notices(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueNotice>, StoreError> {
        let p = partnership.to_string();
        let after: Option<DueNoticePosition> = page.resume(&p)?;
        let limit = page.limit();
        self.with(move |conn| {
            let (after_at, after_case, after_key) = after
                .map(|a| (a.not_before, a.case, a.key))
                .unwrap_or_default();
            let items = collect_rows(
                conn,
                DUE_NOTICES_QUERY,
                params![
                    p,
                    sortable_instant(instant),
                    after_at,
                    after_case,
                    after_key,
                    i64::from(limit + 1)
                ],
                |row| due_notice(&p, row),
            )?;
            Ok(paged(&p, items, limit, |last| DueNoticePosition {
                not_before: sortable_instant(last.not_before),
                case: last.case.to_string(),
                key: last.key.as_str().to_owned(),
            }))
        })
        .await
    }

    async fn claim_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedNotice>, StoreError> {
        let (p, case, key) = (
            partnership.to_string(),
            case.to_string(),
            key.as_str().to_owned(),
        );
        self.write(move |conn| {
            // One statement: the check and the lease are taken under the one write lock.
            let mut stmt = conn
                .prepare_cached(
                    "UPDATE pending_notices SET lease_until = ?4, attempts = attempts + 1
                     WHERE partnership = ?1 AND case_id = ?2 AND key = ?3
                       AND (lease_until IS NULL OR lease_until <= ?5)
                     RETURNING case_id, key, not_before, plan, attempts, lease_until",
                )
                .map_err(backend)?;
            let mut rows = stmt
                .query(params![
                    p,
                    case,
                    key,
                    sortable_instant(lease_until),
                    sortable_instant(now)
                ])
                .map_err(backend)?;
            let claimed = match rows.next().map_err(backend)? {
                Some(row) => Some(claimed_notice(&p, row)?),
                None => None,
            };
            Ok(claimed)
        })
        .await
    }

    async fn release_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (p, case, key) = (
            partnership.to_string(),
            case.to_string(),
            key.as_str().to_owned(),
        );
        self.write(move |conn| {
            conn.execute(
                "UPDATE pending_notices SET lease_until = NULL, not_before = ?4
                 WHERE partnership = ?1 AND case_id = ?2 AND key = ?3",
                params![p, case, key, sortable_instant(retry_at)],
            )
            .map_err(backend)?;
            Ok(())
        })
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
        let (p, case, key) = (
            partnership.to_string(),
            case.to_string(),
            key.as_str().to_owned(),
        );
        self.write(move |tx| {
            let deleted = tx
                .execute(
                    "DELETE FROM pending_notices WHERE partnership = ?1 AND case_id = ?2 AND key = ?3",
                    params![p, case, key],
                )
                .map_err(backend)?;
            if deleted == 0 {
                return Ok(NoticeOutcome::AlreadyRecorded);
            }
            if end == NoticeEnd::Sent {
                tx.execute(
                    "INSERT OR IGNORE INTO notices (partnership, case_id, key, recorded_at) VALUES (?1, ?2, ?3, ?4)",
                    params![p, case, key, sortable_instant(at)],
                )
                .map_err(backend)?;
            }
            Ok(NoticeOutcome::Recorded)
        })
        .await
    }

    async fn idempotent_case(
        &self,
        partnership: &PartnershipId,
        idempotency: &Idempotency,
    ) -> Result<Option<Case>, StoreError> {
        let p = partnership.to_string();
        let idem = idempotency.clone();
        self.with(move |conn| replay(conn, &p, &idem)).await
    }

    async fn open_cases_about(
        &self,
        partnership: &PartnershipId,
        child: &ChildKey,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let (p, key) = (partnership.to_string(), child.as_str().to_owned());
        let summaries = self.summaries.clone();
        self.with(move |conn| {
            // INDEXED BY: left to itself, SQLite reads the partnership's every case in raised
            // order to save sorting this child's few (found by the soak; `plans.rs` checks).
            collect_rows(
                conn,
                "SELECT id, summary, CASE WHEN summary IS NULL THEN body END
                     FROM cases INDEXED BY cases_by_child
                     WHERE partnership = ?1 AND child_key = ?2 AND status = 'open'
                     ORDER BY raised_at DESC, id DESC",
                params![p, key],
                |row| rows::summary_at(&p, row, 1, &summaries),
            )
        })
        .await
    }

    async fn match_secret(
        &self,
        partnership: &PartnershipId,
        candidate: &MatchSecret,
    ) -> Result<MatchSecret, StoreError> {
        let p = partnership.to_string();
        let candidate = candidate.as_bytes().to_vec();
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO match_secrets (partnership, secret) VALUES (?1, ?2)
                 ON CONFLICT (partnership) DO NOTHING",
                params![p, candidate],
            )
            .map_err(backend)?;
            let stored: Vec<u8> = conn
                .query_row(
                    "SELECT secret FROM match_secrets WHERE partnership = ?1",
                    params![p],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            MatchSecret::new(stored).map_err(|e| StoreError::Corrupt {
                key: format!("match_secrets/{p}"),
                field: "secret".into(),
                message: e.to_string(),
            })
        })
        .await
    }

    async fn reindex(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<bool, StoreError> {
        let (p, id) = (partnership.to_string(), case.to_string());
        self.write(move |tx| {
            let Some(case) = rows::load(tx, &p, &id)? else {
                return Ok(false);
            };
            let [due, due_stage, due_clock, due_owner] = case_columns(&case);
            tx.execute(
                "UPDATE cases SET due = ?3, due_stage = ?4, due_clock = ?5, due_owner = ?6,
                    child_key = ?7, closed_at = ?8, status = ?9, stage = ?10, summary = ?11
                 WHERE partnership = ?1 AND id = ?2",
                params![
                    p,
                    id,
                    due,
                    due_stage,
                    due_clock,
                    due_owner,
                    case.child_key.as_ref().map(|k| k.as_str()),
                    rows::closed_column(&case),
                    CaseSummary::of(&case).status.as_str(),
                    case.stage.as_str(),
                    rows::summary_column(&case)?,
                ],
            )
            .map_err(backend)?;
            insert_people(tx, &p, &case)?;
            insert_agencies(tx, &p, &case)?;
            rows::file_work(tx, &p, &case)?;
            Ok(true)
        })
        .await
    }

    // --- Retention ----------------------------------------------------------------------

    async fn closed_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<ClosedCase>, StoreError> {
        let p = partnership.to_string();
        let after: Option<ClosedPosition> = page.resume(&p)?;
        let limit = page.limit();
        self.with(move |conn| {
            let (after_at, after_id) = after.map(|a| (a.closed_at, a.id)).unwrap_or_default();
            let items = collect_rows(
                conn,
                "SELECT id, closed_at FROM cases
                     WHERE partnership = ?1 AND closed_at IS NOT NULL AND closed_at <= ?2
                       AND (closed_at, id) > (?3, ?4)
                     ORDER BY closed_at, id LIMIT ?5",
                params![
                    p,
                    sortable_instant(instant),
                    after_at,
                    after_id,
                    i64::from(limit + 1)
                ],
                |row| rows::closed_case(&p, row),
            )?;
            Ok(paged(&p, items, limit, |last| ClosedPosition {
                closed_at: sortable_instant(last.last_change),
                id: last.case.to_string(),
            }))
        })
        .await
    }

    async fn apply_erasure(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        _forget: Option<&ChildKey>,
    ) -> Result<(), StoreError> {
        // The child key lives only in the case's own row, which the change rewrites.
        self.apply(partnership, transition).await?;
        // The replaced row's old pages are zeroed in the database file (`secure_delete`), but
        // their images stay in the write-ahead log until a checkpoint copies it back and the
        // log is cut: do that now, so the erased words are in neither file. Best effort: a
        // busy reader only delays it to SQLite's next automatic checkpoint.
        let _ = self
            .with(|conn| {
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .map_err(backend)
            })
            .await;
        Ok(())
    }

    // --- Access history -------------------------------------------------------------------

    async fn record_access(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        access: &CaseAccess,
    ) -> Result<(), StoreError> {
        let (p, case) = (partnership.to_string(), case.to_string());
        let [at, person, part, agency, role] = rows::access_columns(access);
        self.write(move |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO case_access (partnership, case_id, at, person, part, agency, role)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![p, case, at, person, part, agency, role],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn access_history(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<CaseAccess>, StoreError> {
        let (p, case) = (partnership.to_string(), case.to_string());
        self.with(move |conn| {
            collect_rows(
                conn,
                "SELECT at, person, part, agency, role FROM case_access
                     WHERE partnership = ?1 AND case_id = ?2 ORDER BY at, person, part",
                params![p, case],
                |row| rows::case_access(&p, &case, row),
            )
        })
        .await
    }

    // --- Calendar feeds -----------------------------------------------------------------

    async fn put_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
        feed: &CalendarFeed,
    ) -> Result<(), StoreError> {
        let (p, person) = (partnership.to_string(), person.to_string());
        let (hash, created_at) = (feed.secret_hash.to_vec(), sortable_instant(feed.created_at));
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO calendar_feeds (partnership, person, secret_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (partnership, person)
                 DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at",
                params![p, person, hash, created_at],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let (p, person) = (partnership.to_string(), person.to_string());
        self.with(move |conn| {
            let row: Option<(Vec<u8>, String)> = conn
                .query_row(
                    "SELECT secret_hash, created_at FROM calendar_feeds
                     WHERE partnership = ?1 AND person = ?2",
                    params![p, person],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(backend)?;
            let Some((hash, created_at)) = row else {
                return Ok(None);
            };
            let corrupt = |field: &str, message: String| StoreError::Corrupt {
                key: format!("calendar_feeds/{p}/{person}"),
                field: field.into(),
                message,
            };
            let secret_hash = <[u8; 32]>::try_from(hash.as_slice())
                .map_err(|_| corrupt("secret_hash", format!("{} bytes, not 32", hash.len())))?;
            let created_at = DateTime::parse_from_rfc3339(&created_at)
                .map_err(|e| corrupt("created_at", e.to_string()))?
                .with_timezone(&Utc);
            Ok(Some(CalendarFeed {
                secret_hash,
                created_at,
            }))
        })
        .await
    }

    async fn delete_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<(), StoreError> {
        let (p, person) = (partnership.to_string(), person.to_string());
        self.with(move |conn| {
            conn.execute(
                "DELETE FROM calendar_feeds WHERE partnership = ?1 AND person = ?2",
                params![p, person],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }
}

/// The case an idempotency key created, if it was used before for this same request.
fn replay(conn: &Connection, p: &str, idem: &Idempotency) -> Result<Option<Case>, StoreError> {
    let earlier: Option<(String, String)> = conn
        .query_row(
            "SELECT fingerprint, case_id FROM idempotency
             WHERE partnership = ?1 AND person = ?2 AND key = ?3",
            params![p, idem.person.as_str(), idem.key.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(backend)?;
    let Some((fingerprint, case_id)) = earlier else {
        return Ok(None);
    };
    if fingerprint != idem.fingerprint {
        return Err(StoreError::IdempotencyKeyReused {
            key: idem.key.to_string(),
        });
    }
    let case = load(conn, p, &case_id)?.ok_or_else(|| StoreError::Corrupt {
        key: format!("idempotency/{p}/{}/{}", idem.person, idem.key),
        field: "case_id".into(),
        message: format!("names case {case_id}, which does not exist"),
    })?;
    Ok(Some(case))
}
