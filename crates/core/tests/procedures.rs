//! The shipped procedures: they load, and their ids and timescales are exactly the contract
//! in procedures.md.

use escalations_core::Catalogue;

fn table(id: &str) -> Vec<String> {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    let procedure = catalogue
        .get(id)
        .unwrap_or_else(|| panic!("no procedure {id}"));
    procedure
        .stages
        .iter()
        .flat_map(|stage| {
            if stage.clocks.is_empty() {
                vec![format!("{} -", stage.id)]
            } else {
                stage
                    .clocks
                    .iter()
                    .map(|c| format!("{} {} {}", stage.id, c.id, c.timescale))
                    .collect()
            }
        })
        .collect()
}

#[test]
fn every_shipped_procedure_loads() {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        catalogue.ids(),
        [
            "medway",
            "medway-ppa",
            "sefton",
            "moray",
            "sscp-mset",
            "sscp-mset-non-attendance",
            "sscp-mset-partner-non-attendance"
        ]
    );
}

/// SSCP MSET, "Non-attendance at MSET Operational Group": "Partners identified within the
/// operational group membership regularly do not attend. This will include partners who have
/// not attended for three consecutive months. · Pro-forma should be shared with the SSCP
/// Business Unit." An alert about an agency: no child, no clock, shared with the Business Unit.
#[test]
fn mset_partners_regular_non_attendance_is_an_alert_about_an_agency() {
    use escalations_core::procedure::{Party, Subject};
    let catalogue = Catalogue::builtin().unwrap();
    let alert = catalogue.get("sscp-mset-partner-non-attendance").unwrap();
    assert_eq!(alert.subject, Subject::Agency);
    assert!(alert.immediate_risk.is_none());
    assert_eq!(alert.stages.len(), 1);
    let stage = &alert.stages[0];
    assert!(stage.clocks.is_empty(), "no 72-hour clock");
    assert_eq!(stage.asked.party, Party::Partnership);
    assert!(stage.asked.role.contains("SSCP Business Unit"));
    // The referrer's non-attendance for a case is the other route, about a child.
    let route = catalogue.get("sscp-mset-non-attendance").unwrap();
    assert_eq!(route.subject, Subject::Child);
    assert!(
        route
            .reasons
            .iter()
            .all(|r| r.id != "regular-non-attendance")
    );
}

#[test]
fn medway_stages_and_clocks_match_the_contract() {
    assert_eq!(
        table("medway"),
        [
            "stage-1 response 5 working days",
            "stage-2 response 5 working days",
            "stage-3 response 5 working days",
            "stage-4 -",
        ]
    );
    assert_eq!(table("medway-ppa"), ["alert -"]);
}

#[test]
fn sefton_steps_add_up_to_eleven_working_days() {
    assert_eq!(
        table("sefton"),
        [
            "step-1 response 2 working days",
            "step-2 response 2 working days",
            "step-3 response 2 working days",
            "step-4 decision 5 working days",
        ]
    );
}

#[test]
fn moray_has_six_stages_of_five_working_days() {
    // Stage 3: "Arrange a meeting with their equivalent(s) at partner agencies within 5
    // working days", then the Record "within 5 working days".
    assert_eq!(
        table("moray"),
        [
            "initial record 5 working days",
            "stage-1 record 5 working days",
            "stage-2 record 5 working days",
            "stage-3 meeting 5 working days",
            "stage-3 record 5 working days",
            "stage-4 record 5 working days",
            "stage-5 record 5 working days",
        ]
    );
}

#[test]
fn sscp_mset_levels_and_the_non_attendance_route_match_the_contract() {
    assert_eq!(
        table("sscp-mset"),
        [
            "submission submit 72 hours",
            "level-1 response 5 working days",
            "level-1 chair-reply 5 working days",
            "level-1 escalate 24 hours",
            "level-2 response 24 hours",
            "level-2 escalate 24 hours",
            "level-3 response 24 hours",
            "level-4 feedback 1 month",
        ]
    );
    assert_eq!(
        table("sscp-mset-non-attendance"),
        [
            "notice case-review 72 hours",
            "resolution proforma 5 working days",
            "strategic written-response 2 weeks",
            "sscp feedback 1 month",
        ]
    );
}

