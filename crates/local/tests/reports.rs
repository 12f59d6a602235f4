//! The quality-assurance report: run by the chair as JSON and CSV, free of child details,
//! refused to others, and a bad date range named.

mod common;

use common::{raise_body, start};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_chair_runs_the_quality_assurance_report_as_json_and_csv() {
    let stack = start().await;
    let raiser = stack.sign_in("medway", "school-practitioner").await;
    // Medway's stage 1 is answered by a "Service Manager (or equivalent)".
    let them = stack.sign_in("medway", "social-care-service-manager").await;
    let chair = stack.sign_in("medway", "chair").await;
    let (_, procedure) = raiser.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let mut body = raise_body("medway", "social-care", None, &[&reason]);
    // A reason in words: the report counts `other` by id and never quotes it.
    body["concern"]["other_reason"] = json!("Cancelled visits by a named locum");
    let (_, case) = raiser.post("/api/cases", body).await;
    let case = them
        .act(
            &case,
            "responses",
            json!({ "outcome": "resolved", "summary": "Assessment opened" }),
        )
        .await;
    raiser
        .act(
            &case,
            "resolution",
            json!({ "outcome": "Assessment opened", "lessons_learned": "Share thresholds early" }),
        )
        .await;
    let (_, ppa) = raiser.get("/api/procedures/medway-ppa").await;
    let mut alert = raise_body(
        "medway-ppa",
        "social-care",
        None,
        &[ppa["reasons"][0]["id"].as_str().unwrap()],
    );
    alert.as_object_mut().unwrap().remove("child");
    alert.as_object_mut().unwrap().remove("immediate_risk");
    alert["agencies_asked"] = json!(["social-care", "police"]);
    let (status, raised) = raiser.post("/api/cases", alert).await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");

    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (status, report) = chair.get(&format!("/api/reports?{range}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["cases"], 1);
    assert_eq!(report["practice_alerts"].as_array().unwrap().len(), 1);
    assert_eq!(report["by_stage_reached"]["medway/stage-1"], 1);
    assert_eq!(report["by_agency_pair"]["school → social-care"], 1);
    assert_eq!(
        report["timeliness"]["medway/stage-1/response"]["met_on_time"],
        1
    );
    assert_eq!(report["outcomes"]["resolved"], 1);
    assert_eq!(
        report["lessons_learned"][0]["lessons_learned"],
        "Share thresholds early"
    );
    // No child's details in the report.
    assert!(!report.to_string().contains("Test Child"));
    assert_eq!(report["by_reason"]["medway/other"], 1, "{report}");
    assert!(!report.to_string().contains("named locum"));

    let response = stack
        .http
        .get(format!("{}/api/reports?{range}&format=csv", stack.url))
        .bearer_auth(&chair.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("section,item,measure,value\r\n"));
    assert!(!csv.contains("named locum"), "{csv}");
    assert!(
        csv.contains("timeliness,medway/stage-1/response,met on time,1\r\n"),
        "{csv}"
    );

    // Only the chair and business unit run it; a bad range says what to fix.
    assert_eq!(
        raiser.get(&format!("/api/reports?{range}")).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, problem) = chair
        .get("/api/reports?from=2026-12-01&to=2026-11-01")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "to");
}
