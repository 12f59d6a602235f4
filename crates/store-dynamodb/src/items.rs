//! What the adapter stores: one struct per kind of item (see [`crate::keys`] for the
//! table), built from the domain and decoded back into it with serde_dynamo. An item that
//! does not decode is [`StoreError::Corrupt`], naming its `pk / sk` and the field.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, Event};
use escalations_core::ids::{CaseId, ClockId, PartnershipId, ProcedureId, StageId};
use escalations_store::{
    CaseSummary, ClaimedNotice, ClosedCase, DueClock, DueNotice, Notice, NoticeKey,
    PartnershipConfig, PendingNotice, Scope, StoreError, sortable_instant,
};
use serde::{Deserialize, Serialize};

use crate::keys;

pub(crate) type Item = HashMap<String, AttributeValue>;

#[derive(Serialize, Deserialize)]
pub(crate) struct CaseItem {
    pub pk: String,
    pub sk: String,
    pub partnership: PartnershipId,
    pub case_id: CaseId,
    pub version: u64,
    pub procedure: String,
    pub case: Case,
    // The open-clocks index keys: present only while a clock runs (a sparse index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_clock: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_owner: Option<escalations_core::procedure::Party>,
}

/// What the open-clocks index projects.
#[derive(Deserialize)]
pub(crate) struct DueItem {
    pub partnership: PartnershipId,
    pub case_id: CaseId,
    pub procedure: ProcedureId,
    pub due: DateTime<Utc>,
    pub due_stage: StageId,
    pub due_clock: ClockId,
    pub due_owner: escalations_core::procedure::Party,
    pub due_sk: String,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct EventItem {
    pub pk: String,
    pub sk: String,
    pub event: Event,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ViewItem {
    pub pk: String,
    pub sk: String,
    pub status: String,
    pub stage: String,
    pub procedure: String,
    /// The running clock's due instant, for the overdue filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    pub summary: CaseSummary,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct NoticeItem {
    pub pk: String,
    pub sk: String,
    pub notice: Notice,
}

/// One read of a case, in the case's partition: `ACCESS#<instant>#<person>#<part>`.
#[derive(Serialize, Deserialize)]
pub(crate) struct AccessItem {
    pub pk: String,
    pub sk: String,
    pub access: escalations_store::CaseAccess,
}

/// A pending notice (the outbox), as a claim reads it back. Written attribute by attribute
/// (`transactions::pending`, `DynamoStore::claim_notice`), so instants are sortable text.
#[derive(Deserialize)]
pub(crate) struct PendingItem {
    pub case_id: CaseId,
    pub notice_key: NoticeKey,
    pub not_before: DateTime<Utc>,
    pub plan: String,
    pub lease_until: DateTime<Utc>,
    pub attempts: u32,
}

impl PendingItem {
    pub(crate) fn claimed(self) -> ClaimedNotice {
        ClaimedNotice {
            notice: PendingNotice {
                case: self.case_id,
                key: self.notice_key,
                not_before: self.not_before,
                plan: self.plan,
            },
            attempts: self.attempts,
            lease_until: self.lease_until,
        }
    }
}

/// A pending notice as the open-clocks index holds it: keys only, read back from `due_sk`.
/// A closed case as the open-clocks index holds it under `CLOSED#`: read back from `due_sk`
/// (`{last change}#{case}`).
pub(crate) fn closed_case(item: &Item) -> Result<(String, ClosedCase), StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        key: item_key(item),
        field: "due_sk".into(),
        message,
    };
    let Some(AttributeValue::S(due_sk)) = item.get("due_sk") else {
        return Err(corrupt("missing or not a string".into()));
    };
    let (instant, case) = due_sk
        .split_once('#')
        .ok_or_else(|| corrupt(format!("`{due_sk}` is not instant#case")))?;
    let last_change = DateTime::parse_from_rfc3339(instant)
        .map_err(|e| corrupt(format!("instant `{instant}`: {e}")))?
        .with_timezone(&Utc);
    let case = CaseId::parse(case).map_err(|e| corrupt(format!("case `{case}`: {e}")))?;
    Ok((due_sk.clone(), ClosedCase { case, last_change }))
}

