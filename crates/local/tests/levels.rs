//! Who may act, over HTTP (procedures.md, "Who may act"): "A response at a stage comes from a
//! person of the asked level or above in the asked agency (or is recorded on their behalf by a
//! manager, saying so); escalation comes from the raising side at the level the document
//! names." Medway's stages ask a Service Manager, a Designated Safeguarding Lead / Head of
//! Service, then an Assistant / Deputy Director.

mod common;

use common::{User, escalation, not_resolved, raise_body, stage, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Posts an action with the case's version; answers the status and the body.
async fn try_act(
    user: &User<'_>,
    case: &Value,
    action: &str,
    mut body: Value,
) -> (StatusCode, Value) {
    body["version"] = case["case"]["version"].clone();
    let id = case["case"]["id"].as_str().unwrap();
    user.post(&format!("/api/cases/{id}/{action}"), body).await
}

/// A Medway case raised by the school's practitioner with social care.
async fn medway_case(raiser: &User<'_>) -> Value {
    let (_, procedure) = raiser.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (status, case) = raiser
        .post(
            "/api/cases",
            raise_body("medway", "social-care", None, &[&reason]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

/// The procedure view and the caller's own view say which level is asked and held.
#[tokio::test]
async fn the_procedure_says_the_level_asked_and_me_says_mine() {
    let stack = start().await;
    let manager = stack.sign_in("medway", "social-care-head-of-service").await;
    let (_, procedure) = manager.get("/api/procedures/medway").await;
    let levels: Vec<(&str, &Value, &Value)> = procedure["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap(),
                &s["asked"]["level"],
                &s["escalated_by"],
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            ("stage-1", &json!("second-line"), &Value::Null),
            ("stage-2", &json!("head-of-service"), &Value::Null),
            // "the Service Manager/ Designated Safeguarding Leads must escalate to the agency
            // Assistant Director/ Deputy Director/ Headteacher/ Governor or equivalent"
            ("stage-3", &json!("director"), &json!("second-line")),
            ("stage-4", &Value::Null, &Value::Null),
        ]
    );
    let (_, me) = manager.get("/api/me").await;
    assert_eq!(me["level"], "head-of-service", "{me}");
    let (_, me) = stack
        .sign_in("medway", "social-care-practitioner")
        .await
        .get("/api/me")
        .await;
    assert!(me.get("level").is_none(), "{me}");
}

/// "Stage 1 – Escalate to Service Manager": the receiving agency's first line manager is too
/// junior, and is told who is asked and how to record it on their behalf.
#[tokio::test]
async fn a_too_junior_responder_is_refused_in_words() {
    let stack = start().await;
    let raiser = stack.sign_in("medway", "school-practitioner").await;
    let case = medway_case(&raiser).await;
    let line_manager = stack.sign_in("medway", "social-care-manager").await;
    let (status, problem) = try_act(&line_manager, &case, "responses", not_resolved()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(
        problem["detail"],
        "stage-1 is answered by Service Manager (or equivalent) (second line / service \
         manager) or above in social-care: you are a first line manager; record it on their \
         behalf with on_behalf_of"
    );
    let practitioner = stack.sign_in("medway", "social-care-practitioner").await;
    let (status, _) = try_act(&practitioner, &case, "responses", not_resolved()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A director answers for a service manager: "or above".
    let director = stack.sign_in("medway", "social-care-director").await;
    let case = director.act(&case, "responses", not_resolved()).await;
    let response = &case["case"]["responses"][0];
    assert_eq!(response["by"], "social-care-director");
    assert_eq!(
        response["decided_by"],
        json!({ "person": "social-care-director", "agency": "social-care", "level": "director" })
    );
}

/// Medway stage 3, "Escalate to Assistant/ Deputy Directors": escalated by the Service
/// Manager / Designated Safeguarding Lead, answered by the director — here recorded by the
/// line manager on the director's behalf, and the case view says whose decision it was.
#[tokio::test]
async fn a_manager_records_a_directors_decision_on_their_behalf() {
    let stack = start().await;
    let raiser = stack.sign_in("medway", "school-practitioner").await;
    let service_manager = stack.sign_in("medway", "social-care-service-manager").await;
    let head = stack.sign_in("medway", "social-care-head-of-service").await;
    let line_manager = stack.sign_in("medway", "social-care-manager").await;
    let mut case = medway_case(&raiser).await;
    case = service_manager
        .act(&case, "responses", not_resolved())
        .await;
    case = raiser.act(&case, "escalations", escalation()).await;
    case = head.act(&case, "responses", not_resolved()).await;
    // The practitioner may not escalate into stage 3; the school's service manager may.
    let (status, problem) = try_act(&raiser, &case, "escalations", escalation()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(
        problem["detail"],
        "stage-3 is escalated by a second line / service manager or above on the raising side \
         (or the partnership's chair): you are a practitioner"
    );
    let school_service_manager = stack.sign_in("medway", "school-service-manager").await;
    case = school_service_manager
        .act(&case, "escalations", escalation())
        .await;
    assert_eq!(stage(&case), "stage-3");

    let mut on_behalf = not_resolved();
    on_behalf["on_behalf_of"] = json!("social-care-director");
    case = line_manager.act(&case, "responses", on_behalf).await;
    let response = case["case"]["responses"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(response["stage"], "stage-3");
    assert_eq!(response["by"], "social-care-manager");
    assert_eq!(
        response["decided_by"],
        json!({ "person": "social-care-director", "agency": "social-care", "level": "director" })
    );
    // The chronology records the recorder.
    let responded = case["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["kind"]["type"] == "responded")
        .unwrap();
    assert_eq!(responded["by"], "social-care-manager");
}

/// `on_behalf_of` must name a person of the partnership, in the asked agency, at the asked
/// level or above: otherwise 422 naming the field; a practitioner cannot record on someone's
/// behalf at all.
#[tokio::test]
async fn on_behalf_of_names_someone_who_can_make_the_decision() {
    let stack = start().await;
    let raiser = stack.sign_in("medway", "school-practitioner").await;
    let line_manager = stack.sign_in("medway", "social-care-manager").await;
    let case = medway_case(&raiser).await;
    for (named, says) in [
        (
            "nobody-here",
            "`nobody-here` is not a person of your partnership",
        ),
        ("police-director", "`police-director` is of `police`"),
        (
            "social-care-manager",
            "`social-care-manager` is a first line manager",
        ),
    ] {
        let mut body = not_resolved();
        body["on_behalf_of"] = json!(named);
        let (status, problem) = try_act(&line_manager, &case, "responses", body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{named}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], "on_behalf_of", "{problem}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with(says) && message.contains("stage-1 is answered by"),
            "{message}"
        );
    }
    let practitioner = stack.sign_in("medway", "social-care-practitioner").await;
    let mut body = not_resolved();
    body["on_behalf_of"] = json!("social-care-service-manager");
    let (status, problem) = try_act(&practitioner, &case, "responses", body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("a practitioner cannot record a decision on someone else's behalf"),
        "{problem}"
    );
    // Nothing was recorded.
    let id = case["case"]["id"].as_str().unwrap();
    let (_, unchanged) = raiser.get(&format!("/api/cases/{id}")).await;
    assert_eq!(unchanged["case"]["version"], case["case"]["version"]);
}
