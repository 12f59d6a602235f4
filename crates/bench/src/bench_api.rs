//! Local-stack load benchmark (not a timed test): a mixed read/write load on loopback against
//! the local stack (the same handler code as the Lambda functions, on the embedded store).
//!
//! usage: bench-api [--requests 4000] [--concurrency 16] [--writes grouped|one-by-one|both]
//!                  [--sending after|before|both] [--rounds 1]
//! Starts its own stack on a free port with a fresh store for every run. By default each round
//! runs three ways one after the other, so they are compared side by side on the same machine
//! at the same time: concurrent changes committed together (group commit) with a raise's
//! notices sent after it is answered (the local stack today); the same, sent before answering
//! (as a Lambda function must); and one transaction per change, sent before answering (the
//! code before group commit). Prints a Markdown table: every request, the raises (the writes)
//! alone, and how long after the last answer the last notice was sent.

use std::time::Instant;

use escalations_bench::{flag, percentile, sefton_token};
use escalations_local::Sending;
use escalations_store_sqlite::Writes;

use serde_json::{Value, json};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let requests = flag(&args, "--requests", 4000);
    let concurrency = flag(&args, "--concurrency", 16).max(1);
    let rounds = flag(&args, "--rounds", 1).max(1);
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let writes: Vec<Writes> = match option("--writes") {
        Some("grouped") => vec![Writes::Grouped],
        Some("one-by-one") => vec![Writes::OneByOne],
        None | Some("both") => vec![Writes::Grouped, Writes::OneByOne],
        Some(other) => panic!("--writes {other}: use grouped, one-by-one or both"),
    };
    let sending: Vec<Sending> = match option("--sending") {
        Some("after") => vec![Sending::AfterAnswering],
        Some("before") => vec![Sending::BeforeAnswering],
        None | Some("both") => vec![Sending::AfterAnswering, Sending::BeforeAnswering],
        Some(other) => panic!("--sending {other}: use after, before or both"),
    };
    // Sending after answering is the local stack's way since group commit; one transaction
    // per change is only ever compared as the code before both.
    let modes: Vec<(Writes, Sending)> = writes
        .iter()
        .flat_map(|w| sending.iter().map(move |s| (*w, *s)))
        .filter(|(w, s)| {
            !(*w == Writes::OneByOne && *s == Sending::AfterAnswering) || sending.len() == 1
        })
        .collect();
    println!(
        "| writes | notices sent | requests | concurrency | throughput (req/s) | p50 ms | p99 ms | max ms | raises | raise p50 ms | raise p99 ms | last notice after the last answer, ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for _ in 0..rounds {
        for (writes, sending) in &modes {
            run(requests, concurrency, *writes, *sending).await;
        }
    }
}

/// The kinds of request in the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A new case: a write.
    Raise,
    /// The receiving agency's work queue: every case raised so far waits there.
    Queue,
    /// One case's page (its read is recorded: a small write).
    Case,
    /// The first page of the raising agency's list.
    List,
}

async fn run(requests: usize, concurrency: usize, writes: Writes, sending: Sending) {
    let dir = tempfile::tempdir().expect("temp dir");
    let router = escalations_local::stack_writing(dir.path().join("bench.db"), writes, sending)
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
                let kind = match (i + w) % 4 {
                    0 => Kind::Raise,
                    1 => Kind::Queue,
                    2 if !last_case.is_empty() => Kind::Case,
                    _ => Kind::List,
                };
                let response = match kind {
                    Kind::Raise => {
                        http.post(format!("{url}/api/cases"))
                            .bearer_auth(&raiser)
                            .header("content-type", "application/json")
                            .body(raise(w * share + i))
                            .send()
                            .await
                    }
                    Kind::Queue => {
                        http.get(format!("{url}/api/queue"))
                            .bearer_auth(&reader)
                            .send()
                            .await
                    }
                    Kind::Case => {
                        http.get(format!("{url}/api/cases/{last_case}"))
                            .bearer_auth(&raiser)
                            .send()
                            .await
                    }
                    Kind::List => {
                        http.get(format!("{url}/api/cases?scope=agency&limit=20"))
                            .bearer_auth(&raiser)
                            .send()
                            .await
                    }
                }
                .expect("response");
                assert!(response.status().is_success(), "{}", response.status());
                // Only a raise's answer is read as JSON (for the case to view next): the load
                // generator shares the machine, so it spends no more than it must.
                if kind == Kind::Raise {
                    let body: Value = response.json().await.expect("json");
                    if let Some(id) = body["case"]["id"].as_str() {
                        last_case = id.to_owned();
                    }
                } else {
                    response.bytes().await.expect("body");
                }
                times.push((kind, t.elapsed()));
            }
            times
        });
    }
    let mut timed = Vec::new();
    while let Some(done) = workers.join_next().await {
        timed.extend(done.expect("worker"));
    }
    let elapsed = started.elapsed();
    // The outbox page answers once every send in flight has ended: the time the notices of
    // the last actions still needed after those actions were answered.
    let outbox: Value = http
        .get(format!("{url}/dev/outbox"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("outbox")
        .json()
        .await
        .expect("outbox json");
    let settled = started.elapsed() - elapsed;
    let sent = outbox["messages"].as_array().map_or(0, Vec::len);
    let mut times: Vec<_> = timed.iter().map(|(_, t)| *t).collect();
    let of_kind = |kind: Kind| {
        let mut times: Vec<_> = timed
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| *t)
            .collect();
        times.sort();
        times
    };
    let mut raises = of_kind(Kind::Raise);
    times.sort();
    raises.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {} | {} | {} | {concurrency} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {:.2} | {:.0} |",
        match writes {
            Writes::Grouped => "grouped",
            Writes::OneByOne => "one by one",
        },
        match sending {
            Sending::AfterAnswering => "after answering",
            Sending::BeforeAnswering => "before answering",
        },
        times.len(),
        times.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        times.last().map_or(0.0, |t| ms(*t)),
        raises.len(),
        ms(percentile(&raises, 0.50)),
        ms(percentile(&raises, 0.99)),
        ms(settled),
    );
    assert_eq!(sent, raises.len(), "every raise sent its notice");
    // Each kind of request apart, on standard error: where the tail comes from.
    for kind in [Kind::Raise, Kind::Queue, Kind::Case, Kind::List] {
        let times = of_kind(kind);
        eprintln!(
            "{writes:?} {sending:?} {kind:?}: {} requests, p50 {:.2} ms, p99 {:.2} ms",
            times.len(),
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.99)),
        );
    }
}
