//! The embedded adapter: the conformance suite, plus what only a file on disk can show.

use std::sync::Arc;

use escalations_core::case::Role;
use escalations_core::case::Transition;
use escalations_store::conformance::{self, Shared, actor, case_one, partnership, raised};
use escalations_store::{Created, Store, StoreError};
use escalations_store_sqlite::SqliteStore;

/// A fresh store in its own temporary directory, kept for the life of the test process.
async fn fresh() -> Shared {
    let dir = tempfile::tempdir().unwrap().keep();
    Arc::new(SqliteStore::open(dir.join("escalations.db")).await.unwrap())
}

escalations_store::conformance_suite!(fresh);

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

/// A file holding `t`'s case, put back as an older release left it by `rewind` (SQL), then
/// opened again by this release: the migration under test runs on that open.
async fn reopened_after_rewind(
    path: &std::path::Path,
    p: &escalations_core::ids::PartnershipId,
    t: &escalations_core::case::Transition,
    rewind: &str,
) -> SqliteStore {
    SqliteStore::open(path)
        .await
        .unwrap()
        .create_case(p, t, None)
        .await
        .unwrap();
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(rewind)
        .unwrap();
    SqliteStore::open(path).await.unwrap()
}

/// The schema version a file is migrated to on open.
const CURRENT_SCHEMA: i64 = 12;

/// The file's schema version.
fn schema_version(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn data_written_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let t = case_one();
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.create_case(&p, &t, None).await.unwrap();
        store
            .put_partnership(&conformance::config("sefton-scp"))
            .await
            .unwrap();
    }
    let reopened = SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        reopened.load_case(&p, &t.case.id).await.unwrap(),
        Some(t.case.clone())
    );
    assert_eq!(reopened.chronology(&p, &t.case.id).await.unwrap(), t.events);
    assert_eq!(reopened.partnerships().await.unwrap(), [p]);
}

#[tokio::test]
async fn the_file_itself_refuses_to_change_or_remove_the_chronology_or_the_access_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let p = partnership("sefton-scp");
    let t = case_one();
    store.create_case(&p, &t, None).await.unwrap();
    let read = escalations_store::CaseAccess {
        at: at("2026-11-23T11:00:00Z"),
        by: escalations_core::ids::PersonId::parse("pat").unwrap(),
        agency: escalations_core::ids::AgencyId::parse("school").unwrap(),
        role: Role::Practitioner,
        part: escalations_store::CasePart::Case,
    };
    store.record_access(&p, &t.case.id, &read).await.unwrap();

    // Whatever code runs against the file — a script, a console, a bug — is refused.
    let conn = rusqlite::Connection::open(&path).unwrap();
    for (sql, says) in [
        ("DELETE FROM events", "the chronology is append-only"),
        (
            "UPDATE events SET body = '{}'",
            "the chronology is append-only",
        ),
        (
            "DELETE FROM case_access",
            "the access history is append-only",
        ),
        (
            "UPDATE case_access SET person = 'someone-else'",
            "the access history is append-only",
        ),
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains(says), "{sql}: {err}");
    }
    assert_eq!(store.chronology(&p, &t.case.id).await.unwrap(), t.events);
    assert_eq!(
        store.access_history(&p, &t.case.id).await.unwrap(),
        vec![read]
    );
}

#[tokio::test]
async fn a_corrupt_row_is_an_error_naming_its_key_and_field_never_a_skip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let p = partnership("sefton-scp");
    let t = case_one();
    store.create_case(&p, &t, None).await.unwrap();
    // Schema drift: a stage id that is no longer valid, written behind the store's back, in
    // the case and in what lists and queues show of it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE cases SET body = json_set(body, '$.stage', 'Step One'),
                          summary = json_set(summary, '$.stage', 'Step One') WHERE id = 'case-1';
         UPDATE case_work SET summary = json_set(summary, '$.stage', 'Step One');",
    )
    .unwrap();
    let err = store.load_case(&p, &t.case.id).await.unwrap_err();
    match &err {
        StoreError::Corrupt { key, field, .. } => {
            assert_eq!(key, "cases/sefton-scp/case-1");
            assert_eq!(field, "stage");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("cases/sefton-scp/case-1"), "{err}");
    // Lists fail too rather than quietly leaving the case out.
    let listed = store
        .list_cases(
            &p,
            &escalations_store::Scope::Partnership,
            &Default::default(),
            &escalations_store::PageRequest::first(10),
        )
        .await;
    assert!(
        matches!(&listed, Err(StoreError::Corrupt { key, field, .. })
            if key == "cases/sefton-scp/case-1#summary" && field == "stage"),
        "{listed:?}"
    );
    let queue = escalations_store::WorkQueue::Agency(
        escalations_core::ids::AgencyId::parse("social-care").unwrap(),
    );
    let queued = store.work_queue(&p, &queue).await;
    assert!(
        matches!(queued, Err(StoreError::Corrupt { .. })),
        "{queued:?}"
    );
}

