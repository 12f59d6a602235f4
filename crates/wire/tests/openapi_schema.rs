//! `crates/api/openapi.yaml` describes the wire contract field by field: real values of every
//! wire type (cases from real transitions, every built-in procedure, a real report) validate
//! against their component schema, request bodies the server refuses are rejected by the
//! document too, and every schema is used and none is a placeholder.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use escalations_core::calendar::Division;
use escalations_core::case::{
    Actor, AgreedAction, Case, Child, ClockState, Concern, EscalateRequest, Event, EventKind,
    Outcome, RaiseRequest, ResolveRequest, Role, Transition,
};
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId, StageId, Text};
use escalations_core::procedure::{AgencyKind, Subject};
use escalations_core::{Calendar, Catalogue, Procedure};
use escalations_wire::{
    AgencySummary, AgreedActionBody, CasePage, CaseSummary, CaseView, ChildBody, ClockView,
    ConcernBody, EscalationBody, FieldError, Me, PartnershipSummary, Problem, ProcedureList,
    ProcedureSummary, Queue, QueueItem, RaiseBody, ResolutionBody, ResponseBody, RunningClock,
    SubmissionBody, WithdrawalBody,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Every wire type the document describes (DemoToken and DevClock are the local stack's).
const WIRE_TYPES: &[&str] = &[
    "RaiseBody",
    "ChildBody",
    "ConcernBody",
    "ResponseBody",
    "AgreedActionBody",
    "SubmissionBody",
    "EscalationBody",
    "ResolutionBody",
    "WithdrawalBody",
    "Me",
    "PartnershipSummary",
    "AgencySummary",
    "ProcedureList",
    "ProcedureSummary",
    "CaseView",
    "ClockView",
    "CasePage",
    "CaseSummary",
    "StatusKind",
    "RunningClock",
    "Queue",
    "QueueItem",
    "Problem",
    "FieldError",
    "Procedure",
    "Report",
];

// ---------------------------------------------------------------------------------------
// The document and its validators

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// Validates values against the document's component schemas, remembering which were used.
struct Contract {
    doc: Value,
    validators: RefCell<BTreeMap<String, std::rc::Rc<jsonschema::Validator>>>,
    checked: RefCell<BTreeSet<String>>,
}

impl Contract {
    fn new() -> Self {
        Contract {
            doc: document(),
            validators: RefCell::default(),
            checked: RefCell::default(),
        }
    }

    /// A validator whose root is the whole document, so internal refs resolve.
    fn validator(&self, name: &str) -> std::rc::Rc<jsonschema::Validator> {
        if let Some(v) = self.validators.borrow().get(name) {
            return v.clone();
        }
        assert!(
            self.doc["components"]["schemas"].get(name).is_some(),
            "openapi.yaml has no schema {name}"
        );
        let mut root = self.doc.clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        root["$ref"] = json!(format!("#/components/schemas/{name}"));
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"));
        let validator = std::rc::Rc::new(validator);
        self.validators
            .borrow_mut()
            .insert(name.to_owned(), validator.clone());
        validator
    }

    fn errors(&self, name: &str, json: &Value) -> Vec<String> {
        self.validator(name)
            .iter_errors(json)
            .map(|e| format!("{e} (at `{}`)", e.instance_path()))
            .collect()
    }

    /// The value, serialised as the API serialises it, matches its schema.
    fn accepts<T: Serialize>(&self, name: &str, value: &T) {
        let json = serde_json::to_value(value).unwrap();
        let errors = self.errors(name, &json);
        assert!(
            errors.is_empty(),
            "{name} rejects a real value:\n{}\n{json:#}",
            errors.join("\n")
        );
        self.checked.borrow_mut().insert(name.to_owned());
    }

    /// The document refuses what the server refuses.
    fn rejects(&self, name: &str, json: Value, why: &str) {
        assert!(
            !self.errors(name, &json).is_empty(),
            "{name} accepts {why}: {json}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Real cases, from real transitions

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn actor(person: &str, agency: &str, role: Role) -> Actor {
    Actor {
        person: PersonId::parse(person).unwrap(),
        agency: AgencyId::parse(agency).unwrap(),
        role,
    }
}

fn raiser() -> Actor {
    actor("pat", "school", Role::Practitioner)
}

fn receiver() -> Actor {
    actor("sol", "social-care", Role::Practitioner)
}

fn chair() -> Actor {
    actor("chris", "partnership-unit", Role::Chair)
}

const T0: &str = "2026-11-23T10:00:00Z";

/// A case with its chronology, moved on by the core's transitions.
struct Journey<'p> {
    procedure: &'p Procedure,
    calendar: Calendar,
    case: Case,
    chronology: Vec<Event>,
}

impl<'p> Journey<'p> {
    fn raise(procedure: &'p Procedure, id: &str, with_child: bool, now: DateTime<Utc>) -> Self {
        let calendar = Calendar::new(procedure.division);
        let child = with_child.then(|| Child {
            name: text("Jaydon Example-Smith"),
            date_of_birth: Some("2015-06-01".parse().unwrap()),
            address: Some(text("1 Example Road")),
            child_protection_plan: true,
            in_care: true,
        });
        let request = RaiseRequest {
            receiving_agency: (procedure.subject == Subject::Child)
                .then(|| AgencyId::parse("social-care").unwrap()),
            child,
            concern: Concern {
                summary: text("Referral closed with no assessment despite new disclosures"),
                reasons: procedure
                    .reasons
                    .iter()
                    .take(1)
                    .map(|r| r.id.clone())
                    .collect(),
                level_of_need: procedure.levels_of_need.first().map(|l| l.id.clone()),
                desired_outcome: Some(text("A strategy discussion this week")),
                tried: None,
            },
        };
        let t = Case::raise(
            CaseId::parse(id).unwrap(),
            procedure,
            &calendar,
            &raiser(),
            request,
            now,
        )
        .unwrap();
        Journey {
            procedure,
            calendar,
            case: t.case,
            chronology: t.events,
        }
    }

    fn apply(&mut self, t: Transition) {
        self.case = t.case;
        self.chronology.extend(t.events);
    }

    fn respond(&mut self, by: &Actor, outcome: Outcome, now: DateTime<Utc>) {
        let t = self
            .case
            .respond(self.procedure, &self.calendar, by, outcome, now);
        self.apply(t.unwrap());
    }

    fn escalate(&mut self, to: &str, now: DateTime<Utc>) {
        let request = EscalateRequest {
            to: Some(StageId::parse(to).unwrap()),
            reasons: text("No plan was agreed"),
            tried: Some(text("Called the team manager twice")),
        };
        let t = self
            .case
            .escalate(self.procedure, &self.calendar, &raiser(), request, now);
        self.apply(t.unwrap());
    }

    fn resolve(&mut self, by: &Actor, now: DateTime<Utc>) {
        let request = ResolveRequest {
            outcome: text("An assessment was opened"),
            lessons_learned: text("Share new disclosures with the duty team in writing"),
        };
        let t = self.case.resolve(self.procedure, by, request, now);
        self.apply(t.unwrap());
    }

    fn withdraw(&mut self, now: DateTime<Utc>) {
        let t = self
            .case
            .withdraw(self.procedure, &raiser(), text("Raised in error"), now);
        self.apply(t.unwrap());
    }

    fn record_breaches(&mut self, now: DateTime<Utc>) {
        self.apply(self.case.record_breaches(now).unwrap());
    }

    /// The case as `who` sees it at `now`, as the API builds it.
    fn view(&self, who: &Actor, now: DateTime<Utc>) -> CaseView {
        let stage = self.procedure.stage(self.case.stage.as_str()).unwrap();
        CaseView {
            case: self.case.clone(),
            next_move: self.case.next_move(self.procedure),
            your_sides: self.case.parties_of(who),
            clocks: self
                .case
                .clocks
                .iter()
                .map(|run| ClockView {
                    run: run.clone(),
                    state: run.state(now),
                })
                .collect(),
            inform: self.case.to_inform(stage).into_iter().cloned().collect(),
            chronology: self.chronology.clone(),
            now,
        }
    }

    fn summary(&self) -> CaseSummary {
        let case = &self.case;
        CaseSummary {
            id: case.id.clone(),
            procedure: case.procedure.clone(),
            stage: case.stage.clone(),
            status: case.status.kind(),
            raised_at: case.raised_at,
            updated_at: case.updated_at,
            raising_agency: case.raising_agency.clone(),
            receiving_agency: case.receiving_agency.clone(),
            running: case.running_clock().map(|r| RunningClock {
                stage: r.stage.clone(),
                clock: r.clock.clone(),
                owner: r.owner,
                due: r.due,
            }),
            version: case.version,
        }
    }

    fn queue_item(&self, now: DateTime<Utc>) -> Option<QueueItem> {
        let next = self.case.next_move(self.procedure)?;
        Some(QueueItem {
            case: self.case.id.clone(),
            procedure: self.case.procedure.clone(),
            stage: next.stage,
            actions: next.actions,
            who: next.who,
            task: next.task,
            due: next.due,
            overdue: next.due.is_some_and(|due| now >= due),
            version: self.case.version,
        })
    }
}

fn not_resolved() -> Outcome {
    Outcome::NotResolved {
        reasons: text("The threshold decision stands"),
        agreed_actions: vec![AgreedAction {
            what: text("Share the chronology"),
            by_whom: text("The school's safeguarding lead"),
            by_when: "2026-11-27".parse().unwrap(),
        }],
    }
}

/// Every case the examples use, each moved through the states the document must describe;
/// every view on the way is validated.
fn journeys<'c>(catalogue: &'c Catalogue, contract: &Contract) -> Vec<Journey<'c>> {
    let t0 = at(T0);
    let sefton = catalogue.get("sefton").unwrap();
    let mut views = Vec::new();

    // Raised, not resolved with agreed actions, escalated, breached, escalated past a breached
    // clock, resolved by the receiving side's response, then closed with lessons.
    let mut a = Journey::raise(sefton, "case-a", true, t0);
    views.push(a.view(&raiser(), t0));
    a.respond(&receiver(), not_resolved(), t0 + Duration::hours(1));
    views.push(a.view(&receiver(), t0 + Duration::hours(1)));
    a.escalate("step-2", t0 + Duration::hours(2));
    a.record_breaches(t0 + Duration::days(7));
    views.push(a.view(&raiser(), t0 + Duration::days(7)));
    a.escalate("step-3", t0 + Duration::days(7));
    let resolved = Outcome::Resolved {
        summary: text("An assessment will be opened"),
    };
    a.respond(&receiver(), resolved, t0 + Duration::days(8));
    a.resolve(&raiser(), t0 + Duration::days(9));
    views.push(a.view(&chair(), t0 + Duration::days(9)));

    // Resolved early, with its clock still running (stopped).
    let mut b = Journey::raise(sefton, "case-b", true, t0);
    b.resolve(&raiser(), t0 + Duration::days(2));
    views.push(b.view(&raiser(), t0 + Duration::days(2)));

    // Withdrawn.
    let mut c = Journey::raise(sefton, "case-c", true, t0);
    c.withdraw(t0 + Duration::days(1));
    views.push(c.view(&raiser(), t0 + Duration::days(1)));

    // A Practice Alert: no child, no receiving agency, a stage without clocks; one resolved.
    let ppa = catalogue.get("medway-ppa").unwrap();
    let d = Journey::raise(ppa, "alert-d", false, t0);
    views.push(d.view(&raiser(), t0));
    let mut e = Journey::raise(ppa, "alert-e", false, t0);
    e.resolve(&raiser(), t0 + Duration::days(3));
    views.push(e.view(&raiser(), t0 + Duration::days(3)));

    // Medway informs the conference chair and the IRO (the child has a plan and is in care).
    let medway = catalogue.get("medway").unwrap();
    let f = Journey::raise(medway, "case-f", true, t0);
    let view = f.view(&receiver(), t0);
    assert!(
        !view.inform.is_empty(),
        "medway's first stage informs someone"
    );
    views.push(view);

    for view in &views {
        contract.accepts("CaseView", view);
    }
    let states: BTreeSet<&str> = views
        .iter()
        .flat_map(|v| &v.clocks)
        .map(|c| match c.state {
            ClockState::Running { .. } => "running",
            ClockState::Met { .. } => "met",
            ClockState::Stopped { .. } => "stopped",
        })
        .collect();
    assert_eq!(states.len(), 3, "clock states seen: {states:?}");
    vec![a, b, c, d, e, f]
}

// ---------------------------------------------------------------------------------------
// Every wire type

#[test]
fn real_values_of_every_wire_type_match_their_schema() {
    let contract = Contract::new();
    let catalogue = Catalogue::builtin().unwrap();
    let now = at(T0) + Duration::days(10);

    // Request bodies, as the page sends them.
    let child = ChildBody {
        name: Some("Jaydon Example-Smith".into()),
        date_of_birth: Some("2015-06-01".into()),
        address: Some("1 Example Road".into()),
        child_protection_plan: true,
        in_care: false,
    };
    let concern = ConcernBody {
        summary: Some("Referral closed with no assessment".into()),
        reasons: vec!["handling-of-concerns".into()],
        level_of_need: Some("s17".into()),
        desired_outcome: Some("A strategy discussion".into()),
        tried: Some("Spoke to the social worker".into()),
    };
    contract.accepts("ChildBody", &child);
    contract.accepts("ConcernBody", &concern);
    contract.accepts(
        "RaiseBody",
        &RaiseBody {
            procedure: Some("sefton".into()),
            receiving_agency: Some("social-care".into()),
            child: Some(child),
            concern: Some(concern),
        },
    );
    contract.accepts(
        "RaiseBody",
        &RaiseBody {
            procedure: Some("medway-ppa".into()),
            receiving_agency: None,
            child: None,
            concern: Some(ConcernBody {
                summary: Some("Strategy meetings are held without health".into()),
                ..ConcernBody::default()
            }),
        },
    );
    let action = AgreedActionBody {
        what: Some("Share the chronology".into()),
        by_whom: Some("The safeguarding lead".into()),
        by_when: Some("2026-12-29".into()),
    };
    contract.accepts("AgreedActionBody", &action);
    contract.accepts(
        "ResponseBody",
        &ResponseBody {
            version: Some(3),
            outcome: Some("not-resolved".into()),
            reasons: Some("The threshold decision stands".into()),
            agreed_actions: vec![action],
            ..ResponseBody::default()
        },
    );
    contract.accepts(
        "ResponseBody",
        &ResponseBody {
            version: Some(0),
            outcome: Some("resolved".into()),
            summary: Some("An assessment will be opened".into()),
            ..ResponseBody::default()
        },
    );
    contract.accepts("SubmissionBody", &SubmissionBody { version: Some(1) });
    contract.accepts(
        "EscalationBody",
        &EscalationBody {
            version: Some(2),
            to: Some("step-3".into()),
            reasons: Some("No plan was agreed".into()),
            tried: Some("Called twice".into()),
        },
    );
    contract.accepts(
        "EscalationBody",
        &EscalationBody {
            version: Some(2),
            reasons: Some("No plan was agreed".into()),
            ..EscalationBody::default()
        },
    );
    contract.accepts(
        "ResolutionBody",
        &ResolutionBody {
            version: Some(7),
            outcome: Some("An assessment was opened".into()),
            lessons_learned: Some("Write it down".into()),
        },
    );
    contract.accepts(
        "WithdrawalBody",
        &WithdrawalBody {
            version: Some(1),
            reason: Some("Raised in error".into()),
        },
    );

    // Who am I.
    let agencies = vec![
        AgencySummary {
            id: AgencyId::parse("school").unwrap(),
            name: "Example Primary School".into(),
            kind: AgencyKind::Education,
        },
        AgencySummary {
            id: AgencyId::parse("social-care").unwrap(),
            name: "Children's Social Care".into(),
            kind: AgencyKind::SocialWork,
        },
    ];
    for agency in &agencies {
        contract.accepts("AgencySummary", agency);
    }
    let partnership = PartnershipSummary {
        id: PartnershipId::parse("sefton").unwrap(),
        name: "Sefton Safeguarding Children Partnership".into(),
        division: Division::EnglandAndWales,
        closure_days: vec![NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()],
        agencies,
    };
    contract.accepts("PartnershipSummary", &partnership);
    for (name, role) in [
        (Some("Pat Example".to_owned()), Role::Practitioner),
        (None, Role::Administrator),
    ] {
        contract.accepts(
            "Me",
            &Me {
                person: PersonId::parse("pat").unwrap(),
                name,
                agency: AgencyId::parse("school").unwrap(),
                role,
                partnership: partnership.clone(),
            },
        );
    }

    // Every built-in procedure, whole and summarised.
    let mut summaries = Vec::new();
    for procedure in catalogue.iter() {
        contract.accepts("Procedure", procedure);
        let summary = ProcedureSummary {
            id: procedure.id.clone(),
            name: procedure.name.clone(),
            subject: procedure.subject,
        };
        contract.accepts("ProcedureSummary", &summary);
        summaries.push(summary);
    }
    contract.accepts("ProcedureList", &ProcedureList { items: summaries });

    // Cases, from real transitions, and the lists and queue built from them.
    let journeys = journeys(&catalogue, &contract);
    let kinds: BTreeSet<&str> = journeys
        .iter()
        .flat_map(|j| &j.chronology)
        .map(|e| event_kind(&e.kind))
        .collect();
    let submitted = Event {
        case: CaseId::parse("case-a").unwrap(),
        version: 9,
        seq: 0,
        at: now,
        by: Some(PersonId::parse("chris").unwrap()),
        kind: EventKind::Submitted {
            stage: StageId::parse("level-2").unwrap(),
        },
    };
    assert_eq!(
        kinds.len() + 1,
        10,
        "the journeys show every kind of event but `submitted`: {kinds:?}"
    );
    let mut with_submission = journeys[0].view(&chair(), now);
    with_submission.chronology.push(submitted);
    contract.accepts("CaseView", &with_submission);
    for journey in &journeys {
        for clock in &journey.view(&raiser(), now).clocks {
            contract.accepts("ClockView", clock);
        }
    }

    let summaries: Vec<CaseSummary> = journeys.iter().map(Journey::summary).collect();
    for summary in &summaries {
        contract.accepts("CaseSummary", summary);
        contract.accepts("StatusKind", &summary.status);
        if let Some(running) = &summary.running {
            contract.accepts("RunningClock", running);
        }
    }
    contract.accepts(
        "CasePage",
        &CasePage {
            items: summaries[..2].to_vec(),
            next: Some("eyJrIjoiY2FzZS1iIn0".into()),
        },
    );
    contract.accepts(
        "CasePage",
        &CasePage {
            items: summaries,
            next: None,
        },
    );
    let items: Vec<QueueItem> = journeys.iter().filter_map(|j| j.queue_item(now)).collect();
    assert!(items.iter().any(|i| i.due.is_none()) && items.iter().any(|i| i.due.is_some()));
    for item in &items {
        contract.accepts("QueueItem", item);
    }
    contract.accepts("Queue", &Queue { items, now });

    // The report over those cases: a median of two resolutions (9 and 2 days) ends in .5.
    let cases: Vec<Case> = journeys.iter().map(|j| j.case.clone()).collect();
    let report = escalations_core::report::report(
        &cases,
        &catalogue,
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        now,
    );
    assert_eq!(report.resolution_times.median_days, Some(5.5));
    assert_eq!(report.practice_alerts.len(), 2);
    contract.accepts("Report", &report);
    let empty = escalations_core::report::report(
        &[],
        &catalogue,
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        now,
    );
    contract.accepts("Report", &empty);

    // Problems.
    let errors = vec![FieldError {
        field: "concern.summary".into(),
        message: "is empty: write something here".into(),
    }];
    contract.accepts("FieldError", &errors[0]);
    contract.accepts(
        "Problem",
        &Problem {
            kind: "https://escalations.invalid/problems/invalid-request".into(),
            title: "Bad Request".into(),
            status: 400,
            detail: "concern.summary: is empty: write something here".into(),
            errors,
        },
    );
    contract.accepts(
        "Problem",
        &Problem {
            kind: "https://escalations.invalid/problems/unauthenticated".into(),
            title: "Unauthorized".into(),
            status: 401,
            detail: "sign in first".into(),
            errors: Vec::new(),
        },
    );

    let checked = contract.checked.borrow();
    let missing: Vec<&&str> = WIRE_TYPES
        .iter()
        .filter(|t| !checked.contains(**t))
        .collect();
    assert!(missing.is_empty(), "no example checked for {missing:?}");
}

fn event_kind(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Raised { .. } => "raised",
        EventKind::ClockStarted { .. } => "clock-started",
        EventKind::ClockMet { .. } => "clock-met",
        EventKind::ClockStopped { .. } => "clock-stopped",
        EventKind::ClockBreached { .. } => "clock-breached",
        EventKind::Submitted { .. } => "submitted",
        EventKind::Responded { .. } => "responded",
        EventKind::Escalated { .. } => "escalated",
        EventKind::Resolved { .. } => "resolved",
        EventKind::Withdrawn { .. } => "withdrawn",
    }
}

// ---------------------------------------------------------------------------------------
// As strict as the server

/// A body the server accepts for each request schema.
fn minimal_bodies() -> Vec<(&'static str, Value)> {
    vec![
        (
            "RaiseBody",
            json!({ "procedure": "sefton", "concern": { "summary": "x" } }),
        ),
        ("ChildBody", json!({ "name": "Jaydon" })),
        ("ConcernBody", json!({ "summary": "x" })),
        (
            "ResponseBody",
            json!({ "version": 0, "outcome": "resolved", "summary": "x" }),
        ),
        (
            "AgreedActionBody",
            json!({ "what": "x", "by_whom": "y", "by_when": "2026-12-29" }),
        ),
        ("SubmissionBody", json!({ "version": 0 })),
        ("EscalationBody", json!({ "version": 0, "reasons": "x" })),
        (
            "ResolutionBody",
            json!({ "version": 0, "outcome": "x", "lessons_learned": "y" }),
        ),
        ("WithdrawalBody", json!({ "version": 0, "reason": "x" })),
    ]
}

/// Whether serde (which the server parses bodies with) takes the JSON as this body type.
fn serde_takes<T: DeserializeOwned>(json: &Value) -> bool {
    serde_json::from_value::<T>(json.clone()).is_ok()
}

fn serde_takes_body(name: &str, json: &Value) -> bool {
    match name {
        "RaiseBody" => serde_takes::<RaiseBody>(json),
        "ChildBody" => serde_takes::<ChildBody>(json),
        "ConcernBody" => serde_takes::<ConcernBody>(json),
        "ResponseBody" => serde_takes::<ResponseBody>(json),
        "AgreedActionBody" => serde_takes::<AgreedActionBody>(json),
        "SubmissionBody" => serde_takes::<SubmissionBody>(json),
        "EscalationBody" => serde_takes::<EscalationBody>(json),
        "ResolutionBody" => serde_takes::<ResolutionBody>(json),
        "WithdrawalBody" => serde_takes::<WithdrawalBody>(json),
        other => panic!("{other} is not a request body"),
    }
}

#[test]
fn request_schemas_refuse_what_the_server_refuses() {
    let contract = Contract::new();
    for (name, body) in minimal_bodies() {
        assert!(contract.errors(name, &body).is_empty(), "{name}: {body}");
        assert!(serde_takes_body(name, &body), "{name}: {body}");

        // An unknown field: serde refuses it (deny_unknown_fields), so must the document.
        let mut extra = body.clone();
        extra["colour"] = json!("red");
        assert!(
            !serde_takes_body(name, &extra),
            "{name} takes an unknown field"
        );
        contract.rejects(name, extra, "an unknown field");

        // An array standing in for the object (serde would take it; parse.rs refuses it).
        contract.rejects(name, json!([body]), "an array instead of an object");
        contract.rejects(name, json!(null), "null");

        // A negative or fractional version: not a u64.
        if body.get("version").is_some() {
            for bad in [json!(-1), json!(1.5), json!("1")] {
                let mut b = body.clone();
                b["version"] = bad.clone();
                assert!(!serde_takes_body(name, &b), "{name} takes version {bad}");
                contract.rejects(name, b, "a version that is not a whole number >= 0");
            }
            let mut b = body.clone();
            b.as_object_mut().unwrap().remove("version");
            contract.rejects(name, b, "no version (the server answers 400)");
        }
    }

    // Free text: never empty or only whitespace, at most 20,000 characters (Text::parse).
    let long = "x".repeat(20_001);
    for summary in [json!(""), json!("  \n "), json!(long), json!(7)] {
        contract.rejects(
            "RaiseBody",
            json!({ "procedure": "sefton", "concern": { "summary": summary } }),
            "a summary that is not free text",
        );
    }
    contract.rejects(
        "WithdrawalBody",
        json!({ "version": 1, "reason": "" }),
        "an empty reason",
    );
    contract.rejects(
        "ResolutionBody",
        json!({ "version": 1, "outcome": "x", "lessons_learned": " " }),
        "blank lessons",
    );

    // Required fields the server names in its 400.
    contract.rejects("RaiseBody", json!({ "procedure": "sefton" }), "no concern");
    contract.rejects(
        "RaiseBody",
        json!({ "concern": { "summary": "x" } }),
        "no procedure",
    );
    contract.rejects("ConcernBody", json!({ "reasons": ["x"] }), "no summary");
    contract.rejects(
        "ChildBody",
        json!({ "in_care": true }),
        "a child without a name",
    );
    contract.rejects("EscalationBody", json!({ "version": 1 }), "no reasons");
    contract.rejects(
        "ResolutionBody",
        json!({ "version": 1, "outcome": "x" }),
        "no lessons",
    );
    contract.rejects("WithdrawalBody", json!({ "version": 1 }), "no reason");
    contract.rejects(
        "AgreedActionBody",
        json!({ "what": "x", "by_whom": "y" }),
        "no by_when",
    );

    // Responses: the outcome decides what else is required.
    contract.rejects("ResponseBody", json!({ "version": 1 }), "no outcome");
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "maybe", "summary": "x" }),
        "an unknown outcome",
    );
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "resolved", "reasons": "x" }),
        "resolved without a summary",
    );
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "not-resolved", "summary": "x" }),
        "not resolved without reasons",
    );
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "not-resolved", "reasons": "x",
                "agreed_actions": [{ "what": "x", "by_whom": "y", "by_when": "29/12/2026" }] }),
        "an agreed action with a date that is not YYYY-MM-DD",
    );

    // Ids and dates.
    for id in ["Sefton", "step_2", "-a", "a--b", ""] {
        contract.rejects(
            "RaiseBody",
            json!({ "procedure": id, "concern": { "summary": "x" } }),
            "a procedure that is not an id",
        );
        contract.rejects(
            "EscalationBody",
            json!({ "version": 1, "reasons": "x", "to": id }),
            "a stage that is not an id",
        );
    }
    contract.rejects(
        "RaiseBody",
        json!({ "procedure": "sefton", "concern": { "summary": "x", "reasons": ["Bad Reason"] } }),
        "a reason that is not an id",
    );
    contract.rejects(
        "ChildBody",
        json!({ "name": "J", "date_of_birth": "2015-13-01" }),
        "a date of birth that is not a date",
    );
    contract.rejects(
        "ChildBody",
        json!({ "name": "J", "in_care": "yes" }),
        "in_care that is not a boolean",
    );
}

