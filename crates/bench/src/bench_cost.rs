//! What each action costs in DynamoDB (not a timed test): the read and write request units
//! every request of the API and one sweep use, metered on the wire. The DynamoDB adapter talks
//! to moto through a tap (`escalations_testkit::wire`) that sizes every item read or written
//! by DynamoDB's own rules — moto's `ConsumedCapacity` is not sized by item — and counts
//! units as on-demand billing does: a standard write 1 unit per 1 KB, a transactional write 2;
//! an eventually consistent read ½ unit per 4 KB, a strongly consistent one 1, a Query's items
//! summed before rounding; a write that replaces or deletes an item is sized by the larger of
//! the two versions (read back from moto).
//!
//! usage: bench-cost      (moto on PATH: `eval "$(./scripts/tools.sh)"`). Prints Markdown.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::Store;
use escalations_store_dynamodb::DynamoStore;
use escalations_testkit::{moto, wire};
use serde_json::{Map, Value, json};

/// Units counted since the last `take`.
#[derive(Default)]
struct Meter {
    units: Mutex<(f64, f64)>,
    /// Sizes of items a write is about to replace or delete, read before it goes through.
    before: Mutex<Vec<usize>>,
}

fn value_size(v: &Value) -> usize {
    let Some((kind, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    match kind.as_str() {
        "S" => inner.as_str().map_or(0, str::len),
        // Numbers: about one byte per two digits, plus one.
        "N" => inner.as_str().map_or(0, |n| n.len().div_ceil(2) + 1),
        "B" => inner.as_str().map_or(0, |b| b.len() * 3 / 4),
        "BOOL" | "NULL" => 1,
        "M" => 3 + inner.as_object().map_or(0, item_size),
        "L" => {
            3 + inner
                .as_array()
                .map_or(0, |l| l.iter().map(|e| 1 + value_size(e)).sum())
        }
        "SS" | "NS" | "BS" => inner.as_array().map_or(0, |l| {
            l.iter().map(|e| e.as_str().map_or(0, str::len)).sum()
        }),
        _ => 0,
    }
}

fn item_size(item: &Map<String, Value>) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn stored_size(table: &Value, key: &Value) -> usize {
    let got = wire::call_moto("GetItem", &json!({ "TableName": table, "Key": key }));
    got["Item"].as_object().map_or(0, item_size)
}

fn write_units(size: usize) -> f64 {
    size.div_ceil(1024).max(1) as f64
}

fn read_units(size: usize, strong: bool) -> f64 {
    let units = size.div_ceil(4096).max(1) as f64;
    if strong { units } else { units / 2.0 }
}

impl Meter {
    fn add(&self, read: f64, write: f64) {
        let mut u = self.units.lock().expect("meter");
        u.0 += read;
        u.1 += write;
    }

    fn take(&self) -> (f64, f64) {
        std::mem::take(&mut *self.units.lock().expect("meter"))
    }
}

impl wire::Tap for Meter {
    fn before(&self, op: &str, request: &Value) {
        let mut before = self.before.lock().expect("meter");
        before.clear();
        match op {
            "PutItem" | "UpdateItem" | "DeleteItem" => {
                let key = request.get("Key").cloned().unwrap_or_else(|| {
                    // A put names its key inside the item: read the same item by its keys.
                    json!({ "pk": request["Item"]["pk"], "sk": request["Item"]["sk"] })
                });
                before.push(stored_size(&request["TableName"], &key));
            }
            "TransactWriteItems" => {
                for t in request["TransactItems"].as_array().into_iter().flatten() {
                    let (_, part) = t.as_object().and_then(|o| o.iter().next()).expect("a part");
                    let key = part.get("Key").cloned().unwrap_or_else(
                        || json!({ "pk": part["Item"]["pk"], "sk": part["Item"]["sk"] }),
                    );
                    before.push(stored_size(&part["TableName"], &key));
                }
            }
            _ => {}
        }
    }

    fn after(&self, op: &str, request: &Value, answer: &Value) {
        let strong = request["ConsistentRead"].as_bool().unwrap_or(false);
        let before = std::mem::take(&mut *self.before.lock().expect("meter"));
        match op {
            "GetItem" => self.add(
                read_units(answer["Item"].as_object().map_or(0, item_size), strong),
                0.0,
            ),
            "Query" => {
                let total = answer["Items"].as_array().map_or(0, |items| {
                    items
                        .iter()
                        .filter_map(Value::as_object)
                        .map(item_size)
                        .sum()
                });
                self.add(read_units(total, strong), 0.0);
            }
            "PutItem" => {
                let new = request["Item"].as_object().map_or(0, item_size);
                self.add(
                    0.0,
                    write_units(new.max(before.first().copied().unwrap_or(0))),
                );
            }
            "UpdateItem" => {
                let after = stored_size(&request["TableName"], &request["Key"]);
                self.add(
                    0.0,
                    write_units(after.max(before.first().copied().unwrap_or(0))),
                );
            }
            "DeleteItem" => self.add(0.0, write_units(before.first().copied().unwrap_or(0))),
            "BatchWriteItem" => {
                for writes in request["RequestItems"]
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.values())
                {
                    for w in writes.as_array().into_iter().flatten() {
                        let size = w["PutRequest"]["Item"].as_object().map_or(0, item_size);
                        self.add(0.0, write_units(size));
                    }
                }
            }
            "TransactWriteItems" => {
                let parts = request["TransactItems"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for (i, t) in parts.iter().enumerate() {
                    let (kind, part) = t.as_object().and_then(|o| o.iter().next()).expect("a part");
                    let old = before.get(i).copied().unwrap_or(0);
                    match kind.as_str() {
                        "Put" => {
                            let new = part["Item"].as_object().map_or(0, item_size);
                            self.add(0.0, 2.0 * write_units(new.max(old)));
                        }
                        "Update" => {
                            let new = stored_size(&part["TableName"], &part["Key"]);
                            self.add(0.0, 2.0 * write_units(new.max(old)));
                        }
                        "Delete" => self.add(0.0, 2.0 * write_units(old)),
                        // A condition check is a transactional read of the item.
                        _ => self.add(2.0 * read_units(old, true), 0.0),
                    }
                }
            }
            _ => {}
        }
    }
}

fn person(id: &str, agency: &str, role: Role) -> Principal {
    Principal {
        partnership: PartnershipId::parse("sefton").expect("id"),
        actor: Actor::new(
            PersonId::parse(id).expect("id"),
            AgencyId::parse(agency).expect("id"),
            role,
        ),
    }
}

async fn call(api: &Api, who: &Principal, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut request = http::Request::builder().method(method).uri(path);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string())))
        .expect("request");
    let response = api.handle(request, Ok(who.clone())).await;
    assert!(
        response.status().is_success(),
        "{method} {path}: {response:?}"
    );
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

