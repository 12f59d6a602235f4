//! Administration: the partnership's configuration item carries `config_version`, and each
//! administrator's change is one TransactWriteItems — the configuration updated on condition
//! that its version is the one read, and the change put at `CHANGE#{version:012}` beside it
//! (`attribute_not_exists`) — so a change and its record commit together or not at all.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use escalations_core::ids::PartnershipId;
use escalations_store::{
    ConfigChange, ConfigVersion, Cursor, Page, PageRequest, PartnershipConfig, StoreError,
    check_config_change,
};
use serde::{Deserialize, Serialize};

use crate::items::{ConfigItem, from_item, s, to_item};
use crate::transactions::{Cancelled, TRANSACTION_RETRIES, backoff, failed};
use crate::{DynamoStore, keys};

/// What a change's item holds.
#[derive(Serialize, Deserialize)]
struct ChangeItem {
    pk: String,
    sk: String,
    change: ConfigChange,
}

/// Where a page of changes ended: the last change's sort key, in this partnership.
#[derive(Serialize, Deserialize)]
struct ChangesCursor {
    pk: String,
    sk: String,
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn config_value(config: &PartnershipConfig) -> Result<AttributeValue, StoreError> {
    Ok(AttributeValue::M(to_item(config)?))
}

/// The write that stores a configuration as the operator's tool does: created at version 1,
/// or replaced with its version one higher.
pub(crate) fn put_config(
    table: &str,
    config: &PartnershipConfig,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .key("pk", s(keys::config_pk(&config.id)))
        .key("sk", s(keys::CONFIG_SK))
        .update_expression(
            "SET #config = :config, #version = if_not_exists(#version, :zero) + :one",
        )
        .expression_attribute_names("#config", "config")
        .expression_attribute_names("#version", "config_version")
        .expression_attribute_values(":config", config_value(config)?)
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .build()
        .map_err(StoreError::backend)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

impl DynamoStore {
    pub(crate) async fn config_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, ConfigVersion)>, StoreError> {
        let item = self.get(keys::config_pk(id), keys::CONFIG_SK).await?;
        Ok(item
            .map(from_item::<ConfigItem>)
            .transpose()?
            .map(|c| (c.config, ConfigVersion(c.config_version.unwrap_or(1)))))
    }

    pub(crate) async fn change_config(
        &self,
        config: &PartnershipConfig,
        expected: ConfigVersion,
        change: &ConfigChange,
    ) -> Result<(), StoreError> {
        check_config_change(expected, change)?;
        let pk = keys::config_pk(&config.id);
        // Configurations stored before versions have none and read as version 1.
        let condition = if expected == ConfigVersion(1) {
            "attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :expected)"
        } else {
            "#version = :expected"
        };
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(pk.clone()))
            .key("sk", s(keys::CONFIG_SK))
            .update_expression("SET #config = :config, #version = :version")
            .condition_expression(condition)
            .expression_attribute_names("#config", "config")
            .expression_attribute_names("#version", "config_version")
            .expression_attribute_values(":config", config_value(config)?)
            .expression_attribute_values(":version", n(change.version.0))
            .expression_attribute_values(":expected", n(expected.0))
            .build()
            .map_err(StoreError::backend)?;
        let record = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&ChangeItem {
                pk: pk.clone(),
                sk: keys::config_change_sk(change.version.0),
                change: change.clone(),
            })?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::backend)?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            TransactWriteItem::builder().put(record).build(),
        ];
        let conflict = || StoreError::ConfigConflict {
            partnership: config.id.clone(),
            expected_version: expected.0,
        };
        for attempt in 0..TRANSACTION_RETRIES {
            match self.transact(items.clone()).await {
                Ok(()) => return Ok(()),
                Err(Cancelled::Reasons(r))
                    if failed(&r, 0, "ConditionalCheckFailed")
                        || failed(&r, 1, "ConditionalCheckFailed") =>
                {
                    return Err(conflict());
                }
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
        Err(conflict())
    }

    pub(crate) async fn config_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<ConfigChange>, StoreError> {
        let pk = keys::config_pk(id);
        let start = match &page.cursor {
            None => None,
            Some(cursor) => {
                let c: ChangesCursor = cursor.decode()?;
                if c.pk != pk || !c.sk.starts_with(keys::CONFIG_CHANGE_PREFIX) {
                    return Err(StoreError::InvalidCursor);
                }
                Some(HashMap::from([
                    ("pk".to_owned(), s(c.pk)),
                    ("sk".to_owned(), s(c.sk)),
                ]))
            }
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":prefix", s(keys::CONFIG_CHANGE_PREFIX))
            .scan_index_forward(false)
            .consistent_read(true)
            .limit(page.limit() as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(crate::errors::sdk)?;
        let mut items = Vec::new();
        let mut last = None;
        for item in out.items.unwrap_or_default() {
            let decoded: ChangeItem = from_item(item)?;
            last = Some(decoded.sk);
            items.push(decoded.change);
        }
        let more = out.last_evaluated_key.is_some_and(|k| !k.is_empty());
        let next = match (more, last) {
            (true, Some(sk)) => Some(Cursor::encode(&ChangesCursor { pk, sk })),
            _ => None,
        };
        Ok(Page { items, next })
    }
}
