//! Forms hold values (issue 9, item 1): each procedure's forms are typed field lists a case
//! stores values for, validated with every problem named, pre-filled from what the case
//! knows, kept per stage (history too), and never in the chronology, list entries or the
//! report.

mod common;

use std::collections::BTreeMap;

use common::{at, chair, escalation, not_resolved, practitioner, raise, text};
use common::{school_at, social_care_at, social_worker};
use escalations_core::case::{Actor, Level};
use escalations_core::case::{Case, CaseSummary, EventKind, Outcome, Refused, Transition};
use escalations_core::forms::{FieldValue, FormProblem, Plain};
use escalations_core::ids::{FieldId, FormId, StageId};
use escalations_core::procedure::{FieldKind, Form, Party, Procedure};
use escalations_core::report::report;
use escalations_core::{Calendar, Catalogue, PartnershipConfig};

/// A child's name no fixture uses, so finding it anywhere is a leak.
const CHILD: &str = "Zebedee Quillfeather";

/// The school's and social care's managers, senior enough to answer and escalate at every
/// stage these forms are used at (who may act is tested in `access.rs` and the journeys).
fn school_manager() -> Actor {
    school_at(Level::Director)
}

fn social_care_manager() -> Actor {
    social_care_at(Level::Director)
}

fn catalogue() -> Catalogue {
    common::catalogue()
}

fn form<'p>(p: &'p Procedure, id: &str) -> &'p Form {
    p.form(&FormId::parse(id).unwrap()).unwrap()
}

fn form_id(id: &str) -> FormId {
    FormId::parse(id).unwrap()
}

fn t(s: &str) -> Plain {
    Plain::Text(s.to_owned())
}

fn values(pairs: &[(&str, Plain)]) -> BTreeMap<String, Plain> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn row(cells: &[(&str, &str)]) -> Plain {
    Plain::Object(cells.iter().map(|(k, v)| (k.to_string(), t(v))).collect())
}

fn config() -> PartnershipConfig {
    serde_json::from_str(
        r#"{
  "id": "medway-scp", "name": "Medway Safeguarding Children Partnership",
  "procedures": ["medway", "sefton"], "division": "england-and-wales", "closure_days": [],
  "recording_mailbox": null,
  "agencies": [
    {"id": "school", "name": "Example Primary School", "kind": "education"},
    {"id": "social-care", "name": "Children's Social Care", "kind": "social-work"},
    {"id": "partnership-unit", "name": "Partnership Business Unit", "kind": "partnership"}
  ],
  "people": [
    {"id": "pat", "name": "Pat Teacher", "email": "pat@example.org", "agency": "school", "role": "practitioner"},
    {"id": "meg", "name": "Meg Manager", "email": "meg@example.org", "agency": "social-care", "role": "manager"}
  ]
}"#,
    )
    .unwrap()
}

/// The child in these tests has a name found nowhere else.
fn with_child(t: Transition) -> Case {
    let mut case = t.case;
    case.child.as_mut().unwrap().name = text(CHILD);
    case
}

/// A Medway case climbed to stage 3, with its events so far.
fn medway_at_stage_3() -> (Case, Vec<escalations_core::case::Event>) {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let cal = Calendar::new(p.division);
    let mut events = Vec::new();
    let mut keep = |t: Transition| {
        events.extend(t.events);
        t.case
    };
    let case = with_child(raise(p, &practitioner(), "2026-11-02T09:00:00Z"));
    let case = keep(
        case.respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-11-04T10:00:00Z"),
        )
        .unwrap(),
    );
    let case = keep(
        case.escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-11-05T10:00:00Z"),
        )
        .unwrap(),
    );
    let case = keep(
        case.respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-11-09T10:00:00Z"),
        )
        .unwrap(),
    );
    let case = keep(
        case.escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-11-10T10:00:00Z"),
        )
        .unwrap(),
    );
    assert_eq!(case.stage.as_str(), "stage-3");
    (case, events)
}

fn stage_3_values() -> BTreeMap<String, Plain> {
    values(&[
        ("date-of-stage-3-alert", t("2026-11-10")),
        ("from", t("Sam Manager")),
        ("from-service", t("Example Primary School")),
        ("to", t("Assistant Director, Children's Services")),
        ("to-service", t("Children's Social Care")),
        ("child-name", t(CHILD)),
        ("child-date-of-birth", t("2015-06-01")),
        ("practitioner", t("Pat Teacher")),
        ("practitioner-service", t("Example Primary School")),
        ("line-manager", t("Sam Manager")),
        ("stage-1-date-raised", t("2026-11-02")),
        ("stage-1-managers", t("Meg Manager")),
        ("stage-2-date-raised", t("2026-11-05")),
        ("stage-2-name", t("Meg Manager")),
        ("stage-3-remaining-concerns", t("No assessment yet")),
        (
            "stage-3-requested-action",
            t("Open a child and family assessment"),
        ),
        ("form-sent-to-mscp", Plain::Bool(true)),
    ])
}

