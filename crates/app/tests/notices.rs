//! Sending notices exactly once, under faults: each test counts the messages a mailer took
//! and requires 0 missed and 0 duplicated — except when the process dies between the send and
//! the record, where at most one duplicate is allowed (the window ARCHITECTURE.md states).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use escalations_app::{App, LEASE, MailSettings, RETRY_AFTER, RaiseInput, SENDS_AT_ONCE, Sending};
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Child, Concern, RaiseRequest, Role};
use escalations_core::ids::{
    AgencyId, CaseId, LevelId, PartnershipId, PersonId, ProcedureId, Text,
};
use escalations_mail::{EmailAddress, MailError, Mailer, Message, Sent};
use escalations_store::instrumented::{Call, Instrumented, Probe};
use escalations_store::{Store, StoreError};
use escalations_store_sqlite::SqliteStore;

const CHILD_NAME: &str = "Ottoline Wibberley-Quince";
const CHILD_ADDRESS: &str = "3 Gooseberry Wynd, Nether Puddlecombe";
const CONCERN: &str = "Cerulean concern words typed by a person";

/// Faults injected on demand into the embedded store: a countdown of 1 fails the next call.
#[derive(Default)]
struct Faults {
    die_before_finish: AtomicUsize,
    throttle_claim: AtomicUsize,
}

/// Counts down; true when it reaches zero on this call (a fault fires once).
fn countdown(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok_and(|before| before == 1)
}

impl Probe for Faults {
    fn before(&self, call: Call) -> Result<(), StoreError> {
        let injected =
            |what: &str| Err(StoreError::backend(std::io::Error::other(what.to_owned())));
        match call {
            Call::ClaimNotice if countdown(&self.throttle_claim) => {
                injected("ThrottlingException (injected)")
            }
            // The process dies after the send and before the record.
            Call::FinishNotice if countdown(&self.die_before_finish) => {
                injected("process killed (injected)")
            }
            _ => Ok(()),
        }
    }
}

type Faulty = Instrumented<Faults>;

/// A mailer that records what it took and can be unavailable for chosen messages, once each.
#[derive(Default)]
struct Recording {
    taken: Mutex<Vec<String>>,
    unavailable_once: Mutex<Vec<String>>,
}

#[async_trait]
impl Mailer for Recording {
    async fn send(&self, message: &Message) -> Result<Sent, MailError> {
        let key = message.key().as_str().to_owned();
        {
            let mut failing = self.unavailable_once.lock().unwrap();
            if let Some(i) = failing.iter().position(|k| key.contains(k.as_str())) {
                failing.remove(i);
                return Err(MailError::Unavailable("injected".into()));
            }
        }
        let whole = format!("{}{}{}", message.subject(), message.text(), message.html());
        for secret in [
            CHILD_NAME,
            CHILD_ADDRESS,
            CONCERN,
            "2016-02-29",
            "29/02/2016",
        ] {
            assert!(!whole.contains(secret), "{key} carries `{secret}`");
        }
        self.taken.lock().unwrap().push(key.clone());
        Ok(Sent { id: key })
    }
}

impl Recording {
    /// How many times each message key was taken.
    fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for key in self.taken.lock().unwrap().iter() {
            *counts.entry(key.clone()).or_insert(0) += 1;
        }
        counts
    }
}

/// Everything logged by this test binary, to check no log line carries the child.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || Capture(writer.clone()))
            .try_init();
        buffer
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_logs_carry_no_child() {
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(logs.contains("notice sent"), "the logs were captured");
    for secret in [CHILD_NAME, CHILD_ADDRESS, CONCERN, "2016-02-29"] {
        assert!(!logs.contains(secret), "a log line carries `{secret}`");
    }
}

struct Fixture {
    store: Arc<Faulty>,
    mailer: Arc<Recording>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Fixture {
        logs();
        let dir = tempfile::tempdir().unwrap();
        let inner = SqliteStore::open(dir.path().join("n.db")).await.unwrap();
        for config in escalations_demo::partnerships() {
            inner.put_partnership(&config).await.unwrap();
        }
        Fixture {
            store: Arc::new(Instrumented::new(Arc::new(inner), Faults::default())),
            mailer: Arc::default(),
            _dir: dir,
        }
    }

    /// An app over the shared store; with the recording mailer, or none (notices stay
    /// pending, as in a process that has no mail service).
    fn app(&self, mail: bool) -> App {
        let app = App::new(self.store.clone(), Catalogue::builtin().unwrap());
        if !mail {
            return app;
        }
        self.app_sending_through(self.mailer.clone())
    }