/// Run by the multi-process test in child processes; does nothing when run directly.
#[tokio::test]
async fn child_process_writer() {
    let Ok(path) = std::env::var("ESCALATIONS_CHILD_DB") else {
        return;
    };
    let writer = std::env::var("ESCALATIONS_CHILD_WRITER").unwrap();
    let store = SqliteStore::open(path).await.unwrap();
    let p = partnership("sefton-scp");
    let id = escalations_core::ids::CaseId::parse("case-1").unwrap();
    let mut written = 0;
    while written < 20 {
        let read = store.load_case(&p, &id).await.unwrap().unwrap();
        let mut next = read.clone();
        next.version += 1;
        let t = escalations_core::case::Transition {
            events: vec![escalations_core::case::Event {
                case: id.clone(),
                version: next.version,
                seq: 0,
                at: read.updated_at,
                by: Some(escalations_core::ids::PersonId::parse(&writer).unwrap()),
                kind: escalations_core::case::EventKind::Submitted {
                    stage: read.stage.clone(),
                },
            }],
            case: next,
        };
        match store.apply(&p, &t).await {
            Ok(()) => written += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn several_processes_can_write_one_file_without_losing_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let p = partnership("sefton-scp");
    let t = case_one();
    store.create_case(&p, &t, None).await.unwrap();
    let children: Vec<_> = (0..4)
        .map(|n| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_process_writer", "--nocapture"])
                .env("ESCALATIONS_CHILD_DB", &path)
                .env("ESCALATIONS_CHILD_WRITER", format!("process-{n}"))
                // The child's own test report is not this run's: keep it out of the output.
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let case = store.load_case(&p, &t.case.id).await.unwrap().unwrap();
    assert_eq!(case.version, 1 + 4 * 20);
    let chronology = store.chronology(&p, &t.case.id).await.unwrap();
    assert_eq!(chronology.len(), t.events.len() + 80);
    for n in 0..4 {
        let by = format!("process-{n}");
        assert_eq!(
            chronology
                .iter()
                .filter(|e| e.by.as_ref().is_some_and(|b| b.as_str() == by))
                .count(),
            20
        );
    }
}

/// A file from before agreed actions had owner agencies (schema version 1) gains the table
/// that lists a case under the agencies owning its actions, and its cases still list.
#[tokio::test]
async fn a_file_from_before_action_owners_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let pat = actor("pat", "school", Role::Practitioner);
    let t = raised("case-1", &pat, "social-care", at("2026-11-23T10:00:00Z"));
    let store = reopened_after_rewind(
        &path,
        &p,
        &t,
        "DROP TABLE case_agencies; DROP TABLE pending_notices; PRAGMA user_version = 1;",
    )
    .await;
    let school =
        escalations_store::Scope::Agency(escalations_core::ids::AgencyId::parse("school").unwrap());
    let page = store
        .list_cases(
            &p,
            &school,
            &escalations_store::CaseFilter::default(),
            &escalations_store::PageRequest::new(10, None),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(schema_version(&path), CURRENT_SCHEMA);
}

#[tokio::test]
async fn a_file_from_before_idempotency_keys_had_a_person_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let pat = actor("pat", "school", Role::Practitioner);
    let t = raised("case-1", &pat, "social-care", at("2026-11-23T10:00:00Z"));
    // Put the file back as the previous release left it: no schema version, and
    // idempotency keyed by (partnership, key) only, with a key already used.
    let store = reopened_after_rewind(
        &path,
        &p,
        &t,
        "DROP TABLE idempotency; DROP TABLE pending_notices;
             CREATE TABLE idempotency (
                 partnership TEXT NOT NULL,
                 key TEXT NOT NULL,
                 fingerprint TEXT NOT NULL,
                 case_id TEXT NOT NULL,
                 PRIMARY KEY (partnership, key)
             );
             INSERT INTO idempotency VALUES ('sefton-scp', 'key-0000001', 'request-a', 'case-1');
             PRAGMA user_version = 0;",
    )
    .await;
    assert_eq!(
        schema_version(&path),
        CURRENT_SCHEMA,
        "migrated to the current version"
    );
    // Cases are untouched.
    assert_eq!(store.load_case(&p, &t.case.id).await.unwrap(), Some(t.case));
    // The old row named no person, so it answers nobody: the key now creates a case, and a
    // retry by the same person replays that one.
    let key = escalations_store::Idempotency {
        person: pat.person.clone(),
        key: escalations_store::IdempotencyKey::parse("key-0000001").unwrap(),
        fingerprint: "request-a".into(),
    };
    let again = raised("case-2", &pat, "social-care", at("2026-11-23T11:00:00Z"));
    let created = store.create_case(&p, &again, Some(&key)).await.unwrap();
    assert!(matches!(created, Created::New(ref c) if c.id == again.case.id));
    let retry = raised("case-3", &pat, "social-care", at("2026-11-23T11:01:00Z"));
    let replayed = store.create_case(&p, &retry, Some(&key)).await.unwrap();
    assert!(matches!(replayed, Created::Replayed(ref c) if c.id == again.case.id));
    // Opening it again migrates nothing twice.
    drop(store);
    SqliteStore::open(&path).await.unwrap();
    assert_eq!(
        store_count(
            &rusqlite::Connection::open(&path).unwrap(),
            "SELECT count(*) FROM idempotency"
        ),
        1,
        "the key survives a second open"
    );
}

fn store_count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_file_from_before_child_keys_is_migrated_on_open_and_its_cases_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let pat = actor("pat", "school", Role::Practitioner);
    let t = raised("case-1", &pat, "social-care", at("2026-11-23T10:00:00Z"));
    let store = reopened_after_rewind(
        &path,
        &p,
        &t,
        "DROP TABLE match_secrets; DROP INDEX cases_by_child; DROP TABLE pending_notices;
             ALTER TABLE cases DROP COLUMN child_key; PRAGMA user_version = 2;",
    )
    .await;
    assert_eq!(store.load_case(&p, &t.case.id).await.unwrap(), Some(t.case));
    let secret = escalations_core::case::MatchSecret::new(vec![5; 32]).unwrap();
    assert_eq!(store.match_secret(&p, &secret).await.unwrap(), secret);
    assert_eq!(schema_version(&path), CURRENT_SCHEMA);
}

#[tokio::test]
async fn a_file_whose_child_keys_are_only_in_case_documents_gets_them_indexed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let pat = actor("pat", "school", Role::Practitioner);
    let mut t = raised("case-1", &pat, "social-care", at("2026-11-23T10:00:00Z"));
    if let Some(child) = t.case.child.as_mut() {
        child.date_of_birth = Some("2016-02-29".parse().unwrap());
    }
    let t = t.with_child_key(&escalations_core::case::MatchSecret::new(vec![5; 32]).unwrap());
    let key = t.case.child_key.clone().unwrap();
    // As version 3 left it: the key inside the case document, no column.
    let store = reopened_after_rewind(
        &path,
        &p,
        &t,
        "DROP INDEX cases_by_child; ALTER TABLE cases DROP COLUMN child_key;
             DROP TABLE pending_notices; PRAGMA user_version = 3;",
    )
    .await;
    let about = store.open_cases_about(&p, &key).await.unwrap();
    assert_eq!(
        about.len(),
        1,
        "the key was copied out of the case document"
    );
    assert_eq!(about[0].id, t.case.id);
    assert_eq!(schema_version(&path), CURRENT_SCHEMA);
}

