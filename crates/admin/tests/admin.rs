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
