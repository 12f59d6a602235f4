//! The work queue's read, before and after it was stored (issue 13): N open Sefton cases raised
//! by the school against Children's Social Care, every one waiting on social care's response.
//!
//! - before: what `/api/queue` read until now — every list entry of the caller's agency, open
//!   or not (`list_cases` over the agency's scope, page after page);
//! - after: the caller's agency's work queue (`work_queue`), the cases waiting there;
//! - `queue()`: the whole use case as it now runs, for the record.
//!
//! Timed for both sides: social care (every case is its move: both read N) and the school
//! (none is: before reads N, after reads none). Embedded store, one process, medians of
//! `--runs` (default 7).
//!
//! `cargo run --release -p escalations-bench --bin bench-queue -- --sizes 100,1000,10000`

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use escalations_app::App;
use escalations_bench::flag;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role, Transition};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::{CaseFilter, PageRequest, Scope, Store, WorkQueue, drain_pages};
use escalations_store_sqlite::SqliteStore;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an instant")
}

fn raised(catalogue: &Catalogue, n: usize) -> Vec<Transition> {
    let sefton = catalogue.get("sefton").expect("sefton ships");
    let calendar = escalations_demo::partnerships()
        .into_iter()
        .find(|p| p.id.as_str() == "sefton")
        .expect("the Sefton demo")
        .calendar();
    let raiser = Actor::new(
        PersonId::parse("school-practitioner").expect("id"),
        AgencyId::parse("school").expect("id"),
        Role::Practitioner,
    );
    (0..n)
        .map(|i| {
            escalations_bench::sefton_raise(
                sefton,
                i,
                &raiser,
                &calendar,
                at("2026-11-09T09:00:00Z") + chrono::Duration::milliseconds(i as i64),
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

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: String = flag(&args, "--sizes", "100,1000,10000".to_owned());
    let runs: usize = flag(&args, "--runs", 7);
    let catalogue = Catalogue::builtin().expect("shipped procedures load");
    let p = PartnershipId::parse("sefton").expect("id");
    let now = at("2026-11-10T12:00:00Z");
    println!(
        "| open cases | caller | before: entries read | before: ms | after: entries read | after: ms | before ÷ after | queue() ms | moves |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes
        .split(',')
        .map(|s| s.trim().parse::<usize>().expect("a size"))
    {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(dir.path().join("queue.db"))
            .await
            .expect("open");
        for config in escalations_demo::partnerships() {
            store.put_partnership(&config).await.expect("seed");
        }
        store
            .load_many(&p, raised(&catalogue, n))
            .await
            .expect("load");
        let store: Arc<dyn Store> = Arc::new(store);
        let app = App::new(store.clone(), catalogue.clone());
        for (person, agency, role) in [
            ("social-care-manager", "social-care", Role::Manager),
            ("school-practitioner", "school", Role::Practitioner),
        ] {
            let agency = AgencyId::parse(agency).expect("id");
            let who = Principal {
                partnership: p.clone(),
                actor: Actor::new(PersonId::parse(person).expect("id"), agency.clone(), role),
            };
            let (mut before, mut after, mut whole) = (Vec::new(), Vec::new(), Vec::new());
            let (mut read_before, mut read_after, mut moves) = (0, 0, 0);
            for _ in 0..runs {
                let started = Instant::now();
                let (scope, filter) = (&Scope::Agency(agency.clone()), &CaseFilter::default());
                let listed = drain_pages(|page: PageRequest| {
                    let (store, p) = (store.clone(), p.clone());
                    async move { store.list_cases(&p, scope, filter, &page).await }
                })
                .await
                .expect("list");
                before.push(started.elapsed());
                read_before = listed.len();

                let started = Instant::now();
                let queued = store
                    .work_queue(&p, &WorkQueue::Agency(agency.clone()))
                    .await
                    .expect("work queue");
                after.push(started.elapsed());
                read_after = queued.len();

                let started = Instant::now();
                let work = app.queue(&who, now).await.expect("queue");
                whole.push(started.elapsed());
                moves = work.moves.len();
            }
            let (before, after) = (median(before), median(after));
            let ratio = before.as_secs_f64() / after.as_secs_f64().max(1e-9);
            println!(
                "| {n} | {person} | {read_before} | {} | {read_after} | {} | {ratio:.1} | {} | {moves} |",
                ms(before),
                ms(after),
                ms(median(whole)),
            );
        }
    }
}
