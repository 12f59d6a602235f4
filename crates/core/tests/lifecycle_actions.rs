//! Agreed plans: actions with an owner agency and a due date, agreed in a response or with
//! the resolution, marked done by their owner, followed up after the decision, and counted by
//! the report (issue 9, item 4).

mod common;

use chrono::NaiveDate;
use common::{at, chair, practitioner, raise, social_care_manager, text};
use escalations_core::case::{
    Actor, AgreedAction, Case, CaseSummary, EventKind, OpenActions, Outcome, Refused,
    ResolveRequest, Role,
};
use escalations_core::ids::{ActionId, AgencyId};
use escalations_core::report::{ActionTimeliness, report};
use escalations_core::{Calendar, Catalogue};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn agency(s: &str) -> AgencyId {
    AgencyId::parse(s).unwrap()
}

fn id(s: &str) -> ActionId {
    ActionId::parse(s).unwrap()
}

fn action(what: &str, owner: &str, due: &str) -> AgreedAction {
    AgreedAction {
        what: text(what),
        owner_agency: Some(agency(owner)),
        owner_person: None,
        by_when: date(due),
        done: None,
    }
}

fn health_visitor() -> Actor {
    common::actor("hal", "health", Role::Practitioner)
}

const CHRONOLOGY: &str = "Share the health visitor's chronology";
const STRATEGY: &str = "Hold a strategy discussion";

/// Sefton step 1: the school raises, children's social care answers "not resolved" with "a
/// mutually agreed plan of action, including timescales": health shares its chronology by
/// 4 December, social care holds a strategy discussion by 1 December.
fn with_plan(catalogue: &Catalogue) -> Case {
    let p = catalogue.get("sefton").unwrap();
    let raised = raise(p, &practitioner(), "2026-11-23T10:00:00Z").case;
    raised
        .respond(
            p,
            &Calendar::new(p.division),
            &social_care_manager(),
            Outcome::NotResolved {
                reasons: text("Threshold not met"),
                agreed_actions: vec![
                    action(CHRONOLOGY, "health", "2026-12-04"),
                    action(STRATEGY, "social-care", "2026-12-01"),
                ],
            },
            at("2026-11-24T15:30:00Z"),
        )
        .unwrap()
        .case
}

/// "…with an acknowledgement and mutually agreed plan of action, including timescales" —
/// Sefton, step 1: the plan's actions are numbered in the case, and each owner agency's
/// earliest due date is on the list entry, so its work queue shows them.
#[test]
fn a_plan_agreed_in_a_response_is_numbered_and_on_the_list_entry() {
    let catalogue = Catalogue::builtin().unwrap();
    let case = with_plan(&catalogue);
    let plan = case.actions();
    let ids: Vec<_> = plan.iter().map(|p| p.id().to_string()).collect();
    assert_eq!(ids, ["a1", "a2"]);
    assert_eq!(plan[0].stage.as_str(), "step-1");
    assert_eq!(
        CaseSummary::of(&case).open_actions,
        [
            OpenActions {
                owner: agency("social-care"),
                due: date("2026-12-01")
            },
            OpenActions {
                owner: agency("health"),
                due: date("2026-12-04")
            },
        ]
    );
}

/// Only someone of the owner agency, or the chair, marks an action done, once; the event
/// carries the id and dates, never the action's words.
#[test]
fn the_owner_agency_marks_an_action_done_once() {
    let catalogue = Catalogue::builtin().unwrap();
    let case = with_plan(&catalogue);
    let now = at("2026-12-02T09:00:00Z");

    let refused = case.complete_action(&practitioner(), &id("a1"), now);
    assert!(
        matches!(refused, Err(Refused::NotActionOwner { .. })),
        "{refused:?}"
    );
    assert!(matches!(
        case.complete_action(&health_visitor(), &id("a9"), now),
        Err(Refused::NoSuchAction { .. })
    ));

    let done = case
        .complete_action(&health_visitor(), &id("a1"), now)
        .unwrap();
    assert_eq!(done.case.version, case.version + 1);
    let [event] = &done.events[..] else {
        panic!("one event: {:?}", done.events)
    };
    assert_eq!(
        event.kind,
        EventKind::ActionDone {
            action: id("a1"),
            due: date("2026-12-04"),
            late: false,
        }
    );
    let json = serde_json::to_string(&done.events).unwrap();
    assert!(!json.contains("chronology"), "{json}");
    assert_eq!(
        CaseSummary::of(&done.case).open_actions,
        [OpenActions {
            owner: agency("social-care"),
            due: date("2026-12-01")
        }]
    );
    assert!(matches!(
        done.case.complete_action(&chair(), &id("a1"), now),
        Err(Refused::ActionAlreadyDone { .. })
    ));
    // The chair may mark any action done; after its due date it is late.
    let late = done.case.complete_action(&chair(), &id("a2"), now).unwrap();
    assert!(matches!(
        late.events[0].kind,
        EventKind::ActionDone { late: true, .. }
    ));
    assert!(CaseSummary::of(&late.case).open_actions.is_empty());
}

