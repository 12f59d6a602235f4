//! Administration as the API calls it: the configuration read with its version, changes
//! checked, version-checked and recorded, closure days previewed and moving the deadlines they
//! affect, and an added person's sign-in created.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use escalations_app::{AdminError, App, RaiseInput};
use escalations_core::Catalogue;
use escalations_core::access::{Denied, Principal};
use escalations_core::case::{Actor, Child, Concern, EventKind, Level, RaiseRequest, Role};
use escalations_core::config_edit::ConfigEdit;
use escalations_core::ids::{
    AgencyId, CaseId, LevelId, PartnershipId, PersonId, ProcedureId, Text,
};
use escalations_core::partnership::{EmailAddress, Person};
use escalations_store::{ConfigVersion, Store};
use escalations_store_sqlite::SqliteStore;
use escalations_users::{NewUser, UserCreated, UserDirectory, UsersError};

/// Records the sign-ins asked for; refuses all when `refuse` is set.
#[derive(Default)]
struct Directory {
    created: Mutex<Vec<NewUser>>,
    refuse: bool,
}

#[async_trait]
impl UserDirectory for Directory {
    async fn create_user(&self, user: &NewUser) -> Result<UserCreated, UsersError> {
        if self.refuse {
            return Err(UsersError::Unavailable("the directory is down".into()));
        }
        self.created.lock().unwrap().push(user.clone());
        Ok(UserCreated::Created)
    }
}

struct Fixture {
    app: App,
    directory: Arc<Directory>,
    _dir: tempfile::TempDir,
}

async fn fixture_with(directory: Directory) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("app.db")).await.unwrap();
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let directory = Arc::new(directory);
    Fixture {
        app: App::new(Arc::new(store), Catalogue::builtin().unwrap()).with_users(directory.clone()),
        directory,
        _dir: dir,
    }
}

async fn fixture() -> Fixture {
    fixture_with(Directory::default()).await
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
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

fn admin() -> Principal {
    sefton("admin", "sscp", Role::Administrator)
}

async fn raise(f: &Fixture, now: DateTime<Utc>) -> CaseId {
    let input = RaiseInput {
        procedure: ProcedureId::parse("sefton").unwrap(),
        request: RaiseRequest {
            receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
            child: Some(Child {
                name: Text::parse("Admin Test Child").unwrap(),
                date_of_birth: None,
                address: None,
                child_protection_plan: false,
                in_care: false,
            }),
            concern: Concern {
                summary: Text::parse("Referral closed without assessment").unwrap(),
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
    };
    let school = sefton("school-practitioner", "school", Role::Practitioner);
    f.app
        .raise(&school, input, now)
        .await
        .unwrap()
        .detail
        .case
        .id
}

fn person(id: &str, agency: &str, role: Role, level: Option<Level>) -> Person {
    Person {
        id: PersonId::parse(id).unwrap(),
        name: "Sam Newcomer".into(),
        email: EmailAddress::parse(&format!("{id}@sefton.example.org")).unwrap(),
        agency: AgencyId::parse(agency).unwrap(),
        role,
        level,
    }
}

#[tokio::test]
async fn a_closure_day_is_previewed_then_saved_and_moves_the_open_deadline_after_it() {
    let f = fixture().await;
    let raised_at = at("2026-11-23T10:00:00Z");
    let id = raise(&f, raised_at).await;
    let store = f.app.store();
    let p = admin().partnership;
    let before = store.load_case(&p, &id).await.unwrap().unwrap();
    let was = before.running_clock().unwrap().due;

    let read = f.app.administration(&admin()).await.unwrap();
    assert_eq!(read.version, ConfigVersion(1));
    assert!(read.changes.is_empty());

    let edit = ConfigEdit::AddClosureDay(day("2026-11-24"));
    let preview = f.app.preview_edit(&admin(), &edit).await.unwrap();
    assert_eq!(preview.len(), 1, "{preview:?}");
    assert_eq!((preview[0].case.clone(), preview[0].was), (id.clone(), was));
    assert!(preview[0].due > was);
    // A preview changes nothing.
    assert_eq!(store.load_case(&p, &id).await.unwrap().unwrap(), before);

    let now = at("2026-11-23T12:00:00Z");
    let changed = f
        .app
        .change_configuration(&admin(), read.version, &edit, now)
        .await
        .unwrap();
    assert_eq!(changed.moved, preview);
    assert_eq!(changed.administration.version, ConfigVersion(2));
    assert_eq!(
        changed.administration.config.closure_days,
        [day("2026-11-24")]
    );
    assert_eq!(
        changed.change.what,
        "added closure day Tuesday 24 November 2026"
    );
    assert_eq!(changed.change.by.as_str(), "admin");
    assert_eq!(
        changed.administration.changes,
        std::slice::from_ref(&changed.change)
    );

    let after = store.load_case(&p, &id).await.unwrap().unwrap();
    assert_eq!(after.running_clock().unwrap().due, preview[0].due);
    let events = store.chronology(&p, &id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.by.as_ref().map(PersonId::as_str), Some("admin"));
    assert!(
        matches!(last.kind, EventKind::ClockRescheduled { due, was: w, .. } if due == preview[0].due && w == was),
        "{last:?}"
    );
    // Removing it moves the deadline back.
    let removed = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(2),
            &ConfigEdit::RemoveClosureDay(day("2026-11-24")),
            now,
        )
        .await
        .unwrap();
    assert_eq!(removed.moved.len(), 1);
    assert_eq!(
        store
            .load_case(&p, &id)
            .await
            .unwrap()
            .unwrap()
            .running_clock()
            .unwrap()
            .due,
        was
    );
}

#[tokio::test]
async fn a_closure_day_after_every_deadline_moves_none() {
    let f = fixture().await;
    raise(&f, at("2026-11-23T10:00:00Z")).await;
    let preview = f
        .app
        .preview_edit(&admin(), &ConfigEdit::AddClosureDay(day("2027-03-01")))
        .await
        .unwrap();
    assert!(preview.is_empty(), "{preview:?}");
}

#[tokio::test]
async fn a_change_read_at_an_old_version_is_a_conflict_and_changes_nothing() {
    let f = fixture().await;
    let now = at("2026-11-23T12:00:00Z");
    f.app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::AddClosureDay(day("2026-12-29")),
            now,
        )
        .await
        .unwrap();
    let stale = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::AddPerson(person("sam", "police", Role::Practitioner, None)),
            now,
        )
        .await;
    assert!(
        matches!(stale, Err(AdminError::Conflict { read: 1 })),
        "{stale:?}"
    );
    let read = f.app.administration(&admin()).await.unwrap();
    assert_eq!(read.version, ConfigVersion(2));
    assert!(
        read.config
            .person(&PersonId::parse("sam").unwrap())
            .is_none()
    );
    assert_eq!(read.changes.len(), 1);
    assert!(
        f.directory.created.lock().unwrap().is_empty(),
        "no sign-in for a refused change"
    );
}