    /// An app whose mail service holds every message until the gate (returned) opens.
    fn gated_app(&self, sending: Sending) -> (App, tokio::sync::watch::Sender<bool>) {
        let (gate, open) = tokio::sync::watch::channel(false);
        let mailer = Arc::new(Gated {
            recording: self.mailer.clone(),
            open,
        });
        (self.app_sending_through(mailer).sending(sending), gate)
    }

    fn app_sending_through(&self, mailer: Arc<dyn Mailer>) -> App {
        App::new(self.store.clone(), Catalogue::builtin().unwrap()).with_mail(MailSettings {
            mailer,
            from: EmailAddress::parse("notices@escalations.example.org").unwrap(),
            base_url: "https://escalations.example.org".into(),
        })
    }

    /// Raises `n` Sefton cases at `at` without sending anything: their first notices wait.
    async fn raise(&self, n: usize, at: DateTime<Utc>) -> Vec<CaseId> {
        self.raise_with(&self.app(false), n, at).await
    }

    async fn raise_with(&self, app: &App, n: usize, at: DateTime<Utc>) -> Vec<CaseId> {
        let mut ids = Vec::new();
        for i in 0..n {
            let who = Principal {
                partnership: PartnershipId::parse("sefton").unwrap(),
                actor: Actor::new(
                    PersonId::parse("school-practitioner").unwrap(),
                    AgencyId::parse("school").unwrap(),
                    Role::Practitioner,
                ),
            };
            let input = RaiseInput {
                procedure: ProcedureId::parse("sefton").unwrap(),
                request: RaiseRequest {
                    receiving_agency: Some(AgencyId::parse("social-care").unwrap()),
                    child: Some(Child {
                        name: Text::parse(CHILD_NAME).unwrap(),
                        date_of_birth: Some(chrono::NaiveDate::from_ymd_opt(2016, 2, 29).unwrap()),
                        address: Some(Text::parse(CHILD_ADDRESS).unwrap()),
                        child_protection_plan: true,
                        in_care: false,
                    }),
                    concern: Concern {
                        summary: Text::parse(CONCERN).unwrap(),
                        reasons: vec![],
                        level_of_need: Some(LevelId::parse("s17").unwrap()),
                        desired_outcome: None,
                        tried: None,
                        other_reason: None,
                    },
                    immediate_risk: Some(false),
                    agencies_asked: vec![],
                },
                clock: Default::default(),
                idempotency: None,
                duplicate_acknowledged: i > 0,
            };
            ids.push(app.raise(&who, input, at).await.unwrap().detail.case.id);
        }
        ids
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const RAISED: &str = "2030-11-25T10:00:00Z";
/// Each case's three notices are due: the raise, the reminder (start of its last working day)
/// and the overdue notice (08:00 after the breach), but not yet the unanswered breach.
const LATER: &str = "2030-11-28T09:00:00Z";
const BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

/// Every case's raise, reminder and overdue notices, once each.
fn expected(cases: &[CaseId]) -> usize {
    cases.len() * 3
}

fn assert_each_once(f: &Fixture, cases: &[CaseId]) {
    let counts = f.mailer.counts();
    assert_eq!(counts.len(), expected(cases), "missed: {counts:#?}");
    assert!(counts.values().all(|n| *n == 1), "duplicated: {counts:#?}");
    for case in cases {
        for kind in ["clock-started", "reminder", "overdue"] {
            assert!(
                counts
                    .keys()
                    .any(|k| k.starts_with(case.as_str()) && k.contains(kind)),
                "{case}: no {kind} notice in {counts:#?}"
            );
        }
    }
}

#[tokio::test]
async fn a_sweep_sends_every_due_notice_once_and_a_second_delivery_of_the_event_sends_nothing() {
    let f = Fixture::new().await;
    let cases = f.raise(3, at(RAISED)).await;
    let app = f.app(true);
    let first = app.sweep(at(LATER), BUDGET).await.unwrap();
    assert_eq!(
        (first.sent, first.failed, first.breaches_recorded),
        (9, 0, 3),
        "{first:?}"
    );
    // The same scheduled event delivered twice.
    let again = app.sweep(at(LATER), BUDGET).await.unwrap();
    assert_eq!(
        (again.notices_due, again.sent, again.breaches_recorded),
        (0, 0, 0),
        "{again:?}"
    );
    assert_each_once(&f, &cases);
    // The unanswered breach, a working day later, once.
    let unanswered = app.sweep(at("2030-11-29T08:00:00Z"), BUDGET).await.unwrap();
    assert_eq!(unanswered.sent, 3, "{unanswered:?}");
    assert_logs_carry_no_child();
}

#[tokio::test]
async fn a_message_the_mail_service_cannot_take_goes_on_the_next_run_and_the_others_go_now() {
    let f = Fixture::new().await;
    let cases = f.raise(3, at(RAISED)).await;
    f.mailer
        .unavailable_once
        .lock()
        .unwrap()
        .push(format!("{}/reminder", cases[1]));
    let app = f.app(true);
    let first = app.sweep(at(LATER), BUDGET).await.unwrap();
    assert_eq!((first.sent, first.failed), (8, 1), "{first:?}");
    // Not before its retry time…
    let early = app
        .sweep(at(LATER) + Duration::minutes(1), BUDGET)
        .await
        .unwrap();
    assert_eq!(early.sent, 0, "{early:?}");
    // …then it goes.
    let next = app.sweep(at(LATER) + RETRY_AFTER, BUDGET).await.unwrap();
    assert_eq!((next.sent, next.failed), (1, 0), "{next:?}");
    assert_each_once(&f, &cases);
}

#[tokio::test]
async fn a_process_killed_between_the_send_and_the_record_sends_that_notice_at_most_twice() {
    let f = Fixture::new().await;
    let cases = f.raise(3, at(RAISED)).await;
    f.store.probe.die_before_finish.store(4, Ordering::SeqCst);
    let app = f.app(true);
    assert!(
        app.sweep(at(LATER), BUDGET).await.is_err(),
        "the process died"
    );
    // Its lease still holds: the next sweep leaves that notice alone and sends the rest.
    let next = app
        .sweep(at(LATER) + Duration::minutes(1), BUDGET)
        .await
        .unwrap();
    assert_eq!(next.leased_elsewhere, 1, "{next:?}");
    // Once the lease has run out, it is sent again: the stated window's one duplicate.
    let after = app
        .sweep(at(LATER) + LEASE + Duration::minutes(1), BUDGET)
        .await
        .unwrap();
    assert_eq!(after.sent, 1, "{after:?}");
    let counts = f.mailer.counts();
    assert_eq!(counts.len(), expected(&cases), "none missed: {counts:#?}");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert_eq!(
        twice.len(),
        1,
        "exactly one duplicate, of the killed send: {counts:#?}"
    );
    assert_eq!(*twice[0].1, 2);
}

#[tokio::test]
async fn two_sweeps_at_once_send_each_notice_once() {
    let f = Fixture::new().await;
    let cases = f.raise(4, at(RAISED)).await;
    let (a, b) = (f.app(true), f.app(true));
    let (first, second) = tokio::join!(a.sweep(at(LATER), BUDGET), b.sweep(at(LATER), BUDGET));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(
        first.sent + second.sent,
        expected(&cases),
        "{first:?} {second:?}"
    );
    assert_each_once(&f, &cases);
}

#[tokio::test]
async fn a_store_throttling_mid_sweep_loses_nothing_and_the_next_run_finishes() {
    let f = Fixture::new().await;
    let cases = f.raise(3, at(RAISED)).await;
    f.store.probe.throttle_claim.store(5, Ordering::SeqCst);
    let app = f.app(true);
    assert!(
        app.sweep(at(LATER), BUDGET).await.is_err(),
        "the sweep stops at the throttling"
    );
    let next = app
        .sweep(at(LATER) + Duration::minutes(5), BUDGET)
        .await
        .unwrap();
    assert_eq!(next.failed, 0, "{next:?}");
    assert_each_once(&f, &cases);
}

#[tokio::test]
async fn a_sweep_out_of_time_stops_cleanly_and_the_next_continues_where_it_left_off() {
    let f = Fixture::new().await;
    let cases = f.raise(3, at(RAISED)).await;
    let app = f.app(true);
    let starved = app
        .sweep(at(LATER), std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(starved.sent, 0, "{starved:?}");
    assert_eq!(
        starved.left_for_next_run,
        starved.due_clocks + starved.notices_due,
        "{starved:?}"
    );
    let next = app.sweep(at(LATER), BUDGET).await.unwrap();
    assert_eq!(next.sent, expected(&cases), "{next:?}");
    assert_each_once(&f, &cases);
}

/// A person's action sends its own notices at once; the sweeper never sends them again.
#[tokio::test]
async fn notices_of_a_persons_action_go_at_once_and_are_not_sent_again_by_the_sweep() {
    let f = Fixture::new().await;
    let app = f.app(true);
    let cases = f.raise_with(&app, 1, at(RAISED)).await;
    let counts = f.mailer.counts();
    assert_eq!(counts.len(), 1, "the raise notice, at once: {counts:?}");
    assert!(
        counts
            .keys()
            .all(|k| k.starts_with(cases[0].as_str()) && k.contains("clock-started"))
    );
    assert_the_sweep_sends_nothing_again(&f, &app).await;
}

/// Ten minutes on, the sweep finds nothing due and sends nothing: what went at once is not
/// sent again.
async fn assert_the_sweep_sends_nothing_again(f: &Fixture, app: &App) {
    let before = f.mailer.counts();
    let sweep = app
        .sweep(at(RAISED) + Duration::minutes(10), BUDGET)
        .await
        .unwrap();
    assert_eq!((sweep.notices_due, sweep.sent), (0, 0), "{sweep:?}");
    assert_eq!(f.mailer.counts(), before);
}

/// A mailer that holds every message until its gate opens, then hands it to the recorder.
struct Gated {
    recording: Arc<Recording>,
    open: tokio::sync::watch::Receiver<bool>,
}

#[async_trait]
impl Mailer for Gated {
    async fn send(&self, message: &Message) -> Result<Sent, MailError> {
        let mut open = self.open.clone();
        open.wait_for(|open| *open).await.unwrap();
        self.recording.send(message).await
    }
}

/// In a process that keeps running, a person's action is answered once it is stored, without
/// waiting for the mail service; its notice still goes exactly once, and the sweep does not
/// send it again.
#[tokio::test]
async fn notices_sent_after_answering_keep_no_one_waiting_and_still_go_once() {
    let f = Fixture::new().await;
    let (app, gate) = f.gated_app(Sending::AfterAnswering);
    let cases = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        f.raise_with(&app, 2, at(RAISED)),
    )
    .await
    .expect("answered while the mail service holds every message");
    assert!(f.mailer.counts().is_empty(), "nothing has gone yet");
    gate.send(true).unwrap();
    app.notices_settled().await;
    let counts = f.mailer.counts();
    assert_eq!(counts.len(), 2, "each raise's notice: {counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    for case in &cases {
        assert!(
            counts
                .keys()
                .any(|k| k.starts_with(case.as_str()) && k.contains("clock-started")),
            "{case}: {counts:?}"
        );
    }
    assert_the_sweep_sends_nothing_again(&f, &app).await;
}

/// Under more load than the mail service takes, sending after answering does not pile notices
/// up: once `SENDS_AT_ONCE` sends are running, the next action sends its own before it is
/// answered, and waits as it would have; every notice still goes once.
#[tokio::test]
async fn once_enough_sends_are_running_the_next_action_waits_for_its_own() {
    let f = Fixture::new().await;
    let (app, gate) = f.gated_app(Sending::AfterAnswering);
    let raised = SENDS_AT_ONCE + 1;
    let mut raising = std::pin::pin!(f.raise_with(&app, raised, at(RAISED)));
    let held = tokio::time::timeout(std::time::Duration::from_millis(500), &mut raising).await;
    assert!(
        held.is_err(),
        "the raise after {SENDS_AT_ONCE} sends waited"
    );
    gate.send(true).unwrap();
    raising.await;
    app.notices_settled().await;
    let counts = f.mailer.counts();
    assert_eq!(counts.len(), raised, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    assert_the_sweep_sends_nothing_again(&f, &app).await;
}

/// Sent before answering (a Lambda function's way, the default), the answer waits for the
/// mail service: the contrast that shows the test above measures something.
#[tokio::test]
async fn notices_sent_before_answering_hold_the_answer_until_the_mail_service_takes_them() {
    let f = Fixture::new().await;
    let (app, gate) = f.gated_app(Sending::BeforeAnswering);
    let mut raise = std::pin::pin!(f.raise_with(&app, 1, at(RAISED)));
    let held = tokio::time::timeout(std::time::Duration::from_millis(500), &mut raise).await;
    assert!(held.is_err(), "the answer waited for the mail service");
    gate.send(true).unwrap();
    raise.await;
    assert_eq!(f.mailer.counts().len(), 1, "{:?}", f.mailer.counts());
}

/// A send after answering that the mail service refuses for now is left pending: the next
/// sweep after the retry time sends it, once.
#[tokio::test]
async fn a_send_after_answering_the_mail_service_could_not_take_goes_with_a_later_sweep() {
    let f = Fixture::new().await;
    f.mailer
        .unavailable_once
        .lock()
        .unwrap()
        .push("clock-started".into());
    let app = f.app(true).sending(Sending::AfterAnswering);
    let cases = f.raise_with(&app, 1, at(RAISED)).await;
    app.notices_settled().await;
    assert!(f.mailer.counts().is_empty(), "{:?}", f.mailer.counts());
    let sweep = app
        .sweep(at(RAISED) + RETRY_AFTER + Duration::minutes(1), BUDGET)
        .await
        .unwrap();
    assert_eq!(sweep.sent, 1, "{sweep:?}");
    let counts = f.mailer.counts();
    assert!(
        counts.len() == 1
            && counts
                .keys()
                .all(|k| k.starts_with(cases[0].as_str()) && k.contains("clock-started")),
        "{counts:?}"
    );
}
