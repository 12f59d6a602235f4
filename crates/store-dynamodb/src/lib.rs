//! The DynamoDB storage adapter: one table, keys from [`keys`], items encoded with
//! serde_dynamo, every case change a transaction conditional on the version read, and a
//! sparse write-sharded index (`open-clocks`) holding only running clocks. No Scan anywhere.

pub mod keys;

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use escalations_core::case::{Case, Event, Transition};
use escalations_core::ids::{CaseId, ClockId, PartnershipId, ProcedureId, StageId};
use escalations_store::{
    CaseFilter, CaseSummary, Created, Cursor, DueClock, Idempotency, Notice, NoticeKey,
    NoticeOutcome, Page, PageRequest, PartnershipConfig, Scope, Store, StoreError, check_new_case,
    check_transition, sortable_instant,
};
use serde::{Deserialize, Serialize};

type Item = HashMap<String, AttributeValue>;

/// A store in one DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// How many items the last due query read, as DynamoDB reports it (ScannedCount), for the
/// benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCost {
    pub items_read: i64,
    pub requests: u32,
}

// ---------------------------------------------------------------------------------------
// Items

#[derive(Serialize, Deserialize)]
struct CaseItem {
    pk: String,
    sk: String,
    partnership: PartnershipId,
    case_id: CaseId,
    version: u64,
    procedure: String,
    case: Case,
    // The open-clocks index keys: present only while a clock runs (a sparse index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_clock: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_owner: Option<escalations_core::procedure::Party>,
}

/// What the open-clocks index projects.
#[derive(Deserialize)]
struct DueItem {
    partnership: PartnershipId,
    case_id: CaseId,
    procedure: ProcedureId,
    due: DateTime<Utc>,
    due_stage: StageId,
    due_clock: ClockId,
    due_owner: escalations_core::procedure::Party,
    due_sk: String,
}

#[derive(Serialize, Deserialize)]
struct EventItem {
    pk: String,
    sk: String,
    event: Event,
}

#[derive(Serialize, Deserialize)]
struct ViewItem {
    pk: String,
    sk: String,
    status: String,
    stage: String,
    procedure: String,
    /// The running clock's due instant, for the overdue filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due: Option<String>,
    summary: CaseSummary,
}

#[derive(Serialize, Deserialize)]
struct NoticeItem {
    pk: String,
    sk: String,
    notice: Notice,
}

#[derive(Serialize, Deserialize)]
struct IdempotencyItem {
    pk: String,
    sk: String,
    fingerprint: String,
    case_id: CaseId,
}

#[derive(Serialize, Deserialize)]
struct ConfigItem {
    pk: String,
    sk: String,
    config: PartnershipConfig,
}

#[derive(Serialize, Deserialize)]
struct RegistryItem {
    pk: String,
    sk: String,
}

#[derive(Serialize, Deserialize)]
struct ListCursor {
    pk: String,
    sk: String,
}

#[derive(Serialize, Deserialize)]
struct DueCursor {
    partnership: String,
    after: String,
}

fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(StoreError::backend)
}

/// Decodes an item, naming its key and the field that failed.
fn from_item<T: for<'de> Deserialize<'de>>(item: Item) -> Result<T, StoreError> {
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

fn item_key(item: &Item) -> String {
    let part = |name: &str| match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => "?".to_owned(),
    };
    format!("{} / {}", part("pk"), part("sk"))
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn case_item(p: &PartnershipId, case: &Case) -> CaseItem {
    let running = case.running_clock();
    CaseItem {
        pk: keys::case_pk(p, &case.id),
        sk: keys::CASE_SK.to_owned(),
        partnership: p.clone(),
        case_id: case.id.clone(),
        version: case.version,
        procedure: case.procedure.to_string(),
        case: case.clone(),
        due_pk: running.map(|_| keys::due_pk(p, keys::shard(&case.id))),
        due_sk: running.map(|r| keys::due_sk(r.due, &case.id)),
        due: running.map(|r| r.due),
        due_stage: running.map(|r| r.stage.to_string()),
        due_clock: running.map(|r| r.clock.to_string()),
        due_owner: running.map(|r| r.owner),
    }
}

fn view_items(p: &PartnershipId, case: &Case) -> Vec<ViewItem> {
    let summary = CaseSummary::of(case);
    let mut pks = vec![keys::view_pk(p, &Scope::Partnership)];
    pks.extend(case.agencies().iter().map(|a| keys::agency_view_pk(p, a)));
    pks.extend(
        case.people_involved()
            .iter()
            .map(|u| keys::person_view_pk(p, u)),
    );
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
enum Cancelled {
    Reasons(Vec<Option<String>>),
    Other(StoreError),
}

fn cancelled<E>(error: aws_sdk_dynamodb::error::SdkError<E>) -> Cancelled
where
    E: std::error::Error + Send + Sync + 'static,
    E: AsTransactionCanceled,
{
    match error.as_service_error().and_then(|e| e.reasons()) {
        Some(reasons) => Cancelled::Reasons(reasons),
        None => Cancelled::Other(StoreError::backend(error)),
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

fn failed(reasons: &[Option<String>], index: usize, code: &str) -> bool {
    reasons.get(index).and_then(|r| r.as_deref()) == Some(code)
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
            .map_err(StoreError::backend)?;
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
            let out = query.send().await.map_err(StoreError::backend)?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), Cancelled> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(cancelled)
    }

    /// Bulk-loads already-raised cases with BatchWriteItem (benchmarks, demo data, imports):
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
                items.push(to_item(&EventItem {
                    pk: keys::case_pk(partnership, &t.case.id),
                    sk: keys::event_sk(event.version, event.seq),
                    event: event.clone(),
                })?);
            }
            for view in view_items(partnership, &t.case) {
                items.push(to_item(&view)?);
            }
        }
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

    async fn due_shard(
        &self,
        partnership: &PartnershipId,
        shard: u32,
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
            .expression_attribute_values(":pk", s(keys::due_pk(partnership, shard)))
            .expression_attribute_values(":lo", s(lower))
            .expression_attribute_values(":hi", s(keys::due_sk_upper(instant)))
            .set_limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::backend)
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

fn due_clock(item: DueItem) -> DueClock {
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

/// Retries a transaction that lost a race with another transaction on the same items
/// (`TransactionConflict`), which is not a condition failure and says nothing about the data.
const TRANSACTION_RETRIES: u32 = 8;

async fn backoff(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt + 1))).await;
}

