//! Journeys over HTTP against the local stack (the same handler code as the Lambda
//! functions, on the embedded store): every seed procedure end to end, and the bad cases.

use reqwest::StatusCode;
use serde_json::{Value, json};

struct Stack {
    url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let router = escalations_local::stack(dir.path().join("e.db"))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Stack {
        url,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

/// A signed-in demo user.
struct User<'s> {
    stack: &'s Stack,
    token: String,
}

impl Stack {
    async fn sign_in(&self, partnership: &str, person: &str) -> User<'_> {
        let body: Value = self
            .http
            .get(format!(
                "{}/dev/token?partnership={partnership}&person={person}",
                self.url
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        User {
            stack: self,
            token: body["token"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned(),
        }
    }

    async fn advance(&self, query: &str) {
        let status = self
            .http
            .post(format!("{}/dev/clock?{query}", self.url))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK);
    }
}

impl User<'_> {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .stack
            .http
            .request(method, format!("{}{path}", self.stack.url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        // Every API answer, success or problem, forbids caching case data.
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path}"
        );
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body.to_string()))
            .await
    }

    /// Posts an action with the case's current version; asserts it succeeded.
    async fn act(&self, case: &Value, action: &str, mut body: Value) -> Value {
        body["version"] = case["case"]["version"].clone();
        let id = case["case"]["id"].as_str().unwrap();
        let (status, view) = self.post(&format!("/api/cases/{id}/{action}"), body).await;
        assert_eq!(status, StatusCode::OK, "{action}: {view}");
        view
    }
}

fn raise_body(procedure: &str, receiving: &str, level: Option<&str>, reasons: &[&str]) -> Value {
    json!({
        "procedure": procedure,
        "receiving_agency": receiving,
        "child": { "name": "Test Child", "date_of_birth": "2016-03-01", "child_protection_plan": true },
        "concern": {
            "summary": "The referral was closed without an assessment",
            "reasons": reasons,
            "level_of_need": level,
            "tried": "Discussed with the social worker"
        }
    })
}

fn not_resolved() -> Value {
    json!({
        "outcome": "not-resolved",
        "reasons": "Threshold not agreed",
        "agreed_actions": [{ "what": "Share chronology", "by_whom": "Health visitor", "by_when": "2026-12-31" }]
    })
}

fn escalation() -> Value {
    json!({ "reasons": "Still not agreed", "tried": "Manager to manager discussion" })
}

fn stage(view: &Value) -> &str {
    view["case"]["stage"].as_str().unwrap()
}

