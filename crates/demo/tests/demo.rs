//! The demo files load, and hold what the local stack, the journey tests and trial
//! deployments rely on.

use escalations_core::case::{Level, Role};
use escalations_core::partnership::{self, PartnershipConfig};
use escalations_core::procedure::AgencyKind;
use escalations_core::{Catalogue, Division};

fn demo(id: &str) -> PartnershipConfig {
    escalations_demo::partnerships()
        .into_iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no demo partnership {id}"))
}

fn ids<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    items.into_iter().collect()
}

#[test]
fn every_demo_file_loads_with_no_problems() {
    let catalogue = Catalogue::builtin().unwrap();
    for (file, text) in escalations_demo::FILES {
        let config = partnership::load(file, text, &catalogue)
            .unwrap_or_else(|problems| panic!("{}", problems.join("\n")));
        assert_eq!(config.problems(&catalogue), Vec::<String>::new(), "{file}");
        assert!(file.ends_with(&format!("/{}.toml", config.id)), "{file}");
    }
}

#[test]
fn four_partnerships_one_per_seed_procedure() {
    let all = escalations_demo::partnerships();
    assert_eq!(
        ids(all.iter().map(|p| p.id.as_str())),
        ["medway", "sefton", "moray", "sscp"]
    );
    let procedures: Vec<Vec<&str>> = all
        .iter()
        .map(|p| p.procedures.iter().map(|id| id.as_str()).collect())
        .collect();
    assert_eq!(
        procedures,
        [
            vec!["medway", "medway-ppa"],
            vec!["sefton"],
            vec!["moray"],
            vec![
                "sscp-mset",
                "sscp-mset-non-attendance",
                "sscp-mset-partner-non-attendance"
            ],
        ]
    );
    let counts: Vec<(usize, usize)> = all
        .iter()
        .map(|p| (p.agencies.len(), p.people.len()))
        .collect();
    assert_eq!(counts, [(5, 22), (5, 22), (6, 28), (4, 17)]);
    assert!(all.iter().all(|p| p.closure_days.is_empty()));
}

#[test]
fn every_agency_but_the_unit_has_a_practitioner_and_a_manager_at_each_level_and_the_unit_a_chair_and_an_admin()
 {
    for config in escalations_demo::partnerships() {
        let (unit, agencies) = config.agencies.split_last().unwrap();
        assert_eq!(unit.kind, AgencyKind::Partnership, "{}", config.id);
        let mut expected = Vec::new();
        for agency in agencies {
            expected.push((
                format!("{}-practitioner", agency.id),
                agency.id.clone(),
                Role::Practitioner,
                None,
            ));
            for (manager, level) in [
                ("manager", Level::FirstLine),
                ("service-manager", Level::SecondLine),
                ("head-of-service", Level::HeadOfService),
                ("director", Level::Director),
            ] {
                expected.push((
                    format!("{}-{manager}", agency.id),
                    agency.id.clone(),
                    Role::Manager,
                    Some(level),
                ));
            }
            // "ultimately, the Chief Social Work Officer (CSWO) has the responsibility for the
            // final decision" (Moray).
            if config.division == Division::Scotland && agency.kind == AgencyKind::SocialWork {
                expected.push((
                    "cswo".to_owned(),
                    agency.id.clone(),
                    Role::Manager,
                    Some(Level::ChiefSocialWorkOfficer),
                ));
            }
        }
        expected.push(("chair".to_owned(), unit.id.clone(), Role::Chair, None));
        expected.push((
            "admin".to_owned(),
            unit.id.clone(),
            Role::Administrator,
            None,
        ));
        let people: Vec<_> = config
            .people
            .iter()
            .map(|p| (p.id.to_string(), p.agency.clone(), p.role, p.level))
            .collect();
        assert_eq!(people, expected, "{}", config.id);
        for person in &config.people {
            assert_eq!(
                person.email.as_str(),
                format!("{}@{}.example.org", person.id, config.id)
            );
        }
    }
}

#[test]
fn a_few_exact_values() {
    let sefton = demo("sefton");
    assert_eq!(
        sefton.name,
        "Sefton Safeguarding Children Partnership (demo)"
    );
    assert_eq!(
        ids(sefton.agencies.iter().map(|a| a.id.as_str())),
        ["social-care", "police", "health", "school", "sscp"]
    );
    assert_eq!(
        sefton
            .mailbox(&escalations_core::ids::MailboxId::parse("recording").unwrap())
            .map(|a| a.to_string())
            .as_deref(),
        Some("recording@sefton.example.org")
    );
    let teacher = sefton
        .people
        .iter()
        .find(|p| p.id == "school-practitioner")
        .unwrap();
    assert_eq!(teacher.email, "school-practitioner@sefton.example.org");
    assert_eq!(teacher.role, Role::Practitioner);
    assert_eq!(teacher.name, "Demo practitioner, Demo High School");

    let moray = demo("moray");
    assert_eq!(moray.division, Division::Scotland);
    assert_eq!(moray.agencies[4].kind, AgencyKind::EarlyYears);
    let chair = moray.people.iter().find(|p| p.role == Role::Chair).unwrap();
    assert_eq!(chair.name, "Demo chair, Children and Families Policy Team");
    assert_eq!(chair.agency, "policy");

    let medway = demo("medway");
    assert_eq!(medway.division, Division::EnglandAndWales);
    assert_eq!(
        medway
            .mailbox(&escalations_core::ids::MailboxId::parse("recording").unwrap())
            .map(|a| a.to_string())
            .as_deref(),
        Some("recording@medway.example.org")
    );
    assert_eq!(medway.agencies[1].name, "Kent Police");

    let sscp = demo("sscp");
    assert_eq!(sscp.recording_mailbox, None);
    assert_eq!(sscp.name, "SSCP MSET Operational Group (demo)");
    let admin = sscp.people.last().unwrap();
    assert_eq!(
        (admin.id.as_str(), admin.role, admin.email.as_str()),
        ("admin", Role::Administrator, "admin@sscp.example.org")
    );
}

/// Issue 10: "Demo partnerships use `example.org` addresses only … nothing the demo does may
/// ever mail a real person." The seed documents' own mailboxes are real council addresses.
#[test]
fn every_demo_address_is_at_example_org() {
    for config in escalations_demo::partnerships() {
        let addresses = config
            .people
            .iter()
            .map(|p| p.email.to_string())
            .chain(config.recording_mailbox.clone())
            .chain(config.mailboxes.values().map(|a| a.to_string()))
            .chain(
                config
                    .agencies
                    .iter()
                    .filter_map(|a| a.mailbox.as_ref().map(|m| m.to_string())),
            );
        for address in addresses {
            assert!(
                address.ends_with(".example.org") || address.ends_with("@example.org"),
                "{}: {address} could reach a real person",
                config.id
            );
        }
    }
    for (name, text) in escalations_demo::FILES {
        assert!(!text.contains(".gov.uk"), "{name} names a real mailbox");
    }
}
