//! The chair's All cases over HTTP: filtered by the agency raising or asked and by the dates
//! raised, newest or oldest first, with the counts at the top (open, overdue, resolved this
//! quarter); and the report narrowed to one procedure.

mod common;

use common::{User, raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ids(chair: &User<'_>, query: &str) -> Vec<String> {
    let (status, page) = chair
        .get(&format!("/api/cases?scope=partnership&{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn raise(user: &User<'_>, receiving: &str) -> Value {
    let (_, procedure) = user.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (status, case) = user
        .post(
            "/api/cases",
            raise_body("medway", receiving, None, &[&reason]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

fn id(case: &Value) -> String {
    case["case"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_chair_filters_every_case_by_agency_and_dates_sorts_them_and_sees_the_counts() {
    let stack = start().await;
    let school = stack.sign_in("medway", "school-practitioner").await;
    let police = stack.sign_in("medway", "police-practitioner").await;
    let chair = stack.sign_in("medway", "chair").await;

    // Monday 4 January 2027: the school raises about social care.
    stack.set_clock("2027-01-04T10:00:00Z").await;
    let january = id(&raise(&school, "social-care").await);
    // Saturday 13 February: the police raise about health; then a case raised and resolved.
    stack.set_clock("2027-02-13T10:00:00Z").await;
    let february = id(&raise(&police, "health").await);
    let resolved = raise(&school, "police").await;
    let answerer = stack.sign_in("medway", "police-service-manager").await;
    let resolved = answerer
        .act(
            &resolved,
            "responses",
            json!({ "outcome": "resolved", "summary": "Assessment opened" }),
        )
        .await;
    school
        .act(
            &resolved,
            "resolution",
            json!({ "outcome": "Assessment opened", "lessons_learned": "Share thresholds early" }),
        )
        .await;
    let resolved = id(&resolved);

    // The agency raising or asked.
    assert_eq!(ids(&chair, "agency=health").await, [february.as_str()]);
    assert_eq!(
        ids(&chair, "agency=police").await,
        [resolved.as_str(), february.as_str()],
        "raised by the police, or asked of them"
    );
    assert_eq!(
        ids(&chair, "agency=school").await,
        [resolved.as_str(), january.as_str()]
    );
    // Raised between two UK dates, both days included.
    assert_eq!(
        ids(&chair, "from=2027-02-13").await,
        [resolved.as_str(), february.as_str()]
    );
    assert_eq!(ids(&chair, "to=2027-02-12").await, [january.as_str()]);
    assert_eq!(
        ids(&chair, "from=2027-01-04&to=2027-01-04").await,
        [january.as_str()]
    );
    // Newest first unless asked for the oldest; pages continue in the order asked.
    assert_eq!(
        ids(&chair, "").await,
        [resolved.as_str(), february.as_str(), january.as_str()]
    );
    assert_eq!(
        ids(&chair, "order=oldest").await,
        [january.as_str(), february.as_str(), resolved.as_str()]
    );
    let (_, first) = chair
        .get("/api/cases?scope=partnership&order=oldest&limit=2")
        .await;
    let cursor = first["next"].as_str().unwrap();
    assert_eq!(
        ids(&chair, &format!("order=oldest&limit=2&cursor={cursor}")).await,
        [resolved.as_str()]
    );

    // The counts: two open, January's unanswered for six weeks is overdue, one resolved
    // since 1 January.
    let (status, overview) = chair.get("/api/overview").await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    assert_eq!(
        overview,
        json!({ "open": 2, "overdue": 1, "resolved_this_quarter": 1, "quarter_from": "2027-01-01" })
    );
    assert_eq!(ids(&chair, "overdue=true").await, [january.as_str()]);
    // A new quarter: the resolution was last quarter's.
    stack.set_clock("2027-04-01T09:00:00Z").await;
    let (_, overview) = chair.get("/api/overview").await;
    assert_eq!(overview["resolved_this_quarter"], 0);
    assert_eq!(overview["quarter_from"], "2027-04-01");

    // What is wrong is named.
    let (status, problem) = chair
        .get("/api/cases?scope=partnership&agency=fire-service&from=2027-13-01&order=sideways")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["from", "order"], "{problem}");
    let (status, problem) = chair
        .get("/api/cases?scope=partnership&agency=fire-service")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "agency");
    assert_eq!(
        problem["errors"][0]["message"],
        "`fire-service` is not one of the partnership's agencies"
    );
    let (status, _) = chair.get("/api/cases?scope=mine&agency=police").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Another agency's cases and the counts are the chair's to see.
    assert_eq!(
        school
            .get("/api/cases?scope=partnership&agency=police")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(school.get("/api/overview").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_report_covers_one_procedure_when_asked_and_refuses_one_not_in_use() {
    let stack = start().await;
    let school = stack.sign_in("medway", "school-practitioner").await;
    let chair = stack.sign_in("medway", "chair").await;
    raise(&school, "social-care").await;
    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (status, report) = chair
        .get(&format!("/api/reports?{range}&procedure=medway"))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["procedure"], "medway");
    assert_eq!(report["cases"], 1);
    let (_, other) = chair
        .get(&format!("/api/reports?{range}&procedure=medway-ppa"))
        .await;
    assert_eq!(other["cases"], 0, "{other}");
    let (status, problem) = chair
        .get(&format!("/api/reports?{range}&procedure=moray"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "procedure");
}