/// The rules of item 7 of issue 9 are fields of the procedure files, checked with
/// file:line:col errors.
mod raise_safeguards {
    use escalations_core::Catalogue;
    use escalations_core::procedure::{LevelOfNeedAsked, load};

    const SEFTON: &str = include_str!("../procedures/sefton.toml");
    const MORAY: &str = include_str!("../procedures/moray.toml");
    const PPA: &str = include_str!("../procedures/medway-ppa.toml");

    /// Loads `text` with `from` replaced by `to`, expecting an error at a place.
    fn error(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "fixture lost {from}");
        let e = load("bad.toml", &text.replacen(from, to, 1)).unwrap_err();
        assert!(
            e.line.is_some() && e.column.is_some(),
            "no file:line:col in {e}"
        );
        e.to_string()
    }

    #[test]
    fn who_decides_and_answers_are_checked() {
        let e = error(
            PPA,
            "deciding_party = \"partnership\"",
            "deciding_party = \"receiving\"",
        );
        assert!(e.contains("does not decide it"), "{e}");
        let e = error(
            SEFTON,
            "[stages.asked]\nparty = \"receiving\"",
            "[stages.asked]\nparty = \"receiving\"\neach_agency = true",
        );
        assert!(e.contains("a stage with clocks cannot use it"), "{e}");
    }

    #[test]
    fn where_the_level_of_need_is_asked_is_checked() {
        let e = error(SEFTON, "field = \"level-of-need\"", "field = \"level\"");
        assert!(
            e.contains("form `report-to-sscp` has no field `level`"),
            "{e}"
        );
        let e = error(
            SEFTON,
            "field = \"level-of-need\"",
            "field = \"details-of-disagreement\"",
        );
        assert!(e.contains("must be a `choice`"), "{e}");
        let e = error(SEFTON, "at = \"form\"", "at = \"raise\"");
        assert!(
            e.contains("`form` and `field` belong with `at = \"form\"`"),
            "{e}"
        );
        let e = error(SEFTON, "at = \"form\"", "at = \"later\"");
        assert!(e.contains("unknown variant `later`"), "{e}");
        let e = error(
            SEFTON,
            "[level_of_need_asked]\nat = \"form\"\nform = \"report-to-sscp\"\nfield = \"level-of-need\"\n",
            "",
        );
        assert!(e.starts_with("bad.toml:"), "{e}");
        assert!(e.contains("not where it asks them"), "{e}");
        let at_raise = SEFTON.replacen(
            "at = \"form\"\nform = \"report-to-sscp\"\nfield = \"level-of-need\"",
            "at = \"raise\"",
            1,
        );
        let p = load("raise.toml", &at_raise).unwrap();
        assert_eq!(p.level_of_need_asked, Some(LevelOfNeedAsked::Raise));
        assert!(p.level_of_need_required_at_raise());
    }

    #[test]
    fn the_immediate_risk_question_is_checked() {
        let start = MORAY.find("[immediate_risk]").unwrap();
        let end = start + MORAY[start..].find("\n\n").unwrap();
        let e = error(MORAY, &MORAY[start..end], "");
        assert!(
            e.contains("a procedure about a child needs [immediate_risk]"),
            "{e}"
        );
        let e = error(
            PPA,
            "[mailboxes.recording]",
            "[immediate_risk]\nquestion = \"?\"\ninstruction = \"!\"\n\n[mailboxes.recording]",
        );
        assert!(e.contains("not about one"), "{e}");
        let e = error(
            MORAY,
            "question = \"Is the child",
            "question = \" \"\nx = \"",
        );
        assert!(e.contains("unknown field `x`"), "{e}");
    }

    #[test]
    fn other_is_a_built_in_reason_a_file_may_not_declare() {
        let e = error(MORAY, "id = \"no-consensus\"", "id = \"other\"");
        assert!(e.contains("reason id `other` is built in"), "{e}");
    }

    /// Medway section 2: "Professionals seeking to escalate to agencies operating outside of
    /// Medway should refer to the Local Safeguarding Children Partnership Escalation policy for
    /// that area." Section 4: "For further support and advice as to what stage of escalation
    /// you are operating under, please contact mscp@medway.gov.uk". Both are guidance shown
    /// where a person raises, not part of the summary.
    #[test]
    fn medway_guidance_holds_the_out_of_area_rule_and_where_to_ask_for_advice() {
        let catalogue = Catalogue::builtin().unwrap();
        let medway = catalogue.get("medway").unwrap();
        let guidance = medway.guidance.as_deref().expect("Medway has guidance");
        for quoted in [
            "Professionals seeking to escalate to agencies operating outside of Medway should \
             refer to the Local Safeguarding Children Partnership Escalation policy for that area.",
            "For further support and advice as to what stage of escalation you are operating \
             under, please contact mscp@medway.gov.uk",
            "including those professionals who work outside of Medway",
        ] {
            assert!(guidance.contains(quoted), "{quoted} not in {guidance}");
        }
        assert!(!medway.summary.contains("outside"), "{}", medway.summary);
    }

    /// Each procedure about a child carries its own words: Moray's are the document's, the
    /// others (whose documents give none) a plain statement.
    #[test]
    fn each_procedure_about_a_child_carries_its_own_immediate_risk_words() {
        let catalogue = Catalogue::builtin().unwrap();
        let moray = catalogue
            .get("moray")
            .unwrap()
            .immediate_risk
            .clone()
            .unwrap();
        assert!(
            moray
                .instruction
                .contains("This procedure applies to cases of non-emergency, but escalating risk.")
        );
        for id in ["medway", "sefton", "sscp-mset", "sscp-mset-non-attendance"] {
            let risk = catalogue.get(id).unwrap().immediate_risk.clone().unwrap();
            assert_eq!(
                risk.question,
                "Is the child at immediate risk of significant harm?"
            );
            assert!(
                risk.instruction
                    .contains("Use child protection procedures now"),
                "{id}"
            );
        }
    }
}

