//! The TransactWriteItems the adapter sends, and how it reads their cancellation.
//!
//! A new case, a case change and a partnership's configuration are each one transaction, so
//! they commit together or not at all: a case with its events and list entries, conditional
//! on the case being new (or at the version read); a raise's idempotency key in the same
//! transaction as the case it names; the notices a change plans (the outbox) in the same
//! transaction as the change.

use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, Transition};
use escalations_core::ids::{CaseId, PartnershipId};
use escalations_store::{
    Idempotency, Notice, NoticeKey, PartnershipConfig, PendingNotice, StoreError, sortable_instant,
};

use crate::items::{
    IdempotencyItem, Item, NoticeItem, RegistryItem, case_item, event_item, s, to_item, view_items,
};
use crate::{DynamoStore, keys};

/// Retries a transaction that lost a race with another transaction on the same items
/// (`TransactionConflict`), which is not a condition failure and says nothing about the data.
pub(crate) const TRANSACTION_RETRIES: u32 = 8;

pub(crate) async fn backoff(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt + 1))).await;
}

/// The most items DynamoDB takes in one TransactWriteItems.
pub(crate) const MAX_TRANSACTION_ITEMS: usize = 100;

/// The writes that store a newly raised case, and where in them the idempotency key is: the
/// case first (only if its id is new), then the key (only if unused), its events, its list
/// entries and the notices it plans.
pub(crate) fn create(
    table: &str,
    p: &PartnershipId,
    raised: &Transition,
    idempotency: Option<&Idempotency>,
    notices: &[PendingNotice],
) -> Result<(Vec<TransactWriteItem>, Option<usize>), StoreError> {
    let mut items = vec![put(
        table,
        to_item(&case_item(p, &raised.case))?,
        Some("attribute_not_exists(pk)"),
    )?];
    let idempotency_index = idempotency.map(|_| items.len());
    if let Some(idem) = idempotency {
        items.push(put(
            table,
            to_item(&IdempotencyItem {
                pk: keys::idempotency_pk(p, &idem.person, &idem.key),
                sk: keys::IDEMPOTENCY_SK.to_owned(),
                fingerprint: idem.fingerprint.clone(),
                case_id: raised.case.id.clone(),
            })?,
            Some("attribute_not_exists(pk)"),
        )?);
    }
    for event in &raised.events {
        items.push(put(
            table,
            to_item(&event_item(p, &raised.case.id, event))?,
            Some("attribute_not_exists(pk)"),
        )?);
    }
    for view in view_items(p, &raised.case) {
        items.push(put(table, to_item(&view)?, None)?);
    }
    for notice in notices {
        items.push(pending(table, p, notice)?);
    }
    within_limit(&items)?;
    Ok((items, idempotency_index))
}

/// The writes that store a transition: the case, only if it is still at the version read,
/// its new events, its list entries and the notices it plans.
pub(crate) fn apply(
    table: &str,
    p: &PartnershipId,
    transition: &Transition,
    notices: &[PendingNotice],
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let case = &transition.case;
    let expected = case.version - 1;
    let mut items = vec![{
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(to_item(&case_item(p, case))?))
            .condition_expression("attribute_exists(pk) AND version = :expected")
            .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
            .build()
            .map_err(StoreError::backend)?;
        TransactWriteItem::builder().put(put).build()
    }];
    for event in &transition.events {
        items.push(put(
            table,
            to_item(&event_item(p, &case.id, event))?,
            Some("attribute_not_exists(pk)"),
        )?);
    }
    items.extend(entries(table, p, case)?);
    for notice in notices {
        items.push(pending(table, p, notice)?);
    }
    within_limit(&items)?;
    Ok(items)
}

/// The case's list entries and work queues as its state says, and out of the work queues it
/// has left (a delete of an entry not there does nothing).
fn entries(
    table: &str,
    p: &PartnershipId,
    case: &Case,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let mut items = Vec::new();
    for view in view_items(p, case) {
        items.push(put(table, to_item(&view)?, None)?);
    }
    let now_in = case.work_queues();
    for queue in case.possible_work_queues().difference(&now_in) {
        items.push(delete(
            table,
            keys::work_pk(p, queue),
            keys::view_sk(case.raised_at, &case.id),
        )?);
    }
    Ok(items)
}

/// The writes that put a stored case's index entries back as its state says, conditional on
/// the case still being at the version read: the case item (its due or retention keys), its
/// list entries and work queues, and out of the queues it is not in. Nothing else changes.
pub(crate) fn reindex(
    table: &str,
    p: &PartnershipId,
    case: &Case,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let put_case = Put::builder()
        .table_name(table)
        .set_item(Some(to_item(&case_item(p, case))?))
        .condition_expression("attribute_exists(pk) AND version = :version")
        .expression_attribute_values(":version", AttributeValue::N(case.version.to_string()))
        .build()
        .map_err(StoreError::backend)?;
    let mut items = vec![TransactWriteItem::builder().put(put_case).build()];
    items.extend(entries(table, p, case)?);
    within_limit(&items)?;
    Ok(items)
}

