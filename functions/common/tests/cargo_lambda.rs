//! The Lambda packaging, tested as Lambda runs it: `cargo lambda watch` builds and runs each
//! function binary, and the test invokes it with API Gateway HTTP API events (the Cognito
//! authorizer's claims included) against moto-backed DynamoDB. A journey goes through every
//! function: raise → cases → respond → escalate → report → admin (adding a person creates
//! their user in moto's Cognito), then the scheduled `sweep` with the schedule's input, a
//! month later.
//!
//! Every DynamoDB call the functions make goes through a tap on the wire, and each function's
//! calls are held to the actions its role in template.yaml allows (moto enforces no IAM: a
//! missing action would only show in AWS, as an AccessDenied).
//!
//! Needs `CARGO_LAMBDA` (set by `eval "$(./scripts/tools.sh)"`).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use escalations_store::Store;
use escalations_store_dynamodb::DynamoStore;
use escalations_testkit::moto;
use serde_json::{Value, json};

/// The IAM actions the DynamoDB calls on the wire need, in order: `dynamodb:Query` on the
/// table, `index:dynamodb:Query` on an index; a transaction's items each need their own
/// action (there is no IAM action for TransactWriteItems itself).
#[derive(Default)]
struct Calls(Mutex<Vec<String>>);

impl escalations_testkit::wire::Tap for Calls {
    fn before(&self, op: &str, request: &Value) {
        const DYNAMODB: [&str; 10] = [
            "GetItem",
            "Query",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "TransactWriteItems",
            "BatchWriteItem",
            "BatchGetItem",
            "Scan",
            "TransactGetItems",
        ];
        if !DYNAMODB.contains(&op) {
            return; // Cognito, SES: not DynamoDB
        }
        let mut calls = self.0.lock().unwrap();
        match op {
            "TransactWriteItems" => {
                for item in request["TransactItems"].as_array().into_iter().flatten() {
                    for (kind, action) in [
                        ("Put", "PutItem"),
                        ("Update", "UpdateItem"),
                        ("Delete", "DeleteItem"),
                        ("ConditionCheck", "ConditionCheckItem"),
                    ] {
                        if item.get(kind).is_some() {
                            calls.push(format!("dynamodb:{action}"));
                        }
                    }
                }
            }
            "Query" if request.get("IndexName").is_some() => {
                calls.push("index:dynamodb:Query".to_owned())
            }
            _ => calls.push(format!("dynamodb:{op}")),
        }
    }
}

/// The IAM actions seen, or allowed, by each function's binary name.
type ByFunction = BTreeMap<String, BTreeSet<String>>;

/// The tap's calls, and what each function was seen calling.
static SEEN: OnceLock<(Arc<Calls>, Mutex<ByFunction>)> = OnceLock::new();

fn calls() -> &'static (Arc<Calls>, Mutex<ByFunction>) {
    SEEN.get_or_init(|| (Arc::new(Calls::default()), Mutex::new(BTreeMap::new())))
}

/// Runs `call` and puts the DynamoDB calls made meanwhile down to `function`.
async fn watched<T>(function: &str, call: impl std::future::Future<Output = T>) -> T {
    let (tap, seen) = calls();
    let mark = tap.0.lock().unwrap().len();
    let answer = call.await;
    let made: Vec<String> = tap.0.lock().unwrap()[mark..].to_vec();
    seen.lock()
        .unwrap()
        .entry(function.to_owned())
        .or_default()
        .extend(made);
    answer
}

