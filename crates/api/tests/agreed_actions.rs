//! Agreed actions over HTTP: a plan's owner agency must be one of the partnership's, the owner
//! marks an action done with `POST /api/cases/{id}/action-completions`, also after the case
//! is resolved ("Agreed actions need to be followed up" — Moray), and nobody else but the chair
//! can.

use std::sync::Arc;

use bytes::Bytes;
use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::Store;
use escalations_store_sqlite::SqliteStore;
use http::StatusCode;
use serde_json::{Value, json};

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

async fn send(
    app: &Api,
    who: &Principal,
    method: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let response = app.handle(request, Ok(who.clone())).await;
    let status = response.status();
    (
        status,
        serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_owner_agency_marks_an_agreed_action_done_after_the_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("a.db")).await.unwrap());
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let now = || "2026-11-23T10:00:00Z".parse().unwrap();
    let app = Api::new(store, Catalogue::builtin().unwrap(), Arc::new(now));
    let school = person("school-practitioner", "school", Role::Practitioner);
    let social_care = person("social-care-manager", "social-care", Role::Manager);

    let (_, raised) = send(
        &app,
        &school,
        "POST",
        "/api/cases",
        json!({
            "procedure": "sefton", "receiving_agency": "social-care",
            "child": { "name": "Plan Child" },
            "concern": { "summary": "Referral closed", "level_of_need": "s17" }, "immediate_risk": false
        }),
    )
    .await;
    let id = raised["case"]["id"].as_str().unwrap().to_owned();

    // An owner that is not an agency of the partnership is named as the field to fix.
    let plan = |owner: &str| {
        json!({
            "version": 1, "outcome": "resolved", "summary": "An assessment will be opened",
            "agreed_actions": [
                { "what": "Open an assessment", "owner_agency": owner,
                  "owner_person": "The team manager", "by_when": "2026-11-27" },
                { "what": "Share the chronology", "owner_agency": "health", "by_when": "2026-11-20" }
            ]
        })
    };
    let (status, problem) = send(
        &app,
        &social_care,
        "POST",
        &format!("/api/cases/{id}/responses"),
        plan("fire-service"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        problem["errors"][0]["field"],
        "agreed_actions[0].owner_agency"
    );

    // "…with a mutually agreed plan of action including timescales" — Sefton, step 2.
    let (status, view) = send(
        &app,
        &social_care,
        "POST",
        &format!("/api/cases/{id}/responses"),
        plan("social-care"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (status, view) = send(
        &app,
        &school,
        "POST",
        &format!("/api/cases/{id}/resolution"),
        json!({ "version": view["case"]["version"], "outcome": "Assessment opened",
                "lessons_learned": "Write it down" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let version = view["case"]["version"].clone();

    let complete = |action: &str| json!({ "version": version, "action": action });
    let path = format!("/api/cases/{id}/action-completions");
    let (status, _) = send(&app, &school, "POST", &path, complete("a1")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the owner agency or the chair"
    );
    let (status, problem) = send(&app, &social_care, "POST", &path, complete("a7")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "action");

    let (status, view) = send(&app, &social_care, "POST", &path, complete("a1")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["case"]["status"]["status"], "resolved");
    let done = &view["case"]["responses"][0]["outcome"]["agreed_actions"][0]["done"];
    assert_eq!(done["by"], "social-care-manager", "{view}");
    let last = view["chronology"].as_array().unwrap().last().unwrap();
    assert_eq!(
        last["kind"],
        json!({ "type": "action-done", "action": "a1", "due": "2026-11-27", "late": false })
    );

    // Health is no party to the case, but owns `a2`: it is in health's work (overdue: due on
    // 20 November), health sees the case and marks it done, late.
    let health = person("health-practitioner", "health", Role::Practitioner);
    let (status, queue) = send(&app, &health, "GET", "/api/queue", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        queue["agreed_actions"],
        json!([{ "case": id, "procedure": "sefton", "status": "resolved",
                 "due": "2026-11-20", "overdue": true, "version": view["case"]["version"] }])
    );
    assert_eq!(queue["items"], json!([]), "no move of health's in the case");
    let (status, view) = send(
        &app,
        &health,
        "POST",
        &path,
        json!({ "version": view["case"]["version"], "action": "a2" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let last = view["chronology"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"]["late"], true);
    let (_, queue) = send(&app, &health, "GET", "/api/queue", Value::Null).await;
    assert_eq!(queue["agreed_actions"], json!([]));
}
