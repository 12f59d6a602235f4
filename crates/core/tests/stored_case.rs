//! The stored form of a `Case`. Both adapters store a case through its serde form (SQLite as
//! this JSON in `cases.body`, DynamoDB as the same fields in an item through serde_dynamo), so
//! a change to this JSON changes what every deployment has stored: this test makes such a
//! change visible, and deliberate.
//!
//! After a deliberate change (with a migration for the stored cases), rewrite the golden file:
//! `UPDATE_GOLDEN=1 cargo test -p escalations-core --test stored_case`.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use escalations_core::case::{
    Actor, AgreedAction, Case, Child, Concern, Contact, ContactMethod, EscalateRequest, Outcome,
    RaiseRequest, Role,
};
use escalations_core::forms::Plain;
use escalations_core::ids::{AgencyId, CaseId, FormId, LevelId, PersonId, Text};
use escalations_core::{Calendar, Catalogue};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn actor(person: &str, agency: &str, role: Role) -> Actor {
    Actor::new(
        PersonId::parse(person).unwrap(),
        AgencyId::parse(agency).unwrap(),
        role,
    )
}

/// A Sefton case raised by a school, answered "not resolved" by children's social care and
/// escalated to step 2: a child with every detail, clocks met and running, a response with an
/// agreed action, an escalation and two stage entries.
fn golden_case_before_forms() -> Case {
    let catalogue = Catalogue::builtin().unwrap();
    let procedure = catalogue.get("sefton").unwrap();
    let calendar = Calendar::new(procedure.division);
    let raised = Case::raise(
        CaseId::parse("case-golden").unwrap(),
        procedure,
        &calendar,
        &actor("pat", "school", Role::Practitioner),
        RaiseRequest {
            receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
            child: Some(Child {
                name: text("Jaydon Example-Smith"),
                date_of_birth: Some("2015-06-01".parse().unwrap()),
                address: Some(text("1 Example Road, Bootle")),
                child_protection_plan: true,
                in_care: false,
            }),
            concern: Concern {
                summary: text("Referral closed with no assessment despite new disclosures"),
                reasons: vec![], // Sefton's procedure has no list of reasons: `other`, in words
                level_of_need: Some(LevelId::parse("s47").unwrap()),
                desired_outcome: Some(text("A strategy discussion")),
                tried: Some(text("Spoke to the social worker on Monday")),
                other_reason: Some(text("The family moved school twice this term")),
            },
            immediate_risk: Some(false),
            agencies_asked: Vec::new(),
        },
        at("2026-11-23T10:00:00Z"),
    )
    .unwrap()
    .case;
    let responded = raised
        .respond(
            procedure,
            &calendar,
            &actor("meg", "social-care", Role::Manager),
            Outcome::NotResolved {
                reasons: text("Threshold not met"),
                agreed_actions: vec![AgreedAction {
                    what: text("Share the health visitor's chronology"),
                    owner_agency: Some(AgencyId::parse("health").unwrap()),
                    owner_person: Some(text("Health visitor")),
                    done: None,
                    by_when: "2026-12-04".parse().unwrap(),
                }],
            },
            at("2026-11-24T15:30:00Z"),
        )
        .unwrap()
        .case;
    responded
        .escalate(
            procedure,
            &calendar,
            &actor("sam", "school", Role::Manager),
            EscalateRequest {
                to: None,
                reasons: text("No agreement on the level of need"),
                tried: Some(text("A call between the two managers")),
            },
            at("2026-11-25T09:15:00Z"),
        )
        .unwrap()
        .with_contact(Contact {
            method: ContactMethod::Telephone,
            at: at("2026-11-25T08:45:00Z"),
            with_role: text("Team Manager, Children's Social Care"),
            with_agency: AgencyId::parse("social-care").unwrap(),
        })
        .unwrap()
        .case
}

