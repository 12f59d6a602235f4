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
            "sscp-mset-non-attendance"
        ]
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
