//! Sweep benchmark (issue 10): one `App::sweep` over N open Sefton cases, exactly 10 of them
//! with a clock due at the sweep instant, beside a scan-based sweep on identical data in the
//! same run: the same `App::sweep`, except that its due query is answered by reading every
//! open case's list entry and keeping the due ones (what a sweeper without the due index
//! would do).
//!
//! usage: bench-sweep [--embedded 1000,10000] [--moto 200,1000]
//! (`--embedded 100000` is opt-in; `--embedded none` or `--moto none` skips a store; moto
//! needs `eval "$(./scripts/tools.sh)"` first). Prints a Markdown table, then exits non-zero
//! if the items our sweep reads grow with the number of open cases in either store.
//!
//! moto stops at 1,000 by default: it deep-copies the whole table on every TransactWriteItems
//! (a sweep makes 30 here), so its time and memory grow with the table, not with what the
//! transaction touches; at 10,000 cases its memory passed 14 GB and the run was stopped.
//!
//! Items read are counted by a wrapper around the adapter, at the storage port: every case,
//! list entry, due clock, due notice, claimed notice and configuration a call returns. The
//! due query and the due-notices query are index-served in both adapters (bench-storage
//! checks the due query reads exactly what it returns), so this is what the store reads.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use escalations_app::{App, MailSettings, SweepSummary};
use escalations_core::Catalogue;
use escalations_core::case::{
    Actor, Case, CaseSummary, ChildKey, Event, MatchSecret, Role, Transition,
};
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId};
use escalations_core::notices::{NoticeContext, Trigger, plan_notices};
use escalations_mail::EmailAddress;
use escalations_mail_outbox::Outbox;
use escalations_store::{
    CaseFilter, ClaimedNotice, Created, DueClock, DueNotice, Idempotency, Notice, NoticeEnd,
    NoticeKey, NoticeOutcome, Page, PageRequest, PartnershipConfig, PendingNotice, Scope,
    StatusKind, Store, StoreError, drain_pages,
};
use escalations_store_dynamodb::DynamoStore;
use escalations_store_sqlite::SqliteStore;

const DUE: usize = 10;
const PARTNERSHIP: &str = "sefton";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a valid instant")
}

/// The sweep instant: Tuesday 10 November 2026, 10:00 GMT, within working hours, so the
/// notices the breaches plan are due at once.
fn sweep_instant() -> DateTime<Utc> {
    at("2026-11-10T10:00:00Z")
}

/// `n` Sefton cases, school to children's social care, step 1 ("within 2 working days"),
/// with the notices their raise planned for later kept pending, as `App::raise` leaves them
/// (what a raise plans for its own instant it sends at once, so those are not pending):
/// `DUE` raised on Thursday 5 November (due by the end of Monday 9th: due at the sweep, and
/// so are their pending notices), the rest on Monday 9 November a millisecond apart (due by
/// the end of Wednesday 11th, their notices later than the sweep).
fn raised(n: usize) -> (Vec<Transition>, Vec<PendingNotice>) {
    let catalogue = Catalogue::builtin().expect("shipped procedures load");
    let sefton = catalogue.get("sefton").expect("sefton ships");
    let config = sefton_config();
    let calendar = config.calendar();
    let context = NoticeContext {
        procedure: sefton,
        config: &config,
        calendar: &calendar,
    };
    let raiser = Actor::new(
        PersonId::parse("school-practitioner").expect("id"),
        AgencyId::parse("school").expect("id"),
        Role::Practitioner,
    );
    let mut pending = Vec::new();
    let cases = (0..n)
        .map(|i| {
            let raised_at = if i < DUE {
                at("2026-11-05T09:00:00Z") + chrono::Duration::seconds(i as i64)
            } else {
                at("2026-11-09T09:00:00Z") + chrono::Duration::milliseconds(i as i64)
            };
            let transition =
                escalations_bench::sefton_raise(sefton, i, &raiser, &calendar, raised_at);
            let trigger = Trigger::Person(&raiser.person);
            for plan in plan_notices(&context, None, &transition, trigger, raised_at) {
                if plan.not_before > raised_at {
                    pending.push(PendingNotice {
                        case: plan.case.clone(),
                        key: NoticeKey::parse(&plan.key).expect("a planned key"),
                        not_before: plan.not_before,
                        plan: serde_json::to_string(&plan).expect("a plan serialises"),
                    });
                }
            }
            transition
        })
        .collect();
    (cases, pending)
}

