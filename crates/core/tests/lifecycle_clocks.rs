//! Clocks as the documents time them (issue 9, item 3): stated starts, "if not resolved"
//! clocks, Moray stage 3's meeting, the MSET Chair's shorter timescale. Each test quotes the
//! document line it enforces.

mod common;

use std::num::NonZeroU32;

use common::{
    at, catalogue, chair, escalation, not_resolved, request, run, running, school_at,
    school_manager, social_care_manager, stated, text,
};
use escalations_core::Calendar;
use escalations_core::case::{
    Case, ClockInput, ClockRefused, EventKind, Level, Outcome, RaiseError, Refused,
};
use escalations_core::ids::CaseId;
use escalations_core::procedure::{ClockStart, Procedure};
use escalations_core::timescale::Timescale;

fn raise_mset(p: &Procedure, input: &ClockInput, now: &str) -> Result<Case, RaiseError> {
    Case::raise_with(
        CaseId::parse("mset-1").unwrap(),
        p,
        &Calendar::new(p.division),
        &chair(),
        request(p, true),
        input,
        at(now),
    )
    .map(|t| t.case)
}

fn resolved() -> Outcome {
    Outcome::Resolved {
        summary: text("The line manager has allocated a key worker"),
        agreed_actions: vec![],
    }
}

#[test]
fn mset_submission_runs_72_hours_from_the_meeting_which_may_come_before_the_raise() {
    // "this action must be taken within a maximum of 72 hours" of "the SSCP MSET Operational
    // Group meeting, or notification of the concern"
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset").unwrap();
    let case = raise_mset(p, &stated("2026-06-01T09:00:00Z"), "2026-06-02T15:00:00Z").unwrap();
    assert_eq!(
        running(&case),
        run(("submission", "submit", "2026-06-04T09:00:00Z"))
    );
    assert_eq!(case.clocks[0].started_at, at("2026-06-01T09:00:00Z"));

    let missing = raise_mset(p, &ClockInput::default(), "2026-06-02T15:00:00Z").unwrap_err();
    assert!(
        matches!(&missing, RaiseError::Clock(ClockRefused::StatedStartRequired { from, .. }) if from == "the meeting or notification"),
        "{missing}"
    );
    assert!(missing.to_string().contains("72 hours"), "{missing}");

    let future =
        raise_mset(p, &stated("2026-06-03T09:00:00Z"), "2026-06-02T15:00:00Z").unwrap_err();
    assert!(
        matches!(
            future,
            RaiseError::Clock(ClockRefused::StatedStartInFuture { .. })
        ),
        "{future}"
    );
}

#[test]
fn moray_records_run_from_the_discussion_and_only_the_initial_one_precedes_the_raise() {
    // "distributed within 5 working days of the discussion"
    let catalogue = catalogue();
    let p = catalogue.get("moray").unwrap();
    let cal = Calendar::new(p.division);
    let raise = |input: &ClockInput| {
        Case::raise_with(
            CaseId::parse("moray-1").unwrap(),
            p,
            &cal,
            &common::practitioner(),
            request(p, true),
            input,
            at("2026-11-23T10:00:00Z"),
        )
    };
    let missing = raise(&ClockInput::default()).unwrap_err();
    assert!(missing.to_string().contains("the discussion"), "{missing}");
    let future = raise(&stated("2026-11-23T10:00:01Z")).unwrap_err();
    assert!(
        matches!(
            future,
            RaiseError::Clock(ClockRefused::StatedStartInFuture { .. })
        ),
        "{future}"
    );

    // The initial discussion took place on Friday 20 November: the record is due 5 working
    // days later (23, 24, 25, 26, 27 November).
    let case = raise(&stated("2026-11-20T10:00:00Z")).unwrap().case;
    assert_eq!(
        running(&case),
        run(("initial", "record", "2026-11-28T00:00:00Z"))
    );
    let case = case
        .respond(
            p,
            &cal,
            &school_manager(),
            not_resolved(),
            at("2026-11-24T09:00:00Z"),
        )
        .unwrap()
        .case;
    // Stage 1's discussion comes after the raise.
    let early = case
        .escalate_with(
            p,
            &cal,
            &school_manager(),
            escalation(),
            &stated("2026-11-23T09:00:00Z"),
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap_err();
    assert!(
        matches!(
            early,
            Refused::Clock(ClockRefused::StatedStartBeforeRaise { .. })
        ),
        "{early}"
    );
    // Escalating to stage 1 starts its record clock: when did the discussion take place?
    let refused = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Refused::Clock(ClockRefused::StatedStartRequired { .. })
        ),
        "{refused}"
    );
    let case = case
        .escalate_with(
            p,
            &cal,
            &school_manager(),
            escalation(),
            &stated("2026-11-24T09:30:00Z"),
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap()
        .case;
    // Tuesday 24 Nov + 5 Scottish working days (30 Nov is St Andrew's Day): end of 2 Dec.
    assert_eq!(
        running(&case),
        run(("stage-1", "record", "2026-12-03T00:00:00Z"))
    );
}

