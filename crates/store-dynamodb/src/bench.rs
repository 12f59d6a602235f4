//! What only the storage and sweep benchmarks need (`bench` feature): bulk loading (cases and
//! pending notices), the due query with DynamoDB's own count of items read, and the naive
//! read it is compared against. Not part of the production adapter's API.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use escalations_core::case::Transition;
use escalations_core::ids::PartnershipId;
use escalations_store::{
    DueClock, PendingNotice, Scope, StoreError, check_transition, sortable_instant,
};

use crate::items::{ViewItem, case_item, due_clock, event_item, from_item, s, to_item, view_items};
use crate::transactions::backoff;
use crate::{DynamoStore, keys};

/// How many items the last due query read, as DynamoDB reports it (ScannedCount), for the
/// benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCost {
    pub items_read: i64,
    pub requests: u32,
}

impl DynamoStore {
    /// Bulk-loads already-raised cases with BatchWriteItem (the benchmark's data):
    /// the same items `create_case` writes, without its conditions, so only for an empty
    /// table or new ids.
    pub async fn load_many(
        &self,
        partnership: &PartnershipId,
        raised: &[Transition],
    ) -> Result<(), StoreError> {
        let mut items = Vec::new();
        for t in raised {
            check_transition(t)?;
            items.push(to_item(&case_item(partnership, &t.case))?);
            for event in &t.events {
                items.push(to_item(&event_item(partnership, &t.case.id, event))?);
            }
            for view in view_items(partnership, &t.case) {
                items.push(to_item(&view)?);
            }
        }
        self.batch_put(items).await
    }

    /// Bulk-loads pending notices with BatchWriteItem (the sweep benchmark's outbox): the same
    /// attributes `apply_noting`'s outbox Update sets, so only for keys not yet pending.
    pub async fn load_pending(
        &self,
        partnership: &PartnershipId,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError> {
        let items = notices
            .iter()
            .map(|notice| {
                HashMap::from([
                    ("pk".to_owned(), s(keys::case_pk(partnership, &notice.case))),
                    ("sk".to_owned(), s(keys::outbox_sk(&notice.key))),
                    ("case_id".to_owned(), s(notice.case.as_str())),
                    ("notice_key".to_owned(), s(notice.key.as_str())),
                    (
                        "not_before".to_owned(),
                        s(sortable_instant(notice.not_before)),
                    ),
                    ("plan".to_owned(), s(notice.plan.as_str())),
                    (
                        "due_pk".to_owned(),
                        s(keys::notices_due_pk(partnership, keys::shard(&notice.case))),
                    ),
                    (
                        "due_sk".to_owned(),
                        s(keys::notice_due_sk(
                            notice.not_before,
                            &notice.case,
                            &notice.key,
                        )),
                    ),
                    ("attempts".to_owned(), AttributeValue::N("0".into())),
                ])
            })
            .collect();
        self.batch_put(items).await
    }

    /// Puts `items` with BatchWriteItem, 25 a call, retrying what comes back unprocessed.
    async fn batch_put(
        &self,
        items: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<(), StoreError> {
        for batch in items.chunks(25) {
            let mut pending: Vec<aws_sdk_dynamodb::types::WriteRequest> = batch
                .iter()
                .map(|item| {
                    let put = aws_sdk_dynamodb::types::PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map_err(StoreError::backend)?;
                    Ok(aws_sdk_dynamodb::types::WriteRequest::builder()
                        .put_request(put)
                        .build())
                })
                .collect::<Result<_, StoreError>>()?;
            let mut attempt = 0;
            while !pending.is_empty() {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(StoreError::backend)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    backoff(attempt).await;
                    attempt += 1;
                }
            }
        }
        Ok(())
    }

    /// The due query with DynamoDB's own count of items read, for the benchmark.
    pub async fn due_query_cost(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
    ) -> Result<(Vec<DueClock>, ReadCost), StoreError> {
        let mut cost = ReadCost::default();
        let mut found = Vec::new();
        for shard in 0..keys::SHARDS {
            let mut start = None;
            loop {
                let out = self
                    .due_shard(partnership, shard, None, instant, None, start)
                    .await?;
                cost.requests += 1;
                cost.items_read += i64::from(out.scanned_count);
                for item in out.items.unwrap_or_default() {
                    found.push(due_clock(from_item(item)?));
                }
                match out.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
        }
        Ok((found, cost))
    }

    /// The naive alternative the benchmark compares against: read the partnership's whole
    /// case list and load each case. Returns (items read, items due).
    pub async fn naive_due_scan(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
    ) -> Result<(i64, usize), StoreError> {
        let mut read = 0i64;
        let mut due = 0;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(
                    ":pk",
                    s(keys::view_pk(partnership, &Scope::Partnership)),
                )
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::backend)?;
            read += i64::from(out.scanned_count);
            for item in out.items.unwrap_or_default() {
                let view: ViewItem = from_item(item)?;
                if view.summary.running.is_some_and(|r| r.due <= instant) {
                    due += 1;
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok((read, due)),
            }
        }
    }
}