fn sefton_config() -> PartnershipConfig {
    escalations_demo::partnerships()
        .into_iter()
        .find(|c| c.id.as_str() == PARTNERSHIP)
        .expect("the demo ships sefton")
}

// ---------------------------------------------------------------------------------------
// A store that counts what it reads, and optionally answers the due query by a scan

/// Wraps an adapter, counting items read (everything a read returns), calls and writes. With
/// `scan_due`, `due_by` reads every open case's list entry instead of the due query.
struct Counting {
    inner: Arc<dyn Store>,
    scan_due: bool,
    reads: AtomicU64,
    calls: AtomicU64,
    writes: AtomicU64,
}

impl Counting {
    fn new(inner: Arc<dyn Store>, scan_due: bool) -> Self {
        Counting {
            inner,
            scan_due,
            reads: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    fn read(&self, items: usize) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.reads.fetch_add(items as u64, Ordering::Relaxed);
    }

    fn wrote(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    fn counts(&self) -> (u64, u64, u64) {
        (
            self.reads.load(Ordering::Relaxed),
            self.calls.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
        )
    }

    /// The scan-based due query: every open case's list entry, keeping those whose running
    /// clock is due by `instant`, earliest first (what `due_by` returns, on one page).
    async fn scan_due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
    ) -> Result<Page<DueClock>, StoreError> {
        let open = CaseFilter {
            status: Some(StatusKind::Open),
            ..CaseFilter::default()
        };
        let (open, scope) = (&open, &Scope::Partnership);
        let entries =
            drain_pages(
                |page| async move { self.list_cases(partnership, scope, open, &page).await },
            )
            .await?;
        let mut due: Vec<DueClock> = entries
            .into_iter()
            .filter_map(|entry| {
                let run = entry.running.filter(|run| run.due <= instant)?;
                Some(DueClock {
                    partnership: partnership.clone(),
                    case: entry.id,
                    procedure: entry.procedure,
                    stage: run.stage,
                    clock: run.clock,
                    owner: run.owner,
                    due: run.due,
                })
            })
            .collect();
        due.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.case.cmp(&b.case)));
        Ok(Page {
            items: due,
            next: None,
        })
    }
}

#[async_trait]
impl Store for Counting {
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError> {
        self.wrote();
        self.inner.put_partnership(config).await
    }