#[tokio::test]
async fn sefton_runs_its_four_steps_over_http() {
    let stack = start().await;
    let raiser = stack.sign_in("sefton", "school-practitioner").await;
    let their_manager = stack.sign_in("sefton", "social-care-manager").await;
    let chair = stack.sign_in("sefton", "chair").await;
    let (status, mut case) = raiser
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(case["next_move"]["party"], "receiving");
    // The receiving agency sees it in its queue, with the due date.
    let (_, queue) = their_manager.get("/api/queue").await;
    assert_eq!(queue["items"][0]["case"], case["case"]["id"], "{queue}");
    assert!(queue["items"][0]["due"].is_string());
    for step in ["step-1", "step-2", "step-3"] {
        assert_eq!(stage(&case), step);
        case = their_manager.act(&case, "responses", not_resolved()).await;
        case = raiser.act(&case, "escalations", escalation()).await;
    }
    assert_eq!(stage(&case), "step-4");
    assert_eq!(case["next_move"]["party"], "partnership");
    case = chair
        .act(&case, "resolution", json!({ "outcome": "Final and binding decision: assess", "lessons_learned": "Clarify thresholds" }))
        .await;
    assert_eq!(case["case"]["status"]["status"], "resolved");
    assert_eq!(case["next_move"], Value::Null);
    // The chronology holds every step, in order.
    let kinds: Vec<&str> = case["chronology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"raised"));
    assert_eq!(kinds.iter().filter(|k| **k == "escalated").count(), 3);
    assert_eq!(kinds.last(), Some(&"resolved"));
}

#[tokio::test]
async fn moray_runs_six_stages_and_medway_stage_3_needs_stages_1_and_2() {
    let stack = start().await;
    let raiser = stack.sign_in("moray", "education-manager").await;
    let (_, procedure) = raiser.get("/api/procedures/moray").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (status, mut case) = raiser
        .post(
            "/api/cases",
            raise_body("moray", "social-work", None, &[&reason]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    for _ in 0..5 {
        case = raiser.act(&case, "responses", not_resolved()).await;
        case = raiser.act(&case, "escalations", escalation()).await;
    }
    assert_eq!(stage(&case), "stage-5");
    case = raiser
        .act(
            &case,
            "resolution",
            json!({ "outcome": "CSWO decision", "lessons_learned": "None" }),
        )
        .await;
    assert_eq!(case["case"]["status"]["status"], "resolved");

    let practitioner = stack.sign_in("medway", "school-practitioner").await;
    let social_care = stack.sign_in("medway", "social-care-manager").await;
    let (_, procedure) = practitioner.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (_, mut case) = practitioner
        .post(
            "/api/cases",
            raise_body("medway", "social-care", None, &[&reason]),
        )
        .await;
    case = social_care.act(&case, "responses", not_resolved()).await;
    let mut jump = escalation();
    jump["to"] = json!("stage-3");
    jump["version"] = case["case"]["version"].clone();
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let (status, problem) = practitioner
        .post(&format!("/api/cases/{id}/escalations"), jump)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["detail"],
        "stage-3 needs stage-2 first: stage-2 has not been used for this case"
    );
    // The Child Protection Conference Chair is to be informed: the child has a CP plan.
    assert!(
        case["inform"][0]["who"]
            .as_str()
            .unwrap()
            .contains("Child Protection Conference Chair")
    );
}

#[tokio::test]
async fn mset_levels_run_two_clocks_and_a_practice_alert_has_no_child() {
    let stack = start().await;
    let chair = stack.sign_in("sscp", "chair").await;
    let line_manager = stack.sign_in("sscp", "childrens-services-manager").await;
    let (_, procedure) = chair.get("/api/procedures/sscp-mset").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (status, mut case) = chair
        .post(
            "/api/cases",
            raise_body("sscp-mset", "childrens-services", None, &[&reason]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case = chair.act(&case, "escalations", escalation()).await; // the pro-forma goes to the line manager
    assert_eq!(case["next_move"]["clock"], "response");
    case = line_manager.act(&case, "responses", not_resolved()).await;
    assert_eq!(case["next_move"]["clock"], "chair-reply");
    case = chair.act(&case, "responses", not_resolved()).await;
    case = chair.act(&case, "escalations", escalation()).await;
    assert_eq!(
        (stage(&case), case["next_move"]["clock"].as_str()),
        ("level-2", Some("escalate"))
    );
    case = chair.act(&case, "submissions", json!({})).await;
    assert_eq!(case["next_move"]["clock"], "response");

    let informer = stack.sign_in("medway", "health-manager").await;
    let (_, ppa) = informer.get("/api/procedures/medway-ppa").await;
    let reason = ppa["reasons"][0]["id"].as_str().unwrap().to_owned();
    let mut body = raise_body("medway-ppa", "social-care", None, &[&reason]);
    let (status, problem) = informer.post("/api/cases", body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "child");
    body.as_object_mut().unwrap().remove("child");
    let (status, alert) = informer.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{alert}");
    assert_eq!(alert["next_move"]["party"], "partnership");
}

#[tokio::test]
async fn bad_requests_get_problem_details_that_say_what_to_fix() {
    let stack = start().await;
    let user = stack.sign_in("sefton", "school-practitioner").await;
    let send_raw =
        |body: &'static str| user.send(reqwest::Method::POST, "/api/cases", Some(body.to_owned()));

    let (status, problem) = send_raw("{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "body");

    let (status, problem) = user
        .post("/api/cases", json!({ "procedure": "sefton" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "concern");

    let (status, problem) = user
        .post("/api/cases", raise_body("medway", "social-care", None, &[]))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown to this partnership: {problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not a procedure your partnership uses")
    );

    let mut unknown_field = raise_body("sefton", "social-care", Some("s17"), &[]);
    unknown_field["colour"] = json!("blue");
    let (status, problem) = user.post("/api/cases", unknown_field).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("colour"),
        "{problem}"
    );

    let huge = format!("{{\"procedure\":\"{}\"}}", "x".repeat(100_000));
    let (status, _) = user
        .send(reqwest::Method::POST, "/api/cases", Some(huge))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let (status, _) = user.get("/api/cases/no-such-case").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Stale version: 409, and the case is unchanged.
    let (_, case) = user
        .post(
            "/api/cases",
            raise_body("sefton", "social-care", Some("s17"), &[]),
        )
        .await;
    let id = case["case"]["id"].as_str().unwrap().to_owned();
    let them = stack.sign_in("sefton", "social-care-practitioner").await;
    let mut stale = not_resolved();
    stale["version"] = json!(0);
    let (status, problem) = them
        .post(&format!("/api/cases/{id}/responses"), stale)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    // Out of turn: the raiser cannot respond for the other agency (403); escalating before
    // the response or its deadline is refused with the reason (422).
    let (status, _) = user
        .post(&format!("/api/cases/{id}/responses"), {
            let mut b = not_resolved();
            b["version"] = json!(1);
            b
        })
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = user
        .post(&format!("/api/cases/{id}/escalations"), {
            let mut b = escalation();
            b["version"] = json!(1);
            b
        })
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("has until"),
        "{problem}"
    );

    // Another partnership's case is "not found", exactly like an unknown one.
    let outsider = stack.sign_in("medway", "chair").await;
    let (status, problem) = outsider.get(&format!("/api/cases/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["detail"], "no such case");

    // No token: 401. A forged token: 401.
    let anonymous = User {
        stack: &stack,
        token: "forged.token.value".into(),
    };
    assert_eq!(anonymous.get("/api/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_retried_raise_with_one_idempotency_key_creates_one_case() {
    let stack = start().await;
    let user = stack.sign_in("sefton", "school-practitioner").await;
    let body = raise_body("sefton", "social-care", Some("s47"), &[]).to_string();
    let mut ids = Vec::new();
    for _ in 0..5 {
        let response = stack
            .http
            .post(format!("{}/api/cases", stack.url))
            .bearer_auth(&user.token)
            .header("Idempotency-Key", "6c0e2a4e-retry-test-key")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let view: Value = response.json().await.unwrap();
        ids.push(view["case"]["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    let (_, list) = user.get("/api/cases").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

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

#[tokio::test]
async fn the_chair_runs_the_quality_assurance_report_as_json_and_csv() {
    let stack = start().await;
    let raiser = stack.sign_in("medway", "school-practitioner").await;
    let them = stack.sign_in("medway", "social-care-manager").await;
    let chair = stack.sign_in("medway", "chair").await;
    let (_, procedure) = raiser.get("/api/procedures/medway").await;
    let reason = procedure["reasons"][0]["id"].as_str().unwrap().to_owned();
    let (_, case) = raiser
        .post(
            "/api/cases",
            raise_body("medway", "social-care", None, &[&reason]),
        )
        .await;
    let case = them
        .act(
            &case,
            "responses",
            json!({ "outcome": "resolved", "summary": "Assessment opened" }),
        )
        .await;
    raiser
        .act(
            &case,
            "resolution",
            json!({ "outcome": "Assessment opened", "lessons_learned": "Share thresholds early" }),
        )
        .await;
    let (_, ppa) = raiser.get("/api/procedures/medway-ppa").await;
    let mut alert = raise_body(
        "medway-ppa",
        "social-care",
        None,
        &[ppa["reasons"][0]["id"].as_str().unwrap()],
    );
    alert.as_object_mut().unwrap().remove("child");
    raiser.post("/api/cases", alert).await;

    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (status, report) = chair.get(&format!("/api/reports?{range}")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["cases"], 1);
    assert_eq!(report["practice_alerts"].as_array().unwrap().len(), 1);
    assert_eq!(report["by_stage_reached"]["medway/stage-1"], 1);
    assert_eq!(report["by_agency_pair"]["school → social-care"], 1);
    assert_eq!(
        report["timeliness"]["medway/stage-1/response"]["met_on_time"],
        1
    );
    assert_eq!(report["outcomes"]["resolved"], 1);
    assert_eq!(
        report["lessons_learned"][0]["lessons_learned"],
        "Share thresholds early"
    );
    // No child's details in the report.
    assert!(!report.to_string().contains("Test Child"));

    let response = stack
        .http
        .get(format!("{}/api/reports?{range}&format=csv", stack.url))
        .bearer_auth(&chair.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("section,item,measure,value\r\n"));
    assert!(
        csv.contains("timeliness,medway/stage-1/response,met on time,1\r\n"),
        "{csv}"
    );

    // Only the chair and business unit run it; a bad range says what to fix.
    assert_eq!(
        raiser.get(&format!("/api/reports?{range}")).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, problem) = chair
        .get("/api/reports?from=2026-12-01&to=2026-11-01")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "to");
}

/// Every shipped procedure, end to end over HTTP: raised, then whoever `next_move` names
/// acts — answering "not resolved", submitting, escalating whenever it is offered — until
/// the last stage, where the case is resolved. Nothing here knows a procedure's stages: the
/// API's own `next_move` leads, and the journey must climb every stage of the ladder.
#[tokio::test]
async fn every_procedure_climbs_its_whole_ladder_to_resolution() {
    let stack = start().await;
    // procedure, partnership, who raises, the agency raised with
    let runs = [
        ("medway", "medway", "school-practitioner", "social-care"),
        ("medway-ppa", "medway", "health-manager", "social-care"),
        ("sefton", "sefton", "school-practitioner", "social-care"),
        ("moray", "moray", "education-manager", "social-work"),
        ("sscp-mset", "sscp", "chair", "childrens-services"),
        (
            "sscp-mset-non-attendance",
            "sscp",
            "chair",
            "childrens-services",
        ),
    ];
    // The runs cover every procedure the demo partnerships offer.
    let mut offered = Vec::new();
    for partnership in ["medway", "sefton", "moray", "sscp"] {
        let (_, list) = stack
            .sign_in(partnership, "chair")
            .await
            .get("/api/procedures")
            .await;
        for item in list["items"].as_array().unwrap() {
            offered.push(item["id"].as_str().unwrap().to_owned());
        }
    }
    offered.sort();
    let mut covered: Vec<String> = runs.iter().map(|r| r.0.to_owned()).collect();
    covered.sort();
    assert_eq!(offered, covered);

    for (procedure_id, partnership, raiser_id, receiving) in runs {
        let raiser = stack.sign_in(partnership, raiser_id).await;
        let raiser_agency = raiser_id.rsplit_once('-').map_or(raiser_id, |(a, _)| a);
        let their_manager = stack
            .sign_in(partnership, &format!("{receiving}-manager"))
            .await;
        let our_manager = if raiser_id == "chair" {
            stack.sign_in(partnership, "chair").await
        } else {
            stack
                .sign_in(partnership, &format!("{raiser_agency}-manager"))
                .await
        };
        let chair = stack.sign_in(partnership, "chair").await;
        let (_, procedure) = raiser.get(&format!("/api/procedures/{procedure_id}")).await;
        let stages: Vec<&str> = procedure["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let reasons: Vec<&str> = procedure["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .take(1)
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let level = procedure["levels_of_need"][0]["id"].as_str();
        let mut body = raise_body(procedure_id, receiving, level, &reasons);
        if procedure_id.ends_with("-ppa") {
            body.as_object_mut().unwrap().remove("child");
        }
        let (status, mut case) = raiser.post("/api/cases", body).await;
        assert_eq!(status, StatusCode::CREATED, "{procedure_id}: {case}");

        let mut visited = vec![stage(&case).to_owned()];
        for _ in 0..60 {
            let next = case["next_move"].clone();
            if next.is_null() {
                break;
            }
            let user = match next["party"].as_str().unwrap() {
                "raising" => &our_manager,
                "receiving" => &their_manager,
                _ => &chair,
            };
            let offered = |a: &str| next["actions"].as_array().unwrap().iter().any(|x| x == a);
            case = if offered("escalate") {
                user.act(&case, "escalations", escalation()).await
            } else if offered("submit") {
                user.act(&case, "submissions", json!({})).await
            } else if offered("respond") {
                user.act(&case, "responses", not_resolved()).await
            } else {
                assert!(offered("resolve"), "{procedure_id}: {next}");
                user.act(
                    &case,
                    "resolution",
                    json!({ "outcome": "Agreed at the top of the ladder", "lessons_learned": "Escalate sooner" }),
                )
                .await
            };
            if visited.last().map(String::as_str) != Some(stage(&case)) {
                visited.push(stage(&case).to_owned());
            }
        }
        assert_eq!(
            case["case"]["status"]["status"], "resolved",
            "{procedure_id} did not finish: {case}"
        );
        assert_eq!(
            visited, stages,
            "{procedure_id} must climb every stage in order"
        );
    }
}