/// The golden case, with the Agency Escalation Summary Log recorded at step 2.
fn golden_case() -> Case {
    let catalogue = Catalogue::builtin().unwrap();
    let procedure = catalogue.get("sefton").unwrap();
    let plain = |s: &str| Plain::Text(s.to_owned());
    let escalated = golden_case_before_forms()
        .record_form(
            procedure,
            &actor("sam", "school", Role::Manager),
            &FormId::parse("agency-escalation-summary-log").unwrap(),
            &[
                ("date-of-discussion", plain("2026-11-25")),
                (
                    "managers-involved",
                    plain("Sam (school), Meg (social care)"),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            at("2026-11-25T09:30:00Z"),
        )
        .unwrap()
        .case;
    assert!(
        !escalated.forms.is_empty()
            && escalated.child.is_some()
            && escalated.clocks.len() >= 2
            && !escalated.responses.is_empty()
            && escalated.escalations.iter().any(|e| e.contact.is_some())
            && escalated.stages_entered.len() >= 2,
        "the golden case should populate every part of a case: {escalated:#?}"
    );
    escalated
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/case.json")
}

#[test]
fn the_stored_json_of_a_case_is_unchanged() {
    let json = serde_json::to_string_pretty(&golden_case()).unwrap() + "\n";
    let path = golden_path();
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &json).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if golden != json {
        let line = golden
            .lines()
            .zip(json.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| golden.lines().count().min(json.lines().count()));
        panic!(
            "The stored JSON of a Case changed (first at line {}: golden {:?}, now {:?}).\n\
             Cases are stored in this form in DynamoDB (through serde_dynamo) and SQLite (as \
             this JSON), so this change would alter what every deployment stores, and cases \
             stored before it might no longer load. Make such a change deliberately, with a migration of the stored cases, then \
             rewrite {} with UPDATE_GOLDEN=1 cargo test -p escalations-core --test stored_case.\n\
             Now:\n{json}",
            line + 1,
            golden.lines().nth(line).unwrap_or("(end)"),
            json.lines().nth(line).unwrap_or("(end)"),
            path.display(),
        );
    }
}

#[test]
fn the_golden_json_reads_back_as_the_same_case() {
    let golden = std::fs::read_to_string(golden_path()).unwrap();
    let case: Case = serde_json::from_str(&golden)
        .unwrap_or_else(|e| panic!("the golden case no longer reads back: {e}"));
    assert_eq!(case, golden_case());
}

/// A case stored by the version before open reason lists and the immediate-risk question
/// (`golden/case-v1.json`, the golden file of that version) still loads: the new fields
/// take their defaults.
#[test]
fn a_case_stored_before_other_reasons_still_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/case-v1.json");
    let stored = std::fs::read_to_string(path).unwrap();
    assert!(
        !stored.contains("other_reason"),
        "the v1 file predates the field"
    );
    let case: Case = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("a case stored by the previous version no longer loads: {e}"));
    assert_eq!(case.concern.other_reason, None);
    assert_eq!(case.id.as_str(), "case-golden");
    assert_eq!(
        case.child.as_ref().unwrap().name.as_str(),
        "Jaydon Example-Smith"
    );
    assert_eq!(case.version, golden_case_before_forms().version);
}

/// A case stored before forms held values (`golden/case-v2.json`, the golden file of that
/// version) still loads, with no forms recorded.
#[test]
fn a_case_stored_before_forms_held_values_still_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/case-v2.json");
    let stored = std::fs::read_to_string(path).unwrap();
    assert!(
        !stored.contains("\"forms\""),
        "the v2 file predates the field"
    );
    let case: Case = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("a case stored by the previous version no longer loads: {e}"));
    assert_eq!(case, golden_case_before_forms());
}

/// Lists store and filter on a status's kind by these names.
#[test]
fn status_kinds_are_stored_by_name() {
    use escalations_core::case::StatusKind;
    for kind in [
        StatusKind::Open,
        StatusKind::Resolved,
        StatusKind::Withdrawn,
    ] {
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::from(kind.as_str())
        );
    }
    assert_eq!(golden_case().status.kind(), StatusKind::Open);
}

