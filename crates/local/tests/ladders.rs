//! Whole procedures climbed over HTTP: each seed procedure's stages in turn, the rules
//! that shape a ladder (a stage that needs earlier ones, two clocks a level, a practice alert
//! with no child), and every shipped procedure from raise to resolution.

mod common;

use common::{climb, escalation, not_resolved, raise_body, record_closing_form, stage, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn sefton_runs_its_four_steps_over_http() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let their_manager = stack.sign_in("sefton", "social-care-manager").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let (status, mut case) = raiser
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["next_move"]["party"], "receiving");
    // "within a further 2 working days of step 1 (4 days total)", "(6 days total)", "(11 days
    // total)": each step's overall target, counted from the raise, beside its own clock.
    let totals = |case: &Value| -> Vec<(String, String)> {
        case["running_totals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["stage"].to_string(), t["state"]["state"].to_string()))
            .collect()
    };
    let each = |state: &str| -> Vec<(String, String)> {
        ["step-1", "step-2", "step-3", "step-4"]
            .iter()
            .map(|s| (format!("\"{s}\""), format!("\"{state}\"")))
            .collect()
    };
    assert_eq!(totals(&case), each("running"), "{case}");
    assert_eq!(
        case["running_totals"][3]["timescale"],
        json!({ "working_days": 11 })
    );
    // The receiving agency sees it in its queue, with the due date.
    let (_, queue) = their_manager.get("/api/queue").await;
    assert_eq!(queue["items"][0]["case"], case["case"]["id"], "{queue}");
    assert!(queue["items"][0]["due"].is_string());
    // "Direct Professional to Professional Discussion", "Direct Manager to Manager
    // Discussion", "Direct Head of Service to Head of Service Discussion": each step answered
    // by the level it names in the other agency.
    for (step, who) in [
        ("step-1", "social-care-practitioner"),
        ("step-2", "social-care-manager"),
        ("step-3", "social-care-head-of-service"),
    ] {
        assert_eq!(stage(&case), step);
        let answering = stack.sign_in("sefton", who).await;
        case = answering.act(&case, "responses", not_resolved()).await;
        case = raiser.act(&case, "escalations", escalation()).await;
    }
    assert_eq!(stage(&case), "step-4");
    assert_eq!(case["next_move"]["party"], "partnership");
    let (_, procedure) = chair.get("/api/procedures/sefton").await;
    case = record_closing_form(&chair, &procedure, case).await;
    case = chair
        .act(&case, "resolution", json!({ "outcome": "Final and binding decision: assess", "lessons_learned": "Clarify thresholds" }))
        .await;
    assert_eq!(case["case"]["status"]["status"], "resolved");
    assert_eq!(case["next_move"], Value::Null);
    // Every step was met well within its running total.
    assert_eq!(totals(&case), each("met"), "{case}");
    // The chronology holds every step, in order.
    let kinds: Vec<&str> = case["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"raised"));
    assert_eq!(kinds.iter().filter(|k| **k == "escalated").count(), 3);
    assert_eq!(kinds.last(), Some(&"resolved"));
}

#[tokio::test]
async fn moray_runs_six_stages_and_medway_stage_3_needs_stages_1_and_2() {
    let stack = start().await;
    let raiser = stack.sign_in("moray", "education-manager").await;
    let (_, procedure) = raiser.get("/api/procedures/moray").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (status, mut case) = raiser
        .post(
            "/api/cases",
            raise_body("moray", "social-work", None, &[&reason]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    // Appendix 3's lines of management, climbed in the escalating agency: "the concerned
    // practitioner's first line manager ... should escalate the concern to their own line
    // manager"; whoever answers at a stage escalates from it.
    for (at, who) in [
        ("initial", "education-manager"),
        ("stage-1", "education-manager"),
        ("stage-2", "education-service-manager"),
        ("stage-3", "education-service-manager"),
        ("stage-4", "education-head-of-service"),
    ] {
        assert_eq!(stage(&case), at);
        let manager = stack.sign_in("moray", who).await;
        if stage(&case) == "stage-3" {
            // "Arrange a meeting with their equivalent(s) at partner agencies within 5
            // working days": the meeting took place, and the Record runs from it.
            assert_eq!(case["next_move"]["clock"], "meeting");
            case = manager.act(&case, "submissions", json!({})).await;
            assert_eq!(case["next_move"]["clock"], "record");
        }
        case = manager.act(&case, "responses", not_resolved()).await;
        case = manager.act(&case, "escalations", escalation()).await;
    }
    assert_eq!(stage(&case), "stage-5");
    // "ultimately, the Chief Social Work Officer (CSWO) has the responsibility for the final
    // decision": the Head of Service cannot make it, but records it on the CSWO's behalf.
    let head = stack.sign_in("moray", "education-head-of-service").await;
    let decision = json!({ "outcome": "CSWO decision", "lessons_learned": "None" });
    let mut body = decision.clone();
    body["version"] = case["case"]["version"].clone();
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let (status, problem) = head
        .post(&format!("/api/cases/{id}/resolution"), body)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("(Chief Social Work Officer) or above"),
        "{problem}"
    );
    let mut body = decision;
    body["on_behalf_of"] = json!("cswo");
    case = head.act(&case, "resolution", body).await;
    assert_eq!(case["case"]["status"]["status"], "resolved");
    assert_eq!(case["case"]["status"]["by"], "education-head-of-service");
    assert_eq!(
        case["case"]["status"]["decided_by"],
        json!({ "person": "cswo", "agency": "social-work", "level": "chief-social-work-officer" })
    );

    let practitioner = stack.sign_in("medway", "school-practitioner").await;
    // "Stage 1 – Escalate to Service Manager"
    let social_care = stack.sign_in("medway", "social-care-service-manager").await;
    let (_, procedure) = practitioner.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (_, mut case) = practitioner
        .post(
            "/api/cases",
            raise_body("medway", "social-care", None, &[&reason]),
        )
        .await;
    case = social_care.act(&case, "responses", not_resolved()).await;
    let mut jump = escalation();
    jump["to"] = json!("stage-3");
    jump["version"] = case["case"]["version"].clone();
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let (status, problem) = practitioner
        .post(&format!("/api/cases/{id}/escalations"), jump)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["detail"],
        "stage-3 needs stage-2 first: stage-2 has not been used for this case"
    );
    // The Child Protection Conference Chair is to be informed: the child has a CP plan.
    assert!(
        case["inform"][0]["who"]
            .as_str()
            .unwrap()
            .contains("Child Protection Conference Chair")
    );
}

#[tokio::test]
async fn mset_levels_run_two_clocks_and_a_practice_alert_has_no_child() {
    let stack = start().await;
    let chair = stack.sign_in("sscp", "chair").await;
    let line_manager = stack.sign_in("sscp", "childrens-services-manager").await;
    let (_, procedure) = chair.get("/api/procedures/sscp-mset").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (status, mut case) = chair
        .post(
            "/api/cases",
            raise_body("sscp-mset", "childrens-services", None, &[&reason]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case = chair.act(&case, "escalations", escalation()).await; // the pro-forma goes to the line manager
    assert_eq!(case["next_move"]["clock"], "response");
    case = line_manager.act(&case, "responses", not_resolved()).await;
    assert_eq!(case["next_move"]["clock"], "chair-reply");
    case = chair.act(&case, "responses", not_resolved()).await;
    // "If the outcome is not deemed adequate then Level 2 of this process should be
    // implemented": the Chair's 24 hours to escalate run from the "not resolved" reply.
    assert_eq!(
        (stage(&case), case["next_move"]["clock"].as_str()),
        ("level-1", Some("escalate"))
    );
    case = chair.act(&case, "escalations", escalation()).await;
    // "Strategic Manager to respond within 24 hours to MSET Operational Chair"
    assert_eq!(
        (stage(&case), case["next_move"]["clock"].as_str()),
        ("level-2", Some("response"))
    );

    let informer = stack.sign_in("medway", "health-manager").await;
    let (_, ppa) = informer.get("/api/procedures/medway-ppa").await;
    let reason = ppa["reasons"][0]["id"].as_str().unwrap().to_owned();
    let mut body = raise_body("medway-ppa", "social-care", None, &[&reason]);
    let (status, problem) = informer.post("/api/cases", body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "child");
    body.as_object_mut().unwrap().remove("child");
    body.as_object_mut().unwrap().remove("immediate_risk");
    let (status, problem) = informer.post("/api/cases", body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "agencies_asked");
    body["agencies_asked"] = json!(["social-care", "police"]);
    let (status, alert) = informer.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{alert}");
    assert_eq!(alert["next_move"]["party"], "partnership");
    // "respond on behalf of their agency": each agency asked finds it in its own work.
    for member in ["social-care-manager", "police-manager"] {
        let (_, queue) = stack
            .sign_in("medway", member)
            .await
            .get("/api/queue")
            .await;
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["case"] == alert["case"]["id"]),
            "{member}: {queue}"
        );
    }
}

/// Every shipped procedure, end to end over HTTP: raised, then whoever `next_move` names
/// acts — at the level the procedure asks there, or must escalate at — answering "not
/// resolved", submitting, escalating whenever it is offered — until the last stage, where the
/// case is resolved. Nothing here knows a procedure's stages: the
/// API's own `next_move` leads, and the journey must climb every stage of the ladder.
#[tokio::test]
async fn every_procedure_climbs_its_whole_ladder_to_resolution() {
    let stack = start().await;
    // procedure, partnership, who raises, the agency raised with
    let runs = [
        ("medway", "medway", "school-practitioner", "social-care"),
        ("medway-ppa", "medway", "health-manager", "social-care"),
        ("sefton", "sefton", "school-practitioner", "social-care"),
        ("moray", "moray", "education-manager", "social-work"),
        ("sscp-mset", "sscp", "chair", "childrens-services"),
        (
            "sscp-mset-non-attendance",
            "sscp",
            "chair",
            "childrens-services",
        ),
        (
            "sscp-mset-partner-non-attendance",
            "sscp",
            "chair",
            "childrens-services",
        ),
    ];
    // The runs cover every procedure the demo partnerships offer.
    let mut offered = Vec::new();
    for partnership in ["medway", "sefton", "moray", "sscp"] {
        let (_, list) = stack
            .sign_in(partnership, "chair")
            .await
            .get("/api/procedures")
            .await;
        for item in list["items"].as_array().unwrap() {
            offered.push(item["id"].as_str().unwrap().to_owned());
        }
    }
    offered.sort();
    let mut covered: Vec<String> = runs.iter().map(|r| r.0.to_owned()).collect();
    covered.sort();
    assert_eq!(offered, covered);

    for (procedure_id, partnership, raiser_id, receiving) in runs {
        let (case, visited, stages) = climb(
            &stack,
            procedure_id,
            partnership,
            raiser_id,
            receiving,
            |_| {},
        )
        .await;
        assert_eq!(
            case["case"]["status"]["status"], "resolved",
            "{procedure_id} did not finish: {case}"
        );
        assert_eq!(
            visited, stages,
            "{procedure_id} must climb every stage in order"
        );
    }
}