#[tokio::main]
async fn main() {
    let meter = Arc::new(Meter::default());
    let url = wire::tap(meter.clone()).await;
    let table = moto::fresh_table(&moto::client()).await;
    let store = Arc::new(DynamoStore::new(moto::client_at(&url), table));
    for partnership in escalations_demo::partnerships() {
        store
            .put_partnership(&partnership)
            .await
            .expect("configuration");
    }
    let now = || "2026-11-23T10:00:00Z".parse().expect("instant");
    let api = Api::new(
        store.clone(),
        Catalogue::builtin().expect("catalogue"),
        Arc::new(now),
    );
    let school = person("school-practitioner", "school", Role::Practitioner);
    let manager = person("social-care-manager", "social-care", Role::Manager);
    let chair = person("chair", "sscp", Role::Chair);
    let raise = |n: u32| {
        json!({
            "procedure": "sefton", "receiving_agency": "social-care", "immediate_risk": false,
            "child": { "name": "Cost Child", "date_of_birth": format!("2015-01-{:02}", n % 28 + 1) },
            "concern": { "summary": "Referral closed without assessment", "reasons": ["other"],
                         "other_reason": "Threshold", "tried": "Discussed on the phone" }
        })
    };
    // A few cases already there, so lists and queues read something.
    for n in 0..5 {
        call(&api, &school, "POST", "/api/cases", Some(raise(n))).await;
    }
    meter.take();

    let mut rows: Vec<(&str, (f64, f64))> = Vec::new();
    let raised = call(&api, &school, "POST", "/api/cases", Some(raise(10))).await;
    rows.push(("raise (a Sefton case)", meter.take()));
    let id = raised["case"]["id"].as_str().expect("id").to_owned();
    call(&api, &manager, "GET", &format!("/api/cases/{id}"), None).await;
    rows.push(("view a case", meter.take()));
    call(&api, &manager, "GET", "/api/queue", None).await;
    rows.push((
        "My work (the queue: 6 open cases in the agency)",
        meter.take(),
    ));
    call(
        &api,
        &chair,
        "GET",
        "/api/cases?scope=partnership&limit=50",
        None,
    )
    .await;
    rows.push(("All cases (a page of 6)", meter.take()));
    let answered = call(
        &api,
        &manager,
        "POST",
        &format!("/api/cases/{id}/responses"),
        Some(json!({ "version": 1, "outcome": "not-resolved", "reasons": "Threshold not agreed" })),
    )
    .await;
    rows.push(("respond (not resolved)", meter.take()));
    let version = answered["case"]["version"].as_u64().expect("version");
    let raiser_manager = person("school-manager", "school", Role::Manager);
    call(
        &api,
        &raiser_manager,
        "POST",
        &format!("/api/cases/{id}/escalations"),
        Some(json!({ "version": version, "reasons": "Still not agreed", "tried": "Manager to manager" })),
    )
    .await;
    rows.push(("escalate", meter.take()));
    let app = api.app();
    let budget = std::time::Duration::from_secs(30);
    app.sweep(now(), budget).await.expect("sweep");
    rows.push(("one sweep, nothing due (every 5 minutes)", meter.take()));
    // Three working days later: the five untouched cases' first step is overdue.
    let later = "2026-11-26T10:00:00Z".parse().expect("instant");
    app.sweep(later, budget).await.expect("sweep");
    rows.push((
        "one sweep recording 5 breaches and planning their notices",
        meter.take(),
    ));
    app.sweep(later, budget).await.expect("sweep");
    rows.push(("the next sweep, nothing new", meter.take()));
    call(
        &api,
        &chair,
        "GET",
        "/api/reports?from=2026-11-01&to=2026-11-30",
        None,
    )
    .await;
    rows.push(("the report (6 cases)", meter.take()));

    println!("| action | read request units | write request units |");
    println!("|---|---|---|");
    for (action, (read, write)) in rows {
        println!("| {action} | {read:.1} | {write:.1} |");
    }
}
