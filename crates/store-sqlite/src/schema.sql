-- The embedded store's schema. The partnership is the first column of every primary key.
-- Every statement is idempotent (IF NOT EXISTS); a change to an existing table needs a
-- step in schema.rs's `migrate` and a new SCHEMA_VERSION.
CREATE TABLE IF NOT EXISTS partnerships (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    -- The configuration's version (schema version 7): every change is conditional on it.
    version INTEGER NOT NULL DEFAULT 1
);
-- The record of administrators' changes to a configuration (schema version 7), one row per
-- version a change produced; `body` is the change as JSON (who, when, what).
CREATE TABLE IF NOT EXISTS config_changes (
    partnership TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (partnership, version)
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
    -- The child's keyed hash, NULL without one (schema version 4): the duplicate check.
    child_key TEXT,
    -- A closed case's last change, NULL while open and once erased (schema version 10): the
    -- retention query.
    closed_at TEXT,
    -- What a list or a work queue shows of the case (`CaseSummary` as JSON, schema version
    -- 12): read instead of the whole case. NULL only in a row whose body cannot be read.
    summary TEXT,
    PRIMARY KEY (partnership, id)
);
CREATE INDEX IF NOT EXISTS cases_by_due ON cases (partnership, due, id) WHERE due IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_by_raised ON cases (partnership, raised_at, id);
CREATE INDEX IF NOT EXISTS cases_by_closed ON cases (partnership, closed_at, id) WHERE closed_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS case_people (
    partnership TEXT NOT NULL,
    person TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (partnership, person, case_id)
);
-- Agencies owning an agreed action in a case (beyond its two parties): their agency's list.
CREATE TABLE IF NOT EXISTS case_agencies (
    partnership TEXT NOT NULL,
    agency TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (partnership, agency, case_id)
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
CREATE TABLE IF NOT EXISTS match_secrets (
    partnership TEXT PRIMARY KEY,
    secret BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_child ON cases (partnership, child_key) WHERE child_key IS NOT NULL;
-- Notices a change planned, kept with it until sent or dropped (schema version 5): the outbox.
-- `not_before` and `lease_until` are sortable instants; `plan` is the core's plan, as JSON.
CREATE TABLE IF NOT EXISTS pending_notices (
    partnership TEXT NOT NULL,
    case_id TEXT NOT NULL,
    key TEXT NOT NULL,
    not_before TEXT NOT NULL,
    plan TEXT NOT NULL,
    lease_until TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partnership, case_id, key)
);
CREATE INDEX IF NOT EXISTS pending_notices_by_due ON pending_notices (partnership, not_before, case_id, key);
-- Each person's calendar feed (schema version 8): only the SHA-256 hash of its secret.
CREATE TABLE IF NOT EXISTS calendar_feeds (
    partnership TEXT NOT NULL,
    person TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (partnership, person)
);
-- Each read of a case (schema version 9): who, when, which part. Ids only.
CREATE TABLE IF NOT EXISTS case_access (
    partnership TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at TEXT NOT NULL,
    person TEXT NOT NULL,
    part TEXT NOT NULL,
    agency TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (partnership, case_id, at, person, part)
);
-- The chronology and the access history are append-only (schema version 9): the file itself
-- refuses to change or remove a row, whatever code runs against it.
CREATE TRIGGER IF NOT EXISTS events_not_updated BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the chronology is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_not_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the chronology is append-only'); END;
CREATE TRIGGER IF NOT EXISTS case_access_not_updated BEFORE UPDATE ON case_access
BEGIN SELECT RAISE(ABORT, 'the access history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS case_access_not_deleted BEFORE DELETE ON case_access
BEGIN SELECT RAISE(ABORT, 'the access history is append-only'); END;
-- The work queues each case is in (schema version 11): a person's queue reads only these.
CREATE TABLE IF NOT EXISTS case_work (
    partnership TEXT NOT NULL,
    queue TEXT NOT NULL,
    case_id TEXT NOT NULL,
    -- The case's summary (schema version 12), as in `cases`: a queue is one range of this
    -- table. NULL only where the case's body could not be read when the file was migrated.
    summary TEXT,
    PRIMARY KEY (partnership, queue, case_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS case_work_by_case ON case_work (partnership, case_id);
