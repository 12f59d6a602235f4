//! The permission matrix: every role × every action × the actor's relation to the case.
//! A = allowed; F = refused (the API's 403/422, with the reason); N = "no such case" (404,
//! identical to an unknown case, so another partnership's case is never revealed).

use chrono::{DateTime, Utc};
use escalations_core::access::{Denied, Principal, Scope};
use escalations_core::case::{
    Actor, Case, Child, Concern, Decider, EscalateRequest, Level, Outcome, RaiseRequest, Refused,
    ResolveRequest, Role,
};
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId, Text};
use escalations_core::procedure::RaiserRole;
use escalations_core::{Calendar, Catalogue, Procedure};

const ROLES: [Role; 4] = [
    Role::Practitioner,
    Role::Manager,
    Role::Chair,
    Role::Administrator,
];
/// The actor's agency is the raising one, the receiving one, another of the partnership's,
/// or the actor belongs to another partnership altogether.
const RELATIONS: [&str; 4] = ["raising", "receiving", "other-agency", "other-partnership"];

/// Rows: action; columns: practitioner, manager, chair, administrator; each cell four
/// letters, one per relation in RELATIONS order.
const MATRIX: &[(&str, [&str; 4])] = &[
    ("view case", ["AANN", "AANN", "AAAN", "NNNN"]),
    ("list own agency", ["AAAF", "AAAF", "AAAF", "FFFF"]),
    ("list partnership", ["FFFF", "FFFF", "AAAF", "FFFF"]),
    ("run report", ["FFFF", "FFFF", "AAAF", "FFFF"]),
    ("administer", ["FFFF", "FFFF", "FFFF", "AAAF"]),
    ("raise", ["AAAF", "AAAF", "FFFF", "FFFF"]),
    // A chair who works in the receiving agency responds as a member of it.
    ("respond", ["FANN", "FANN", "FAFN", "NNNN"]),
    ("escalate", ["AFNN", "AFNN", "AAAN", "NNNN"]),
    ("resolve", ["AFNN", "AFNN", "AAAN", "NNNN"]),
    ("withdraw", ["AFNN", "AFNN", "AAAN", "NNNN"]),
];

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn sefton() -> Procedure {
    Catalogue::builtin().unwrap().get("sefton").unwrap().clone()
}

fn home() -> PartnershipId {
    PartnershipId::parse("sefton-scp").unwrap()
}

fn principal(role: Role, relation: &str) -> Principal {
    let (partnership, agency) = match relation {
        "raising" => ("sefton-scp", "school"),
        "receiving" => ("sefton-scp", "social-care"),
        "other-agency" => ("sefton-scp", "police"),
        _ => ("elsewhere-scp", "school"),
    };
    Principal {
        partnership: PartnershipId::parse(partnership).unwrap(),
        actor: Actor::new(
            PersonId::parse(&format!("{relation}-{role:?}").to_lowercase()).unwrap(),
            AgencyId::parse(agency).unwrap(),
            role,
        ),
    }
}

fn raiser() -> Actor {
    Actor::new(
        PersonId::parse("pat").unwrap(),
        AgencyId::parse("school").unwrap(),
        Role::Practitioner,
    )
}

fn request() -> RaiseRequest {
    RaiseRequest {
        receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
        child: Some(Child {
            name: text("A Child"),
            date_of_birth: None,
            address: None,
            child_protection_plan: false,
            in_care: false,
        }),
        concern: Concern {
            summary: text("Concern"),
            reasons: vec![],
            level_of_need: Some(sefton().levels_of_need[0].id.clone()),
            desired_outcome: None,
            tried: None,
            other_reason: None,
        },
        immediate_risk: Some(false),
        agencies_asked: Vec::new(),
    }
}

/// A case at step 1, and the same case after the receiving agency said "not resolved".
fn cases() -> (Case, Case) {
    let p = sefton();
    let cal = Calendar::new(p.division);
    let raised = Case::raise(
        CaseId::parse("c1").unwrap(),
        &p,
        &cal,
        &raiser(),
        request(),
        at("2026-11-23T10:00:00Z"),
    )
    .unwrap()
    .case;
    let receiving = Actor::new(
        PersonId::parse("sol").unwrap(),
        AgencyId::parse("social-care").unwrap(),
        Role::Practitioner,
    );
    let responded = raised
        .respond(
            &p,
            &cal,
            &receiving,
            not_resolved(),
            at("2026-11-23T12:00:00Z"),
        )
        .unwrap()
        .case;
    (raised, responded)
}

