//! A soak of the local stack (not a timed test): many people raising, answering and
//! escalating at once for a while, the sweeper running every second beside them, on loopback.
//! Then every change the API acknowledged (2xx) is looked for in its case's chronology, the
//! notices sent are checked for duplicates, and a last sweep must find nothing due left unsent.
//!
//! The stack runs over the embedded store (`--store sqlite`, the default) or over the DynamoDB
//! adapter talking to moto (`--store dynamodb`: a moto_server started by
//! `escalations_testkit::moto`, a fresh table from template.yaml; moto on PATH:
//! `eval "$(./scripts/tools.sh)"`). moto is not DynamoDB: that run checks correctness over the
//! real wire protocol; its latencies are moto's (one request at a time, in Python).
//!
//! usage: bench-soak [--store sqlite|dynamodb] [--users 50] [--seconds 600 (sqlite), 60 (dynamodb)]
//!                   [--sending after|before]
//! (`--sending before`: each action's notices are sent before it is answered, as a Lambda
//! function does, instead of the local stack's way, after.)
//! Exits non-zero on a lost change, a duplicate notice, a notice due but unsent, or a 5xx.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use escalations_bench::{flag, percentile, sefton_token};
use escalations_store::Store;
use escalations_store_dynamodb::DynamoStore;
use escalations_store_sqlite::{SqliteStore, Writes};
use escalations_testkit::moto;
use serde_json::{Value, json};