// "Reason for escalation (please tick)" with a ☐ before each reason — Moray, Appendix 2:
// several may be ticked.
#[test]
fn a_tick_list_takes_several_of_its_options_and_nothing_else() {
    let catalogue = catalogue();
    let record = form(catalogue.get("moray").unwrap(), "escalation-record");
    let reasons = record.field("reason-for-escalation").unwrap();
    assert_eq!(reasons.kind, FieldKind::Choices);
    let both = Plain::List(reasons.options.iter().map(|o| t(o)).collect());
    let parsed = record
        .parse_values(&values(&[
            ("escalating-agency", t("School")),
            ("child-name", t(CHILD)),
            ("reason-for-escalation", both),
            ("summary-of-issue", t("Background")),
            ("previous-attempts", t("A discussion")),
            ("stage-1-outcome", t("Resolution")),
            ("stage-1-date", t("2026-11-20")),
        ]))
        .unwrap();
    assert!(matches!(
        parsed.get("reason-for-escalation"),
        Some(FieldValue::Choices(chosen)) if chosen.len() == 2
    ));
    assert_eq!(
        parsed.get("stage-1-date"),
        Some(&FieldValue::Date("2026-11-20".parse().unwrap()))
    );
}

// "Actions taken by your agency following resolution of this issue: Action(s): By whom: Date
// completed:" — Sefton, Report to SSCP (Appendix 2): a table of rows.
#[test]
fn rows_hold_typed_columns_and_every_problem_is_named_at_once() {
    let catalogue = catalogue();
    let report_form = form(catalogue.get("sefton").unwrap(), "report-to-sscp");
    let good = values(&[
        ("child-name", t(CHILD)),
        ("escalating-professional", t("Pat Teacher, pat@example.org")),
        ("role-and-agency", t("Teacher, Example Primary School")),
        ("level-of-need", t("S47")),
        ("details-of-disagreement", t("Threshold")),
        ("date-of-discussion", t("2026-11-20")),
        ("actions-taken", t("Heads of service met")),
        ("resolved-at-level-3", Plain::Bool(true)),
        (
            "agency-actions",
            Plain::List(vec![
                row(&[
                    ("action", "Staff briefing"),
                    ("by-whom", "DSL"),
                    ("date-completed", "2026-12-01"),
                ]),
                row(&[("action", "Update the threshold guide")]),
            ]),
        ),
        ("completed-by", t("Pat Teacher / Teacher")),
        ("date-completed", t("2026-12-02")),
    ]);
    let parsed = report_form.parse_values(&good).unwrap();
    let Some(FieldValue::Rows(rows)) = parsed.get("agency-actions") else {
        panic!("rows expected: {parsed:?}");
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].get(&FieldId::parse("date-completed").unwrap()),
        Some(&FieldValue::Date("2026-12-01".parse().unwrap()))
    );

    let mut bad = good.clone();
    bad.remove("child-name");
    bad.insert("level-of-need".into(), t("S18"));
    bad.insert("date-of-discussion".into(), t("20/11/2026"));
    bad.insert("resolved-at-level-3".into(), t("Y"));
    bad.insert("favourite-colour".into(), t("blue"));
    bad.insert("details-of-disagreement".into(), t(&"x".repeat(10_001)));
    bad.insert(
        "agency-actions".into(),
        Plain::List(vec![
            row(&[
                ("by-whom", "DSL"),
                ("date-completed", "tomorrow"),
                ("cost", "£5"),
            ]),
            t("not a row"),
        ]),
    );
    let problems = report_form.parse_values(&bad).unwrap_err();
    let at: Vec<&str> = problems
        .iter()
        .map(|p: &FormProblem| p.at.as_str())
        .collect();
    assert_eq!(
        at,
        [
            "favourite-colour",
            "child-name",
            "level-of-need",
            "details-of-disagreement",
            "date-of-discussion",
            "resolved-at-level-3",
            "agency-actions[0].cost",
            "agency-actions[0].action",
            "agency-actions[0].date-completed",
            "agency-actions[1]",
        ]
    );
    assert!(
        problems[2].message.contains("`S18` is not an option"),
        "{problems:?}"
    );
}

// "Stage One – Service Manager: Date escalation raised / Name of manager (s) / Date response
// received" — Medway, Appendix One: the form repeats what the case already knows.
#[test]
fn the_stage_3_form_is_prefilled_from_the_case() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let (case, _) = medway_at_stage_3();
    let f = form(p, "stage-3-escalation-form");
    let filled = case.prefill(p, f, &config(), at("2026-11-11T12:00:00Z"));
    let get = |id: &str| filled.get(&FieldId::parse(id).unwrap()).cloned();
    let date = |s: &str| Some(FieldValue::Date(s.parse().unwrap()));
    let words = |s: &str| Some(FieldValue::Text(s.to_owned()));
    assert_eq!(get("date-of-stage-3-alert"), date("2026-11-10"));
    assert_eq!(get("from-service"), words("Example Primary School"));
    assert_eq!(get("to-service"), words("Children's Social Care"));
    assert_eq!(get("child-name"), words(CHILD));
    assert_eq!(get("child-date-of-birth"), date("2015-06-01"));
    assert_eq!(get("practitioner"), words("Pat Teacher"));
    assert_eq!(get("stage-1-date-raised"), date("2026-11-02"));
    assert_eq!(get("stage-1-managers"), words("Meg Manager"));
    assert_eq!(get("stage-1-date-response-received"), date("2026-11-04"));
    assert_eq!(get("stage-2-date-raised"), date("2026-11-05"));
    assert_eq!(get("stage-2-date-response-received"), date("2026-11-09"));
    // Not known yet: stage 3 has no response.
    assert_eq!(get("date-of-response"), None);
    assert_eq!(get("stage-3-name"), None);
}

