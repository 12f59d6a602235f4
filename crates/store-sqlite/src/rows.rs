//! Rows <-> domain: cases, events and people written in a transaction, stored JSON decoded
//! back with the failing key and field named ([`StoreError::Corrupt`]).

use std::collections::HashMap;
use std::sync::Mutex;

use escalations_core::case::{Case, Event, Transition};
use escalations_store::{
    CaseAccess, CaseSummary, ClaimedNotice, ClosedCase, DueClock, DueNotice, Notice, PendingNotice,
    StoreError, sortable_instant,
};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::backend;

/// Decodes stored JSON, naming the key and the field that failed.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(key: &str, json: &str) -> Result<T, StoreError> {
    decode_keyed(|| key.to_owned(), json)
}

/// [`decode`], naming the row's key only if it is corrupt. A sound row is read once, plainly;
/// only a corrupt one is read again, tracking the path, to name the field at fault (tracking
/// every field of every row made reading a long work queue several times slower).
pub(crate) fn decode_keyed<T: for<'de> Deserialize<'de>>(
    key: impl FnOnce() -> String,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).or_else(|_| {
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de).map_err(|e| StoreError::Corrupt {
            key: key(),
            field: e.path().to_string(),
            message: e.inner().to_string(),
        })
    })
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::backend)
}

pub(crate) fn case_columns(case: &Case) -> [Option<String>; 4] {
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

/// The retention query's column: the last change of a closed case not yet erased, sortable;
/// `None` for open and erased cases.
pub(crate) fn closed_column(case: &Case) -> Option<String> {
    (!case.status.is_open() && case.erased_at.is_none()).then(|| sortable_instant(case.updated_at))
}

/// A row of the retention query (`id, closed_at`).
pub(crate) fn closed_case(p: &str, row: &Row<'_>) -> Result<ClosedCase, StoreError> {
    let (case, closed_at): (String, String) =
        (row.get(0).map_err(backend)?, row.get(1).map_err(backend)?);
    let json = serde_json::json!({ "case": case, "last_change": closed_at });
    decode(&format!("cases/{p}/{case}"), &json.to_string())
}

pub(crate) fn insert_events(
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

pub(crate) fn insert_people(
    tx: &rusqlite::Transaction<'_>,
    p: &str,
    case: &Case,
) -> Result<(), StoreError> {
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

/// The agencies concerned with a case beyond its parties (agencies asked, owners of agreed
/// actions), for their agency's list.
pub(crate) fn insert_agencies(
    tx: &rusqlite::Transaction<'_>,
    p: &str,
    case: &Case,
) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO case_agencies (partnership, agency, case_id) VALUES (?1, ?2, ?3)",
        )
        .map_err(backend)?;
    for agency in case.agencies_concerned().iter().skip(case.agencies().len()) {
        stmt.execute(params![p, agency.as_str(), case.id.as_str()])
            .map_err(backend)?;
    }
    Ok(())
}

/// Puts the case in exactly the work queues it is in now (`Case::work_queues`), each entry
/// holding the case's summary so a queue is read without its cases.
pub(crate) fn file_work(
    tx: &rusqlite::Transaction<'_>,
    p: &str,
    case: &Case,
) -> Result<(), StoreError> {
    // INDEXED BY: left to itself, SQLite searches the partnership's every queue entry for
    // this case's few (found by the soak; `plans.rs` checks).
    tx.prepare_cached(
        "DELETE FROM case_work INDEXED BY case_work_by_case
         WHERE partnership = ?1 AND case_id = ?2",
    )
    .map_err(backend)?
    .execute(params![p, case.id.as_str()])
    .map_err(backend)?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO case_work (partnership, queue, case_id, summary) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(backend)?;
    let summary = summary_column(case)?;
    for queue in case.work_queues() {
        stmt.execute(params![p, queue.key(), case.id.as_str(), summary])
            .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn insert_case(
    tx: &rusqlite::Transaction<'_>,
    p: &str,
    t: &Transition,
) -> Result<(), StoreError> {
    let case = &t.case;
    let summary = CaseSummary::of(case);
    let [due, due_stage, due_clock, due_owner] = case_columns(case);
    let inserted = tx
        .execute(
            "INSERT OR IGNORE INTO cases (partnership, id, version, raised_at, status, stage, procedure,
                raising_agency, receiving_agency, due, due_stage, due_clock, due_owner, body,
                child_key, closed_at, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
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
                case.child_key.as_ref().map(|k| k.as_str()),
                closed_column(case),
                encode(&summary)?,
            ],
        )
        .map_err(backend)?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            case: case.id.clone(),
        });
    }
    insert_events(tx, p, &t.events)?;
    insert_people(tx, p, case)?;
    // A Practice Alert's agencies asked are concerned from the start.
    insert_agencies(tx, p, case)?;
    file_work(tx, p, case)
}

