//! A partnership's configuration: the stored JSON shape still loads, emails are valid by
//! construction, and a TOML file is loaded with every problem named at once.

use chrono::NaiveDate;
use escalations_core::case::Level;
use escalations_core::partnership::{self, EmailAddress, InvalidEmail, PartnershipConfig};
use escalations_core::{Catalogue, Division};

fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"))
}

/// A configuration exactly as the storage adapters have stored it since the first release.
const STORED: &str = r#"{
  "id": "sefton-scp",
  "name": "Sefton Safeguarding Children Partnership",
  "procedures": ["sefton"],
  "division": "england-and-wales",
  "closure_days": ["2026-12-29"],
  "recording_mailbox": "SSCP@sefton.gov.uk",
  "agencies": [
    {"id": "merseyside-police", "name": "Merseyside Police", "kind": "police"},
    {"id": "sscp", "name": "SSCP Team", "kind": "partnership"}
  ],
  "people": [
    {"id": "pat", "name": "Pat Example", "email": "pat@example.org",
     "agency": "merseyside-police", "role": "practitioner"},
    {"id": "chair", "name": "The Chair", "email": "chair@sefton.example.org",
     "agency": "sscp", "role": "chair"}
  ]
}"#;

const EXAMPLE: &str = include_str!("../../../infra/partnership.example.toml");

fn load(text: &str) -> Result<PartnershipConfig, Vec<String>> {
    partnership::load("p.toml", text, &catalogue())
}

fn problems_of(text: &str) -> Vec<String> {
    match load(text) {
        Ok(config) => panic!("loaded, expected problems: {config:?}"),
        Err(problems) => problems,
    }
}

#[test]
fn a_stored_configuration_in_todays_shape_still_loads_and_stores_the_same() {
    let config: PartnershipConfig = serde_json::from_str(STORED).unwrap();
    assert_eq!(config.people[0].email, "pat@example.org");
    assert_eq!(
        config.closure_days,
        [NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()]
    );
    assert_eq!(config.problems(&catalogue()), Vec::<String>::new());
    let again: serde_json::Value = serde_json::to_value(&config).unwrap();
    assert_eq!(
        again,
        serde_json::from_str::<serde_json::Value>(STORED).unwrap()
    );
}

#[test]
fn a_stored_configuration_with_a_bad_email_does_not_load() {
    let stored = STORED.replace("pat@example.org", "pat at example");
    let err = serde_json::from_str::<PartnershipConfig>(&stored).unwrap_err();
    assert!(
        err.to_string()
            .contains("`pat at example` is not an email address"),
        "{err}"
    );
}

#[test]
fn an_email_address_needs_a_local_part_a_dotted_domain_and_no_spaces() {
    for good in [
        "a@b.c",
        "first.last+tag@school.example.org",
        "SSCP@sefton.gov.uk",
    ] {
        assert_eq!(EmailAddress::parse(good).unwrap().as_str(), good);
    }
    for bad in ["", "a", "@b.c", "a@b", "a teacher", "a @b.c", "a@b.c\n"] {
        assert_eq!(
            EmailAddress::parse(bad),
            Err(InvalidEmail(bad.to_owned())),
            "{bad:?}"
        );
    }
    let email = EmailAddress::parse("a@b.c").unwrap();
    assert_eq!(email.to_string(), "a@b.c");
    assert_eq!(String::from(email), "a@b.c");
}

#[test]
fn the_example_file_loads() {
    let config = load(EXAMPLE).unwrap_or_else(|p| panic!("{}", p.join("\n")));
    assert_eq!(config.id, "example");
    assert_eq!(config.division, Division::EnglandAndWales);
    assert_eq!(config.agencies.len(), 3);
    assert_eq!(config.people[0].email, "a.teacher@school.example.org");
    assert_eq!(config.closure_days.len(), 3);
    assert_eq!(
        config.recording_mailbox.as_deref(),
        Some("escalations@example.org")
    );
}

#[test]
fn the_calendar_counts_the_division_and_the_closure_days() {
    let config = load(EXAMPLE).unwrap_or_else(|p| panic!("{}", p.join("\n")));
    let calendar = config.calendar();
    assert_eq!(calendar.division(), Division::EnglandAndWales);
    let closed = NaiveDate::from_ymd_opt(2026, 12, 29).unwrap();
    assert_eq!(calendar.is_working_day(closed), Ok(false));
    let open = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    assert_eq!(calendar.is_working_day(open), Ok(true));
}

#[test]
fn a_bad_email_is_named_with_the_person_the_value_and_the_place() {
    let problems = problems_of(&EXAMPLE.replace("a.teacher@school.example.org", "a teacher"));
    assert_eq!(
        problems,
        ["p.toml:28:9: people: `a-teacher` has email `a teacher`, which is not an address"]
    );
}