fn not_resolved() -> Outcome {
    Outcome::NotResolved {
        reasons: text("No"),
        agreed_actions: vec![],
    }
}

fn letter<E>(result: Result<(), E>) -> char {
    if result.is_ok() { 'A' } else { 'F' }
}

/// Access first (as the API does), then the lifecycle's own rule.
fn attempt(who: &Principal, action: &str) -> char {
    let p = sefton();
    let cal = Calendar::new(p.division);
    let (raised, responded) = cases();
    let now = at("2026-11-23T13:00:00Z");
    let a = &who.actor;
    // The partnership boundary is storage's: every call is keyed by the principal's own
    // partnership, so another partnership's case is never loaded (conformance suite) and a
    // list, report or set-up change only ever reaches the principal's own partnership. The
    // cases and lists here are `home()`'s, so a principal from elsewhere cannot reach them.
    let reachable = who.partnership == home();
    let may_view = |case: &Case| reachable && who.may_view_case(case).is_ok();
    let letter = |result: Result<(), Denied>| {
        letter(result.and(if reachable {
            Ok(())
        } else {
            Err(Denied::NoSuchCase)
        }))
    };
    let on_case = |case: &Case, act: &dyn Fn(&Case) -> bool| match may_view(case) {
        false => 'N',
        true if act(case) => 'A',
        true => 'F',
    };
    match action {
        "view case" => {
            if may_view(&raised) {
                'A'
            } else {
                'N'
            }
        }
        "list own agency" => letter(who.may_list(&Scope::Agency(a.agency.clone()))),
        "list partnership" => letter(who.may_list(&Scope::Partnership)),
        "run report" => letter(who.may_run_report()),
        "administer" => letter(who.may_administer()),
        "raise" => letter(who.may_raise().and_then(|()| {
            let mut req = request();
            if a.agency.as_str() == "social-care" {
                req.receiving_agency = Some(AgencyId::parse("school").unwrap());
            }
            Case::raise(CaseId::parse("c2").unwrap(), &p, &cal, a, req, now)
                .map(|_| ())
                .map_err(|_| Denied::NoSuchCase)
        })),
        "respond" => on_case(&raised, &|c| {
            c.respond(&p, &cal, a, not_resolved(), now).is_ok()
        }),
        "escalate" => on_case(&responded, &|c| {
            let req = EscalateRequest {
                to: None,
                reasons: text("r"),
                tried: None,
            };
            c.escalate(&p, &cal, a, req, now).is_ok()
        }),
        "resolve" => on_case(&responded, &|c| {
            let req = ResolveRequest {
                outcome: text("o"),
                lessons_learned: text("l"),
                agreed_actions: vec![],
            };
            c.resolve(&p, a, req, now).is_ok()
        }),
        "withdraw" => on_case(&responded, &|c| c.withdraw(&p, a, text("w"), now).is_ok()),
        other => panic!("unknown action {other}"),
    }
}