/// `procedures check` names the file, line and column of a bad clock start, a field that goes
/// with another start, a shorter timescale for a role that does not raise, and a bad running
/// total.
#[test]
fn bad_clock_starts_and_running_totals_are_named_with_file_line_and_column() {
    let sefton = include_str!("../procedures/sefton.toml");
    let anchor = "timescale = { working_days = 2 }\n";
    let at_line =
        |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let check = |insert: &str, needle: &str, message: &str| {
        let text = sefton.replacen(anchor, &format!("{anchor}{insert}\n"), 1);
        let error = escalations_core::procedure::load("sefton.toml", &text).unwrap_err();
        let line = at_line(&text, needle);
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("sefton.toml:{line}:")) && shown.contains(message),
            "{shown}"
        );
    };
    check(
        r#"starts = "whenever""#,
        r#""whenever""#,
        "unknown start `whenever`",
    );
    check(r#"starts = "stated""#, r#""stated""#, "give `from`");
    check(
        r#"from = "the meeting""#,
        r#""the meeting""#,
        "`from` goes only with `starts = \"stated\"`",
    );
    check(
        r#"or_missed = true"#,
        "or_missed",
        "`or_missed` goes only with `starts = \"not-resolved\"`",
    );
    check(
        r#"starts = "not-resolved""#,
        r#""not-resolved""#,
        "it is the stage's first clock",
    );
    check(
        r#"shorter_by = "chair""#,
        r#""chair""#,
        "`shorter_by` names a role that cannot raise",
    );
    let text = sefton.replacen(
        "running_total = { working_days = 4 }",
        "running_total = { fortnights = 4 }",
        1,
    );
    let error = escalations_core::procedure::load("sefton.toml", &text).unwrap_err();
    let line = at_line(&text, "running_total = { fortnights");
    assert!(
        error
            .to_string()
            .starts_with(&format!("sefton.toml:{line}:"))
            && error.to_string().contains("unknown unit `fortnights`"),
        "{error}"
    );
}

