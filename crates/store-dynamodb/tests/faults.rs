//! DynamoDB throttling, injected on the wire: the adapter's client talks to moto through a
//! small proxy that answers chosen operations with DynamoDB's own throttling error (after the
//! SDK's retries, still throttled). The adapter says "busy" — which the API answers with 503
//! and `Retry-After` — and nothing is half-written: the case is wholly there or wholly not.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use escalations_store::conformance::{case_one, partnership, respond};
use escalations_store::{Store, StoreError};
use escalations_store_dynamodb::DynamoStore;
use escalations_testkit::{moto, wire};
use serde_json::Value;

/// Throttles DynamoDB's write operations while switched on.
#[derive(Default)]
struct Faults {
    throttle_writes: AtomicBool,
    throttled: AtomicUsize,
}

const WRITES: [&str; 4] = ["TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem"];

impl wire::Tap for Faults {
    fn answer(&self, op: &str, _request: &Value) -> Option<Vec<u8>> {
        if WRITES.contains(&op) && self.throttle_writes.load(Ordering::SeqCst) {
            self.throttled.fetch_add(1, Ordering::SeqCst);
            return Some(wire::throttling_response());
        }
        None
    }
}

async fn throttled_store() -> (DynamoStore, Arc<Faults>) {
    let faults = Arc::new(Faults::default());
    let url = wire::tap(faults.clone()).await;
    let table = moto::fresh_table(&moto::client()).await;
    (DynamoStore::new(moto::client_at(&url), table), faults)
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn throttled_writes_are_busy_and_leave_nothing_half_written() {
    let (store, faults) = throttled_store().await;
    let p = partnership("sefton-scp");
    let t = case_one();

    faults.throttle_writes.store(true, Ordering::SeqCst);
    let refused = store.create_case(&p, &t, None).await;
    assert!(matches!(refused, Err(StoreError::Busy(_))), "{refused:?}");
    assert!(
        faults.throttled.load(Ordering::SeqCst) >= 2,
        "the SDK retried before giving up"
    );
    faults.throttle_writes.store(false, Ordering::SeqCst);
    assert_eq!(store.load_case(&p, &t.case.id).await.unwrap(), None);
    assert!(store.chronology(&p, &t.case.id).await.unwrap().is_empty());

    // Sent again once the throttling has passed, it is written whole.
    store.create_case(&p, &t, None).await.unwrap();
    let answered = respond(&t.case, at("2026-11-23T11:00:00Z"));
    faults.throttle_writes.store(true, Ordering::SeqCst);
    let refused = store.apply(&p, &answered).await;
    assert!(matches!(refused, Err(StoreError::Busy(_))), "{refused:?}");
    faults.throttle_writes.store(false, Ordering::SeqCst);
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap().as_ref(),
        Some(&t.case),
        "the throttled response changed nothing"
    );
    assert_eq!(
        store.chronology(&p, &t.case.id).await.unwrap(),
        t.events,
        "no event of the throttled response"
    );
    store.apply(&p, &answered).await.unwrap();
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap().as_ref(),
        Some(&answered.case)
    );
}