#[test]
fn moray_stage_3_arranges_a_meeting_then_records_it_from_the_meeting() {
    // "Arrange a meeting with their equivalent(s) at partner agencies within 5 working days"
    // and "within 5 working days emails the completed Record (Appendix 2)"
    let catalogue = catalogue();
    let p = catalogue.get("moray").unwrap();
    let cal = Calendar::new(p.division);
    let stage = p.stage("stage-3").unwrap();
    assert_eq!(stage.clocks[0].id, "meeting");
    assert_eq!(stage.clocks[0].starts, ClockStart::Previous);
    assert!(
        matches!(&stage.clocks[1].starts, ClockStart::Stated { from, before_raise: false } if from == "the meeting")
    );

    let mut case = common::raise(p, &common::practitioner(), "2026-03-02T09:00:00Z").case;
    for (i, _) in ["initial", "stage-1", "stage-2"].iter().enumerate() {
        let now = at("2026-03-02T10:00:00Z") + chrono::Duration::hours(i as i64 * 2);
        case = case
            .respond(p, &cal, &school_at(Level::SecondLine), not_resolved(), now)
            .unwrap()
            .case;
        case = case
            .escalate_with(
                p,
                &cal,
                &school_at(Level::SecondLine),
                escalation(),
                &ClockInput {
                    meeting_at: Some(now),
                    shorter: None,
                },
                now + chrono::Duration::hours(1),
            )
            .unwrap()
            .case;
    }
    assert_eq!(case.stage, "stage-3");
    // Entered on Monday 2 March at 15:00: the meeting is due by the end of Monday 9 March.
    assert_eq!(
        running(&case),
        run(("stage-3", "meeting", "2026-03-10T00:00:00Z"))
    );
    let case = case
        .submit_with(
            p,
            &cal,
            &school_at(Level::SecondLine),
            &stated("2026-03-05T14:00:00Z"),
            at("2026-03-06T09:00:00Z"),
        )
        .unwrap()
        .case;
    // The record runs from the meeting on Thursday 5 March: end of Thursday 12 March.
    assert_eq!(
        running(&case),
        run(("stage-3", "record", "2026-03-13T00:00:00Z"))
    );
}

fn mset_at_level_1_chair_reply(p: &Procedure, cal: &Calendar) -> Case {
    let case = raise_mset(p, &stated("2026-06-01T09:00:00Z"), "2026-06-01T09:00:00Z").unwrap();
    let case = case
        .escalate(p, cal, &chair(), escalation(), at("2026-06-02T09:00:00Z"))
        .unwrap()
        .case;
    case.respond(
        p,
        cal,
        &social_care_manager(),
        not_resolved(),
        at("2026-06-05T09:00:00Z"),
    )
    .unwrap()
    .case
}

