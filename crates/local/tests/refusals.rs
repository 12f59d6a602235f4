//! Requests the API refuses, and why: bad input (problem details naming what to fix),
//! unknown and foreign cases, stale versions, moves out of turn, missing or forged tokens —
//! and a retried raise, which must not become a second case.

mod common;

use common::{User, escalation, not_resolved, raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn bad_requests_get_problem_details_that_say_what_to_fix() {
    let stack = start().await;
    let user = stack.sign_in("sefton", "school-practitioner").await;
    let send_raw =
        |body: &'static str| user.send(reqwest::Method::POST, "/api/cases", Some(body.to_owned()));

    let (status, problem) = send_raw("{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "body");

    let (status, problem) = user
        .post("/api/cases", json!({ "procedure": "sefton" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "concern");

    let (status, problem) = user
        .post("/api/cases", raise_body("medway", "social-care", None, &[]))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown to this partnership: {problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not a procedure your partnership uses")
    );

    let mut unknown_field = raise_body("sefton", "social-care", Some("s17"), &[]);
    unknown_field["colour"] = json!("blue");
    let (status, problem) = user.post("/api/cases", unknown_field).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("colour"),
        "{problem}"
    );

    let huge = format!("{{\"procedure\":\"{}\"}}", "x".repeat(100_000));
    let (status, _) = user
        .send(reqwest::Method::POST, "/api/cases", Some(huge))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, _) = user.get("/api/cases/no-such-case").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Stale version: 409, and the case is unchanged.
    let (_, case) = user
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let them = stack.sign_in("sefton", "social-care-practitioner").await;
    let mut stale = not_resolved();
    stale["version"] = json!(0);
    let (status, problem) = them
        .post(&format!("/api/cases/{id}/responses"), stale)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    // Out of turn: the raiser cannot respond for the other agency (403); escalating before
    // the response or its deadline is refused with the reason (422).
    let (status, _) = user
        .post(&format!("/api/cases/{id}/responses"), {
            let mut b = not_resolved();
            b["version"] = json!(1);
            b
        })
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = user
        .post(&format!("/api/cases/{id}/escalations"), {
            let mut b = escalation();
            b["version"] = json!(1);
            b
        })
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("has until"),
        "{problem}"
    );

    // Another partnership's case is "not found", exactly like an unknown one.
    let outsider = stack.sign_in("medway", "chair").await;
    let (status, problem) = outsider.get(&format!("/api/cases/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["detail"], "no such case");

    // No token: 401. A forged token: 401.
    let anonymous = User {
        stack: &stack,
        token: "forged.token.value".into(),
    };
    assert_eq!(anonymous.get("/api/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_retried_raise_with_one_idempotency_key_creates_one_case() {
    let stack = start().await;
    let user = stack.sign_in("sefton", "school-practitioner").await;
    let body = raise_body("sefton", "social-care", Some("s47"), &[]).to_string();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let response = stack
            .http
            .post(format!("{}/api/cases", stack.url))
            .bearer_auth(&user.token)
            .header("Idempotency-Key", "6c0e2a4e-retry-test-key")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let view: Value = response.json().await.unwrap();
        ids.push(view["case"]["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    let (_, list) = user.get("/api/cases").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

/// Moray: "This procedure applies to cases of non-emergency, but escalating risk. [...] Where
/// there is an emergency escalation in the case, the Lead Professional and/or the Police
/// should be notified and ‘standard’ Child Protection Procedures apply." The page shows the
/// question from the procedure; a yes is refused with the procedure's words and raises nothing.
#[tokio::test]
async fn a_child_at_immediate_risk_is_refused_with_the_procedures_own_words() {
    let stack = start().await;
    let raiser = stack.sign_in("moray", "education-manager").await;
    let (status, procedure) = raiser.get("/api/procedures/moray").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        procedure["immediate_risk"]["question"],
        "Is the child at immediate risk of significant harm?"
    );
    let instruction = procedure["immediate_risk"]["instruction"].as_str().unwrap();
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();

    let mut at_risk = raise_body("moray", "social-work", None, &[&reason]);
    at_risk["immediate_risk"] = json!(true);
    let (status, problem) = raiser.post("/api/cases", at_risk).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("/immediate-risk"),
        "{problem}"
    );
    assert_eq!(problem["detail"], instruction);
    assert!(instruction.contains(
        "the Lead Professional and/or the Police should be notified and ‘standard’ Child \
         Protection Procedures apply"
    ));

    let mut unanswered = raise_body("moray", "social-work", None, &[&reason]);
    unanswered.as_object_mut().unwrap().remove("immediate_risk");
    let (status, problem) = raiser.post("/api/cases", unanswered).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "immediate_risk");

    let (_, list) = raiser.get("/api/cases").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
}

/// Medway section 2: "Professionals seeking to escalate to agencies operating outside of
/// Medway should refer to the Local Safeguarding Children Partnership Escalation policy for
/// that area." The page reads it from the procedure, where a person raises.
#[tokio::test]
async fn the_procedure_carries_its_guidance_for_the_page() {
    let stack = start().await;
    let user = stack.sign_in("medway", "school-practitioner").await;
    let (status, procedure) = user.get("/api/procedures/medway").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        procedure["guidance"]
            .as_str()
            .unwrap()
            .contains("should refer to the Local Safeguarding Children Partnership Escalation policy for that area"),
        "{procedure}"
    );
    let (_, sefton) = user.get("/api/procedures/sefton").await;
    assert_eq!(
        sefton["level_of_need_asked"],
        json!({ "at": "form", "form": "report-to-sscp", "field": "level-of-need" })
    );
}

/// procedures.md: "every procedure also accepts "other", with the reason in words". Sefton
/// asks the level of need in its Report to SSCP, so a raise without one is accepted. The words
/// stay in the case; the report counts `other` by id and never quotes them.
#[tokio::test]
async fn other_with_words_and_no_level_of_need_are_accepted() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let mut body = raise_body("sefton", "social-care", None, &[]);
    body["concern"]["other_reason"] =
        json!("Repeated cancellation of core groups by a named worker");
    let (status, view) = raiser.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["case"]["concern"]["reasons"], json!(["other"]));
    assert_eq!(view["case"]["concern"]["level_of_need"], Value::Null);
    assert!(!view["chronology"].to_string().contains("named worker"));

    let mut bare = raise_body("sefton", "social-care", None, &["other"]);
    bare["concern"]
        .as_object_mut()
        .unwrap()
        .remove("other_reason");
    let (status, problem) = raiser.post("/api/cases", bare).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "concern.other_reason");
}