/// What one person's session saw.
#[derive(Default)]
struct Seen {
    /// case id → the versions the API answered 2xx for.
    acknowledged: BTreeMap<String, Vec<u64>>,
    times: Vec<Duration>,
    /// When each acknowledged change was answered, from the start of the run.
    answered: Vec<Duration>,
    server_errors: usize,
    refused: usize,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let store_kind: String = flag(&args, "--store", "sqlite".to_owned());
    let users = flag(&args, "--users", 50) as usize;
    let sending = match flag(&args, "--sending", "after".to_owned()).as_str() {
        "after" => escalations_local::Sending::AfterAnswering,
        "before" => escalations_local::Sending::BeforeAnswering,
        other => {
            eprintln!("bench-soak: --sending {other}: give after or before");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = dir.path().join("outbox");
    let (store, seconds): (Arc<dyn Store>, u64) = match store_kind.as_str() {
        "sqlite" => (
            Arc::new(
                SqliteStore::open_with(dir.path().join("soak.db"), Writes::Grouped)
                    .await
                    .expect("store"),
            ),
            flag(&args, "--seconds", 600),
        ),
        // moto applies one request at a time: a shorter default run.
        "dynamodb" => {
            let table = moto::fresh_table(&moto::client()).await;
            (
                Arc::new(DynamoStore::new(moto::client(), table)),
                flag(&args, "--seconds", 60),
            )
        }
        other => {
            eprintln!("bench-soak: --store {other}: give sqlite or dynamodb");
            std::process::exit(2);
        }
    };
    let (router, sweeper) = escalations_local::stack_over(
        store,
        outbox.clone(),
        "http://127.0.0.1".to_owned(),
        dir.path().join("no-site"),
        sending,
    )
    .await
    .expect("stack");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    tokio::spawn(sweeper.run_every(Duration::from_secs(1)));
    let http = reqwest::Client::new();
    let raiser = sefton_token(&http, &url, "school-practitioner").await;
    let answerer = sefton_token(&http, &url, "social-care-manager").await;
    let escalator = sefton_token(&http, &url, "school-manager").await;
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);

    let mut sessions = tokio::task::JoinSet::new();
    for user in 0..users {
        let (http, url) = (http.clone(), url.clone());
        let (raiser, answerer, escalator) = (raiser.clone(), answerer.clone(), escalator.clone());
        sessions.spawn(async move {
            let mut seen = Seen::default();
            let mut n = 0u64;
            while Instant::now() < until {
                n += 1;
                // Each raise is about another child: no duplicate warning.
                let born = chrono::NaiveDate::from_ymd_opt(2008, 1, 1).expect("date")
                    + chrono::Days::new(user as u64 * 10_000 + n);
                let steps: [(&str, &str, Value); 3] = [
                    ("POST", "raise", json!({
                        "procedure": "sefton", "receiving_agency": "social-care",
                        "immediate_risk": false,
                        "child": { "name": "Soak Child", "date_of_birth": born.to_string() },
                        "concern": { "summary": "Closed without assessment", "reasons": ["other"],
                                     "other_reason": "Threshold", "tried": "Phoned" }
                    })),
                    ("POST", "responses", json!({ "outcome": "not-resolved", "reasons": "Not agreed" })),
                    ("POST", "escalations", json!({ "reasons": "Still not agreed", "tried": "Discussed" })),
                ];
                let mut case: Option<(String, u64)> = None;
                for (_, step, mut body) in steps {
                    let (path, who) = match (step, &case) {
                        ("raise", _) => (format!("{url}/api/cases"), &raiser),
                        ("responses", Some((id, _))) => {
                            (format!("{url}/api/cases/{id}/responses"), &answerer)
                        }
                        (_, Some((id, _))) => (format!("{url}/api/cases/{id}/escalations"), &escalator),
                        _ => break,
                    };
                    if let Some((_, version)) = &case {
                        body["version"] = json!(version);
                    }
                    let t = Instant::now();
                    let answer = http
                        .post(path)
                        .bearer_auth(who)
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await;
                    seen.times.push(t.elapsed());
                    let Ok(answer) = answer else {
                        seen.server_errors += 1;
                        break;
                    };
                    let status = answer.status();
                    if status.is_server_error() {
                        seen.server_errors += 1;
                        break;
                    }
                    if !status.is_success() {
                        seen.refused += 1;
                        break;
                    }
                    let view: Value = answer.json().await.expect("json");
                    let id = view["case"]["id"].as_str().expect("id").to_owned();
                    let version = view["case"]["version"].as_u64().expect("version");
                    seen.acknowledged.entry(id.clone()).or_default().push(version);
                    seen.answered.push(started.elapsed());
                    case = Some((id, version));
                }
            }
            seen
        });
    }
    let mut all = Seen::default();
    while let Some(done) = sessions.join_next().await {
        let seen = done.expect("session");
        all.acknowledged.extend(seen.acknowledged);
        all.times.extend(seen.times);
        all.answered.extend(seen.answered);
        all.server_errors += seen.server_errors;
        all.refused += seen.refused;
    }

    // Every acknowledged change is in its case's chronology.
    let chair = sefton_token(&http, &url, "chair").await;
    let mut lost = 0;
    let mut changes = 0;
    for (id, versions) in &all.acknowledged {
        let view: Value = http
            .get(format!("{url}/api/cases/{id}"))
            .bearer_auth(&chair)
            .send()
            .await
            .expect("case")
            .json()
            .await
            .expect("json");
        let recorded: BTreeSet<u64> = view["chronology"]
            .as_array()
            .expect("chronology")
            .iter()
            .filter_map(|e| e["version"].as_u64())
            .collect();
        for v in versions {
            changes += 1;
            if !recorded.contains(v) {
                lost += 1;
            }
        }
    }
    // One last sweep: nothing due is left unsent; no notice was sent twice.
    let last: Value = http
        .post(format!("{url}/dev/sweep"))
        .send()
        .await
        .expect("sweep")
        .json()
        .await
        .expect("json");
    let unsent =
        last["failed"].as_u64().unwrap_or(0) + last["leased_elsewhere"].as_u64().unwrap_or(0);
    let mut keys = BTreeMap::<String, usize>::new();
    for entry in std::fs::read_dir(&outbox).expect("outbox") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(key) = name
            .strip_suffix(".eml")
            .and_then(|n| n.split_once('-'))
            .map(|(_, k)| k)
        {
            *keys.entry(key.to_owned()).or_default() += 1;
        }
    }
    let duplicates = keys.values().filter(|n| **n > 1).count();
    all.times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| store | users | seconds | cases | changes acknowledged | lost | 5xx | refused | notices sent | duplicates | due but unsent after the last sweep | p50 ms | p99 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {store_kind} | {users} | {seconds} | {} | {changes} | {lost} | {} | {} | {} | {duplicates} | {unsent} | {:.1} | {:.1} |",
        all.acknowledged.len(),
        all.server_errors,
        all.refused,
        keys.values().sum::<usize>(),
        ms(percentile(&all.times, 0.50)),
        ms(percentile(&all.times, 0.99)),
    );
    // Whether throughput holds as the file grows: changes acknowledged in each minute.
    let mut per_minute = vec![0usize; seconds.div_ceil(60) as usize];
    for at in &all.answered {
        if let Some(n) = per_minute.get_mut((at.as_secs() / 60) as usize) {
            *n += 1;
        }
    }
    let rates: Vec<String> = per_minute
        .iter()
        .enumerate()
        .map(|(minute, n)| {
            let length = (seconds - 60 * minute as u64).min(60) as f64;
            format!("{:.0}", *n as f64 / length)
        })
        .collect();
    println!(
        "\nchanges acknowledged a second, minute by minute: {}",
        rates.join(", ")
    );
    if lost > 0 || duplicates > 0 || unsent > 0 || all.server_errors > 0 {
        std::process::exit(1);
    }
}
