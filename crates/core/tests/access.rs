//! The permission matrix: every role × every action × the actor's relation to the case.
//! A = allowed; F = refused (the API's 403/422, with the reason); N = "no such case" (404,
//! identical to an unknown case, so another partnership's case is never revealed).

use chrono::{DateTime, Utc};
use escalations_core::access::{Denied, Principal, Scope};
use escalations_core::case::{
    Actor, Case, Child, Concern, EscalateRequest, Outcome, RaiseRequest, ResolveRequest, Role,
};
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId, Text};
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
        actor: Actor {
            person: PersonId::parse(&format!("{relation}-{role:?}").to_lowercase()).unwrap(),
            agency: AgencyId::parse(agency).unwrap(),
            role,
        },
    }
}

fn raiser() -> Actor {
    Actor {
        person: PersonId::parse("pat").unwrap(),
        agency: AgencyId::parse("school").unwrap(),
        role: Role::Practitioner,
    }
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
    let receiving = Actor {
        person: PersonId::parse("sol").unwrap(),
        agency: AgencyId::parse("social-care").unwrap(),
        role: Role::Practitioner,
    };
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