#[test]
fn every_problem_is_named_at_once_each_on_its_own_line() {
    let text = EXAMPLE
        .replace(
            r#"procedures = ["sefton"]"#,
            r#"procedures = ["nope", "moray"]"#,
        )
        .replace(r#"agency = "school""#, r#"agency = "schol""#)
        .replace("recording_mailbox =", "recording_mailbx =")
        .replace("a.teacher@school.example.org", "a teacher")
        .replace(r#"role = "chair""#, r#"role = "manager""#);
    let problems = problems_of(&text);
    assert_eq!(
        problems,
        [
            "p.toml: `recording_mailbx` is not a setting: check its spelling".to_owned(),
            "p.toml:28:9: people: `a-teacher` has email `a teacher`, which is not an address"
                .to_owned(),
            format!(
                "p.toml:5:15: procedures: `nope` is not a shipped procedure (known: {})",
                catalogue().ids().join(", ")
            ),
            "p.toml:5:23: procedures: `moray` counts working days in Scotland, but the \
             partnership's division is EnglandAndWales"
                .to_owned(),
            // The Children and Families policy mailbox Moray shares records with has no address.
            "p.toml: mailboxes: give `quality-assurance` (Children and Families policy mailbox \
             (for quality assurance purposes)) an address, e.g. `quality-assurance = \
             \"name@example.org\"` under [mailboxes]: notices go to it at moray stage-2, moray \
             stage-3, moray stage-4, moray stage-5"
                .to_owned(),
            "p.toml:29:10: people: `a-teacher` belongs to agency `schol`, which is not in \
             agencies"
                .to_owned(),
            "p.toml: people: name the chair (role = \"chair\")".to_owned(),
        ]
    );
}

#[test]
fn duplicates_and_a_missing_unit_are_named() {
    let text = EXAMPLE
        .replace(r#"kind = "partnership""#, r#"kind = "other""#)
        .replace(r#"id = "a-team-manager""#, r#"id = "a-teacher""#);
    let problems = problems_of(&text);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("people: `a-teacher` is listed twice") && p.starts_with("p.toml:")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("add the partnership's own unit")),
        "{problems:?}"
    );
}

#[test]
fn an_unquoted_date_gets_a_hint_and_its_place() {
    let problems = problems_of(&EXAMPLE.replace(r#""2026-12-29""#, "2026-12-29"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("p.toml: "), "{}", problems[0]);
    assert!(problems[0].contains("line 7, column"), "{}", problems[0]);
    assert!(
        problems[0].contains("write dates in quotes"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_bad_id_stops_loading_with_its_place() {
    let problems = problems_of(&EXAMPLE.replace(r#"id = "a-teacher""#, r#"id = "A Teacher""#));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`A Teacher` is not a valid id"),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("line 26, column"), "{}", problems[0]);
}

/// Configurations stored before levels of management existed load, with no level for anyone,
/// and store the same.
#[test]
fn a_stored_configuration_from_before_levels_loads_with_no_levels() {
    let config: PartnershipConfig = serde_json::from_str(STORED).unwrap();
    assert!(config.people.iter().all(|p| p.level.is_none()));
    let again = serde_json::to_string(&config).unwrap();
    assert!(!again.contains("level"), "{again}");
}

/// procedures.md, "Who may act": "for managers, a level of management in their agency (first
/// line, second line / service manager, head of service, director, and Scotland's Chief Social
/// Work Officer); the partnership's configuration records it."
#[test]
fn a_managers_level_is_read_and_stored_in_kebab_case() {
    let config = load(EXAMPLE).unwrap_or_else(|p| panic!("{}", p.join("\n")));
    let manager = config
        .people
        .iter()
        .find(|p| p.id == "a-team-manager")
        .unwrap();
    assert_eq!(manager.level, Some(Level::FirstLine));
    let json = serde_json::to_value(manager).unwrap();
    assert_eq!(json["level"], "first-line");
    let text = EXAMPLE.replace(r#"level = "first-line""#, r#"level = "director""#);
    let config = load(&text).unwrap_or_else(|p| panic!("{}", p.join("\n")));
    assert_eq!(
        config.people.iter().find_map(|p| p.level),
        Some(Level::Director)
    );
    assert!(Level::FirstLine < Level::SecondLine);
    assert!(Level::SecondLine < Level::HeadOfService);
    assert!(Level::HeadOfService < Level::Director);
    assert!(Level::Director < Level::ChiefSocialWorkOfficer);
}

#[test]
fn a_level_on_a_practitioner_or_a_cswo_outside_scotland_is_named_with_its_place() {
    let on_practitioner = EXAMPLE.replacen(
        "role = \"practitioner\"\n",
        "role = \"practitioner\"\nlevel = \"first-line\"\n",
        1,
    );
    assert_eq!(
        problems_of(&on_practitioner),
        [
            "p.toml:31:9: people: `a-teacher` is a practitioner and has level `first-line`: only \
          a manager (or the chair) has a level of management"
        ]
    );
    let cswo = EXAMPLE.replace(
        r#"level = "first-line""#,
        r#"level = "chief-social-work-officer""#,
    );
    let problems = problems_of(&cswo);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "p.toml:41:9: people: `a-team-manager` has level \
                                 `chief-social-work-officer`, a role in Scotland only"
        ),
        "{problems:?}"
    );
    let unknown = EXAMPLE.replace(r#"level = "first-line""#, r#"level = "boss""#);
    let problems = problems_of(&unknown);
    assert!(
        problems[0].contains("line 41") && problems[0].contains("first-line"),
        "{problems:?}"
    );
}