#[test]
fn recording_keeps_history_per_stage_and_the_chronology_only_ids() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let (case, _) = medway_at_stage_3();
    let id = form_id("stage-3-escalation-form");
    let first = case
        .record_form(
            p,
            &school_manager(),
            &id,
            &stage_3_values(),
            at("2026-11-10T11:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        first.events.iter().map(|e| &e.kind).collect::<Vec<_>>(),
        [&EventKind::FormRecorded {
            stage: StageId::parse("stage-3").unwrap(),
            form: id.clone(),
        }]
    );
    let mut again = stage_3_values();
    again.insert(
        "stage-3-requested-action".into(),
        t("A strategy discussion"),
    );
    let second = first
        .case
        .record_form(
            p,
            &social_care_manager(),
            &id,
            &again,
            at("2026-11-11T11:00:00Z"),
        )
        .unwrap();
    let case = second.case;
    assert_eq!(case.forms.len(), 2, "history kept");
    let current = case.current_forms();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].by.as_str(), "meg");
    assert_eq!(
        current[0].values.get("stage-3-requested-action"),
        Some(&FieldValue::Text("A strategy discussion".into()))
    );
    assert_eq!(current[0].version, case.version);

    // Personal values stay out of the chronology, the list entry and the report.
    let events = serde_json::to_string(&[first.events, second.events].concat()).unwrap();
    assert!(
        !events.contains(CHILD) && !events.contains("strategy"),
        "{events}"
    );
    let summary = serde_json::to_string(&CaseSummary::of(&case)).unwrap();
    assert!(!summary.contains(CHILD), "{summary}");
    let r = report(
        std::slice::from_ref(&case),
        &catalogue,
        &Calendar::new(p.division),
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        at("2026-11-12T00:00:00Z"),
    );
    let json = serde_json::to_string(&r).unwrap();
    let csv = r.to_csv();
    for leak in [CHILD, "A strategy discussion", "Open a child and family"] {
        assert!(
            !json.contains(leak) && !csv.contains(leak),
            "{leak} in the report"
        );
    }
    // The stored case reads back with its forms.
    let stored: Case = serde_json::from_str(&serde_json::to_string(&case).unwrap()).unwrap();
    assert_eq!(stored, case);
}

#[test]
fn a_form_is_recorded_only_at_a_stage_that_uses_it_by_someone_on_a_side() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let id = form_id("stage-3-escalation-form");
    let stage_1 = with_child(raise(p, &practitioner(), "2026-11-02T09:00:00Z"));
    assert!(matches!(
        stage_1.record_form(
            p,
            &practitioner(),
            &id,
            &stage_3_values(),
            at("2026-11-02T10:00:00Z")
        ),
        Err(Refused::FormNotAtStage { .. })
    ));
    let (case, _) = medway_at_stage_3();
    assert!(matches!(
        case.record_form(
            p,
            &practitioner(),
            &form_id("no-such-form"),
            &stage_3_values(),
            at("2026-11-10T11:00:00Z")
        ),
        Err(Refused::NoSuchForm { .. })
    ));
    let outsider = common::actor("hal", "health", escalations_core::case::Role::Practitioner);
    assert!(matches!(
        case.record_form(
            p,
            &outsider,
            &id,
            &stage_3_values(),
            at("2026-11-10T11:00:00Z")
        ),
        Err(Refused::NotYourMove { .. })
    ));
    let mut missing = stage_3_values();
    missing.remove("from");
    let Err(Refused::FormInvalid { problems }) = case.record_form(
        p,
        &social_worker(),
        &id,
        &missing,
        at("2026-11-10T11:00:00Z"),
    ) else {
        panic!("a required field is missing");
    };
    assert_eq!(problems[0].at, "from");
    let closed = case
        .resolve(
            p,
            &chair(),
            common::resolution(),
            at("2026-11-12T09:00:00Z"),
        )
        .unwrap()
        .case;
    assert!(matches!(
        closed.record_form(
            p,
            &school_manager(),
            &id,
            &stage_3_values(),
            at("2026-11-12T10:00:00Z")
        ),
        Err(Refused::Closed { .. })
    ));
}