/// A file from before pending notices (schema version 4) gains the outbox on open: its cases
/// load, a change keeps the notices it plans, and they come due, are claimed and finished.
#[tokio::test]
async fn a_file_from_before_pending_notices_is_migrated_on_open_and_keeps_new_ones() {
    use escalations_store::{NoticeEnd, NoticeKey, NoticeOutcome, PageRequest, PendingNotice};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let pat = actor("pat", "school", Role::Practitioner);
    let t = raised("case-1", &pat, "social-care", at("2026-11-23T10:00:00Z"));
    let store = reopened_after_rewind(
        &path,
        &p,
        &t,
        "DROP INDEX pending_notices_by_due; DROP TABLE pending_notices;
             PRAGMA user_version = 4;",
    )
    .await;
    assert_eq!(schema_version(&path), CURRENT_SCHEMA);
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap(),
        Some(t.case.clone())
    );
    let later = raised("case-2", &pat, "social-care", at("2026-11-23T11:00:00Z"));
    let key = NoticeKey::parse("raised/v1").unwrap();
    let notice = PendingNotice {
        case: later.case.id.clone(),
        key: key.clone(),
        not_before: at("2026-11-23T11:00:00Z"),
        plan: "{}".into(),
    };
    store
        .create_case_noting(&p, &later, None, &[notice])
        .await
        .unwrap();
    let now = at("2026-11-23T12:00:00Z");
    let due = store
        .due_notices(&p, now, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(due.items.len(), 1);
    let claimed = store
        .claim_notice(&p, &later.case.id, &key, now, at("2026-11-23T12:05:00Z"))
        .await
        .unwrap()
        .expect("pending");
    assert_eq!(claimed.attempts, 1);
    assert_eq!(
        store
            .finish_notice(&p, &later.case.id, &key, NoticeEnd::Sent, now)
            .await
            .unwrap(),
        NoticeOutcome::Recorded
    );
    assert_eq!(store.notices(&p, &later.case.id).await.unwrap().len(), 1);
}

