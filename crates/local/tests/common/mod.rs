//! Shared set-up for the journeys over HTTP against the local stack (the same handler code
//! as the Lambda functions, on the embedded store): `start()` a stack, `sign_in` a demo
//! user, send requests as them, and the request bodies the journeys use.
//!
//! Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::StatusCode;
use serde_json::{Value, json};

pub struct Stack {
    pub url: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub async fn start() -> Stack {
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
pub struct User<'s> {
    pub stack: &'s Stack,
    pub token: String,
}

impl Stack {
    /// The stack's embedded store: its database file and, beside it, its write-ahead log.
    pub fn store_files(&self) -> Vec<std::path::PathBuf> {
        let db = self._dir.path().join("e.db");
        vec![db.with_extension("db-wal"), db]
    }

    pub async fn sign_in(&self, partnership: &str, person: &str) -> User<'_> {
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

    /// Moves the stack's clock forward to `instant` (RFC 3339).
    pub async fn set_clock(&self, instant: &str) {
        self.advance(&format!("to={instant}")).await;
    }

    /// Runs one sweep now; answers its summary.
    pub async fn sweep(&self) -> Value {
        let response = self
            .http
            .post(format!("{}/dev/sweep", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Every message the stack has sent, oldest first (`DevMessage`s).
    pub async fn outbox(&self) -> Vec<Value> {
        let body: Value = self
            .http
            .get(format!("{}/dev/outbox", self.url))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["messages"].as_array().unwrap().clone()
    }

    pub async fn advance(&self, query: &str) {
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
    pub async fn send(
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

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body.to_string()))
            .await
    }

    /// Posts an action with the case's current version; asserts it succeeded.
    pub async fn act(&self, case: &Value, action: &str, mut body: Value) -> Value {
        body["version"] = case["case"]["version"].clone();
        // Where the clock this action starts runs from a meeting or discussion, it took place
        // at the case's last change (after the raise, never in the future).
        if ["escalations", "submissions", "responses"].contains(&action)
            && body.get("meeting_at").is_none()
        {
            body["meeting_at"] = case["case"]["updated_at"].clone();
        }
        // Agreed actions are owned by an agency of this case's partnership: the raising one.
        if let Some(actions) = body.get_mut("agreed_actions").and_then(Value::as_array_mut) {
            for a in actions {
                a["owner_agency"] = case["case"]["raising_agency"].clone();
            }
        }
        let id = case["case"]["id"].as_str().unwrap();
        let (status, view) = self.post(&format!("/api/cases/{id}/{action}"), body).await;
        assert_eq!(status, StatusCode::OK, "{action}: {view}");
        view
    }
}

/// A date of birth no other raise of this test process has used: each test case is about a
/// different child, so no raise is refused as a possible duplicate of another test's.
pub fn another_birthday() -> String {
    static RAISED: AtomicU32 = AtomicU32::new(0);
    let days = RAISED.fetch_add(1, Ordering::Relaxed);
    let born =
        chrono::NaiveDate::from_ymd_opt(2012, 1, 1).unwrap() + chrono::Days::new(days.into());
    born.to_string()
}

pub fn raise_body(
    procedure: &str,
    receiving: &str,
    level: Option<&str>,
    reasons: &[&str],
) -> Value {
    json!({
        "procedure": procedure,
        "receiving_agency": receiving,
        "child": { "name": "Test Child", "date_of_birth": another_birthday(), "child_protection_plan": true },
        "concern": {
            "summary": "The referral was closed without an assessment",
            "reasons": reasons,
            "level_of_need": level,
            "tried": "Discussed with the social worker"
        },
        "immediate_risk": false,
        // The meeting or discussion a first clock may run from (MSET's Operational Group
        // meeting, Moray's initial discussion): before the raise, as those procedures allow.
        "meeting_at": "2026-01-05T10:00:00Z"
    })
}

/// Where the current stage closes with its form ("Multi-agency conflicts resolved at Steps 3
/// and 4 must be reported to Sefton SCP Team"), records it as `user`: what the case already
/// knows, and a plain value in each required field still blank (fields another side fills are
/// left to them). Returns the case as it stands afterwards.
pub async fn record_closing_form(user: &User<'_>, procedure: &Value, case: Value) -> Value {
    let here = procedure["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == case["case"]["stage"])
        .unwrap();
    if here["closes_with_form"] != true {
        return case;
    }
    let id = case["case"]["id"].as_str().unwrap();
    let path = format!("/api/cases/{id}/forms/{}", here["form"].as_str().unwrap());
    let (status, form) = user.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let known: std::collections::BTreeMap<&str, &Value> = form["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["field"].as_str().unwrap(), &v["value"]))
        .collect();
    let plain = |field: &Value| match field["kind"].as_str().unwrap() {
        "date" => json!("2026-01-05"),
        "yes-no" => json!(true),
        "choice" => field["options"][0].clone(),
        "choices" => json!([field["options"][0].clone()]),
        "email" => json!("someone@example.org"),
        _ => json!("Recorded for the journey"),
    };
    let mut values = serde_json::Map::new();
    for field in form["form"]["fields"].as_array().unwrap() {
        if !field["filled_by"].is_null() {
            continue;
        }
        let name = field["id"].as_str().unwrap();
        let value = match known.get(name) {
            Some(v) if !v.is_null() => (*v).clone(),
            _ if field["required"] != true => continue,
            _ if field["kind"] == "rows" => {
                let row: serde_json::Map<String, Value> = field["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| (c["id"].as_str().unwrap().to_owned(), plain(c)))
                    .collect();
                json!([row])
            }
            _ => plain(field),
        };
        values.insert(name.to_owned(), value);
    }
    let (status, view) = user
        .post(
            &path,
            json!({ "version": case["case"]["version"], "values": values }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "recording {path}: {view}");
    view
}

pub fn not_resolved() -> Value {
    json!({
        "outcome": "not-resolved",
        "reasons": "Threshold not agreed",
        "agreed_actions": [{ "what": "Share chronology", "owner_agency": "social-care", "owner_person": "Health visitor", "by_when": "2026-12-31" }]
    })
}

pub fn escalation() -> Value {
    json!({ "reasons": "Still not agreed", "tried": "Manager to manager discussion" })
}

pub fn stage(view: &Value) -> &str {
    view["case"]["stage"].as_str().unwrap()
}

/// Climbs one procedure's whole ladder over HTTP, from the raise (its body changed by
/// `tweak`) to resolution: at each step the person the procedure asks acts — the level a
/// stage asks, or must escalate into the next, read from the procedure itself. Returns the
/// case at the end, the stages visited and the procedure's stages.
pub async fn climb(
    stack: &Stack,
    procedure_id: &str,
    partnership: &str,
    raiser_id: &str,
    receiving: &str,
    tweak: impl FnOnce(&mut Value),
) -> (Value, Vec<String>, Vec<String>) {
    let raiser = stack.sign_in(partnership, raiser_id).await;
    let raiser_agency = raiser_id.rsplit_once('-').map_or(raiser_id, |(a, _)| a);
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
    // Only a procedure about a child takes the child's details and the immediate-risk
    // question; a Practice Alert names the agencies it asks.
    if procedure["subject"] != "child" {
        body.as_object_mut().unwrap().remove("child");
        body.as_object_mut().unwrap().remove("immediate_risk");
    }
    if procedure["stages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["asked"]["each_agency"] == true)
    {
        body["agencies_asked"] = json!([receiving, "police"]);
    }
    tweak(&mut body);
    let (status, mut case) = raiser.post("/api/cases", body).await;
    assert_eq!(status, StatusCode::CREATED, "{procedure_id}: {case}");

    let mut visited = vec![stage(&case).to_owned()];
    for _ in 0..60 {
        let next = case["next_move"].clone();
        if next.is_null() {
            break;
        }
        let offered = |a: &str| next["actions"].as_array().unwrap().iter().any(|x| x == a);
        // A stage answered by each agency asked: someone of the next agency yet to answer.
        let asked: Vec<&str> = case["case"]["agencies_asked"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let answered: Vec<&str> = case["case"]["responses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["stage"] == case["case"]["stage"])
            .filter_map(|r| r["agency"].as_str())
            .collect();
        if offered("respond")
            && let Some(agency) = asked.iter().find(|a| !answered.contains(a))
        {
            let member = stack
                .sign_in(partnership, &format!("{agency}-manager"))
                .await;
            case = member.act(&case, "responses", not_resolved()).await;
            continue;
        }
        // Who may act: the level the current stage asks (to answer or decide), or the
        // level that must escalate into the next stage, read from the procedure itself.
        let here = procedure["stages"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["id"] == stage(&case))
            .unwrap();
        let level = if offered("escalate") {
            procedure["stages"][here + 1]["escalated_by"].as_str()
        } else {
            procedure["stages"][here]["asked"]["level"].as_str()
        };
        let agency = match next["party"].as_str().unwrap() {
            "raising" if raiser_id != "chair" => Some(raiser_agency),
            "receiving" => Some(receiving),
            _ => None,
        };
        let (user, on_behalf_of) = match agency {
            None => (stack.sign_in(partnership, "chair").await, None),
            Some(agency) => {
                let (who, on_behalf_of) = match level {
                    None | Some("first-line") => ("manager", None),
                    Some("second-line") => ("service-manager", None),
                    Some("head-of-service") => ("head-of-service", None),
                    Some("director") => ("director", None),
                    // A decision above every agency's own line (Moray's CSWO) is recorded
                    // on their behalf.
                    Some(_) => ("manager", Some("cswo")),
                };
                let user = stack.sign_in(partnership, &format!("{agency}-{who}")).await;
                (user, on_behalf_of)
            }
        };
        case = if offered("escalate") {
            user.act(&case, "escalations", escalation()).await
        } else if offered("submit") {
            user.act(&case, "submissions", json!({})).await
        } else if offered("respond") {
            user.act(&case, "responses", not_resolved()).await
        } else {
            assert!(offered("resolve"), "{procedure_id}: {next}");
            let mut body = json!({ "outcome": "Agreed at the top of the ladder", "lessons_learned": "Escalate sooner" });
            if let Some(person) = on_behalf_of {
                body["on_behalf_of"] = json!(person);
            }
            let case = record_closing_form(&user, &procedure, case).await;
            user.act(&case, "resolution", body).await
        };
        if visited.last().map(String::as_str) != Some(stage(&case)) {
            visited.push(stage(&case).to_owned());
        }
    }
    let stages = stages.iter().map(|s| (*s).to_owned()).collect();
    (case, visited, stages)
}
