//! Every refusal a practitioner might meet in the lifecycle, and why in plain words:
//! escalating too early, acting out of turn or after withdrawal, and raising without what
//! the procedure asks for.

mod common;

use common::{
    admin, at, catalogue, escalation, not_resolved, practitioner, raise, request, school_manager,
    social_worker, text,
};
use escalations_core::Calendar;
use escalations_core::case::{Case, ClockState, EscalateRequest, RaiseError, Refused};
use escalations_core::ids::{AgencyId, CaseId, LevelId, ReasonId, StageId};

#[test]
fn escalating_before_a_response_waits_until_the_timescale_has_passed() {
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(p.division);
    let case = raise(p, &practitioner(), "2026-11-23T10:00:00Z").case;
    let refused = case
        .escalate(
            p,
            &cal,
            &practitioner(),
            escalation(),
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(refused, Refused::TooEarlyToEscalate { .. }));
    assert!(
        refused.to_string().contains("Thu 26 Nov 2026 00:00"),
        "{refused}"
    );
    // Once the 2 working days have passed with no response, escalation is allowed and the
    // unanswered clock is recorded as stopped, overdue.
    let t = case
        .escalate(
            p,
            &cal,
            &practitioner(),
            escalation(),
            at("2026-11-26T00:00:00Z"),
        )
        .unwrap();
    let step1 = &t.case.clocks[0];
    assert_eq!(
        step1.state(at("2026-12-01T00:00:00Z")),
        ClockState::Stopped { overdue: true }
    );
}

#[test]
fn refusals_say_why_in_plain_words() {
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(p.division);
    let case = raise(p, &practitioner(), "2026-11-23T10:00:00Z").case;
    let now = at("2026-11-23T11:00:00Z");

    let e = case
        .respond(p, &cal, &school_manager(), not_resolved(), now)
        .unwrap_err();
    assert!(e.to_string().starts_with("it is not your move: at step-1 the next step is for the other front line professional (the agency the escalation is about) to respond"), "{e}");
    let e = case
        .respond(p, &cal, &admin(), not_resolved(), now)
        .unwrap_err();
    assert_eq!(e, Refused::AdministratorsDoNotAct);
    let e = case.submit(p, &cal, &social_worker(), now).unwrap_err();
    assert!(matches!(e, Refused::NotThisAction { .. }), "{e}");
    let e = case
        .escalate(p, &cal, &social_worker(), escalation(), now)
        .unwrap_err();
    assert!(matches!(e, Refused::NotYourMove { .. }), "{e}");
    let e = case
        .escalate(
            p,
            &cal,
            &practitioner(),
            EscalateRequest {
                to: Some(StageId::parse("step-9").unwrap()),
                ..escalation()
            },
            now,
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("`step-1`, `step-2`, `step-3`, `step-4`"),
        "{e}"
    );

    let withdrawn = case
        .withdraw(p, &practitioner(), text("Resolved informally"), now)
        .unwrap()
        .case;
    let e = withdrawn
        .respond(p, &cal, &social_worker(), not_resolved(), now)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("this case was withdrawn on Mon 23 Nov 2026 11:00"),
        "{e}"
    );
}

#[test]
fn raising_checks_what_the_procedure_asks_for() {
    let catalogue = catalogue();
    let sefton = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(sefton.division);
    let now = at("2026-11-23T10:00:00Z");
    let id = || CaseId::parse("c").unwrap();
    let mut same_agency = request(sefton, true);
    same_agency.receiving_agency = Some(AgencyId::parse("school").unwrap());
    assert_eq!(
        Case::raise(id(), sefton, &cal, &practitioner(), same_agency, now).unwrap_err(),
        RaiseError::SameAgency
    );
    let mut no_level = request(sefton, true);
    no_level.concern.level_of_need = None;
    let e = Case::raise(id(), sefton, &cal, &practitioner(), no_level, now).unwrap_err();
    assert!(e.to_string().contains("`early-help`, `s17`, `s47`"), "{e}");
    let mut bad_level = request(sefton, true);
    bad_level.concern.level_of_need = Some(LevelId::parse("s48").unwrap());
    assert!(matches!(
        Case::raise(id(), sefton, &cal, &practitioner(), bad_level, now),
        Err(RaiseError::UnknownLevelOfNeed { .. })
    ));
    let moray = catalogue.get("moray").unwrap();
    let mut bad_reason = request(moray, true);
    bad_reason.concern.reasons = vec![ReasonId::parse("because").unwrap()];
    assert!(matches!(
        Case::raise(id(), moray, &cal, &practitioner(), bad_reason, now),
        Err(RaiseError::UnknownReason { .. })
    ));
    let mut no_child = request(moray, false);
    no_child.child = None;
    assert_eq!(
        Case::raise(id(), moray, &cal, &practitioner(), no_child, now).unwrap_err(),
        RaiseError::ChildRequired
    );
    assert!(matches!(
        Case::raise(id(), moray, &cal, &admin(), request(moray, true), now),
        Err(RaiseError::RoleMayNotRaise { .. })
    ));
}