// "Monitoring: For completion by Sefton SCP — Date received: / Outcome: / Issues notified to
// Sefton SCP Performance, Quality Assurance & Data Sub Group:" — Sefton, Report to SSCP.
#[test]
fn the_monitoring_box_is_the_partnerships_and_is_filled_after_closure() {
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(p.division);
    let f = form(p, "report-to-sscp");
    assert!(f.filled_after_closure_by(Party::Partnership));
    let case = with_child(raise(p, &practitioner(), "2026-11-02T09:00:00Z"));
    let mut case = case;
    for (by, when) in [
        ("receiving", "2026-11-03T09:00:00Z"),
        ("raising", "2026-11-03T10:00:00Z"),
    ]
    .into_iter()
    .cycle()
    .take(4)
    {
        case = if by == "receiving" {
            case.respond(p, &cal, &social_care_manager(), not_resolved(), at(when))
        } else {
            case.escalate(p, &cal, &school_manager(), escalation(), at(when))
        }
        .unwrap()
        .case;
    }
    assert_eq!(case.stage.as_str(), "step-3");
    let report_values = common::report_to_sscp_values(CHILD);
    let id = form_id("report-to-sscp");
    let mut with_monitoring = report_values.clone();
    with_monitoring.insert("monitoring-date-received".into(), t("2026-11-05"));
    let Err(Refused::FormInvalid { problems }) = case.record_form(
        p,
        &school_manager(),
        &id,
        &with_monitoring,
        at("2026-11-04T09:00:00Z"),
    ) else {
        panic!("the school cannot fill the SSCP's box");
    };
    assert_eq!(problems[0].at, "monitoring-date-received");
    let case = case
        .record_form(
            p,
            &school_manager(),
            &id,
            &report_values,
            at("2026-11-04T09:00:00Z"),
        )
        .unwrap()
        .case;
    let closed = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
            Outcome::Resolved {
                summary: text("Assessment opened"),
                agreed_actions: vec![],
            },
            at("2026-11-04T10:00:00Z"),
        )
        .unwrap()
        .case
        .resolve(
            p,
            &chair(),
            common::resolution(),
            at("2026-11-04T11:00:00Z"),
        )
        .unwrap()
        .case;
    let monitored = closed
        .record_form(
            p,
            &chair(),
            &id,
            &with_monitoring,
            at("2026-11-05T09:00:00Z"),
        )
        .unwrap()
        .case;
    // The school records again after closure: refused; its own fields do not drop the box.
    assert!(matches!(
        monitored.record_form(
            p,
            &school_manager(),
            &id,
            &report_values,
            at("2026-11-06T09:00:00Z")
        ),
        Err(Refused::Closed { .. })
    ));
    let current = monitored
        .form_record(&StageId::parse("step-3").unwrap(), &id)
        .unwrap();
    assert_eq!(
        current.values.get("monitoring-date-received"),
        Some(&FieldValue::Date("2026-11-05".parse().unwrap()))
    );
}

/// Each shipped form's fields, in order, with the document's words for each.
fn assert_fields(procedure: &str, form_id: &str, expected: &[(&str, FieldKind, &str)]) {
    let catalogue = catalogue();
    let f = form(catalogue.get(procedure).unwrap(), form_id);
    let got: Vec<(&str, FieldKind)> = f.fields.iter().map(|f| (f.id.as_str(), f.kind)).collect();
    let want: Vec<(&str, FieldKind)> = expected.iter().map(|(id, k, _)| (*id, *k)).collect();
    assert_eq!(got, want, "{procedure}/{form_id}");
    for (id, _, words) in expected {
        let label = &f.field(id).unwrap().label;
        // The label keeps the document's heading (its last part, after any section prefix).
        let heading = words.rsplit(": ").next().unwrap().trim_end_matches(':');
        assert!(
            label.to_lowercase().contains(&heading.to_lowercase()),
            "{procedure}/{form_id}/{id}: label {label:?} should carry the document's {words:?}"
        );
    }
}

use FieldKind::{Choice, Choices, Date, LongText, Rows, Text, YesNo};

#[test]
fn medway_appendix_one_stage_3_escalation_form() {
    assert_fields(
        "medway",
        "stage-3-escalation-form",
        &[
            ("date-of-stage-3-alert", Date, "Date of stage 3 alert:"),
            ("from", Text, "From:"),
            ("from-service", Text, "Service:"),
            ("to", Text, "To:"),
            ("to-service", Text, "Service:"),
            ("child-name", Text, "Name of Child (if applicable):"),
            ("child-date-of-birth", Date, "DOB (if applicable):"),
            ("practitioner", Text, "Practitioner:"),
            ("practitioner-service", Text, "Service:"),
            ("line-manager", Text, "Line Manager:"),
            ("stage-1-date-raised", Date, "Date escalation raised:"),
            ("stage-1-managers", Text, "Stage One – Service Manager"),
            (
                "stage-1-date-response-received",
                Date,
                "Date response received:",
            ),
            ("stage-2-date-raised", Date, "Date escalation raised:"),
            ("stage-2-name", Text, "Name of DSL / Head of Service"),
            (
                "stage-2-date-response-received",
                Date,
                "Date response received:",
            ),
            (
                "stage-3-remaining-concerns",
                LongText,
                "Summary of concern(s) remaining from Stage 2:",
            ),
            ("stage-3-requested-action", LongText, "Requested action:"),
            ("stage-3-name", Text, "Name of Assistant Director"),
            ("stage-3-response", LongText, "Response:"),
            ("resolution-of-alert", LongText, "Resolution of alert"),
            ("date-of-response", Date, "Date of response"),
            ("form-sent-to-mscp", YesNo, "Form sent to MSCP"),
            ("date-sent", Date, "Date sent"),
            ("stage-4-remaining-concerns", LongText, "Stage four – MSCP"),
        ],
    );
}