#[tokio::test]
async fn only_administrators_read_or_change_the_set_up() {
    let f = fixture().await;
    for who in [
        sefton("chair", "sscp", Role::Chair),
        sefton("police-manager", "police", Role::Manager),
        sefton("school-practitioner", "school", Role::Practitioner),
    ] {
        assert!(matches!(
            f.app.administration(&who).await,
            Err(AdminError::Denied(Denied::AdministratorsOnly(_)))
        ));
        let edit = ConfigEdit::AddClosureDay(day("2026-12-29"));
        assert!(matches!(
            f.app.preview_edit(&who, &edit).await,
            Err(AdminError::Denied(_))
        ));
        assert!(matches!(
            f.app
                .change_configuration(&who, ConfigVersion(1), &edit, at("2026-11-23T12:00:00Z"))
                .await,
            Err(AdminError::Denied(_))
        ));
    }
}

#[tokio::test]
async fn a_change_that_fails_the_checks_names_every_problem_and_changes_nothing() {
    let f = fixture().await;
    let now = at("2026-11-23T12:00:00Z");
    // A practitioner with a level, in an agency that does not exist.
    let bad = person("sam", "nowhere", Role::Practitioner, Some(Level::Director));
    let refused = f
        .app
        .change_configuration(&admin(), ConfigVersion(1), &ConfigEdit::AddPerson(bad), now)
        .await;
    let Err(AdminError::Invalid(problems)) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().all(|p| p.starts_with("people: `sam`")),
        "{problems:?}"
    );
    // Removing the partnership's own unit leaves the chair without an agency.
    let refused = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::RemoveAgency(AgencyId::parse("sscp").unwrap()),
            now,
        )
        .await;
    assert!(
        matches!(refused, Err(AdminError::Invalid(_))),
        "{refused:?}"
    );
    // A person already there, a closure day not there: the edit's own field.
    let existing = person("admin", "sscp", Role::Administrator, None);
    let refused = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::AddPerson(existing),
            now,
        )
        .await;
    assert!(
        matches!(&refused, Err(AdminError::Refused(e)) if e.field == "person.id"),
        "{refused:?}"
    );
    let refused = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::RemoveClosureDay(day("2026-12-29")),
            now,
        )
        .await;
    assert!(
        matches!(&refused, Err(AdminError::Refused(e)) if e.field == "date"),
        "{refused:?}"
    );
    let read = f.app.administration(&admin()).await.unwrap();
    assert_eq!(read.version, ConfigVersion(1));
    assert!(read.changes.is_empty());
}

#[tokio::test]
async fn adding_a_person_creates_their_sign_in_and_records_the_change() {
    let f = fixture().await;
    let sam = person("sam", "police", Role::Manager, Some(Level::SecondLine));
    let changed = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::AddPerson(sam.clone()),
            at("2026-11-23T12:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(changed.administration.config.person(&sam.id), Some(&sam));
    assert_eq!(
        changed.change.what,
        "added person Sam Newcomer (sam), a manager (second line / service manager) at police, sam@sefton.example.org"
    );
    let created = f.directory.created.lock().unwrap().clone();
    assert_eq!(
        created,
        [NewUser {
            partnership: PartnershipId::parse("sefton").unwrap(),
            person: sam.id.clone(),
            name: sam.name.clone(),
            email: sam.email.clone(),
            agency: sam.agency.clone(),
            role: Role::Manager,
        }]
    );
}

#[tokio::test]
async fn a_person_whose_sign_in_cannot_be_created_is_not_added() {
    let f = fixture_with(Directory {
        refuse: true,
        ..Directory::default()
    })
    .await;
    let refused = f
        .app
        .change_configuration(
            &admin(),
            ConfigVersion(1),
            &ConfigEdit::AddPerson(person("sam", "police", Role::Practitioner, None)),
            at("2026-11-23T12:00:00Z"),
        )
        .await;
    assert!(matches!(refused, Err(AdminError::Users(_))), "{refused:?}");
    let read = f.app.administration(&admin()).await.unwrap();
    assert_eq!(read.version, ConfigVersion(1));
}
