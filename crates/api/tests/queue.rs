//! The work queue's cost: it is worked out from list entries, and reads a whole case only
//! when no clock runs and the caller may be the side to move.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::Store;
use escalations_store::instrumented::{Call, Instrumented, Probe};
use escalations_store_sqlite::SqliteStore;
use serde_json::{Value, json};

/// Counts whole-case reads.
#[derive(Default)]
struct Loads(AtomicUsize);

impl Probe for Loads {
    fn read(&self, call: Call, _items: usize) {
        if call == Call::LoadCase {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn person(id: &str, agency: &str, role: Role) -> Principal {
    Principal {
        partnership: PartnershipId::parse("sefton").unwrap(),
        actor: Actor::new(
            PersonId::parse(id).unwrap(),
            AgencyId::parse(agency).unwrap(),
            role,
        ),
    }
}

async fn call(app: &Api, who: &Principal, method: &str, path: &str, body: Value) -> Value {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let response = app.handle(request, Ok(who.clone())).await;
    assert!(
        response.status().is_success(),
        "{method} {path}: {response:?}"
    );
    serde_json::from_slice(response.body()).unwrap()
}

#[tokio::test]
async fn the_queue_reads_whole_cases_only_when_no_clock_says_whose_move_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Instrumented::new(
        Arc::new(SqliteStore::open(dir.path().join("q.db")).await.unwrap()),
        Loads::default(),
    ));
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let now = || "2026-11-23T10:00:00Z".parse().unwrap();
    let app = Api::new(store.clone(), Catalogue::builtin().unwrap(), Arc::new(now));
    let school = person("school-practitioner", "school", Role::Practitioner);
    let social_care = person("social-care-manager", "social-care", Role::Manager);

    // 30 cases waiting for social care's response (a clock runs), and 1 waiting for the
    // school's decision after a "not resolved" answer (no clock runs).
    let mut ids = Vec::new();
    for _ in 0..31 {
        let raised = call(
            &app,
            &school,
            "POST",
            "/api/cases",
            json!({
                "procedure": "sefton", "receiving_agency": "social-care",
                "child": { "name": "Queue Child" },
                "concern": { "summary": "Referral closed", "level_of_need": "s17" }, "immediate_risk": false
            }),
        )
        .await;
        ids.push(raised["case"]["id"].as_str().unwrap().to_owned());
    }
    let answered = &ids[0];
    call(
        &app,
        &social_care,
        "POST",
        &format!("/api/cases/{answered}/responses"),
        json!({
            "version": 1, "outcome": "not-resolved", "reasons": "Threshold not agreed",
            "agreed_actions": [{ "what": "Hold a strategy discussion",
                                 "owner_agency": "social-care", "by_when": "2026-11-30" }]
        }),
    )
    .await;

    store.probe.0.store(0, Ordering::SeqCst);
    let queue = call(&app, &social_care, "GET", "/api/queue", Value::Null).await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 30, "{queue}");
    assert!(
        items
            .iter()
            .all(|i| i["case"] != answered.as_str() && i["due"].is_string())
    );
    // Every one came from its list entry's running clock; the case awaiting the school's
    // decision is not social care's move, so it was not read either.
    assert_eq!(store.probe.0.load(Ordering::SeqCst), 0);
    // The action social care owns in that case is in its work, from the list entry too.
    assert_eq!(
        queue["agreed_actions"],
        json!([{ "case": answered, "procedure": "sefton", "status": "open",
                 "due": "2026-11-30", "overdue": false, "version": 2 }])
    );

    let queue = call(&app, &school, "GET", "/api/queue", Value::Null).await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{queue}");
    assert_eq!(items[0]["case"], answered.as_str());
    assert_eq!(items[0]["actions"], json!(["escalate", "resolve"]));
    assert_eq!(
        queue["agreed_actions"],
        json!([]),
        "the school owns no action"
    );
    // Only that case, where the school may be the side to move, was read whole.
    assert_eq!(store.probe.0.load(Ordering::SeqCst), 1);
}
