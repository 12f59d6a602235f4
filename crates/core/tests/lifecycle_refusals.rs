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
    // Sefton asks the level of need in its Report to SSCP (steps 3 and 4), not at raise: see
    // `the_level_of_need_is_asked_where_the_document_asks_it`. A level given must be one of its.
    let mut bad_level = request(sefton, true);
    bad_level.concern.level_of_need = Some(LevelId::parse("s48").unwrap());
    let e = Case::raise(id(), sefton, &cal, &practitioner(), bad_level, now).unwrap_err();
    assert!(matches!(e, RaiseError::UnknownLevelOfNeed { .. }));
    assert!(e.to_string().contains("`early-help`, `s17`, `s47`"), "{e}");
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

/// Sefton's steps ask no level of need; "Report to SSCP: Multi-Agency Resolution: Escalation
/// Steps 3 and 4" asks "Level of Need: Early Help / S17 / S47". So a raise without one is
/// accepted, one with a level keeps it, and the procedure says where it is asked.
#[test]
fn the_level_of_need_is_asked_where_the_document_asks_it() {
    use escalations_core::procedure::LevelOfNeedAsked;
    let catalogue = catalogue();
    let sefton = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(sefton.division);
    let now = at("2026-11-23T10:00:00Z");
    assert_eq!(
        sefton.level_of_need_asked,
        Some(LevelOfNeedAsked::Form {
            form: escalations_core::ids::FormId::parse("report-to-sscp").unwrap(),
            field: escalations_core::ids::FieldId::parse("level-of-need").unwrap(),
        })
    );
    assert!(!sefton.level_of_need_required_at_raise());
    let mut no_level = request(sefton, true);
    no_level.concern.level_of_need = None;
    let raised = Case::raise(
        CaseId::parse("c").unwrap(),
        sefton,
        &cal,
        &practitioner(),
        no_level,
        now,
    )
    .unwrap_or_else(|e| panic!("Sefton does not ask the level of need at raise: {e}"));
    assert_eq!(raised.case.concern.level_of_need, None);
    let with_level = Case::raise(
        CaseId::parse("c").unwrap(),
        sefton,
        &cal,
        &practitioner(),
        request(sefton, true),
        now,
    )
    .unwrap();
    assert_eq!(
        with_level
            .case
            .concern
            .level_of_need
            .as_ref()
            .map(|l| l.as_str()),
        Some("early-help")
    );
    for p in [
        "medway",
        "moray",
        "sscp-mset",
        "sscp-mset-non-attendance",
        "medway-ppa",
    ] {
        let p = catalogue.get(p).unwrap();
        assert!(
            p.levels_of_need.is_empty() && p.level_of_need_asked.is_none(),
            "{}",
            p.id
        );
    }
}

