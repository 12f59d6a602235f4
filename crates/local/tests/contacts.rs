//! Contacts recorded over HTTP (issue 9, item 5): how, when and with whom the discussion
//! behind a response or an escalation happened. Sefton: "Escalation can be via telephone,
//! face-to-face or internet meeting. All escalations should be recorded to ensure that the
//! procedure is effective, transparent and for SSCP auditing purposes." Medway:
//! "Conversations between professionals, telephone calls and emails should be recorded on the
//! child's file as evidence of the challenge and any resolution met."

mod common;

use common::{escalation, not_resolved, raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ROLE: &str = "Designated Safeguarding Lead";

fn contact(method: &str, at: &Value, agency: &str) -> Value {
    json!({ "method": method, "at": at, "with_role": ROLE, "with_agency": agency })
}

#[tokio::test]
async fn responses_and_escalations_record_how_when_and_with_whom_they_were_discussed() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let their_manager = stack.sign_in("sefton", "social-care-manager").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let (status, case) = raiser
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let raised_at = case["case"]["raised_at"].clone();

    // Every bad part is named: a method not of the four, an instant in the future, an agency
    // the partnership does not have.
    let respond = |contact: Value| {
        let mut body = not_resolved();
        body["version"] = case["case"]["version"].clone();
        body["contact"] = contact;
        body
    };
    let (status, problem) = their_manager
        .post(
            &format!("/api/cases/{id}/responses"),
            respond(json!({ "method": "carrier-pigeon", "at": raised_at, "with_role": " " })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["contact.method", "contact.with_role", "contact.with_agency"],
        "{problem}"
    );
    let future = json!("2099-01-01T09:00:00Z");
    let (status, problem) = their_manager
        .post(
            &format!("/api/cases/{id}/responses"),
            respond(contact("telephone", &future, "school")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "contact.at", "{problem}");
    let (status, problem) = their_manager
        .post(
            &format!("/api/cases/{id}/responses"),
            respond(contact("telephone", &raised_at, "no-such-agency")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "contact.with_agency");

    // Recorded on the response and on the escalation.
    let mut body = not_resolved();
    body["contact"] = contact("telephone", &raised_at, "school");
    let case = their_manager.act(&case, "responses", body).await;
    assert_eq!(
        case["case"]["responses"][0]["contact"],
        contact("telephone", &raised_at, "school"),
        "{case}"
    );
    let mut body = escalation();
    body["contact"] = contact("online-meeting", &case["case"]["updated_at"], "social-care");
    let case = raiser.act(&case, "escalations", body).await;
    assert_eq!(
        case["case"]["escalations"][0]["contact"]["method"],
        "online-meeting"
    );
    assert_eq!(case["case"]["escalations"][0]["contact"]["with_role"], ROLE);

    // Whom it was with stays on the case: not in the chronology, not in the report.
    let chronology = case["chronology"].to_string();
    assert!(!chronology.contains(ROLE), "{chronology}");
    let (status, report) = chair
        .get("/api/reports?from=2000-01-01&to=2099-12-31")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(!report.to_string().contains(ROLE), "{report}");
    // Only the method is counted: "Escalation via e-mail is not recommended".
    assert!(
        report["contacts_by_method"]["sefton/online-meeting"]
            .as_u64()
            .is_some_and(|n| n >= 1),
        "{report}"
    );
}
