//! Retention over HTTP: Sefton's demo keeps closed cases for six years. The sweeper erases a
//! closed case's child and free text the day its period ends, not before; the case, its
//! chronology and the report's figures remain; nothing erased is left in the store's files;
//! a partnership that sets no period keeps its cases.

mod common;

use common::{Stack, User, not_resolved, raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

// Distinctive values, typed in the raise, the response and the withdrawal.
const TYPED: &[&str] = &[
    "Hepzibah Marchbanks-Tolliver",
    "14 Samphire Crescent, Formby",
    "Gooseberry assessment refused twice",
    "Tried the heron family meeting",
    "Withdrawn after the pangolin review",
];
const BORN: &str = "2013-02-27";

async fn raise(user: &User<'_>, partnership: &str, receiving: &str) -> Value {
    let mut body = if partnership == "sefton" {
        raise_body("sefton", receiving, Some("s17"), &[])
    } else {
        raise_body("medway", receiving, None, &["handling-of-concerns"])
    };
    body["child"]["name"] = json!(TYPED[0]);
    body["child"]["address"] = json!(TYPED[1]);
    body["child"]["date_of_birth"] = json!(BORN);
    body["concern"]["summary"] = json!(TYPED[2]);
    body["concern"]["tried"] = json!(TYPED[3]);
    let (status, view) = user.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    view
}

fn store_bytes(stack: &Stack) -> Vec<u8> {
    stack
        .store_files()
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .flatten()
        .collect()
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

#[tokio::test]
async fn a_closed_case_is_erased_by_the_sweeper_when_its_period_ends_and_its_figures_remain() {
    let stack = start().await;
    stack.set_clock("2026-12-01T10:00:00Z").await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let manager = stack.sign_in("sefton", "social-care-manager").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let case = raise(&raiser, "sefton", "social-care").await;
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    stack.advance("hours=2").await;
    let case = manager.act(&case, "responses", not_resolved()).await;
    stack.advance("hours=1").await;
    let closed = chair
        .act(&case, "withdrawal", json!({ "reason": TYPED[4] }))
        .await;
    assert_eq!(closed["case"]["status"]["status"], "withdrawn");
    let closed_at: chrono::DateTime<chrono::Utc> = closed["case"]["updated_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let range = "from=2026-12-01&to=2026-12-31";
    let (_, report_before) = chair.get(&format!("/api/reports?{range}")).await;
    assert!(
        holds(&store_bytes(&stack), TYPED[0]),
        "the store holds the case whole"
    );

    // A day short of six years after its last change: kept.
    let almost = closed_at + chrono::Months::new(72) - chrono::Duration::days(1);
    stack
        .set_clock(&almost.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .await;
    let summary = stack.sweep().await;
    assert_eq!(summary["erased"], 0, "{summary}");
    let (_, kept) = chair.get(&format!("/api/cases/{id}")).await;
    assert_eq!(kept["case"]["child"]["name"], TYPED[0]);

    // Six years on: erased by the sweep, once.
    // (A second on: the clock is set to whole seconds, the last change has a fraction.)
    let ended = closed_at + chrono::Months::new(72) + chrono::Duration::seconds(1);
    stack
        .set_clock(&ended.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .await;
    let summary = stack.sweep().await;
    assert_eq!(summary["erased"], 1, "{summary}");
    assert_eq!(stack.sweep().await["erased"], 0, "erased once");

    let (status, view) = chair.get(&format!("/api/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let case = &view["case"];
    assert_eq!(case["child"]["name"], "[erased]");
    assert_eq!(case["child"]["date_of_birth"], Value::Null);
    assert_eq!(case["concern"]["summary"], "[erased]");
    assert_eq!(case["status"]["status"], "withdrawn");
    assert_eq!(case["status"]["reason"], "[erased]");
    assert!(case["erased_at"].is_string(), "{case}");
    let kinds: Vec<&str> = view["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"raised"));
    assert_eq!(kinds.last(), Some(&"erased"));
    assert!(
        kinds.contains(&"responded") && kinds.contains(&"withdrawn"),
        "{kinds:?}"
    );

    // The report for the period it was raised in counts it exactly as before.
    let (_, report_after) = chair.get(&format!("/api/reports?{range}")).await;
    let figures = |r: &Value| {
        let mut r = r.clone();
        let r_ = r.as_object_mut().unwrap();
        r_.remove("lessons_learned");
        r_.remove("generated_at");
        r
    };
    assert_eq!(figures(&report_after), figures(&report_before));

    // Nothing typed, and not the date of birth, is left anywhere in the store's files, nor
    // in the subject access export.
    let bytes = store_bytes(&stack);
    for typed in TYPED {
        assert!(!holds(&bytes, typed), "{typed} left in the store's files");
    }
    let (_, export) = chair.get(&format!("/api/cases/{id}/export")).await;
    let export = export.to_string();
    for typed in TYPED.iter().chain([&BORN]) {
        assert!(!export.contains(typed), "{typed} in the export");
    }
}

#[tokio::test]
async fn a_partnership_that_sets_no_period_keeps_its_closed_cases() {
    let stack = start().await;
    stack.set_clock("2026-12-01T10:00:00Z").await;
    let raiser = stack.sign_in("medway", "school-practitioner").await;
    let chair = stack.sign_in("medway", "chair").await;
    let case = raise(&raiser, "medway", "social-care").await;
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    stack.advance("hours=1").await;
    chair
        .act(&case, "withdrawal", json!({ "reason": TYPED[4] }))
        .await;
    stack.set_clock("2046-12-01T10:00:00Z").await;
    assert_eq!(stack.sweep().await["erased"], 0);
    let (_, view) = chair.get(&format!("/api/cases/{id}")).await;
    assert_eq!(view["case"]["child"]["name"], TYPED[0]);
}

#[tokio::test]
async fn an_administrator_sets_and_clears_the_period_and_the_change_is_recorded() {
    let stack = start().await;
    let admin = stack.sign_in("medway", "admin").await;
    let chair = stack.sign_in("medway", "chair").await;
    let (_, read) = admin.get("/api/admin").await;
    assert_eq!(
        read["partnership"]["retention"],
        Value::Null,
        "Medway's demo sets none"
    );
    let version = read["version"].as_u64().unwrap();

    // Out of range, or missing: refused naming the field, nothing changed.
    for body in [
        json!({ "version": version, "change": "set-retention", "closed_cases_kept_for_years": 0 }),
        json!({ "version": version, "change": "set-retention", "closed_cases_kept_for_years": 101 }),
        json!({ "version": version, "change": "set-retention" }),
    ] {
        let (status, problem) = admin.post("/api/admin/changes", body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {problem}");
        assert!(
            problem.to_string().contains("closed_cases_kept_for_years"),
            "{problem}"
        );
    }
    // Only administrators.
    let (status, _) = chair
        .post(
            "/api/admin/changes",
            json!({ "version": version, "change": "set-retention", "closed_cases_kept_for_years": 6 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, changed) = admin
        .post(
            "/api/admin/changes",
            json!({ "version": version, "change": "set-retention", "closed_cases_kept_for_years": 7 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        changed["admin"]["partnership"]["retention"]["closed_cases_kept_for_years"],
        7
    );
    assert!(
        changed["change"]["what"]
            .as_str()
            .unwrap()
            .contains("7 years"),
        "{changed}"
    );

    let (status, cleared) = admin
        .post(
            "/api/admin/changes",
            json!({ "version": version + 1, "change": "clear-retention" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["admin"]["partnership"]["retention"], Value::Null);
    let (_, read) = admin.get("/api/admin").await;
    let record: Vec<&str> = read["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert_eq!(record.len(), 2, "{record:?}");
    assert!(record[0].contains("kept"), "newest first: {record:?}");
}