/// procedures.md: "Lists of reasons in the documents are examples ("include", "not limited
/// to"): every procedure also accepts "other", with the reason in words."
#[test]
fn every_procedure_accepts_other_with_the_reason_in_words() {
    let catalogue = catalogue();
    let now = at("2026-11-23T10:00:00Z");
    for id in catalogue.ids() {
        let p = catalogue.get(id).unwrap();
        let cal = Calendar::new(p.division);
        let by = if p
            .raised_by
            .contains(&escalations_core::procedure::RaiserRole::Practitioner)
        {
            practitioner()
        } else {
            common::chair()
        };
        let mut other = request(p, p.subject == escalations_core::procedure::Subject::Child);
        other.concern.reasons.clear();
        other.concern.other_reason = Some(text("Repeated cancellations of core groups"));
        // Where the first clock runs from a meeting or discussion, it took place at the raise.
        let raised = Case::raise_with(
            CaseId::parse("c").unwrap(),
            p,
            &cal,
            &by,
            other,
            &common::stated_at(now),
            now,
        )
        .unwrap_or_else(|e| panic!("{id} refuses `other` with words: {e}"));
        assert_eq!(raised.case.concern.reasons, ["other"], "{id}");
        assert_eq!(
            raised
                .case
                .concern
                .other_reason
                .as_ref()
                .map(|t| t.as_str()),
            Some("Repeated cancellations of core groups")
        );

        // `other` without words is refused, naming what is missing.
        let mut bare = request(p, p.subject == escalations_core::procedure::Subject::Child);
        bare.concern.reasons = vec![ReasonId::parse("other").unwrap()];
        assert_eq!(
            Case::raise(CaseId::parse("c").unwrap(), p, &cal, &by, bare, now).unwrap_err(),
            RaiseError::OtherReasonRequired,
            "{id}"
        );
    }
    // A listed reason and `other` together.
    let moray = catalogue.get("moray").unwrap();
    let mut both = request(moray, true);
    both.concern.other_reason = Some(text("Staff safety visiting the home"));
    let raised = Case::raise_with(
        CaseId::parse("c").unwrap(),
        moray,
        &Calendar::new(moray.division),
        &practitioner(),
        both,
        &common::stated_at(now),
        now,
    )
    .unwrap();
    assert_eq!(raised.case.concern.reasons, ["no-consensus", "other"]);
    // The choices offered name `other`.
    let mut none = request(moray, true);
    none.concern.reasons.clear();
    let e = Case::raise(
        CaseId::parse("c").unwrap(),
        moray,
        &Calendar::new(moray.division),
        &practitioner(),
        none,
        now,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("or `other` with the reason in words"),
        "{e}"
    );
}

/// Moray: "This procedure applies to cases of non-emergency, but escalating risk. [...] Where
/// there is an emergency escalation in the case, the Lead Professional and/or the Police
/// should be notified and ‘standard’ Child Protection Procedures apply." Every procedure about
/// a child asks the question and refuses a yes with its own instruction.
#[test]
fn a_child_at_immediate_risk_is_not_escalated() {
    let catalogue = catalogue();
    let now = at("2026-11-23T10:00:00Z");
    let moray = catalogue.get("moray").unwrap();
    let cal = Calendar::new(moray.division);
    let mut at_risk = request(moray, true);
    at_risk.immediate_risk = Some(true);
    let e = Case::raise(
        CaseId::parse("c").unwrap(),
        moray,
        &cal,
        &practitioner(),
        at_risk,
        now,
    )
    .unwrap_err();
    assert!(matches!(e, RaiseError::ImmediateRisk { .. }));
    assert!(
        e.to_string().contains(
            "Where there is an emergency escalation in the case, the Lead Professional and/or \
             the Police should be notified and ‘standard’ Child Protection Procedures apply"
        ),
        "{e}"
    );

    let mut unanswered = request(moray, true);
    unanswered.immediate_risk = None;
    let e = Case::raise(
        CaseId::parse("c").unwrap(),
        moray,
        &cal,
        &practitioner(),
        unanswered,
        now,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Is the child at immediate risk of significant harm? Answer yes or no before raising."
    );

    for id in catalogue.ids() {
        let p = catalogue.get(id).unwrap();
        let by = if p
            .raised_by
            .contains(&escalations_core::procedure::RaiserRole::Practitioner)
        {
            practitioner()
        } else {
            common::chair()
        };
        let cal = Calendar::new(p.division);
        let mut yes = request(p, p.subject == escalations_core::procedure::Subject::Child);
        yes.immediate_risk = Some(true);
        let refused = Case::raise(CaseId::parse("c").unwrap(), p, &cal, &by, yes, now);
        match &p.immediate_risk {
            Some(risk) => {
                assert!(
                    risk.instruction.contains("Child Protection Procedures")
                        || risk.instruction.contains("child protection procedures"),
                    "{id}"
                );
                assert_eq!(
                    refused.unwrap_err(),
                    RaiseError::ImmediateRisk {
                        instruction: risk.instruction.clone()
                    }
                );
            }
            // A Practice Alert is not about one child: nothing to ask.
            None => assert_eq!(refused.unwrap_err(), RaiseError::ImmediateRiskNotAsked),
        }
    }
    assert!(
        catalogue
            .get("medway-ppa")
            .unwrap()
            .immediate_risk
            .is_none()
    );
}
