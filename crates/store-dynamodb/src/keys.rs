//! Every key of the single table, built in one place.
//!
//! Architecture invariant: every partition key that holds partnership data starts with
//! `P#{partnership}#`, and every query is built from a partnership taken from the caller's
//! identity, so no request can reach another partnership's items. Ids are lower-case kebab
//! case, so `#` never occurs inside one and keys cannot be forged by a crafted id.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | case | `P#{p}#CASE#{case}` | `CASE` |
//! | chronology event | `P#{p}#CASE#{case}` | `EV#{version:012}#{seq:04}` |
//! | notice sent | `P#{p}#CASE#{case}` | `NOTICE#{key}` |
//! | notice pending (the outbox) | `P#{p}#CASE#{case}` | `OUTBOX#{key}` |
//! | list entry | `P#{p}#VIEW#ALL`, `P#{p}#VIEW#A#{agency}`, `P#{p}#VIEW#U#{person}`, `P#{p}#VIEW#K#{child key}` | `{raised_at}#{case}` |
//! | idempotency key (scoped to the person who sent it) | `P#{p}#IDEM#{person}#{key}` | `IDEM` |
//! | partnership configuration (with its `config_version`) | `P#{p}` | `CONFIG` |
//! | a change to the configuration (who, when, what) | `P#{p}` | `CHANGE#{version:012}` |
//! | secret for child keys | `P#{p}` | `MATCH-SECRET` |
//! | partnership registry | `PARTNERSHIPS` | `{p}` |
//! | calendar feed (the hash of a person's feed secret) | `P#{p}` | `CALENDAR-FEED#{person}` |
//!
//! Index `open-clocks` (sparse: only case items with a running clock carry its keys):
//! `due_pk = P#{p}#DUE#{shard}`, `due_sk = {due}#{case}`, shard = FNV-1a(case id) mod
//! [`SHARDS`], so one partnership's open clocks spread over several partitions.
//!
//! The same index holds pending notices, in partitions of their own: an outbox item carries
//! `due_pk = P#{p}#NOTICES#{shard}` (the same shard function, by case id) and
//! `due_sk = {not_before}#{case}#{key}` until it is finished. The instant has a fixed width and
//! a case id has no `#`, so [`parse_notice_due_sk`] reads all three back from the key (the
//! index projects keys always, so nothing beyond the template's projection is needed).

use chrono::{DateTime, Utc};
use escalations_core::case::ChildKey;
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId};
use escalations_store::{IdempotencyKey, NoticeKey, Scope, sortable_instant};

pub const CASE_SK: &str = "CASE";
pub const EVENT_PREFIX: &str = "EV#";
pub const NOTICE_PREFIX: &str = "NOTICE#";
pub const OUTBOX_PREFIX: &str = "OUTBOX#";
pub const IDEMPOTENCY_SK: &str = "IDEM";
pub const ACCESS_PREFIX: &str = "ACCESS#";
pub const CONFIG_SK: &str = "CONFIG";
/// Beside the configuration: the record of administrators' changes to it, by version.
pub const CONFIG_CHANGE_PREFIX: &str = "CHANGE#";
/// Beside the configuration, in the partnership's own partition: its secret for child keys.
pub const MATCH_SECRET_SK: &str = "MATCH-SECRET";
pub const REGISTRY_PK: &str = "PARTNERSHIPS";

/// The sparse index of open clocks.
pub const OPEN_CLOCKS_INDEX: &str = "open-clocks";
/// Partitions per partnership in the open-clocks index.
pub const SHARDS: u32 = 4;

pub fn case_pk(p: &PartnershipId, case: &CaseId) -> String {
    format!("P#{p}#CASE#{case}")
}

pub fn event_sk(version: u64, seq: u32) -> String {
    format!("{EVENT_PREFIX}{version:012}#{seq:04}")
}

pub fn notice_sk(key: &NoticeKey) -> String {
    format!("{NOTICE_PREFIX}{}", key.as_str())
}

pub fn access_sk(access: &escalations_store::CaseAccess) -> String {
    format!(
        "{ACCESS_PREFIX}{}#{}#{}",
        sortable_instant(access.at),
        access.by,
        access.part
    )
}

pub fn outbox_sk(key: &NoticeKey) -> String {
    format!("{OUTBOX_PREFIX}{}", key.as_str())
}

