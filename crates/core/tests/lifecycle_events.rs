//! What a case records as it goes: a breached timescale once, and events that never carry
//! the child or any free text.

mod common;

use chrono::Duration;
use common::{CHILD_NAME, catalogue, practitioner, raise};
use escalations_core::case::EventKind;

#[test]
fn breaches_are_recorded_once_and_events_never_carry_the_child_or_free_text() {
    let catalogue = catalogue();
    let p = catalogue.get("medway").unwrap();
    let t = raise(p, &practitioner(), "2026-11-23T10:00:00Z");
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
    ] {
        assert!(
            !json.contains(secret),
            "{secret} leaked into events: {json}"
        );
    }
}
