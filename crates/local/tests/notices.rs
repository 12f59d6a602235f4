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
    // The whole notice: reference, procedure and stage by name, what is asked and by when in
    // words, a link — and nothing about the child.
    assert_eq!(
        subject(&raised[0]),
        format!("Case {id}: you are asked to act by end of Wednesday 27 November 2030")
    );
    assert_eq!(
        raised[0]["text"].as_str().unwrap().replace("\r\n", "\n"),
        format!(
            "You are asked to act by end of Wednesday 27 November 2030.

Case: {id}
Partnership: Sefton Safeguarding Children Partnership (demo)
Procedure: Sefton SCP escalation and resolution procedure
Stage: Step 1 — Professional to professional discussion
What is asked: Acknowledgement and a mutually agreed plan of action, including timescales — The other front line professional
By when: by end of Wednesday 27 November 2030

Open the case: http://127.0.0.1:8080/cases/{id}

You are getting this because you, or your agency, are asked to act on this case.
This notice carries no details of the child and nothing anyone wrote on the case: sign in to read the case.
"
        )
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
    assert_eq!(summary["deferred_to_working_hours"], 1, "{summary}");
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

/// One rule of who is told what: a message for `procedure` whose notice key holds `key`
/// (`_{event}_{stage}_{audience}`, or a clock notice's kind) reaches `recipient`, as the
/// document says in `quote`.
struct Rule {
    procedure: &'static str,
    key: &'static str,
    recipient: &'static str,
    quote: &'static str,
}

const RULES: &[Rule] = &[
    // Medway: "Email a copy of the escalation and any response to mscp@medway.gov.uk for
    // recording purposes" (stages 1-3) — the partnership's recording mailbox, here the demo's.
    Rule {
        procedure: "medway",
        key: "_raised_stage-1_copy",
        recipient: "recording@medway.example.org",
        quote: "Email a copy of the escalation and any response to mscp@medway.gov.uk for recording purposes",
    },
    Rule {
        procedure: "medway",
        key: "_responded_stage-1_copy",
        recipient: "recording@medway.example.org",
        quote: "a copy of the escalation and any response",
    },
    Rule {
        procedure: "medway",
        key: "_escalated_stage-2_copy",
        recipient: "recording@medway.example.org",
        quote: "Email a copy of the escalation and any response to mscp@medway.gov.uk",
    },
    Rule {
        procedure: "medway",
        key: "_responded_stage-2_copy",
        recipient: "recording@medway.example.org",
        quote: "a copy of the escalation and any response",
    },
    Rule {
        procedure: "medway",
        key: "_escalated_stage-3_copy",
        recipient: "recording@medway.example.org",
        quote: "a copy is sent to the MSCP at mscp@medway.gov.uk for recording purposes",
    },
    Rule {
        procedure: "medway",
        key: "_responded_stage-3_copy",
        recipient: "recording@medway.example.org",
        quote: "a copy is sent to the MSCP … for recording purposes",
    },
    Rule {
        procedure: "medway",
        key: "_raised_stage-1_0_informed",
        recipient: "conference-chairs@medway.example.org",
        quote: "the Child Protection Conference Chair (child with a child protection plan)",
    },
    Rule {
        procedure: "medway",
        key: "_raised_stage-1_1_informed",
        recipient: "iro@medway.example.org",
        quote: "the Independent Reviewing Officer (child in care)",
    },
    Rule {
        procedure: "medway",
        key: "_escalated_stage-2_0_informed",
        recipient: "conference-chairs@medway.example.org",
        quote: "the Child Protection Conference Chair",
    },
    Rule {
        procedure: "medway",
        key: "_escalated_stage-4_0_informed",
        recipient: "executive@medway.example.org",
        quote: "The escalation will be raised with the MSCP Executive",
    },
    Rule {
        procedure: "medway",
        key: "_escalated_stage-4_1_informed",
        recipient: "scrutineer@medway.example.org",
        quote: "overseen by the MSCP Independent scrutineer",
    },
    Rule {
        procedure: "medway",
        key: "_escalated_stage-4_copy",
        recipient: "recording@medway.example.org",
        quote: "it must be sent to the MSCP (mscp@medway.gov.uk) using the Escalation Form",
    },
    Rule {
        procedure: "medway",
        key: "_clock-started_stage-1_asked",
        recipient: "social-care-service-manager@medway.example.org",
        quote: "Stage 1 – Escalate to Service Manager",
    },
    Rule {
        procedure: "medway",
        key: "_responded_stage-1_raiser",
        recipient: "school-practitioner@medway.example.org",
        quote: "the raiser is told of a response or decision",
    },
    // Sefton: "Multi-agency conflicts resolved at Steps 3 and 4 must be reported to Sefton SCP
    // Team" (FAO: SSCP Manager), and step 4 "communicates it to all".
    Rule {
        procedure: "sefton",
        key: "_form-recorded_step-4_copy",
        recipient: "recording@sefton.example.org",
        quote: "Multi-agency conflicts resolved at Steps 3 and 4 must be reported to Sefton SCP Team",
    },
    Rule {
        procedure: "sefton",
        key: "_resolved_step-4_involved",
        recipient: "school-practitioner@sefton.example.org",
        quote: "makes a final and binding decision and communicates it to all",
    },
    Rule {
        procedure: "sefton",
        key: "_resolved_step-4_involved",
        recipient: "social-care-head-of-service@sefton.example.org",
        quote: "communicates it to all",
    },
    Rule {
        procedure: "sefton",
        key: "_clock-started_step-1_asked",
        recipient: "social-care-manager@sefton.example.org",
        quote: "Step 1 — Professional to professional discussion … within 2 working days",
    },
    Rule {
        procedure: "sefton",
        key: "_clock-started_step-3_asked",
        recipient: "social-care-head-of-service@sefton.example.org",
        quote: "Direct Head of Service to Head of Service Discussion",
    },
    // Moray: the record to "the team around the child, any relevant supervisors and the
    // approached line manager(s)", and from stage 2 "shared with candfpolicy@moray.gov.uk for
    // quality assurance purposes".
    Rule {
        procedure: "moray",
        key: "_raised_initial_0_informed",
        recipient: "social-work-manager@moray.example.org",
        quote: "sent within 5 working days to the team around the child",
    },
    Rule {
        procedure: "moray",
        key: "_escalated_stage-2_copy",
        recipient: "quality-assurance@moray.example.org",
        quote: "shared with candfpolicy@moray.gov.uk for quality assurance purposes",
    },
    Rule {
        procedure: "moray",
        key: "_escalated_stage-5_copy",
        recipient: "quality-assurance@moray.example.org",
        quote: "share it with candfpolicy@moray.gov.uk",
    },
    Rule {
        procedure: "moray",
        key: "_escalated_stage-2_0_informed",
        recipient: "social-work-service-manager@moray.example.org",
        quote: "the team around the child, any relevant supervisors and the approached line manager(s)",
    },
    // MSET: "submit the pro-forma to the immediate Line Manager and cc the second tier Line
    // Manager for the relevant agency"; level 4 "escalates to the SSCP Strategic Business
    // Manager"; regular non-attendance "Pro-forma should be shared with the SSCP Business Unit".
    Rule {
        procedure: "sscp-mset",
        key: "_clock-started_level-1_asked",
        recipient: "childrens-services-manager@sscp.example.org",
        quote: "Level 1 — Escalation to immediate Line Manager",
    },
    Rule {
        procedure: "sscp-mset",
        key: "_escalated_level-4_0_informed",
        recipient: "strategic-business-manager@sscp.example.org",
        quote: "the MSET Chair escalates to the SSCP Strategic Business Manager",
    },
    Rule {
        procedure: "sscp-mset-non-attendance",
        key: "_clock-started_notice_asked",
        recipient: "childrens-services-manager@sscp.example.org",
        quote: "The Chair will submit the pro-forma to the immediate Line Manager",
    },
    Rule {
        procedure: "sscp-mset-non-attendance",
        key: "_raised_notice_0_informed",
        recipient: "childrens-services-service-manager@sscp.example.org",
        quote: "and cc the second tier Line Manager for the relevant agency",
    },
    Rule {
        procedure: "sscp-mset-partner-non-attendance",
        key: "_raised_business-unit_copy",
        recipient: "business-unit@sscp.example.org",
        quote: "Pro-forma should be shared with the SSCP Business Unit",
    },
    // Every procedure: "owners of agreed actions before their actions fall due" — the
    // journeys' plans are owned by the raising agency and due on 31 December 2026.
    Rule {
        procedure: "sefton",
        key: "action_a1_2026-12-31_action-owner",
        recipient: "school-manager@sefton.example.org",
        quote: "a mutually agreed plan of action including timescales",
    },
    Rule {
        procedure: "moray",
        key: "action_a1_2026-12-31_action-owner",
        recipient: "education-manager@moray.example.org",
        quote: "Agreed actions need to be followed up",
    },
];

/// What must not be sent: (procedure, key, recipient, why).
const NEVER: &[(&str, &str, &str, &str)] = &[
    (
        "moray",
        "_raised_initial_copy",
        "quality-assurance@moray.example.org",
        "the quality-assurance mailbox is copied from stage 2",
    ),
    (
        "moray",
        "_escalated_stage-1_copy",
        "quality-assurance@moray.example.org",
        "the quality-assurance mailbox is copied from stage 2",
    ),
    (
        "medway",
        "_escalated_stage-4_",
        "conference-chairs@medway.example.org",
        "the conference chair is told at stages 1-3 only",
    ),
];

/// Issue 10: "A test table (procedure × event × recipient) states every rule, and each row is
/// asserted." Every procedure's ladder is climbed to resolution on one stack; the outbox then
/// holds every event notice, and a sweep on the agreed actions' due day their reminders.
#[tokio::test]
async fn every_rule_of_who_is_told_what_holds_on_a_climb_of_every_ladder() {
    let stack = start().await;
    let runs = [
        ("medway", "medway", "school-practitioner", "social-care"),
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
    let mut by_procedure: Vec<(&str, Vec<Value>)> = Vec::new();
    let mut seen = 0;
    let mut cases = Vec::new();
    for (procedure, partnership, raiser, receiving) in runs {
        let (case, _, _) =
            common::climb(&stack, procedure, partnership, raiser, receiving, |body| {
                if body.get("child").is_some() {
                    body["child"] = json!({
                        "name": CHILD_NAME, "date_of_birth": CHILD_DOB, "address": CHILD_ADDRESS,
                        "child_protection_plan": true, "in_care": true
                    });
                    body["concern"]["summary"] = json!(CONCERN);
                }
            })
            .await;
        cases.push((procedure, case["case"]["id"].as_str().unwrap().to_owned()));
        by_procedure.push((procedure, new_messages(&stack, &mut seen).await));
    }
    // The agreed actions' reminders: at the start of their due day, Thursday 31 December 2026.
    stack.set_clock("2026-12-31T08:00:00Z").await;
    stack.sweep().await;
    for message in new_messages(&stack, &mut seen).await {
        let file = message["file"].as_str().unwrap().to_owned();
        let (procedure, _) = cases
            .iter()
            .find(|(_, id)| file.contains(id.as_str()))
            .unwrap();
        by_procedure
            .iter_mut()
            .find(|(p, _)| p == procedure)
            .unwrap()
            .1
            .push(message);
    }

    let sent_to = |procedure: &str, key: &str, recipient: &str| {
        by_procedure
            .iter()
            .filter(|(p, _)| *p == procedure)
            .flat_map(|(_, messages)| messages)
            .any(|m| {
                m["file"].as_str().unwrap().contains(key)
                    && (to(m).contains(&recipient) || cc(m).contains(&recipient))
            })
    };
    let mut broken = Vec::new();
    for rule in RULES {
        if !sent_to(rule.procedure, rule.key, rule.recipient) {
            broken.push(format!(
                "{} {} → {} (\"{}\")",
                rule.procedure, rule.key, rule.recipient, rule.quote
            ));
        }
    }
    for (procedure, key, recipient, why) in NEVER {
        if sent_to(procedure, key, recipient) {
            broken.push(format!(
                "{procedure} {key} must not reach {recipient}: {why}"
            ));
        }
    }
    if !broken.is_empty() {
        let files: Vec<String> = by_procedure
            .iter()
            .flat_map(|(p, ms)| {
                ms.iter()
                    .map(move |m| format!("{p}: {} → {:?} cc {:?}", m["file"], to(m), cc(m)))
            })
            .collect();
        panic!(
            "rules broken:\n{}\n\nsent:\n{}",
            broken.join("\n"),
            files.join("\n")
        );
    }
}

/// MSET, the referrer's non-attendance: "Should the pro-forma not be returned within 5 working
/// days, the Chair will raise this with the second tier Manager" — at the breach, with no
/// grace (the clock's `unanswered_after_working_days = 0`).
#[tokio::test]
async fn an_mset_resolution_pro_forma_not_returned_is_raised_with_the_second_tier_manager_at_once()
{
    let stack = start().await;
    let mut seen = 0;
    stack.set_clock("2030-12-02T10:00:00Z").await;
    let chair = stack.sign_in("sscp", "chair").await;
    let (_, procedure) = chair.get("/api/procedures/sscp-mset-non-attendance").await;
    let mut body = child_body("sscp-mset-non-attendance", "childrens-services");
    body["meeting_at"] = json!("2030-12-02T09:00:00Z");
    if let Some(reason) = procedure["reasons"][0]["id"].as_str() {
        body["concern"]["reasons"] = json!([reason]);
    }
    let (status, case) = chair.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let manager = stack.sign_in("sscp", "childrens-services-manager").await;
    let case = manager
        .act(&case, "responses", json!({ "outcome": "not-resolved", "reasons": "Not yet reviewed", "agreed_actions": [] }))
        .await;
    let case = chair
        .act(&case, "escalations", json!({ "to": "resolution", "reasons": "Pro-forma needed", "meeting_at": "2030-12-02T09:00:00Z" }))
        .await;
    assert_eq!(case["case"]["stage"], "resolution", "{case}");
    new_messages(&stack, &mut seen).await;

    // Due at the end of Monday 9 December; at 08:00 on Tuesday both the manager asked and the
    // second tier manager hear, at once.
    assert!(
        sweep_at(&stack, "2030-12-10T07:59:00Z", &mut seen)
            .await
            .iter()
            .all(|m| !subject(m).contains("overdue"))
    );
    let sent = sweep_at(&stack, "2030-12-10T08:00:00Z", &mut seen).await;
    let unanswered: Vec<&Value> = sent
        .iter()
        .filter(|m| subject(m).contains("unanswered"))
        .collect();
    assert_eq!(unanswered.len(), 1, "{sent:#?}");
    assert_eq!(
        to(unanswered[0]),
        ["childrens-services-service-manager@sscp.example.org"]
    );
    assert!(
        sent.iter().any(|m| subject(m).contains("overdue")
            && to(m) == ["childrens-services-manager@sscp.example.org"]),
        "{sent:#?}"
    );
}
