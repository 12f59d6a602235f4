//! The conformance suite: one set of checks every storage adapter must pass.
//!
//! An adapter's tests call [`conformance_suite!`] with an async function that returns a fresh,
//! empty store; each check becomes one `#[tokio::test]` with a sentence for a name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use escalations_core::case::{
    Actor, Case, Concern, Event, EventKind, MatchSecret, Outcome, RaiseRequest, ResolveRequest,
    Role, Transition,
};
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId, Text};
use escalations_core::procedure::{AgencyKind, Procedure};
use escalations_core::{Calendar, Catalogue, Division};

use crate::{
    Agency, CaseFilter, Created, DueNotice, Idempotency, IdempotencyKey, NoticeEnd, NoticeKey,
    NoticeOutcome, PageRequest, PartnershipConfig, PendingNotice, Person, Scope, StatusKind, Store,
    StoreError,
};

pub type Shared = Arc<dyn Store>;

/// Generates one test per check for an adapter. `$fresh` is a path to an `async fn() ->
/// Arc<dyn Store>` returning an empty store.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@tests $fresh;
            a_created_case_loads_back_with_its_chronology,
            a_case_id_cannot_be_created_twice,
            a_stale_write_gets_a_conflict_and_changes_nothing,
            applying_to_a_missing_case_is_not_found,
            fifty_concurrent_writers_get_one_success_per_version_and_lose_no_event,
            a_raise_retried_five_times_with_one_idempotency_key_creates_one_case,
            an_idempotency_key_reused_for_a_different_request_is_refused,
            the_same_idempotency_key_from_another_person_creates_their_own_case,
            partnership_a_cannot_load_list_query_or_change_partnership_b_cases,
            the_due_query_returns_exactly_the_open_clocks_due_by_the_instant_across_pages,
            a_closed_case_leaves_the_due_query,
            a_notice_is_recorded_once_even_when_raced,
            lists_page_through_scopes_and_filters_without_gaps_or_repeats,
            an_agency_owning_an_agreed_action_lists_the_case_with_its_due_date,
            partnership_configuration_round_trips,
            // Administration
            a_configuration_change_is_conditional_on_the_version_read_and_recorded,
            racing_administrators_get_one_change_per_version_and_lose_none,
            the_record_of_changes_pages_newest_first_within_one_partnership,
            an_idempotency_key_tells_which_case_it_created,
            the_match_secret_is_stored_once_per_partnership_even_when_raced,
            list_entries_carry_the_child_key_never_the_child,
            the_agencies_a_practice_alert_asks_list_it_from_the_raise,
            notices_planned_with_a_change_are_kept_only_if_the_change_is_stored,
            the_due_notices_query_returns_exactly_the_pending_notices_due_by_the_instant_across_pages,
            a_pending_notice_is_claimed_by_one_caller_and_again_once_its_lease_expires,
            a_released_notice_is_due_again_at_its_retry_instant_and_not_before,
            a_finished_notice_leaves_the_due_query_and_racing_finishes_record_it_once,
            a_sent_notice_is_listed_and_a_dropped_one_is_not,
            partnership_b_cannot_claim_release_or_finish_partnership_a_notices,
            // Work queues
            a_case_is_in_exactly_the_work_queues_its_state_puts_it_in,
            reindexing_a_case_changes_nothing_and_leaves_it_where_it_belongs,
            // Retention
            closed_cases_wait_in_the_retention_query_by_last_change_until_erased,
            an_erasure_is_a_change_like_any_other_conditional_on_the_version_read,
            // Access history
            reads_are_kept_in_order_and_only_ever_added,
            a_case_access_history_belongs_to_that_case_of_that_partnership,
            // Calendar feeds
            a_calendar_feed_is_stored_replaced_and_revoked,
            calendar_feeds_belong_to_one_person_of_one_partnership,
        );
    };
    (@tests $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                $crate::conformance::$check($fresh().await).await;
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------
// Fixtures

pub fn partnership(id: &str) -> PartnershipId {
    PartnershipId::parse(id).unwrap()
}

fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap()
}

fn sefton() -> Procedure {
    catalogue().get("sefton").unwrap().clone()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

pub fn actor(person: &str, agency: &str, role: Role) -> Actor {
    Actor::new(
        PersonId::parse(person).unwrap(),
        AgencyId::parse(agency).unwrap(),
        role,
    )
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A Sefton case raised by `raiser` against `receiving` at `now`.
/// Case 1, the suite's usual case: raised by the practitioner to children's social care on
/// Monday 23 November 2026 at 10:00.
pub fn case_one() -> Transition {
    raised(
        "case-1",
        &practitioner(),
        "social-care",
        at("2026-11-23T10:00:00Z"),
    )
}

pub fn raised(id: &str, raiser: &Actor, receiving: &str, now: DateTime<Utc>) -> Transition {
    let p = sefton();
    Case::raise(
        CaseId::parse(id).unwrap(),
        &p,
        &Calendar::new(Division::EnglandAndWales),
        raiser,
        RaiseRequest {
            receiving_agency: Some(AgencyId::parse(receiving).unwrap()),
            child: Some(escalations_core::case::Child {
                name: text("Test Child"),
                date_of_birth: None,
                address: None,
                child_protection_plan: false,
                in_care: false,
            }),
            concern: Concern {
                summary: text("Concern text"),
                reasons: vec![],
                level_of_need: Some(p.levels_of_need[0].id.clone()),
                desired_outcome: None,
                tried: None,
                other_reason: None,
            },
            immediate_risk: Some(false),
            agencies_asked: Vec::new(),
        },
        now,
    )
    .unwrap()
}

fn practitioner() -> Actor {
    actor("pat", "school", Role::Practitioner)
}

fn social_worker() -> Actor {
    actor("sol", "social-care", Role::Practitioner)
}

/// A synthetic next version of `case`, written by `writer`: the store does not interpret
/// transitions, so any consistent one exercises it.
fn bump(case: &Case, writer: &str, now: DateTime<Utc>) -> Transition {
    let mut next = case.clone();
    next.version += 1;
    next.updated_at = now;
    Transition {
        events: vec![Event {
            case: next.id.clone(),
            version: next.version,
            seq: 0,
            at: now,
            by: Some(PersonId::parse(writer).unwrap()),
            kind: EventKind::Responded {
                stage: next.stage.clone(),
                resolved: false,
            },
        }],
        case: next,
    }
}

/// The asked agency's "not resolved" response to `case` at `now`.
pub fn respond(case: &Case, now: DateTime<Utc>) -> Transition {
    case.respond(
        &sefton(),
        &Calendar::new(Division::EnglandAndWales),
        &social_worker(),
        Outcome::NotResolved {
            reasons: text("Not agreed"),
            agreed_actions: vec![],
        },
        now,
    )
    .unwrap()
}

async fn create(store: &Shared, p: &PartnershipId, t: &Transition) -> Case {
    match store.create_case(p, t, None).await.unwrap() {
        Created::New(case) => case,
        Created::Replayed(_) => panic!("a new case was reported as replayed"),
    }
}

/// The idempotency key `key` as `by` sends it with a request whose fingerprint is `fingerprint`.
fn idempotency(by: &Actor, key: &str, fingerprint: &str) -> Idempotency {
    Idempotency {
        person: by.person.clone(),
        key: IdempotencyKey::parse(key).unwrap(),
        fingerprint: fingerprint.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Checks

pub async fn a_created_case_loads_back_with_its_chronology(store: Shared) {
    let p = partnership("sefton-scp");
    let t = case_one();
    let case = create(&store, &p, &t).await;
    assert_eq!(case, t.case);
    let loaded = store
        .load_case(&p, &t.case.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        loaded, t.case,
        "the case round-trips exactly, child details included"
    );
    assert_eq!(store.chronology(&p, &t.case.id).await.unwrap(), t.events);
    let r = respond(&loaded, at("2026-11-24T10:00:00Z"));
    store.apply(&p, &r).await.unwrap();
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap().unwrap(),
        r.case
    );
    let chronology = store.chronology(&p, &t.case.id).await.unwrap();
    assert_eq!(chronology, [t.events, r.events].concat());
}

pub async fn a_case_id_cannot_be_created_twice(store: Shared) {
    let p = partnership("sefton-scp");
    let first = case_one();
    create(&store, &p, &first).await;
    let second = raised(
        "case-1",
        &practitioner(),
        "police",
        at("2026-11-23T11:00:00Z"),
    );
    let err = store.create_case(&p, &second, None).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        store.load_case(&p, &first.case.id).await.unwrap().unwrap(),
        first.case
    );
    assert_eq!(
        store.chronology(&p, &first.case.id).await.unwrap(),
        first.events
    );
}

pub async fn a_stale_write_gets_a_conflict_and_changes_nothing(store: Shared) {
    let p = partnership("sefton-scp");
    let t = case_one();
    create(&store, &p, &t).await;
    let read = store.load_case(&p, &t.case.id).await.unwrap().unwrap();
    let winner = bump(&read, "winner", at("2026-11-23T11:00:00Z"));
    let stale = bump(&read, "stale", at("2026-11-23T11:00:01Z"));
    store.apply(&p, &winner).await.unwrap();
    let err = store.apply(&p, &stale).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected_version: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap().unwrap(),
        winner.case
    );
    let chronology = store.chronology(&p, &t.case.id).await.unwrap();
    assert_eq!(chronology, [t.events, winner.events].concat());
}

pub async fn applying_to_a_missing_case_is_not_found(store: Shared) {
    let p = partnership("sefton-scp");
    let t = case_one();
    let err = store
        .apply(&p, &bump(&t.case, "x", at("2026-11-23T11:00:00Z")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(store.load_case(&p, &t.case.id).await.unwrap().is_none());
}

pub async fn fifty_concurrent_writers_get_one_success_per_version_and_lose_no_event(store: Shared) {
    let p = partnership("sefton-scp");
    let t = case_one();
    create(&store, &p, &t).await;
    // Every writer reads, writes, and on a conflict reads again, until it has written once.
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..50 {
        let store = store.clone();
        let p = p.clone();
        let id = t.case.id.clone();
        writers.spawn(async move {
            let (mut successes, mut conflicts) = (Vec::new(), 0u32);
            while successes.is_empty() {
                let read = store.load_case(&p, &id).await.unwrap().unwrap();
                let next = bump(
                    &read,
                    &format!("writer-{w}"),
                    read.updated_at + Duration::seconds(1),
                );
                match store.apply(&p, &next).await {
                    Ok(()) => successes.push(next.case.version),
                    Err(StoreError::Conflict { .. }) => conflicts += 1,
                    Err(other) => panic!("writer {w}: {other:?}"),
                }
            }
            (w, successes, conflicts)
        });
    }
    let mut winners_by_version: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    let mut total_conflicts = 0;
    while let Some(result) = writers.join_next().await {
        let (w, successes, conflicts) = result.unwrap();
        total_conflicts += conflicts;
        for version in successes {
            winners_by_version.entry(version).or_default().push(w);
        }
    }
    // Exactly one success for each version 2..=51.
    assert_eq!(winners_by_version.len(), 50);
    assert!(
        winners_by_version.iter().all(|(_, w)| w.len() == 1),
        "{winners_by_version:?}"
    );
    assert_eq!(
        winners_by_version.keys().copied().collect::<Vec<_>>(),
        (2..=51).collect::<Vec<_>>()
    );
    let case = store.load_case(&p, &t.case.id).await.unwrap().unwrap();
    assert_eq!(case.version, 51);
    // The chronology holds each winner's event exactly once, in version order.
    let chronology = store.chronology(&p, &t.case.id).await.unwrap();
    assert_eq!(chronology.len(), t.events.len() + 50);
    for (version, writers) in &winners_by_version {
        let events: Vec<_> = chronology
            .iter()
            .filter(|e| e.version == *version)
            .collect();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].by.as_ref().unwrap().as_str(),
            format!("writer-{}", writers[0])
        );
    }
    let versions: Vec<u64> = chronology.iter().map(|e| e.version).collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "ordered: {versions:?}"
    );
    // Conflicts happened (the writers really raced) and each was reported, not swallowed.
    assert!(total_conflicts > 0);
}