#[test]
fn medway_appendix_three_practice_alert_template() {
    assert_fields(
        "medway-ppa",
        "partnership-practice-alert",
        &[
            ("informer", Text, "Name of informer and title"),
            ("service", Text, "Service"),
            ("contact-details", Text, "Contact details"),
            ("date-of-alert", Date, "Date of Partnership Practice Alert"),
            (
                "summary-of-what-happened",
                LongText,
                "Summary of what happened",
            ),
            (
                "measures-already-taken",
                LongText,
                "What measures have already been taken",
            ),
            (
                "contributory-causes",
                LongText,
                "Summary of contributory causes",
            ),
            (
                "good-practice",
                LongText,
                "Identified areas of good practice",
            ),
            (
                "prevent-recurrence",
                LongText,
                "Action taken or recommended to prevent a recurrence",
            ),
        ],
    );
}

#[test]
fn sefton_appendix_1_agency_escalation_summary_log() {
    // "Respective Managers should record cases escalated using the Agency Escalation Summary
    // Log (Appendix 1)", "with a mutually agreed plan of action including timescales".
    assert_fields(
        "sefton",
        "agency-escalation-summary-log",
        &[
            ("date-of-discussion", Date, "manager to manager discussion"),
            ("managers-involved", LongText, "Managers involved"),
            (
                "agreed-plan",
                LongText,
                "Mutually agreed plan of action, including timescales",
            ),
        ],
    );
}

#[test]
fn sefton_appendix_2_report_to_sscp_with_its_monitoring_box() {
    assert_fields(
        "sefton",
        "report-to-sscp",
        &[
            ("child-name", Text, "Name of Child / Young Person"),
            ("child-date-of-birth", Date, "Date of Birth"),
            ("child-address", LongText, "Address"),
            (
                "escalating-professional",
                Text,
                "Name & Email of Professional Escalating Concern:",
            ),
            ("role-and-agency", Text, "Role & Agency:"),
            ("other-professionals", Rows, "Other professionals involved"),
            ("level-of-need", Choice, "Level of Need:"),
            (
                "details-of-disagreement",
                LongText,
                "Details of inter-agency disagreement:",
            ),
            (
                "date-of-discussion",
                Date,
                "Date of discussion / Meeting re Disagreement:",
            ),
            (
                "actions-taken",
                LongText,
                "Actions taken to attempt resolution:",
            ),
            (
                "resolved-at-level-3",
                YesNo,
                "Disagreement resolved at: Level 3:",
            ),
            ("resolved-at-level-4", YesNo, "Level 4:"),
            ("referred-to-slt", YesNo, "Referred to SLT"),
            (
                "lessons-learned",
                LongText,
                "lessons learned from this disagreement resolution",
            ),
            (
                "agency-actions",
                Rows,
                "Actions taken by your agency following resolution of this issue:",
            ),
            (
                "completed-by",
                Text,
                "Form Completed by: (Name / Designation):",
            ),
            ("date-completed", Date, "Date:"),
            (
                "monitoring-date-received",
                Date,
                "Monitoring: For completion by Sefton SCP: Date received:",
            ),
            (
                "monitoring-outcome",
                LongText,
                "Issues notified to Sefton SCP Performance, Quality Assurance & Data Sub Group:",
            ),
        ],
    );
    let catalogue = catalogue();
    let f = form(catalogue.get("sefton").unwrap(), "report-to-sscp");
    let columns = |id: &str| -> Vec<String> {
        f.field(id)
            .unwrap()
            .columns
            .iter()
            .map(|c| c.label.clone())
            .collect()
    };
    // "Name / Role / Agency:"
    assert_eq!(columns("other-professionals"), ["Name", "Role", "Agency"]);
    // "Action(s): By whom: Date completed:"
    assert_eq!(
        columns("agency-actions"),
        ["Action(s)", "By whom", "Date completed"]
    );
}

