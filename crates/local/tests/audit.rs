//! The audit of a case over HTTP: every read is kept with the case (who, when, which part) and
//! the chair sees that access history; the chair exports the case's full record for a subject
//! access request; nobody else can do either; and nothing the API offers removes or rewrites
//! the chronology or the access history.

mod common;

use common::{User, not_resolved, raise_body, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

// Distinctive values: in the export (the subject's own record), never in the access history.
const CHILD_NAME: &str = "Ottoline Bramblewick-Fairweather";
const CONCERN: &str = "Quince orchard supervision order ignored";

async fn raise(user: &User<'_>) -> Value {
    let mut body = raise_body("sefton", "social-care", Some("s17"), &[]);
    body["child"]["name"] = json!(CHILD_NAME);
    body["concern"]["summary"] = json!(CONCERN);
    let (status, view) = user.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    view
}

/// The entries of the access history as `(person, part)`, in order.
fn reads(history: &Value) -> Vec<(String, String)> {
    history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["by"].as_str().unwrap().to_owned(),
                e["part"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(person: &str, part: &str) -> (String, String) {
    (person.to_owned(), part.to_owned())
}

#[tokio::test]
async fn every_read_is_kept_with_the_case_and_only_the_chair_sees_who_read_it() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let manager = stack.sign_in("sefton", "social-care-manager").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let admin = stack.sign_in("sefton", "admin").await;
    let case = raise(&raiser).await;
    let id = case["case"]["id"].as_str().unwrap();

    // Raising is a change, in the chronology, not a read.
    let (status, history) = chair.get(&format!("/api/cases/{id}/access")).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(reads(&history), vec![]);

    stack.advance("hours=1").await;
    assert_eq!(
        raiser.get(&format!("/api/cases/{id}")).await.0,
        StatusCode::OK
    );
    stack.advance("hours=1").await;
    let (status, form) = manager
        .get(&format!(
            "/api/cases/{id}/forms/report-to-sscp?record=latest"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{form}");
    stack.advance("hours=1").await;
    assert_eq!(
        manager
            .get(&format!("/api/cases/{id}/deadline.ics"))
            .await
            .0,
        StatusCode::OK
    );
    stack.advance("hours=1").await;
    assert_eq!(
        chair.get(&format!("/api/cases/{id}")).await.0,
        StatusCode::OK
    );

    let (status, history) = chair.get(&format!("/api/cases/{id}/access")).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(
        reads(&history),
        vec![
            pair("school-practitioner", "case"),
            pair("social-care-manager", "form:report-to-sscp"),
            pair("social-care-manager", "deadline"),
            pair("chair", "case"),
        ]
    );
    let first = &history["entries"][0];
    assert_eq!(first["agency"], "school");
    assert_eq!(first["role"], "practitioner");
    assert!(
        first["name"].as_str().is_some_and(|n| !n.is_empty()),
        "{first}"
    );
    let times: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {times:?}"
    );
    // Ids and instants only: nothing of what was read.
    let text = history.to_string();
    assert!(
        !text.contains(CHILD_NAME) && !text.contains(CONCERN),
        "{text}"
    );

    // Seeing who read a case is the partnership's: a party to the case, even the one who
    // raised it, and an administrator are refused, and so is anyone asking about a case that
    // does not exist — before anything is looked up.
    for user in [&raiser, &manager, &admin] {
        let (status, problem) = user.get(&format!("/api/cases/{id}/access")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let (status, _) = user.get("/api/cases/no-such-case/access").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = chair.get("/api/cases/no-such-case/access").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A refused read of the case is not a read.
    assert_eq!(
        admin.get(&format!("/api/cases/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, after) = chair.get(&format!("/api/cases/{id}/access")).await;
    assert_eq!(reads(&after), reads(&history));
}

#[tokio::test]
async fn the_chair_exports_the_full_record_for_a_subject_access_request() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let manager = stack.sign_in("sefton", "social-care-manager").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let case = raise(&raiser).await;
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    stack.advance("hours=2").await;
    let case = manager.act(&case, "responses", not_resolved()).await;
    assert_eq!(case["case"]["status"]["status"], "open");
    stack.sweep().await;
    stack.advance("hours=1").await;
    assert_eq!(
        raiser.get(&format!("/api/cases/{id}")).await.0,
        StatusCode::OK
    );

    let response = stack
        .http
        .get(format!("{}/api/cases/{id}/export", stack.url))
        .bearer_auth(&chair.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"case-{id}-record.json\"").as_str()
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let record: Value = response.json().await.unwrap();

    assert_eq!(record["partnership"], "sefton");
    assert_eq!(record["exported_by"], "chair");
    // The subject's own record: the child, the concern, every response, the chronology.
    assert_eq!(record["record"]["case"]["child"]["name"], CHILD_NAME);
    assert_eq!(record["record"]["case"]["concern"]["summary"], CONCERN);
    assert_eq!(
        record["record"]["case"]["responses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let chronology: Vec<&str> = record["record"]["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(chronology.first(), Some(&"raised"));
    assert!(chronology.contains(&"responded"), "{chronology:?}");
    // The notices sent about it: the raise told the receiving agency.
    let sent = record["notices_sent"].as_array().unwrap();
    assert!(!sent.is_empty(), "{record}");
    let outbox = stack.outbox().await;
    assert!(sent.len() <= outbox.len(), "{sent:?}");
    // Who read it, this export last.
    assert_eq!(
        reads(&json!({ "entries": record["access"] })),
        vec![pair("school-practitioner", "case"), pair("chair", "export")]
    );

    // Only the chair and business unit.
    for user in [&raiser, &manager] {
        let (status, _) = user.get(&format!("/api/cases/{id}/export")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // The export was itself kept, and the refused attempts were not.
    let (_, history) = chair.get(&format!("/api/cases/{id}/access")).await;
    assert_eq!(
        reads(&history),
        vec![pair("school-practitioner", "case"), pair("chair", "export")]
    );
}

#[tokio::test]
async fn nothing_removes_or_rewrites_the_chronology_or_the_access_history() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let admin = stack.sign_in("sefton", "admin").await;
    let case = raise(&raiser).await;
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    stack.advance("hours=1").await;
    let (_, before) = chair.get(&format!("/api/cases/{id}")).await;
    let (_, history_before) = chair.get(&format!("/api/cases/{id}/access")).await;

    // Every method but the ones the API offers, on every path that holds the record, as the
    // people with the most rights: refused, 405.
    for path in [
        format!("/api/cases/{id}"),
        format!("/api/cases/{id}/access"),
        format!("/api/cases/{id}/export"),
        format!("/api/cases/{id}/forms/report-to-sscp"),
    ] {
        for user in [&chair, &admin, &raiser] {
            for method in [Method::DELETE, Method::PUT, Method::PATCH] {
                let (status, problem) = user.send(method.clone(), &path, Some("{}".into())).await;
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}: {problem}"
                );
            }
        }
    }
    // A POST to the history or the export is refused the same way.
    for path in [
        format!("/api/cases/{id}/access"),
        format!("/api/cases/{id}/export"),
    ] {
        let (status, _) = chair.post(&path, json!({ "entries": [] })).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }

    let (_, after) = chair.get(&format!("/api/cases/{id}")).await;
    assert_eq!(after["chronology"], before["chronology"]);
    assert_eq!(after["case"], before["case"]);
    let (_, history_after) = chair.get(&format!("/api/cases/{id}/access")).await;
    let (old, new) = (
        history_before["entries"].as_array().unwrap(),
        history_after["entries"].as_array().unwrap(),
    );
    // Only ever added to: the earlier entries exactly as they were, then the reads since.
    assert_eq!(&new[..old.len()], &old[..]);
    assert_eq!(
        new.len(),
        old.len() + 1,
        "the chair's second read of the case"
    );
}
