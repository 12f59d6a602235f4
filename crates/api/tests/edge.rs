//! The HTTP edge as a new user and an attacker would try it: every case here was found by
//! black-box testing of the API and failed before its fix.

use std::sync::Arc;

use bytes::Bytes;
use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::Store;
use escalations_store_sqlite::SqliteStore;
use serde_json::{Value, json};

struct Fixture {
    api: Api,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("edge.db")).await.unwrap();
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    // A clock that moves a second every time it is read, so a request that read it twice
    // would show two instants.
    let reads = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let start: chrono::DateTime<chrono::Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
    let clock = move || {
        start + chrono::Duration::seconds(reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    };
    let api = Api::new(
        Arc::new(store),
        Catalogue::builtin().unwrap(),
        Arc::new(clock),
    );
    Fixture { api, _dir: dir }
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

fn school() -> Principal {
    person("school-practitioner", "school", Role::Practitioner)
}

fn raise_body() -> Value {
    json!({
        "procedure": "sefton", "receiving_agency": "social-care",
        "child": { "name": "Edge Child" },
        "concern": { "summary": "Referral closed", "level_of_need": "s17" }, "immediate_risk": false
    })
}

struct Sent {
    status: u16,
    headers: http::HeaderMap,
    body: Value,
}

async fn send(
    api: &Api,
    who: &Principal,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Sent {
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = api
        .handle(
            request.body(Bytes::from(body.to_owned())).unwrap(),
            Ok(who.clone()),
        )
        .await;
    Sent {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    }
}

const JSON: (&str, &str) = ("content-type", "application/json");

async fn cases_of(api: &Api, who: &Principal) -> usize {
    let list = send(api, who, "GET", "/api/cases?scope=agency", &[], "").await;
    assert_eq!(list.status, 200, "{}", list.body);
    list.body["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn an_idempotency_key_replays_only_to_the_person_who_sent_it() {
    let f = fixture().await;
    let key = ("idempotency-key", "6c0e2a4e-shared-key");
    let body = raise_body().to_string();
    let first = send(&f.api, &school(), "POST", "/api/cases", &[JSON, key], &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let retry = send(&f.api, &school(), "POST", "/api/cases", &[JSON, key], &body).await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert_eq!(retry.body["case"]["id"], first.body["case"]["id"]);

    // Another agency's practitioner who happens to send the same key and body never receives
    // the school's case (its child's details and concern): the key is theirs alone.
    let police = person("police-practitioner", "police", Role::Practitioner);
    let other = send(&f.api, &police, "POST", "/api/cases", &[JSON, key], &body).await;
    assert_eq!(other.status, 201, "{}", other.body);
    assert_ne!(other.body["case"]["id"], first.body["case"]["id"]);
    assert_eq!(other.body["case"]["raising_agency"], "police");
}

#[tokio::test]
async fn a_body_must_be_exactly_one_json_object() {
    let f = fixture().await;
    let one = raise_body().to_string();
    let positional = json!(["sefton", "social-care", {"name": "Edge Child"}, {"summary": "x"}]);
    for bad in [
        format!("{one} trailing"),
        format!("{one}{one}"),
        format!("{one}\n{one}"),
        positional.to_string(),
        "\"sefton\"".to_owned(),
        String::new(),
    ] {
        let sent = send(&f.api, &school(), "POST", "/api/cases", &[JSON], &bad).await;
        assert_eq!(sent.status, 400, "{bad}: {}", sent.body);
        assert_eq!(sent.body["errors"][0]["field"], "body", "{bad}");
    }
    assert_eq!(cases_of(&f.api, &school()).await, 0, "no case was created");
    let sent = send(
        &f.api,
        &school(),
        "POST",
        "/api/cases",
        &[JSON],
        &format!(" {one}\n"),
    )
    .await;
    assert_eq!(
        sent.status, 201,
        "whitespace around the object is fine: {}",
        sent.body
    );
}

#[tokio::test]
async fn a_body_that_is_not_sent_as_json_is_refused_with_415() {
    let f = fixture().await;
    let body = raise_body().to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonp"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|t| ("content-type", t))
            .into_iter()
            .collect();
        let sent = send(&f.api, &school(), "POST", "/api/cases", &headers, &body).await;
        assert_eq!(sent.status, 415, "{content_type:?}: {}", sent.body);
        assert_eq!(sent.headers["content-type"], "application/problem+json");
    }
    assert_eq!(cases_of(&f.api, &school()).await, 0);
    let sent = send(
        &f.api,
        &school(),
        "POST",
        "/api/cases",
        &[("content-type", "Application/JSON; charset=utf-8")],
        &body,
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
}

#[tokio::test]
async fn an_unauthenticated_answer_names_the_bearer_scheme() {
    let f = fixture().await;
    let request = http::Request::builder()
        .uri("/api/me")
        .body(Bytes::new())
        .unwrap();
    let response = f
        .api
        .handle(request, Err(escalations_api::ApiError::Unauthenticated))
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_page_size_outside_1_to_200_is_refused_not_silently_changed() {
    let f = fixture().await;
    for limit in ["0", "201", "-1", "many"] {
        let sent = send(
            &f.api,
            &school(),
            "GET",
            &format!("/api/cases?limit={limit}"),
            &[],
            "",
        )
        .await;
        assert_eq!(sent.status, 400, "limit={limit}");
        assert_eq!(sent.body["errors"][0]["field"], "limit");
    }
    for limit in ["1", "200"] {
        let sent = send(
            &f.api,
            &school(),
            "GET",
            &format!("/api/cases?limit={limit}"),
            &[],
            "",
        )
        .await;
        assert_eq!(sent.status, 200, "limit={limit}");
    }
}

#[tokio::test]
async fn a_change_and_the_view_it_answers_with_share_one_instant() {
    let f = fixture().await;
    let raised = send(
        &f.api,
        &school(),
        "POST",
        "/api/cases",
        &[JSON],
        &raise_body().to_string(),
    )
    .await;
    assert_eq!(raised.status, 201);
    assert_eq!(raised.body["now"], raised.body["case"]["raised_at"]);
    assert_eq!(raised.body["now"], raised.body["chronology"][0]["at"]);
}

#[tokio::test]
async fn a_date_must_be_written_yyyy_mm_dd() {
    let f = fixture().await;
    for bad in ["2026-1-5", "+2026-01-05", " 2026-01-05", "05/01/2026"] {
        let mut body = raise_body();
        body["child"]["date_of_birth"] = json!(bad);
        let sent = send(
            &f.api,
            &school(),
            "POST",
            "/api/cases",
            &[JSON],
            &body.to_string(),
        )
        .await;
        assert_eq!(sent.status, 400, "{bad}: {}", sent.body);
        assert_eq!(
            sent.body["errors"][0]["field"], "child.date_of_birth",
            "{bad}"
        );
    }
    assert_eq!(cases_of(&f.api, &school()).await, 0);
}

#[tokio::test]
async fn every_bad_list_parameter_is_named_at_once() {
    let f = fixture().await;
    let sent = send(
        &f.api,
        &school(),
        "GET",
        "/api/cases?scope=everyone&status=lost&limit=0",
        &[],
        "",
    )
    .await;
    assert_eq!(sent.status, 400);
    let fields: Vec<&str> = sent.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["scope", "status", "limit"]);
}