/// A case stored by the version before stated starts, "if not resolved" clocks and shorter
/// timescales (issue 9, item 3) still loads, and reads as the same case: the new fields of
/// `ClockRun` and `ClockStarted` default to "none".
#[test]
fn a_case_stored_by_the_previous_version_still_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/case-v1.json");
    let stored = std::fs::read_to_string(path).unwrap();
    let case: Case = serde_json::from_str(&stored).unwrap_or_else(|e| panic!("{e}"));
    // The golden case has since gained an `other` reason in words (issue 9, item 7); the
    // stored one predates it.
    let mut expected = golden_case_before_forms();
    expected.concern.reasons.clear();
    expected.concern.other_reason = None;
    // It predates recorded contacts (issue 9, item 5) too: they load as "not recorded".
    for escalation in &mut expected.escalations {
        escalation.contact = None;
    }
    assert!(case.responses.iter().all(|r| r.contact.is_none()));
    // Its agreed action predates owner agencies (issue 9, item 4): `by_whom` reads as the
    // owner person, in words, with no owner agency.
    if let Outcome::NotResolved { agreed_actions, .. } = &mut expected.responses[0].outcome {
        agreed_actions[0].owner_agency = None;
    }
    assert_eq!(case, expected);
    assert!(case.clocks.iter().all(|run| run.shortened_to.is_none()));
}

/// An agreed action stored before owners were agencies keeps its words: `by_whom` becomes the
/// owner person; with no owner agency it is in nobody's work queue, is still part of the
/// case's plan (as `a1`), and is not done.
#[test]
fn an_agreed_action_stored_with_by_whom_still_loads() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/case-v1.json");
    let stored = std::fs::read_to_string(path).unwrap();
    assert!(stored.contains("by_whom") && !stored.contains("owner_agency"));
    let case: Case = serde_json::from_str(&stored).unwrap_or_else(|e| panic!("{e}"));
    let plan = case.actions();
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].id().as_str(), "a1");
    let action = plan[0].action;
    assert_eq!(
        action.owner_person.as_ref().unwrap().as_str(),
        "Health visitor"
    );
    assert_eq!(action.owner_agency, None);
    assert_eq!(action.done, None);
    assert!(case.open_actions().is_empty());
}

/// Whose decision a response records (issue 9 item 2, "Who may act") is stored with it, and a
/// case stored before that loads with no decider: the golden case, raised at a Sefton step
/// that asks no level, stores none and its JSON is unchanged.
#[test]
fn whose_decision_it_was_is_stored_and_absent_before() {
    use escalations_core::case::{Decider, Level};
    let stored = std::fs::read_to_string(golden_path()).unwrap();
    assert!(!stored.contains("decided_by"));
    let case: Case = serde_json::from_str(&stored).unwrap();
    assert!(case.responses.iter().all(|r| r.decided_by.is_none()));

    let catalogue = Catalogue::builtin().unwrap();
    let medway = catalogue.get("medway").unwrap();
    let calendar = Calendar::new(medway.division);
    let mut request = RaiseRequest {
        receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
        child: case.child.clone(),
        concern: case.concern.clone(),
        immediate_risk: Some(false),
        agencies_asked: Vec::new(),
    };
    request.concern.reasons = vec![medway.reasons[0].id.clone()];
    request.concern.other_reason = None;
    request.concern.level_of_need = None;
    let raised = Case::raise(
        CaseId::parse("case-decided").unwrap(),
        medway,
        &calendar,
        &actor("pat", "school", Role::Practitioner),
        request,
        at("2026-11-23T10:00:00Z"),
    )
    .unwrap()
    .case;
    // "Stage 1 – Escalate to Service Manager", recorded by a first line manager on the
    // service manager's behalf.
    let decider = Decider {
        person: PersonId::parse("sue").unwrap(),
        agency: AgencyId::parse("social-care").unwrap(),
        level: Some(Level::SecondLine),
    };
    let recorder = actor("meg", "social-care", Role::Manager)
        .at_level(Level::FirstLine)
        .for_decider(decider.clone());
    let responded = raised
        .respond(
            medway,
            &calendar,
            &recorder,
            Outcome::Resolved {
                summary: text("An assessment will be opened"),
                agreed_actions: vec![],
            },
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap()
        .case;
    let json = serde_json::to_value(&responded).unwrap();
    assert_eq!(
        json["responses"][0]["decided_by"],
        serde_json::json!({ "person": "sue", "agency": "social-care", "level": "second-line" })
    );
    assert_eq!(json["responses"][0]["by"], "meg");
    let back: Case = serde_json::from_value(json).unwrap();
    assert_eq!(back, responded);
}