/// Medway, section 4, stage 4: "The escalation will be raised with the MSCP Executive and
/// overseen by the MSCP Independent scrutineer." The Child Protection Conference Chair and the
/// IRO are told at stages 1 to 3, not at stage 4.
#[test]
fn medway_stage_4_informs_the_independent_scrutineer_not_the_conference_chair() {
    let catalogue = Catalogue::builtin().unwrap();
    let medway = catalogue.get("medway").unwrap();
    let who = |stage: &str| -> Vec<String> {
        medway
            .stage(stage)
            .unwrap()
            .inform
            .iter()
            .map(|i| i.who.clone())
            .collect()
    };
    for stage in ["stage-1", "stage-2", "stage-3"] {
        assert!(
            who(stage).iter().any(|w| w.contains("Conference Chair")),
            "{stage}: {:?}",
            who(stage)
        );
    }
    let stage_4 = who("stage-4");
    assert!(
        stage_4
            .iter()
            .all(|w| !w.contains("Conference Chair") && !w.contains("IRO"))
    );
    assert!(
        stage_4.iter().any(|w| w.contains("Independent Scrutineer")),
        "{stage_4:?}"
    );
    assert!(
        medway
            .stage("stage-4")
            .unwrap()
            .asked
            .role
            .contains("MSCP Executive")
    );
}

/// SSCP MSET, non-attendance: "The Chair will submit the pro-forma to the immediate Line
/// Manager and cc the second tier Line Manager for the relevant agency".
#[test]
fn mset_non_attendance_copies_the_second_tier_line_manager() {
    let catalogue = Catalogue::builtin().unwrap();
    let route = catalogue.get("sscp-mset-non-attendance").unwrap();
    let notice = route.stage("notice").unwrap();
    assert!(notice.asked.role.contains("Immediate Line Manager"));
    assert!(
        notice
            .inform
            .iter()
            .any(|i| i.who.contains("second tier Line Manager")),
        "{:?}",
        notice.inform
    );
}

/// Who decides is a field of the procedure, not a branch on its id: the MSET Chair runs both
/// MSET routes; a Practice Alert is closed by the partnership ("The Learning Lessons group will
/// be responsible for the oversight of any actions as a result of the alert"); every other
/// procedure is decided by the agency that raised it.
#[test]
fn each_procedure_says_which_side_decides() {
    use escalations_core::procedure::Party;
    let catalogue = Catalogue::builtin().unwrap();
    for (id, party) in [
        ("medway", Party::Raising),
        ("medway-ppa", Party::Partnership),
        ("sefton", Party::Raising),
        ("moray", Party::Raising),
        ("sscp-mset", Party::Partnership),
        ("sscp-mset-non-attendance", Party::Partnership),
    ] {
        assert_eq!(catalogue.get(id).unwrap().deciding_party, party, "{id}");
    }
}

/// Each stage's asked level and the level that must escalate into it: `stage asked/by`, `-`
/// where the document names none.
fn levels(id: &str) -> Vec<String> {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    let name = |l: Option<escalations_core::case::Level>| l.map_or("-", |l| l.name());
    catalogue
        .get(id)
        .unwrap()
        .stages
        .iter()
        .map(|s| format!("{} {}/{}", s.id, name(s.asked.level), name(s.escalated_by)))
        .collect()
}