#[async_trait]
impl Store for DynamoStore {
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError> {
        let items = vec![
            put(
                &self.table,
                to_item(&ConfigItem {
                    pk: keys::config_pk(&config.id),
                    sk: keys::CONFIG_SK.to_owned(),
                    config: config.clone(),
                })?,
                None,
            )?,
            put(
                &self.table,
                to_item(&RegistryItem {
                    pk: keys::REGISTRY_PK.to_owned(),
                    sk: config.id.to_string(),
                })?,
                None,
            )?,
        ];
        for attempt in 0..TRANSACTION_RETRIES {
            match self.transact(items.clone()).await {
                Ok(()) => return Ok(()),
                Err(Cancelled::Reasons(r))
                    if r.iter().flatten().any(|c| c == "TransactionConflict") =>
                {
                    backoff(attempt).await;
                }
                Err(Cancelled::Reasons(r)) => {
                    return Err(StoreError::backend(std::io::Error::other(format!("{r:?}"))));
                }
                Err(Cancelled::Other(e)) => return Err(e),
            }
        }
        Err(StoreError::backend(std::io::Error::other(
            "partnership write kept conflicting",
        )))
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

    async fn create_case(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
    ) -> Result<Created, StoreError> {
        check_new_case(raised)?;
        let p = partnership;
        let mut items = vec![put(
            &self.table,
            to_item(&case_item(p, &raised.case))?,
            Some("attribute_not_exists(pk)"),
        )?];
        let idempotency_index = idempotency.map(|_| items.len());
        if let Some(idem) = idempotency {
            items.push(put(
                &self.table,
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
                &self.table,
                to_item(&EventItem {
                    pk: keys::case_pk(p, &raised.case.id),
                    sk: keys::event_sk(event.version, event.seq),
                    event: event.clone(),
                })?,
                Some("attribute_not_exists(pk)"),
            )?);
        }
        for view in view_items(p, &raised.case) {
            items.push(put(&self.table, to_item(&view)?, None)?);
        }

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
                    return Err(StoreError::backend(std::io::Error::other(format!(
                        "transaction cancelled: {reasons:?}"
                    ))));
                }
            }
        }
        Err(StoreError::backend(std::io::Error::other(
            "raise kept conflicting",
        )))
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

    async fn apply(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
    ) -> Result<(), StoreError> {
        check_transition(transition)?;
        let p = partnership;
        let case = &transition.case;
        let expected = case.version - 1;
        let mut items = vec![{
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(to_item(&case_item(p, case))?))
                .condition_expression("attribute_exists(pk) AND version = :expected")
                .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
                .build()
                .map_err(StoreError::backend)?;
            TransactWriteItem::builder().put(put).build()
        }];
        for event in &transition.events {
            items.push(put(
                &self.table,
                to_item(&EventItem {
                    pk: keys::case_pk(p, &case.id),
                    sk: keys::event_sk(event.version, event.seq),
                    event: event.clone(),
                })?,
                Some("attribute_not_exists(pk)"),
            )?);
        }
        for view in view_items(p, case) {
            items.push(put(&self.table, to_item(&view)?, None)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(Cancelled::Other(e)) => Err(e),
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
        let limit = page.limit() as usize;
        let mut items: Vec<(String, CaseSummary)> = Vec::new();
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .scan_index_forward(false)
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
            let out = query.send().await.map_err(StoreError::backend)?;
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

    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError> {
        let after: Option<String> = match &page.cursor {
            None => None,
            Some(cursor) => {
                let position: DueCursor = cursor.decode()?;
                if position.partnership != partnership.as_str() {
                    return Err(StoreError::InvalidCursor);
                }
                Some(position.after)
            }
        };
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
                Cursor::encode(&DueCursor {
                    partnership: partnership.to_string(),
                    after: sk.clone(),
                })
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
        match result {
            Ok(_) => Ok(NoticeOutcome::Recorded),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(NoticeOutcome::AlreadyRecorded)
            }
            Err(e) => Err(StoreError::backend(e)),
        }
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
}