    async fn partnership(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<PartnershipConfig>, StoreError> {
        let found = self.inner.partnership(id).await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn partnerships(&self) -> Result<Vec<PartnershipId>, StoreError> {
        let found = self.inner.partnerships().await?;
        self.read(found.len());
        Ok(found)
    }

    async fn partnership_versioned(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<(PartnershipConfig, escalations_store::ConfigVersion)>, StoreError> {
        let found = self.inner.partnership_versioned(id).await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn change_partnership(
        &self,
        config: &PartnershipConfig,
        expected: escalations_store::ConfigVersion,
        change: &escalations_store::ConfigChange,
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner
            .change_partnership(config, expected, change)
            .await
    }

    async fn partnership_changes(
        &self,
        id: &PartnershipId,
        page: &PageRequest,
    ) -> Result<Page<escalations_store::ConfigChange>, StoreError> {
        let found = self.inner.partnership_changes(id, page).await?;
        self.read(found.items.len());
        Ok(found)
    }

    async fn load_case(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Option<Case>, StoreError> {
        let found = self.inner.load_case(partnership, id).await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn chronology(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Vec<Event>, StoreError> {
        let found = self.inner.chronology(partnership, id).await?;
        self.read(found.len());
        Ok(found)
    }

    async fn list_cases(
        &self,
        partnership: &PartnershipId,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let found = self
            .inner
            .list_cases(partnership, scope, filter, page)
            .await?;
        self.read(found.items.len());
        Ok(found)
    }

    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError> {
        if self.scan_due {
            return self.scan_due_by(partnership, instant).await;
        }
        let found = self.inner.due_by(partnership, instant, page).await?;
        self.read(found.items.len());
        Ok(found)
    }

    async fn record_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        self.wrote();
        self.inner.record_notice(partnership, case, key, at).await
    }

    async fn notices(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<Notice>, StoreError> {
        let found = self.inner.notices(partnership, case).await?;
        self.read(found.len());
        Ok(found)
    }

    async fn create_case_noting(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
        notices: &[PendingNotice],
    ) -> Result<Created, StoreError> {
        self.wrote();
        self.inner
            .create_case_noting(partnership, raised, idempotency, notices)
            .await
    }

    async fn apply_noting(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner
            .apply_noting(partnership, transition, notices)
            .await
    }

    async fn due_notices(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueNotice>, StoreError> {
        let found = self.inner.due_notices(partnership, instant, page).await?;
        self.read(found.items.len());
        Ok(found)
    }

    async fn claim_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedNotice>, StoreError> {
        // A conditional update that returns the item: one write, one item read.
        self.writes.fetch_add(1, Ordering::Relaxed);
        let found = self
            .inner
            .claim_notice(partnership, case, key, now, lease_until)
            .await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn release_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner
            .release_notice(partnership, case, key, retry_at)
            .await
    }

    async fn finish_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        end: NoticeEnd,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        self.wrote();
        self.inner
            .finish_notice(partnership, case, key, end, at)
            .await
    }

    async fn idempotent_case(
        &self,
        partnership: &PartnershipId,
        idempotency: &Idempotency,
    ) -> Result<Option<Case>, StoreError> {
        let found = self.inner.idempotent_case(partnership, idempotency).await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn open_cases_about(
        &self,
        partnership: &PartnershipId,
        child: &ChildKey,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let found = self.inner.open_cases_about(partnership, child).await?;
        self.read(found.len());
        Ok(found)
    }

    async fn match_secret(
        &self,
        partnership: &PartnershipId,
        candidate: &MatchSecret,
    ) -> Result<MatchSecret, StoreError> {
        let found = self.inner.match_secret(partnership, candidate).await?;
        self.read(1);
        Ok(found)
    }

    // --- Calendar feeds -----------------------------------------------------------------

    async fn put_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &escalations_core::ids::PersonId,
        feed: &escalations_store::CalendarFeed,
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner
            .put_calendar_feed(partnership, person, feed)
            .await
    }

    async fn calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &escalations_core::ids::PersonId,
    ) -> Result<Option<escalations_store::CalendarFeed>, StoreError> {
        let found = self.inner.calendar_feed(partnership, person).await?;
        self.read(usize::from(found.is_some()));
        Ok(found)
    }

    async fn delete_calendar_feed(
        &self,
        partnership: &PartnershipId,
        person: &escalations_core::ids::PersonId,
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner.delete_calendar_feed(partnership, person).await
    }

    async fn work_queue(
        &self,
        partnership: &PartnershipId,
        queue: &escalations_store::WorkQueue,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let found = self.inner.work_queue(partnership, queue).await?;
        self.read(found.len());
        Ok(found)
    }

    async fn reindex(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<bool, StoreError> {
        self.wrote();
        self.inner.reindex(partnership, case).await
    }

    async fn closed_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<escalations_store::ClosedCase>, StoreError> {
        let found = self.inner.closed_by(partnership, instant, page).await?;
        self.read(found.items.len());
        Ok(found)
    }

    async fn apply_erasure(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        forget: Option<&escalations_core::case::ChildKey>,
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner
            .apply_erasure(partnership, transition, forget)
            .await
    }

    async fn record_access(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        access: &escalations_store::CaseAccess,
    ) -> Result<(), StoreError> {
        self.wrote();
        self.inner.record_access(partnership, case, access).await
    }

    async fn access_history(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<escalations_store::CaseAccess>, StoreError> {
        let found = self.inner.access_history(partnership, case).await?;
        self.read(found.len());
        Ok(found)
    }
}

// ---------------------------------------------------------------------------------------
// One sweep

/// What one sweep cost and did.
struct Measured {
    summary: SweepSummary,
    reads: u64,
    calls: u64,
    writes: u64,
    wall: Duration,
    /// `.eml` files the outbox holds afterwards.
    messages: usize,
}

/// Sweeps `store` (already seeded) once at the sweep instant, counting what it reads, with
/// the real outbox mail adapter writing into a fresh folder.
async fn sweep_once(store: Arc<dyn Store>, scan_due: bool) -> Measured {
    let counting = Arc::new(Counting::new(store, scan_due));
    let folder = tempfile::tempdir().expect("temp dir");
    let outbox = Arc::new(Outbox::new(folder.path()));
    let app = App::new(
        counting.clone(),
        Catalogue::builtin().expect("shipped procedures load"),
    )
    .with_mail(MailSettings {
        mailer: outbox.clone(),
        from: EmailAddress::parse("escalations@sefton.example.org").expect("address"),
        base_url: "https://escalations.example.org".to_owned(),
    });
    let started = Instant::now();
    let summary = app
        .sweep(sweep_instant(), Duration::from_secs(3600))
        .await
        .expect("the sweep runs");
    let wall = started.elapsed();
    let (reads, calls, writes) = counting.counts();
    let messages = outbox.messages().expect("the outbox reads").len();
    Measured {
        summary,
        reads,
        calls,
        writes,
        wall,
        messages,
    }
}

/// Checks one sweep did what the benchmark is about: exactly the due clocks breached, their
/// due notices sent (or dropped as no longer applying), nothing left over.
fn check(store: &str, n: usize, side: &str, m: &Measured) {
    let s = &m.summary;
    let problem = if s.due_clocks != DUE || s.breaches_recorded != DUE {
        Some("did not find and breach exactly the due clocks")
    } else if s.sent == 0 || s.sent != m.messages || s.sent + s.dropped != s.notices_due {
        Some("did not send (or drop) every due notice, each sent one to the outbox")
    } else if s.failed + s.leased_elsewhere + s.left_for_next_run != 0 {
        Some("left something undone")
    } else {
        None
    };
    if let Some(problem) = problem {
        panic!("{store}, {n} open cases, {side} sweep {problem}: {s:?}");
    }
}

/// One row of the table.
struct Row {
    store: &'static str,
    n: usize,
    ours: Measured,
    scan: Measured,
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn print_row(row: &Row) {
    let (o, s) = (&row.ours, &row.scan);
    let done = &o.summary;
    println!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.4} | {:.2} |",
        row.store,
        row.n,
        done.due_clocks,
        done.notices_due,
        done.sent,
        done.dropped,
        o.writes,
        o.reads,
        o.calls,
        ms(o.wall),
        s.reads,
        s.calls,
        ms(s.wall),
        o.reads as f64 / s.reads as f64,
        o.wall.as_secs_f64() / s.wall.as_secs_f64(),
    );
}

/// Seeds a fresh store with `n` cases and the Sefton configuration.
async fn seeded_sqlite(dir: &std::path::Path, name: &str, n: usize) -> Arc<dyn Store> {
    let store = SqliteStore::open(dir.join(name)).await.expect("open");
    store
        .put_partnership(&sefton_config())
        .await
        .expect("config");
    let p = PartnershipId::parse(PARTNERSHIP).expect("id");
    let (cases, pending) = raised(n);
    eprintln!("  {name}: {n} cases, {} pending notices", pending.len());
    store.load_many(&p, cases).await.expect("load");
    store.load_pending(&p, pending).await.expect("load notices");
    Arc::new(store)
}

async fn seeded_moto(n: usize) -> Arc<dyn Store> {
    let client = escalations_testkit::moto::client();
    let table = escalations_testkit::moto::fresh_table(&client).await;
    let store = DynamoStore::new(client, table);
    store
        .put_partnership(&sefton_config())
        .await
        .expect("config");
    let p = PartnershipId::parse(PARTNERSHIP).expect("id");
    let (cases, pending) = raised(n);
    store.load_many(&p, &cases).await.expect("load");
    store
        .load_pending(&p, &pending)
        .await
        .expect("load notices");
    Arc::new(store)
}

async fn embedded(n: usize) -> Row {
    let dir = tempfile::tempdir().expect("temp dir");
    let ours_store = seeded_sqlite(dir.path(), "ours.db", n).await;
    let scan_store = seeded_sqlite(dir.path(), "scan.db", n).await;
    let ours = sweep_once(ours_store, false).await;
    let scan = sweep_once(scan_store, true).await;
    Row {
        store: "embedded (SQLite)",
        n,
        ours,
        scan,
    }
}

async fn moto(n: usize) -> Row {
    let ours_store = seeded_moto(n).await;
    let scan_store = seeded_moto(n).await;
    let ours = sweep_once(ours_store, false).await;
    let scan = sweep_once(scan_store, true).await;
    Row {
        store: "DynamoDB (moto)",
        n,
        ours,
        scan,
    }
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

/// The rows of one store whose sweep read more items than at that store's smallest size.
fn grown(rows: &[Row]) -> Vec<String> {
    let mut problems = Vec::new();
    for store in ["embedded (SQLite)", "DynamoDB (moto)"] {
        let of: Vec<&Row> = rows.iter().filter(|r| r.store == store).collect();
        let Some(smallest) = of.iter().min_by_key(|r| r.n) else {
            continue;
        };
        for row in &of {
            if row.ours.reads > smallest.ours.reads {
                problems.push(format!(
                    "{store}: our sweep read {} items at {} open cases but {} at {}",
                    row.ours.reads, row.n, smallest.ours.reads, smallest.n
                ));
            }
        }
    }
    problems
}

/// Checks a measured row, prints it at once (a long run keeps what it measured so far).
fn report(row: &Row) {
    check(row.store, row.n, "our", &row.ours);
    check(row.store, row.n, "scan-based", &row.scan);
    let did = |m: &Measured| {
        let s = &m.summary;
        (s.due_clocks, s.notices_due, s.sent, s.dropped, m.writes)
    };
    assert_eq!(
        did(&row.ours),
        did(&row.scan),
        "both sweeps do the same: breaches, notices, writes"
    );
    print_row(row);
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!(
        "| store | open cases | clocks due | notices due | sent | dropped | writes | ours: items read | ours: store calls | ours ms | scan: items read | scan: store calls | scan ms | items read, ours ÷ scan | time, ours ÷ scan |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    let embedded_sizes = sizes(&args, "--embedded", &[1_000, 10_000]);
    if !embedded_sizes.is_empty() {
        // Not measured: the process's first sweep pays one-time costs (threads, first files)
        // that would otherwise count against whichever sweep runs first.
        embedded(2 * DUE).await;
    }
    for n in embedded_sizes {
        eprintln!("embedded (SQLite), {n} open cases: seeding two stores, then one sweep each");
        let row = embedded(n).await;
        report(&row);
        rows.push(row);
    }
    for n in sizes(&args, "--moto", &[200, 1_000]) {
        eprintln!("DynamoDB (moto), {n} open cases: seeding two tables, then one sweep each");
        let row = moto(n).await;
        report(&row);
        rows.push(row);
    }
    let problems = grown(&rows);
    if !problems.is_empty() {
        for problem in problems {
            eprintln!("REGRESSION: {problem}");
        }
        std::process::exit(1);
    }
}