/// A change that needs more writes than one transaction takes is refused whole, before
/// anything is sent: never split, so never half stored.
fn within_limit(items: &[TransactWriteItem]) -> Result<(), StoreError> {
    if items.len() > MAX_TRANSACTION_ITEMS {
        return Err(StoreError::InvalidTransition(format!(
            "{} writes (case, events, list entries and notices) exceed DynamoDB's {} per \
             transaction",
            items.len(),
            MAX_TRANSACTION_ITEMS
        )));
    }
    Ok(())
}

/// Keeps a notice pending: an outbox item in the case's partition, in the open-clocks index's
/// notices partitions until it is finished. A key already pending is left as it is (keys are
/// never planned twice; if one were, its lease and attempts must not be lost).
fn pending(
    table: &str,
    p: &PartnershipId,
    notice: &PendingNotice,
) -> Result<TransactWriteItem, StoreError> {
    let set = [
        ("case_id", s(notice.case.as_str())),
        ("notice_key", s(notice.key.as_str())),
        ("not_before", s(sortable_instant(notice.not_before))),
        ("plan", s(notice.plan.as_str())),
        (
            "due_pk",
            s(keys::notices_due_pk(p, keys::shard(&notice.case))),
        ),
        (
            "due_sk",
            s(keys::notice_due_sk(
                notice.not_before,
                &notice.case,
                &notice.key,
            )),
        ),
        ("attempts", AttributeValue::N("0".into())),
    ];
    let mut update = Update::builder()
        .table_name(table)
        .key("pk", s(keys::case_pk(p, &notice.case)))
        .key("sk", s(keys::outbox_sk(&notice.key)))
        .update_expression(format!(
            "SET {}",
            (0..set.len())
                .map(|i| format!("#a{i} = if_not_exists(#a{i}, :v{i})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    for (i, (name, value)) in set.into_iter().enumerate() {
        update = update
            .expression_attribute_names(format!("#a{i}"), name)
            .expression_attribute_values(format!(":v{i}"), value);
    }
    let update = update.build().map_err(StoreError::backend)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The writes that end a pending notice as sent: the outbox item removed, only if it is
/// still there (item 0), and the key entered in the ledger of notices sent, only if new
/// (item 1).
pub(crate) fn finish_sent(
    table: &str,
    p: &PartnershipId,
    case: &CaseId,
    key: &NoticeKey,
    at: DateTime<Utc>,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .key("pk", s(keys::case_pk(p, case)))
        .key("sk", s(keys::outbox_sk(key)))
        .condition_expression("attribute_exists(due_pk)")
        .build()
        .map_err(StoreError::backend)?;
    Ok(vec![
        TransactWriteItem::builder().delete(delete).build(),
        put(
            table,
            to_item(&NoticeItem {
                pk: keys::case_pk(p, case),
                sk: keys::notice_sk(key),
                notice: Notice {
                    case: case.clone(),
                    key: key.clone(),
                    recorded_at: at,
                },
            })?,
            Some("attribute_not_exists(pk)"),
        )?,
    ])
}

/// The writes that store a partnership's configuration and enter it in the registry.
pub(crate) fn put_partnership(
    table: &str,
    config: &PartnershipConfig,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    Ok(vec![
        // An Update, so the version goes up by one (`crate::config`).
        crate::config::put_config(table, config)?,
        put(
            table,
            to_item(&RegistryItem {
                pk: keys::REGISTRY_PK.to_owned(),
                sk: config.id.to_string(),
            })?,
            None,
        )?,
    ])
}

/// Removes one item, whether or not it is there.
pub(crate) fn delete(table: &str, pk: String, sk: String) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .key("pk", s(pk))
        .key("sk", s(sk))
        .build()
        .map_err(StoreError::backend)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

fn put(table: &str, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_owned))
        .build()
        .map_err(StoreError::backend)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Why a transaction was cancelled, per item, as DynamoDB reports it.
pub(crate) enum Cancelled {
    Reasons(Vec<Option<String>>),
    Other(StoreError),
}

/// Whether item `index` of a cancelled transaction failed with `code`.
pub(crate) fn failed(reasons: &[Option<String>], index: usize, code: &str) -> bool {
    reasons.get(index).and_then(|r| r.as_deref()) == Some(code)
}

impl DynamoStore {
    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), Cancelled> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(cancelled)
    }
}

fn cancelled<E>(error: aws_sdk_dynamodb::error::SdkError<E>) -> Cancelled
where
    E: std::error::Error + Send + Sync + 'static,
    E: AsTransactionCanceled + aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    match error.as_service_error().and_then(|e| e.reasons()) {
        Some(reasons) => Cancelled::Reasons(reasons),
        None => Cancelled::Other(crate::errors::sdk(error)),
    }
}

trait AsTransactionCanceled {
    fn reasons(&self) -> Option<Vec<Option<String>>>;
}

impl AsTransactionCanceled
    for aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError
{
    fn reasons(&self) -> Option<Vec<Option<String>>> {
        match self {
            Self::TransactionCanceledException(e) => Some(
                e.cancellation_reasons()
                    .iter()
                    .map(|r| r.code().filter(|c| *c != "None").map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    }
}
