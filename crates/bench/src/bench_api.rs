//! Local-stack load benchmark (not a timed test): a mixed read/write load on loopback against
//! the local stack (the same handler code as the Lambda functions, on the embedded store).
//!
//! usage: bench-api [--requests 4000] [--concurrency 16] [--writes grouped|one-by-one|both]
//!                  [--rounds 1]
//! Starts its own stack on a free port with a fresh store for every run. With `--writes both`
//! (the default) each round runs the embedded store's two write paths one after the other —
//! concurrent changes committed together (group commit), and one transaction per change — so
//! they are compared side by side on the same machine at the same time. Prints a Markdown
//! table: every request, and the raises (the writes) alone.

use std::time::Instant;

use escalations_bench::{flag, percentile, sefton_token};
use escalations_store_sqlite::Writes;

use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let requests = flag(&args, "--requests", 4000);
    let concurrency = flag(&args, "--concurrency", 16).max(1);
    let rounds = flag(&args, "--rounds", 1).max(1);
    let modes: Vec<Writes> = match args
        .iter()
        .position(|a| a == "--writes")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
    {
        Some("grouped") => vec![Writes::Grouped],
        Some("one-by-one") => vec![Writes::OneByOne],
        None | Some("both") => vec![Writes::Grouped, Writes::OneByOne],
        Some(other) => panic!("--writes {other}: use grouped, one-by-one or both"),
    };
    println!(
        "| writes | requests | concurrency | throughput (req/s) | p50 ms | p99 ms | max ms | raises | raise p50 ms | raise p99 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for _ in 0..rounds {
        for writes in &modes {
            run(requests, concurrency, *writes).await;
        }
    }
}

async fn run(requests: usize, concurrency: usize, writes: Writes) {
    let dir = tempfile::tempdir().expect("temp dir");
    let router = escalations_local::stack_writing(dir.path().join("bench.db"), writes)
        .await
        .expect("stack");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    let http = reqwest::Client::new();
    let raiser = sefton_token(&http, &url, "school-practitioner").await;
    let reader = sefton_token(&http, &url, "social-care-manager").await;
    // Each raise is about another child (a distinct date of birth), so every raise is keyed and
    // checked against the receiving agency's open cases for a duplicate, as a real one is.
    let raise = |child: usize| {
        let born = chrono::NaiveDate::from_ymd_opt(2010, 1, 1).expect("date")
            + chrono::Days::new(child as u64);
        json!({
            "procedure": "sefton", "receiving_agency": "social-care",
            "child": { "name": "Bench Child", "date_of_birth": born.to_string() },
            "concern": { "summary": "Benchmark", "level_of_need": "s17" }, "immediate_risk": false
        })
        .to_string()
    };

    // Mix: 1 in 4 requests raises a case (a write: a transaction with its events); the rest
    // read the work queue, a list or one case.
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (http, url, raiser, reader) =
            (http.clone(), url.clone(), raiser.clone(), reader.clone());
        let share = requests / concurrency;
        workers.spawn(async move {
            let mut times = Vec::with_capacity(share);
            let mut last_case = String::new();
            for i in 0..share {
                let t = Instant::now();
                let is_raise = (i + w) % 4 == 0;
                let response = match (i + w) % 4 {
                    0 => {
                        http.post(format!("{url}/api/cases"))
                            .bearer_auth(&raiser)
                            .header("content-type", "application/json")
                            .body(raise(w * share + i))
                            .send()
                            .await
                    }
                    1 => {
                        http.get(format!("{url}/api/queue"))
                            .bearer_auth(&reader)
                            .send()
                            .await
                    }
                    2 if !last_case.is_empty() => {
                        http.get(format!("{url}/api/cases/{last_case}"))
                            .bearer_auth(&raiser)
                            .send()
                            .await
                    }
                    _ => {
                        http.get(format!("{url}/api/cases?scope=agency&limit=20"))
                            .bearer_auth(&raiser)
                            .send()
                            .await
                    }
                }
                .expect("response");
                assert!(response.status().is_success(), "{}", response.status());
                let body: Value = response.json().await.expect("json");
                if let Some(id) = body["case"]["id"].as_str() {
                    last_case = id.to_owned();
                }
                times.push((is_raise, t.elapsed()));
            }
            times
        });
    }
    let mut timed = Vec::new();
    while let Some(done) = workers.join_next().await {
        timed.extend(done.expect("worker"));
    }
    let elapsed = started.elapsed();
    let mut times: Vec<_> = timed.iter().map(|(_, t)| *t).collect();
    let mut raises: Vec<_> = timed.iter().filter(|(r, _)| *r).map(|(_, t)| *t).collect();
    times.sort();
    raises.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {} | {} | {concurrency} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {:.2} |",
        match writes {
            Writes::Grouped => "grouped",
            Writes::OneByOne => "one by one",
        },
        times.len(),
        times.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        times.last().map_or(0.0, |t| ms(*t)),
        raises.len(),
        ms(percentile(&raises, 0.50)),
        ms(percentile(&raises, 0.99)),
    );
}