/// The `summary` column of a case's row: what lists and work queues show of it.
pub(crate) fn summary_column(case: &Case) -> Result<String, StoreError> {
    encode(&CaseSummary::of(case))
}

/// The columns that read a case's summary: the summary, and the body only where no summary
/// was kept (a row whose body could not be read when it was migrated).
pub(crate) const SUMMARY_COLUMNS: &str = "summary, CASE WHEN summary IS NULL THEN body END";

/// Summaries already decoded, by case, each with the text it was decoded from: reading a long
/// work queue again decodes only the entries that changed since (decoding was most of a queue
/// read's CPU). Decoding is a pure function of the text, so an entry is used only when its
/// text is byte for byte the row's; nothing here can be stale. Bounded: emptied when full.
#[derive(Default)]
pub(crate) struct Summaries {
    /// Case id → the text decoded, and what it decoded to. Keyed by id alone: ids are v4 UUIDs
    /// the server makes, so partnerships do not share them (and a shared one would only miss).
    decoded: Mutex<HashMap<Box<str>, Decoded>>,
}

struct Decoded {
    text: Box<str>,
    summary: CaseSummary,
}

impl Summaries {
    /// At most this many cases' summaries are kept (some 20 MB).
    const CAPACITY: usize = 20_000;

    fn decode(
        &self,
        id: &str,
        text: &str,
        key: impl FnOnce() -> String,
    ) -> Result<CaseSummary, StoreError> {
        if let Ok(decoded) = self.decoded.lock()
            && let Some(seen) = decoded.get(id)
            && *seen.text == *text
        {
            return Ok(seen.summary.clone());
        }
        let summary: CaseSummary = decode_keyed(key, text)?;
        if let Ok(mut decoded) = self.decoded.lock() {
            if decoded.len() >= Self::CAPACITY {
                decoded.clear();
            }
            let text = text.into();
            decoded.insert(
                id.into(),
                Decoded {
                    text,
                    summary: summary.clone(),
                },
            );
        }
        Ok(summary)
    }
}

/// A case's summary from the [`SUMMARY_COLUMNS`] at `first` in `row` (the case's id at 0).
pub(crate) fn summary_at(
    p: &str,
    row: &Row<'_>,
    first: usize,
    summaries: &Summaries,
) -> Result<CaseSummary, StoreError> {
    // Read in place: a long queue copies no row.
    let summary = row
        .get_ref(first)
        .map_err(backend)?
        .as_str_or_null()
        .map_err(StoreError::backend)?;
    if let Some(summary) = summary {
        let id = row
            .get_ref(0)
            .map_err(backend)?
            .as_str()
            .map_err(StoreError::backend)?;
        return summaries.decode(id, summary, || format!("cases/{p}/{id}#summary"));
    }
    let id: String = row.get(0).map_err(backend)?;
    let body: String = row.get(first + 1).map_err(backend)?;
    let case: Case = decode(&format!("cases/{p}/{id}"), &body)?;
    Ok(CaseSummary::of(&case))
}