/// A file from before configurations had versions (schema version 6) gains them on open: its
/// partnership reads as version 1, and an administrator's change is conditional and recorded.
#[tokio::test]
async fn a_file_from_before_configuration_versions_is_migrated_on_open() {
    use escalations_store::{ConfigChange, ConfigVersion, PageRequest};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let config = escalations_store::conformance::admin_config("sefton-scp");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.put_partnership(&config).await.unwrap();
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP TABLE config_changes; ALTER TABLE partnerships DROP COLUMN version;
             PRAGMA user_version = 6;",
        )
        .unwrap();
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(schema_version(&path), CURRENT_SCHEMA);
    assert_eq!(
        store.partnership_versioned(&config.id).await.unwrap(),
        Some((config.clone(), ConfigVersion(1)))
    );
    let mut changed = config.clone();
    changed.closure_days.push("2026-12-29".parse().unwrap());
    let change = ConfigChange {
        version: ConfigVersion(2),
        at: at("2026-12-01T10:00:00Z"),
        by: escalations_core::ids::PersonId::parse("admin").unwrap(),
        what: "added closure day Tuesday 29 December 2026".into(),
    };
    store
        .change_partnership(&changed, ConfigVersion(1), &change)
        .await
        .unwrap();
    let record = store
        .partnership_changes(&config.id, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(record.items, [change]);
}

/// The same contract with every change in its own transaction (`Writes::OneByOne`, the mode
/// the group-commit benchmark compares against).
mod one_by_one {
    use std::sync::Arc;

    use escalations_store::conformance::Shared;
    use escalations_store_sqlite::{SqliteStore, Writes};

    async fn fresh() -> Shared {
        let dir = tempfile::tempdir().unwrap().keep();
        Arc::new(
            SqliteStore::open_with(dir.join("escalations.db"), Writes::OneByOne)
                .await
                .unwrap(),
        )
    }

    escalations_store::conformance_suite!(fresh);
}

/// Group commit: many changes at once share transactions, and each caller's answer means its
/// change is on disk — every one is there after the store is opened afresh from the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_committed_together_are_each_on_disk_when_answered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let p = partnership("sefton-scp");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let raiser = actor("pat", "school", Role::Practitioner);
    let mut writers = Vec::new();
    for n in 0..200 {
        let (store, p, raiser) = (store.clone(), p.clone(), raiser.clone());
        writers.push(tokio::spawn(async move {
            let t = raised(
                &format!("case-{n:03}"),
                &raiser,
                "social-care",
                at("2026-11-23T10:00:00Z"),
            );
            store.create_case(&p, &t, None).await.unwrap();
            t
        }));
    }
    let mut written = Vec::new();
    for w in writers {
        written.push(w.await.unwrap());
    }
    // Another process's view of the file: a new store, its own connections.
    let reopened = SqliteStore::open(&path).await.unwrap();
    for t in &written {
        assert_eq!(
            reopened.load_case(&p, &t.case.id).await.unwrap().as_ref(),
            Some(&t.case)
        );
    }
    // A second create of the same id, sent among fresh creates, is refused alone.
    let mut writers = Vec::new();
    for n in 200..240 {
        let (store, p, raiser) = (store.clone(), p.clone(), raiser.clone());
        writers.push(tokio::spawn(async move {
            let id = if n % 10 == 0 {
                "case-000".to_owned()
            } else {
                format!("case-{n:03}")
            };
            let t = raised(&id, &raiser, "social-care", at("2026-11-24T10:00:00Z"));
            (n, store.create_case(&p, &t, None).await)
        }));
    }
    for w in writers {
        let (n, result) = w.await.unwrap();
        if n % 10 == 0 {
            assert!(
                matches!(result, Err(StoreError::AlreadyExists { .. })),
                "{n}: {result:?}"
            );
        } else {
            assert!(matches!(result, Ok(Created::New(_))), "{n}: {result:?}");
        }
    }
    assert_eq!(
        reopened
            .load_case(
                &p,
                &escalations_core::ids::CaseId::parse("case-000").unwrap()
            )
            .await
            .unwrap()
            .map(|c| c.raised_at),
        Some(at("2026-11-23T10:00:00Z")),
        "the refused duplicate changed nothing"
    );
}

