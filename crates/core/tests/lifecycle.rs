//! The case lifecycle: journeys through every kind of procedure, and every refusal a
//! practitioner might meet.

use chrono::{DateTime, Duration, Utc};
use escalations_core::case::{
    Actor, AgreedAction, Case, Child, ClockState, Concern, EscalateRequest, EventKind, NextMove,
    Outcome, RaiseError, RaiseRequest, Refused, ResolveRequest, Role, Status, Transition,
};
use escalations_core::ids::{AgencyId, CaseId, LevelId, PersonId, ReasonId, StageId, Text};
use escalations_core::procedure::{Action, Party};
use escalations_core::{Calendar, Catalogue, Procedure};
use proptest::prelude::*;

fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap()
}

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

fn practitioner() -> Actor {
    actor("pat", "school", Role::Practitioner)
}
fn school_manager() -> Actor {
    actor("sam", "school", Role::Manager)
}
fn social_worker() -> Actor {
    actor("sol", "social-care", Role::Practitioner)
}
fn social_care_manager() -> Actor {
    actor("meg", "social-care", Role::Manager)
}
fn chair() -> Actor {
    actor("chris", "partnership-unit", Role::Chair)
}
fn admin() -> Actor {
    actor("ada", "partnership-unit", Role::Administrator)
}

const CHILD_NAME: &str = "Jaydon Example-Smith";

fn child() -> Child {
    Child {
        name: text(CHILD_NAME),
        date_of_birth: Some("2015-06-01".parse().unwrap()),
        address: Some(text("1 Example Road")),
        child_protection_plan: true,
        in_care: false,
    }
}

fn request(p: &Procedure, with_child: bool) -> RaiseRequest {
    RaiseRequest {
        receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
        child: with_child.then(child),
        concern: Concern {
            summary: text("Referral closed with no assessment despite new disclosures"),
            reasons: p.reasons.iter().take(1).map(|r| r.id.clone()).collect(),
            level_of_need: p.levels_of_need.first().map(|l| l.id.clone()),
            desired_outcome: None,
            tried: Some(text("Spoke to the social worker on Monday")),
        },
    }
}

fn raise(p: &Procedure, by: &Actor, now: &str) -> Transition {
    let mut req = request(p, p.subject == escalations_core::procedure::Subject::Child);
    if by.agency.as_str() == "social-care" {
        req.receiving_agency = Some(AgencyId::parse("school").unwrap());
    }
    Case::raise(
        CaseId::parse("case-1").unwrap(),
        p,
        &Calendar::new(p.division),
        by,
        req,
        at(now),
    )
    .unwrap_or_else(|e| panic!("raise: {e}"))
}

fn not_resolved() -> Outcome {
    Outcome::NotResolved {
        reasons: text("We still think the threshold is not met"),
        agreed_actions: vec![AgreedAction {
            what: text("Share the health visitor's chronology"),
            by_whom: text("Health visitor"),
            by_when: "2027-01-08".parse().unwrap(),
        }],
    }
}

fn escalation() -> EscalateRequest {
    EscalateRequest {
        to: None,
        reasons: text("No agreement on the level of need"),
        tried: None,
    }
}

fn resolution() -> ResolveRequest {
    ResolveRequest {
        outcome: text("Assessment to be opened"),
        lessons_learned: text("Threshold document needs examples"),
    }
}

