//! The file's schema (`schema.sql`) and the migrations that bring older files up to it.

use rusqlite::{Connection, TransactionBehavior};

/// Every table and index, created if missing.
const SCHEMA: &str = include_str!("schema.sql");

/// The schema's version, kept in `PRAGMA user_version`. Files written before versions were
/// recorded read 0.
pub(crate) const SCHEMA_VERSION: i64 = 12;

/// Brings a file written by an older release up to [`SCHEMA_VERSION`]. Opening a current
/// file only reads the version; a migration runs in one `IMMEDIATE` transaction, so two
/// processes opening an old file at once migrate it once.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), rusqlite::Error> {
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
        if !has_column(&tx, "idempotency", "person")? {
            tx.execute_batch("DROP TABLE IF EXISTS idempotency;")?;
        }
    }
    // Version 2 adds `case_agencies` (owners of agreed actions), which SCHEMA creates: no
    // stored case had an owner agency before it, so there is nothing to fill in.
    // Version 3 adds `match_secrets` (each partnership's secret for child keys), created on
    // first use; cases raised before it have no child key and are simply not matched.
    if schema_version(&tx)? < 4 {
        // Version 4 keeps each case's child key in a column, indexed, so a raise looks up
        // open cases about the child instead of reading an agency's whole list. Keys were only
        // ever written by version 3, inside the case document: copy them out.
        if has_table(&tx, "cases")? && !has_column(&tx, "cases", "child_key")? {
            tx.execute_batch(
                "ALTER TABLE cases ADD COLUMN child_key TEXT;
                 UPDATE cases SET child_key = json_extract(body, '$.child_key');",
            )?;
        }
    }
    // Version 5 adds `pending_notices` (notices a change planned, until sent or dropped),
    // which SCHEMA creates: before it, notices were sent during the change and only recorded
    // in `notices` afterwards, so there is nothing pending to carry over.
    if schema_version(&tx)? < 7 {
        // Version 7 versions each partnership's configuration, so administrators' changes are
        // conditional on the version read; stored configurations start at 1. The record of
        // changes, `config_changes`, SCHEMA creates: nothing was recorded before it.
        if has_table(&tx, "partnerships")? && !has_column(&tx, "partnerships", "version")? {
            tx.execute_batch(
                "ALTER TABLE partnerships ADD COLUMN version INTEGER NOT NULL DEFAULT 1;",
            )?;
        }
    }
    // Version 8 adds `calendar_feeds` (the hash of each person's calendar feed secret), which
    // SCHEMA creates: nobody had a feed before it.
    // Version 9 adds `case_access` (each read of a case) and the triggers that keep it and
    // the chronology append-only, which SCHEMA creates: no read was recorded before it.
    if schema_version(&tx)? < 10 {
        // Version 10 keeps each closed case's last change in a column, indexed, for the
        // retention query: filled in from the stored cases (no case was erased before it).
        if has_table(&tx, "cases")? && !has_column(&tx, "cases", "closed_at")? {
            tx.execute_batch("ALTER TABLE cases ADD COLUMN closed_at TEXT;")?;
            for (partnership, case) in stored_cases(&tx, "WHERE status != 'open'")? {
                tx.execute(
                    "UPDATE cases SET closed_at = ?3 WHERE partnership = ?1 AND id = ?2",
                    rusqlite::params![
                        partnership,
                        case.id.as_str(),
                        crate::rows::closed_column(&case)
                    ],
                )?;
            }
        }
    }
    if schema_version(&tx)? < 12 {
        // Version 12 keeps what lists and work queues show of each case in a column of
        // `cases` and of `case_work`, so they no longer read whole cases: filled in from the
        // stored cases. `case_work` becomes clustered by queue (WITHOUT ROWID, so a queue is
        // one range of one b-tree): its entries are derived from the cases, so it is dropped
        // here and refilled below, as for a file from before version 11.
        tx.execute_batch("DROP TABLE IF EXISTS case_work;")?;
        if has_table(&tx, "cases")? && !has_column(&tx, "cases", "summary")? {
            tx.execute_batch("ALTER TABLE cases ADD COLUMN summary TEXT;")?;
            for (partnership, case) in stored_cases(&tx, "")? {
                let Ok(summary) = crate::rows::summary_column(&case) else {
                    continue;
                };
                tx.execute(
                    "UPDATE cases SET summary = ?3 WHERE partnership = ?1 AND id = ?2",
                    rusqlite::params![partnership, case.id.as_str(), summary],
                )?;
            }
        }
    }
    let file_work = schema_version(&tx)? < 12 && has_table(&tx, "cases")?;
    tx.execute_batch(SCHEMA)?;
    if file_work {
        // Version 11 keeps the work queues each case is in (`case_work`, which SCHEMA
        // creates; version 12 adds each entry's summary): filled in from the stored cases.
        for (partnership, case) in stored_cases(&tx, "")? {
            let Ok(summary) = crate::rows::summary_column(&case) else {
                continue;
            };
            for queue in case.work_queues() {
                tx.execute(
                    "INSERT OR IGNORE INTO case_work (partnership, queue, case_id, summary)
                     VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![partnership, queue.key(), case.id.as_str(), summary],
                )?;
            }
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

fn has_table(conn: &Connection, table: &str) -> Result<bool, rusqlite::Error> {
    conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .exists([table])
}

fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool, rusqlite::Error> {
    conn.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
        .exists([table, column])
}

/// The stored cases (`filter`: SQL after `FROM cases`) with their partnerships, for a
/// migration to fill a new column or table from. A body that cannot be read is left out, and
/// named when the case itself is next read.
fn stored_cases(
    conn: &Connection,
    filter: &str,
) -> Result<Vec<(String, escalations_core::case::Case)>, rusqlite::Error> {
    let rows: Vec<(String, String)> = conn
        .prepare(&format!("SELECT partnership, body FROM cases {filter}"))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(partnership, body)| {
            let case = serde_json::from_str(&body).ok()?;
            Some((partnership, case))
        })
        .collect())
}

fn schema_version(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}
