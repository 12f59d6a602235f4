//! The DynamoDB storage adapter: one table, keys from [`keys`], items encoded with
//! serde_dynamo, every case change a transaction conditional on the version read, and a
//! sparse write-sharded index (`open-clocks`) holding only running clocks and pending notices.
//! No Scan anywhere.
//!
//! - [`keys`] builds every key;
//! - `items` encodes the domain into items and decodes them back (corrupt data named by key
//!   and field);
//! - `transactions` builds the TransactWriteItems for a new case, a change (with the notices
//!   it plans), a sent notice and a partnership's configuration, and reads their cancellation
//!   reasons;
//! - this file maps the [`Store`] port onto GetItem / Query / PutItem / TransactWriteItems;
//! - `bench` (feature `bench`): what only the storage benchmark calls.

#[cfg(feature = "bench")]
mod bench;
mod config;
mod errors;
mod items;
pub mod keys;
mod transactions;

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, ChildKey, Event, MatchSecret, Transition};
use escalations_core::ids::{CaseId, PartnershipId, PersonId};
use escalations_store::{
    CalendarFeed, CaseFilter, CaseSummary, ClaimedNotice, Created, Cursor, DueClock, DueNotice,
    Idempotency, Notice, NoticeEnd, NoticeKey, NoticeOutcome, Page, PageRequest, PartnershipConfig,
    PendingNotice, Scope, StatusKind, Store, StoreError, check_new_case, check_transition,
    sortable_instant,
};
use serde::{Deserialize, Serialize};

#[cfg(feature = "bench")]
pub use bench::ReadCost;
use items::{
    CaseItem, ConfigItem, DueItem, EventItem, IdempotencyItem, Item, NoticeItem, PendingItem,
    RegistryItem, ViewItem, due_clock, from_item, item_key, s, to_item,
};
use transactions::{Cancelled, TRANSACTION_RETRIES, backoff, failed};

/// A store in one DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// Where a list page ended: the last entry's key, in the list partition it was read from.
#[derive(Serialize, Deserialize)]
struct ListCursor {
    pk: String,
    sk: String,
}

/// Where a due-query page ended: the last clock's `due_sk` (`Cursor::after`).
#[derive(Serialize, Deserialize)]
struct DuePosition {
    after: String,
}

/// Where a due-notices page ended: the last notice's `due_sk` (`Cursor::after`).
#[derive(Serialize, Deserialize)]
struct DueNoticesPosition {
    notices_after: String,
}

