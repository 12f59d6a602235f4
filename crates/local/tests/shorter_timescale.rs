//! The MSET Chair's shorter timescale over HTTP (`shorter_timescale` on the raise): the
//! pro-forma "must be taken within a maximum of 72 hours", and the Chair sets "The timescale
//! for completion (if specific immediate safeguarding concerns are identified)" — shorter,
//! never longer, and only where the procedure lets the Chair.

mod common;

use common::{raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn mset_body(reason: &str, shorter: Value) -> Value {
    let mut body = raise_body("sscp-mset", "childrens-services", None, &[reason]);
    body["shorter_timescale"] = shorter;
    body
}

#[tokio::test]
async fn the_mset_chair_sets_a_shorter_timescale_for_the_pro_forma_and_nothing_longer() {
    let stack = start().await;
    let chair = stack.sign_in("sscp", "chair").await;
    let (_, procedure) = chair.get("/api/procedures/sscp-mset").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();

    // 2.3 "Timescales for completing this action will depend on the level of risk to the
    // child ... this action must be taken within a maximum of 72 hours": 24 hours from the
    // meeting (raise_body's meeting_at, 2026-01-05T10:00:00Z).
    let (status, case) = chair
        .post("/api/cases", mset_body(&reason, json!({ "hours": 24 })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let run = &case["clocks"][0]["run"];
    assert_eq!(
        (run["clock"].as_str(), run["due"].as_str()),
        (Some("submit"), Some("2026-01-06T10:00:00Z")),
        "{case}"
    );
    assert_eq!(run["shortened_to"], json!({ "hours": 24 }));

    // Not shorter than the procedure's 72 hours: refused, naming the field.
    for longer in [json!({ "hours": 72 }), json!({ "working_days": 5 })] {
        let (status, problem) = chair
            .post("/api/cases", mset_body(&reason, longer.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{longer}: {problem}");
        assert_eq!(
            problem["errors"][0]["field"], "shorter_timescale",
            "{problem}"
        );
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("is not shorter than the procedure's 72 hours"),
            "{problem}"
        );
    }

    // Not a timescale at all: named before anything is raised.
    for (bad, says) in [
        (json!({ "hours": 0 }), "zero"),
        (json!({ "hours": 12, "weeks": 1 }), "exactly one unit"),
    ] {
        let (status, problem) = chair.post("/api/cases", mset_body(&reason, bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "shorter_timescale");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{problem}"
        );
    }

    // Sefton sets its own timescales: no one shortens them.
    let practitioner = stack.sign_in("sefton", "school-practitioner").await;
    let mut body = raise_body("sefton", "social-care", Some("s17"), &[]);
    body["shorter_timescale"] = json!({ "hours": 4 });
    let (status, problem) = practitioner.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "shorter_timescale");
    // Nothing was raised by the refused requests: the chair's list holds the one case.
    let (_, list) = chair.get("/api/cases?scope=partnership").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}