#[test]
fn moray_appendix_2_escalation_record() {
    let outcome = "Outcome";
    assert_fields(
        "moray",
        "escalation-record",
        &[
            ("escalating-agency", Text, "Escalating agency"),
            ("child-name", Text, "Child's name:"),
            (
                "reason-for-escalation",
                Choices,
                "Reason for escalation (please tick)",
            ),
            ("summary-of-issue", LongText, "Summary of issue/concern"),
            (
                "previous-attempts",
                LongText,
                "Previous attempts at resolution at initial level",
            ),
            ("stage-1-outcome", Choice, outcome),
            ("stage-1-date", Date, "Date"),
            ("stage-1-details", LongText, "rationale for decision"),
            ("stage-2-outcome", Choice, outcome),
            ("stage-2-date", Date, "Date"),
            ("stage-2-details", LongText, "rationale for decision"),
            ("stage-3-outcome", Choice, outcome),
            ("stage-3-date", Date, "Date"),
            ("stage-3-details", LongText, "rationale for decision"),
            ("stage-4-outcome", Choice, outcome),
            ("stage-4-date", Date, "Date"),
            ("stage-4-details", LongText, "rationale for decision"),
            (
                "stage-5-decision",
                LongText,
                "Chief Social Work Officer decision",
            ),
            ("stage-5-date", Date, "Date"),
        ],
    );
}

#[test]
fn sscp_mset_appendices_1_to_4() {
    let appendix_1 = [
        ("child-name", Text, "Name of Child"),
        ("child-date-of-birth", Date, "DOB"),
        ("date-of-escalation", Date, "Date of escalation"),
        ("reason-for-escalation", LongText, "Reason for escalation"),
        ("concerns-for-child", LongText, "Concerns for child"),
        ("required-outcome", LongText, "Required outcome"),
        ("actual-outcome", LongText, "Actual outcome"),
        ("escalated-by", Text, "Name, designation & contact details"),
        ("action-taken", LongText, "Action taken"),
        ("response-timescale", Text, "Response timescale"),
        ("responded-by", Text, "Name, designation & contact details"),
        ("date-of-response", Date, "Date of response"),
    ];
    let appendix_2 = [
        ("child-name", Text, "Name of Child"),
        ("child-date-of-birth", Date, "DOB"),
        ("date-concern-received", Date, "Date concern received"),
        ("date-response-provided", Date, "Date response provided"),
        ("concern-identified", LongText, "Concern Identified"),
        ("agency-response", LongText, "Agency Response"),
        ("date-of-response", Date, "Date of response"),
        ("responded-by", Text, "Name, designation & contact details"),
        ("chair-response", LongText, "MSET Chair response"),
        ("outcome", LongText, "Outcome"),
    ];
    let appendix_3 = [
        ("child-name", Text, "Name of Child"),
        ("child-date-of-birth", Date, "DOB"),
        ("date-concern-received", Date, "Date concern received"),
        ("date-response-provided", Date, "Date response provided"),
        ("concern-identified", LongText, "Concern Identified"),
        ("agency-response", LongText, "Agency Response"),
        (
            "chair-response",
            LongText,
            "MSET Operational Group Chair response",
        ),
        ("date-response-considered", Date, "Date response considered"),
        ("outcome", LongText, "Outcome"),
    ];
    let appendix_4 = [
        ("child-name", Text, "Name of Child"),
        ("child-date-of-birth", Date, "DOB"),
        ("date-escalation-received", Date, "Date escalation received"),
        ("date-response-provided", Date, "Date response provided"),
        ("concern-identified", LongText, "Concern Identified"),
        ("sscp-response", LongText, "SSCP Response"),
        (
            "chair-response",
            LongText,
            "MSET Operational Group Chair response",
        ),
        ("outcome", LongText, "Outcome"),
    ];
    assert_fields("sscp-mset", "escalation-proforma", &appendix_1);
    assert_fields("sscp-mset", "strategic-manager-proforma", &appendix_2);
    assert_fields("sscp-mset", "director-proforma", &appendix_3);
    assert_fields("sscp-mset", "sscp-proforma", &appendix_4);
    assert_fields(
        "sscp-mset-non-attendance",
        "escalation-proforma",
        &appendix_1,
    );
    assert_fields(
        "sscp-mset-non-attendance",
        "resolution-proforma",
        &appendix_2,
    );
    assert_fields(
        "sscp-mset-non-attendance",
        "strategic-proforma",
        &appendix_3,
    );
    assert_fields("sscp-mset-non-attendance", "sscp-proforma", &appendix_4);
}

