//! Retention: at the end of the partnership's period a closed case keeps what its figures are
//! made of and loses the child's details and every word typed about it; the chronology is
//! kept whole with the erasure added; the report's figures do not change.

mod common;

use chrono::Duration;
use common::{
    at, catalogue, chair, escalation, not_resolved, practitioner, raise, resolution,
    school_manager, social_worker, text,
};
use escalations_core::Calendar;
use escalations_core::case::{Case, Contact, ContactMethod, EventKind, Outcome};
use escalations_core::ids::AgencyId;
use escalations_core::partnership::Retention;
use serde_json::Value;

// Distinctive words in every place a person types, and the child's details.
const TYPED: &[&str] = &[
    "Wilhelmina Skerrydance",
    "Puffin Lane, Crosby",
    "Marzipan threshold dispute",
    "Lighthouse visits unrecorded",
    "Tangerine outcome hoped for",
    "Tried the kestrel meeting",
    "Reasons about the walrus plan",
    "Agreed plan: heron review",
    "Duty officer Barnacle",
    "Contact with Cormorant Team Manager",
    "Escalated over the otter chronology",
    "Tried the badger call",
    "Outcome: the albatross assessment",
    "Lesson: the pelican threshold",
    "Gannet and Shearwater, heads of service",
];

fn years(n: u32) -> Retention {
    Retention::years(n).unwrap()
}

/// A Sefton case climbed to step 2 and resolved by the chair, with distinctive words in every
/// free-text place, the child's date of birth and address, and a form recorded.
fn closed_case() -> Case {
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = Calendar::new(p.division);
    let mut case = raise(p, &practitioner(), "2026-12-01T10:00:00Z").case;
    let child = case.child.as_mut().unwrap();
    child.name = text(TYPED[0]);
    child.address = Some(text(TYPED[1]));
    case.concern.summary = text(TYPED[2]);
    case.concern.other_reason = Some(text(TYPED[3]));
    case.concern.desired_outcome = Some(text(TYPED[4]));
    case.concern.tried = Some(text(TYPED[5]));
    let outcome = match not_resolved() {
        Outcome::NotResolved {
            mut agreed_actions, ..
        } => {
            agreed_actions[0].what = text(TYPED[7]);
            agreed_actions[0].owner_person = Some(text(TYPED[8]));
            Outcome::NotResolved {
                reasons: text(TYPED[6]),
                agreed_actions,
            }
        }
        other => other,
    };
    let case = case
        .respond(
            p,
            &cal,
            &social_worker(),
            outcome,
            at("2026-12-02T10:00:00Z"),
        )
        .unwrap()
        .with_contact(Contact {
            method: ContactMethod::Telephone,
            at: at("2026-12-02T09:00:00Z"),
            with_role: text(TYPED[9]),
            with_agency: AgencyId::parse("school").unwrap(),
        })
        .unwrap()
        .case;
    let mut request = escalation();
    request.reasons = text(TYPED[10]);
    request.tried = Some(text(TYPED[11]));
    let case = case
        .escalate(
            p,
            &cal,
            &school_manager(),
            request,
            at("2026-12-02T11:00:00Z"),
        )
        .unwrap()
        .case;
    // Step 2's log, naming the managers — words that may identify people, erased too.
    let plain = |s: &str| escalations_core::forms::Plain::Text(s.to_owned());
    let values = [
        ("date-of-discussion".to_owned(), plain("2026-12-02")),
        (
            "managers-involved".to_owned(),
            plain("Gannet and Shearwater, heads of service"),
        ),
        (
            "agreed-plan".to_owned(),
            plain("Meet again about the gannet"),
        ),
    ]
    .into();
    let form = escalations_core::ids::FormId::parse("agency-escalation-summary-log").unwrap();
    let case = case
        .record_form(
            p,
            &school_manager(),
            &form,
            &values,
            at("2026-12-03T09:00:00Z"),
        )
        .unwrap()
        .case;
    let mut resolve = resolution();
    resolve.outcome = text(TYPED[12]);
    resolve.lessons_learned = text(TYPED[13]);
    let case = case
        .resolve(p, &chair(), resolve, at("2026-12-03T10:00:00Z"))
        .unwrap()
        .case;
    let json = serde_json::to_string(&case).unwrap();
    for typed in TYPED {
        assert!(json.contains(typed), "the fixture holds {typed}");
    }
    assert!(json.contains("2015-06-01") && !case.forms.is_empty());
    case
}