#[test]
fn answers_are_closed_and_tagged() {
    let contract = Contract::new();
    contract.rejects(
        "FieldError",
        json!({ "field": "x", "message": "y", "hint": "z" }),
        "an unknown field in an answer",
    );
    contract.rejects(
        "StatusKind",
        json!("Open"),
        "a status that is not kebab-case",
    );
    contract.rejects(
        "Problem",
        json!({ "type": "x", "title": "t", "status": 418, "detail": "d" }),
        "a status the API never answers",
    );
}

// ---------------------------------------------------------------------------------------
// No placeholders, nothing unused

/// Every `$ref` in a value.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_schema_is_reachable_from_a_path() {
    let doc = document();
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    refs(&doc["paths"], &mut todo);
    while let Some(r) = todo.pop() {
        if !seen.insert(r.clone()) {
            continue;
        }
        let pointer = r.strip_prefix('#').expect("only internal refs");
        let target = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{r} resolves to nothing"));
        refs(target, &mut todo);
    }
    let unused: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|name| !seen.contains(&format!("#/components/schemas/{name}")))
        .collect();
    assert!(unused.is_empty(), "schemas no path uses: {unused:?}");
    for name in WIRE_TYPES {
        assert!(
            seen.contains(&format!("#/components/schemas/{name}")),
            "{name} is not reachable from any path"
        );
    }
}

/// Objects with no properties are placeholders, unless they are maps
/// (`additionalProperties: {schema}`); every body in a path has a schema.
fn placeholders(path: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let is_object = match map.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                _ => false,
            };
            let has_properties = map
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            let is_map = map
                .get("additionalProperties")
                .is_some_and(Value::is_object);
            if is_object && !has_properties && !is_map {
                out.push(path.to_owned());
            }
            if let Some(content) = map.get("content").and_then(Value::as_object) {
                for (media, body) in content {
                    if body.get("schema").is_none() {
                        out.push(format!("{path}/content/{media} (no schema)"));
                    }
                }
            }
            for (key, v) in map {
                placeholders(&format!("{path}/{key}"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                placeholders(&format!("{path}/{i}"), v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_schema_is_a_bare_object() {
    let mut found = Vec::new();
    placeholders("", &document(), &mut found);
    assert!(found.is_empty(), "placeholders: {found:#?}");
}

#[test]
fn every_request_body_refuses_unknown_fields() {
    let doc = document();
    for name in minimal_bodies().into_iter().map(|(name, _)| name) {
        assert_eq!(
            doc["components"]["schemas"][name]["additionalProperties"],
            json!(false),
            "{name}"
        );
    }
}