pub async fn a_raise_retried_five_times_with_one_idempotency_key_creates_one_case(store: Shared) {
    let p = partnership("sefton-scp");
    let key = idempotency(
        &practitioner(),
        "3f1c9a1e-5b7d-4a55-9d0b-2c8e7f6a1b2c",
        "raise:v1:abc",
    );
    // Each retry arrives with a freshly generated case id, as a retrying client's would.
    let mut tries = tokio::task::JoinSet::new();
    for attempt in 0..5 {
        let store = store.clone();
        let p = p.clone();
        let key = key.clone();
        tries.spawn(async move {
            let t = raised(
                &format!("case-try-{attempt}"),
                &practitioner(),
                "social-care",
                at("2026-11-23T10:00:00Z"),
            );
            store.create_case(&p, &t, Some(&key)).await.unwrap()
        });
    }
    let mut outcomes = Vec::new();
    while let Some(result) = tries.join_next().await {
        outcomes.push(result.unwrap());
    }
    let new: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o, Created::New(_)))
        .collect();
    assert_eq!(new.len(), 1, "exactly one try creates the case");
    let ids: BTreeSet<_> = outcomes.iter().map(|o| o.case().id.clone()).collect();
    assert_eq!(ids.len(), 1, "every try returns the same case: {ids:?}");
    // And a sequential retry long after still returns it.
    let late = raised(
        "case-late",
        &practitioner(),
        "social-care",
        at("2026-11-23T12:00:00Z"),
    );
    let replay = store.create_case(&p, &late, Some(&key)).await.unwrap();
    assert!(matches!(replay, Created::Replayed(ref c) if ids.contains(&c.id)));
    let all = store
        .list_cases(
            &p,
            &Scope::Partnership,
            &CaseFilter::default(),
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1);
}

pub async fn an_idempotency_key_reused_for_a_different_request_is_refused(store: Shared) {
    let p = partnership("sefton-scp");
    let first = case_one();
    store
        .create_case(
            &p,
            &first,
            Some(&idempotency(&practitioner(), "key-0000001", "request-a")),
        )
        .await
        .unwrap();
    let other = raised(
        "case-2",
        &practitioner(),
        "police",
        at("2026-11-23T10:00:00Z"),
    );
    let err = store
        .create_case(
            &p,
            &other,
            Some(&idempotency(&practitioner(), "key-0000001", "request-b")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::IdempotencyKeyReused { .. }),
        "{err:?}"
    );
    assert!(store.load_case(&p, &other.case.id).await.unwrap().is_none());
    // The same key in another partnership is another key.
    let q = partnership("medway-scp");
    let created = store
        .create_case(
            &q,
            &other,
            Some(&idempotency(&practitioner(), "key-0000001", "request-b")),
        )
        .await
        .unwrap();
    assert!(matches!(created, Created::New(_)));
}