/// Each function's DynamoDB actions as template.yaml's role allows them (`index:` for the
/// open-clocks index), by the binary's name (`raise` is `RaiseFunction`).
fn allowed_by_template() -> BTreeMap<String, BTreeSet<String>> {
    use serde_yaml_ng::Value as Yaml;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    let template: Yaml = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let text = |v: &Yaml| -> String {
        match v {
            Yaml::String(s) => s.clone(),
            Yaml::Tagged(t) => format!("{:?}", t.value),
            other => format!("{other:?}"),
        }
    };
    let mut allowed = BTreeMap::new();
    for (name, resource) in template["Resources"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        let Some(binary) = name.strip_suffix("Function") else {
            continue;
        };
        let mut actions = BTreeSet::new();
        for policy in resource["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                let list: Vec<String> = match &statement["Action"] {
                    Yaml::Sequence(items) => items.iter().map(text).collect(),
                    one => vec![text(one)],
                };
                let index = text(&statement["Resource"]).contains("/index/");
                for action in list.into_iter().filter(|a| a.starts_with("dynamodb:")) {
                    actions.insert(if index {
                        format!("index:{action}")
                    } else {
                        action
                    });
                }
            }
        }
        allowed.insert(binary.to_lowercase(), actions);
    }
    allowed
}

/// Starts `cargo lambda watch` on a free port with `env`; answers the port once it listens.
fn watch(cargo_lambda: &str, env: &str) -> (u16, Watch) {
    let port = escalations_testkit::free_port();
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let child = Command::new(cargo_lambda)
        .args([
            "lambda",
            "watch",
            "-A",
            "127.0.0.1",
            "-P",
            &port.to_string(),
            "--env-var",
            env,
        ])
        .current_dir(workspace)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("cargo lambda watch starts");
    let watch = Watch(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "cargo lambda watch did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (port, watch)
}

/// Stops `cargo lambda watch` when the test ends, however it ends.
struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        // The function processes it started exit when its runtime API goes away.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn event(
    method: &str,
    path: &str,
    query: &str,
    person: &str,
    agency: &str,
    role: &str,
    body: Option<Value>,
) -> Value {
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "headers": { "content-type": "application/json" },
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": "localhost", "domainPrefix": "localhost",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test" },
            "requestId": "test", "routeKey": format!("{method} {path}"), "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": { "jwt": { "claims": {
                "sub": format!("sub-{person}"), "token_use": "id", "custom:person": person, "custom:partnership": "sefton",
                "custom:agency": agency, "custom:role": role
            }, "scopes": null } }
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

