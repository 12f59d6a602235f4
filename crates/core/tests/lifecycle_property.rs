//! The lifecycle state-machine property: any sequence of actions by anyone keeps at most one
//! running clock, in the current stage, and counts versions — and agrees with what a work
//! queue works out from a list entry.

mod common;

use chrono::Duration;
use common::{
    admin, at, catalogue, chair, escalation, not_resolved, practitioner, raise, resolution,
    school_manager, social_care_manager, social_worker, text,
};
use escalations_core::Calendar;
use escalations_core::case::{NextMove, Outcome};
use proptest::prelude::*;

/// Random sequences of actions by random people at increasing times.
fn any_step() -> impl Strategy<Value = (u8, u8, i64)> {
    (0u8..6, 0u8..6, 0i64..(6 * 24 * 3600))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_sequence_keeps_one_running_clock_in_the_current_stage_and_counts_versions(
        procedure in 0usize..6,
        steps in prop::collection::vec(any_step(), 1..25),
    ) {
        let catalogue = catalogue();
        let p = catalogue.iter().nth(procedure).unwrap();
        let cal = Calendar::new(p.division);
        let raiser = if p.raised_by.contains(&escalations_core::procedure::RaiserRole::Chair) { chair() } else { practitioner() };
        let mut now = at("2026-11-20T09:00:00Z");
        let first = raise(p, &raiser, "2026-11-20T09:00:00Z");
        let mut case = first.case;
        let people = [practitioner(), school_manager(), social_worker(), social_care_manager(), chair(), admin()];
        for (action, who, gap) in steps {
            now += Duration::seconds(gap);
            let who = &people[who as usize];
            let result = match action {
                0 => case.respond(p, &cal, who, not_resolved(), now),
                1 => case.respond(p, &cal, who, Outcome::Resolved { summary: text("ok"), agreed_actions: vec![] }, now),
                2 => case.escalate(p, &cal, who, escalation(), now),
                3 => case.submit(p, &cal, who, now),
                4 => case.resolve(p, who, resolution(), now),
                _ => match case.record_breaches(now) { Some(t) => Ok(t), None => continue },
            };
            if let Ok(t) = result {
                prop_assert_eq!(t.case.version, case.version + 1);
                prop_assert!(!t.events.is_empty());
                prop_assert!(t.events.iter().all(|e| e.version == t.case.version));
                case = t.case;
            }
            let running: Vec<_> = case.clocks.iter().filter(|c| c.is_running()).collect();
            prop_assert!(running.len() <= 1);
            if let Some(run) = running.first() {
                prop_assert_eq!(&run.stage, &case.stage);
                prop_assert!(case.status.is_open());
            }
            if case.status.is_open() {
                prop_assert!(case.next_move(p).is_some());
            }
            // What a work queue works out from a list entry agrees with the whole case.
            if let Some(next) = case.next_move(p) {
                match case.running_clock() {
                    Some(run) => prop_assert_eq!(
                        NextMove::while_clock_runs(p, &case.stage, &run.clock, run.owner, run.due),
                        Some(next)
                    ),
                    None => prop_assert!(
                        NextMove::parties_without_clock(p, &case.stage).contains(&next.party)
                    ),
                }
            }
            for person in &people {
                prop_assert_eq!(
                    person.parties_in(&case.raising_agency, case.receiving_agency.as_ref()),
                    case.parties_of(person)
                );
            }
        }
    }
}
