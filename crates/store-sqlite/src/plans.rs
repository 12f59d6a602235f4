//! Every SQL statement written in this crate, explained by the SQLite this crate links against
//! the current schema: none reads a partnership's whole range of a table or scans one, except
//! the statements that page through a range in order (named below, with why).
//!
//! The soak found the reason for this test: the duplicate check on raise ("open cases about
//! this child") was planned over `cases_by_raised`, to save a sort, and so read every case of
//! the partnership per raise (and refiling a case's work-queue entries searched all of the
//! partnership's). Throughput fell as the file grew, with no error anywhere.

use rusqlite::Connection;

use crate::rows::SUMMARY_COLUMNS;

/// The source files whose SQL is checked (not `schema.rs`: a migration reads every stored
/// case once, by design).
const SOURCES: [(&str, &str); 3] = [
    ("lib.rs", include_str!("lib.rs")),
    ("rows.rs", include_str!("rows.rs")),
    ("config.rs", include_str!("config.rs")),
];

/// Statements that may read a partnership's range, by how they begin: the case list is paged
/// with a LIMIT in the index's order; the others read a table of a row or so per partnership.
const RANGE_READS: [(&str, &str); 3] = [
    (
        "SELECT id, {SUMMARY_COLUMNS} FROM cases WHERE partnership = ?1",
        "the case list: a page, newest first, in the index's order",
    ),
    (
        "SELECT secret FROM match_secrets",
        "one row per partnership: the partnership is its key",
    ),
    (
        "SELECT id FROM partnerships",
        "the partnerships: a handful of rows",
    ),
];

/// The SQL string literals in `source`: those beginning with a statement keyword.
fn statements(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for keyword in [
        "\"SELECT ",
        "\"DELETE ",
        "\"UPDATE ",
        "\"INSERT ",
        "\"WITH ",
    ] {
        let mut rest = source;
        while let Some(start) = rest.find(keyword) {
            let body = &rest[start + 1..];
            let end = body.find('"').expect("a closing quote");
            found.push(body[..end].to_owned());
            rest = &body[end..];
        }
    }
    found
}

fn plan(conn: &Connection, sql: &str) -> Vec<String> {
    let sql = sql.replace("{SUMMARY_COLUMNS}", SUMMARY_COLUMNS);
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    for i in 1..=stmt.parameter_count() {
        stmt.raw_bind_parameter(i, rusqlite::types::Null)
            .expect("bind");
    }
    let mut rows = stmt.raw_query();
    let mut steps = Vec::new();
    while let Some(row) = rows.next().expect("plan row") {
        steps.push(row.get::<_, String>(3).expect("detail"));
    }
    steps
}

#[test]
fn no_statement_reads_a_whole_partnership_unless_it_pages() {
    let mut conn = Connection::open_in_memory().expect("memory");
    crate::schema::migrate(&mut conn).expect("schema");
    let mut checked = 0;
    let mut faults = Vec::new();
    for (file, source) in SOURCES {
        for sql in statements(source) {
            if !sql.contains(" FROM ") && !sql.starts_with("UPDATE ") {
                continue; // an INSERT of values reads nothing
            }
            checked += 1;
            let ranged = RANGE_READS.iter().any(|(start, _)| sql.starts_with(start));
            for step in plan(&conn, &sql) {
                let whole = step.starts_with("SCAN ") || step.ends_with("(partnership=?)");
                if whole && !ranged {
                    faults.push(format!(
                        "{file}: {}\n    {step}",
                        sql.split_whitespace().collect::<Vec<_>>().join(" ")
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 25,
        "found only {checked} statements: is the scan still finding them?"
    );
    assert!(
        faults.is_empty(),
        "statements reading a whole partnership:\n{}",
        faults.join("\n")
    );
}
