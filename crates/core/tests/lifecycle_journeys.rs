//! Lifecycle journeys through every kind of procedure: Sefton's four steps with cumulative
//! timescales, Medway's stages taken in order, the SSCP MSET levels' clocks one after another,
//! a partnership practice alert with no child, and Moray's six stages on Scottish holidays.

mod common;

use chrono::Duration;
use common::{
    actor, at, catalogue, chair, escalation, not_resolved, practitioner, raise, request,
    resolution, run, running, school_at, school_manager, social_care_at, social_care_manager,
    social_worker, stated_at, text,
};
use escalations_core::Calendar;
use escalations_core::case::{
    Case, ClockState, EscalateRequest, EventKind, Outcome, RaiseError, Refused, Role, Status,
};
use escalations_core::case::{Decider, Level};
use escalations_core::ids::{AgencyId, CaseId, PersonId, StageId};
use escalations_core::procedure::{Action, Party};

#[test]
fn sefton_runs_its_four_steps_with_cumulative_timescales() {
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(p.division);
    let t = raise(p, &practitioner(), "2026-12-23T15:00:00Z");
    let case = t.case;
    assert_eq!(case.version, 1);
    assert_eq!(
        running(&case),
        run(("step-1", "response", "2026-12-30T00:00:00Z"))
    );
    let next = case.next_move(p).unwrap();
    assert_eq!(
        (next.party, next.actions.clone()),
        (Party::Receiving, vec![Action::Respond])
    );

    let case = case
        .respond(
            p,
            &cal,
            &social_worker(),
            not_resolved(),
            at("2026-12-24T10:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        case.next_move(p).unwrap().actions,
        [Action::Escalate, Action::Resolve]
    );
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-12-24T11:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        running(&case),
        run(("step-2", "response", "2026-12-31T00:00:00Z"))
    );
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-12-30T09:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-12-30T10:00:00Z"),
        )
        .unwrap()
        .case;
    // Wed 30 Dec: 31 Dec (1), 1 Jan holiday, weekend, Mon 4 Jan (2).
    assert_eq!(
        running(&case),
        run(("step-3", "response", "2027-01-05T00:00:00Z"))
    );
    // "Step 3 / Direct Head of Service to Head of Service Discussion"
    let case = case
        .respond(
            p,
            &cal,
            &social_care_at(Level::HeadOfService),
            not_resolved(),
            at("2027-01-04T16:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2027-01-04T17:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        running(&case),
        run(("step-4", "decision", "2027-01-12T00:00:00Z"))
    );
    // Only the independently chaired meeting (the partnership) makes the binding decision.
    let refused = case
        .resolve(
            p,
            &school_manager(),
            resolution(),
            at("2027-01-05T10:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(refused, Refused::NotYourMove { .. }), "{refused}");
    // "Multi-agency conflicts resolved at Steps 3 and 4 must be reported to Sefton SCP Team":
    // not resolved before the Report to SSCP is recorded.
    let refused = case
        .resolve(p, &chair(), resolution(), at("2027-01-08T10:00:00Z"))
        .unwrap_err();
    assert!(
        matches!(refused, Refused::FormRequiredToClose { .. }),
        "{refused}"
    );
    let case = common::report_to_sscp(&case, p, &chair(), "2027-01-08T09:00:00Z");
    let t = case
        .resolve(p, &chair(), resolution(), at("2027-01-08T10:00:00Z"))
        .unwrap();
    let case = t.case;
    assert!(matches!(case.status, Status::Resolved { ref stage, .. } if stage == "step-4"));
    assert!(t.events.iter().any(|e| matches!(
        &e.kind,
        EventKind::ClockMet { clock, late: false, .. } if clock == "decision"
    )));
    assert_eq!(
        case.version, 9,
        "raise, three responses, three escalations, the report, the decision"
    );
    assert!(case.next_move(p).is_none());
    // Every clock of the journey was met on time.
    let now = at("2027-02-01T00:00:00Z");
    assert!(
        case.clocks
            .iter()
            .all(|c| c.state(now) == ClockState::Met { late: false })
    );
}

#[test]
fn medway_stage_3_needs_stages_1_and_2_first() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let cal = Calendar::new(p.division);
    let case = raise(p, &practitioner(), "2026-03-02T09:00:00Z").case;
    // "Stage 1 – Escalate to Service Manager"
    let case = case
        .respond(
            p,
            &cal,
            &social_care_at(Level::SecondLine),
            not_resolved(),
            at("2026-03-03T09:00:00Z"),
        )
        .unwrap()
        .case;
    let jump = EscalateRequest {
        to: Some(StageId::parse("stage-3").unwrap()),
        ..escalation()
    };
    let refused = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            jump.clone(),
            at("2026-03-03T10:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "stage-3 needs stage-2 first: stage-2 has not been used for this case"
    );
    // Going one stage at a time works, and stage 3 then opens.
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-03-03T10:00:00Z"),
        )
        .unwrap()
        .case;
    // "Stage 2 – Escalate to Designated Safeguarding Leads/ Head of Service"
    let case = case
        .respond(
            p,
            &cal,
            &social_care_at(Level::HeadOfService),
            not_resolved(),
            at("2026-03-04T10:00:00Z"),
        )
        .unwrap()
        .case;
    // "the Service Manager/ Designated Safeguarding Leads must escalate to the agency Assistant
    // Director/ Deputy Director/ Headteacher/ Governor or equivalent"
    let refused = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            jump.clone(),
            at("2026-03-04T11:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "stage-3 is escalated by a second line / service manager or above on the raising side \
         (or the partnership's chair): you are a first line manager"
    );
    let case = case
        .escalate(
            p,
            &cal,
            &school_at(Level::SecondLine),
            jump,
            at("2026-03-04T11:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(case.stage, "stage-3");
    // Medway informs the Child Protection Conference Chair: this child has a CP plan.
    let informed: Vec<_> = case
        .to_inform(p.stage("stage-3").unwrap())
        .iter()
        .map(|i| i.who.clone())
        .collect();
    assert_eq!(informed.len(), 1, "{informed:?}");
    assert!(informed[0].contains("Child Protection Conference Chair"));
    // Stage 4 has no timescale: the MSCP Executive responds, with no due date.
    // "Stage 3 – Escalate to Assistant/ Deputy Directors": a head of service is too junior.
    let refused = case
        .respond(
            p,
            &cal,
            &social_care_at(Level::HeadOfService),
            not_resolved(),
            at("2026-03-05T10:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "stage-3 is answered by Assistant Director / Deputy Director / Headteacher / Governor or \
         equivalent (director) or above in social-care: you are a head of service; record it on \
         their behalf with on_behalf_of"
    );
    let case = case
        .respond(
            p,
            &cal,
            &social_care_at(Level::Director),
            not_resolved(),
            at("2026-03-05T10:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-03-05T11:00:00Z"),
        )
        .unwrap()
        .case;
    assert!(case.running_clock().is_none());
    let next = case.next_move(p).unwrap();
    assert_eq!((next.party, next.due), (Party::Partnership, None));
    let refused = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-03-06T11:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(refused, Refused::LastStage { .. }));
}

#[test]
fn sscp_mset_levels_run_their_clocks_one_after_another() {
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset").unwrap();
    let cal = Calendar::new(p.division);
    // Only the chair raises MSET escalations.
    let refused = Case::raise(
        CaseId::parse("case-2").unwrap(),
        p,
        &cal,
        &practitioner(),
        request(p, true),
        at("2026-06-01T09:00:00Z"),
    )
    .unwrap_err();
    assert!(
        matches!(refused, RaiseError::RoleMayNotRaise { .. }),
        "{refused}"
    );

    let case = raise(p, &chair(), "2026-06-01T09:00:00Z").case;
    assert_eq!(
        running(&case),
        run(("submission", "submit", "2026-06-04T09:00:00Z"))
    );
    // Sending the pro-forma to the line manager is the escalation to level 1.
    let case = case
        .escalate(p, &cal, &chair(), escalation(), at("2026-06-02T09:00:00Z"))
        .unwrap()
        .case;
    assert_eq!(
        running(&case),
        run(("level-1", "response", "2026-06-09T23:00:00Z"))
    );
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-06-05T09:00:00Z"),
        )
        .unwrap()
        .case;
    // The chair's reply clock starts when the line manager's response is recorded.
    assert_eq!(
        running(&case),
        run(("level-1", "chair-reply", "2026-06-12T23:00:00Z"))
    );
    let refused = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-06-05T10:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(refused, Refused::NotYourMove { .. }), "{refused}");
    let case = case
        .respond(
            p,
            &cal,
            &chair(),
            not_resolved(),
            at("2026-06-08T09:00:00Z"),
        )
        .unwrap()
        .case;
    // "If the outcome is not deemed adequate then Level 2 of this process should be
    // implemented" / "MSET Chair to escalate to Senior Manager within 24 hours": the 24 hours
    // run from the Chair's "not resolved" reply, not from entering level 2.
    assert_eq!(
        running(&case),
        run(("level-1", "escalate", "2026-06-09T09:00:00Z"))
    );
    let case = case
        .escalate(p, &cal, &chair(), escalation(), at("2026-06-08T10:00:00Z"))
        .unwrap()
        .case;
    assert!(case.clocks.iter().any(|c| c.clock == "escalate"
        && c.stage == "level-1"
        && c.state(at("2026-06-08T10:00:00Z")) == ClockState::Met { late: false }));
    // "Strategic Manager to respond within 24 hours to MSET Operational Chair"
    assert_eq!(
        running(&case),
        run(("level-2", "response", "2026-06-09T10:00:00Z"))
    );
    let refused = case
        .submit(p, &cal, &chair(), at("2026-06-08T12:00:00Z"))
        .unwrap_err();
    assert!(
        matches!(refused, Refused::NotThisAction { .. }),
        "{refused}"
    );
}

#[test]
fn a_partnership_practice_alert_is_not_about_a_child() {
    let catalogue = catalogue();
    let p = catalogue.get("medway-ppa").unwrap();
    let cal = Calendar::new(p.division);
    let refused = Case::raise(
        CaseId::parse("ppa-1").unwrap(),
        p,
        &cal,
        &practitioner(),
        request(p, true),
        at("2026-06-01T09:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(refused, RaiseError::ChildNotAllowed);
    let case = raise(p, &practitioner(), "2026-06-01T09:00:00Z").case;
    assert!(case.child.is_none());
    let next = case.next_move(p).unwrap();
    assert_eq!(
        (next.stage.as_str(), next.party, next.due),
        ("alert", Party::Partnership, None)
    );
    assert!(next.who.contains("police, health"), "{}", next.who);
    let case = case
        .respond(
            p,
            &cal,
            &actor("pc", "police", Role::Manager),
            Outcome::Resolved {
                summary: text("Procedure to be reviewed"),
                agreed_actions: vec![],
            },
            at("2026-06-10T09:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .resolve(p, &chair(), resolution(), at("2026-06-11T09:00:00Z"))
        .unwrap()
        .case;
    assert!(!case.status.is_open());
}

/// Medway, section 3: "The MSCP will request the Learning Lessons group members to consider
/// the alert and respond on behalf of their agency. The Learning Lessons group will be
/// responsible for the oversight of any actions as a result of the alert."
#[test]
fn a_practice_alert_takes_one_response_from_each_agency_asked_and_the_partnership_closes_it() {
    let catalogue = catalogue();
    let p = catalogue.get("medway-ppa").unwrap();
    let cal = Calendar::new(p.division);
    // `request` asks the police and health.
    let case = raise(p, &practitioner(), "2026-06-01T09:00:00Z").case;
    let answer = |who: &str| Outcome::Resolved {
        summary: text(&format!("{who}: practice reviewed")),
        agreed_actions: vec![],
    };
    let police = actor("pc", "police", Role::Manager);
    let health = actor("hv", "health", Role::Practitioner);
    // An agency not asked, and the chair, do not answer for the agencies.
    for outsider in [social_care_manager(), chair()] {
        let refused = case
            .respond(p, &cal, &outsider, answer("x"), at("2026-06-02T09:00:00Z"))
            .unwrap_err();
        assert!(matches!(refused, Refused::NotYourMove { .. }), "{refused}");
    }
    let case = case
        .respond(
            p,
            &cal,
            &police,
            answer("police"),
            at("2026-06-02T09:00:00Z"),
        )
        .unwrap()
        .case;
    let refused = case
        .respond(
            p,
            &cal,
            &actor("pc2", "police", Role::Practitioner),
            answer("again"),
            at("2026-06-03T09:00:00Z"),
        )
        .unwrap_err();
    assert!(
        matches!(refused, Refused::AlreadyAnswered { .. }),
        "{refused}"
    );
    let next = case.next_move(p).unwrap();
    assert!(next.who.ends_with("for health"), "{}", next.who);
    let case = case
        .respond(
            p,
            &cal,
            &health,
            answer("health"),
            at("2026-06-03T09:00:00Z"),
        )
        .unwrap()
        .case;
    let next = case.next_move(p).unwrap();
    assert_eq!(
        (next.party, next.actions.clone()),
        (Party::Partnership, vec![Action::Resolve])
    );
    // The informer does not close it: the partnership does.
    let refused = case
        .resolve(p, &practitioner(), resolution(), at("2026-06-04T09:00:00Z"))
        .unwrap_err();
    assert!(matches!(refused, Refused::NotYourMove { .. }), "{refused}");
    let case = case
        .resolve(p, &chair(), resolution(), at("2026-06-04T09:00:00Z"))
        .unwrap()
        .case;
    assert!(!case.status.is_open());
    // Both agencies list the alert: each was asked.
    let concerned = case.agencies_concerned();
    assert!(concerned.iter().any(|a| a == "police") && concerned.iter().any(|a| a == "health"));
}

#[test]
fn a_practice_alert_names_the_agencies_it_asks_and_other_procedures_name_none() {
    let catalogue = catalogue();
    let ppa = catalogue.get("medway-ppa").unwrap();
    let mut none_asked = request(ppa, false);
    none_asked.agencies_asked.clear();
    let refused = Case::raise(
        CaseId::parse("ppa-2").unwrap(),
        ppa,
        &Calendar::new(ppa.division),
        &practitioner(),
        none_asked,
        at("2026-06-01T09:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(refused, RaiseError::AgenciesAskedRequired);
    let sefton = catalogue.get("sefton").unwrap();
    let mut asked = request(sefton, true);
    asked.agencies_asked = vec![AgencyId::parse("police").unwrap()];
    let refused = Case::raise(
        CaseId::parse("case-2").unwrap(),
        sefton,
        &Calendar::new(sefton.division),
        &practitioner(),
        asked,
        at("2026-06-01T09:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(refused, RaiseError::AgenciesAskedNotUsed);
}

#[test]
fn moray_runs_six_stages_in_scotland() {
    let catalogue = catalogue();
    let p = catalogue.get("moray").unwrap();
    let cal = Calendar::new(p.division);
    let mut case = raise(p, &practitioner(), "2026-11-23T10:00:00Z").case;
    let mut now = at("2026-11-24T10:00:00Z");
    // Appendix 3's lines of management, climbed in the escalating agency: whoever answers at a
    // stage escalates from it ("the concerned practitioner's first line manager ... should
    // escalate the concern to their own line manager").
    for (stage, who) in [
        ("initial", practitioner()),
        ("stage-1", school_at(Level::FirstLine)),
        ("stage-2", school_at(Level::SecondLine)),
        ("stage-3", school_at(Level::SecondLine)),
        ("stage-4", school_at(Level::HeadOfService)),
    ] {
        assert_eq!(case.stage, stage);
        if stage == "stage-3" {
            // The meeting with the equivalents at partner agencies took place.
            case = case
                .submit_with(p, &cal, &who, &stated_at(now), now)
                .unwrap()
                .case;
        }
        case = case
            .respond(p, &cal, &who, not_resolved(), now)
            .unwrap()
            .case;
        now += Duration::hours(1);
        // The discussion or meeting at the next stage takes place as it is entered.
        case = case
            .escalate_with(p, &cal, &who, escalation(), &stated_at(now), now)
            .unwrap()
            .case;
        now += Duration::hours(1);
    }
    assert_eq!(case.stage, "stage-5");
    // Tuesday 24 Nov + 5 Scottish working days: 25, 26, 27, 30 Nov is St Andrew's Day, 1, 2 Dec.
    assert_eq!(running(&case).2, "2026-12-03T00:00:00Z");
    // "ultimately, the Chief Social Work Officer (CSWO) has the responsibility for the final
    // decision": the Head of Service cannot make it, but records it on the CSWO's behalf.
    let head = school_at(Level::HeadOfService);
    let refused = case.resolve(p, &head, resolution(), now).unwrap_err();
    assert!(matches!(refused, Refused::LevelAsked { .. }), "{refused}");
    let cswo = Decider {
        person: PersonId::parse("cswo").unwrap(),
        agency: AgencyId::parse("social-care").unwrap(),
        level: Some(Level::ChiefSocialWorkOfficer),
    };
    let case = case
        .resolve(p, &head.for_decider(cswo.clone()), resolution(), now)
        .unwrap()
        .case;
    assert!(
        matches!(case.status, Status::Resolved { ref decided_by, .. } if decided_by.as_ref() == Some(&cswo))
    );
    assert!(matches!(case.status, Status::Resolved { ref stage, .. } if stage == "stage-5"));
}

/// SSCP MSET: "Partners identified within the operational group membership regularly do not
/// attend ... Pro-forma should be shared with the SSCP Business Unit." An alert about the
/// agency, raised by the Chair, with no child and no clock; the Business Unit takes it and the
/// partnership closes it.
#[test]
fn mset_partners_non_attendance_is_raised_about_an_agency_without_a_child() {
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset-partner-non-attendance").unwrap();
    let cal = Calendar::new(p.division);
    let raise_with = |req| {
        Case::raise(
            CaseId::parse("alert-1").unwrap(),
            p,
            &cal,
            &chair(),
            req,
            at("2026-06-01T09:00:00Z"),
        )
    };
    let mut with_child = request(p, true);
    with_child.immediate_risk = None;
    assert_eq!(
        raise_with(with_child).unwrap_err(),
        RaiseError::ChildNotAllowed
    );
    let mut no_agency = request(p, false);
    no_agency.receiving_agency = None;
    assert_eq!(
        raise_with(no_agency).unwrap_err(),
        RaiseError::ReceivingAgencyRequired
    );
    let case = raise_with(request(p, false)).unwrap().case;
    assert!(case.child.is_none() && case.child_key.is_none());
    assert_eq!(
        case.receiving_agency.as_ref().unwrap().as_str(),
        "social-care"
    );
    assert!(case.running_clock().is_none(), "no 72-hour clock");
    let next = case.next_move(p).unwrap();
    assert_eq!((next.party, next.due), (Party::Partnership, None));
    assert!(next.who.contains("SSCP Business Unit"), "{}", next.who);
    let case = case
        .respond(
            p,
            &cal,
            &chair(),
            Outcome::Resolved {
                summary: text("Raised with the agency's strategic lead"),
                agreed_actions: vec![],
            },
            at("2026-06-02T09:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .resolve(p, &chair(), resolution(), at("2026-06-03T09:00:00Z"))
        .unwrap()
        .case;
    assert!(!case.status.is_open());
}
