//! Forms over HTTP (issue 9, item 1): Medway's Stage 3 Escalation Form read pre-filled,
//! refused with every bad value named, recorded and read back; Sefton's Report to SSCP with
//! its rows and the Monitoring box the SSCP fills after closure. Values never reach the
//! chronology, the list entries or the report.
//!
//! Medway, Appendix One: "A copy of the Stage 3 Escalation Alert Form should be completed and
//! sent to the Assistant Director/ Deputy Director/ Headteacher/ … A copy of the Stage 3
//! Escalation Form (below) should also be sent to the MSCP at mscp@medway.gov.uk for
//! recording purposes."

mod common;

use common::{User, escalation, not_resolved, raise_body, stage, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A child's name found nowhere else, so finding it anywhere is a leak.
const CHILD: &str = "Zebedee Quillfeather";

fn value<'v>(form: &'v Value, field: &str) -> Option<&'v Value> {
    form["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field"] == field)
}

async fn record(user: &User<'_>, case: &Value, form: &str, values: Value) -> (StatusCode, Value) {
    let id = case["case"]["id"].as_str().unwrap();
    user.post(
        &format!("/api/cases/{id}/forms/{form}"),
        json!({ "version": case["case"]["version"], "values": values }),
    )
    .await
}

#[tokio::test]
async fn medways_stage_3_form_is_prefilled_validated_recorded_and_kept_out_of_the_chronology() {
    let stack = start().await;
    let practitioner = stack.sign_in("medway", "school-practitioner").await;
    let manager = stack.sign_in("medway", "school-service-manager").await;
    let social_care = stack.sign_in("medway", "social-care-director").await;
    let chair = stack.sign_in("medway", "chair").await;
    let (_, procedure) = practitioner.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let mut body = raise_body("medway", "social-care", None, &[&reason]);
    body["child"]["name"] = json!(CHILD);
    let (status, mut case) = practitioner.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/cases/{id}/forms/stage-3-escalation-form");

    // Not before stage 3: "Stage 3 … uses the Stage 3 Escalation Form".
    let (status, problem) = practitioner.get(&path).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    // To print, read at any stage: at the stage that uses it, pre-filled, never recorded.
    let (status, printed) = practitioner.get(&format!("{path}?record=latest")).await;
    assert_eq!(status, StatusCode::OK, "{printed}");
    assert_eq!(printed["stage"], "stage-3");
    assert_eq!(printed["recorded"], Value::Null);
    assert_eq!(value(&printed, "child-name").unwrap()["value"], CHILD);
    let (status, problem) = practitioner.get(&format!("{path}?record=oldest")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, _) = practitioner
        .get(&format!("/api/cases/{id}/forms/no-such-form"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    case = social_care.act(&case, "responses", not_resolved()).await;
    case = manager.act(&case, "escalations", escalation()).await;
    case = social_care.act(&case, "responses", not_resolved()).await;
    case = manager.act(&case, "escalations", escalation()).await;
    assert_eq!(stage(&case), "stage-3");

    // Read pre-filled from what the case knows.
    let (status, form) = manager.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert_eq!(form["stage"], "stage-3");
    assert_eq!(form["recorded"], Value::Null);
    assert_eq!(form["version"], case["case"]["version"]);
    let child = value(&form, "child-name").unwrap();
    assert_eq!(child["value"], CHILD);
    assert_eq!(child["prefilled"], true);
    assert_eq!(
        value(&form, "practitioner").unwrap()["value"],
        "Demo practitioner, Demo Primary School"
    );
    assert_eq!(
        value(&form, "stage-1-managers").unwrap()["value"],
        "Demo director, Medway Children's Social Care"
    );
    assert_eq!(
        value(&form, "to-service").unwrap()["value"],
        "Medway Children's Social Care"
    );
    let entered = case["case"]["stages_entered"][2]["at"].as_str().unwrap();
    assert_eq!(
        value(&form, "date-of-stage-3-alert").unwrap()["value"],
        entered[..10]
    );

    // Every bad value named at once, as values.<field>.
    let mut values: serde_json::Map<String, Value> = form["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["field"].as_str().unwrap().to_owned(), v["value"].clone()))
        .collect();
    let (status, problem) = record(
        &manager,
        &case,
        "stage-3-escalation-form",
        json!({ "date-of-stage-3-alert": "yesterday", "form-sent-to-mscp": "Y", "shoe-size": 5 }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("/invalid-form-values")
    );
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for expected in [
        "values.shoe-size",
        "values.date-of-stage-3-alert",
        "values.from",
        "values.to",
        "values.line-manager",
        "values.stage-3-remaining-concerns",
        "values.stage-3-requested-action",
        "values.form-sent-to-mscp",
    ] {
        assert!(fields.contains(&expected), "{expected} in {fields:?}");
    }

    // Recorded, with the fields the case could not know.
    for (field, v) in [
        ("from", json!("Demo manager, Demo Primary School")),
        ("to", json!("Assistant Director, Children's Services")),
        ("line-manager", json!("Demo manager, Demo Primary School")),
        ("stage-3-remaining-concerns", json!("Still no assessment")),
        ("stage-3-requested-action", json!("Open an assessment")),
        ("form-sent-to-mscp", json!(true)),
    ] {
        values.insert(field.to_owned(), v);
    }
    let (status, view) = record(
        &manager,
        &case,
        "stage-3-escalation-form",
        Value::Object(values),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let recorded = &view["case"]["forms"][0];
    assert_eq!(recorded["stage"], "stage-3");
    assert_eq!(recorded["form"], "stage-3-escalation-form");
    assert_eq!(recorded["by"], "school-service-manager");
    assert_eq!(recorded["values"]["form-sent-to-mscp"]["yes-no"], true);
    let last = view["chronology"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last,
        json!({ "case": id, "version": view["case"]["version"], "seq": 0, "at": last["at"],
                "by": "school-service-manager",
                "kind": { "type": "form-recorded", "stage": "stage-3", "form": "stage-3-escalation-form" } })
    );

    // Read back: recorded, not pre-filled.
    let (_, form) = chair.get(&path).await;
    assert_eq!(form["recorded"]["by"], "school-service-manager");
    assert_eq!(value(&form, "child-name").unwrap()["prefilled"], false);
    assert_eq!(value(&form, "form-sent-to-mscp").unwrap()["value"], true);

    // A stale version is refused like any other action.
    let (status, _) = record(&manager, &case, "stage-3-escalation-form", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The child's name stays out of the chronology, list entries and the report.
    assert!(!view["chronology"].to_string().contains(CHILD));
    let (_, list) = chair.get("/api/cases").await;
    assert!(!list.to_string().contains(CHILD), "{list}");
    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "from={}&to={}",
        today - chrono::Duration::days(400),
        today + chrono::Duration::days(400)
    );
    let (status, report) = chair.get(&format!("/api/reports?{range}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(!report.to_string().contains(CHILD));
    assert!(!report.to_string().contains("Open an assessment"));
    let csv = stack
        .http
        .get(format!("{}/api/reports?{range}&format=csv", stack.url))
        .bearer_auth(&chair.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !csv.contains(CHILD) && !csv.contains("Open an assessment"),
        "{csv}"
    );
}

// Sefton, Report to SSCP (Appendix 2): "Actions taken by your agency following resolution of
// this issue: Action(s): By whom: Date completed:" and "Monitoring: For completion by Sefton
// SCP".
#[tokio::test]
async fn seftons_report_takes_rows_and_the_sscp_fills_its_monitoring_box_after_closure() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let manager = stack.sign_in("sefton", "school-manager").await;
    let social_care = stack.sign_in("sefton", "social-care-head-of-service").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let (status, mut case) = raiser
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    for round in 0..2 {
        case = social_care.act(&case, "responses", not_resolved()).await;
        case = manager.act(&case, "escalations", escalation()).await;
        if round == 0 {
            let log = json!({ "date-of-discussion": "2026-01-05", "managers-involved": "Two team managers" });
            let (status, view) =
                record(&manager, &case, "agency-escalation-summary-log", log).await;
            assert_eq!(status, StatusCode::OK, "{view}");
            case = view;
        }
    }
    assert_eq!(stage(&case), "step-3");
    // The case has moved on from step 2: its log is refused to record here, but still reads
    // as recorded there, to print.
    let log_path = format!(
        "/api/cases/{}/forms/agency-escalation-summary-log",
        case["case"]["id"].as_str().unwrap()
    );
    let (status, _) = chair.get(&log_path).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, log) = chair.get(&format!("{log_path}?record=latest")).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert_eq!(log["stage"], "step-2");
    assert_eq!(log["recorded"]["by"], "school-manager");
    assert_eq!(
        value(&log, "managers-involved").unwrap()["value"],
        "Two team managers"
    );
    assert_eq!(
        value(&log, "managers-involved").unwrap()["prefilled"],
        false
    );
    let report = |monitoring: bool| {
        let mut values = json!({
            "child-name": "Test Child",
            "escalating-professional": "Demo practitioner",
            "role-and-agency": "Teacher, Demo school",
            "level-of-need": "S17",
            "details-of-disagreement": "Threshold",
            "date-of-discussion": "2026-01-06",
            "actions-taken": "Heads of service met",
            "agency-actions": [
                { "action": "Staff briefing", "by-whom": "DSL", "date-completed": "2026-01-20" },
                { "by-whom": "Head", "date-completed": "soon" }
            ],
            "completed-by": "Demo manager / Head",
            "date-completed": "2026-01-07"
        });
        if monitoring {
            values["monitoring-date-received"] = json!("2026-01-08");
        }
        values
    };
    let (status, problem) = record(&manager, &case, "report-to-sscp", report(true)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "values.agency-actions[1].action",
            "values.agency-actions[1].date-completed",
            "values.monitoring-date-received",
        ],
        "{problem}"
    );
    // "Multi-agency conflicts resolved at Steps 3 and 4 must be reported to Sefton SCP Team":
    // the case cannot be resolved at step 3 before its Report to SSCP is recorded.
    let (status, problem) = chair
        .post(
            &format!("/api/cases/{}/resolution", case["case"]["id"].as_str().unwrap()),
            json!({ "version": case["case"]["version"], "outcome": "Agreed", "lessons_learned": "Earlier discussion" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Report to SSCP"),
        "{problem}"
    );
    let mut good = report(false);
    good["agency-actions"].as_array_mut().unwrap().pop();
    let (status, view) = record(&manager, &case, "report-to-sscp", good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        view["case"]["forms"][1]["values"]["agency-actions"]["rows"][0]["date-completed"]["date"],
        "2026-01-20"
    );
    case = view;
    case = social_care
        .act(
            &case,
            "responses",
            json!({ "outcome": "resolved", "summary": "Agreed" }),
        )
        .await;
    case = chair
        .act(
            &case,
            "resolution",
            json!({ "outcome": "Agreed", "lessons_learned": "Earlier discussion" }),
        )
        .await;
    let (status, _) = record(&manager, &case, "report-to-sscp", good.clone()).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "closed to the school"
    );
    let mut monitored = good;
    monitored["monitoring-date-received"] = json!("2026-01-08");
    monitored["monitoring-outcome"] = json!("Noted by the sub group");
    let (status, view) = record(&chair, &case, "report-to-sscp", monitored).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let id = case["case"]["id"].as_str().unwrap();
    let (_, form) = chair
        .get(&format!("/api/cases/{id}/forms/report-to-sscp"))
        .await;
    assert_eq!(form["recorded"]["by"], "chair");
    assert_eq!(
        value(&form, "monitoring-date-received").unwrap()["value"],
        "2026-01-08"
    );
}
