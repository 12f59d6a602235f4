//! Storage benchmark: N open cases of which exactly 10 are due; the sweeper's due query
//! against a naive read of every case, in the same run, on the same data.
//!
//! usage: bench-storage [--embedded 1000,10000,100000] [--moto 1000,10000] [--runs 5]
//! (moto needs `eval "$(./scripts/tools.sh)"` first). Prints a Markdown table.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use escalations_core::case::{Actor, Role, Transition};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_core::{Calendar, Catalogue, Division};
use escalations_store::{Store, drain_pages};
use escalations_store_dynamodb::DynamoStore;
use escalations_store_sqlite::SqliteStore;

const DUE: usize = 10;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a valid instant")
}

/// `n` Sefton cases: `DUE` raised early (due 5 Nov), the rest later (due 19–20 Nov).
fn cases(n: usize) -> Vec<Transition> {
    let catalogue = Catalogue::builtin().expect("shipped procedures load");
    let sefton = catalogue.get("sefton").expect("sefton ships");
    let calendar = Calendar::new(Division::EnglandAndWales);
    let raiser = Actor::new(
        PersonId::parse("pat").expect("id"),
        AgencyId::parse("school").expect("id"),
        Role::Practitioner,
    );
    (0..n)
        .map(|i| {
            let start = if i < DUE {
                at("2026-11-02T09:00:00Z")
            } else {
                at("2026-11-16T09:00:00Z")
            };
            escalations_bench::sefton_raise(
                sefton,
                i,
                &raiser,
                &calendar,
                start + chrono::Duration::seconds(i as i64),
            )
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

async fn due_query(store: &dyn Store, p: &PartnershipId, instant: DateTime<Utc>) -> usize {
    drain_pages(|page| async move { store.due_by(p, instant, &page).await })
        .await
        .expect("due query")
        .len()
}

async fn embedded(n: usize, runs: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("bench.db"))
        .await
        .expect("open");
    let p = PartnershipId::parse("bench").expect("id");
    store.load_many(&p, cases(n)).await.expect("load");
    let instant = at("2026-11-10T00:00:00Z");
    let (mut query_times, mut scan_times) = (Vec::new(), Vec::new());
    let (mut found, mut visited, mut fullscan, mut read, mut naive_found) = (0, 0, 0, 0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        found = due_query(&store, &p, instant).await;
        query_times.push(started.elapsed());
        let started = Instant::now();
        (read, naive_found) = store.naive_due_scan(&p, instant).await.expect("scan");
        scan_times.push(started.elapsed());
        (visited, fullscan, _) = store.due_query_cost(&p, instant).await.expect("cost");
    }
    assert_eq!(
        (found, naive_found),
        (DUE, DUE),
        "both find exactly the due clocks"
    );
    let (q, sc) = (median(query_times), median(scan_times));
    println!(
        "| embedded (SQLite) | {n} | {found} | {visited} rows (full-scan steps: {fullscan}) | {} | {read} rows | {} | {:.0}× |",
        ms(q),
        ms(sc),
        sc.as_secs_f64() / q.as_secs_f64()
    );
}

async fn moto(n: usize, runs: usize) {
    let client = escalations_testkit::moto::client();
    let table = escalations_testkit::moto::fresh_table(&client).await;
    let store = Arc::new(DynamoStore::new(client, table));
    let p = PartnershipId::parse("bench").expect("id");
    store.load_many(&p, &cases(n)).await.expect("load");
    let instant = at("2026-11-10T00:00:00Z");
    let (mut query_times, mut scan_times) = (Vec::new(), Vec::new());
    let (mut found, mut cost, mut read, mut naive_found) = (0, Default::default(), 0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        found = due_query(store.as_ref(), &p, instant).await;
        query_times.push(started.elapsed());
        let started = Instant::now();
        (read, naive_found) = store.naive_due_scan(&p, instant).await.expect("scan");
        scan_times.push(started.elapsed());
        cost = store.due_query_cost(&p, instant).await.expect("cost").1;
    }
    let cost: escalations_store_dynamodb::ReadCost = cost;
    assert_eq!(
        (found, naive_found),
        (DUE, DUE),
        "both find exactly the due clocks"
    );
    let (q, sc) = (median(query_times), median(scan_times));
    println!(
        "| DynamoDB (moto) | {n} | {found} | {} items ({} queries, one per shard) | {} | {read} items | {} | {:.0}× |",
        cost.items_read,
        cost.requests,
        ms(q),
        ms(sc),
        sc.as_secs_f64() / q.as_secs_f64()
    );
}

fn sizes(args: &[String], flag: &str, default: &[usize]) -> Vec<usize> {
    match args.iter().position(|a| a == flag) {
        Some(i) => args
            .get(i + 1)
            .map(|list| list.split(',').filter_map(|n| n.parse().ok()).collect())
            .unwrap_or_default(),
        None => default.to_vec(),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = sizes(&args, "--runs", &[5])
        .first()
        .copied()
        .unwrap_or(5)
        .max(1);
    println!(
        "| store | open cases | due | due query reads | due query ms (median of {runs}) | naive read | naive ms | naive ÷ due query time |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in sizes(&args, "--embedded", &[1_000, 10_000, 100_000]) {
        embedded(n, runs).await;
    }
    for n in sizes(&args, "--moto", &[1_000, 10_000]) {
        moto(n, runs).await;
    }
}
