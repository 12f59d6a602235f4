//! "Concerns should not be escalated multiple times" (Moray, Multiagency Case Escalation
//! Procedure): raising warns when an open escalation about the same child with the same
//! agency exists in the partnership, matched on a keyed hash of the child's normalised name
//! and date of birth — never on the child's details in a list entry or an index.

mod common;

use common::{User, raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn about(child: &str, born: &str, receiving: &str) -> Value {
    let mut body = raise_body("sefton", receiving, Some("s17"), &[]);
    body["child"]["name"] = json!(child);
    body["child"]["date_of_birth"] = json!(born);
    body
}

async fn raise(user: &User<'_>, body: Value) -> (StatusCode, Value) {
    user.post("/api/cases", body).await
}

async fn open_cases(user: &User<'_>) -> usize {
    let (status, list) = user.get("/api/cases?scope=partnership&status=open").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_second_open_escalation_about_the_same_child_with_the_same_agency_is_a_warning() {
    let stack = start().await;
    let school = stack.sign_in("sefton", "school-practitioner").await;
    let health = stack.sign_in("sefton", "health-practitioner").await;
    let chair = stack.sign_in("sefton", "chair").await;

    let (status, first) = raise(
        &school,
        about("Zoë O'Brien-Smith", "2016-05-04", "social-care"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let first_id = first["case"]["id"].as_str().unwrap().to_owned();

    // Another agency, the same child written differently, the same agency asked.
    let (status, problem) = raise(
        &health,
        about("  zoe OBRIEN smith", "2016-05-04", "social-care"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("/possible-duplicate"),
        "{problem}"
    );
    assert_eq!(problem["open_cases"][0]["id"], first_id.as_str());
    assert_eq!(problem["open_cases"][0]["stage"], "step-1");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("duplicate_acknowledged"),
        "the warning says how to raise anyway: {problem}"
    );
    let answer = problem.to_string().to_lowercase();
    assert!(!answer.contains("zoe") && !answer.contains("zoë") && !answer.contains("2016-05-04"));
    assert_eq!(open_cases(&chair).await, 1, "nothing was stored");

    // Having seen the warning, the person may raise anyway.
    let mut acknowledged = about("Zoe O'Brien-Smith", "2016-05-04", "social-care");
    acknowledged["duplicate_acknowledged"] = json!(true);
    let (status, second) = raise(&health, acknowledged).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(open_cases(&chair).await, 2);
}

#[tokio::test]
async fn another_child_another_agency_or_a_closed_case_is_no_duplicate() {
    let stack = start().await;
    let school = stack.sign_in("sefton", "school-practitioner").await;
    let (status, first) = raise(
        &school,
        about("Zebedee Quillfeather", "2015-11-30", "social-care"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");

    for (child, born, receiving) in [
        ("Zebedee Quillfeather", "2015-12-01", "social-care"),
        ("Zebedee Quill", "2015-11-30", "social-care"),
        ("Zebedee Quillfeather", "2015-11-30", "police"),
    ] {
        let (status, answer) = raise(&school, about(child, born, receiving)).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{child} {born} {receiving}: {answer}"
        );
    }

    // Once the first case is withdrawn, the child may be escalated to that agency again.
    let (status, _) = school
        .post(
            &format!(
                "/api/cases/{}/withdrawal",
                first["case"]["id"].as_str().unwrap()
            ),
            json!({ "version": first["case"]["version"], "reason": "Raised in error" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = raise(
        &school,
        about("Zebedee Quillfeather", "2015-11-30", "social-care"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn a_retried_raise_answers_with_its_own_case_not_a_warning() {
    let stack = start().await;
    let user = stack.sign_in("sefton", "school-practitioner").await;
    let body = about("Nimue Fairweather-Blyth", "2017-02-02", "social-care").to_string();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let response = stack
            .http
            .post(format!("{}/api/cases", stack.url))
            .bearer_auth(&user.token)
            .header("Idempotency-Key", "7d1f3b5f-duplicate-retry")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let view: Value = response.json().await.unwrap();
        answers.push((status, view["case"]["id"].clone()));
    }
    assert_eq!(answers[0].0, StatusCode::CREATED, "{answers:?}");
    assert!(
        answers[1..]
            .iter()
            .all(|(status, id)| *status == StatusCode::OK && *id == answers[0].1),
        "{answers:?}"
    );
}
