//! The movable local clock: moving it makes a response overdue in the queue and the case
//! list; a huge or backward step is refused and leaves the clock alone.

mod common;

use common::{raise_body, start};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn moving_the_local_clock_makes_a_response_overdue_in_the_queue() {
    let stack = start().await;
    let user = stack.sign_in("sefton", "school-practitioner").await;
    let them = stack.sign_in("sefton", "social-care-manager").await;
    user.post(
        "/api/cases",
        raise_body("sefton", "social-care", Some("s17"), &[]),
    )
    .await;
    let (_, queue) = them.get("/api/queue").await;
    assert_eq!(queue["items"][0]["overdue"], false);
    stack.advance("days=7").await;
    let (_, queue) = them.get("/api/queue").await;
    assert_eq!(queue["items"][0]["overdue"], true, "{queue}");
    let (_, overdue) = user.get("/api/cases?overdue=true").await;
    assert_eq!(overdue["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_huge_or_backward_clock_step_is_refused_and_leaves_the_clock_alone() {
    let stack = start().await;
    let clock = || async {
        let body: Value = stack
            .http
            .get(format!("{}/dev/clock", stack.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["offset_seconds"].as_i64().unwrap()
    };
    for query in [
        "days=106751991167300",
        "days=9223372036854775807",
        "hours=-5",
        "days=400",
        "days=0",
    ] {
        let response = stack
            .http
            .post(format!("{}/dev/clock?{query}", stack.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(clock().await, 0, "{query} moved the clock");
    }
    stack.advance("days=2").await;
    assert_eq!(clock().await, 2 * 86_400);
}
