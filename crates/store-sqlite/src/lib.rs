//! The embedded storage adapter: one SQLite file on disk.
//!
//! Several processes may open the same file at once (the functions run as separate processes
//! under cargo-lambda): the file is in WAL mode, every write is an `IMMEDIATE` transaction
//! that waits for the writer lock, and every case change is conditional on the version read.
//! The partnership is the first column of every primary key and every query.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, Event, Transition};
use escalations_core::ids::{CaseId, PartnershipId};
use escalations_store::{
    CaseFilter, CaseSummary, Created, Cursor, DueClock, Idempotency, Notice, NoticeKey,
    NoticeOutcome, Page, PageRequest, PartnershipConfig, Scope, Store, StoreError, check_new_case,
    check_transition, sortable_instant,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS partnerships (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cases (
    partnership TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    raised_at TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    procedure TEXT NOT NULL,
    raising_agency TEXT NOT NULL,
    receiving_agency TEXT,
    -- The running clock, NULL when none: the sweeper's index.
    due TEXT,
    due_stage TEXT,
    due_clock TEXT,
    due_owner TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (partnership, id)
);
CREATE INDEX IF NOT EXISTS cases_by_due ON cases (partnership, due, id) WHERE due IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_by_raised ON cases (partnership, raised_at, id);
CREATE TABLE IF NOT EXISTS case_people (
    partnership TEXT NOT NULL,
    person TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (partnership, person, case_id)
);
CREATE TABLE IF NOT EXISTS events (
    partnership TEXT NOT NULL,
    case_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (partnership, case_id, version, seq)
);
CREATE TABLE IF NOT EXISTS notices (
    partnership TEXT NOT NULL,
    case_id TEXT NOT NULL,
    key TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (partnership, case_id, key)
);
CREATE TABLE IF NOT EXISTS idempotency (
    partnership TEXT NOT NULL,
    person TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (partnership, person, key)
);
";

/// The schema's version, kept in `PRAGMA user_version`. Files written before versions were
/// recorded read 0.
const SCHEMA_VERSION: i64 = 1;

/// Brings a file written by an older release up to [`SCHEMA_VERSION`]. Opening a current
/// file only reads the version; a migration runs in one `IMMEDIATE` transaction, so two
/// processes opening an old file at once migrate it once.
fn migrate(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    if schema_version(conn)? >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if schema_version(&tx)? < 1 {
        // Version 1 keys idempotency by (partnership, person, key): a key belongs to the
        // person who sent it. Rows from before did not record the person. They are dropped
        // rather than kept with an empty person: no `PersonId` is empty, so such rows could
        // never match a request again and would only keep dead case references. A key guards
        // retries made seconds apart, so dropping them at an upgrade loses nothing that
        // matters, and never touches a case.
        let has_person = tx
            .prepare("SELECT 1 FROM pragma_table_info('idempotency') WHERE name = 'person'")?
            .exists([])?;
        if !has_person {
            tx.execute_batch("DROP TABLE IF EXISTS idempotency;")?;
        }
    }
    tx.execute_batch(SCHEMA)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

fn schema_version(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// A store in one SQLite file. Cheap to clone; connections are pooled.
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    pool: Arc<Mutex<Vec<Connection>>>,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // WAL lets readers run beside the one writer; FULL sync because these are
    // child-protection records and a power cut must not lose a committed change.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub async fn open(path: impl Into<PathBuf>) -> Result<SqliteStore, StoreError> {
        let path = path.into();
        let store = SqliteStore {
            path,
            pool: Arc::new(Mutex::new(Vec::new())),
        };
        store.with(|conn| migrate(conn).map_err(backend)).await?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
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
}

/// Decodes stored JSON, naming the key and the field that failed.
fn decode<T: for<'de> Deserialize<'de>>(key: &str, json: &str) -> Result<T, StoreError> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::backend)
}

fn case_columns(case: &Case) -> [Option<String>; 4] {
    match case.running_clock() {
        Some(run) => [
            Some(sortable_instant(run.due)),
            Some(run.stage.to_string()),
            Some(run.clock.to_string()),
            Some(
                serde_json::to_value(run.owner)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            ),
        ],
        None => [None, None, None, None],
    }
}

fn insert_events(
    tx: &rusqlite::Transaction<'_>,
    p: &str,
    events: &[Event],
) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached("INSERT INTO events (partnership, case_id, version, seq, body) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(backend)?;
    for event in events {
        stmt.execute(params![
            p,
            event.case.as_str(),
            event.version as i64,
            event.seq,
            encode(event)?
        ])
        .map_err(backend)?;
    }
    Ok(())
}

fn insert_people(tx: &rusqlite::Transaction<'_>, p: &str, case: &Case) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO case_people (partnership, person, case_id) VALUES (?1, ?2, ?3)",
        )
        .map_err(backend)?;
    for person in case.people_involved() {
        stmt.execute(params![p, person.as_str(), case.id.as_str()])
            .map_err(backend)?;
    }
    Ok(())
}