/// A file holding one raised case, reopened after `rewind` (SQL) puts it back as an older
/// release or a failed migration left it; and what lists and queues should show of the case.
async fn one_case_after(rewind: &str) -> (tempfile::TempDir, SqliteStore, Transition) {
    let dir = tempfile::tempdir().unwrap();
    let t = case_one();
    let path = dir.path().join("escalations.db");
    let store = reopened_after_rewind(&path, &partnership("sefton-scp"), &t, rewind).await;
    (dir, store, t)
}

/// The case of `t` lists for its raising agency, is in its receiving agency's work queue, and
/// is found by its child key, each as its summary.
async fn assert_lists_and_queues(store: &SqliteStore, t: &Transition) {
    use escalations_core::ids::AgencyId;
    use escalations_store::{CaseFilter, CaseSummary, PageRequest, Scope, WorkQueue};
    let p = partnership("sefton-scp");
    let expected = CaseSummary::of(&t.case);
    let listed = store
        .list_cases(
            &p,
            &Scope::Agency(AgencyId::parse("school").unwrap()),
            &CaseFilter::default(),
            &PageRequest::new(10, None),
        )
        .await
        .unwrap();
    assert_eq!(listed.items, std::slice::from_ref(&expected), "listed");
    let queue = WorkQueue::Agency(AgencyId::parse("social-care").unwrap());
    assert_eq!(
        store.work_queue(&p, &queue).await.unwrap(),
        std::slice::from_ref(&expected),
        "queued"
    );
    if let Some(key) = &t.case.child_key {
        assert_eq!(store.open_cases_about(&p, key).await.unwrap(), [expected]);
    }
}

/// A file from before lists kept each case's summary (schema version 11) gains the column on
/// open, filled from its cases: the case lists, is in its receiving agency's work queue and
/// is found by its child key exactly as before, and no row is left without a summary.
#[tokio::test]
async fn a_file_from_before_summaries_were_kept_is_migrated_on_open_and_lists_as_before() {
    let (dir, store, t) = one_case_after(
        "ALTER TABLE cases DROP COLUMN summary; ALTER TABLE case_work DROP COLUMN summary;
         PRAGMA user_version = 11;",
    )
    .await;
    let path = dir.path().join("escalations.db");
    assert_eq!(schema_version(&path), CURRENT_SCHEMA);
    assert_lists_and_queues(&store, &t).await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    for table in ["cases", "case_work"] {
        let sql = format!("SELECT count(*) FROM {table} WHERE summary IS NULL");
        assert_eq!(store_count(&conn, &sql), 0, "{table}");
    }
}

/// A row without a summary (its body could not be read when the file was migrated, and was
/// mended since) still lists: the summary is made from the case itself.
#[tokio::test]
async fn a_case_row_without_a_summary_still_lists_from_its_body() {
    let (_dir, store, t) =
        one_case_after("UPDATE cases SET summary = NULL; UPDATE case_work SET summary = NULL;")
            .await;
    assert_lists_and_queues(&store, &t).await;
}

/// Lists keep what they decoded for their next read. What one process listed and another then
/// changed lists as changed in the first: a kept summary is used only for the very text it was
/// decoded from.
#[tokio::test]
async fn a_case_changed_by_another_process_lists_as_changed() {
    use escalations_core::ids::AgencyId;
    use escalations_store::{CaseFilter, CaseSummary, PageRequest, Scope};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escalations.db");
    let (lister, changer) = (
        SqliteStore::open(&path).await.unwrap(),
        SqliteStore::open(&path).await.unwrap(),
    );
    let p = partnership("sefton-scp");
    let t = case_one();
    lister.create_case(&p, &t, None).await.unwrap();
    let listed = || async {
        let school = Scope::Agency(AgencyId::parse("school").unwrap());
        let (filter, page) = (CaseFilter::default(), PageRequest::new(10, None));
        let listed = lister.list_cases(&p, &school, &filter, &page);
        listed.await.unwrap().items
    };
    assert_eq!(listed().await, [CaseSummary::of(&t.case)]);
    let answered = conformance::respond(&t.case, at("2026-11-24T10:00:00Z"));
    changer.apply(&p, &answered).await.unwrap();
    let now = listed().await;
    assert_eq!(now, [CaseSummary::of(&answered.case)]);
    assert_ne!(
        now,
        [CaseSummary::of(&t.case)],
        "the response changed the summary"
    );
}