/// "Resolution, in which case the agreed outcomes may have implications to the case … Agreed
/// actions need to be followed up." — Moray, stage 1: a resolution carries a plan, and its
/// actions are marked done after the case is resolved; a withdrawn case takes none.
#[test]
fn actions_agreed_with_the_resolution_are_followed_up_after_it() {
    let catalogue = Catalogue::builtin().unwrap();
    let p = catalogue.get("sefton").unwrap();
    let case = with_plan(&catalogue);
    let resolved = case
        .resolve(
            p,
            &chair(),
            ResolveRequest {
                outcome: text("Assessment to be opened"),
                lessons_learned: text("Threshold document needs examples"),
                agreed_actions: vec![action("Open an assessment", "social-care", "2026-12-11")],
            },
            at("2026-11-26T10:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(resolved.actions()[2].id().as_str(), "a3");
    let done = resolved
        .complete_action(
            &social_care_manager(),
            &id("a3"),
            at("2026-12-10T10:00:00Z"),
        )
        .unwrap();
    assert!(done.case.actions()[2].action.done.is_some());

    let withdrawn = case
        .withdraw(
            p,
            &chair(),
            text("Raised in error"),
            at("2026-11-26T10:00:00Z"),
        )
        .unwrap()
        .case;
    assert!(matches!(
        withdrawn.complete_action(&health_visitor(), &id("a1"), at("2026-11-27T10:00:00Z")),
        Err(Refused::Closed { .. })
    ));
}

/// A new action names the agency that owns it.
#[test]
fn a_new_action_needs_an_owner_agency() {
    let catalogue = Catalogue::builtin().unwrap();
    let p = catalogue.get("sefton").unwrap();
    let raised = raise(p, &practitioner(), "2026-11-23T10:00:00Z").case;
    let mut unowned = action(CHRONOLOGY, "health", "2026-12-04");
    unowned.owner_agency = None;
    let refused = raised.respond(
        p,
        &Calendar::new(p.division),
        &social_care_manager(),
        Outcome::NotResolved {
            reasons: text("Threshold not met"),
            agreed_actions: vec![unowned],
        },
        at("2026-11-24T15:30:00Z"),
    );
    assert_eq!(refused, Err(Refused::ActionOwnerRequired { index: 1 }));
}

/// "Agreed actions must be completed in a timely fashion." — Moray, stage 5: the report counts
/// each procedure's actions done on time, done late and open past their due date, in JSON
/// and CSV, never quoting an action's words.
#[test]
fn the_report_counts_actions_done_late_or_not_done() {
    let catalogue = Catalogue::builtin().unwrap();
    let case = with_plan(&catalogue);
    // a1 (due 4 December) done on time; a2 (due 1 December) still open on 5 December.
    let case = case
        .complete_action(&health_visitor(), &id("a1"), at("2026-12-04T16:00:00Z"))
        .unwrap()
        .case;
    let now = at("2026-12-05T09:00:00Z");
    let r = report(
        std::slice::from_ref(&case),
        &catalogue,
        &escalations_core::Calendar::new(escalations_core::Division::EnglandAndWales),
        date("2026-11-01"),
        date("2026-11-30"),
        now,
    );
    assert_eq!(
        r.agreed_actions["sefton"],
        ActionTimeliness {
            done_on_time: 1,
            done_late: 0,
            open_in_time: 0,
            open_overdue: 1,
        }
    );
    let late = case
        .complete_action(&social_care_manager(), &id("a2"), now)
        .unwrap()
        .case;
    let r = report(
        &[late],
        &catalogue,
        &escalations_core::Calendar::new(escalations_core::Division::EnglandAndWales),
        date("2026-11-01"),
        date("2026-11-30"),
        now,
    );
    assert_eq!(r.agreed_actions["sefton"].done_late, 1);
    let csv = r.to_csv();
    assert!(csv.contains("agreed actions,sefton,done late,1"), "{csv}");
    let json = serde_json::to_string(&r).unwrap();
    for words in [CHRONOLOGY, STRATEGY] {
        assert!(!csv.contains(words) && !json.contains(words));
    }
}