#[test]
fn every_role_action_and_relation_gets_the_expected_answer() {
    let mut mismatches = Vec::new();
    for (action, row) in MATRIX {
        for (role, expected) in ROLES.iter().zip(row) {
            let got: String = RELATIONS
                .iter()
                .map(|r| attempt(&principal(*role, r), action))
                .collect();
            if got != *expected {
                mismatches.push(format!(
                    "{action} × {role:?}: expected {expected}, got {got}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

// ---------------------------------------------------------------------------------------
// The level axis: who may answer a stage that asks a level of management.

/// The levels a person may have: none (a practitioner, or a manager the configuration gives
/// none), then each level, lowest first.
const LEVELS: [Option<Level>; 6] = [
    None,
    Some(Level::FirstLine),
    Some(Level::SecondLine),
    Some(Level::HeadOfService),
    Some(Level::Director),
    Some(Level::ChiefSocialWorkOfficer),
];

/// Rows: the person's level (LEVELS order); columns: the level a stage asks, lowest first
/// (first line, second line, head of service, director, Chief Social Work Officer).
/// procedures.md, "Who may act": "A response at a stage comes from a person of the asked level
/// or above in the asked agency".
const LEVEL_MATRIX: [&str; 6] = ["FFFFF", "AFFFF", "AAFFF", "AAAFF", "AAAAF", "AAAAA"];

/// Every stage of every shipped procedure that asks a level, at every level a person may have,
/// in the asked agency and in another.
#[test]
fn every_level_against_every_stages_asked_level() {
    let catalogue = Catalogue::builtin().unwrap();
    let mut cells = 0;
    for id in catalogue.ids() {
        let p = catalogue.get(id).unwrap();
        let cal = Calendar::new(p.division);
        let mut req = request();
        req.concern.level_of_need = p.levels_of_need.first().map(|l| l.id.clone());
        req.concern.reasons = p.reasons.iter().take(1).map(|r| r.id.clone()).collect();
        if p.immediate_risk.is_none() {
            req.child = None;
            req.immediate_risk = None;
        }
        if p.asks_agencies() {
            req.agencies_asked = vec![AgencyId::parse("police").unwrap()];
        }
        let raiser = if p.raised_by.contains(&RaiserRole::Practitioner) {
            raiser()
        } else {
            Actor::new(
                PersonId::parse("chris").unwrap(),
                AgencyId::parse("unit").unwrap(),
                Role::Chair,
            )
        };
        let input = escalations_core::case::ClockInput {
            meeting_at: Some(at("2026-11-23T09:00:00Z")),
            shorter: None,
        };
        let mut case = Case::raise_with(
            CaseId::parse("c1").unwrap(),
            p,
            &cal,
            &raiser,
            req,
            &input,
            at("2026-11-23T10:00:00Z"),
        )
        .unwrap()
        .case;
        for stage in &p.stages {
            // Only the stage is read: who is asked there, and in which agency.
            case.stage = stage.id.clone();
            let Some(asked) = case.decision_asked(p) else {
                assert_eq!(stage.asked.level, None);
                continue;
            };
            let column = Level::ALL.iter().position(|l| *l == asked.level).unwrap();
            let agency = asked
                .agency
                .clone()
                .unwrap_or_else(|| AgencyId::parse("social-care").unwrap());
            for (row, level) in LEVELS.iter().enumerate() {
                let decider = Decider {
                    person: PersonId::parse("dee").unwrap(),
                    agency: agency.clone(),
                    level: *level,
                };
                let got = if asked.refuses(&decider).is_none() {
                    'A'
                } else {
                    'F'
                };
                let expected = LEVEL_MATRIX[row].as_bytes()[column] as char;
                assert_eq!(got, expected, "{id} {} at {level:?}", stage.id);
                // The asked agency's level, not another's.
                if asked.agency.is_some() {
                    let elsewhere = Decider {
                        agency: AgencyId::parse("police").unwrap(),
                        ..decider
                    };
                    assert!(asked.refuses(&elsewhere).is_some(), "{id} {}", stage.id);
                }
                cells += 1;
            }
        }
    }
    // Medway 3, Sefton 2, Moray 5, MSET 3, non-attendance 2 stages, six levels each.
    assert_eq!(cells, 15 * 6);
}

/// The same axis through a real response: Sefton's step 2, "Direct Manager to Manager
/// Discussion", is answered by the receiving agency's line manager or above; a practitioner or
/// a manager with no level is refused; the raising side's manager is not asked at all.
#[test]
fn sefton_step_2_is_answered_by_a_line_manager_or_above() {
    let p = sefton();
    let cal = Calendar::new(p.division);
    let (_, responded) = cases();
    let now = at("2026-11-23T13:00:00Z");
    let req = EscalateRequest {
        to: None,
        reasons: text("r"),
        tried: None,
    };
    let step_2 = responded
        .escalate(&p, &cal, &raiser(), req, now)
        .unwrap()
        .case;
    for (row, level) in LEVELS.iter().enumerate() {
        let role = if level.is_some() {
            Role::Manager
        } else {
            Role::Practitioner
        };
        let mut who = Actor::new(
            PersonId::parse("meg").unwrap(),
            AgencyId::parse("social-care").unwrap(),
            role,
        );
        who.level = *level;
        let got = letter(
            step_2
                .respond(&p, &cal, &who, not_resolved(), now)
                .map(|_| ()),
        );
        assert_eq!(got, LEVEL_MATRIX[row].as_bytes()[0] as char, "{level:?}");
    }
    let unlevelled = Actor::new(
        PersonId::parse("meg").unwrap(),
        AgencyId::parse("social-care").unwrap(),
        Role::Manager,
    );
    let refused = step_2
        .respond(&p, &cal, &unlevelled, not_resolved(), now)
        .unwrap_err();
    assert!(matches!(refused, Refused::LevelAsked { .. }), "{refused}");
    let raising_director = Actor::new(
        PersonId::parse("sam").unwrap(),
        AgencyId::parse("school").unwrap(),
        Role::Manager,
    )
    .at_level(Level::Director);
    let refused = step_2
        .respond(&p, &cal, &raising_director, not_resolved(), now)
        .unwrap_err();
    assert!(matches!(refused, Refused::NotYourMove { .. }), "{refused}");
}

/// "(or is recorded on their behalf by a manager, saying so)": a first line manager records a
/// director's decision at Medway stage 3 and the response says whose decision it was; a
/// practitioner cannot record on someone's behalf; the person named must be of the asked level
/// in the asked agency.
#[test]
fn a_manager_records_a_decision_on_behalf_of_the_asked_level() {
    let catalogue = Catalogue::builtin().unwrap();
    let p = catalogue.get("medway").unwrap();
    let cal = Calendar::new(p.division);
    let mut case = Case::raise(
        CaseId::parse("c1").unwrap(),
        p,
        &cal,
        &raiser(),
        RaiseRequest {
            concern: Concern {
                level_of_need: None,
                reasons: vec![p.reasons[0].id.clone()],
                ..request().concern
            },
            ..request()
        },
        at("2026-11-23T10:00:00Z"),
    )
    .unwrap()
    .case;
    // Move to stage 3 as if stages 1 and 2 were used; only the stage and its clock matter.
    case.stage = escalations_core::ids::StageId::parse("stage-3").unwrap();
    case.clocks[0].stage = case.stage.clone();
    let now = at("2026-11-24T10:00:00Z");
    let social = |person: &str, role: Role, level: Option<Level>| {
        let mut a = Actor::new(
            PersonId::parse(person).unwrap(),
            AgencyId::parse("social-care").unwrap(),
            role,
        );
        a.level = level;
        a
    };
    let director = Decider {
        person: PersonId::parse("dora").unwrap(),
        agency: AgencyId::parse("social-care").unwrap(),
        level: Some(Level::Director),
    };
    let manager = social("meg", Role::Manager, Some(Level::FirstLine));
    let t = case
        .respond(
            p,
            &cal,
            &manager.clone().for_decider(director.clone()),
            not_resolved(),
            now,
        )
        .unwrap();
    let response = t.case.responses.last().unwrap();
    assert_eq!(response.by, "meg");
    assert_eq!(response.decided_by.as_ref(), Some(&director));
    assert_eq!(t.events[0].by.as_ref().unwrap(), "meg");

    let practitioner = social("sol", Role::Practitioner, None).for_decider(director.clone());
    assert_eq!(
        case.respond(p, &cal, &practitioner, not_resolved(), now)
            .unwrap_err(),
        Refused::PractitionerOnBehalf
    );
    let head = Decider {
        level: Some(Level::HeadOfService),
        ..director.clone()
    };
    let refused = case
        .respond(
            p,
            &cal,
            &manager.clone().for_decider(head),
            not_resolved(),
            now,
        )
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "stage-3 is answered by Assistant Director / Deputy Director / Headteacher / Governor or \
         equivalent (director) or above in social-care: `dora` is a head of service; record it \
         on their behalf with on_behalf_of"
    );
    let police = Decider {
        agency: AgencyId::parse("police").unwrap(),
        ..director
    };
    let refused = case
        .respond(p, &cal, &manager.for_decider(police), not_resolved(), now)
        .unwrap_err();
    assert!(
        refused.to_string().contains("`dora` is of `police`"),
        "{refused}"
    );
}
