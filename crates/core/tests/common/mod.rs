//! Shared fixtures for the lifecycle tests: the built-in catalogue, times and text, the
//! people who act (a school practitioner and manager, a social worker and social-care
//! manager, the partnership chair, an administrator), a raise request, the bodies of a
//! response, an escalation and a resolution, and the running clock in words.
//!
//! Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use escalations_core::case::{
    Actor, AgreedAction, Case, Child, ClockInput, Concern, EscalateRequest, Level, Outcome,
    RaiseRequest, ResolveRequest, Role, Transition,
};
use escalations_core::ids::{AgencyId, CaseId, PersonId, Text};
use escalations_core::{Calendar, Catalogue, Procedure};

pub fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

pub fn actor(person: &str, agency: &str, role: Role) -> Actor {
    Actor::new(
        PersonId::parse(person).unwrap(),
        AgencyId::parse(agency).unwrap(),
        role,
    )
}

pub fn practitioner() -> Actor {
    actor("pat", "school", Role::Practitioner)
}
/// The school's first line manager.
pub fn school_manager() -> Actor {
    school_at(Level::FirstLine)
}
/// The school's manager at a level of management.
pub fn school_at(level: Level) -> Actor {
    actor("sam", "school", Role::Manager).at_level(level)
}
pub fn social_worker() -> Actor {
    actor("sol", "social-care", Role::Practitioner)
}
/// Social care's first line manager.
pub fn social_care_manager() -> Actor {
    social_care_at(Level::FirstLine)
}
/// Social care's manager at a level of management.
pub fn social_care_at(level: Level) -> Actor {
    actor("meg", "social-care", Role::Manager).at_level(level)
}
pub fn chair() -> Actor {
    actor("chris", "partnership-unit", Role::Chair)
}
pub fn admin() -> Actor {
    actor("ada", "partnership-unit", Role::Administrator)
}

pub const CHILD_NAME: &str = "Jaydon Example-Smith";

pub fn child() -> Child {
    Child {
        name: text(CHILD_NAME),
        date_of_birth: Some("2015-06-01".parse().unwrap()),
        address: Some(text("1 Example Road")),
        child_protection_plan: true,
        in_care: false,
    }
}

pub fn request(p: &Procedure, with_child: bool) -> RaiseRequest {
    RaiseRequest {
        receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
        child: with_child.then(child),
        concern: Concern {
            summary: text("Referral closed with no assessment despite new disclosures"),
            reasons: p.reasons.iter().take(1).map(|r| r.id.clone()).collect(),
            level_of_need: p.levels_of_need.first().map(|l| l.id.clone()),
            desired_outcome: None,
            tried: Some(text("Spoke to the social worker on Monday")),
            other_reason: None,
        },
        immediate_risk: (p.subject == escalations_core::procedure::Subject::Child).then_some(false),
        // A Practice Alert asks the agencies concerned for one response each.
        agencies_asked: if p.asks_agencies() {
            vec![
                AgencyId::parse("police").unwrap(),
                AgencyId::parse("health").unwrap(),
            ]
        } else {
            Vec::new()
        },
    }
}

pub fn raise(p: &Procedure, by: &Actor, now: &str) -> Transition {
    let mut req = request(p, p.subject == escalations_core::procedure::Subject::Child);
    if by.agency.as_str() == "social-care" {
        req.receiving_agency = Some(AgencyId::parse("school").unwrap());
    }
    // Where the first clock runs from a meeting or discussion, it took place as the case is
    // raised.
    Case::raise_with(
        CaseId::parse("case-1").unwrap(),
        p,
        &Calendar::new(p.division),
        by,
        req,
        &stated(now),
        at(now),
    )
    .unwrap_or_else(|e| panic!("raise: {e}"))
}

/// The meeting or discussion a clock runs from took place at `when`.
pub fn stated(when: &str) -> ClockInput {
    stated_at(at(when))
}

pub fn stated_at(when: DateTime<Utc>) -> ClockInput {
    ClockInput {
        meeting_at: Some(when),
        shorter: None,
    }
}

pub fn not_resolved() -> Outcome {
    Outcome::NotResolved {
        reasons: text("We still think the threshold is not met"),
        agreed_actions: vec![AgreedAction {
            what: text("Share the health visitor's chronology"),
            owner_agency: Some(AgencyId::parse("health").unwrap()),
            owner_person: Some(text("Health visitor")),
            done: None,
            by_when: "2027-01-08".parse().unwrap(),
        }],
    }
}

pub fn escalation() -> EscalateRequest {
    EscalateRequest {
        to: None,
        reasons: text("No agreement on the level of need"),
        tried: None,
    }
}

pub fn resolution() -> ResolveRequest {
    ResolveRequest {
        outcome: text("Assessment to be opened"),
        lessons_learned: text("Threshold document needs examples"),
        agreed_actions: vec![],
    }
}

pub fn running(case: &Case) -> (String, String, String) {
    let run = case.running_clock().expect("a clock runs");
    (
        run.stage.to_string(),
        run.clock.to_string(),
        run.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

pub fn run(r: (&str, &str, &str)) -> (String, String, String) {
    (r.0.to_owned(), r.1.to_owned(), r.2.to_owned())
}

/// Records Sefton's Report to SSCP at the case's current stage (step 3 or 4), as a case
/// resolved there needs: "Multi-agency conflicts resolved at Steps 3 and 4 must be reported to
/// Sefton SCP Team".
pub fn report_to_sscp(case: &Case, p: &Procedure, by: &Actor, when: &str) -> Case {
    let form = escalations_core::ids::FormId::parse("report-to-sscp").unwrap();
    case.record_form(p, by, &form, &report_to_sscp_values("A Child"), at(when))
        .unwrap_or_else(|e| panic!("{e}"))
        .case
}

/// The Report to SSCP's required values, about the child named.
pub fn report_to_sscp_values(
    child: &str,
) -> std::collections::BTreeMap<String, escalations_core::forms::Plain> {
    use escalations_core::forms::Plain;
    let t = |s: &str| Plain::Text(s.to_owned());
    [
        ("child-name", t(child)),
        ("escalating-professional", t("Pat Teacher")),
        ("role-and-agency", t("Teacher, Example Primary School")),
        ("level-of-need", t("S17")),
        ("details-of-disagreement", t("Threshold")),
        ("date-of-discussion", t("2026-11-03")),
        ("actions-taken", t("Heads of service met")),
        ("completed-by", t("Sam Manager / Head")),
        ("date-completed", t("2026-11-04")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