fn insert_case(tx: &rusqlite::Transaction<'_>, p: &str, t: &Transition) -> Result<(), StoreError> {
    let case = &t.case;
    let summary = CaseSummary::of(case);
    let [due, due_stage, due_clock, due_owner] = case_columns(case);
    let inserted = tx
        .execute(
            "INSERT OR IGNORE INTO cases (partnership, id, version, raised_at, status, stage, procedure,
                raising_agency, receiving_agency, due, due_stage, due_clock, due_owner, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                p,
                case.id.as_str(),
                case.version as i64,
                sortable_instant(case.raised_at),
                summary.status.as_str(),
                case.stage.as_str(),
                case.procedure.as_str(),
                case.raising_agency.as_str(),
                case.receiving_agency.as_ref().map(|a| a.as_str()),
                due,
                due_stage,
                due_clock,
                due_owner,
                encode(case)?,
            ],
        )
        .map_err(backend)?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            case: case.id.clone(),
        });
    }
    insert_events(tx, p, &t.events)?;
    insert_people(tx, p, case)
}

fn load(conn: &Connection, p: &str, id: &str) -> Result<Option<Case>, StoreError> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM cases WHERE partnership = ?1 AND id = ?2",
            params![p, id],
            |row| row.get(0),
        )
        .optional()
        .map_err(backend)?;
    body.map(|b| decode(&format!("cases/{p}/{id}"), &b))
        .transpose()
}

const DUE_QUERY: &str = "SELECT id, procedure, due_stage, due_clock, due_owner, due FROM cases
    WHERE partnership = ?1 AND due IS NOT NULL AND due <= ?2 AND (due, id) > (?3, ?4)
    ORDER BY due, id LIMIT ?5";

#[derive(Serialize, Deserialize)]
struct ListCursor {
    partnership: String,
    raised_at: String,
    id: String,
}

#[derive(Serialize, Deserialize)]
struct DueCursor {
    partnership: String,
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
                "INSERT INTO partnerships (id, config) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET config = excluded.config",
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