/// The MSET document is marked "RESTRICTED" above its title ("High support, high challenge …;
/// RESTRICTED / SSCP Missing, Sexually Exploited and Trafficked (MSET) Operational Group /
/// Escalation Process"), so its pro-formas (Appendices 1–4) print the marking; no other
/// document marks its forms.
#[test]
fn msets_pro_formas_are_marked_restricted_as_the_document_is_and_no_other_form_is() {
    let catalogue = catalogue();
    let mut marked = 0;
    for procedure in catalogue.iter() {
        for form in &procedure.forms {
            let mset = procedure.id.as_str().starts_with("sscp-mset");
            let expected = mset.then_some("RESTRICTED");
            assert_eq!(
                form.marking.as_deref(),
                expected,
                "{}/{}",
                procedure.id,
                form.id
            );
            marked += usize::from(mset);
        }
    }
    assert_eq!(marked, 8, "MSET's Appendices 1–4 on both routes");
    let mset = include_str!("../procedures/sscp-mset.toml");
    let e = escalations_core::procedure::load(
        "sscp-mset.toml",
        &mset.replacen(r#"marking = "RESTRICTED""#, r#"marking = " RESTRICTED""#, 1),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("sscp-mset.toml:") && e.contains("a marking is one short line"),
        "{e}"
    );
}

#[test]
fn bad_columns_and_prefills_are_named_with_file_line_and_column() {
    let sefton = include_str!("../procedures/sefton.toml");
    let error = |from: &str, to: &str| {
        assert!(sefton.contains(from), "{from}");
        escalations_core::procedure::load("sefton.toml", &sefton.replacen(from, to, 1))
            .unwrap_err()
            .to_string()
    };
    let e = error(
        r#"prefill = "child-name""#,
        r#"prefill = "child-shoe-size""#,
    );
    assert!(
        e.starts_with("sefton.toml:") && e.contains("unknown prefill `child-shoe-size`"),
        "{e}"
    );
    let e = error(
        r#"prefill = "child-name""#,
        r#"prefill = "stage-entered:step-9""#,
    );
    assert!(e.contains("unknown stage `step-9`"), "{e}");
    let e = error(
        r#"prefill = "child-date-of-birth""#,
        r#"prefill = "raised-by""#,
    );
    assert!(e.contains("cannot fill a `date` field"), "{e}");
    let e = error(
        "id = \"by-whom\"\nlabel = \"By whom\"\nkind = \"text\"",
        "id = \"by-whom\"\nlabel = \"By whom\"\nkind = \"rows\"",
    );
    assert!(e.contains("a column holds one value"), "{e}");
    let e = error(
        "kind = \"rows\"\n\n[[forms.fields.columns]]\nid = \"name\"",
        "kind = \"long-text\"\n\n[[forms.fields.columns]]\nid = \"name\"",
    );
    assert!(e.contains("only a `rows` field may have them"), "{e}");
}

#[test]
fn a_value_reads_and_writes_as_json_spells_it() {
    let sent: BTreeMap<String, Plain> = serde_json::from_str(
        r#"{"a": null, "b": true, "c": 5, "d": "x", "e": ["y"], "f": [{"g": "2026-01-01"}]}"#,
    )
    .unwrap();
    assert_eq!(sent["a"], Plain::Null);
    assert_eq!(sent["b"], Plain::Bool(true));
    assert!(matches!(sent["c"], Plain::Number(_)));
    assert_eq!(sent["e"], Plain::List(vec![t("y")]));
    assert!(matches!(&sent["f"], Plain::List(rows) if matches!(&rows[0], Plain::Object(_))));
    assert_eq!(
        serde_json::to_string(&sent).unwrap(),
        r#"{"a":null,"b":true,"c":5,"d":"x","e":["y"],"f":[{"g":"2026-01-01"}]}"#
    );
    // A blank or null value is no value: a required one is named as missing.
    let catalogue = catalogue();
    let alert = form(
        catalogue.get("medway-ppa").unwrap(),
        "partnership-practice-alert",
    );
    let problems = alert
        .parse_values(&values(&[("informer", Plain::Null), ("service", t("  "))]))
        .unwrap_err();
    assert_eq!(problems[0].at, "informer");
    assert_eq!(problems[1].at, "service");
}

#[test]
fn a_tick_list_needs_options_and_a_column_holds_no_personal_data() {
    let moray = include_str!("../procedures/moray.toml");
    let sefton = include_str!("../procedures/sefton.toml");
    let load = |file: &str, text: String| {
        escalations_core::procedure::load(file, &text)
            .unwrap_err()
            .to_string()
    };
    let e = load(
        "moray.toml",
        moray.replacen("kind = \"choices\"", "kind = \"long-text\"", 1),
    );
    assert!(
        e.starts_with("moray.toml:") && e.contains("needs `options`, and only those may have them"),
        "{e}"
    );
    let e = load(
        "sefton.toml",
        sefton.replacen(
            "id = \"by-whom\"\nlabel = \"By whom\"\nkind = \"text\"",
            "id = \"by-whom\"\nlabel = \"By whom\"\nkind = \"text\"\npersonal = true",
            1,
        ),
    );
    assert!(e.contains("belong to the field, not to one of"), "{e}");
    let e = load(
        "sefton.toml",
        sefton.replacen(
            "id = \"child-address\"",
            "id = \"child-address\"\nafter_closure = true",
            1,
        ),
    );
    assert!(e.contains("give that side as `filled_by`"), "{e}");
}

// "Section 1 – Stage 1 – To immediate Line Manager … Section 2 – Stage 2 – Immediate Response
// from Line Manager required within 5 working days: Action taken / Response timescale / Name,
// designation & contact details / Date of response" — SSCP MSET, Appendix 1.
#[test]
fn mset_section_2_is_the_line_managers_and_section_1_carries_forward() {
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset").unwrap();
    let cal = Calendar::new(p.division);
    let id = form_id("escalation-proforma");
    let case = with_child(raise(p, &chair(), "2026-11-02T09:00:00Z"));
    assert_eq!(case.stage.as_str(), "submission");
    let section_1 = values(&[
        ("child-name", t(CHILD)),
        ("date-of-escalation", t("2026-11-02")),
        ("reason-for-escalation", t("No strategy discussion")),
        ("concerns-for-child", t("Missing from home")),
        ("required-outcome", t("A strategy discussion")),
        ("escalated-by", t("MSET Chair")),
    ]);
    let mut with_section_2 = section_1.clone();
    with_section_2.insert("action-taken".into(), t("Strategy meeting held"));
    let Err(Refused::FormInvalid { problems }) = case.record_form(
        p,
        &chair(),
        &id,
        &with_section_2,
        at("2026-11-02T10:00:00Z"),
    ) else {
        panic!("Section 2 is the line manager's");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].at, "action-taken");
    let case = case
        .record_form(p, &chair(), &id, &section_1, at("2026-11-02T10:00:00Z"))
        .unwrap()
        .case;
    let case = case
        .escalate(p, &cal, &chair(), escalation(), at("2026-11-02T11:00:00Z"))
        .unwrap()
        .case;
    assert_eq!(case.stage.as_str(), "level-1");
    // The line manager answers Section 2 alone; Section 1 is kept, not required of them.
    let section_2 = values(&[
        ("action-taken", t("Strategy meeting held")),
        ("date-of-response", t("2026-11-04")),
    ]);
    // Sending Section 1 back as read is no attempt to change it; changing it is refused.
    let mut echoed = section_1.clone();
    echoed.extend(section_2.clone());
    echoed.insert("actual-outcome".into(), t(""));
    assert!(
        case.record_form(
            p,
            &social_care_manager(),
            &id,
            &echoed,
            at("2026-11-04T09:00:00Z")
        )
        .is_ok()
    );
    echoed.insert("required-outcome".into(), t("Nothing"));
    let Err(Refused::FormInvalid { problems }) = case.record_form(
        p,
        &social_care_manager(),
        &id,
        &echoed,
        at("2026-11-04T09:00:00Z"),
    ) else {
        panic!("Section 1 is the Chair's");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].at, "required-outcome");
    let case = case
        .record_form(
            p,
            &social_care_manager(),
            &id,
            &section_2,
            at("2026-11-04T09:00:00Z"),
        )
        .unwrap()
        .case;
    let current = case
        .form_record(&StageId::parse("level-1").unwrap(), &id)
        .unwrap();
    assert_eq!(current.by.as_str(), "meg");
    assert_eq!(
        current.values.get("concerns-for-child"),
        Some(&FieldValue::Text("Missing from home".into())),
        "Section 1, the Chair's, kept from the submission"
    );
    assert_eq!(
        current.values.get("action-taken"),
        Some(&FieldValue::Text("Strategy meeting held".into()))
    );
    // Closed, no side fills it any more: only a part marked `after_closure` reopens a form.
    let closed = case
        .withdraw(
            p,
            &chair(),
            text("Raised in error"),
            at("2026-11-05T09:00:00Z"),
        )
        .unwrap()
        .case;
    assert!(matches!(
        closed.record_form(
            p,
            &social_care_manager(),
            &id,
            &section_2,
            at("2026-11-05T10:00:00Z")
        ),
        Err(Refused::Closed { .. })
    ));
}

