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
    assert_eq!(
        table("moray"),
        [
            "initial", "stage-1", "stage-2", "stage-3", "stage-4", "stage-5"
        ]
        .map(|s| format!("{s} record 5 working days"))
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
            "level-2 escalate 24 hours",
            "level-2 response 24 hours",
            "level-3 escalate 24 hours",
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
