//! Notices by email on the local stack: what a partnership sees in its outbox as the clock
//! moves and sweeps run — each notice exactly once, at the right local time, within working
//! hours, and never with the child's details.

mod common;

use common::{Stack, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A child whose details are distinctive strings: none may appear in any message.
const CHILD_NAME: &str = "Quenby Zorrilla-Featherstonehaugh";
const CHILD_DOB: &str = "2015-03-17";
const CHILD_ADDRESS: &str = "17 Marzipan Terrace, Upper Wibbleton";
const CONCERN: &str = "Plumbago-coloured concern text";

fn child_body(procedure: &str, receiving: &str) -> Value {
    json!({
        "procedure": procedure,
        "receiving_agency": receiving,
        "child": {
            "name": CHILD_NAME,
            "date_of_birth": CHILD_DOB,
            "address": CHILD_ADDRESS,
            "child_protection_plan": true,
            "in_care": true
        },
        "concern": {
            "summary": CONCERN,
            "reasons": [],
            "tried": "Tried text that must stay in the case",
            "desired_outcome": "Outcome text that must stay in the case"
        },
        "immediate_risk": false
    })
}

/// The messages sent since `seen` (a count of messages already looked at).
async fn new_messages(stack: &Stack, seen: &mut usize) -> Vec<Value> {
    let all = stack.outbox().await;
    for message in &all {
        let whole = message.to_string();
        for secret in [
            CHILD_NAME,
            CHILD_DOB,
            "17/03/2015",
            "17 March 2015",
            CHILD_ADDRESS,
            CONCERN,
            "Tried text",
            "Outcome text",
        ] {
            assert!(
                !whole.contains(secret),
                "a message carries `{secret}`: {whole}"
            );
        }
    }
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

fn to(message: &Value) -> Vec<&str> {
    message["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn cc(message: &Value) -> Vec<&str> {
    message["cc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn subject(message: &Value) -> &str {
    message["subject"].as_str().unwrap()
}

/// Sweeps at `instant` and returns what it sent.
async fn sweep_at(stack: &Stack, instant: &str, seen: &mut usize) -> Vec<Value> {
    stack.set_clock(instant).await;
    let summary = stack.sweep().await;
    assert_eq!(summary["failed"], 0, "{summary}");
    new_messages(stack, seen).await
}

/// Issue 10, done when: "a Sefton case left unanswered yields, each exactly once and at the
/// right local times, the raise notice, a reminder, an overdue notice and an
/// unanswered-breach notice, none with child data". Sefton step 1: "within 2 working days".
#[tokio::test]
async fn a_sefton_case_left_unanswered_notifies_each_step_once_at_the_right_local_time() {
    let stack = start().await;
    let mut seen = 0;
    // Monday 25 November 2030, 10:00 GMT.
    stack.set_clock("2030-11-25T10:00:00Z").await;
    let school = stack.sign_in("sefton", "school-practitioner").await;
    let mut body = child_body("sefton", "social-care");
    body["concern"]["level_of_need"] = json!("s17");
    let (status, case) = school.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["case"]["id"].as_str().unwrap().to_owned();

    // At once: the agency asked is told what is asked and by when.
    let raised = new_messages(&stack, &mut seen).await;
    assert_eq!(raised.len(), 1, "{raised:#?}");
    assert_eq!(to(&raised[0]), ["social-care-manager@sefton.example.org"]);
    assert!(subject(&raised[0]).contains(&id), "{}", subject(&raised[0]));
    let text = raised[0]["text"].as_str().unwrap();
    assert!(
        text.contains("by end of Wednesday 27 November 2030"),
        "{text}"
    );
    assert!(text.contains(&format!("/cases/{id}")), "{text}");
    assert!(
        text.contains("Step 1 — Professional to professional discussion"),
        "{text}"
    );
    assert!(
        raised[0]["html"].as_str().unwrap().contains("<a href="),
        "both parts"
    );

    // Nothing before the start of the last working day; the reminder at 08:00 on it, once.
    assert!(
        sweep_at(&stack, "2030-11-27T07:59:00Z", &mut seen)
            .await
            .is_empty()
    );
    let reminder = sweep_at(&stack, "2030-11-27T08:00:00Z", &mut seen).await;
    assert_eq!(reminder.len(), 1, "{reminder:#?}");
    assert!(
        subject(&reminder[0]).contains("reminder"),
        "{}",
        subject(&reminder[0])
    );
    assert_eq!(to(&reminder[0]), ["social-care-manager@sefton.example.org"]);
    assert!(
        sweep_at(&stack, "2030-11-27T08:05:00Z", &mut seen)
            .await
            .is_empty()
    );

    // The breach at midnight is recorded, but nobody is mailed at night: 08:00 on Thursday.
    stack.set_clock("2030-11-28T00:00:01Z").await;
    let summary = stack.sweep().await;
    assert_eq!(summary["breaches_recorded"], 1, "{summary}");
    assert!(new_messages(&stack, &mut seen).await.is_empty());
    let overdue = sweep_at(&stack, "2030-11-28T08:00:00Z", &mut seen).await;
    assert_eq!(overdue.len(), 1, "{overdue:#?}");
    assert!(
        subject(&overdue[0]).contains("overdue"),
        "{}",
        subject(&overdue[0])
    );
    assert_eq!(to(&overdue[0]), ["social-care-manager@sefton.example.org"]);

    // One working day on, the next line of management, copied to the chair.
    assert!(
        sweep_at(&stack, "2030-11-29T07:59:00Z", &mut seen)
            .await
            .is_empty()
    );
    let unanswered = sweep_at(&stack, "2030-11-29T08:00:00Z", &mut seen).await;
    assert_eq!(unanswered.len(), 1, "{unanswered:#?}");
    assert!(
        subject(&unanswered[0]).contains("unanswered"),
        "{}",
        subject(&unanswered[0])
    );
    assert_eq!(
        to(&unanswered[0]),
        ["social-care-service-manager@sefton.example.org"]
    );
    assert_eq!(cc(&unanswered[0]), ["chair@sefton.example.org"]);

    // And nothing more, however often it sweeps.
    for instant in [
        "2030-11-29T08:01:00Z",
        "2030-12-02T09:00:00Z",
        "2030-12-20T09:00:00Z",
    ] {
        assert!(
            sweep_at(&stack, instant, &mut seen).await.is_empty(),
            "{instant}"
        );
    }
}

/// Issue 10, done when: "a Moray case does the same on Scotland's calendar". The initial
/// discussion's record is due "within 5 working days of the discussion"; St Andrew's Day
/// 2030 falls on a Saturday, so Scotland's bank holiday is Monday 2 December — a working day
/// in England. From Friday 29 November the fifth working day is Monday 9 December in Scotland
/// (Friday 6 December in England).
#[tokio::test]
async fn a_moray_case_is_timed_and_reminded_on_scotlands_calendar() {
    let stack = start().await;
    let mut seen = 0;
    stack.set_clock("2030-11-29T10:00:00Z").await;
    let teacher = stack.sign_in("moray", "education-practitioner").await;
    let mut body = child_body("moray", "social-work");
    body["meeting_at"] = json!("2030-11-29T09:30:00Z");
    body["concern"]["reasons"] = json!(["no-consensus"]);
    let (status, case) = teacher.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");

    // "… sent within 5 working days to the team around the child": the others involved are
    // told at once (the raiser is never mailed about their own action).
    let raised = new_messages(&stack, &mut seen).await;
    assert!(!raised.is_empty());
    for message in &raised {
        assert!(!to(message).contains(&"education-practitioner@moray.example.org"));
    }

    assert!(
        sweep_at(&stack, "2030-12-06T08:00:00Z", &mut seen)
            .await
            .is_empty(),
        "not on England's day"
    );
    let reminder = sweep_at(&stack, "2030-12-09T08:00:00Z", &mut seen).await;
    assert_eq!(reminder.len(), 1, "{reminder:#?}");
    assert!(subject(&reminder[0]).contains("reminder"));
    assert!(
        reminder[0]["text"]
            .as_str()
            .unwrap()
            .contains("by end of Monday 9 December 2030")
    );
    assert_eq!(
        to(&reminder[0]),
        ["education-practitioner@moray.example.org"]
    );

    let overdue = sweep_at(&stack, "2030-12-10T08:00:00Z", &mut seen).await;
    assert_eq!(overdue.len(), 1, "{overdue:#?}");
    assert!(subject(&overdue[0]).contains("overdue"));

    // Raised with the practitioner's first line manager a working day later.
    let unanswered = sweep_at(&stack, "2030-12-11T08:00:00Z", &mut seen).await;
    assert_eq!(unanswered.len(), 1, "{unanswered:#?}");
    assert_eq!(to(&unanswered[0]), ["education-manager@moray.example.org"]);
    assert!(
        cc(&unanswered[0]).contains(&"chair@moray.example.org"),
        "{:?}",
        cc(&unanswered[0])
    );
    assert!(
        sweep_at(&stack, "2030-12-12T08:00:00Z", &mut seen)
            .await
            .is_empty()
    );
}