#[test]
fn mset_escalate_clock_starts_only_if_the_chair_finds_the_outcome_not_adequate() {
    // "If the outcome is not deemed adequate then Level 2 of this process should be
    // implemented." / "MSET Chair to escalate to Senior Manager within 24 hours."
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset").unwrap();
    let cal = Calendar::new(p.division);
    let case = mset_at_level_1_chair_reply(p, &cal);

    let adequate = case
        .respond(p, &cal, &chair(), resolved(), at("2026-06-08T09:00:00Z"))
        .unwrap()
        .case;
    assert!(adequate.running_clock().is_none());

    let inadequate = case
        .respond(
            p,
            &cal,
            &chair(),
            not_resolved(),
            at("2026-06-08T09:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        running(&inadequate),
        run(("level-1", "escalate", "2026-06-09T09:00:00Z"))
    );
}

#[test]
fn mset_level_2_escalate_runs_from_the_missed_response() {
    // "If the response is not received or is not appropriate then Level 3 of this process
    // should be implemented." / "MSET Chair to escalate within 24 hours"
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset").unwrap();
    let cal = Calendar::new(p.division);
    let case = mset_at_level_1_chair_reply(p, &cal)
        .respond(
            p,
            &cal,
            &chair(),
            not_resolved(),
            at("2026-06-08T09:00:00Z"),
        )
        .unwrap()
        .case
        .escalate(p, &cal, &chair(), escalation(), at("2026-06-08T10:00:00Z"))
        .unwrap()
        .case;
    assert_eq!(
        running(&case),
        run(("level-2", "response", "2026-06-09T10:00:00Z"))
    );
    // The sweeper notices the missed response late; the 24 hours still run from the breach.
    let t = case
        .record_breaches_in(p, &cal, at("2026-06-09T15:00:00Z"))
        .unwrap()
        .unwrap();
    assert_eq!(
        running(&t.case),
        run(("level-2", "escalate", "2026-06-10T10:00:00Z"))
    );
    assert!(t.events.iter().any(|e| matches!(&e.kind,
        EventKind::ClockStarted { clock, from: Some(from), .. } if clock == "escalate" && *from == at("2026-06-09T10:00:00Z"))));
    // Nothing more to record until the escalate clock itself is due.
    assert!(
        t.case
            .record_breaches_in(p, &cal, at("2026-06-09T16:00:00Z"))
            .unwrap()
            .is_none()
    );

    // A "not resolved" response in time starts the same clock from the response; level 2 is
    // "Escalation to Strategic Manager (or equivalent second tier Manager)".
    let answered = case
        .respond(
            p,
            &cal,
            &common::social_care_at(Level::SecondLine),
            not_resolved(),
            at("2026-06-09T08:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        running(&answered),
        run(("level-2", "escalate", "2026-06-10T08:00:00Z"))
    );
}

#[test]
fn the_mset_chair_may_set_a_shorter_timescale_only_for_the_submission() {
    // "The timescale for completion (if specific immediate safeguarding concerns are
    // identified)" / "this action must be taken within a maximum of 72 hours"
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset").unwrap();
    let cal = Calendar::new(p.division);
    let hours = |n| Timescale::Hours(NonZeroU32::new(n).unwrap());
    let shorter = |n| ClockInput {
        meeting_at: Some(at("2026-06-01T09:00:00Z")),
        shorter: Some(hours(n)),
    };
    let case = raise_mset(p, &shorter(24), "2026-06-01T10:00:00Z").unwrap();
    assert_eq!(
        running(&case),
        run(("submission", "submit", "2026-06-02T09:00:00Z"))
    );
    assert_eq!(case.clocks[0].shortened_to, Some(hours(24)));

    let longer = raise_mset(p, &shorter(96), "2026-06-01T10:00:00Z").unwrap_err();
    assert!(
        matches!(longer, RaiseError::Clock(ClockRefused::NotShorter { .. })),
        "{longer}"
    );

    // Only the submission clock may be shortened.
    let refused = case
        .escalate_with(
            p,
            &cal,
            &chair(),
            escalation(),
            &ClockInput {
                meeting_at: None,
                shorter: Some(hours(2)),
            },
            at("2026-06-01T11:00:00Z"),
        )
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Refused::Clock(ClockRefused::ShorterNotAllowed { .. })
        ),
        "{refused}"
    );
    // And Sefton's clocks not at all.
    let sefton = catalogue.get("sefton").unwrap();
    let refused = Case::raise_with(
        CaseId::parse("sefton-1").unwrap(),
        sefton,
        &Calendar::new(sefton.division),
        &common::practitioner(),
        request(sefton, true),
        &ClockInput {
            meeting_at: None,
            shorter: Some(Timescale::WorkingDays(NonZeroU32::new(1).unwrap())),
        },
        at("2026-06-01T10:00:00Z"),
    )
    .unwrap_err();
    assert!(
        matches!(
            refused,
            RaiseError::Clock(ClockRefused::ShorterNotAllowed { .. })
        ),
        "{refused}"
    );
}

#[test]
fn the_non_attendance_clocks_both_run_from_the_meeting() {
    // "request an updated Risk Assessment be submitted to MSET and a case review of the level
    // of risk within 72 hours" / "complete the MSET resolution pro-forma (Appendix 2) within 5
    // working days"
    let catalogue = catalogue();
    let p = catalogue.get("sscp-mset-non-attendance").unwrap();
    for stage in ["notice", "resolution"] {
        assert!(matches!(&p.stage(stage).unwrap().clocks[0].starts,
            ClockStart::Stated { from, before_raise: true } if from == "the meeting"));
    }
}