#[test]
fn every_fact_of_the_vocabulary_prefills() {
    let sefton = include_str!("../procedures/sefton.toml")
        .replacen(
            "prefill = \"child-date-of-birth\"",
            "prefill = \"raised-at\"",
            1,
        )
        .replacen("prefill = \"raised-by\"", "prefill = \"current-stage\"", 1)
        .replacen(
            "id = \"role-and-agency\"",
            "id = \"role-and-agency\"\nprefill = \"raising-agency\"",
            1,
        )
        .replacen(
            "id = \"date-of-discussion\"\nlabel = \"Date of discussion / Meeting",
            "prefill = \"today\"\nid = \"date-of-discussion\"\nlabel = \"Date of discussion / Meeting",
            1,
        );
    let p = escalations_core::procedure::load("sefton.toml", &sefton).unwrap();
    let f = form(&p, "report-to-sscp");
    let case = with_child(raise(&p, &practitioner(), "2026-11-02T09:00:00Z"));
    let filled = case.prefill(&p, f, &config(), at("2026-11-20T12:00:00Z"));
    let get = |id: &str| filled.get(&FieldId::parse(id).unwrap()).cloned();
    assert_eq!(get("child-name"), Some(FieldValue::Text(CHILD.into())));
    assert_eq!(
        get("child-date-of-birth"),
        Some(FieldValue::Date("2026-11-02".parse().unwrap()))
    );
    assert_eq!(
        get("escalating-professional"),
        Some(FieldValue::Text(p.stages[0].name.clone()))
    );
    assert_eq!(
        get("role-and-agency"),
        Some(FieldValue::Text("Example Primary School".into()))
    );
    assert_eq!(
        get("date-of-discussion"),
        Some(FieldValue::Date("2026-11-20".parse().unwrap()))
    );
}
