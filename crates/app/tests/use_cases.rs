//! The use cases as the API, the local stack and the sweeper call them: typed input, `now`
//! passed in, typed results and errors.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use escalations_app::{ActError, Action, App, RaiseError, RaiseInput};
use escalations_core::Catalogue;
use escalations_core::access::{Denied, Principal};
use escalations_core::case::{Actor, Child, Concern, EventKind, Outcome, RaiseRequest, Role};
use escalations_core::ids::{
    AgencyId, CaseId, LevelId, PartnershipId, PersonId, ProcedureId, Text,
};
use escalations_store::Store;
use escalations_store_sqlite::SqliteStore;

struct Fixture {
    app: App,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("app.db")).await.unwrap();
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    Fixture {
        app: App::new(Arc::new(store), Catalogue::builtin().unwrap()),
        _dir: dir,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn sefton(person: &str, agency: &str, role: Role) -> Principal {
    Principal {
        partnership: PartnershipId::parse("sefton").unwrap(),
        actor: Actor::new(
            PersonId::parse(person).unwrap(),
            AgencyId::parse(agency).unwrap(),
            role,
        ),
    }
}

fn school() -> Principal {
    sefton("school-practitioner", "school", Role::Practitioner)
}

fn social_care() -> Principal {
    sefton("social-care-manager", "social-care", Role::Manager)
}

fn input(procedure: &str) -> RaiseInput {
    RaiseInput {
        procedure: ProcedureId::parse(procedure).unwrap(),
        request: RaiseRequest {
            receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
            child: Some(Child {
                name: text("Use Case Child"),
                date_of_birth: None,
                address: None,
                child_protection_plan: false,
                in_care: false,
            }),
            concern: Concern {
                summary: text("Referral closed without assessment"),
                reasons: vec![],
                level_of_need: Some(LevelId::parse("s17").unwrap()),
                desired_outcome: None,
                tried: None,
                other_reason: None,
            },
            immediate_risk: Some(false),
            agencies_asked: Vec::new(),
        },
        clock: Default::default(),
        idempotency: None,
        duplicate_acknowledged: false,
    }
}

async fn raise(f: &Fixture, now: DateTime<Utc>) -> CaseId {
    let raised = f.app.raise(&school(), input("sefton"), now).await.unwrap();
    assert!(!raised.replayed);
    raised.detail.case.id
}

#[tokio::test]
async fn the_sweeper_finds_a_clock_when_it_falls_due_and_records_its_breach_once() {
    let f = fixture().await;
    let raised_at = at("2026-11-23T10:00:00Z");
    let id = raise(&f, raised_at).await;
    assert!(f.app.due_clocks(raised_at).await.unwrap().is_empty());

    let due = f
        .app
        .due_clocks(raised_at + Duration::days(30))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    let clock = &due[0];
    assert_eq!(
        (clock.case.clone(), clock.clock.as_str()),
        (id.clone(), "response")
    );
    assert!(
        f.app
            .due_clocks(clock.due - Duration::seconds(1))
            .await
            .unwrap()
            .is_empty()
    );

    let partnership = school().partnership;
    let not_yet = f
        .app
        .record_breaches(&partnership, &id, clock.due - Duration::seconds(1))
        .await
        .unwrap();
    assert!(
        not_yet.is_none(),
        "nothing is breached before the due instant"
    );
    let breached = f
        .app
        .record_breaches(&partnership, &id, clock.due)
        .await
        .unwrap()
        .expect("the breach is recorded at the due instant");
    assert_eq!(breached.version, 2);
    let again = f
        .app
        .record_breaches(&partnership, &id, clock.due + Duration::hours(1))
        .await
        .unwrap();
    assert!(again.is_none(), "a second sweep records nothing more");

    let view = f
        .app
        .view_case(&school(), &id, clock.due + Duration::hours(1))
        .await
        .unwrap();
    let breaches = view
        .chronology
        .iter()
        .filter(|e| matches!(e.kind, EventKind::ClockBreached { .. }))
        .count();
    assert_eq!(breaches, 1);
}

#[tokio::test]
async fn an_action_on_a_stale_version_changes_nothing() {
    let f = fixture().await;
    let now = at("2026-11-23T10:00:00Z");
    let id = raise(&f, now).await;
    let respond = Action::Respond(Outcome::NotResolved {
        reasons: text("Threshold not met"),
        agreed_actions: vec![],
    });
    let stale = f
        .app
        .act(&social_care(), &id, 0, respond.clone(), now)
        .await;
    assert!(
        matches!(
            stale,
            Err(ActError::StaleVersion {
                read: 0,
                current: 1
            })
        ),
        "{stale:?}"
    );
    let later = now + Duration::hours(2);
    let done = f
        .app
        .act(&social_care(), &id, 1, respond, later)
        .await
        .unwrap();
    assert_eq!(done.case.version, 2);
    // The answer is the case as it stands at the very instant of the change.
    assert_eq!(done.now, later);
    assert_eq!(done.case.updated_at, later);
}

#[tokio::test]
async fn raising_checks_the_partnership_the_caller_belongs_to() {
    let f = fixture().await;
    let now = at("2026-11-23T10:00:00Z");
    // Moray's procedure is not Sefton's.
    let refused = f.app.raise(&school(), input("moray"), now).await;
    match refused {
        Err(RaiseError::Invalid(problems)) => {
            assert_eq!(problems[0].field, "procedure");
            assert!(problems[0].message.contains("sefton"), "{problems:?}");
        }
        other => panic!("{other:?}"),
    }
    let mut elsewhere = input("sefton");
    elsewhere.request.receiving_agency = Some(AgencyId::parse("fire-service").unwrap());
    assert!(matches!(
        f.app.raise(&school(), elsewhere, now).await,
        Err(RaiseError::Invalid(p)) if p[0].field == "receiving_agency"
    ));
    let admin = sefton("admin", "sscp", Role::Administrator);
    assert!(matches!(
        f.app.raise(&admin, input("sefton"), now).await,
        Err(RaiseError::Denied(Denied::AdministratorsOnly(_)))
    ));
    let unknown = Principal {
        partnership: PartnershipId::parse("nowhere").unwrap(),
        ..school()
    };
    assert!(matches!(
        f.app.raise(&unknown, input("sefton"), now).await,
        Err(RaiseError::NotSetUp(_))
    ));
}

/// "the partnership's configuration records it": the level comes from the configuration, not
/// from the caller. Sefton's step 2 ("Direct Manager to Manager Discussion") is answered by a
/// line manager: the configured `social-care-manager` may, a manager the configuration does
/// not list has no level and may not.
#[tokio::test]
async fn the_level_comes_from_the_partnerships_configuration() {
    let f = fixture().await;
    let now = at("2026-11-23T10:00:00Z");
    let id = raise(&f, now).await;
    let not_resolved = || {
        Action::Respond(Outcome::NotResolved {
            reasons: text("No"),
            agreed_actions: vec![],
        })
    };
    let detail = f
        .app
        .act(
            &sefton(
                "social-care-practitioner",
                "social-care",
                Role::Practitioner,
            ),
            &id,
            1,
            not_resolved(),
            now,
        )
        .await
        .unwrap();
    let escalate = Action::Escalate(escalations_core::case::EscalateRequest {
        to: None,
        reasons: text("Still not agreed"),
        tried: None,
    });
    let detail = f
        .app
        .act(&school(), &id, detail.case.version, escalate, now)
        .await
        .unwrap();
    assert_eq!(detail.case.stage, "step-2");
    let version = detail.case.version;
    let unlisted = f
        .app
        .act(
            &sefton("not-in-the-file", "social-care", Role::Manager),
            &id,
            version,
            not_resolved(),
            now,
        )
        .await;
    assert!(
        matches!(
            unlisted,
            Err(ActError::Refused(
                escalations_core::case::Refused::LevelAsked { .. }
            ))
        ),
        "{unlisted:?}"
    );
    let answered = f
        .app
        .act(&social_care(), &id, version, not_resolved(), now)
        .await
        .unwrap();
    let response = answered.case.responses.last().unwrap();
    assert_eq!(
        response.decided_by.as_ref().map(|d| d.level),
        Some(Some(escalations_core::case::Level::FirstLine))
    );
}