pub(crate) fn due_notice(item: &Item) -> Result<(String, DueNotice), StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        key: item_key(item),
        field: "due_sk".into(),
        message,
    };
    let Some(AttributeValue::S(due_sk)) = item.get("due_sk") else {
        return Err(corrupt("missing or not a string".into()));
    };
    let (instant, case, key) = keys::parse_notice_due_sk(due_sk)
        .ok_or_else(|| corrupt(format!("`{due_sk}` is not instant#case#key")))?;
    let not_before = DateTime::parse_from_rfc3339(instant)
        .map_err(|e| corrupt(format!("instant `{instant}`: {e}")))?
        .with_timezone(&Utc);
    let case = CaseId::parse(case).map_err(|e| corrupt(format!("case `{case}`: {e}")))?;
    let key = NoticeKey::parse(key).map_err(|e| corrupt(format!("key `{key}`: {e}")))?;
    Ok((
        due_sk.clone(),
        DueNotice {
            case,
            key,
            not_before,
        },
    ))
}

#[derive(Serialize, Deserialize)]
pub(crate) struct IdempotencyItem {
    pub pk: String,
    pub sk: String,
    pub fingerprint: String,
    pub case_id: CaseId,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ConfigItem {
    pub pk: String,
    pub sk: String,
    pub config: PartnershipConfig,
    /// Absent on configurations stored before versions: they read as version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_version: Option<u64>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct RegistryItem {
    pub pk: String,
    pub sk: String,
}

pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(StoreError::backend)
}

/// Decodes an item, naming its key and the field that failed.
pub(crate) fn from_item<T: for<'de> Deserialize<'de>>(item: Item) -> Result<T, StoreError> {
    let key = item_key(&item);
    let item: serde_dynamo::Item = item.into();
    let de = serde_dynamo::Deserializer::from_attribute_value(serde_dynamo::AttributeValue::M(
        item.into(),
    ));
    serde_path_to_error::deserialize(de).map_err(|e| StoreError::Corrupt {
        key,
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

pub(crate) fn item_key(item: &Item) -> String {
    let part = |name: &str| match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => "?".to_owned(),
    };
    format!("{} / {}", part("pk"), part("sk"))
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn case_item(p: &PartnershipId, case: &Case) -> CaseItem {
    let running = case.running_clock();
    let closed = (!case.status.is_open() && case.erased_at.is_none()).then_some(case.updated_at);
    CaseItem {
        pk: keys::case_pk(p, &case.id),
        sk: keys::CASE_SK.to_owned(),
        partnership: p.clone(),
        case_id: case.id.clone(),
        version: case.version,
        procedure: case.procedure.to_string(),
        case: case.clone(),
        // One sparse index, two queries: a running clock by its due instant, or a closed case
        // not yet erased by its last change (the retention query).
        due_pk: match running {
            Some(_) => Some(keys::due_pk(p, keys::shard(&case.id))),
            None => closed.map(|_| keys::closed_pk(p, keys::shard(&case.id))),
        },
        due_sk: match running {
            Some(r) => Some(keys::due_sk(r.due, &case.id)),
            None => closed.map(|at| keys::due_sk(at, &case.id)),
        },
        due: running.map(|r| r.due),
        due_stage: running.map(|r| r.stage.to_string()),
        due_clock: running.map(|r| r.clock.to_string()),
        due_owner: running.map(|r| r.owner),
    }
}

pub(crate) fn view_items(p: &PartnershipId, case: &Case) -> Vec<ViewItem> {
    let summary = CaseSummary::of(case);
    let mut pks = vec![keys::view_pk(p, &Scope::Partnership)];
    pks.extend(
        case.agencies_concerned()
            .iter()
            .map(|a| keys::agency_view_pk(p, a)),
    );
    pks.extend(case.child_key.iter().map(|k| keys::child_view_pk(p, k)));
    pks.extend(
        case.people_involved()
            .iter()
            .map(|u| keys::person_view_pk(p, u)),
    );
    // The work queues it is in now; `transactions::apply` takes it out of the others.
    pks.extend(case.work_queues().iter().map(|q| keys::work_pk(p, q)));
    pks.into_iter()
        .map(|pk| ViewItem {
            pk,
            sk: keys::view_sk(case.raised_at, &case.id),
            status: summary.status.as_str().to_owned(),
            stage: summary.stage.to_string(),
            procedure: summary.procedure.to_string(),
            due: summary.running.as_ref().map(|r| sortable_instant(r.due)),
            summary: summary.clone(),
        })
        .collect()
}

pub(crate) fn due_clock(item: DueItem) -> DueClock {
    DueClock {
        partnership: item.partnership,
        case: item.case_id,
        procedure: item.procedure,
        stage: item.due_stage,
        clock: item.due_clock,
        owner: item.due_owner,
        due: item.due,
    }
}

/// A chronology event of case `case`.
pub(crate) fn event_item(p: &PartnershipId, case: &CaseId, event: &Event) -> EventItem {
    EventItem {
        pk: keys::case_pk(p, case),
        sk: keys::event_sk(event.version, event.seq),
        event: event.clone(),
    }
}
