//! Calendar feeds over HTTP: a person's secret feed holds their deadlines — case reference,
//! what is due, by when, a link — and nothing about the child; replacing or stopping it makes
//! the old URL answer 404 like one never made; one case's deadline downloads as a `.ics`.

mod common;

use chrono::{DateTime, NaiveTime, Utc};
use common::{Stack, User, not_resolved, raise_body, start};
use escalations_core::timescale::ZONE;
use escalations_core::words::due_day;
use reqwest::StatusCode;
use serde_json::{Value, json};

// Distinctive values of the child and the concern, none of which may reach a feed.
const CHILD_NAME: &str = "Peregrine Quillfeather-Dunmore";
const CHILD_BORN: &str = "2014-03-17";
const CHILD_ADDRESS: &str = "7 Kittiwake Terrace, Bootle";
const CONCERN: &str = "Marmalade threshold neglect unaddressed";
const TRIED: &str = "Spoke with the duty team about the zeppelin visit";

/// Raises a Sefton case from the school to Children's Social Care about the distinctive child.
async fn raise(user: &User<'_>) -> Value {
    let mut body = raise_body("sefton", "social-care", Some("s17"), &[]);
    body["child"]["name"] = json!(CHILD_NAME);
    body["child"]["date_of_birth"] = json!(CHILD_BORN);
    body["child"]["address"] = json!(CHILD_ADDRESS);
    body["concern"]["summary"] = json!(CONCERN);
    body["concern"]["tried"] = json!(TRIED);
    let (status, view) = user.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    view
}

/// Creates `user`'s feed; answers its path on the stack (the link names the stack's
/// configured address).
async fn create_feed(user: &User<'_>) -> String {
    let (status, link) = user.post("/api/me/calendar-feed", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    let url = link["url"].as_str().unwrap();
    let path = &url[url.find("/api/calendar/").expect("a feed path")..];
    assert!(path.ends_with(".ics"), "{url}");
    path.to_owned()
}

/// A feed, fetched as a calendar app does: no bearer token.
async fn fetch(stack: &Stack, path: &str) -> (StatusCode, String) {
    let response = stack
        .http
        .get(format!("{}{path}", stack.url))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    if status == StatusCode::OK {
        assert_eq!(
            response.headers()["content-type"],
            "text/calendar; charset=utf-8"
        );
    }
    (status, response.text().await.unwrap())
}

/// The content lines of an iCalendar text, unfolded (RFC 5545 §3.1).
fn lines(ics: &str) -> Vec<String> {
    assert!(ics.ends_with("\r\n"), "CRLF line ends: {ics:?}");
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value of the property `name` in each event.
fn event_values(ics: &str, name: &str) -> Vec<String> {
    lines(ics)
        .iter()
        .filter_map(|l| {
            l.strip_prefix(name)
                .filter(|rest| rest.starts_with(':') || rest.starts_with(';'))
                .map(|rest| rest.to_owned())
        })
        .collect()
}

/// What DTSTART says for a due instant: the day, for the end of a working day; otherwise the
/// instant in UTC.
fn dtstart(due: DateTime<Utc>) -> String {
    if due.with_timezone(&ZONE).time() == NaiveTime::MIN {
        format!(";VALUE=DATE:{}", due_day(due).format("%Y%m%d"))
    } else {
        format!(":{}", due.format("%Y%m%dT%H%M%SZ"))
    }
}

#[tokio::test]
async fn a_raised_case_is_in_the_asked_managers_feed_and_nothing_about_the_child_is() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let manager = stack.sign_in("sefton", "social-care-manager").await;
    let view = raise(&raiser).await;
    let case = view["case"]["id"].as_str().unwrap().to_owned();

    let (_, state) = manager.get("/api/me/calendar-feed").await;
    assert_eq!(state, json!({ "active": false }));
    let path = create_feed(&manager).await;
    let (_, state) = manager.get("/api/me/calendar-feed").await;
    assert_eq!(state["active"], true, "{state}");

    let (status, ics) = fetch(&stack, &path).await;
    assert_eq!(status, StatusCode::OK, "{ics}");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");

    // The case's running clock, as the manager's queue has it.
    let (_, queue) = manager.get("/api/queue").await;
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case"] == case.as_str())
        .unwrap_or_else(|| panic!("the case is in the manager's queue: {queue}"));
    let due: DateTime<Utc> = item["due"].as_str().unwrap().parse().unwrap();

    let summaries = event_values(&ics, "SUMMARY");
    let summary = summaries
        .iter()
        .find(|s| s.contains(&case))
        .unwrap_or_else(|| panic!("an event names case {case}: {ics}"));
    assert!(
        summary.starts_with(&format!(":Case {case}: response due (Step 1")),
        "{summary}"
    );
    assert!(
        event_values(&ics, "DTSTART").contains(&dtstart(due)),
        "due {due}: {ics}"
    );
    assert!(
        event_values(&ics, "UID")
            .iter()
            .any(|uid| uid.starts_with(&format!(":{case}."))),
        "{ics}"
    );
    assert!(
        event_values(&ics, "URL").contains(&format!(":http://127.0.0.1:8080/cases/{case}")),
        "{ics}"
    );
    // Unfolded and unescaped, the child and the concern appear nowhere.
    let text = lines(&ics).join("\n").replace('\\', "");
    for secret in [
        CHILD_NAME,
        "Quillfeather",
        CHILD_BORN,
        "17 March 2014",
        CHILD_ADDRESS,
        "Kittiwake",
        CONCERN,
        "Marmalade",
        TRIED,
        "zeppelin",
    ] {
        assert!(!text.contains(secret), "the feed holds {secret:?}: {ics}");
    }

    // The same feed read again later names the same event: calendars update, not duplicate.
    let (_, again) = fetch(&stack, &path).await;
    assert_eq!(event_values(&again, "UID"), event_values(&ics, "UID"));
}

#[tokio::test]
async fn another_agencys_feed_holds_none_of_these_deadlines() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let police = stack.sign_in("sefton", "police-manager").await;
    let view = raise(&raiser).await;
    let case = view["case"]["id"].as_str().unwrap();
    let path = create_feed(&police).await;
    let (status, ics) = fetch(&stack, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!ics.contains(case), "{ics}");
    assert!(event_values(&ics, "UID").is_empty(), "{ics}");
}

