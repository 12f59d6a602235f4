//! The `escalations` binary as a partnership officer uses it.

use std::process::{Command, Output};

fn escalations(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escalations"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn last_line(out: &Output) -> String {
    stdout(out).lines().last().unwrap_or_default().to_owned()
}

#[test]
fn procedures_lists_every_shipped_id_with_its_name() {
    let out = escalations(&["procedures"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for id in [
        "medway",
        "medway-ppa",
        "sefton",
        "moray",
        "sscp-mset",
        "sscp-mset-non-attendance",
        "sscp-mset-partner-non-attendance",
    ] {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(id)),
            "{id} in {text}"
        );
    }
}

#[test]
fn procedures_show_prints_stages_and_clocks_as_a_table() {
    let out = escalations(&["procedures", "show", "sscp-mset"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row = |stage: &str, clock: &str| {
        text.lines()
            .find(|l| {
                let mut cells = l.split_whitespace();
                cells.next() == Some(stage) && cells.next() == Some(clock)
            })
            .unwrap_or_else(|| panic!("no row {stage} {clock} in\n{text}"))
            .to_owned()
    };
    assert!(row("level-1", "chair-reply").contains("5 working days"));
    assert!(row("level-2", "escalate").contains("24 hours"));
    assert!(row("level-4", "feedback").contains("1 month"));
    // Medway's stage 4 has no timescale and says so.
    let medway = stdout(&escalations(&["procedures", "show", "medway"]));
    assert!(
        medway
            .lines()
            .any(|l| l.starts_with("stage-4") && l.contains("no timescale"))
    );
    assert!(medway.contains("needs first: stage-1, stage-2"));
    // Each form's fields, with kinds, prefills and columns.
    assert!(medway.contains(
        "  stage-1-managers: Stage One – Service Manager: Name of manager(s) [text; required; prefill: responder:stage-1]"
    ), "{medway}");
    let sefton = stdout(&escalations(&["procedures", "show", "sefton"]));
    assert!(sefton.contains("\n  agency-actions: Actions taken by your agency following resolution of this issue [rows]\n    action: Action(s) [long-text; required]\n    by-whom: By whom [text]\n    date-completed: Date completed [date]\n"), "{sefton}");
    assert!(
        sefton.contains("filled by the partnership (chair or business unit), also after closure")
    );
    // "the Service Manager/ Designated Safeguarding Leads must escalate to the agency Assistant
    // Director/ Deputy Director/ Headteacher/ Governor or equivalent"
    assert!(
        medway.contains("  answered by: a director or above\n"),
        "{medway}"
    );
    assert!(
        medway.contains(
            "  escalated by: a second line / service manager or above on the raising side\n"
        ),
        "{medway}"
    );
    // "ultimately, the Chief Social Work Officer (CSWO) has the responsibility for the final
    // decision"
    let moray = stdout(&escalations(&["procedures", "show", "moray"]));
    assert!(
        moray.contains("  answered by: a Chief Social Work Officer or above\n"),
        "{moray}"
    );
}

#[test]
fn procedures_show_an_unknown_id_lists_the_choices() {
    let out = escalations(&["procedures", "show", "sefon"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("choose one of medway, medway-ppa, sefton"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn procedures_check_accepts_a_good_file_and_names_the_place_of_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("escalations-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/procedures/sefton.toml"
    );
    let out = escalations(&["procedures", "check", good]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ok: sefton"));

    let text = std::fs::read_to_string(good).unwrap();
    let cases = [
        (
            "{ working_days = 2 }",
            "{ workdays = 2 }",
            "unknown unit `workdays`",
        ),
        ("{ working_days = 5 }", "{ working_days = 0 }", "zero"),
        (
            "requires = [\"step-2\"]",
            "requires = [\"step-9\"]",
            "unknown stage `step-9`",
        ),
        (
            "id = \"step-2\"",
            "id = \"step-1\"",
            "duplicate stage id `step-1`",
        ),
        ("owner = \"partnership\"\n", "", "missing field `owner`"),
        ("id = \"step-3\"\n", "", "missing field `id`"),
        (
            "party = \"partnership\"",
            "party = \"chair\"",
            "unknown variant `chair`",
        ),
        (
            "form = \"report-to-sscp\"",
            "form = \"report-to-scp\"",
            "unknown form `report-to-scp`",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(text.contains(from), "fixture lost {from}");
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, text.replacen(from, to, 1)).unwrap();
        let out = escalations(&["procedures", "check", bad.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{expected}: {err}");
        assert!(err.contains(expected), "expected `{expected}` in {err}");
        // file:line:col
        assert!(err.contains("bad.toml:"), "{err}");
        let place = err.split("bad.toml:").nth(1).unwrap_or_default();
        assert!(
            place
                .split(':')
                .next()
                .unwrap_or_default()
                .parse::<usize>()
                .is_ok(),
            "{err}"
        );
    }
}

/// "this action must be taken within a maximum of 72 hours" of "the SSCP MSET Operational
/// Group meeting, or notification of the concern"; Moray's stage 3 "Arrange a meeting with
/// their equivalent(s) at partner agencies within 5 working days"; MSET's level-1 escalate.
#[test]
fn due_computes_stated_starts_and_the_new_clocks() {
    let out = escalations(&[
        "due",
        "--procedure",
        "sscp-mset",
        "--stage",
        "submission",
        "--stated",
        "2026-06-01T09:00:00Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_line(&out), "2026-06-04T09:00:00Z");
    let out = escalations(&[
        "due",
        "--procedure",
        "moray",
        "--stage",
        "stage-3",
        "--clock",
        "meeting",
        "--from",
        "2026-03-02T15:00:00Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_line(&out), "2026-03-10T00:00:00Z");
    let out = escalations(&[
        "due",
        "--procedure",
        "sscp-mset",
        "--stage",
        "level-1",
        "--clock",
        "escalate",
        "--from",
        "2026-06-08T09:00:00Z",
    ]);
    assert_eq!(last_line(&out), "2026-06-09T09:00:00Z");
    // A clock that starts when the stage is entered has no stated meeting.
    let out = escalations(&[
        "due",
        "--procedure",
        "moray",
        "--stage",
        "stage-3",
        "--clock",
        "meeting",
        "--stated",
        "2026-03-02T15:00:00Z",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("does not run from a stated meeting"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn due_reproduces_the_worked_example_of_procedures_md() {
    let out = escalations(&[
        "due",
        "--procedure",
        "sefton",
        "--stage",
        "step-2",
        "--from",
        "2026-12-23T15:00:00Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_line(&out), "2026-12-30T00:00:00Z");
}

#[test]
fn due_across_procedures_clocks_and_closure_days() {
    let cases: &[(&[&str], &str)] = &[
        // Moray is Scottish: 2 January 2026 (Friday) is a holiday there, not in England.
        // Scotland: 5, 6, 7, 8, 9 January → end of Friday 9.
        (
            &[
                "--procedure",
                "moray",
                "--stage",
                "stage-2",
                "--from",
                "2025-12-31T11:00:00Z",
            ],
            "2026-01-10T00:00:00Z",
        ),
        // England: 2, 5, 6, 7, 8 January → end of Thursday 8.
        (
            &[
                "--procedure",
                "medway",
                "--stage",
                "stage-1",
                "--from",
                "2025-12-31T11:00:00Z",
            ],
            "2026-01-09T00:00:00Z",
        ),
        // MSET's second clock at level 1, and hour clocks ignoring weekends.
        (
            &[
                "--procedure",
                "sscp-mset",
                "--stage",
                "level-1",
                "--clock",
                "chair-reply",
                "--from",
                "2026-07-03T16:00:00Z",
            ],
            "2026-07-10T23:00:00Z",
        ),
        (
            &[
                "--procedure",
                "sscp-mset",
                "--stage",
                "submission",
                "--from",
                "2026-12-24T17:00:00Z",
            ],
            "2026-12-27T17:00:00Z",
        ),
        (
            &[
                "--procedure",
                "sscp-mset-non-attendance",
                "--stage",
                "strategic",
                "--from",
                "2026-03-20T12:00:00Z",
            ],
            "2026-04-03T23:00:00Z",
        ),
        (
            &[
                "--procedure",
                "sscp-mset",
                "--stage",
                "level-4",
                "--from",
                "2027-01-31T12:00:00Z",
            ],
            "2027-03-01T00:00:00Z",
        ),
        // A council closure day between Christmas and New Year pushes the due date on.
        (
            &[
                "--procedure",
                "sefton",
                "--stage",
                "step-1",
                "--from",
                "2026-12-23T15:00:00Z",
                "--closure-day",
                "2026-12-29",
            ],
            "2026-12-31T00:00:00Z",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["due"];
        full.extend_from_slice(args);
        let out = escalations(&full);
        assert!(out.status.success(), "{full:?}: {}", stderr(&out));
        assert_eq!(&last_line(&out), expected, "{full:?}");
    }
}

#[test]
fn due_with_bad_input_exits_non_zero_and_says_what_to_fix() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--procedure",
                "sefon",
                "--stage",
                "step-1",
                "--from",
                "2026-01-01T00:00:00Z",
            ],
            "choose one of medway",
        ),
        (
            &[
                "--procedure",
                "sefton",
                "--stage",
                "step-5",
                "--from",
                "2026-01-01T00:00:00Z",
            ],
            "choose one of step-1, step-2, step-3, step-4",
        ),
        (
            &[
                "--procedure",
                "sscp-mset",
                "--stage",
                "level-2",
                "--clock",
                "reply",
                "--from",
                "2026-01-01T00:00:00Z",
            ],
            // The contract's order: the response, then (if not resolved) the escalation.
            "choose one of response, escalate",
        ),
        (
            &[
                "--procedure",
                "medway",
                "--stage",
                "stage-4",
                "--from",
                "2026-01-01T00:00:00Z",
            ],
            "no timescale",
        ),
        (
            &[
                "--procedure",
                "sefton",
                "--stage",
                "step-1",
                "--from",
                "23/12/2026 15:00",
            ],
            "RFC 3339",
        ),
        (
            &[
                "--procedure",
                "sefton",
                "--stage",
                "step-1",
                "--from",
                "2026-01-01T00:00:00Z",
                "--closure-day",
                "29/12/2026",
            ],
            "--closure-day",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["due"];
        full.extend_from_slice(args);
        let out = escalations(&full);
        assert!(!out.status.success(), "{full:?} should fail");
        assert!(stdout(&out).is_empty(), "{full:?} printed {}", stdout(&out));
        assert!(
            stderr(&out).contains(expected),
            "{full:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn holidays_prints_date_then_name_one_per_line() {
    let out = escalations(&[
        "holidays",
        "--division",
        "northern-ireland",
        "--year",
        "2026",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("2026-03-17 St Patrick’s Day\n"));
    assert!(text.contains("2026-07-13 Battle of the Boyne (Orangemen’s Day)\n"));
    assert_eq!(text.lines().count(), 10);

    let out = escalations(&["holidays", "--division", "wales", "--year", "2026"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("england-and-wales, scotland, northern-ireland"));
}

#[test]
fn an_imported_govuk_file_overrides_the_rules_for_the_years_it_lists() {
    let dir = std::env::temp_dir().join(format!("escalations-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bank-holidays.json");
    std::fs::write(
        &file,
        r#"{"england-and-wales":{"division":"england-and-wales","events":[
            {"title":"New Year’s Day","date":"2031-01-01","notes":"","bunting":true},
            {"title":"A proclaimed day","date":"2031-06-02","notes":"","bunting":true}]}}"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = escalations(&[
        "holidays",
        "--division",
        "england-and-wales",
        "--year",
        "2031",
        "--bank-holidays",
        path,
    ]);
    assert_eq!(
        stdout(&out),
        "2031-01-01 New Year’s Day\n2031-06-02 A proclaimed day\n"
    );
    // Friday 30 May 2031 + 1 working day: Monday 2 June is now a holiday.
    let out = escalations(&[
        "due",
        "--procedure",
        "medway",
        "--stage",
        "stage-1",
        "--from",
        "2031-05-30T09:00:00Z",
        "--bank-holidays",
        path,
    ]);
    let plain = escalations(&[
        "due",
        "--procedure",
        "medway",
        "--stage",
        "stage-1",
        "--from",
        "2031-05-30T09:00:00Z",
    ]);
    assert!(
        last_line(&out) > last_line(&plain),
        "{} vs {}",
        last_line(&out),
        last_line(&plain)
    );
}
