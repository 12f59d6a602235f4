//! Storage that is busy (throttled, timed out) is answered 503 with `Retry-After`, never 500,
//! and the request changed nothing: sent again once storage recovers, it is done once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::instrumented::{Call, Instrumented, Probe};
use escalations_store::{Store, StoreError};
use escalations_store_sqlite::SqliteStore;
use serde_json::{Value, json};

/// Throttles every write while switched on, as DynamoDB does under load.
#[derive(Default)]
struct Throttle(AtomicBool);

impl Probe for Throttle {
    fn before(&self, call: Call) -> Result<(), StoreError> {
        let write = matches!(call, Call::CreateCaseNoting | Call::ApplyNoting);
        if write && self.0.load(Ordering::SeqCst) {
            return Err(StoreError::busy(std::io::Error::other(
                "ThrottlingException: Rate of requests exceeds the allowed throughput",
            )));
        }
        Ok(())
    }
}

fn school() -> Principal {
    Principal {
        partnership: PartnershipId::parse("sefton").unwrap(),
        actor: Actor::new(
            PersonId::parse("school-practitioner").unwrap(),
            AgencyId::parse("school").unwrap(),
            Role::Practitioner,
        ),
    }
}

async fn raise(app: &Api) -> http::Response<Bytes> {
    let request = http::Request::builder()
        .method("POST")
        .uri("/api/cases")
        .header("content-type", "application/json")
        .header("idempotency-key", "raise-while-busy-1")
        .body(Bytes::from(
            json!({
                "procedure": "sefton", "receiving_agency": "social-care", "immediate_risk": false,
                "child": { "name": "Busy Child", "date_of_birth": "2015-06-01" },
                "concern": { "summary": "Closed without assessment", "reasons": ["other"],
                             "other_reason": "Threshold", "tried": "Phoned" }
            })
            .to_string(),
        ))
        .unwrap();
    app.handle(request, Ok(school())).await
}

async fn listed(app: &Api) -> usize {
    let request = http::Request::builder()
        .uri("/api/cases?scope=mine")
        .body(Bytes::new())
        .unwrap();
    let response = app.handle(request, Ok(school())).await;
    let page: Value = serde_json::from_slice(response.body()).unwrap();
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_throttled_store_is_answered_503_with_retry_after_and_the_retry_is_done_once() {
    let dir = tempfile::tempdir().unwrap();
    let throttle = Arc::new(Throttle::default());
    struct Shared(Arc<Throttle>);
    impl Probe for Shared {
        fn before(&self, call: Call) -> Result<(), StoreError> {
            self.0.before(call)
        }
    }
    let store = Arc::new(Instrumented::new(
        Arc::new(SqliteStore::open(dir.path().join("b.db")).await.unwrap()),
        Shared(throttle.clone()),
    ));
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let now = || "2026-11-23T10:00:00Z".parse().unwrap();
    let app = Api::new(store, Catalogue::builtin().unwrap(), Arc::new(now));

    throttle.0.store(true, Ordering::SeqCst);
    let busy = raise(&app).await;
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers()["retry-after"], "2");
    assert_eq!(busy.headers()["content-type"], "application/problem+json");
    let problem: Value = serde_json::from_slice(busy.body()).unwrap();
    assert_eq!(problem["type"], "https://escalations.invalid/problems/busy");
    assert_eq!(
        problem["detail"],
        "the service is busy: nothing was changed; try again in a few seconds"
    );
    assert_eq!(listed(&app).await, 0, "nothing was written");

    // The same request again, with the same key, once storage has recovered: one case.
    throttle.0.store(false, Ordering::SeqCst);
    assert_eq!(raise(&app).await.status(), 201);
    assert_eq!(
        raise(&app).await.status(),
        200,
        "a replay, not a second case"
    );
    assert_eq!(listed(&app).await, 1);
}