    async fn create_case(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
    ) -> Result<Created, StoreError> {
        check_new_case(raised)?;
        let p = partnership.to_string();
        let t = raised.clone();
        let idempotency = idempotency.cloned();
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            if let Some(idem) = &idempotency {
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT fingerprint, case_id FROM idempotency
                         WHERE partnership = ?1 AND person = ?2 AND key = ?3",
                        params![p, idem.person.as_str(), idem.key.as_str()],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(backend)?;
                if let Some((fingerprint, case_id)) = earlier {
                    if fingerprint != idem.fingerprint {
                        return Err(StoreError::IdempotencyKeyReused {
                            key: idem.key.to_string(),
                        });
                    }
                    let case = load(&tx, &p, &case_id)?.ok_or_else(|| StoreError::Corrupt {
                        key: format!("idempotency/{p}/{}/{}", idem.person, idem.key),
                        field: "case_id".into(),
                        message: format!("names case {case_id}, which does not exist"),
                    })?;
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
            insert_case(&tx, &p, &t)?;
            tx.commit().map_err(backend)?;
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

    async fn apply(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
    ) -> Result<(), StoreError> {
        check_transition(transition)?;
        let p = partnership.to_string();
        let t = transition.clone();
        self.with(move |conn| {
            let case = &t.case;
            let expected = case.version - 1;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
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
                        due_clock = ?8, due_owner = ?9, body = ?10
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
                    ],
                )
                .map_err(backend)?;
            if updated != 1 {
                return Err(StoreError::Conflict {
                    case: case.id.clone(),
                    expected_version: expected,
                });
            }
            insert_events(&tx, &p, &t.events)?;
            insert_people(&tx, &p, case)?;
            tx.commit().map_err(backend)
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
        let after: Option<ListCursor> = page.cursor.as_ref().map(|c| c.decode()).transpose()?;
        if after.as_ref().is_some_and(|c| c.partnership != p) {
            return Err(StoreError::InvalidCursor);
        }
        let (scope, filter, limit) = (scope.clone(), filter.clone(), page.limit());
        self.with(move |conn| {
            let mut sql = String::from("SELECT id, body FROM cases WHERE partnership = ?1");
            let mut args: Vec<rusqlite::types::Value> = vec![p.clone().into()];
            let mut arg = |sql: &mut String, clause: &str, value: rusqlite::types::Value| {
                args.push(value);
                sql.push_str(&clause.replace("{}", &format!("?{}", args.len())));
            };
            match &scope {
                Scope::Partnership => {}
                Scope::Agency(agency) => {
                    arg(&mut sql, " AND (raising_agency = {}", agency.to_string().into());
                    arg(&mut sql, " OR receiving_agency = {})", agency.to_string().into());
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
            if let Some(after) = &after {
                arg(&mut sql, " AND (raised_at, id) < ({}", after.raised_at.clone().into());
                arg(&mut sql, ", {})", after.id.clone().into());
            }
            arg(&mut sql, " ORDER BY raised_at DESC, id DESC LIMIT {}", i64::from(limit + 1).into());
            let mut stmt = conn.prepare(&sql).map_err(backend)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(backend)?;
            let mut items = Vec::new();
            while let Some(row) = rows.next().map_err(backend)? {
                let id: String = row.get(0).map_err(backend)?;
                let body: String = row.get(1).map_err(backend)?;
                let case: Case = decode(&format!("cases/{p}/{id}"), &body)?;
                items.push(CaseSummary::of(&case));
            }
            let next = if items.len() > limit as usize {
                items.truncate(limit as usize);
                items.last().map(|last| {
                    Cursor::encode(&ListCursor {
                        partnership: p.clone(),
                        raised_at: sortable_instant(last.raised_at),
                        id: last.id.to_string(),
                    })
                })
            } else {
                None
            };
            Ok(Page { items, next })
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
        let after: Option<DueCursor> = page.cursor.as_ref().map(|c| c.decode()).transpose()?;
        if after.as_ref().is_some_and(|c| c.partnership != p) {
            return Err(StoreError::InvalidCursor);
        }
        let limit = page.limit();
        let partnership = partnership.clone();
        self.with(move |conn| {
            let (after_due, after_id) = after.map(|a| (a.due, a.id)).unwrap_or_default();
            let mut stmt = conn.prepare_cached(DUE_QUERY).map_err(backend)?;
            let mut rows = stmt
                .query(params![
                    p,
                    sortable_instant(instant),
                    after_due,
                    after_id,
                    i64::from(limit + 1)
                ])
                .map_err(backend)?;
            let mut items = Vec::new();
            while let Some(row) = rows.next().map_err(backend)? {
                let id: String = row.get(0).map_err(backend)?;
                let key = format!("cases/{p}/{id}");
                let columns: [String; 6] = [
                    id.clone(),
                    row.get(1).map_err(backend)?,
                    row.get(2).map_err(backend)?,
                    row.get(3).map_err(backend)?,
                    row.get(4).map_err(backend)?,
                    row.get(5).map_err(backend)?,
                ];
                let json = serde_json::json!({
                    "partnership": p,
                    "case": columns[0],
                    "procedure": columns[1],
                    "stage": columns[2],
                    "clock": columns[3],
                    "owner": columns[4],
                    "due": columns[5],
                });
                items.push(decode::<DueClock>(&key, &json.to_string())?);
            }
            let next = if items.len() > limit as usize {
                items.truncate(limit as usize);
                items.last().map(|last| {
                    Cursor::encode(&DueCursor {
                        partnership: partnership.to_string(),
                        due: sortable_instant(last.due),
                        id: last.case.to_string(),
                    })
                })
            } else {
                None
            };
            Ok(Page { items, next })
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
                let (key, at): (String, String) = (row.get(0).map_err(backend)?, row.get(1).map_err(backend)?);
                let json = serde_json::json!({ "case": case, "key": key, "recorded_at": at });
                notices.push(decode(&format!("notices/{p}/{case}/{key}"), &json.to_string())?);
            }
            Ok(notices)
        })
        .await
    }
}