/// Medway: "Stage 1 – Escalate to Service Manager", "Stage 2 – Escalate to Designated
/// Safeguarding Leads/ Head of Service", "Stage 3 – Escalate to Assistant/ Deputy Directors",
/// and "the Service Manager/ Designated Safeguarding Leads must escalate to the agency Assistant
/// Director/ Deputy Director/ Headteacher/ Governor or equivalent".
#[test]
fn medway_asks_service_manager_head_of_service_then_director() {
    assert_eq!(
        levels("medway"),
        [
            "stage-1 second-line/-",
            "stage-2 head-of-service/-",
            "stage-3 director/second-line",
            "stage-4 -/-"
        ]
    );
    assert_eq!(levels("medway-ppa"), ["alert -/-"]);
}

/// Sefton: "Direct Professional to Professional Discussion", "Direct Manager to Manager
/// Discussion", "Direct Head of Service to Head of Service Discussion", "SSCP Independently
/// Chaired Meeting".
#[test]
fn sefton_asks_line_managers_then_heads_of_service() {
    assert_eq!(
        levels("sefton"),
        [
            "step-1 -/-",
            "step-2 first-line/-",
            "step-3 head-of-service/-",
            "step-4 -/-"
        ]
    );
}

/// Moray: "the procedure refers to first, second, third and fourth line management. Appendix 3
/// outlines the roles"; "the concerned practitioner's first line manager ... should escalate the
/// concern to their own line manager"; "ultimately, the Chief Social Work Officer (CSWO) has the
/// responsibility for the final decision".
#[test]
fn moray_climbs_the_lines_of_management_to_the_cswo() {
    assert_eq!(
        levels("moray"),
        [
            "initial -/-",
            "stage-1 first-line/-",
            "stage-2 second-line/first-line",
            "stage-3 second-line/second-line",
            "stage-4 head-of-service/second-line",
            "stage-5 chief-social-work-officer/head-of-service"
        ]
    );
}

/// SSCP MSET: "Escalation to immediate Line Manager", "Escalation to Strategic Manager (or
/// equivalent second tier Manager)", "Escalation to director (or equivalent third tier
/// Manager)"; the non-attendance route: "The Chair will submit the pro-forma to the immediate
/// Line Manager".
#[test]
fn sscp_mset_asks_line_manager_strategic_manager_then_director() {
    assert_eq!(
        levels("sscp-mset"),
        [
            "submission -/-",
            "level-1 first-line/-",
            "level-2 second-line/-",
            "level-3 director/-",
            "level-4 -/-"
        ]
    );
    assert_eq!(
        levels("sscp-mset-non-attendance"),
        [
            "notice first-line/-",
            "resolution first-line/-",
            "strategic -/-",
            "sscp -/-"
        ]
    );
}

/// `procedures check` names the place of a level that is not one, a Chief Social Work Officer
/// outside Scotland, and `escalated_by` on the first stage.
#[test]
fn bad_levels_are_named_with_file_line_and_column() {
    let medway = include_str!("../procedures/medway.toml");
    let at_line =
        |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let check = |text: String, needle: &str, message: &str| {
        let error = escalations_core::procedure::load("medway.toml", &text).unwrap_err();
        let line = at_line(&text, needle);
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("medway.toml:{line}:")) && shown.contains(message),
            "{shown}"
        );
    };
    check(
        medway.replacen(r#"level = "second-line""#, r#"level = "boss""#, 1),
        r#""boss""#,
        "first-line",
    );
    check(
        medway.replacen(
            r#"level = "director""#,
            r#"level = "chief-social-work-officer""#,
            1,
        ),
        r#""chief-social-work-officer""#,
        "`chief-social-work-officer` is a role in Scotland only",
    );
    check(
        medway.replacen(
            "[stages.asked]\n",
            "escalated_by = \"first-line\"\n\n[stages.asked]\n",
            1,
        ),
        "escalated_by",
        "is the first stage",
    );
}
