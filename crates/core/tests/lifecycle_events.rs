//! What a case records as it goes: a breached timescale once, and events that never carry
//! the child or any free text.

mod common;

use chrono::Duration;
use common::{CHILD_NAME, catalogue, practitioner};
use escalations_core::case::EventKind;

#[test]
fn breaches_are_recorded_once_and_events_never_carry_the_child_or_free_text() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let mut req = common::request(p, true);
    req.concern.other_reason = Some(common::text("Reason in words: a named neighbour"));
    let t = escalations_core::case::Case::raise(
        escalations_core::ids::CaseId::parse("case-1").unwrap(),
        p,
        &escalations_core::Calendar::new(p.division),
        &practitioner(),
        req,
        common::at("2026-11-23T10:00:00Z"),
    )
    .unwrap();
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
        "named neighbour",
    ] {
        assert!(
            !json.contains(secret),
            "{secret} leaked into events: {json}"
        );
    }
}

/// The report counts `other` by id and never quotes the reason in words.
#[test]
fn the_report_counts_other_by_id_only() {
    let catalogue = catalogue();
    let p = catalogue.get("moray").unwrap();
    let mut req = common::request(p, true);
    req.concern.other_reason = Some(common::text("Reason in words: a named neighbour"));
    let now = common::at("2026-11-23T10:00:00Z");
    // Moray's initial clock runs from the discussion, which took place as the case is raised.
    let case = escalations_core::case::Case::raise_with(
        escalations_core::ids::CaseId::parse("case-1").unwrap(),
        p,
        &escalations_core::Calendar::new(p.division),
        &practitioner(),
        req,
        &common::stated_at(now),
        now,
    )
    .unwrap()
    .case;
    let day = now.date_naive();
    let report = escalations_core::report::report(
        &[case],
        &catalogue,
        &escalations_core::Calendar::new(p.division),
        day,
        day,
        now,
    );
    assert_eq!(report.by_reason.get("moray/other"), Some(&1));
    assert_eq!(report.by_reason.get("moray/no-consensus"), Some(&1));
    let json = serde_json::to_string(&report).unwrap();
    let csv = report.to_csv();
    for text in [&json, &csv] {
        assert!(!text.contains("named neighbour"), "{text}");
    }
}

#[test]
fn a_contact_is_kept_on_the_case_and_out_of_events_and_reports() {
    // Sefton: "Escalation can be via telephone, face-to-face or internet meeting. All
    // escalations should be recorded to ensure that the procedure is effective, transparent
    // and for SSCP auditing purposes." Medway: "Conversations between professionals,
    // telephone calls and emails should be recorded on the child's file as evidence of the
    // challenge and any resolution met."
    use escalations_core::case::{Contact, ContactMethod, ContactRefused};
    let catalogue = catalogue();
    let p = catalogue.get("sefton").unwrap();
    let cal = escalations_core::Calendar::new(p.division);
    let case = common::raise(p, &practitioner(), "2026-11-02T10:00:00Z").case;
    let contact = |at: &str| Contact {
        method: ContactMethod::FaceToFace,
        at: common::at(at),
        with_role: common::text("Team Manager, Children's Social Care"),
        with_agency: escalations_core::ids::AgencyId::parse("social-care").unwrap(),
    };
    let respond = || {
        case.respond(
            p,
            &cal,
            &common::social_worker(),
            common::not_resolved(),
            common::at("2026-11-03T10:00:00Z"),
        )
        .unwrap()
    };
    let t = respond()
        .with_contact(contact("2026-11-03T09:30:00Z"))
        .unwrap();
    assert_eq!(
        t.case.responses[0].contact,
        Some(contact("2026-11-03T09:30:00Z"))
    );
    let events = serde_json::to_string(&t.events).unwrap();
    assert!(!events.contains("Team Manager"), "{events}");

    // Never in the future.
    let future = respond()
        .with_contact(contact("2026-11-03T10:00:01Z"))
        .unwrap_err();
    assert!(
        matches!(future, ContactRefused::InFuture { .. }),
        "{future}"
    );

    // An escalation records one too; an action that records neither cannot.
    let escalated = t
        .case
        .escalate(
            p,
            &cal,
            &common::school_manager(),
            common::escalation(),
            common::at("2026-11-03T11:00:00Z"),
        )
        .unwrap()
        .with_contact(Contact {
            method: ContactMethod::Telephone,
            ..contact("2026-11-03T10:45:00Z")
        })
        .unwrap();
    assert_eq!(
        escalated.case.escalations[0]
            .contact
            .as_ref()
            .map(|c| c.method),
        Some(ContactMethod::Telephone)
    );
    let withdrawn = escalated
        .case
        .withdraw(
            p,
            &practitioner(),
            common::text("Raised in error"),
            common::at("2026-11-03T12:00:00Z"),
        )
        .unwrap()
        .with_contact(contact("2026-11-03T11:30:00Z"))
        .unwrap_err();
    assert_eq!(withdrawn, ContactRefused::NothingToRecordOn);

    let report = escalations_core::report::report(
        &[escalated.case],
        &catalogue,
        &cal,
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        common::at("2026-11-04T09:00:00Z"),
    );
    // Only the method is counted ("Escalation via e-mail is not recommended").
    assert_eq!(
        report.contacts_by_method.get("sefton/face-to-face"),
        Some(&1)
    );
    assert_eq!(report.contacts_by_method.get("sefton/telephone"), Some(&1));
    let csv = report.to_csv();
    assert!(
        csv.contains("contact method,sefton/telephone,discussions,1\r\n"),
        "{csv}"
    );
    let json = serde_json::to_string(&report).unwrap();
    for text in [&json, &csv] {
        assert!(!text.contains("Team Manager"), "{text}");
    }
}