async fn invoke(http: &reqwest::Client, port: u16, function: &str, event: Value) -> (u16, Value) {
    let (status, body) = invoke_text(http, port, function, event).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// An invocation's status and body as text (a calendar feed is no JSON).
async fn invoke_text(
    http: &reqwest::Client,
    port: u16,
    function: &str,
    event: Value,
) -> (u16, String) {
    let response: Value = watched(function, async {
        http.post(format!(
            "http://127.0.0.1:{port}/2015-03-31/functions/{function}/invocations"
        ))
        .json(&event)
        .send()
        .await
        .unwrap_or_else(|e| panic!("invoking {function}: {e}"))
        .json()
        .await
        .unwrap()
    })
    .await;
    let status = response["statusCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("{function}: {response}")) as u16;
    (
        status,
        response["body"].as_str().unwrap_or("null").to_owned(),
    )
}

fn cognito_client() -> aws_sdk_cognitoidentityprovider::Client {
    use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(moto::endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .build();
    aws_sdk_cognitoidentityprovider::Client::from_conf(config)
}

/// A pool like template.yaml's: email as the username, the four custom attributes.
async fn user_pool(client: &aws_sdk_cognitoidentityprovider::Client) -> String {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeDataType, SchemaAttributeType, UsernameAttributeType,
    };
    let custom = |name: &str| {
        SchemaAttributeType::builder()
            .name(name)
            .attribute_data_type(AttributeDataType::String)
            .build()
    };
    let created = client
        .create_user_pool()
        .pool_name("escalations-lambda-test")
        .username_attributes(UsernameAttributeType::Email)
        .schema(custom("person"))
        .schema(custom("partnership"))
        .schema(custom("agency"))
        .schema(custom("role"))
        .send()
        .await
        .unwrap();
    created.user_pool().unwrap().id().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_function_runs_under_cargo_lambda_against_dynamodb() {
    let cargo_lambda = std::env::var("CARGO_LAMBDA").expect(
        "CARGO_LAMBDA is not set: run `eval \"$(./scripts/tools.sh)\"` to install cargo-lambda",
    );
    let client = moto::client();
    let table = moto::fresh_table(&client).await;
    let store = DynamoStore::new(client, table.clone());
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }

    // The deployment's user pool, for the admin function (template.yaml's USER_POOL_ID).
    let cognito = cognito_client();
    let pool = user_pool(&cognito).await;

    // The functions reach AWS through the tap, which notes every DynamoDB call. As in
    // template.yaml, only the sweeper sends mail (`MAIL_FROM`, `BASE_URL`): the HTTP functions
    // run in a `cargo lambda watch` of their own without them.
    let endpoint = escalations_testkit::wire::tap(calls().0.clone()).await;
    let common = format!(
        "TABLE_NAME={table},AWS_ENDPOINT_URL={endpoint},AWS_REGION=us-east-1,AWS_ACCESS_KEY_ID=test,AWS_SECRET_ACCESS_KEY=test,RUST_LOG=info,USER_POOL_ID={pool}"
    );
    let (port, _watch) = watch(&cargo_lambda, &common);
    let (sweep_port, _sweep_watch) = watch(
        &cargo_lambda,
        &format!(
            "{common},MAIL_FROM=escalations@lambda.scp.test,BASE_URL=https://escalations.scp.test"
        ),
    );
    // The first invocation of each function compiles it.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();

    let raise = json!({
        "procedure": "sefton", "receiving_agency": "social-care", "child": { "name": "Lambda Child" },
        "concern": { "summary": "Referral closed", "level_of_need": "s47" }, "immediate_risk": false
    });
    let (status, case) = invoke(
        &http,
        port,
        "raise",
        event(
            "POST",
            "/api/cases",
            "",
            "school-practitioner",
            "school",
            "practitioner",
            Some(raise),
        ),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let id = case["case"]["id"].as_str().unwrap().to_owned();

    let (status, queue) = invoke(
        &http,
        port,
        "cases",
        event(
            "GET",
            "/api/queue",
            "",
            "social-care-manager",
            "social-care",
            "manager",
            None,
        ),
    )
    .await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue["items"][0]["case"], id.as_str());

    // The manager's calendar feed: made through a function with write access, read through
    // `cases` by a calendar app — a request with no authorizer claims, as template.yaml's
    // route without the authorizer sends it.
    let (status, link) = invoke(
        &http,
        port,
        "respond",
        event(
            "POST",
            "/api/me/calendar-feed",
            "",
            "social-care-manager",
            "social-care",
            "manager",
            None,
        ),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    let feed_path = link["url"].as_str().unwrap().to_owned();
    let mut anonymous = event("GET", &feed_path, "", "nobody", "nobody", "nobody", None);
    anonymous["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    anonymous["routeKey"] = json!("GET /api/calendar/{token}");
    let (status, ics) = invoke_text(&http, port, "cases", anonymous).await;
    assert_eq!(status, 200, "{ics}");
    assert!(
        ics.replace("\r\n ", "")
            .contains(&format!("SUMMARY:Case {id}: response due")),
        "{ics}"
    );

    let response =
        json!({ "version": 1, "outcome": "not-resolved", "reasons": "Threshold not met" });
    let (status, case) = invoke(
        &http,
        port,
        "respond",
        event(
            "POST",
            &format!("/api/cases/{id}/responses"),
            "",
            "social-care-manager",
            "social-care",
            "manager",
            Some(response),
        ),
    )
    .await;
    assert_eq!(status, 200, "{case}");

    let version = case["case"]["version"].clone();
    let escalation = json!({ "version": version, "reasons": "Not agreed" });
    let (status, case) = invoke(
        &http,
        port,
        "escalate",
        event(
            "POST",
            &format!("/api/cases/{id}/escalations"),
            "",
            "school-manager",
            "school",
            "manager",
            Some(escalation),
        ),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["case"]["stage"], "step-2");

    // Stale version through the function: 409 problem details.
    let stale = json!({ "version": 1, "reasons": "again" });
    let (status, problem) = invoke(
        &http,
        port,
        "escalate",
        event(
            "POST",
            &format!("/api/cases/{id}/escalations"),
            "",
            "school-manager",
            "school",
            "manager",
            Some(stale),
        ),
    )
    .await;
    assert_eq!(status, 409, "{problem}");

    let today = chrono::Utc::now().date_naive();
    let range = format!(
        "from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (status, report) = invoke(
        &http,
        port,
        "report",
        event(
            "GET",
            "/api/reports",
            &range,
            "chair",
            "sscp",
            "chair",
            None,
        ),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["cases"], 1);
    assert_eq!(report["by_stage_reached"]["sefton/step-2"], 1);

    // An administrator adds a person through the admin function: their Cognito user is created.
    let (status, admin) = invoke(
        &http,
        port,
        "admin",
        event(
            "GET",
            "/api/admin",
            "",
            "admin",
            "sscp",
            "administrator",
            None,
        ),
    )
    .await;
    assert_eq!(status, 200, "{admin}");
    let person = json!({
        "id": "sam-newcomer", "name": "Sam Newcomer", "email": "sam.newcomer@sefton.example.org",
        "agency": "police", "role": "manager", "level": "second-line"
    });
    let (status, added) = invoke(
        &http,
        port,
        "admin",
        event(
            "POST",
            "/api/admin/changes",
            "",
            "admin",
            "sscp",
            "administrator",
            Some(json!({ "version": admin["version"], "change": "add-person", "person": person })),
        ),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let user = cognito
        .admin_get_user()
        .user_pool_id(&pool)
        .username("sam.newcomer@sefton.example.org")
        .send()
        .await
        .expect("the person's Cognito user");
    assert!(
        user.user_attributes()
            .iter()
            .any(|a| a.name() == "custom:person" && a.value() == Some("sam-newcomer"))
    );

    // The sweeper, as Scheduler invokes it: its answer is the summary, for the event's time.
    let time = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let summary: Value = watched("sweep", async {
        http.post(format!(
            "http://127.0.0.1:{sweep_port}/2015-03-31/functions/sweep/invocations"
        ))
        .json(&json!({ "time": time }))
        .send()
        .await
        .expect("invoking sweep")
        .json()
        .await
        .unwrap()
    })
    .await;
    assert_eq!(summary["now"], time.as_str(), "{summary}");
    assert_eq!(summary["due_clocks"], 1, "{summary}");
    // cargo lambda watch's runtime API gives every invocation the same deadline header,
    // 600 000 ms after the Unix epoch, so the budget there is spent before the sweep starts
    // and the due clock and notices are left for the next run; in Lambda they are recorded
    // and sent (tests/sweep.rs).
    let done = ["breaches_recorded", "sent", "left_for_next_run"]
        .map(|field| summary[field].as_u64().unwrap())
        .iter()
        .sum::<u64>();
    let due = summary["due_clocks"].as_u64().unwrap() + summary["notices_due"].as_u64().unwrap();
    assert_eq!(done, due, "{summary}");

    // Every DynamoDB action each function was seen to need, its role in template.yaml allows.
    let allowed = allowed_by_template();
    let seen = calls().1.lock().unwrap().clone();
    assert!(
        [
            "raise", "cases", "respond", "escalate", "report", "admin", "sweep"
        ]
        .iter()
        .all(|f| seen.get(*f).is_some_and(|s| !s.is_empty())),
        "every function was seen calling DynamoDB: {seen:?}"
    );
    for (function, actions) in &seen {
        let role = allowed
            .get(function)
            .unwrap_or_else(|| panic!("{function} has no role in template.yaml"));
        let missing: Vec<&String> = actions.difference(role).collect();
        assert!(
            missing.is_empty(),
            "{function} calls {missing:?}, which its role in template.yaml does not allow (it allows {role:?})"
        );
    }
}
