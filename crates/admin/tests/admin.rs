//! `escalations-admin` as an operator runs it: checking files, and loading configuration into
//! a table over the DynamoDB wire protocol (moto, with the table from template.yaml).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use escalations_testkit::moto;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../infra/partnership.example.toml"
);

fn admin(args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escalations-admin"))
        .args(args)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The example file with `edit` applied, written to a temporary file.
fn variant(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, edit(std::fs::read_to_string(EXAMPLE).unwrap())).unwrap();
    path
}

#[test]
fn the_example_file_checks_clean() {
    let out = admin(&["check", EXAMPLE]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ok: example"), "{}", stdout(&out));
}

#[test]
fn a_bad_file_is_refused_with_every_problem_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad = variant(dir.path(), "bad.toml", |s| {
        s.replace(
            r#"procedures = ["sefton"]"#,
            r#"procedures = ["nope", "moray"]"#,
        )
        .replace(r#"agency = "school""#, r#"agency = "schol""#)
        .replace("recording_mailbox =", "recording_mailbx =")
        .replace("a.teacher@school.example.org", "a teacher")
    });
    let out = admin(&["check", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    for expected in [
        "`recording_mailbx` is not a setting",
        "`nope` is not a shipped procedure",
        "`moray` counts working days in Scotland",
        "`a-teacher` belongs to agency `schol`, which is not in agencies",
        "`a-teacher` has email `a teacher`, which is not an address",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(
        err.lines().all(|l| l.starts_with(bad.to_str().unwrap())),
        "{err}"
    );

    let unquoted = variant(dir.path(), "dates.toml", |s| {
        s.replace(r#""2026-12-29""#, "2026-12-29")
    });
    let err = stderr(&admin(&["check", unquoted.to_str().unwrap()]));
    assert!(err.contains("line 7, column"), "{err}");
    assert!(err.contains("write dates in quotes"), "{err}");
}

#[tokio::test]
async fn put_stores_a_partnership_and_never_overwrites_one_silently() {
    let table = moto::fresh_table(&moto::client()).await;
    let at = [
        "--table",
        table.as_str(),
        "--endpoint-url",
        moto::endpoint(),
    ];
    let with =
        |args: &[&str]| -> Vec<String> { args.iter().chain(&at).map(|s| s.to_string()).collect() };

    let out = admin(&with(&["put", EXAMPLE]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("stored: example"),
        "{}",
        stdout(&out)
    );
    let shown: serde_json::Value =
        serde_json::from_slice(&admin(&with(&["show", "example"])).stdout).unwrap();
    assert_eq!(shown["closure_days"][0], "2026-12-29");
    assert_eq!(shown["people"][2]["role"], "chair");

    // The same file again changes nothing.
    let out = admin(&with(&["put", EXAMPLE]));
    assert!(stdout(&out).starts_with("unchanged"), "{}", stdout(&out));

    // A different file for the same partnership needs --replace; without it nothing changes.
    let dir = tempfile::tempdir().unwrap();
    let renamed = variant(dir.path(), "renamed.toml", |s| {
        s.replace("Example Safeguarding", "Renamed Safeguarding")
    });
    let out = admin(&with(&["put", renamed.to_str().unwrap()]));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
    let shown: serde_json::Value =
        serde_json::from_slice(&admin(&with(&["show", "example"])).stdout).unwrap();
    assert_eq!(shown["name"], "Example Safeguarding Children Partnership");
    let out = admin(&with(&["put", "--replace", renamed.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: serde_json::Value =
        serde_json::from_slice(&admin(&with(&["show", "example"])).stdout).unwrap();
    assert_eq!(shown["name"], "Renamed Safeguarding Children Partnership");

    // The demo partnerships load once; the stored example is left alone.
    let out = admin(&with(&["demo"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).matches("stored: ").count(),
        4,
        "{}",
        stdout(&out)
    );
    let out = admin(&with(&["demo"]));
    assert_eq!(stdout(&out).matches("already stored").count(), 4);

    let out = admin(&with(&["show", "nowhere"]));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("nowhere is not stored"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_demo_partnerships_pass_the_same_checks() {
    let catalogue = escalations_core::Catalogue::builtin().unwrap();
    for config in escalations_demo::partnerships() {
        assert_eq!(
            config.problems(&catalogue),
            Vec::<String>::new(),
            "{}",
            config.id
        );
    }
}

#[tokio::test]
async fn reindex_puts_cases_stored_before_the_work_queues_back_in_them() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use escalations_core::case::{Actor, Case, Child, Concern, RaiseRequest, Role};
    use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId, Text};
    use escalations_store::{Store, WorkQueue};
    use escalations_store_dynamodb::{DynamoStore, keys};

    let table = moto::fresh_table(&moto::client()).await;
    let store = DynamoStore::new(moto::client(), table.clone());
    let sefton_config = escalations_demo::partnerships()
        .into_iter()
        .find(|p| p.id.as_str() == "sefton")
        .unwrap();
    store.put_partnership(&sefton_config).await.unwrap();
    let catalogue = escalations_core::Catalogue::builtin().unwrap();
    let sefton = catalogue.get("sefton").unwrap();
    let p = PartnershipId::parse("sefton").unwrap();
    let raiser = Actor::new(
        PersonId::parse("school-practitioner").unwrap(),
        AgencyId::parse("school").unwrap(),
        Role::Practitioner,
    );
    let t = Case::raise(
        CaseId::parse("case-old").unwrap(),
        sefton,
        &sefton_config.calendar(),
        &raiser,
        RaiseRequest {
            receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
            child: Some(Child {
                name: Text::parse("Old Child").unwrap(),
                date_of_birth: None,
                address: None,
                child_protection_plan: false,
                in_care: false,
            }),
            concern: Concern {
                summary: Text::parse("Stored before the upgrade").unwrap(),
                reasons: vec![],
                level_of_need: Some(sefton.levels_of_need[0].id.clone()),
                desired_outcome: None,
                tried: None,
                other_reason: None,
            },
            immediate_risk: Some(false),
            agencies_asked: vec![],
        },
        "2026-11-23T10:00:00Z".parse().unwrap(),
    )
    .unwrap();
    store.create_case(&p, &t, None).await.unwrap();
    // As a release before the work queues left it: no entry in social care's queue.
    let queue = WorkQueue::Agency(AgencyId::parse("social-care").unwrap());
    store
        .client()
        .delete_item()
        .table_name(&table)
        .key("pk", AttributeValue::S(keys::work_pk(&p, &queue)))
        .key(
            "sk",
            AttributeValue::S(keys::view_sk(t.case.raised_at, &t.case.id)),
        )
        .send()
        .await
        .unwrap();
    assert!(store.work_queue(&p, &queue).await.unwrap().is_empty());

    let out = admin(&[
        "reindex",
        "--table",
        table.as_str(),
        "--endpoint-url",
        moto::endpoint(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("sefton: 1 case(s) re-indexed"),
        "{}",
        stdout(&out)
    );
    let queued = store.work_queue(&p, &queue).await.unwrap();
    assert_eq!(queued.len(), 1, "back in social care's queue");
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap(),
        Some(t.case.clone())
    );
    assert_eq!(store.chronology(&p, &t.case.id).await.unwrap(), t.events);
}