pub async fn the_same_idempotency_key_from_another_person_creates_their_own_case(store: Shared) {
    let p = partnership("sefton-scp");
    let pat = practitioner();
    // A colleague in the same agency and partnership, sending the very same key and body.
    let pam = actor("pam", "school", Role::Practitioner);
    let now = at("2026-11-23T10:00:00Z");
    let (key, fingerprint) = ("6c0e2a4e-shared-key", "raise:v1:same-body");
    let first = raised("case-pat", &pat, "social-care", now);
    let created = store
        .create_case(&p, &first, Some(&idempotency(&pat, key, fingerprint)))
        .await
        .unwrap();
    assert!(matches!(created, Created::New(ref c) if c.id == first.case.id));

    let theirs = raised("case-pam", &pam, "social-care", now);
    let answer = store
        .create_case(&p, &theirs, Some(&idempotency(&pam, key, fingerprint)))
        .await
        .unwrap();
    assert!(
        matches!(answer, Created::New(ref c) if c.id == theirs.case.id),
        "another person's key never replays the first person's case: {answer:?}"
    );
    assert_eq!(
        store.load_case(&p, &theirs.case.id).await.unwrap(),
        Some(theirs.case.clone())
    );
    // Nor is it refused as a reuse when that person's request differs.
    let sam = actor("sam", "school", Role::Practitioner);
    let third = raised("case-sam", &sam, "police", now);
    let answer = store
        .create_case(
            &p,
            &third,
            Some(&idempotency(&sam, key, "raise:v1:other-body")),
        )
        .await
        .unwrap();
    assert!(
        matches!(answer, Created::New(ref c) if c.id == third.case.id),
        "{answer:?}"
    );

    // Each person's retry still replays their own case, and only theirs.
    for (by, expected) in [(&pat, &first.case.id), (&pam, &theirs.case.id)] {
        let retry = raised("case-retry", by, "social-care", at("2026-11-23T10:05:00Z"));
        let replay = store
            .create_case(&p, &retry, Some(&idempotency(by, key, fingerprint)))
            .await
            .unwrap();
        assert!(
            matches!(replay, Created::Replayed(ref c) if &c.id == expected),
            "{} retrying: {replay:?}",
            by.person
        );
    }
    let all = store
        .list_cases(
            &p,
            &Scope::Partnership,
            &CaseFilter::default(),
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(
        all.items.len(),
        3,
        "one case per person, no retry created one"
    );
}

pub async fn partnership_a_cannot_load_list_query_or_change_partnership_b_cases(store: Shared) {
    let a = partnership("partnership-a");
    let b = partnership("partnership-b");
    let now = at("2026-11-23T10:00:00Z");
    let b_case = raised("case-b", &practitioner(), "social-care", now);
    create(&store, &b, &b_case).await;
    let a_case = raised("case-a", &practitioner(), "social-care", now);
    create(&store, &a, &a_case).await;
    let id = &b_case.case.id;

    assert!(store.load_case(&a, id).await.unwrap().is_none());
    assert!(store.chronology(&a, id).await.unwrap().is_empty());
    for scope in [
        Scope::Partnership,
        Scope::Agency(AgencyId::parse("school").unwrap()),
        Scope::Person(PersonId::parse("pat").unwrap()),
    ] {
        let listed = store
            .list_cases(&a, &scope, &CaseFilter::default(), &PageRequest::first(50))
            .await
            .unwrap();
        let ids: Vec<_> = listed.items.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["case-a"], "{scope:?}");
    }
    let due = store
        .due_by(&a, now + Duration::days(60), &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        due.items
            .iter()
            .map(|d| d.case.as_str())
            .collect::<Vec<_>>(),
        ["case-a"]
    );
    assert!(due.items.iter().all(|d| d.partnership == a));

    // A write addressed to A with B's case id changes nothing in B.
    let err = store
        .apply(
            &a,
            &bump(&b_case.case, "intruder", now + Duration::hours(1)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let key = NoticeKey::parse("breached/step-1/response").unwrap();
    assert_eq!(
        store.record_notice(&a, id, &key, now).await.unwrap(),
        NoticeOutcome::Recorded
    );
    assert!(store.notices(&b, id).await.unwrap().is_empty());
    assert_eq!(store.load_case(&b, id).await.unwrap().unwrap(), b_case.case);
    assert_eq!(store.chronology(&b, id).await.unwrap(), b_case.events);

    // A cursor from B's list cannot be used to page through A's, nor vice versa.
    for n in 0..3 {
        let extra = raised(&format!("case-b{n}"), &practitioner(), "social-care", now);
        create(&store, &b, &extra).await;
    }
    let b_page = store
        .list_cases(
            &b,
            &Scope::Partnership,
            &CaseFilter::default(),
            &PageRequest::first(1),
        )
        .await
        .unwrap();
    let stolen = PageRequest::new(10, b_page.next.clone());
    match store
        .list_cases(&a, &Scope::Partnership, &CaseFilter::default(), &stolen)
        .await
    {
        Err(StoreError::InvalidCursor) => {}
        Ok(page) => assert!(
            page.items
                .iter()
                .all(|c| c.id.as_str().starts_with("case-a")),
            "{page:?}"
        ),
        Err(other) => panic!("{other:?}"),
    }
}

pub async fn the_due_query_returns_exactly_the_open_clocks_due_by_the_instant_across_pages(
    store: Shared,
) {
    let p = partnership("sefton-scp");
    let base = at("2026-11-02T09:00:00Z"); // a Monday
    let mut expected = BTreeSet::new();
    let instant = at("2026-11-20T00:00:00Z");
    for n in 0..30 {
        let t = raised(
            &format!("case-{n:02}"),
            &practitioner(),
            "social-care",
            base + Duration::hours(13 * n),
        );
        let due = t.case.running_clock().unwrap().due;
        create(&store, &p, &t).await;
        if due <= instant {
            expected.insert((due, t.case.id.clone()));
        }
    }
    // A clock due exactly at the instant is included ("at or before").
    let edge = raised(
        "case-edge",
        &practitioner(),
        "social-care",
        at("2026-11-17T12:00:00Z"),
    );
    assert_eq!(edge.case.running_clock().unwrap().due, instant);
    create(&store, &p, &edge).await;
    expected.insert((instant, edge.case.id.clone()));
    assert!(
        expected.len() >= 10 && expected.len() < 31,
        "{}",
        expected.len()
    );

    let mut found = Vec::new();
    let mut page = PageRequest::first(4);
    let mut pages = 0;
    loop {
        let result = store.due_by(&p, instant, &page).await.unwrap();
        pages += 1;
        assert!(result.items.len() <= 4);
        found.extend(result.items);
        match result.next {
            Some(next) => page = PageRequest::new(4, Some(next)),
            None => break,
        }
        assert!(pages < 50, "the due query does not terminate");
    }
    assert!(pages >= 3, "several pages: {pages}");
    let got: Vec<_> = found.iter().map(|d| (d.due, d.case.clone())).collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(got, sorted, "earliest first");
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
    assert!(
        found
            .iter()
            .all(|d| d.stage == "step-1" && d.clock == "response")
    );

    // And across all partnerships, for the sweeper.
    store.put_partnership(&config("sefton-scp")).await.unwrap();
    store.put_partnership(&config("elsewhere")).await.unwrap();
    let everywhere = crate::due_everywhere(store.as_ref(), instant)
        .await
        .unwrap();
    assert_eq!(everywhere.len(), expected.len());
}

pub async fn a_closed_case_leaves_the_due_query(store: Shared) {
    let p = partnership("sefton-scp");
    let t = case_one();
    create(&store, &p, &t).await;
    let far = at("2027-01-01T00:00:00Z");
    assert_eq!(
        store
            .due_by(&p, far, &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let resolved = t
        .case
        .resolve(
            &sefton(),
            &practitioner(),
            ResolveRequest {
                outcome: text("Agreed"),
                lessons_learned: text("None"),
                agreed_actions: vec![],
            },
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &resolved).await.unwrap();
    assert!(
        store
            .due_by(&p, far, &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // A response moves the running clock; the index follows it.
    let t2 = raised(
        "case-2",
        &practitioner(),
        "social-care",
        at("2026-11-23T10:00:00Z"),
    );
    create(&store, &p, &t2).await;
    let r = respond(&t2.case, at("2026-11-24T10:00:00Z"));
    store.apply(&p, &r).await.unwrap();
    assert!(
        store
            .due_by(&p, far, &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

pub async fn a_notice_is_recorded_once_even_when_raced(store: Shared) {
    let p = partnership("sefton-scp");
    let t = case_one();
    create(&store, &p, &t).await;
    let key = NoticeKey::parse("due-soon/step-1/response/v1").unwrap();
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (store, p, id, key) = (store.clone(), p.clone(), t.case.id.clone(), key.clone());
        racers.spawn(async move {
            store
                .record_notice(&p, &id, &key, at("2026-11-24T09:00:00Z"))
                .await
                .unwrap()
        });
    }
    let mut recorded = 0;
    while let Some(outcome) = racers.join_next().await {
        if outcome.unwrap() == NoticeOutcome::Recorded {
            recorded += 1;
        }
    }
    assert_eq!(recorded, 1);
    let other = NoticeKey::parse("breached/step-1/response/v1").unwrap();
    assert_eq!(
        store
            .record_notice(&p, &t.case.id, &other, at("2026-11-26T00:00:00Z"))
            .await
            .unwrap(),
        NoticeOutcome::Recorded
    );
    let notices = store.notices(&p, &t.case.id).await.unwrap();
    let keys: Vec<_> = notices.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.contains(&key.as_str()) && keys.contains(&other.as_str()));
}

pub async fn lists_page_through_scopes_and_filters_without_gaps_or_repeats(store: Shared) {
    let p = partnership("sefton-scp");
    let base = at("2026-11-02T09:00:00Z");
    let police = actor("pc-plod", "police", Role::Practitioner);
    let mut all = Vec::new();
    for n in 0..12 {
        let raiser = if n % 3 == 0 {
            police.clone()
        } else {
            practitioner()
        };
        let t = raised(
            &format!("case-{n:02}"),
            &raiser,
            "social-care",
            base + Duration::hours(n),
        );
        create(&store, &p, &t).await;
        let mut case = t.case;
        if n % 4 == 0 {
            // The social worker responds: the case joins their list and moves its clock.
            let r = respond(&case, base + Duration::hours(n) + Duration::minutes(30));
            store.apply(&p, &r).await.unwrap();
            case = r.case;
        }
        if n == 5 {
            let w = case
                .withdraw(
                    &sefton(),
                    &practitioner(),
                    text("Agreed locally"),
                    base + Duration::hours(20),
                )
                .unwrap();
            store.apply(&p, &w).await.unwrap();
            case = w.case;
        }
        all.push(case);
    }
    async fn collect(
        store: &Shared,
        p: &PartnershipId,
        scope: Scope,
        filter: CaseFilter,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        let mut page = PageRequest::first(3);
        loop {
            let result = store.list_cases(p, &scope, &filter, &page).await.unwrap();
            assert!(result.items.len() <= 3);
            ids.extend(result.items.into_iter().map(|c| c.id.to_string()));
            match result.next {
                Some(next) => page = PageRequest::new(3, Some(next)),
                None => return ids,
            }
        }
    }
    let expect = |pred: &dyn Fn(&Case) -> bool| -> Vec<String> {
        let mut ids: Vec<_> = all
            .iter()
            .filter(|c| pred(c))
            .map(|c| c.id.to_string())
            .collect();
        ids.reverse(); // newest raised first
        ids
    };
    assert_eq!(
        collect(&store, &p, Scope::Partnership, CaseFilter::default()).await,
        expect(&|_| true)
    );
    assert_eq!(
        collect(
            &store,
            &p,
            Scope::Agency(AgencyId::parse("police").unwrap()),
            CaseFilter::default()
        )
        .await,
        expect(&|c| c.raising_agency == "police")
    );
    assert_eq!(
        collect(
            &store,
            &p,
            Scope::Agency(AgencyId::parse("social-care").unwrap()),
            CaseFilter::default()
        )
        .await,
        expect(&|_| true),
        "the receiving agency sees every case raised against it"
    );
    assert_eq!(
        collect(
            &store,
            &p,
            Scope::Person(PersonId::parse("sol").unwrap()),
            CaseFilter::default()
        )
        .await,
        expect(&|c| !c.responses.is_empty())
    );
    let withdrawn = CaseFilter {
        status: Some(StatusKind::Withdrawn),
        ..CaseFilter::default()
    };
    assert_eq!(
        collect(&store, &p, Scope::Partnership, withdrawn).await,
        ["case-05"]
    );
    let overdue = CaseFilter {
        overdue_at: Some(at("2026-11-04T23:59:59Z")),
        ..CaseFilter::default()
    };
    let now = at("2026-11-04T23:59:59Z");
    assert_eq!(
        collect(&store, &p, Scope::Partnership, overdue).await,
        expect(&|c| c.running_clock().is_some_and(|r| r.due <= now))
    );
    let by_procedure = CaseFilter {
        procedure: Some(escalations_core::ids::ProcedureId::parse("medway").unwrap()),
        ..CaseFilter::default()
    };
    assert!(
        collect(&store, &p, Scope::Partnership, by_procedure)
            .await
            .is_empty()
    );
    let by_stage = CaseFilter {
        stage: Some(escalations_core::ids::StageId::parse("step-1").unwrap()),
        status: Some(StatusKind::Open),
        ..CaseFilter::default()
    };
    assert_eq!(
        collect(&store, &p, Scope::Partnership, by_stage).await,
        expect(&|c| c.status.is_open() && c.stage == "step-1")
    );
    // Raised between two instants (from inclusive, before exclusive), in an agency's list,
    // oldest first: each page continues where the last ended, in that order.
    let (from, before) = (base + Duration::hours(3), base + Duration::hours(10));
    let raised_between = |oldest_first| CaseFilter {
        raised_from: Some(from),
        raised_before: Some(before),
        oldest_first,
        ..CaseFilter::default()
    };
    let between = |c: &Case| c.raised_at >= from && c.raised_at < before;
    assert_eq!(
        collect(&store, &p, Scope::Partnership, raised_between(false)).await,
        expect(&between)
    );
    let mut oldest_first = expect(&between);
    oldest_first.reverse();
    assert_eq!(
        collect(&store, &p, Scope::Partnership, raised_between(true)).await,
        oldest_first
    );
    let police_only = CaseFilter {
        oldest_first: true,
        raised_from: Some(from),
        ..CaseFilter::default()
    };
    let mut police_from = expect(&|c| c.raising_agency == "police" && c.raised_at >= from);
    police_from.reverse();
    assert_eq!(
        collect(
            &store,
            &p,
            Scope::Agency(AgencyId::parse("police").unwrap()),
            police_only
        )
        .await,
        police_from
    );
    let only_before = CaseFilter {
        raised_before: Some(before),
        ..CaseFilter::default()
    };
    assert_eq!(
        collect(&store, &p, Scope::Partnership, only_before).await,
        expect(&|c| c.raised_at < before)
    );
    // A garbled cursor is refused, not misread.
    let garbled = PageRequest::new(3, Some(crate::Cursor::from_string("not-a-cursor!".into())));
    let err = store
        .list_cases(&p, &Scope::Partnership, &CaseFilter::default(), &garbled)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidCursor), "{err:?}");
}

/// An agreed action owned by an agency that is not a party puts the case in that agency's
/// list, and every list entry carries the owners' earliest due dates (the work queue reads
/// them instead of whole cases).
pub async fn an_agency_owning_an_agreed_action_lists_the_case_with_its_due_date(store: Shared) {
    let p = partnership("actions");
    let raised = raised(
        "case-plan",
        &practitioner(),
        "social-care",
        at("2026-11-23T10:00:00Z"),
    );
    let case = create(&store, &p, &raised).await;
    let due: chrono::NaiveDate = "2026-12-04".parse().unwrap();
    let t = case
        .respond(
            &sefton(),
            &Calendar::new(Division::EnglandAndWales),
            &social_worker(),
            Outcome::NotResolved {
                reasons: text("Not agreed"),
                agreed_actions: vec![escalations_core::case::AgreedAction {
                    what: text("Share the chronology"),
                    owner_agency: Some(AgencyId::parse("health").unwrap()),
                    owner_person: None,
                    by_when: due,
                    done: None,
                }],
            },
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &t).await.unwrap();
    let expected = vec![escalations_core::case::OpenActions {
        owner: AgencyId::parse("health").unwrap(),
        due,
    }];
    for scope in [
        Scope::Agency(AgencyId::parse("health").unwrap()),
        Scope::Agency(AgencyId::parse("school").unwrap()),
        Scope::Partnership,
    ] {
        let page = store
            .list_cases(
                &p,
                &scope,
                &CaseFilter::default(),
                &PageRequest::new(10, None),
            )
            .await
            .unwrap();
        let ids: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["case-plan"], "{scope:?}");
        assert_eq!(page.items[0].open_actions, expected, "{scope:?}");
    }
    let police = store
        .list_cases(
            &p,
            &Scope::Agency(AgencyId::parse("police").unwrap()),
            &CaseFilter::default(),
            &PageRequest::new(10, None),
        )
        .await
        .unwrap();
    assert!(police.items.is_empty());
}

/// A minimal configuration for a partnership.
pub fn config(id: &str) -> PartnershipConfig {
    PartnershipConfig {
        id: partnership(id),
        name: format!("{id} partnership"),
        procedures: vec![escalations_core::ids::ProcedureId::parse("sefton").unwrap()],
        division: Division::EnglandAndWales,
        closure_days: vec![],
        recording_mailbox: None,
        mailboxes: Default::default(),
        notices: Default::default(),
        agencies: vec![],
        people: vec![],
        retention: None,
    }
}

pub async fn partnership_configuration_round_trips(store: Shared) {
    let config = PartnershipConfig {
        id: partnership("sefton-scp"),
        name: "Sefton Safeguarding Children Partnership".into(),
        procedures: vec![escalations_core::ids::ProcedureId::parse("sefton").unwrap()],
        division: Division::EnglandAndWales,
        closure_days: vec!["2026-12-29".parse().unwrap()],
        recording_mailbox: Some("recording@sefton.example.org".into()),
        mailboxes: [(
            escalations_core::ids::MailboxId::parse("recording").unwrap(),
            crate::EmailAddress::parse("sscp@sefton.example.org").unwrap(),
        )]
        .into(),
        notices: escalations_core::notices::NoticeSettings {
            reminder_percent: 50,
            ..Default::default()
        },
        agencies: vec![Agency {
            id: AgencyId::parse("merseyside-police").unwrap(),
            name: "Merseyside Police".into(),
            kind: AgencyKind::Police,
            mailbox: Some(crate::EmailAddress::parse("safeguarding@police.example.org").unwrap()),
        }],
        people: vec![Person {
            id: PersonId::parse("pat").unwrap(),
            name: "Pat Example".into(),
            email: crate::EmailAddress::parse("pat@example.org").unwrap(),
            agency: AgencyId::parse("merseyside-police").unwrap(),
            role: Role::Practitioner,
            level: None,
        }],
        // Kept in the round trip like every other setting.
        retention: Some(escalations_core::partnership::Retention::years(6).unwrap()),
    };
    store.put_partnership(&config).await.unwrap();
    let mut other = config.clone();
    other.id = partnership("moray");
    other.division = Division::Scotland;
    store.put_partnership(&other).await.unwrap();
    assert_eq!(
        store.partnership(&config.id).await.unwrap(),
        Some(config.clone())
    );
    let mut ids = store.partnerships().await.unwrap();
    ids.sort();
    assert_eq!(ids, [partnership("moray"), partnership("sefton-scp")]);
    // Replacing keeps one configuration.
    let mut changed = config.clone();
    changed.closure_days.push("2026-12-30".parse().unwrap());
    store.put_partnership(&changed).await.unwrap();
    assert_eq!(store.partnership(&config.id).await.unwrap(), Some(changed));
    assert_eq!(store.partnerships().await.unwrap().len(), 2);
    assert!(
        store
            .partnership(&partnership("nowhere"))
            .await
            .unwrap()
            .is_none()
    );
}

// ---------------------------------------------------------------------------------------
// Administration: the configuration, versioned, and its record of changes

/// A small configuration that passes the checks' shape: the partnership's own unit, no people.
pub fn admin_config(id: &str) -> PartnershipConfig {
    PartnershipConfig {
        id: partnership(id),
        name: "Sefton Safeguarding Children Partnership".into(),
        procedures: vec![escalations_core::ids::ProcedureId::parse("sefton").unwrap()],
        division: Division::EnglandAndWales,
        closure_days: vec![],
        recording_mailbox: None,
        mailboxes: BTreeMap::new(),
        notices: Default::default(),
        agencies: vec![Agency {
            id: AgencyId::parse("sscp").unwrap(),
            name: "Sefton SCP".into(),
            kind: AgencyKind::Partnership,
            mailbox: None,
        }],
        people: vec![],
        retention: None,
    }
}

fn config_change(version: u64, by: &str, what: &str) -> crate::ConfigChange {
    crate::ConfigChange {
        version: crate::ConfigVersion(version),
        at: at("2026-12-01T10:00:00Z") + Duration::minutes(version as i64),
        by: PersonId::parse(by).unwrap(),
        what: what.into(),
    }
}

async fn all_changes(store: &Shared, p: &PartnershipId) -> Vec<crate::ConfigChange> {
    crate::drain_pages(|page| async move { store.partnership_changes(p, &page).await })
        .await
        .unwrap()
}

pub async fn a_configuration_change_is_conditional_on_the_version_read_and_recorded(store: Shared) {
    use crate::ConfigVersion;
    let config = admin_config("sefton-scp");
    store.put_partnership(&config).await.unwrap();
    let (read, version) = store
        .partnership_versioned(&config.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read, version), (config.clone(), ConfigVersion(1)));

    let mut changed = config.clone();
    changed.closure_days.push("2026-12-29".parse().unwrap());
    let change = config_change(2, "admin", "added closure day Tuesday 29 December 2026");
    store
        .change_partnership(&changed, version, &change)
        .await
        .unwrap();
    assert_eq!(
        store.partnership_versioned(&config.id).await.unwrap(),
        Some((changed.clone(), ConfigVersion(2)))
    );
    assert_eq!(
        store.partnership(&config.id).await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(
        all_changes(&store, &config.id).await,
        std::slice::from_ref(&change)
    );

    // A second administrator who read version 1 is refused, and nothing is written.
    let mut stale = config.clone();
    stale.name = "Stale".into();
    let refused = store
        .change_partnership(&stale, version, &config_change(2, "other-admin", "renamed"))
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::ConfigConflict {
                expected_version: 1,
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        store.partnership(&config.id).await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(
        all_changes(&store, &config.id).await,
        std::slice::from_ref(&change)
    );

    // A change that does not produce the next version is not a change to store.
    let skipping = store
        .change_partnership(&changed, ConfigVersion(2), &config_change(4, "admin", "x"))
        .await;
    assert!(
        matches!(skipping, Err(StoreError::InvalidTransition(_))),
        "{skipping:?}"
    );

    // The operator's tool replaces it and moves the version on, so a change read before
    // conflicts.
    store.put_partnership(&config).await.unwrap();
    assert_eq!(
        store.partnership_versioned(&config.id).await.unwrap(),
        Some((config.clone(), ConfigVersion(3)))
    );
    let after_put = store
        .change_partnership(&changed, ConfigVersion(2), &config_change(3, "admin", "x"))
        .await;
    assert!(
        matches!(after_put, Err(StoreError::ConfigConflict { .. })),
        "{after_put:?}"
    );

    // A partnership that is not set up has nothing to change.
    let missing = admin_config("nowhere");
    let refused = store
        .change_partnership(&missing, ConfigVersion(1), &config_change(2, "admin", "x"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::ConfigConflict { .. })),
        "{refused:?}"
    );
    assert!(store.partnership(&missing.id).await.unwrap().is_none());
}

pub async fn racing_administrators_get_one_change_per_version_and_lose_none(store: Shared) {
    use crate::ConfigVersion;
    let config = admin_config("sefton-scp");
    store.put_partnership(&config).await.unwrap();
    let mut version = ConfigVersion(1);
    for round in 0..3u64 {
        let tasks: Vec<_> = (0..10u64)
            .map(|i| {
                let store = store.clone();
                let mut changed = config.clone();
                changed.name = format!("Round {round} by admin {i}");
                let change = config_change(version.0 + 1, &format!("admin-{i}"), &changed.name);
                tokio::spawn(async move {
                    store
                        .change_partnership(&changed, version, &change)
                        .await
                        .map(|()| changed)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(changed) => winners.push(changed),
                Err(StoreError::ConfigConflict { .. }) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one administrator's change"
        );
        version = version.next();
        assert_eq!(
            store.partnership_versioned(&config.id).await.unwrap(),
            Some((winners[0].clone(), version))
        );
    }
    let record = all_changes(&store, &config.id).await;
    let versions: Vec<u64> = record.iter().map(|c| c.version.0).collect();
    assert_eq!(versions, [4, 3, 2], "one change per version, newest first");
    assert_eq!(
        record[0].what,
        store.partnership(&config.id).await.unwrap().unwrap().name,
        "the record names the change that was stored"
    );
}

pub async fn the_record_of_changes_pages_newest_first_within_one_partnership(store: Shared) {
    use crate::ConfigVersion;
    let a = admin_config("sefton-scp");
    let b = admin_config("medway");
    store.put_partnership(&a).await.unwrap();
    store.put_partnership(&b).await.unwrap();
    for v in 1..=7u64 {
        store
            .change_partnership(
                &a,
                ConfigVersion(v),
                &config_change(v + 1, "admin", &format!("a{v}")),
            )
            .await
            .unwrap();
    }
    store
        .change_partnership(&b, ConfigVersion(1), &config_change(2, "admin", "b1"))
        .await
        .unwrap();
    let first = store
        .partnership_changes(&a.id, &PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.next.is_some());
    let whats: Vec<String> = all_changes(&store, &a.id)
        .await
        .into_iter()
        .map(|c| c.what)
        .collect();
    assert_eq!(whats, ["a7", "a6", "a5", "a4", "a3", "a2", "a1"]);
    let b_whats: Vec<String> = all_changes(&store, &b.id)
        .await
        .into_iter()
        .map(|c| c.what)
        .collect();
    assert_eq!(b_whats, ["b1"], "partnership B sees only its own record");
    // A cursor from A's record does not page B's.
    let crossed = store
        .partnership_changes(&b.id, &PageRequest::new(3, first.next.clone()))
        .await;
    assert!(
        matches!(crossed, Err(StoreError::InvalidCursor))
            || crossed.is_ok_and(|p| p.items.iter().all(|c| c.what.starts_with('b'))),
        "a cursor never reaches another partnership's record"
    );
}

pub async fn an_idempotency_key_tells_which_case_it_created(store: Shared) {
    let p = partnership("sefton-scp");
    let pat = practitioner();
    let key = idempotency(&pat, "key-0000001", "request-a");
    assert_eq!(store.idempotent_case(&p, &key).await.unwrap(), None);
    let t = raised("case-1", &pat, "social-care", at("2026-11-23T10:00:00Z"));
    store.create_case(&p, &t, Some(&key)).await.unwrap();
    let found = store.idempotent_case(&p, &key).await.unwrap();
    assert_eq!(found.map(|c| c.id), Some(t.case.id.clone()));
    // Someone else's key, another partnership's and another request's are not this one.
    let sol = idempotency(&social_worker(), "key-0000001", "request-a");
    assert_eq!(store.idempotent_case(&p, &sol).await.unwrap(), None);
    let q = partnership("medway-scp");
    assert_eq!(store.idempotent_case(&q, &key).await.unwrap(), None);
    let other_request = idempotency(&pat, "key-0000001", "request-b");
    let err = store.idempotent_case(&p, &other_request).await.unwrap_err();
    assert!(
        matches!(err, StoreError::IdempotencyKeyReused { .. }),
        "{err:?}"
    );
}

pub async fn the_match_secret_is_stored_once_per_partnership_even_when_raced(store: Shared) {
    let p = partnership("sefton-scp");
    let mut racers = tokio::task::JoinSet::new();
    for byte in 0..8u8 {
        let (store, p) = (store.clone(), p.clone());
        racers.spawn(async move {
            let candidate = MatchSecret::new(vec![byte; 32]).unwrap();
            store.match_secret(&p, &candidate).await.unwrap()
        });
    }
    let mut secrets = Vec::new();
    while let Some(secret) = racers.join_next().await {
        secrets.push(secret.unwrap());
    }
    assert!(secrets.windows(2).all(|w| w[0] == w[1]), "{secrets:?}");
    let later = MatchSecret::new(vec![99; 40]).unwrap();
    assert_eq!(store.match_secret(&p, &later).await.unwrap(), secrets[0]);
    // Another partnership gets its own.
    let q = partnership("medway-scp");
    assert_eq!(store.match_secret(&q, &later).await.unwrap(), later);
}

pub async fn list_entries_carry_the_child_key_never_the_child(store: Shared) {
    let p = partnership("sefton-scp");
    let mut t = case_one();
    if let Some(child) = t.case.child.as_mut() {
        child.name = text("Zebedee Quillfeather");
        child.date_of_birth = Some("2015-11-30".parse().unwrap());
    }
    let t = t.with_child_key(&MatchSecret::new(vec![7; 32]).unwrap());
    let key = t
        .case
        .child_key
        .clone()
        .expect("a child with a date of birth has a key");
    create(&store, &p, &t).await;
    let page = store
        .list_cases(
            &p,
            &Scope::Agency(AgencyId::parse("social-care").unwrap()),
            &CaseFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].child_key.as_ref(), Some(&key));
    let listed = serde_json::to_string(&page.items).unwrap();
    assert!(
        !listed.contains("Zebedee") && !listed.contains("2015-11-30"),
        "{listed}"
    );
    let loaded = store.load_case(&p, &t.case.id).await.unwrap().unwrap();
    assert_eq!(loaded.child_key, Some(key.clone()));

    // Looked up by the key: the open cases about that child only, in this partnership only.
    let about = store.open_cases_about(&p, &key).await.unwrap();
    assert_eq!(about.len(), 1);
    assert_eq!(about[0].id, t.case.id);
    let other = partnership("medway-scp");
    assert!(
        store
            .open_cases_about(&other, &key)
            .await
            .unwrap()
            .is_empty()
    );
    let mut u = raised(
        "case-2",
        &practitioner(),
        "police",
        at("2026-11-23T11:00:00Z"),
    );
    if let Some(child) = u.case.child.as_mut() {
        child.name = text("Another Child");
        child.date_of_birth = Some("2015-11-30".parse().unwrap());
    }
    let u = u.with_child_key(&MatchSecret::new(vec![7; 32]).unwrap());
    create(&store, &p, &u).await;
    assert_eq!(store.open_cases_about(&p, &key).await.unwrap().len(), 1);
    // A closed case is no longer open about the child.
    let withdrawn = loaded
        .withdraw(
            &sefton(),
            &practitioner(),
            text("Raised in error"),
            at("2026-11-24T09:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &withdrawn).await.unwrap();
    assert!(store.open_cases_about(&p, &key).await.unwrap().is_empty());
}

pub async fn the_agencies_a_practice_alert_asks_list_it_from_the_raise(store: Shared) {
    let p = partnership("medway-scp");
    let ppa = catalogue().get("medway-ppa").unwrap().clone();
    let t = Case::raise(
        CaseId::parse("alert-1").unwrap(),
        &ppa,
        &Calendar::new(Division::EnglandAndWales),
        &practitioner(),
        RaiseRequest {
            receiving_agency: None,
            child: None,
            concern: Concern {
                summary: text("Strategy meetings are held without health"),
                reasons: vec![ppa.reasons[0].id.clone()],
                level_of_need: None,
                desired_outcome: None,
                tried: None,
                other_reason: None,
            },
            immediate_risk: None,
            agencies_asked: vec![
                AgencyId::parse("police").unwrap(),
                AgencyId::parse("health").unwrap(),
            ],
        },
        at("2026-11-23T10:00:00Z"),
    )
    .unwrap();
    create(&store, &p, &t).await;
    for agency in ["police", "health", "school"] {
        let page = store
            .list_cases(
                &p,
                &Scope::Agency(AgencyId::parse(agency).unwrap()),
                &CaseFilter::default(),
                &PageRequest::first(10),
            )
            .await
            .unwrap();
        let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["alert-1"], "{agency}");
    }
    let page = store
        .list_cases(
            &p,
            &Scope::Agency(AgencyId::parse("social-care").unwrap()),
            &CaseFilter::default(),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert!(
        page.items.is_empty(),
        "an agency not asked does not list it"
    );
}

// ---------------------------------------------------------------------------------------
// Pending notices (the outbox)

fn notice_key(key: &str) -> NoticeKey {
    NoticeKey::parse(key).unwrap()
}

/// A pending notice of `case`, with a plan naming it (the store keeps plans opaque).
fn pending(case: &CaseId, key: &str, not_before: DateTime<Utc>) -> PendingNotice {
    PendingNotice {
        case: case.clone(),
        key: notice_key(key),
        not_before,
        plan: serde_json::json!({ "case": case.as_str(), "key": key, "to": ["pat@example.org"] })
            .to_string(),
    }
}

/// Every pending notice due at or before `instant`, read in pages of `size`, and how many
/// pages it took.
async fn all_due_notices(
    store: &Shared,
    p: &PartnershipId,
    instant: DateTime<Utc>,
    size: u32,
) -> (Vec<DueNotice>, usize) {
    let mut found = Vec::new();
    let mut page = PageRequest::first(size);
    let mut pages = 0;
    loop {
        let result = store.due_notices(p, instant, &page).await.unwrap();
        pages += 1;
        assert!(result.items.len() <= size as usize);
        found.extend(result.items);
        match result.next {
            Some(next) => page = PageRequest::new(size, Some(next)),
            None => return (found, pages),
        }
        assert!(pages < 100, "the due-notices query does not terminate");
    }
}

async fn due_keys(store: &Shared, p: &PartnershipId, instant: DateTime<Utc>) -> Vec<String> {
    all_due_notices(store, p, instant, 50)
        .await
        .0
        .into_iter()
        .map(|d| format!("{}/{}", d.case, d.key.as_str()))
        .collect()
}

/// A case raised with one pending notice `key`, due from `not_before`.
async fn case_noting(
    store: &Shared,
    p: &PartnershipId,
    id: &str,
    key: &str,
    not_before: DateTime<Utc>,
) -> (Case, PendingNotice) {
    let t = raised(
        id,
        &practitioner(),
        "social-care",
        at("2026-11-23T10:00:00Z"),
    );
    let notice = pending(&t.case.id, key, not_before);
    let created = store
        .create_case_noting(p, &t, None, std::slice::from_ref(&notice))
        .await
        .unwrap();
    assert!(matches!(created, Created::New(_)));
    (t.case, notice)
}

pub async fn notices_planned_with_a_change_are_kept_only_if_the_change_is_stored(store: Shared) {
    let p = partnership("sefton-scp");
    let far = at("2027-01-01T00:00:00Z");
    let (case, _) = case_noting(
        &store,
        &p,
        "case-1",
        "raised/v1",
        at("2026-11-23T10:00:00Z"),
    )
    .await;
    assert_eq!(due_keys(&store, &p, far).await, ["case-1/raised/v1"]);

    // Two writers read version 1; the winner's notice is kept, the stale writer's is not.
    let winner = bump(&case, "winner", at("2026-11-23T11:00:00Z"));
    let stale = bump(&case, "stale", at("2026-11-23T11:00:01Z"));
    store
        .apply_noting(
            &p,
            &winner,
            &[pending(
                &case.id,
                "responded/v2",
                at("2026-11-23T11:00:00Z"),
            )],
        )
        .await
        .unwrap();
    let err = store
        .apply_noting(
            &p,
            &stale,
            &[
                pending(&case.id, "stale/v2", at("2026-11-23T11:00:01Z")),
                pending(&case.id, "stale-too/v2", at("2026-11-23T09:00:00Z")),
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(
        due_keys(&store, &p, far).await,
        ["case-1/raised/v1", "case-1/responded/v2"]
    );
    let lease = at("2026-11-23T12:00:00Z");
    assert!(
        store
            .claim_notice(&p, &case.id, &notice_key("stale/v2"), far, lease)
            .await
            .unwrap()
            .is_none(),
        "a notice of a change that was not stored cannot be claimed"
    );

    // A raise that is refused keeps none either, nor does a change to a missing case.
    let again = raised(
        "case-1",
        &practitioner(),
        "police",
        at("2026-11-23T12:00:00Z"),
    );
    let err = store
        .create_case_noting(
            &p,
            &again,
            None,
            &[pending(
                &again.case.id,
                "raised-again/v1",
                at("2026-11-23T12:00:00Z"),
            )],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    let missing = raised(
        "case-missing",
        &practitioner(),
        "police",
        at("2026-11-23T12:00:00Z"),
    );
    let err = store
        .apply_noting(
            &p,
            &bump(&missing.case, "x", at("2026-11-23T12:00:00Z")),
            &[pending(
                &missing.case.id,
                "ghost/v2",
                at("2026-11-23T12:00:00Z"),
            )],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(
        due_keys(&store, &p, far).await,
        ["case-1/raised/v1", "case-1/responded/v2"]
    );

    // The plan comes back as it was given.
    let claimed = store
        .claim_notice(
            &p,
            &case.id,
            &notice_key("responded/v2"),
            at("2026-11-23T11:00:00Z"),
            lease,
        )
        .await
        .unwrap()
        .expect("pending");
    assert_eq!(
        claimed.notice,
        pending(&case.id, "responded/v2", at("2026-11-23T11:00:00Z"))
    );
}

pub async fn the_due_notices_query_returns_exactly_the_pending_notices_due_by_the_instant_across_pages(
    store: Shared,
) {
    let p = partnership("sefton-scp");
    let q = partnership("medway-scp");
    let base = at("2026-11-23T09:00:00Z");
    let instant = at("2026-11-24T09:00:00.000000001Z");
    let mut expected = Vec::new();
    for c in 0..4i64 {
        let t = raised(&format!("case-{c}"), &practitioner(), "social-care", base);
        let mut notices = Vec::new();
        for n in 0..8i64 {
            // Spread over two days, the cases interleaved.
            let not_before = base + Duration::minutes(97 * (n * 4 + c) % 2880);
            let notice = pending(&t.case.id, &format!("n-{n}/v1"), not_before);
            if not_before <= instant {
                expected.push((not_before, t.case.id.to_string(), notice.key.clone()));
            }
            notices.push(notice);
        }
        if c == 0 {
            // Due exactly at the instant, to the nanosecond, and one a nanosecond after it.
            let edge = pending(&t.case.id, "edge/v1", instant);
            expected.push((instant, t.case.id.to_string(), edge.key.clone()));
            notices.push(edge);
            notices.push(pending(
                &t.case.id,
                "after-edge/v1",
                instant + Duration::nanoseconds(1),
            ));
        }
        store
            .create_case_noting(&p, &t, None, &notices)
            .await
            .unwrap();
        // Another partnership's case with the same id and its own notices, all due.
        let theirs: Vec<_> = (0..3)
            .map(|n| pending(&t.case.id, &format!("theirs-{n}/v1"), base))
            .collect();
        store
            .create_case_noting(&q, &t, None, &theirs)
            .await
            .unwrap();
    }
    assert!(
        expected.len() >= 10 && expected.len() < 34,
        "{}",
        expected.len()
    );
    expected.sort();

    let (found, pages) = all_due_notices(&store, &p, instant, 4).await;
    assert!(pages >= 3, "several pages: {pages}");
    let got: Vec<_> = found
        .iter()
        .map(|d| (d.not_before, d.case.to_string(), d.key.clone()))
        .collect();
    assert!(
        got.windows(2).all(|w| w[0].0 <= w[1].0),
        "earliest first: {got:?}"
    );
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "exactly the notices due, none twice");
    assert!(found.iter().all(|d| !d.key.as_str().starts_with("theirs")));

    // Nothing is due before the first.
    assert!(
        store
            .due_notices(&p, base - Duration::nanoseconds(1), &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // The other partnership sees its own only, and a cursor does not carry across.
    let theirs = due_keys(&store, &q, instant).await;
    assert_eq!(theirs.len(), 12);
    assert!(theirs.iter().all(|k| k.contains("/theirs-")), "{theirs:?}");
    let first = store
        .due_notices(&p, instant, &PageRequest::first(2))
        .await
        .unwrap();
    let err = store
        .due_notices(&q, instant, &PageRequest::new(2, first.next))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidCursor), "{err:?}");
}

pub async fn a_pending_notice_is_claimed_by_one_caller_and_again_once_its_lease_expires(
    store: Shared,
) {
    let p = partnership("sefton-scp");
    let now = at("2026-11-24T09:00:00Z");
    let lease = now + Duration::minutes(5);
    let (case, notice) = case_noting(&store, &p, "case-1", "breached/step-1/v1", now).await;
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, p, case, key) = (
            store.clone(),
            p.clone(),
            case.id.clone(),
            notice.key.clone(),
        );
        racers.spawn(async move {
            store
                .claim_notice(&p, &case, &key, now, lease)
                .await
                .unwrap()
        });
    }
    let mut claims = Vec::new();
    while let Some(claim) = racers.join_next().await {
        claims.extend(claim.unwrap());
    }
    assert_eq!(claims.len(), 1, "exactly one caller holds the lease");
    assert_eq!(claims[0].notice, notice);
    assert_eq!(claims[0].attempts, 1);
    assert_eq!(claims[0].lease_until, lease);
    // Leased, it is still due (a claim tells), and nobody else gets it until the lease ends.
    assert_eq!(
        due_keys(&store, &p, now).await,
        ["case-1/breached/step-1/v1"]
    );
    let later = lease - Duration::nanoseconds(1);
    assert!(
        store
            .claim_notice(
                &p,
                &case.id,
                &notice.key,
                later,
                later + Duration::minutes(5)
            )
            .await
            .unwrap()
            .is_none()
    );
    // The first caller died: once its lease is over, another caller takes it.
    let again = store
        .claim_notice(
            &p,
            &case.id,
            &notice.key,
            lease,
            lease + Duration::minutes(5),
        )
        .await
        .unwrap()
        .expect("an expired lease can be taken");
    assert_eq!(again.attempts, 2);
    assert_eq!(again.lease_until, lease + Duration::minutes(5));
    assert_eq!(again.notice, notice);
    // Unknown notices and cases are nobody's to claim.
    assert!(
        store
            .claim_notice(&p, &case.id, &notice_key("unknown/v1"), now, lease)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .claim_notice(
                &p,
                &CaseId::parse("case-unknown").unwrap(),
                &notice.key,
                now,
                lease
            )
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn a_released_notice_is_due_again_at_its_retry_instant_and_not_before(store: Shared) {
    let p = partnership("sefton-scp");
    let now = at("2026-11-24T09:00:00Z");
    let lease = now + Duration::minutes(5);
    let retry_at = now + Duration::hours(1);
    let (case, notice) = case_noting(&store, &p, "case-1", "due-soon/v1", now).await;
    store
        .claim_notice(&p, &case.id, &notice.key, now, lease)
        .await
        .unwrap()
        .expect("pending");
    store
        .release_notice(&p, &case.id, &notice.key, retry_at)
        .await
        .unwrap();
    assert!(
        due_keys(&store, &p, retry_at - Duration::nanoseconds(1))
            .await
            .is_empty(),
        "not due before its retry instant"
    );
    let due = all_due_notices(&store, &p, retry_at, 10).await.0;
    assert_eq!(
        due,
        [DueNotice {
            case: case.id.clone(),
            key: notice.key.clone(),
            not_before: retry_at,
        }]
    );
    // Released, it can be claimed again before the old lease would have ended.
    let again = store
        .claim_notice(
            &p,
            &case.id,
            &notice.key,
            retry_at,
            retry_at + Duration::minutes(5),
        )
        .await
        .unwrap()
        .expect("released");
    assert_eq!(again.attempts, 2);
    assert_eq!(again.notice.not_before, retry_at);
    assert_eq!(again.notice.plan, notice.plan);
    // Releasing a finished or unknown notice does nothing (and brings nothing back).
    store
        .finish_notice(&p, &case.id, &notice.key, NoticeEnd::Sent, retry_at)
        .await
        .unwrap();
    store
        .release_notice(&p, &case.id, &notice.key, retry_at)
        .await
        .unwrap();
    store
        .release_notice(&p, &case.id, &notice_key("unknown/v1"), retry_at)
        .await
        .unwrap();
    assert!(
        due_keys(&store, &p, at("2027-01-01T00:00:00Z"))
            .await
            .is_empty()
    );
    assert!(
        store
            .claim_notice(
                &p,
                &case.id,
                &notice.key,
                retry_at,
                retry_at + Duration::minutes(5)
            )
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn a_finished_notice_leaves_the_due_query_and_racing_finishes_record_it_once(
    store: Shared,
) {
    let p = partnership("sefton-scp");
    let now = at("2026-11-24T09:00:00Z");
    let (case, notice) = case_noting(&store, &p, "case-1", "breached/v1", now).await;
    let kept = pending(&case.id, "reminder/v2", now);
    store
        .apply_noting(&p, &bump(&case, "x", now), std::slice::from_ref(&kept))
        .await
        .unwrap();
    store
        .claim_notice(&p, &case.id, &notice.key, now, now + Duration::minutes(5))
        .await
        .unwrap()
        .expect("pending");
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (store, p, case, key) = (
            store.clone(),
            p.clone(),
            case.id.clone(),
            notice.key.clone(),
        );
        racers.spawn(async move {
            store
                .finish_notice(&p, &case, &key, NoticeEnd::Sent, now)
                .await
                .unwrap()
        });
    }
    let mut recorded = 0;
    while let Some(outcome) = racers.join_next().await {
        if outcome.unwrap() == NoticeOutcome::Recorded {
            recorded += 1;
        }
    }
    assert_eq!(recorded, 1, "exactly one finish records it");
    assert_eq!(
        due_keys(&store, &p, at("2027-01-01T00:00:00Z")).await,
        ["case-1/reminder/v2"],
        "the finished notice left the due query; the other stays"
    );
    assert_eq!(
        store
            .finish_notice(&p, &case.id, &notice.key, NoticeEnd::Dropped, now)
            .await
            .unwrap(),
        NoticeOutcome::AlreadyRecorded,
        "a later finish changes nothing"
    );
    assert!(
        store
            .claim_notice(&p, &case.id, &notice.key, now, now + Duration::minutes(5))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .finish_notice(
                &p,
                &case.id,
                &notice_key("unknown/v1"),
                NoticeEnd::Sent,
                now
            )
            .await
            .unwrap(),
        NoticeOutcome::AlreadyRecorded,
        "an unknown notice is not recorded"
    );
    let listed: Vec<_> = store
        .notices(&p, &case.id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.key)
        .collect();
    assert_eq!(listed, [notice.key]);
}

pub async fn a_sent_notice_is_listed_and_a_dropped_one_is_not(store: Shared) {
    let p = partnership("sefton-scp");
    let now = at("2026-11-24T09:00:00Z");
    let t = case_one();
    let sent = pending(&t.case.id, "breached/v1", now);
    let dropped = pending(&t.case.id, "due-soon/v1", now - Duration::hours(1));
    store
        .create_case_noting(&p, &t, None, &[sent.clone(), dropped.clone()])
        .await
        .unwrap();
    let recorded_at = now + Duration::seconds(3);
    assert_eq!(
        store
            .finish_notice(&p, &t.case.id, &dropped.key, NoticeEnd::Dropped, now)
            .await
            .unwrap(),
        NoticeOutcome::Recorded
    );
    assert_eq!(
        store
            .finish_notice(&p, &t.case.id, &sent.key, NoticeEnd::Sent, recorded_at)
            .await
            .unwrap(),
        NoticeOutcome::Recorded
    );
    let notices = store.notices(&p, &t.case.id).await.unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].key, sent.key);
    assert_eq!(notices[0].case, t.case.id);
    assert_eq!(notices[0].recorded_at, recorded_at);
    assert!(due_keys(&store, &p, now).await.is_empty());
}

pub async fn partnership_b_cannot_claim_release_or_finish_partnership_a_notices(store: Shared) {
    let a = partnership("sefton-scp");
    let b = partnership("medway-scp");
    let now = at("2026-11-24T09:00:00Z");
    let lease = now + Duration::minutes(5);
    let (case, notice) = case_noting(&store, &a, "case-1", "breached/v1", now).await;
    assert!(due_keys(&store, &b, now).await.is_empty());
    assert!(
        store
            .claim_notice(&b, &case.id, &notice.key, now, lease)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .finish_notice(&b, &case.id, &notice.key, NoticeEnd::Sent, now)
            .await
            .unwrap(),
        NoticeOutcome::AlreadyRecorded
    );
    assert!(store.notices(&b, &case.id).await.unwrap().is_empty());
    assert!(store.notices(&a, &case.id).await.unwrap().is_empty());
    // A's notice is untouched: still due, and its first claim is A's first attempt.
    assert_eq!(due_keys(&store, &a, now).await, ["case-1/breached/v1"]);
    let claimed = store
        .claim_notice(&a, &case.id, &notice.key, now, lease)
        .await
        .unwrap()
        .expect("still pending in A");
    assert_eq!(claimed.attempts, 1);
    // B releasing it does not free A's lease nor move it.
    store
        .release_notice(&b, &case.id, &notice.key, now - Duration::hours(1))
        .await
        .unwrap();
    assert!(
        store
            .claim_notice(&a, &case.id, &notice.key, now, lease)
            .await
            .unwrap()
            .is_none(),
        "A's lease still holds"
    );
    assert_eq!(
        all_due_notices(&store, &a, now, 10).await.0[0].not_before,
        now
    );
    assert_eq!(
        store
            .finish_notice(&a, &case.id, &notice.key, NoticeEnd::Sent, now)
            .await
            .unwrap(),
        NoticeOutcome::Recorded
    );
}

// ---------------------------------------------------------------------------------------
// Calendar feeds

fn feed(byte: u8, created_at: &str) -> crate::CalendarFeed {
    crate::CalendarFeed {
        secret_hash: [byte; 32],
        created_at: at(created_at),
    }
}

pub async fn a_calendar_feed_is_stored_replaced_and_revoked(store: Shared) {
    let p = partnership("sefton-scp");
    let pat = PersonId::parse("pat").unwrap();
    assert_eq!(store.calendar_feed(&p, &pat).await.unwrap(), None);
    // Revoking a feed nobody made is not an error.
    store.delete_calendar_feed(&p, &pat).await.unwrap();

    let first = feed(1, "2026-12-01T09:00:00Z");
    store.put_calendar_feed(&p, &pat, &first).await.unwrap();
    assert_eq!(store.calendar_feed(&p, &pat).await.unwrap(), Some(first));

    let second = feed(2, "2026-12-02T09:00:00.123456789Z");
    store.put_calendar_feed(&p, &pat, &second).await.unwrap();
    assert_eq!(
        store.calendar_feed(&p, &pat).await.unwrap(),
        Some(second),
        "a replaced feed is gone: only the new hash is kept"
    );

    store.delete_calendar_feed(&p, &pat).await.unwrap();
    assert_eq!(store.calendar_feed(&p, &pat).await.unwrap(), None);
    store.delete_calendar_feed(&p, &pat).await.unwrap();
}

pub async fn calendar_feeds_belong_to_one_person_of_one_partnership(store: Shared) {
    let (a, b) = (partnership("sefton-scp"), partnership("medway-scp"));
    let (pat, sol) = (
        PersonId::parse("pat").unwrap(),
        PersonId::parse("sol").unwrap(),
    );
    let pats = feed(7, "2026-12-01T09:00:00Z");
    store.put_calendar_feed(&a, &pat, &pats).await.unwrap();
    assert_eq!(store.calendar_feed(&a, &sol).await.unwrap(), None);
    assert_eq!(store.calendar_feed(&b, &pat).await.unwrap(), None);

    // The same person id in partnership B is someone else: their feed and its revocation
    // leave A's alone.
    let other = feed(8, "2026-12-01T10:00:00Z");
    store.put_calendar_feed(&b, &pat, &other).await.unwrap();
    store.delete_calendar_feed(&b, &pat).await.unwrap();
    store.delete_calendar_feed(&a, &sol).await.unwrap();
    assert_eq!(store.calendar_feed(&a, &pat).await.unwrap(), Some(pats));
    assert_eq!(store.calendar_feed(&b, &pat).await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------
// Access history

fn read_by(person: &str, agency: &str, role: Role, part: &str, when: &str) -> crate::CaseAccess {
    crate::CaseAccess {
        at: at(when),
        by: PersonId::parse(person).unwrap(),
        agency: AgencyId::parse(agency).unwrap(),
        role,
        part: part.parse().unwrap(),
    }
}

pub async fn reads_are_kept_in_order_and_only_ever_added(store: Shared) {
    let p = partnership("sefton-scp");
    let pat = actor("pat", "school", Role::Practitioner);
    let case = raised(
        "c-read",
        &pat,
        "childrens-social-care",
        at("2026-12-01T09:00:00Z"),
    );
    store.create_case(&p, &case, None).await.unwrap();
    assert_eq!(
        store.access_history(&p, &case.case.id).await.unwrap(),
        vec![]
    );

    let reads = [
        read_by(
            "pat",
            "school",
            Role::Practitioner,
            "case",
            "2026-12-01T09:05:00Z",
        ),
        read_by(
            "sol",
            "childrens-social-care",
            Role::Manager,
            "form:report-to-sscp",
            "2026-12-01T10:00:00.000000001Z",
        ),
        read_by(
            "chair",
            "sscp",
            Role::Chair,
            "export",
            "2026-12-02T11:00:00Z",
        ),
        read_by(
            "pat",
            "school",
            Role::Practitioner,
            "deadline",
            "2026-12-02T11:00:00Z",
        ),
        read_by(
            "pat",
            "school",
            Role::Practitioner,
            "case",
            "2026-12-02T11:00:00Z",
        ),
    ];
    // Recorded out of order, concurrently: the history is in the order they happened.
    let mut racing = Vec::new();
    for read in reads.iter().rev() {
        let (store, p, id, read) = (store.clone(), p.clone(), case.case.id.clone(), read.clone());
        racing.push(tokio::spawn(async move {
            store.record_access(&p, &id, &read).await
        }));
    }
    for task in racing {
        task.await.unwrap().unwrap();
    }
    let mut expected = reads.to_vec();
    expected.sort_by(|a, b| {
        (a.at, a.by.as_str(), a.part.to_string()).cmp(&(b.at, b.by.as_str(), b.part.to_string()))
    });
    let history = store.access_history(&p, &case.case.id).await.unwrap();
    assert_eq!(history, expected);

    // The very same read sent again (a retried request) is not a second read, and changes
    // nothing already kept.
    store
        .record_access(&p, &case.case.id, &reads[0])
        .await
        .unwrap();
    assert_eq!(
        store.access_history(&p, &case.case.id).await.unwrap(),
        expected
    );

    // A later read is added after them; every earlier entry stays exactly as it was.
    let later = read_by(
        "pat",
        "school",
        Role::Practitioner,
        "case",
        "2026-12-03T08:00:00Z",
    );
    store
        .record_access(&p, &case.case.id, &later)
        .await
        .unwrap();
    let grown = store.access_history(&p, &case.case.id).await.unwrap();
    assert_eq!(&grown[..expected.len()], &expected[..]);
    assert_eq!(grown.last(), Some(&later));
    // The case and its chronology are untouched by reads.
    assert_eq!(
        store.load_case(&p, &case.case.id).await.unwrap(),
        Some(case.case.clone())
    );
    assert_eq!(
        store.chronology(&p, &case.case.id).await.unwrap(),
        case.events
    );
}

pub async fn a_case_access_history_belongs_to_that_case_of_that_partnership(store: Shared) {
    let (a, b) = (partnership("sefton-scp"), partnership("medway-scp"));
    let pat = actor("pat", "school", Role::Practitioner);
    let first = raised(
        "c-one",
        &pat,
        "childrens-social-care",
        at("2026-12-01T09:00:00Z"),
    );
    let second = raised(
        "c-two",
        &pat,
        "childrens-social-care",
        at("2026-12-01T09:00:00Z"),
    );
    store.create_case(&a, &first, None).await.unwrap();
    store.create_case(&a, &second, None).await.unwrap();
    store.create_case(&b, &first, None).await.unwrap();

    let read = read_by(
        "pat",
        "school",
        Role::Practitioner,
        "case",
        "2026-12-01T09:05:00Z",
    );
    store
        .record_access(&a, &first.case.id, &read)
        .await
        .unwrap();
    assert_eq!(
        store.access_history(&a, &first.case.id).await.unwrap(),
        vec![read]
    );
    assert_eq!(
        store.access_history(&a, &second.case.id).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store.access_history(&b, &first.case.id).await.unwrap(),
        vec![],
        "the same case id in partnership B is another case with its own history"
    );
    let unknown = CaseId::parse("c-unknown").unwrap();
    assert_eq!(store.access_history(&a, &unknown).await.unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------------
// Retention

/// A Sefton case raised at `raised` and withdrawn by the chair at `closed`, with a child key.
async fn closed_case(
    store: &Shared,
    p: &PartnershipId,
    id: &str,
    raised: &str,
    closed: &str,
) -> Case {
    let pat = actor("pat", "school", Role::Practitioner);
    let mut t = self::raised(id, &pat, "childrens-social-care", at(raised));
    // With a date of birth, so the child has a key.
    if let Some(child) = t.case.child.as_mut() {
        child.date_of_birth = Some("2015-06-01".parse().unwrap());
    }
    let t = t.with_child_key(&MatchSecret::new(vec![7; 32]).unwrap());
    assert!(t.case.child_key.is_some());
    store.create_case(p, &t, None).await.unwrap();
    let chair = actor("chair", "sscp", Role::Chair);
    let withdrawn = t
        .case
        .withdraw(&sefton(), &chair, text("Raised in error"), at(closed))
        .unwrap();
    store.apply(p, &withdrawn).await.unwrap();
    withdrawn.case
}

async fn all_closed(
    store: &Shared,
    p: &PartnershipId,
    instant: DateTime<Utc>,
) -> Vec<crate::ClosedCase> {
    // One at a time, so every page boundary is crossed.
    let mut found = Vec::new();
    let mut page = PageRequest::first(1);
    loop {
        let got = store.closed_by(p, instant, &page).await.unwrap();
        assert!(got.items.len() <= 1);
        found.extend(got.items);
        match got.next {
            Some(next) => page = PageRequest::new(1, Some(next)),
            None => return found,
        }
    }
}

pub async fn closed_cases_wait_in_the_retention_query_by_last_change_until_erased(store: Shared) {
    let (p, other) = (partnership("sefton-scp"), partnership("medway-scp"));
    let pat = actor("pat", "school", Role::Practitioner);
    let open = raised(
        "c-open",
        &pat,
        "childrens-social-care",
        at("2020-01-06T09:00:00Z"),
    );
    store.create_case(&p, &open, None).await.unwrap();
    let later = closed_case(
        &store,
        &p,
        "c-later",
        "2020-01-06T09:00:00Z",
        "2020-03-02T10:00:00Z",
    )
    .await;
    let earlier = closed_case(
        &store,
        &p,
        "c-earlier",
        "2020-02-03T09:00:00Z",
        "2020-02-04T10:00:00.000000001Z",
    )
    .await;
    let _elsewhere = closed_case(
        &store,
        &other,
        "c-other",
        "2020-01-06T09:00:00Z",
        "2020-01-07T10:00:00Z",
    )
    .await;

    let ids = |found: &[crate::ClosedCase]| -> Vec<String> {
        found.iter().map(|c| c.case.to_string()).collect()
    };
    // Closed cases only, oldest last change first, this partnership's, up to the instant.
    let by_2021 = all_closed(&store, &p, at("2021-01-01T00:00:00Z")).await;
    assert_eq!(ids(&by_2021), ["c-earlier", "c-later"]);
    assert_eq!(by_2021[0].last_change, earlier.updated_at);
    assert_eq!(by_2021[1].last_change, later.updated_at);
    assert_eq!(
        ids(&all_closed(&store, &p, later.updated_at).await),
        ["c-earlier", "c-later"]
    );
    assert_eq!(
        ids(&all_closed(&store, &p, later.updated_at - Duration::nanoseconds(1)).await),
        ["c-earlier"]
    );
    assert_eq!(
        ids(&all_closed(&store, &p, at("2020-01-01T00:00:00Z")).await),
        Vec::<String>::new()
    );

    // Erased, the case leaves the query and loads with nothing of the child left.
    let retention = escalations_core::partnership::Retention::years(1).unwrap();
    let erased = earlier
        .erase(&retention, at("2021-03-01T00:00:00Z"))
        .unwrap();
    store
        .apply_erasure(&p, &erased, earlier.child_key.as_ref())
        .await
        .unwrap();
    assert_eq!(
        ids(&all_closed(&store, &p, at("2030-01-01T00:00:00Z")).await),
        ["c-later"]
    );
    let loaded = store.load_case(&p, &earlier.id).await.unwrap().unwrap();
    assert_eq!(loaded, erased.case);
    assert_eq!(loaded.child_key, None);
    // The chronology is kept whole, with the erasure added.
    let chronology = store.chronology(&p, &earlier.id).await.unwrap();
    assert!(matches!(
        chronology.last().map(|e| &e.kind),
        Some(EventKind::Erased { kept_for_years: 1 })
    ));
    // Listed as before, without its child key.
    let listed = crate::drain_pages(|page| {
        let (store, p) = (store.clone(), p.clone());
        async move {
            store
                .list_cases(&p, &Scope::Partnership, &CaseFilter::default(), &page)
                .await
        }
    })
    .await
    .unwrap();
    let entry = listed.iter().find(|c| c.id == earlier.id).unwrap();
    assert_eq!(entry.child_key, None);
    assert_eq!(entry.status, StatusKind::Withdrawn);
}

pub async fn an_erasure_is_a_change_like_any_other_conditional_on_the_version_read(store: Shared) {
    let p = partnership("sefton-scp");
    let case = closed_case(
        &store,
        &p,
        "c-1",
        "2020-01-06T09:00:00Z",
        "2020-01-07T10:00:00Z",
    )
    .await;
    let retention = escalations_core::partnership::Retention::years(1).unwrap();
    let erased = case.erase(&retention, at("2021-03-01T00:00:00Z")).unwrap();
    store
        .apply_erasure(&p, &erased, case.child_key.as_ref())
        .await
        .unwrap();
    // A second sweep that read the case before the first erased it changes nothing.
    let again = store
        .apply_erasure(&p, &erased, case.child_key.as_ref())
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        store.load_case(&p, &case.id).await.unwrap(),
        Some(erased.case.clone())
    );
    let unknown = CaseId::parse("c-unknown").unwrap();
    let mut missing = erased.clone();
    missing.case.id = unknown.clone();
    for event in &mut missing.events {
        event.case = unknown.clone();
    }
    let refused = store.apply_erasure(&p, &missing, None).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Work queues

/// Every queue's ids as the store has them, against what the cases say they are in.
async fn check_queues(store: &Shared, p: &PartnershipId, cases: &[&Case]) {
    let mut queues: BTreeSet<crate::WorkQueue> = BTreeSet::new();
    for case in cases {
        queues.extend(case.possible_work_queues());
    }
    queues.insert(crate::WorkQueue::Agency(AgencyId::parse("police").unwrap()));
    for queue in &queues {
        let mut stored: Vec<String> = store
            .work_queue(p, queue)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id.to_string())
            .collect();
        stored.sort();
        let mut expected: Vec<String> = cases
            .iter()
            .filter(|c| c.work_queues().contains(queue))
            .map(|c| c.id.to_string())
            .collect();
        expected.sort();
        assert_eq!(stored, expected, "{queue:?}");
    }
}

pub async fn a_case_is_in_exactly_the_work_queues_its_state_puts_it_in(store: Shared) {
    let (p, other) = (partnership("queues"), partnership("queues-elsewhere"));
    let cal = Calendar::new(Division::EnglandAndWales);
    let a = create(
        &store,
        &p,
        &raised(
            "case-a",
            &practitioner(),
            "social-care",
            at("2026-11-23T10:00:00Z"),
        ),
    )
    .await;
    let b = create(
        &store,
        &p,
        &raised(
            "case-b",
            &practitioner(),
            "social-care",
            at("2026-11-23T11:00:00Z"),
        ),
    )
    .await;
    // Raised: the receiving agency's response is due.
    assert!(a.work_queues().contains(&crate::WorkQueue::Agency(
        AgencyId::parse("social-care").unwrap()
    )));
    check_queues(&store, &p, &[&a, &b]).await;

    // Not resolved, with a plan owed by health: out of social care's queue, into health's and
    // wherever the next move now lies.
    let t = a
        .respond(
            &sefton(),
            &cal,
            &social_worker(),
            Outcome::NotResolved {
                reasons: text("Not agreed"),
                agreed_actions: vec![escalations_core::case::AgreedAction {
                    what: text("Share the chronology"),
                    owner_agency: Some(AgencyId::parse("health").unwrap()),
                    owner_person: None,
                    by_when: "2026-12-04".parse().unwrap(),
                    done: None,
                }],
            },
            at("2026-11-24T10:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &t).await.unwrap();
    let a = t.case;
    assert!(a.work_queues().contains(&crate::WorkQueue::Agency(
        AgencyId::parse("health").unwrap()
    )));
    check_queues(&store, &p, &[&a, &b]).await;

    // Withdrawn: in no queue at all.
    let chair = actor("chair", "sscp", Role::Chair);
    let t = b
        .withdraw(
            &sefton(),
            &chair,
            text("Raised in error"),
            at("2026-11-24T11:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &t).await.unwrap();
    let b = t.case;
    assert!(b.work_queues().is_empty());
    check_queues(&store, &p, &[&a, &b]).await;

    // Another partnership's queue of the same name is its own.
    for queue in a.possible_work_queues() {
        assert!(store.work_queue(&other, &queue).await.unwrap().is_empty());
    }
}

pub async fn reindexing_a_case_changes_nothing_and_leaves_it_where_it_belongs(store: Shared) {
    let p = partnership("reindex");
    let a = create(
        &store,
        &p,
        &raised(
            "case-a",
            &practitioner(),
            "social-care",
            at("2026-11-23T10:00:00Z"),
        ),
    )
    .await;
    let chair = actor("chair", "sscp", Role::Chair);
    let t = a
        .withdraw(
            &sefton(),
            &chair,
            text("Raised in error"),
            at("2026-11-24T11:00:00Z"),
        )
        .unwrap();
    store.apply(&p, &t).await.unwrap();
    let b = create(
        &store,
        &p,
        &raised(
            "case-b",
            &practitioner(),
            "social-care",
            at("2026-11-23T11:00:00Z"),
        ),
    )
    .await;
    let events = store.chronology(&p, &t.case.id).await.unwrap();
    for id in [&t.case.id, &b.id] {
        assert!(store.reindex(&p, id).await.unwrap());
        assert!(
            store.reindex(&p, id).await.unwrap(),
            "running it again is harmless"
        );
    }
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap(),
        Some(t.case.clone())
    );
    assert_eq!(store.chronology(&p, &t.case.id).await.unwrap(), events);
    check_queues(&store, &p, &[&t.case, &b]).await;
    let closed = store
        .closed_by(&p, at("2030-01-01T00:00:00Z"), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(closed.items.len(), 1);
    assert_eq!(closed.items[0].case, t.case.id);
    let due = store
        .due_by(&p, at("2030-01-01T00:00:00Z"), &PageRequest::first(10))
        .await
        .unwrap();
    let due: Vec<&CaseId> = due.items.iter().map(|d| &d.case).collect();
    assert_eq!(due, [&b.id]);
    assert!(
        !store
            .reindex(&p, &CaseId::parse("case-unknown").unwrap())
            .await
            .unwrap()
    );
    assert!(
        !store
            .reindex(&partnership("elsewhere"), &b.id)
            .await
            .unwrap()
    );
}