#[tokio::test]
async fn a_replaced_or_stopped_feed_answers_404_like_one_never_made() {
    let stack = start().await;
    let manager = stack.sign_in("sefton", "social-care-manager").await;
    let first = create_feed(&manager).await;
    assert_eq!(fetch(&stack, &first).await.0, StatusCode::OK);

    let second = create_feed(&manager).await;
    assert_ne!(first, second);
    let (status, replaced) = fetch(&stack, &first).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{replaced}");
    assert_eq!(fetch(&stack, &second).await.0, StatusCode::OK);

    let (status, _) = manager
        .send(reqwest::Method::DELETE, "/api/me/calendar-feed", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, stopped) = fetch(&stack, &second).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, state) = manager.get("/api/me/calendar-feed").await;
    assert_eq!(state, json!({ "active": false }));

    // Unknown and malformed tokens, and another person's ids with this secret, answer alike.
    let secret = second.rsplit('.').nth(1).unwrap();
    for path in [
        format!(
            "/api/calendar/sefton.social-care-manager.{}.ics",
            "A".repeat(43)
        ),
        format!("/api/calendar/sefton.police-manager.{secret}.ics"),
        "/api/calendar/nonsense.ics".to_owned(),
        "/api/calendar/sefton.social-care-manager".to_owned(),
    ] {
        let (status, body) = fetch(&stack, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body, stopped, "{path}");
    }
    assert_eq!(problem_of(&replaced), problem_of(&stopped));

    // The feed needs no sign-in, but only GET reaches it.
    let response = stack
        .http
        .post(format!("{}{second}", stack.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Managing a feed does need one.
    let response = stack
        .http
        .post(format!("{}/api/me/calendar-feed", stack.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

fn problem_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn one_cases_deadline_downloads_as_an_ics_for_those_who_may_see_the_case() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let police = stack.sign_in("sefton", "police-manager").await;
    let view = raise(&raiser).await;
    let case = view["case"]["id"].as_str().unwrap();
    let path = format!("/api/cases/{case}/deadline.ics");

    let response = stack
        .http
        .get(format!("{}{path}", stack.url))
        .bearer_auth(&raiser.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"case-{case}-deadline.ics\"").as_str()
    );
    let ics = response.text().await.unwrap();
    let summaries = event_values(&ics, "SUMMARY");
    assert_eq!(summaries.len(), 1, "{ics}");
    assert!(summaries[0].starts_with(&format!(":Case {case}: response due")));
    let due: DateTime<Utc> = view["next_move"]["due"]
        .as_str()
        .or_else(|| view["case"]["clocks"][0]["due"].as_str())
        .unwrap_or_else(|| panic!("a due instant in {view}"))
        .parse()
        .unwrap();
    assert_eq!(event_values(&ics, "DTSTART"), [dtstart(due)], "{ics}");
    assert!(!ics.contains(CHILD_NAME) && !ics.contains(CONCERN));

    let (status, _) = police.get(&path).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another agency's case is no case"
    );
    let response = stack
        .http
        .get(format!("{}{path}", stack.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn agreed_actions_an_agency_owns_are_in_its_feeds_without_their_words() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let manager = stack.sign_in("sefton", "social-care-manager").await;
    let view = raise(&raiser).await;
    let case = view["case"]["id"].as_str().unwrap().to_owned();
    // Not resolved, with an agreed action the school owns ("Share chronology", by 31 December).
    manager.act(&view, "responses", not_resolved()).await;

    let path = create_feed(&raiser).await;
    let (status, ics) = fetch(&stack, &path).await;
    assert_eq!(status, StatusCode::OK);
    let uid = format!(":{case}.actions@sefton.escalations");
    assert!(event_values(&ics, "UID").contains(&uid), "{ics}");
    assert!(
        event_values(&ics, "SUMMARY")
            .iter()
            .any(|s| s.starts_with(&format!(":Case {case}: agreed actions due"))),
        "{ics}"
    );
    assert!(
        event_values(&ics, "DTSTART").contains(&";VALUE=DATE:20261231".to_owned()),
        "{ics}"
    );
    let text = lines(&ics).join("\n");
    for typed in [
        "Share chronology",
        "Health visitor",
        "Threshold not agreed",
        CHILD_NAME,
    ] {
        assert!(!text.contains(typed), "the feed holds {typed:?}: {ics}");
    }
}
