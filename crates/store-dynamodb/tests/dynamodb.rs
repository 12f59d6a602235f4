//! The DynamoDB adapter over the real DynamoDB wire protocol, against moto_server: the
//! conformance suite, plus what only this adapter can show.

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use escalations_core::case::Role;
use escalations_store::conformance::{Shared, actor, case_one, partnership, raised};
use escalations_store::{PageRequest, Scope, Store, StoreError};
use escalations_store_dynamodb::{DynamoStore, keys};
use escalations_testkit::moto;

async fn fresh() -> Shared {
    let client = moto::client();
    let table = moto::fresh_table(&client).await;
    Arc::new(DynamoStore::new(client, table))
}

escalations_store::conformance_suite!(fresh);

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

async fn store_with_case() -> (DynamoStore, escalations_core::case::Transition) {
    let client = moto::client();
    let table = moto::fresh_table(&client).await;
    let store = DynamoStore::new(client, table);
    let t = case_one();
    store
        .create_case(&partnership("sefton-scp"), &t, None)
        .await
        .unwrap();
    (store, t)
}

async fn raw_case_item(store: &DynamoStore) -> std::collections::HashMap<String, AttributeValue> {
    store
        .client()
        .get_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S("P#sefton-scp#CASE#case-1".into()))
        .key("sk", AttributeValue::S("CASE".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap()
}

#[tokio::test]
async fn the_template_declares_the_keys_and_index_the_adapter_uses() {
    let props = moto::table_properties();
    let index = &props["GlobalSecondaryIndexes"][0];
    assert_eq!(index["IndexName"].as_str(), Some(keys::OPEN_CLOCKS_INDEX));
    assert_eq!(
        index["KeySchema"][0]["AttributeName"].as_str(),
        Some("due_pk")
    );
    assert_eq!(
        index["KeySchema"][1]["AttributeName"].as_str(),
        Some("due_sk")
    );
    // The production settings an operator relies on.
    assert_eq!(
        props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(props["SSESpecification"]["SSEType"].as_str(), Some("KMS"));
    assert_eq!(props["DeletionProtectionEnabled"].as_bool(), Some(true));
}

#[tokio::test]
async fn index_keys_are_strings_as_the_table_declares() {
    // moto accepts a key attribute of the wrong type; real DynamoDB rejects the write.
    let (store, t) = store_with_case().await;
    let item = raw_case_item(&store).await;
    let declared: std::collections::HashMap<String, String> =
        moto::table_properties()["AttributeDefinitions"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["AttributeName"].as_str().unwrap().to_owned(),
                    a["AttributeType"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
    for (name, kind) in &declared {
        assert_eq!(kind, "S");
        let value = item
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from a case with a running clock"));
        assert!(matches!(value, AttributeValue::S(_)), "{name} is {value:?}");
    }
    let due = t.case.running_clock().unwrap().due;
    assert_eq!(
        item["due_sk"],
        AttributeValue::S(format!(
            "{}#case-1",
            escalations_store::sortable_instant(due)
        ))
    );
    assert!(
        matches!(&item["due_pk"], AttributeValue::S(pk) if pk.starts_with("P#sefton-scp#DUE#"))
    );
}

#[tokio::test]
async fn a_closed_case_moves_from_the_due_partitions_to_the_retention_ones_until_erased() {
    let (store, t) = store_with_case().await;
    let p = partnership("sefton-scp");
    let withdrawn = t
        .case
        .withdraw(
            escalations_core::Catalogue::builtin()
                .unwrap()
                .get("sefton")
                .unwrap(),
            &actor("pat", "school", Role::Practitioner),
            escalations_core::ids::Text::parse("Agreed").unwrap(),
            at("2026-11-23T11:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &withdrawn).await.unwrap();
    let item = raw_case_item(&store).await;
    assert!(!item.contains_key("due"), "no clock runs");
    assert!(
        matches!(&item["due_pk"], AttributeValue::S(pk) if pk.starts_with("P#sefton-scp#CLOSED#")),
        "{:?}",
        item["due_pk"]
    );
    assert_eq!(
        item["due_sk"],
        AttributeValue::S(format!(
            "{}#case-1",
            escalations_store::sortable_instant(withdrawn.case.updated_at)
        ))
    );
    let erased = withdrawn
        .case
        .erase(
            &escalations_core::partnership::Retention::years(1).unwrap(),
            at("2027-11-23T11:00:00Z"),
        )
        .unwrap();
    store.apply_erasure(&p, &erased, None).await.unwrap();
    let item = raw_case_item(&store).await;
    for attribute in ["due_pk", "due_sk", "due"] {
        assert!(!item.contains_key(attribute), "{attribute} still present");
    }
}

#[tokio::test]
async fn a_corrupt_item_is_an_error_naming_its_key_and_field_never_a_skip() {
    let (store, t) = store_with_case().await;
    let p = partnership("sefton-scp");
    // Schema drift: a version stored as a string.
    let mut item = raw_case_item(&store).await;
    let Some(AttributeValue::M(mut case)) = item.remove("case") else {
        panic!("case map")
    };
    case.insert("version".into(), AttributeValue::S("three".into()));
    item.insert("case".into(), AttributeValue::M(case));
    store
        .client()
        .put_item()
        .table_name(store.table())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();

    let err = store.load_case(&p, &t.case.id).await.unwrap_err();
    match &err {
        StoreError::Corrupt { key, field, .. } => {
            assert_eq!(key, "P#sefton-scp#CASE#case-1 / CASE");
            assert_eq!(field, "case.version");
        }
        other => panic!("{other:?}"),
    }
    // The list entry is still readable, but loading the case is not silently skipped.
    let listed = store
        .list_cases(
            &p,
            &Scope::Partnership,
            &Default::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
}

#[test]
fn the_adapter_never_scans() {
    // Every source file of the adapter, whatever it is split into.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut read = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            assert!(
                !source.contains(".scan()"),
                "{}: a Scan reads every partnership's data",
                path.display()
            );
            read += 1;
        }
    }
    assert!(read >= 4, "read {read} source files in {}", src.display());
}

#[test]
fn every_partnership_key_starts_with_the_partnership() {
    let p = partnership("p1");
    let case = escalations_core::ids::CaseId::parse("c1").unwrap();
    let keys = [
        keys::case_pk(&p, &case),
        keys::view_pk(&p, &Scope::Partnership),
        keys::view_pk(
            &p,
            &Scope::Agency(escalations_core::ids::AgencyId::parse("a").unwrap()),
        ),
        keys::view_pk(
            &p,
            &Scope::Person(escalations_core::ids::PersonId::parse("u").unwrap()),
        ),
        keys::due_pk(&p, 3),
        keys::notices_due_pk(&p, 3),
        keys::config_pk(&p),
        keys::idempotency_pk(
            &p,
            &escalations_core::ids::PersonId::parse("u").unwrap(),
            &escalations_store::IdempotencyKey::parse("abcdefgh").unwrap(),
        ),
    ];
    for key in keys {
        assert!(key == "P#p1" || key.starts_with("P#p1#"), "{key}");
    }
    // Shards spread cases and never change between releases.
    let shards: std::collections::BTreeSet<u32> = (0..64)
        .map(|n| keys::shard(&escalations_core::ids::CaseId::parse(&format!("case-{n}")).unwrap()))
        .collect();
    assert_eq!(shards.len() as u32, keys::SHARDS);
    assert_eq!(
        keys::shard(&case),
        keys::shard(&escalations_core::ids::CaseId::parse("c1").unwrap())
    );
}

/// The raw item at `pk` / `sk`, if any.
async fn raw_item(
    store: &DynamoStore,
    pk: &str,
    sk: &str,
) -> Option<std::collections::HashMap<String, AttributeValue>> {
    store
        .client()
        .get_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

fn pending(case: &str, key: &str, not_before: &str) -> escalations_store::PendingNotice {
    escalations_store::PendingNotice {
        case: escalations_core::ids::CaseId::parse(case).unwrap(),
        key: escalations_store::NoticeKey::parse(key).unwrap(),
        not_before: at(not_before),
        plan: r#"{"kind":"breached"}"#.into(),
    }
}

#[tokio::test]
async fn a_pending_notice_sits_in_the_index_partitions_of_notices_with_string_keys() {
    let client = moto::client();
    let table = moto::fresh_table(&client).await;
    let store = DynamoStore::new(client, table);
    let p = partnership("sefton-scp");
    let t = case_one();
    // A notice key may hold `#`: it is the last part of `due_sk`, read back whole.
    let notice = pending("case-1", "breached#step-1/v1", "2026-11-24T09:00:00Z");
    store
        .create_case_noting(&p, &t, None, std::slice::from_ref(&notice))
        .await
        .unwrap();
    let item = raw_item(
        &store,
        "P#sefton-scp#CASE#case-1",
        "OUTBOX#breached#step-1/v1",
    )
    .await
    .expect("the outbox item");
    assert_eq!(
        item["due_sk"],
        AttributeValue::S("2026-11-24T09:00:00.000000000Z#case-1#breached#step-1/v1".into())
    );
    assert!(
        matches!(&item["due_pk"], AttributeValue::S(pk) if pk.starts_with("P#sefton-scp#NOTICES#")),
        "{:?}",
        item["due_pk"]
    );
    let due = store
        .due_notices(&p, at("2026-11-24T09:00:00Z"), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(due.items.len(), 1);
    assert_eq!(due.items[0].key, notice.key);
    assert_eq!(due.items[0].not_before, notice.not_before);
    // The clocks' due query does not see notices, nor the notices' query clocks.
    let far = at("2027-01-01T00:00:00Z");
    let clocks = store
        .due_by(&p, far, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(clocks.items.len(), 1);
    assert_eq!(clocks.items[0].case, t.case.id);
    let notices = store
        .due_notices(&p, far, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(notices.items.len(), 1);

    // Recorded before through `record_notice`: finishing it as sent still ends it, once.
    let now = at("2026-11-24T09:00:00Z");
    store
        .record_notice(&p, &t.case.id, &notice.key, now)
        .await
        .unwrap();
    let end = escalations_store::NoticeEnd::Sent;
    assert_eq!(
        store
            .finish_notice(&p, &t.case.id, &notice.key, end, now)
            .await
            .unwrap(),
        escalations_store::NoticeOutcome::Recorded
    );
    assert_eq!(
        store
            .finish_notice(&p, &t.case.id, &notice.key, end, now)
            .await
            .unwrap(),
        escalations_store::NoticeOutcome::AlreadyRecorded
    );
    assert!(
        raw_item(
            &store,
            "P#sefton-scp#CASE#case-1",
            "OUTBOX#breached#step-1/v1"
        )
        .await
        .is_none()
    );
    assert_eq!(store.notices(&p, &t.case.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_change_with_more_writes_than_one_transaction_takes_is_refused_whole() {
    let (store, t) = store_with_case().await;
    let p = partnership("sefton-scp");
    let many: Vec<_> = (0..120)
        .map(|n| pending("case-2", &format!("n-{n}/v1"), "2026-11-24T09:00:00Z"))
        .collect();
    let other = raised(
        "case-2",
        &actor("pat", "school", Role::Practitioner),
        "social-care",
        at("2026-11-23T11:00:00Z"),
    );
    let err = store
        .create_case_noting(&p, &other, None, &many)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::InvalidTransition(m) if m.contains("100")),
        "{err:?}"
    );
    assert!(store.load_case(&p, &other.case.id).await.unwrap().is_none());

    let mut next = t.case.clone();
    next.version += 1;
    let change = escalations_core::case::Transition {
        events: vec![escalations_core::case::Event {
            case: next.id.clone(),
            version: next.version,
            seq: 0,
            at: at("2026-11-23T12:00:00Z"),
            by: None,
            kind: escalations_core::case::EventKind::Submitted {
                stage: next.stage.clone(),
            },
        }],
        case: next,
    };
    let many: Vec<_> = (0..120)
        .map(|n| pending("case-1", &format!("n-{n}/v2"), "2026-11-24T09:00:00Z"))
        .collect();
    let err = store.apply_noting(&p, &change, &many).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidTransition(_)), "{err:?}");
    assert_eq!(
        store
            .load_case(&p, &t.case.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );
    assert!(
        store
            .due_notices(&p, at("2027-01-01T00:00:00Z"), &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Twenty notices, as a change plans at most, fit.
    store.apply_noting(&p, &change, &many[..20]).await.unwrap();
}

/// Every item of the table, as text (a test may Scan; the adapter never does).
async fn whole_table(store: &DynamoStore) -> String {
    let out = store
        .client()
        .scan()
        .table_name(store.table())
        .send()
        .await
        .unwrap();
    format!("{:?}", out.items.unwrap_or_default())
}

#[tokio::test]
async fn an_erased_case_leaves_nothing_of_the_child_or_the_typed_words_in_any_item() {
    let client = moto::client();
    let table = moto::fresh_table(&client).await;
    let store = DynamoStore::new(client, table);
    let p = partnership("sefton-scp");
    let (name, born, summary, reason) = (
        "Araminta Fothergill-Quince",
        "2014-09-21",
        "Rhubarb threshold never discussed",
        "Withdrawn after the tapir meeting",
    );
    let mut t = case_one();
    let child = t.case.child.as_mut().unwrap();
    child.name = escalations_core::ids::Text::parse(name).unwrap();
    child.date_of_birth = Some(born.parse().unwrap());
    t.case.concern.summary = escalations_core::ids::Text::parse(summary).unwrap();
    let t = t.with_child_key(&escalations_core::case::MatchSecret::new(vec![9; 32]).unwrap());
    let key = t.case.child_key.clone().expect("a child key");
    store.create_case(&p, &t, None).await.unwrap();
    let withdrawn = t
        .case
        .withdraw(
            escalations_core::Catalogue::builtin()
                .unwrap()
                .get("sefton")
                .unwrap(),
            &actor("chair", "sscp", Role::Chair),
            escalations_core::ids::Text::parse(reason).unwrap(),
            at("2026-11-23T11:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &withdrawn).await.unwrap();
    let before = whole_table(&store).await;
    for kept in [name, born, summary, reason, key.as_str()] {
        assert!(before.contains(kept), "{kept} is stored before erasure");
    }

    let erased = withdrawn
        .case
        .erase(
            &escalations_core::partnership::Retention::years(6).unwrap(),
            at("2032-11-23T11:00:00Z"),
        )
        .unwrap();
    store.apply_erasure(&p, &erased, Some(&key)).await.unwrap();
    let after = whole_table(&store).await;
    for gone in [name, born, summary, reason, key.as_str()] {
        assert!(
            !after.contains(gone),
            "{gone} is left in the table: {after}"
        );
    }
    // The case and its chronology remain.
    assert_eq!(
        store.load_case(&p, &erased.case.id).await.unwrap(),
        Some(erased.case.clone())
    );
    assert_eq!(
        store.chronology(&p, &erased.case.id).await.unwrap().len(),
        t.events.len() + withdrawn.events.len() + erased.events.len()
    );
}

#[tokio::test]
async fn a_case_stored_before_the_work_queues_gets_them_when_reindexed() {
    let (store, t) = store_with_case().await;
    let p = partnership("sefton-scp");
    let queue = escalations_store::WorkQueue::Agency(
        escalations_core::ids::AgencyId::parse("social-care").unwrap(),
    );
    assert_eq!(store.work_queue(&p, &queue).await.unwrap().len(), 1);
    // As an older release left it: no work-queue entry.
    store
        .client()
        .delete_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S(keys::work_pk(&p, &queue)))
        .key(
            "sk",
            AttributeValue::S(keys::view_sk(t.case.raised_at, &t.case.id)),
        )
        .send()
        .await
        .unwrap();
    assert!(store.work_queue(&p, &queue).await.unwrap().is_empty());
    assert!(store.reindex(&p, &t.case.id).await.unwrap());
    let queued = store.work_queue(&p, &queue).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].id, t.case.id);
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap(),
        Some(t.case.clone())
    );
}