/// Where a page of closed cases ended: the last one's sort key (`Cursor::after`).
#[derive(Serialize, Deserialize)]
struct ClosedPosition {
    closed_after: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(crate::errors::sdk)?;
        Ok(out.item)
    }

    /// Every item of a partition whose sort key starts with `prefix`, in order.
    async fn query_prefix(&self, pk: String, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":pk", s(pk.clone()))
                .consistent_read(true)
                .set_exclusive_start_key(start);
            query = if prefix.is_empty() {
                query.key_condition_expression("pk = :pk")
            } else {
                query
                    .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(":prefix", s(prefix))
            };
            let out = query.send().await.map_err(crate::errors::sdk)?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    async fn due_shard(
        &self,
        partnership: &PartnershipId,
        shard: u32,
        after: Option<&str>,
        instant: DateTime<Utc>,
        limit: Option<i32>,
        start: Option<Item>,
    ) -> Result<aws_sdk_dynamodb::operation::query::QueryOutput, StoreError> {
        self.due_partition(
            keys::due_pk(partnership, shard),
            after,
            instant,
            limit,
            start,
        )
        .await
    }

    /// Writes a transition's items in one transaction: a conflict or a missing case named as
    /// such, throttling as busy, and nothing written in any of those cases.
    async fn store_transition(
        &self,
        p: &PartnershipId,
        transition: &Transition,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let case = &transition.case;
        let expected = case.version - 1;
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(Cancelled::Other(e)) => Err(e),
            Err(Cancelled::Reasons(r)) if crate::errors::throttled(&r) => {
                Err(crate::errors::cancelled(&r))
            }
            // A failed version condition, or another transaction on the same case in flight:
            // either way this writer did not win, and nothing was written.
            Err(Cancelled::Reasons(_)) => {
                match self.get(keys::case_pk(p, &case.id), keys::CASE_SK).await? {
                    None => Err(StoreError::NotFound {
                        case: case.id.clone(),
                    }),
                    Some(_) => Err(StoreError::Conflict {
                        case: case.id.clone(),
                        expected_version: expected,
                    }),
                }
            }
        }
    }

    /// Up to `limit` entries of the open-clocks index's sharded partitions named by `pk`, due
    /// by `instant` after `after`, in key order: up to limit + 1 from each sorted shard,
    /// merged. With the key of the last one returned when there may be more.
    async fn merged_shards<T>(
        &self,
        pk: impl Fn(u32) -> String,
        after: Option<&str>,
        instant: DateTime<Utc>,
        limit: usize,
        parse: impl Fn(&Item) -> Result<(String, T), StoreError>,
    ) -> Result<(Vec<T>, Option<String>), StoreError> {
        let mut merged: Vec<(String, T)> = Vec::new();
        let mut more = false;
        for shard in 0..keys::SHARDS {
            let mut start = None;
            let mut from_shard = 0;
            loop {
                let out = self
                    .due_partition(
                        pk(shard),
                        after,
                        instant,
                        Some(i32::try_from(limit + 1 - from_shard).unwrap_or(i32::MAX)),
                        start,
                    )
                    .await?;
                for item in out.items.unwrap_or_default() {
                    from_shard += 1;
                    merged.push(parse(&item)?);
                }
                match out.last_evaluated_key {
                    Some(key) if !key.is_empty() && from_shard <= limit => start = Some(key),
                    Some(key) if !key.is_empty() => {
                        more = true;
                        break;
                    }
                    _ => break,
                }
            }
        }
        merged.sort_by(|a, b| a.0.cmp(&b.0));
        if merged.len() > limit {
            more = true;
            merged.truncate(limit);
        }
        let next = if more {
            merged.last().map(|(sk, _)| sk.clone())
        } else {
            None
        };
        Ok((merged.into_iter().map(|(_, item)| item).collect(), next))
    }

    /// One partition of the open-clocks index (a shard of clocks or of notices), from after
    /// `after` up to everything due at `instant`.
    async fn due_partition(
        &self,
        due_pk: String,
        after: Option<&str>,
        instant: DateTime<Utc>,
        limit: Option<i32>,
        start: Option<Item>,
    ) -> Result<aws_sdk_dynamodb::operation::query::QueryOutput, StoreError> {
        let lower = after.map(keys::after).unwrap_or_else(|| " ".to_owned());
        self.client
            .query()
            .table_name(&self.table)
            .index_name(keys::OPEN_CLOCKS_INDEX)
            .key_condition_expression("due_pk = :pk AND due_sk BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", s(due_pk))
            .expression_attribute_values(":lo", s(lower))
            .expression_attribute_values(":hi", s(keys::due_sk_upper(instant)))
            .set_limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(crate::errors::sdk)
    }

    /// Ends a pending notice without recording it: `Recorded` if this call removed it.
    async fn delete_pending(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
    ) -> Result<NoticeOutcome, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::case_pk(partnership, case)))
            .key("sk", s(keys::outbox_sk(key)))
            .condition_expression("attribute_exists(due_pk)")
            .send()
            .await;
        Ok(match crate::errors::conditional(result)? {
            Some(_) => NoticeOutcome::Recorded,
            None => NoticeOutcome::AlreadyRecorded,
        })
    }

    async fn replay(
        &self,
        p: &PartnershipId,
        idem: &Idempotency,
    ) -> Result<Option<Created>, StoreError> {
        let Some(item) = self
            .get(
                keys::idempotency_pk(p, &idem.person, &idem.key),
                keys::IDEMPOTENCY_SK,
            )
            .await?
        else {
            return Ok(None);
        };
        let earlier: IdempotencyItem = from_item(item)?;
        if earlier.fingerprint != idem.fingerprint {
            return Err(StoreError::IdempotencyKeyReused {
                key: idem.key.to_string(),
            });
        }
        match self.load_case(p, &earlier.case_id).await? {
            Some(case) => Ok(Some(Created::Replayed(case))),
            None => Err(StoreError::Corrupt {
                key: format!("{} / {}", earlier.pk, earlier.sk),
                field: "case_id".into(),
                message: format!("names case {}, which does not exist", earlier.case_id),
            }),
        }
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError> {
        let items = transactions::put_partnership(&self.table, config)?;
        for attempt in 0..TRANSACTION_RETRIES {
            match self.transact(items.clone()).await {
                Ok(()) => return Ok(()),
                Err(Cancelled::Reasons(r))
                    if r.iter().flatten().any(|c| c == "TransactionConflict") =>
                {
                    backoff(attempt).await;
                }
                Err(Cancelled::Reasons(r)) => {
                    return Err(crate::errors::cancelled(&r));
                }
                Err(Cancelled::Other(e)) => return Err(e),
            }
        }
        Err(crate::errors::kept_conflicting("partnership write"))
    }

    async fn partnership(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<PartnershipConfig>, StoreError> {
        let item = self.get(keys::config_pk(id), keys::CONFIG_SK).await?;
        Ok(item
            .map(from_item::<ConfigItem>)
            .transpose()?
            .map(|c| c.config))
    }

    async fn partnerships(&self) -> Result<Vec<PartnershipId>, StoreError> {
        let items = self.query_prefix(keys::REGISTRY_PK.to_owned(), "").await?;
        items
            .into_iter()
            .map(|item| {
                let key = item_key(&item);
                let entry: RegistryItem = from_item(item)?;
                PartnershipId::parse(&entry.sk).map_err(|e| StoreError::Corrupt {
                    key,
                    field: "sk".into(),
                    message: e.to_string(),
                })
            })
            .collect()
    }

    async fn partnership_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, escalations_store::ConfigVersion)>, StoreError> {
        self.config_versioned(id).await
    }

    async fn change_partnership(
        &self,
        config: &PartnershipConfig,
        expected: escalations_store::ConfigVersion,
        change: &escalations_store::ConfigChange,
    ) -> Result<(), StoreError> {
        self.change_config(config, expected, change).await
    }

    async fn partnership_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<escalations_store::ConfigChange>, StoreError> {
        self.config_changes(id, page).await
    }

    async fn create_case_noting(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
        notices: &[PendingNotice],
    ) -> Result<Created, StoreError> {
        check_new_case(raised)?;
        let p = partnership;
        let (items, idempotency_index) =
            transactions::create(&self.table, p, raised, idempotency, notices)?;
        for attempt in 0..TRANSACTION_RETRIES {
            if let Some(idem) = idempotency
                && let Some(replayed) = self.replay(p, idem).await?
            {
                return Ok(replayed);
            }
            match self.transact(items.clone()).await {
                Ok(()) => return Ok(Created::New(raised.case.clone())),
                Err(Cancelled::Other(e)) => return Err(e),
                Err(Cancelled::Reasons(reasons)) => {
                    if idempotency_index
                        .is_some_and(|i| failed(&reasons, i, "ConditionalCheckFailed"))
                    {
                        // Another try with this key won: answer with its case.
                        continue;
                    }
                    if failed(&reasons, 0, "ConditionalCheckFailed") {
                        return Err(StoreError::AlreadyExists {
                            case: raised.case.id.clone(),
                        });
                    }
                    if reasons.iter().flatten().any(|c| c == "TransactionConflict") {
                        backoff(attempt).await;
                        continue;
                    }
                    return Err(crate::errors::cancelled(&reasons));
                }
            }
        }
        Err(crate::errors::kept_conflicting("raise"))
    }

    async fn load_case(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Option<Case>, StoreError> {
        let item = self
            .get(keys::case_pk(partnership, id), keys::CASE_SK)
            .await?;
        Ok(item.map(from_item::<CaseItem>).transpose()?.map(|c| c.case))
    }

    async fn chronology(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Vec<Event>, StoreError> {
        let items = self
            .query_prefix(keys::case_pk(partnership, id), keys::EVENT_PREFIX)
            .await?;
        items
            .into_iter()
            .map(|item| from_item::<EventItem>(item).map(|e| e.event))
            .collect()
    }

    async fn apply_noting(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError> {
        check_transition(transition)?;
        let items = transactions::apply(&self.table, partnership, transition, notices)?;
        self.store_transition(partnership, transition, items).await
    }

    async fn list_cases(
        &self,
        partnership: &PartnershipId,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let pk = keys::view_pk(partnership, scope);
        let mut start: Option<Item> = match &page.cursor {
            None => None,
            Some(cursor) => {
                let position: ListCursor = cursor.decode()?;
                if position.pk != pk {
                    return Err(StoreError::InvalidCursor);
                }
                Some(HashMap::from([
                    ("pk".to_owned(), s(position.pk)),
                    ("sk".to_owned(), s(position.sk)),
                ]))
            }
        };
        let mut conditions = Vec::new();
        let mut values: Vec<(&str, AttributeValue)> = vec![(":pk", s(pk.clone()))];
        if let Some(status) = filter.status {
            conditions.push("#status = :status");
            values.push((":status", s(status.as_str())));
        }
        if let Some(stage) = &filter.stage {
            conditions.push("stage = :stage");
            values.push((":stage", s(stage.as_str())));
        }
        if let Some(procedure) = &filter.procedure {
            conditions.push("#procedure = :procedure");
            values.push((":procedure", s(procedure.as_str())));
        }
        if let Some(now) = filter.overdue_at {
            conditions.push("due <= :now");
            values.push((":now", s(sortable_instant(now))));
        }
        // The list entry's sort key starts with the raise instant: a range of raise dates is
        // a range of keys ("{instant}#{case}" sorts after "{instant}" and before the next).
        let key_condition = match (filter.raised_from, filter.raised_before) {
            (None, None) => "pk = :pk",
            (Some(from), None) => {
                values.push((":from", s(sortable_instant(from))));
                "pk = :pk AND sk >= :from"
            }
            (None, Some(before)) => {
                values.push((":before", s(sortable_instant(before))));
                "pk = :pk AND sk < :before"
            }
            (Some(from), Some(before)) => {
                values.push((":from", s(sortable_instant(from))));
                values.push((":before", s(sortable_instant(before))));
                "pk = :pk AND sk BETWEEN :from AND :before"
            }
        };
        let limit = page.limit() as usize;
        let mut items: Vec<(String, CaseSummary)> = Vec::new();
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression(key_condition)
                .scan_index_forward(filter.oldest_first)
                .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take());
            if !conditions.is_empty() {
                query = query.filter_expression(conditions.join(" AND "));
                if filter.status.is_some() {
                    query = query.expression_attribute_names("#status", "status");
                }
                if filter.procedure.is_some() {
                    query = query.expression_attribute_names("#procedure", "procedure");
                }
            }
            for (name, value) in &values {
                query = query.expression_attribute_values(*name, value.clone());
            }
            let out = query.send().await.map_err(crate::errors::sdk)?;
            for item in out.items.unwrap_or_default() {
                let view: ViewItem = from_item(item)?;
                items.push((view.sk, view.summary));
            }
            if items.len() > limit {
                items.truncate(limit);
                let next = items.last().map(|(sk, _)| {
                    Cursor::encode(&ListCursor {
                        pk: pk.clone(),
                        sk: sk.clone(),
                    })
                });
                return Ok(Page {
                    items: items.into_iter().map(|(_, s)| s).collect(),
                    next,
                });
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => {
                    return Ok(Page {
                        items: items.into_iter().map(|(_, s)| s).collect(),
                        next: None,
                    });
                }
            }
        }
    }

    async fn work_queue(
        &self,
        partnership: &PartnershipId,
        queue: &escalations_store::WorkQueue,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        self.query_prefix(keys::work_pk(partnership, queue), "")
            .await?
            .into_iter()
            .map(|item| from_item::<items::ViewItem>(item).map(|view| view.summary))
            .collect()
    }

    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError> {
        let after: Option<String> = page
            .resume::<DuePosition>(partnership.as_str())?
            .map(|p| p.after);
        let limit = page.limit() as usize;
        // Each shard is sorted; take up to limit + 1 from each and merge. The first `limit`
        // of the merge are exactly the next `limit` overall (a shard that returned fewer
        // than it was asked for has nothing more in range).
        let mut merged: Vec<(String, DueClock)> = Vec::new();
        let mut more = false;
        for shard in 0..keys::SHARDS {
            let mut start = None;
            let mut from_shard = 0;
            loop {
                let out = self
                    .due_shard(
                        partnership,
                        shard,
                        after.as_deref(),
                        instant,
                        Some(i32::try_from(limit + 1 - from_shard).unwrap_or(i32::MAX)),
                        start,
                    )
                    .await?;
                for item in out.items.unwrap_or_default() {
                    let due: DueItem = from_item(item)?;
                    from_shard += 1;
                    merged.push((due.due_sk.clone(), due_clock(due)));
                }
                match out.last_evaluated_key {
                    Some(key) if !key.is_empty() && from_shard <= limit => start = Some(key),
                    Some(key) if !key.is_empty() => {
                        more = true;
                        break;
                    }
                    _ => break,
                }
            }
        }
        merged.sort_by(|a, b| a.0.cmp(&b.0));
        if merged.len() > limit {
            more = true;
            merged.truncate(limit);
        }
        let next = if more {
            merged.last().map(|(sk, _)| {
                Cursor::after(partnership.as_str(), DuePosition { after: sk.clone() })
            })
        } else {
            None
        };
        Ok(Page {
            items: merged.into_iter().map(|(_, d)| d).collect(),
            next,
        })
    }

    async fn record_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        let item = to_item(&NoticeItem {
            pk: keys::case_pk(partnership, case),
            sk: keys::notice_sk(key),
            notice: Notice {
                case: case.clone(),
                key: key.clone(),
                recorded_at: at,
            },
        })?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        Ok(match crate::errors::conditional(result)? {
            Some(_) => NoticeOutcome::Recorded,
            None => NoticeOutcome::AlreadyRecorded,
        })
    }

    async fn notices(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<Notice>, StoreError> {
        let items = self
            .query_prefix(keys::case_pk(partnership, case), keys::NOTICE_PREFIX)
            .await?;
        let mut notices = items
            .into_iter()
            .map(|item| from_item::<NoticeItem>(item).map(|n| n.notice))
            .collect::<Result<Vec<_>, _>>()?;
        notices.sort_by(|a, b| {
            a.recorded_at
                .cmp(&b.recorded_at)
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(notices)
    }

    async fn due_notices(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueNotice>, StoreError> {
        let after: Option<String> = page
            .resume::<DueNoticesPosition>(partnership.as_str())?
            .map(|p| p.notices_after);
        let (items, next) = self
            .merged_shards(
                |shard| keys::notices_due_pk(partnership, shard),
                after.as_deref(),
                instant,
                page.limit() as usize,
                items::due_notice,
            )
            .await?;
        let next = next.map(|sk| {
            Cursor::after(
                partnership.as_str(),
                DueNoticesPosition { notices_after: sk },
            )
        });
        Ok(Page { items, next })
    }

    async fn claim_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedNotice>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::case_pk(partnership, case)))
            .key("sk", s(keys::outbox_sk(key)))
            .update_expression("SET lease_until = :lease ADD attempts :one")
            .condition_expression(
                "attribute_exists(due_pk) AND \
                 (attribute_not_exists(lease_until) OR lease_until <= :now)",
            )
            .expression_attribute_values(":lease", s(sortable_instant(lease_until)))
            .expression_attribute_values(":now", s(sortable_instant(now)))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let Some(claimed) = crate::errors::conditional(result)? else {
            return Ok(None);
        };
        let item = claimed.attributes.unwrap_or_default();
        Ok(Some(from_item::<PendingItem>(item)?.claimed()))
    }

    async fn release_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(keys::case_pk(partnership, case)))
            .key("sk", s(keys::outbox_sk(key)))
            .update_expression("SET not_before = :at, due_sk = :due_sk REMOVE lease_until")
            .condition_expression("attribute_exists(due_pk)")
            .expression_attribute_values(":at", s(sortable_instant(retry_at)))
            .expression_attribute_values(":due_sk", s(keys::notice_due_sk(retry_at, case, key)))
            .send()
            .await;
        crate::errors::conditional(result)?;
        Ok(())
    }

    async fn finish_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        end: NoticeEnd,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        if end == NoticeEnd::Dropped {
            return self.delete_pending(partnership, case, key).await;
        }
        let items = transactions::finish_sent(&self.table, partnership, case, key, at)?;
        for attempt in 0..TRANSACTION_RETRIES {
            match self.transact(items.clone()).await {
                Ok(()) => return Ok(NoticeOutcome::Recorded),
                Err(Cancelled::Other(e)) => return Err(e),
                // Finished before (or never pending): nothing to record.
                Err(Cancelled::Reasons(r)) if failed(&r, 0, "ConditionalCheckFailed") => {
                    return Ok(NoticeOutcome::AlreadyRecorded);
                }
                // Pending, but the ledger already holds the key (`record_notice` recorded it):
                // this call still ends the pending notice, as the SQLite adapter's does.
                Err(Cancelled::Reasons(r)) if failed(&r, 1, "ConditionalCheckFailed") => {
                    return self.delete_pending(partnership, case, key).await;
                }
                Err(Cancelled::Reasons(r))
                    if r.iter().flatten().any(|c| c == "TransactionConflict") =>
                {
                    backoff(attempt).await;
                }
                Err(Cancelled::Reasons(r)) => return Err(crate::errors::cancelled(&r)),
            }
        }
        Err(crate::errors::kept_conflicting("finishing a notice"))
    }

    async fn idempotent_case(
        &self,
        partnership: &PartnershipId,
        idempotency: &Idempotency,
    ) -> Result<Option<Case>, StoreError> {
        Ok(self
            .replay(partnership, idempotency)
            .await?
            .map(|created| created.case().clone()))
    }

    async fn open_cases_about(
        &self,
        partnership: &PartnershipId,
        child: &ChildKey,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut found = Vec::new();
        for item in self
            .query_prefix(keys::child_view_pk(partnership, child), "")
            .await?
        {
            let view: ViewItem = from_item(item)?;
            if view.summary.status == StatusKind::Open {
                found.push(view.summary);
            }
        }
        found.reverse();
        Ok(found)
    }

    async fn match_secret(
        &self,
        partnership: &PartnershipId,
        candidate: &MatchSecret,
    ) -> Result<MatchSecret, StoreError> {
        let pk = keys::config_pk(partnership);
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(pk.clone()))
            .item("sk", s(keys::MATCH_SECRET_SK))
            .item(
                "secret",
                AttributeValue::B(candidate.as_bytes().to_vec().into()),
            )
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        if crate::errors::conditional(put)?.is_some() {
            return Ok(candidate.clone());
        }
        let key = format!("{pk} / {}", keys::MATCH_SECRET_SK);
        let corrupt = |message: String| StoreError::Corrupt {
            key: key.clone(),
            field: "secret".into(),
            message,
        };
        let item = self
            .get(pk.clone(), keys::MATCH_SECRET_SK)
            .await?
            .ok_or_else(|| corrupt("vanished after a conditional put found it".into()))?;
        match item.get("secret") {
            Some(AttributeValue::B(bytes)) => {
                MatchSecret::new(bytes.clone().into_inner()).map_err(|e| corrupt(e.to_string()))
            }
            _ => Err(corrupt("missing or not binary".into())),
        }
    }

    // --- Calendar feeds -----------------------------------------------------------------

    async fn reindex(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<bool, StoreError> {
        let Some(stored) = self.load_case(partnership, case).await? else {
            return Ok(false);
        };
        let items = transactions::reindex(&self.table, partnership, &stored)?;
        match self.transact(items).await {
            Ok(()) => Ok(true),
            Err(Cancelled::Other(e)) => Err(e),
            Err(Cancelled::Reasons(r)) if crate::errors::throttled(&r) => {
                Err(crate::errors::cancelled(&r))
            }
            Err(Cancelled::Reasons(_)) => Err(StoreError::Conflict {
                case: case.clone(),
                expected_version: stored.version,
            }),
        }
    }

    async fn closed_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<escalations_store::ClosedCase>, StoreError> {
        let after: Option<String> = page
            .resume::<ClosedPosition>(partnership.as_str())?
            .map(|p| p.closed_after);
        let (items, next) = self
            .merged_shards(
                |shard| keys::closed_pk(partnership, shard),
                after.as_deref(),
                instant,
                page.limit() as usize,
                items::closed_case,
            )
            .await?;
        let next =
            next.map(|sk| Cursor::after(partnership.as_str(), ClosedPosition { closed_after: sk }));
        Ok(Page { items, next })
    }

    async fn apply_erasure(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        forget: Option<&ChildKey>,
    ) -> Result<(), StoreError> {
        check_transition(transition)?;
        let mut writes = transactions::apply(&self.table, partnership, transition, &[])?;
        if let Some(key) = forget {
            writes.push(transactions::delete(
                &self.table,
                keys::child_view_pk(partnership, key),
                keys::view_sk(transition.case.raised_at, &transition.case.id),
            )?);
        }
        self.store_transition(partnership, transition, writes).await
    }

    async fn record_access(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        access: &escalations_store::CaseAccess,
    ) -> Result<(), StoreError> {
        let item = to_item(&items::AccessItem {
            pk: keys::case_pk(partnership, case),
            sk: keys::access_sk(access),
            access: access.clone(),
        })?;
        // Append-only: an existing read is never overwritten (the very same read sent twice
        // is already there).
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        crate::errors::conditional(result)?;
        Ok(())
    }

    async fn access_history(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<escalations_store::CaseAccess>, StoreError> {
        let items = self
            .query_prefix(keys::case_pk(partnership, case), keys::ACCESS_PREFIX)
            .await?;
        items
            .into_iter()
            .map(|item| from_item::<items::AccessItem>(item).map(|a| a.access))
            .collect()
    }

    async fn put_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
        feed: &CalendarFeed,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(keys::config_pk(partnership)))
            .item("sk", s(keys::calendar_feed_sk(person)))
            .item(
                "secret_hash",
                AttributeValue::B(feed.secret_hash.to_vec().into()),
            )
            .item("created_at", s(sortable_instant(feed.created_at)))
            .send()
            .await
            .map_err(crate::errors::sdk)?;
        Ok(())
    }

    async fn calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let (pk, sk) = (keys::config_pk(partnership), keys::calendar_feed_sk(person));
        let Some(item) = self.get(pk.clone(), &sk).await? else {
            return Ok(None);
        };
        let corrupt = |field: &str, message: String| StoreError::Corrupt {
            key: format!("{pk} / {sk}"),
            field: field.into(),
            message,
        };
        let secret_hash = match item.get("secret_hash") {
            Some(AttributeValue::B(bytes)) => <[u8; 32]>::try_from(bytes.as_ref())
                .map_err(|_| corrupt("secret_hash", "not 32 bytes".into()))?,
            _ => return Err(corrupt("secret_hash", "missing or not binary".into())),
        };
        let created_at = match item.get("created_at") {
            Some(AttributeValue::S(at)) => DateTime::parse_from_rfc3339(at)
                .map_err(|e| corrupt("created_at", e.to_string()))?
                .with_timezone(&Utc),
            _ => return Err(corrupt("created_at", "missing or not a string".into())),
        };
        Ok(Some(CalendarFeed {
            secret_hash,
            created_at,
        }))
    }

    async fn delete_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &PersonId,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(keys::config_pk(partnership)))
            .key("sk", s(keys::calendar_feed_sk(person)))
            .send()
            .await
            .map_err(crate::errors::sdk)?;
        Ok(())
    }
}
