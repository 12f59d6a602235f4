//! Administration: each partnership's configuration, versioned, and the record of changes
//! (schema version 7). A change is one `IMMEDIATE` transaction: the configuration updated
//! where its version is the one read, and the change's row inserted.

use escalations_core::ids::PartnershipId;
use escalations_store::{
    ConfigChange, ConfigVersion, Cursor, Page, PageRequest, PartnershipConfig, StoreError,
    check_config_change,
};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::rows::{decode, encode};
use crate::{SqliteStore, backend};

#[derive(Serialize, Deserialize)]
struct ChangesCursor {
    partnership: String,
    before: i64,
}

impl SqliteStore {
    pub(crate) async fn config_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, ConfigVersion)>, StoreError> {
        let id = id.to_string();
        self.with(move |conn| {
            let row: Option<(String, i64)> = conn
                .query_row(
                    "SELECT config, version FROM partnerships WHERE id = ?1",
                    params![id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(backend)?;
            row.map(|(body, version)| {
                let config = decode(&format!("partnerships/{id}"), &body)?;
                Ok((config, ConfigVersion(version as u64)))
            })
            .transpose()
        })
        .await
    }

    pub(crate) async fn change_config(
        &self,
        config: &PartnershipConfig,
        expected: ConfigVersion,
        change: &ConfigChange,
    ) -> Result<(), StoreError> {
        check_config_change(expected, change)?;
        let partnership = config.id.clone();
        let body = encode(config)?;
        let record = encode(change)?;
        let version = change.version.0 as i64;
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let updated = tx
                .execute(
                    "UPDATE partnerships SET config = ?2, version = ?3
                     WHERE id = ?1 AND version = ?4",
                    params![partnership.as_str(), body, version, expected.0 as i64],
                )
                .map_err(backend)?;
            if updated != 1 {
                return Err(StoreError::ConfigConflict {
                    partnership,
                    expected_version: expected.0,
                });
            }
            tx.execute(
                "INSERT INTO config_changes (partnership, version, body) VALUES (?1, ?2, ?3)",
                params![partnership.as_str(), version, record],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)
        })
        .await
    }

    pub(crate) async fn config_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<ConfigChange>, StoreError> {
        let p = id.to_string();
        let before = match &page.cursor {
            None => i64::MAX,
            Some(cursor) => {
                let c: ChangesCursor = cursor.decode()?;
                if c.partnership != p {
                    return Err(StoreError::InvalidCursor);
                }
                c.before
            }
        };
        let limit = page.limit() as usize;
        self.with(move |conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT version, body FROM config_changes
                     WHERE partnership = ?1 AND version < ?2 ORDER BY version DESC LIMIT ?3",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map(params![p, before, (limit + 1) as i64], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(backend)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend)?;
            let more = rows.len() > limit;
            let mut items = Vec::new();
            for (version, body) in rows.into_iter().take(limit) {
                items.push(decode::<ConfigChange>(
                    &format!("config_changes/{p}/{version}"),
                    &body,
                )?);
            }
            let next = more.then(|| {
                Cursor::encode(&ChangesCursor {
                    partnership: p.clone(),
                    before: items.last().map_or(0, |c| c.version.0 as i64),
                })
            });
            Ok(Page { items, next })
        })
        .await
    }
}