pub(crate) fn load(conn: &Connection, p: &str, id: &str) -> Result<Option<Case>, StoreError> {
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

/// A row of the due query (`DUE_QUERY`'s columns) as the sweeper's [`DueClock`].
pub(crate) fn due_clock(p: &str, row: &Row<'_>) -> Result<DueClock, StoreError> {
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
    decode::<DueClock>(&key, &json.to_string())
}

/// A row of `notices` (`key, recorded_at`) of case `case`.
pub(crate) fn notice(p: &str, case: &str, row: &Row<'_>) -> Result<Notice, StoreError> {
    let (key, at): (String, String) = (row.get(0).map_err(backend)?, row.get(1).map_err(backend)?);
    let json = serde_json::json!({ "case": case, "key": key, "recorded_at": at });
    decode(&format!("notices/{p}/{case}/{key}"), &json.to_string())
}

/// Keeps the notices a change planned, in the change's transaction. A key already pending is
/// left as it is (keys are never planned twice; if one were, its lease must not be lost).
pub(crate) fn insert_pending(
    tx: &rusqlite::Transaction<'_>,
    p: &str,
    notices: &[PendingNotice],
) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO pending_notices (partnership, case_id, key, not_before, plan, lease_until, attempts)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL, 0)",
        )
        .map_err(backend)?;
    for notice in notices {
        stmt.execute(params![
            p,
            notice.case.as_str(),
            notice.key.as_str(),
            sortable_instant(notice.not_before),
            notice.plan
        ])
        .map_err(backend)?;
    }
    Ok(())
}

/// A row of the due-notices query (`case_id, key, not_before`).
pub(crate) fn due_notice(p: &str, row: &Row<'_>) -> Result<DueNotice, StoreError> {
    let (case, key, not_before): (String, String, String) = (
        row.get(0).map_err(backend)?,
        row.get(1).map_err(backend)?,
        row.get(2).map_err(backend)?,
    );
    let json = serde_json::json!({ "case": case, "key": key, "not_before": not_before });
    decode(
        &format!("pending_notices/{p}/{case}/{key}"),
        &json.to_string(),
    )
}

/// A claimed row (`case_id, key, not_before, plan, attempts, lease_until`).
pub(crate) fn claimed_notice(p: &str, row: &Row<'_>) -> Result<ClaimedNotice, StoreError> {
    let (case, key, not_before, plan, attempts, lease_until): (
        String,
        String,
        String,
        String,
        i64,
        String,
    ) = (
        row.get(0).map_err(backend)?,
        row.get(1).map_err(backend)?,
        row.get(2).map_err(backend)?,
        row.get(3).map_err(backend)?,
        row.get(4).map_err(backend)?,
        row.get(5).map_err(backend)?,
    );
    #[derive(Deserialize)]
    struct Claimed {
        #[serde(flatten)]
        notice: PendingNotice,
        lease_until: chrono::DateTime<chrono::Utc>,
    }
    let at = format!("pending_notices/{p}/{case}/{key}");
    let json = serde_json::json!({
        "case": case,
        "key": key,
        "not_before": not_before,
        "plan": plan,
        "lease_until": lease_until,
    });
    let Claimed {
        notice,
        lease_until,
    } = decode(&at, &json.to_string())?;
    let attempts = u32::try_from(attempts).map_err(|e| StoreError::Corrupt {
        key: at.clone(),
        field: "attempts".into(),
        message: e.to_string(),
    })?;
    Ok(ClaimedNotice {
        notice,
        attempts,
        lease_until,
    })
}

/// A read's columns (`at, person, part, agency, role`) as stored in `case_access`.
pub(crate) fn access_columns(access: &CaseAccess) -> [String; 5] {
    let role = serde_json::to_value(access.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    [
        sortable_instant(access.at),
        access.by.to_string(),
        access.part.to_string(),
        access.agency.to_string(),
        role,
    ]
}

/// A row of `case_access` (`at, person, part, agency, role`) of case `case`.
pub(crate) fn case_access(p: &str, case: &str, row: &Row<'_>) -> Result<CaseAccess, StoreError> {
    let mut columns: [String; 5] = Default::default();
    for (i, column) in columns.iter_mut().enumerate() {
        *column = row.get(i).map_err(backend)?;
    }
    let [at, by, part, agency, role] = columns;
    let json =
        serde_json::json!({ "at": at, "by": by, "part": part, "agency": agency, "role": role });
    decode(
        &format!("case_access/{p}/{case}/{at}/{by}"),
        &json.to_string(),
    )
}