pub fn view_pk(p: &PartnershipId, scope: &Scope) -> String {
    match scope {
        Scope::Partnership => format!("P#{p}#VIEW#ALL"),
        Scope::Agency(agency) => agency_view_pk(p, agency),
        Scope::Person(person) => person_view_pk(p, person),
    }
}

pub fn agency_view_pk(p: &PartnershipId, agency: &AgencyId) -> String {
    format!("P#{p}#VIEW#A#{agency}")
}

/// The cases about one child, by the child's keyed hash (never the child's details): the
/// duplicate check's lookup. A key is hex, so it cannot run into another part.
pub fn child_view_pk(p: &PartnershipId, child: &ChildKey) -> String {
    format!("P#{p}#VIEW#K#{}", child.as_str())
}

/// A work queue's entries: the cases in it (`Case::work_queues`), as list entries.
pub fn work_pk(p: &PartnershipId, queue: &escalations_store::WorkQueue) -> String {
    format!("P#{p}#WORK#{}", queue.key())
}

pub fn person_view_pk(p: &PartnershipId, person: &PersonId) -> String {
    format!("P#{p}#VIEW#U#{person}")
}

pub fn view_sk(raised_at: DateTime<Utc>, case: &CaseId) -> String {
    format!("{}#{case}", sortable_instant(raised_at))
}

/// A key belongs to the person who sent it: the same key from someone else is another item,
/// so it never answers with their case. A person id is kebab case and an idempotency key has
/// no `#`, so the two parts cannot run into each other.
pub fn idempotency_pk(p: &PartnershipId, person: &PersonId, key: &IdempotencyKey) -> String {
    format!("P#{p}#IDEM#{person}#{key}")
}

pub fn config_pk(p: &PartnershipId) -> String {
    format!("P#{p}")
}

pub fn config_change_sk(version: u64) -> String {
    format!("{CONFIG_CHANGE_PREFIX}{version:012}")
}

/// FNV-1a: stable across releases and platforms, unlike the standard library's hasher.
pub fn shard(case: &CaseId) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in case.as_str().bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % SHARDS
}

pub fn due_pk(p: &PartnershipId, shard: u32) -> String {
    format!("P#{p}#DUE#{shard}")
}

pub fn due_sk(due: DateTime<Utc>, case: &CaseId) -> String {
    format!("{}#{case}", sortable_instant(due))
}

/// A partition of a partnership's pending notices in the open-clocks index.
/// The retention query's partition of a shard: closed cases not yet erased, by last change.
pub fn closed_pk(p: &PartnershipId, shard: u32) -> String {
    format!("P#{p}#CLOSED#{shard}")
}

pub fn notices_due_pk(p: &PartnershipId, shard: u32) -> String {
    format!("P#{p}#NOTICES#{shard}")
}

pub fn notice_due_sk(not_before: DateTime<Utc>, case: &CaseId, key: &NoticeKey) -> String {
    format!("{}#{case}#{}", sortable_instant(not_before), key.as_str())
}

/// `(not_before, case, key)` of a pending notice's `due_sk`, as text: the instant ends at the
/// first `#`, the case id at the next (ids have none); the key is the rest (it may have some).
pub fn parse_notice_due_sk(due_sk: &str) -> Option<(&str, &str, &str)> {
    let (instant, rest) = due_sk.split_once('#')?;
    let (case, key) = rest.split_once('#')?;
    Some((instant, case, key))
}

/// The upper bound of a due query: every `due_sk` whose instant is at or before `instant`.
/// `~` sorts after every character of a case id.
pub fn due_sk_upper(instant: DateTime<Utc>) -> String {
    format!("{}#~", sortable_instant(instant))
}

/// The smallest key after `sk`: ids and notice keys never contain a space, which sorts before
/// every character they have.
pub fn after(sk: &str) -> String {
    format!("{sk} ")
}

// --- Calendar feeds ---------------------------------------------------------------------

pub const CALENDAR_FEED_PREFIX: &str = "CALENDAR-FEED#";

/// A person's calendar feed, in the partnership's own partition beside its configuration
/// (pk [`config_pk`]).
pub fn calendar_feed_sk(person: &PersonId) -> String {
    format!("{CALENDAR_FEED_PREFIX}{person}")
}
