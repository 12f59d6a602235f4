//! Demo partnerships for the local stack and the journey tests: one per seed document, each
//! with agencies and a demo person for every role. Names are plainly fictional.

use escalations_core::Division;
use escalations_core::case::Role;
use escalations_core::ids::{AgencyId, PartnershipId, PersonId, ProcedureId};
use escalations_core::procedure::AgencyKind;
use escalations_store::{Agency, PartnershipConfig, Person};

struct Spec {
    id: &'static str,
    name: &'static str,
    procedures: &'static [&'static str],
    division: Division,
    recording: Option<&'static str>,
    /// (id, name, kind); the last is the partnership's own unit, home of chair and admin.
    agencies: &'static [(&'static str, &'static str, AgencyKind)],
}

const SPECS: &[Spec] = &[
    Spec {
        id: "medway",
        name: "Medway Safeguarding Children Partnership (demo)",
        procedures: &["medway", "medway-ppa"],
        division: Division::EnglandAndWales,
        recording: Some("mscp@medway.gov.uk"),
        agencies: &[
            (
                "social-care",
                "Medway Children's Social Care",
                AgencyKind::SocialWork,
            ),
            ("police", "Kent Police", AgencyKind::Police),
            ("health", "Medway Community Health", AgencyKind::Health),
            ("school", "Demo Primary School", AgencyKind::Education),
            ("mscp", "MSCP Business Unit", AgencyKind::Partnership),
        ],
    },
    Spec {
        id: "sefton",
        name: "Sefton Safeguarding Children Partnership (demo)",
        procedures: &["sefton"],
        division: Division::EnglandAndWales,
        recording: Some("SSCP@sefton.gov.uk"),
        agencies: &[
            (
                "social-care",
                "Sefton Children's Social Care",
                AgencyKind::SocialWork,
            ),
            ("police", "Merseyside Police", AgencyKind::Police),
            ("health", "Sefton Health", AgencyKind::Health),
            ("school", "Demo High School", AgencyKind::Education),
            ("sscp", "SSCP Team", AgencyKind::Partnership),
        ],
    },
    Spec {
        id: "moray",
        name: "Moray Child Protection Committee (demo)",
        procedures: &["moray"],
        division: Division::Scotland,
        recording: Some("candfpolicy@moray.gov.uk"),
        agencies: &[
            (
                "social-work",
                "Moray Children and Families Social Work",
                AgencyKind::SocialWork,
            ),
            ("police", "Police Scotland (demo)", AgencyKind::Police),
            ("health", "NHS Grampian (demo)", AgencyKind::Health),
            ("education", "Moray Education (demo)", AgencyKind::Education),
            ("early-years", "Demo Nursery", AgencyKind::EarlyYears),
            (
                "policy",
                "Children and Families Policy Team",
                AgencyKind::Partnership,
            ),
        ],
    },
    Spec {
        id: "sscp",
        name: "SSCP MSET Operational Group (demo)",
        procedures: &["sscp-mset", "sscp-mset-non-attendance"],
        division: Division::EnglandAndWales,
        recording: None,
        agencies: &[
            (
                "childrens-services",
                "Children's Services (demo)",
                AgencyKind::SocialWork,
            ),
            ("police", "Police (demo)", AgencyKind::Police),
            ("health", "Health (demo)", AgencyKind::Health),
            ("mset", "MSET Operational Group", AgencyKind::Partnership),
        ],
    },
];

fn id<T>(parse: impl Fn(&str) -> Result<T, escalations_core::ids::InvalidId>, s: &str) -> T {
    // Demo ids are literals above, all valid kebab case (tested).
    parse(s).unwrap_or_else(|e| panic!("demo id: {e}"))
}

/// The demo partnerships. In each, every agency but the last has `{agency}-practitioner` and
/// `{agency}-manager`; the last (the partnership's unit) has `chair` and `admin`.
pub fn partnerships() -> Vec<PartnershipConfig> {
    SPECS
        .iter()
        .map(|spec| {
            let (unit, agencies) = spec.agencies.split_last().unwrap_or_else(|| unreachable!());
            let mut people = Vec::new();
            let person = |pid: String, name: String, agency: &str, role: Role| Person {
                email: format!("{pid}@{}.demo.invalid", spec.id),
                id: id(PersonId::parse, &pid),
                name,
                agency: id(AgencyId::parse, agency),
                role,
            };
            for (agency, agency_name, _) in agencies {
                people.push(person(
                    format!("{agency}-practitioner"),
                    format!("Demo practitioner, {agency_name}"),
                    agency,
                    Role::Practitioner,
                ));
                people.push(person(
                    format!("{agency}-manager"),
                    format!("Demo manager, {agency_name}"),
                    agency,
                    Role::Manager,
                ));
            }
            people.push(person(
                "chair".into(),
                format!("Demo chair, {}", unit.1),
                unit.0,
                Role::Chair,
            ));
            people.push(person(
                "admin".into(),
                format!("Demo administrator, {}", unit.1),
                unit.0,
                Role::Administrator,
            ));
            PartnershipConfig {
                id: id(PartnershipId::parse, spec.id),
                name: spec.name.to_owned(),
                procedures: spec
                    .procedures
                    .iter()
                    .map(|p| id(ProcedureId::parse, p))
                    .collect(),
                division: spec.division,
                closure_days: vec![],
                recording_mailbox: spec.recording.map(str::to_owned),
                agencies: spec
                    .agencies
                    .iter()
                    .map(|(a, name, kind)| Agency {
                        id: id(AgencyId::parse, a),
                        name: (*name).to_owned(),
                        kind: *kind,
                    })
                    .collect(),
                people,
            }
        })
        .collect()
}