fn running(case: &Case) -> (String, String, String) {
    let run = case.running_clock().expect("a clock runs");
    (
        run.stage.to_string(),
        run.clock.to_string(),
        run.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn run(r: (&str, &str, &str)) -> (String, String, String) {
    (r.0.to_owned(), r.1.to_owned(), r.2.to_owned())
}

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
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
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
    let t = case
        .resolve(p, &chair(), resolution(), at("2027-01-08T10:00:00Z"))
        .unwrap();
    let case = t.case;
    assert!(matches!(case.status, Status::Resolved { ref stage, .. } if stage == "step-4"));
    assert!(t.events.iter().any(|e| matches!(
        &e.kind,
        EventKind::ClockMet { clock, late: false, .. } if clock == "decision"
    )));
    assert_eq!(case.version, 8);
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
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
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
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-03-04T10:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .escalate(p, &cal, &school_manager(), jump, at("2026-03-04T11:00:00Z"))
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
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
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
    let case = case
        .escalate(p, &cal, &chair(), escalation(), at("2026-06-08T10:00:00Z"))
        .unwrap()
        .case;
    assert_eq!(
        running(&case),
        run(("level-2", "escalate", "2026-06-09T10:00:00Z"))
    );
    let refused = case
        .respond(
            p,
            &cal,
            &chair(),
            not_resolved(),
            at("2026-06-08T11:00:00Z"),
        )
        .unwrap_err();
    assert!(
        matches!(refused, Refused::NotThisAction { .. }),
        "{refused}"
    );
    let case = case
        .submit(p, &cal, &chair(), at("2026-06-08T12:00:00Z"))
        .unwrap()
        .case;
    assert_eq!(
        running(&case),
        run(("level-2", "response", "2026-06-09T12:00:00Z"))
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
    let case = case
        .respond(
            p,
            &cal,
            &chair(),
            Outcome::Resolved {
                summary: text("Procedure to be reviewed"),
            },
            at("2026-06-10T09:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .resolve(p, &practitioner(), resolution(), at("2026-06-11T09:00:00Z"))
        .unwrap()
        .case;
    assert!(!case.status.is_open());
}

#[test]
fn moray_runs_six_stages_in_scotland() {
    let catalogue = catalogue();
    let p = catalogue.get("moray").unwrap();
    let cal = Calendar::new(p.division);
    let mut case = raise(p, &practitioner(), "2026-11-23T10:00:00Z").case;
    let mut now = at("2026-11-24T10:00:00Z");
    for stage in ["initial", "stage-1", "stage-2", "stage-3", "stage-4"] {
        assert_eq!(case.stage, stage);
        case = case
            .respond(p, &cal, &school_manager(), not_resolved(), now)
            .unwrap()
            .case;
        now += Duration::hours(1);
        case = case
            .escalate(p, &cal, &school_manager(), escalation(), now)
            .unwrap()
            .case;
        now += Duration::hours(1);
    }
    assert_eq!(case.stage, "stage-5");
    // Tuesday 24 Nov + 5 Scottish working days: 25, 26, 27, 30 Nov is St Andrew's Day, 1, 2 Dec.
    assert_eq!(running(&case).2, "2026-12-03T00:00:00Z");
    let case = case
        .resolve(p, &school_manager(), resolution(), now)
        .unwrap()
        .case;
    assert!(matches!(case.status, Status::Resolved { ref stage, .. } if stage == "stage-5"));
}

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

#[test]
fn breaches_are_recorded_once_and_events_never_carry_the_child_or_free_text() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let t = raise(p, &practitioner(), "2026-11-23T10:00:00Z");
    let due = t.case.running_clock().unwrap().due;
    assert!(t.case.record_breaches(due - Duration::seconds(1)).is_none());
    let breached = t
        .case
        .record_breaches(due)
        .expect("a breach at the due instant");
    assert!(
        matches!(breached.events[..], [ref e] if matches!(e.kind, EventKind::ClockBreached { .. }) && e.by.is_none())
    );
    assert_eq!(breached.case.version, t.case.version + 1);
    assert!(
        breached
            .case
            .record_breaches(due + Duration::days(3))
            .is_none()
    );

    let json = serde_json::to_string(&[t.events, breached.events].concat()).unwrap();
    for secret in [
        CHILD_NAME,
        "2015-06-01",
        "Example Road",
        "disclosures",
        "social worker on Monday",
    ] {
        assert!(
            !json.contains(secret),
            "{secret} leaked into events: {json}"
        );
    }
}

/// Random sequences of actions by random people at increasing times.
fn any_step() -> impl Strategy<Value = (u8, u8, i64)> {
    (0u8..6, 0u8..6, 0i64..(6 * 24 * 3600))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_sequence_keeps_one_running_clock_in_the_current_stage_and_counts_versions(
        procedure in 0usize..6,
        steps in prop::collection::vec(any_step(), 1..25),
    ) {
        let catalogue = catalogue();
        let p = catalogue.iter().nth(procedure).unwrap();
        let cal = Calendar::new(p.division);
        let raiser = if p.raised_by.contains(&escalations_core::procedure::RaiserRole::Chair) { chair() } else { practitioner() };
        let mut now = at("2026-11-20T09:00:00Z");
        let first = raise(p, &raiser, "2026-11-20T09:00:00Z");
        let mut case = first.case;
        let people = [practitioner(), school_manager(), social_worker(), social_care_manager(), chair(), admin()];
        for (action, who, gap) in steps {
            now += Duration::seconds(gap);
            let who = &people[who as usize];
            let result = match action {
                0 => case.respond(p, &cal, who, not_resolved(), now),
                1 => case.respond(p, &cal, who, Outcome::Resolved { summary: text("ok") }, now),
                2 => case.escalate(p, &cal, who, escalation(), now),
                3 => case.submit(p, &cal, who, now),
                4 => case.resolve(p, who, resolution(), now),
                _ => match case.record_breaches(now) { Some(t) => Ok(t), None => continue },
            };
            if let Ok(t) = result {
                prop_assert_eq!(t.case.version, case.version + 1);
                prop_assert!(!t.events.is_empty());
                prop_assert!(t.events.iter().all(|e| e.version == t.case.version));
                case = t.case;
            }
            let running: Vec<_> = case.clocks.iter().filter(|c| c.is_running()).collect();
            prop_assert!(running.len() <= 1);
            if let Some(run) = running.first() {
                prop_assert_eq!(&run.stage, &case.stage);
                prop_assert!(case.status.is_open());
            }
            if case.status.is_open() {
                prop_assert!(case.next_move(p).is_some());
            }
            // What a work queue works out from a list entry agrees with the whole case.
            if let Some(next) = case.next_move(p) {
                match case.running_clock() {
                    Some(run) => prop_assert_eq!(
                        NextMove::while_clock_runs(p, &case.stage, &run.clock, run.owner, run.due),
                        Some(next)
                    ),
                    None => prop_assert!(
                        NextMove::parties_without_clock(p, &case.stage).contains(&next.party)
                    ),
                }
            }
            for person in &people {
                prop_assert_eq!(
                    person.parties_in(&case.raising_agency, case.receiving_agency.as_ref()),
                    case.parties_of(person)
                );
            }
        }
    }
}