#[test]
fn sefton_steps_carry_their_running_totals() {
    // "within a further 2 working days of step 1 (4 days total)", "(6 days total)",
    // "WITHIN A FURTHER 5 WORKING DAYS (11 days total)"
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let totals: Vec<String> = p
        .stages
        .iter()
        .map(|s| s.running_total.map(|t| t.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        totals,
        [
            "2 working days",
            "4 working days",
            "6 working days",
            "11 working days"
        ]
    );
}

#[test]
fn sefton_running_totals_are_counted_from_the_raise_and_met_by_each_steps_clock() {
    // "The discussion between managers must occur within a further 2 working days of step 1
    // (4 days total)"; "A mutually agreeable plan of action including timescales should be in
    // place within a further 2 working days (6 days total)"; "WITHIN A FURTHER 5 WORKING DAYS
    // (11 days total)"
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(p.division);
    // Monday 2 November 2026: no bank holiday until Christmas.
    let case = common::raise(p, &common::practitioner(), "2026-11-02T10:00:00Z").case;
    let totals = |case: &Case, now: &str| -> Vec<(String, String, &'static str)> {
        case.running_totals(p, &cal, at(now))
            .unwrap()
            .into_iter()
            .map(|t| {
                (
                    t.stage.to_string(),
                    t.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    t.state.as_str(),
                )
            })
            .collect()
    };
    let row = |stage: &str, due: &str, state: &'static str| (stage.into(), due.into(), state);
    assert_eq!(
        totals(&case, "2026-11-02T10:00:00Z"),
        [
            row("step-1", "2026-11-05T00:00:00Z", "running"),
            row("step-2", "2026-11-07T00:00:00Z", "running"),
            row("step-3", "2026-11-11T00:00:00Z", "running"),
            row("step-4", "2026-11-18T00:00:00Z", "running"),
        ]
    );

    let case = case
        .respond(
            p,
            &cal,
            &common::social_worker(),
            not_resolved(),
            at("2026-11-03T10:00:00Z"),
        )
        .unwrap()
        .case;
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-11-03T11:00:00Z"),
        )
        .unwrap()
        .case;
    // Step 2's own clock (2 working days from the escalation) is met late, but within the
    // 4 days total counted from the raise.
    let case = case
        .respond(
            p,
            &cal,
            &social_care_manager(),
            not_resolved(),
            at("2026-11-06T12:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        case.clocks[1].state(at("2026-11-06T12:00:00Z")),
        escalations_core::case::ClockState::Met { late: true }
    );
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            escalation(),
            at("2026-11-06T13:00:00Z"),
        )
        .unwrap()
        .case;
    assert_eq!(
        totals(&case, "2026-11-12T09:00:00Z"),
        [
            row("step-1", "2026-11-05T00:00:00Z", "met"),
            row("step-2", "2026-11-07T00:00:00Z", "met"),
            row("step-3", "2026-11-11T00:00:00Z", "missed"),
            row("step-4", "2026-11-18T00:00:00Z", "running"),
        ]
    );

    // Resolved at step 3 before step 4's target: that target is no longer needed.
    let case = common::report_to_sscp(&case, p, &school_manager(), "2026-11-12T09:00:00Z");
    let case = case
        .resolve(
            p,
            &school_manager(),
            common::resolution(),
            at("2026-11-12T10:00:00Z"),
        )
        .unwrap()
        .case;
    let later = totals(&case, "2026-12-01T09:00:00Z");
    assert_eq!(later[2].2, "missed");
    assert_eq!(later[3].2, "not-needed");

    // The report counts each stage's target once per case.
    let report = escalations_core::report::report(
        &[case],
        &catalogue,
        &cal,
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        at("2026-12-01T09:00:00Z"),
    );
    let counts = |stage: &str| {
        let t = &report.running_totals[&format!("sefton/{stage}")];
        (t.met, t.missed, t.running, t.not_needed)
    };
    assert_eq!(counts("step-1"), (1, 0, 0, 0));
    assert_eq!(counts("step-3"), (0, 1, 0, 0));
    assert_eq!(counts("step-4"), (0, 0, 0, 1));
    let csv = report.to_csv();
    assert!(
        csv.contains("overall target,sefton/step-3,missed,1\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("overall target,sefton/step-1,met,1\r\n"),
        "{csv}"
    );
}

#[test]
fn procedures_without_running_totals_show_none() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let case = common::raise(p, &common::practitioner(), "2026-11-02T10:00:00Z").case;
    let totals = case
        .running_totals(p, &Calendar::new(p.division), at("2026-11-02T10:00:00Z"))
        .unwrap();
    assert!(totals.is_empty());
}
