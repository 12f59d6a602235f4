//! Administration over HTTP: an administrator previews a closure day, saves it and sees the
//! open deadline move; adds a person; a stale version is a 409, a bad change a 422 naming the
//! part at fault, and nobody else reaches the set-up.

mod common;

use common::{raise_body, start};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The running clock's due instant, as the case's reader sees it.
fn due(case: &Value) -> String {
    case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|c| c["run"]["ended"].is_null())
        .map(|c| c["run"]["due"].as_str().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn an_administrator_adds_a_closure_day_that_moves_an_open_deadline_and_adds_a_person() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let admin = stack.sign_in("sefton", "admin").await;
    let (status, case) = raiser
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let was = due(&case);

    let (status, read) = admin.get("/api/admin").await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["version"], 1);
    assert_eq!(read["partnership"]["id"], "sefton");
    assert!(read["changes"].as_array().unwrap().is_empty());

    // The first day before the deadline whose closure moves it.
    let today = chrono::Utc::now().date_naive();
    let mut chosen = None;
    for ahead in 0..20 {
        let day = today + chrono::Days::new(ahead);
        let (status, preview) = admin
            .get(&format!("/api/admin/closure-days/preview?date={day}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        if !preview["moves"].as_array().unwrap().is_empty() {
            chosen = Some((day, preview));
            break;
        }
    }
    let (day, preview) = chosen.expect("a closure day before the deadline moves it");
    assert_eq!(preview["moves"][0]["case"], id.as_str());
    assert_eq!(preview["moves"][0]["was"], was.as_str());
    // A preview changes nothing.
    let (_, unchanged) = raiser.get(&format!("/api/cases/{id}")).await;
    assert_eq!(due(&unchanged), was);

    let (status, changed) = admin
        .post(
            "/api/admin/changes",
            json!({ "version": 1, "change": "add-closure-day", "date": day.to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["moved"], preview["moves"]);
    assert_eq!(changed["admin"]["version"], 2);
    assert_eq!(changed["change"]["by"], "admin");
    assert!(
        changed["change"]["what"]
            .as_str()
            .unwrap()
            .starts_with("added closure day ")
    );
    let (_, moved) = raiser.get(&format!("/api/cases/{id}")).await;
    assert_eq!(due(&moved), preview["moves"][0]["due"].as_str().unwrap());
    let last = moved["chronology"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"]["type"], "clock-rescheduled", "{last}");
    // The page's calendar knows the day too.
    let (_, me) = raiser.get("/api/me").await;
    assert_eq!(me["partnership"]["closure_days"], json!([day.to_string()]));

    // A second administrator who read version 1 is told, and nothing changes.
    let person = json!({
        "id": "sam-newcomer", "name": "Sam Newcomer", "email": "sam@sefton.example.org",
        "agency": "police", "role": "manager", "level": "second-line"
    });
    let (status, stale) = admin
        .post(
            "/api/admin/changes",
            json!({ "version": 1, "change": "add-person", "person": person }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert!(
        stale["detail"]
            .as_str()
            .unwrap()
            .contains("another administrator"),
        "{stale}"
    );

    let (status, added) = admin
        .post(
            "/api/admin/changes",
            json!({ "version": 2, "change": "add-person", "person": person }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["admin"]["version"], 3);
    let people = added["admin"]["partnership"]["people"].as_array().unwrap();
    assert!(people.iter().any(|p| p["id"] == "sam-newcomer"));
    let record: Vec<&str> = added["admin"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert_eq!(record.len(), 2);
    assert!(record[0].starts_with("added person Sam Newcomer (sam-newcomer)"));
    // The new person can sign in at once.
    let sam = stack.sign_in("sefton", "sam-newcomer").await;
    let (status, me) = sam.get("/api/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["name"], "Sam Newcomer");
}

#[tokio::test]
async fn a_change_that_fails_the_checks_is_refused_naming_the_part_at_fault() {
    let stack = start().await;
    let admin = stack.sign_in("medway", "admin").await;
    // A practitioner with a level, in an agency that does not exist.
    let (status, refused) = admin
        .post(
            "/api/admin/changes",
            json!({
                "version": 1, "change": "add-person",
                "person": {
                    "id": "pat-new", "name": "Pat New", "email": "pat@medway.example.org",
                    "agency": "nowhere", "role": "practitioner", "level": "director"
                }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["people", "people"], "{refused}");
    // Bad fields are named all at once.
    let (status, bad) = admin
        .post(
            "/api/admin/changes",
            json!({ "change": "add-person", "person": { "id": "Not An Id", "email": "nope" } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "version",
        "person.id",
        "person.name",
        "person.email",
        "person.agency",
        "person.role",
    ] {
        assert!(fields.contains(&field), "{field} not named: {bad}");
    }
    let (_, read) = admin.get("/api/admin").await;
    assert_eq!(read["version"], 1);
}

#[tokio::test]
async fn only_administrators_reach_the_set_up() {
    let stack = start().await;
    for person in ["chair", "school-practitioner", "social-care-manager"] {
        let user = stack.sign_in("sefton", person).await;
        let (status, _) = user.get("/api/admin").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{person}");
        let (status, _) = user
            .get("/api/admin/closure-days/preview?date=2026-12-29")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{person}");
        let (status, _) = user
            .post(
                "/api/admin/changes",
                json!({ "version": 1, "change": "add-closure-day", "date": "2026-12-29" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{person}");
    }
}