/// Every string in a JSON value, with its path.
fn strings(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                strings(item, &format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_closed_case_past_its_period_keeps_its_figures_and_loses_the_child_and_every_typed_word() {
    let case = closed_case();
    let six = years(6);
    let closed_at = case.updated_at;

    // Not a moment before the period ends ...
    assert!(
        case.erase(&six, closed_at + Duration::days(365 * 6))
            .is_none()
    );
    // ... and on the day, six calendar years after its last change.
    let now = at("2032-12-03T10:00:00Z");
    let t = case.erase(&six, now).expect("the period has ended");
    let erased = &t.case;

    let json = serde_json::to_value(erased).unwrap();
    let text = json.to_string();
    for typed in TYPED {
        assert!(!text.contains(typed), "{typed} erased: {text}");
    }
    assert!(!text.contains("2015-06-01"), "the date of birth is erased");
    assert_eq!(erased.child_key, None);
    // Whatever is left is an id, an instant, a date, a number's words or the erased marker —
    // a free-text field added later and not erased fails here.
    let mut found = Vec::new();
    strings(&json, "case", &mut found);
    let id = regex_lite(r"^[a-z0-9]+(-[a-z0-9]+)*$");
    let instant = regex_lite(r"^\d{4}-\d{2}-\d{2}(T[0-9:.]+Z)?$");
    for (path, value) in &found {
        assert!(
            id(value) || instant(value) || value == "[erased]",
            "{path} = {value:?} survives erasure"
        );
    }

    // What the figures are made of is unchanged.
    assert_eq!(erased.id, case.id);
    assert_eq!(erased.status.kind(), case.status.kind());
    assert_eq!(erased.stage, case.stage);
    assert_eq!(erased.stages_entered, case.stages_entered);
    assert_eq!(erased.clocks, case.clocks);
    assert_eq!(erased.concern.reasons, case.concern.reasons);
    assert_eq!(erased.concern.level_of_need, case.concern.level_of_need);
    assert_eq!(erased.responses.len(), case.responses.len());
    assert_eq!(
        erased.responses[0].contact.as_ref().map(|c| c.method),
        Some(ContactMethod::Telephone)
    );
    assert_eq!(erased.forms.len(), case.forms.len());
    assert_eq!(erased.forms[0].form, case.forms[0].form);
    assert_eq!(erased.erased_at, Some(now));

    // The erasure is a change of its own, by nobody, recorded in the chronology.
    assert_eq!(erased.version, case.version + 1);
    assert_eq!(t.events.len(), 1);
    assert_eq!(t.events[0].by, None);
    assert_eq!(t.events[0].kind, EventKind::Erased { kept_for_years: 6 });

    // Running it again changes nothing.
    assert!(erased.erase(&six, now + Duration::days(30)).is_none());
}

#[test]
fn the_report_counts_an_erased_case_as_it_did_before() {
    let catalogue = catalogue();
    let case = closed_case();
    let cal = Calendar::new(escalations_core::Division::EnglandAndWales);
    let (from, to) = ("2026-12-01".parse().unwrap(), "2026-12-31".parse().unwrap());
    let now = at("2032-12-03T10:00:00Z");
    let erased = case.erase(&years(6), now).unwrap().case;
    let before = escalations_core::report::report(&[case], &catalogue, &cal, from, to, now);
    let after = escalations_core::report::report(&[erased], &catalogue, &cal, from, to, now);
    // The same figures; only the quoted lesson is no longer quoted.
    let figures = |csv: String| -> Vec<String> {
        csv.lines()
            .filter(|row| !row.starts_with("lessons learned,"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(before.lessons_learned.len(), 1);
    assert_eq!(after.lessons_learned.len(), 0);
    assert_eq!(figures(after.to_csv()), figures(before.to_csv()));
    assert!(!after.to_csv().contains("pelican"));
}

#[test]
fn an_open_case_or_one_changed_within_the_period_is_kept() {
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let open = raise(p, &practitioner(), "2020-01-06T10:00:00Z").case;
    assert!(
        open.erase(&years(1), at("2026-01-06T10:00:00Z")).is_none(),
        "open cases are never erased"
    );

    // The period runs from the closed case's last change: an agreed action marked done a
    // year after the resolution starts it again.
    let case = closed_case();
    let action = escalations_core::ids::ActionId::parse("a1").unwrap();
    let done = case
        .complete_action(&chair(), &action, at("2027-12-03T10:00:00Z"))
        .unwrap()
        .case;
    assert!(done.erase(&years(6), at("2032-12-03T10:00:00Z")).is_none());
    assert!(done.erase(&years(6), at("2033-12-03T10:00:00Z")).is_some());
}

#[test]
fn the_period_is_1_to_100_years_and_a_file_saying_otherwise_is_refused_with_its_place() {
    assert!(Retention::years(0).is_err());
    assert!(Retention::years(101).is_err());
    assert_eq!(years(6).closed_cases_kept_for_years(), 6);
    // 29 February counts back to 28 February.
    assert_eq!(
        years(1).closed_on_or_before(at("2028-02-29T12:00:00Z")),
        at("2027-02-28T12:00:00Z")
    );

    let example = include_str!("../../../infra/partnership.example.toml");
    let with = |retention: &str| format!("{example}\n[retention]\n{retention}\n");
    let loaded = escalations_core::partnership::load(
        "p.toml",
        &with("closed_cases_kept_for_years = 6"),
        &catalogue(),
    )
    .unwrap();
    assert_eq!(loaded.retention, Some(years(6)));
    let refused = escalations_core::partnership::load(
        "p.toml",
        &with("closed_cases_kept_for_years = 0"),
        &catalogue(),
    )
    .unwrap_err()
    .join("\n");
    assert!(
        refused.contains("p.toml:") && refused.contains("1 to 100 years"),
        "{refused}"
    );
    let refused = escalations_core::partnership::load(
        "p.toml",
        &with("closed_cases_kept_for_year = 6"),
        &catalogue(),
    )
    .unwrap_err()
    .join("\n");
    assert!(refused.contains("closed_cases_kept_for_year"), "{refused}");
}

/// A tiny pattern check without a regex crate: the id and instant shapes above.
fn regex_lite(pattern: &'static str) -> impl Fn(&str) -> bool {
    move |s: &str| match pattern {
        r"^[a-z0-9]+(-[a-z0-9]+)*$" => {
            !s.is_empty()
                && !s.starts_with('-')
                && !s.ends_with('-')
                && !s.contains("--")
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }
        _ => {
            s.len() >= 10
                && s[..10].bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                })
                && (s.len() == 10 || (s.as_bytes()[10] == b'T' && s.ends_with('Z')))
        }
    }
}
