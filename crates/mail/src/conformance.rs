//! The conformance suite: one set of checks every mail adapter must pass.
//!
//! An adapter's tests call [`mail_conformance_suite!`] with an async function that returns a
//! fresh [`Fixture`]: the mailer, a way to read back what it delivered (moto's record, the
//! outbox folder), and a sender it may send from. Each check becomes one `#[tokio::test]`.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use crate::{EmailAddress, Mailer, Message, MessageKey};

/// A fresh adapter under test.
pub struct Fixture {
    pub mailer: Arc<dyn Mailer>,
    pub delivered: Arc<dyn Delivered>,
    /// A sender this mailer may send from (SES: a verified identity).
    pub from: EmailAddress,
}

/// Reads back every message a fixture's mailer delivered, in the order sent.
#[async_trait]
pub trait Delivered: Send + Sync {
    async fn delivered(&self) -> Vec<DeliveredMessage>;
}

/// A delivered message as a mail client would read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveredMessage {
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl DeliveredMessage {
    /// Parses RFC 5322 bytes (as [`Message::to_mime`] writes them) with an independent parser.
    pub fn parse(raw: &[u8]) -> DeliveredMessage {
        let parsed = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a delivered message parses as RFC 5322");
        let addresses = |address: Option<&mail_parser::Address>| -> Vec<String> {
            address
                .map(|a| {
                    a.iter()
                        .filter_map(|addr| addr.address().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(parsed.text_body_count(), 1, "one text part");
        assert_eq!(parsed.html_body_count(), 1, "one html part");
        DeliveredMessage {
            from: addresses(parsed.from()),
            to: addresses(parsed.to()),
            cc: addresses(parsed.cc()),
            subject: parsed.subject().unwrap_or_default().to_owned(),
            text: lines(&parsed.body_text(0).unwrap_or_default()),
            html: lines(&parsed.body_html(0).unwrap_or_default()),
        }
    }
}

/// A body's lines as the caller wrote them: on the wire every line ends CRLF (RFC 5322).
fn lines(body: &str) -> String {
    body.replace("\r\n", "\n")
}

/// Generates one test per check for an adapter. `$fresh` is a path to an `async fn() ->
/// Fixture` returning an adapter that has delivered nothing yet.
#[macro_export]
macro_rules! mail_conformance_suite {
    ($fresh:path) => {
        $crate::mail_conformance_suite!(@tests $fresh;
            a_message_is_delivered_with_exactly_its_recipients_subject_and_parts,
            several_messages_are_all_delivered_none_merged,
            a_unicode_subject_and_body_round_trip,
            cc_recipients_are_kept_apart_from_to,
            several_recipients_each_receive_the_message,
            a_body_with_lines_longer_than_mail_allows_round_trips,
            nothing_logged_holds_the_subject_or_a_body,
        );
    };
    (@tests $fresh:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $crate::conformance::$check($fresh().await).await;
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------
// Fixtures

pub fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

pub fn key(s: &str) -> MessageKey {
    MessageKey::parse(s).unwrap()
}

/// A message from the fixture's sender to `to`.
pub fn message(fixture: &Fixture, key_: &str, to: &[&str], subject: &str, text: &str) -> Message {
    Message::new(
        key(key_),
        fixture.from.clone(),
        to.iter().map(|s| email(s)).collect(),
        subject,
        text,
        format!("<p>{text}</p>"),
    )
    .unwrap()
}

fn strings(addresses: &[EmailAddress]) -> Vec<String> {
    addresses.iter().map(|a| a.as_str().to_owned()).collect()
}

/// What a message should read as once delivered.
pub fn expected(message: &Message) -> DeliveredMessage {
    DeliveredMessage {
        from: vec![message.from().as_str().to_owned()],
        to: strings(message.to()),
        cc: strings(message.cc()),
        subject: message.subject().to_owned(),
        text: message.text().to_owned(),
        html: message.html().to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Checks

pub async fn a_message_is_delivered_with_exactly_its_recipients_subject_and_parts(f: Fixture) {
    let m = message(
        &f,
        "case-1/breached/step-1",
        &["lead@school.test"],
        "Escalation ESC-1: a response is overdue",
        "Stage 1 response was due on 24 November.\nOpen the case to respond.",
    );
    let sent = f.mailer.send(&m).await.unwrap();
    assert!(!sent.id.is_empty());
    assert_eq!(f.delivered.delivered().await, vec![expected(&m)]);
}

pub async fn several_messages_are_all_delivered_none_merged(f: Fixture) {
    let messages: Vec<Message> = (1..=5)
        .map(|i| {
            message(
                &f,
                &format!("case-{i}/due-soon/step-1"),
                &[&format!("person-{i}@agency.test")],
                &format!("Escalation ESC-{i}: due tomorrow"),
                &format!("Case {i} is due tomorrow."),
            )
        })
        .collect();
    let mut ids = BTreeSet::new();
    for m in &messages {
        ids.insert(f.mailer.send(m).await.unwrap().id);
    }
    assert_eq!(ids.len(), messages.len(), "each send has its own id");
    assert_eq!(
        f.delivered.delivered().await,
        messages.iter().map(expected).collect::<Vec<_>>()
    );
}

pub async fn a_unicode_subject_and_body_round_trip(f: Fixture) {
    let m = message(
        &f,
        "case-2/escalated/step-2",
        &["chair@scp.test"],
        "Café — 29 December: escalated to stage 2 “strategic”",
        "Réunion on 29 December — « urgent » ✓\nZoë’s team will reply. 日本語",
    );
    f.mailer.send(&m).await.unwrap();
    assert_eq!(f.delivered.delivered().await, vec![expected(&m)]);
}

pub async fn cc_recipients_are_kept_apart_from_to(f: Fixture) {
    let m = message(
        &f,
        "case-3/raised",
        &["receiver@health.test"],
        "A new escalation",
        "A case was raised with your agency.",
    )
    .with_cc(vec![
        email("mailbox@scp.test"),
        email("designated@health.test"),
    ]);
    f.mailer.send(&m).await.unwrap();
    let delivered = f.delivered.delivered().await;
    assert_eq!(delivered, vec![expected(&m)]);
    assert_eq!(
        delivered[0].cc,
        ["mailbox@scp.test", "designated@health.test"]
    );
}

pub async fn several_recipients_each_receive_the_message(f: Fixture) {
    let m = message(
        &f,
        "case-4/resolved",
        &["one@a.test", "two@b.test", "three@c.test"],
        "Escalation resolved",
        "The case was resolved at stage 1.",
    );
    f.mailer.send(&m).await.unwrap();
    let delivered = f.delivered.delivered().await;
    assert_eq!(delivered, vec![expected(&m)]);
    assert_eq!(
        delivered[0].to,
        ["one@a.test", "two@b.test", "three@c.test"]
    );
}

pub async fn a_body_with_lines_longer_than_mail_allows_round_trips(f: Fixture) {
    // RFC 5322 allows 998 characters a line; the MIME encoding must carry longer ones.
    let long = "An agreed action is overdue. ".repeat(80);
    let m = Message::new(
        key("case-6/action-overdue"),
        f.from.clone(),
        vec![email("lead@school.test")],
        "An agreed action is overdue",
        format!("{long}\n.\nFrom the partnership"),
        format!("<table><tr><td>{long}</td></tr></table>"),
    )
    .unwrap();
    f.mailer.send(&m).await.unwrap();
    assert_eq!(f.delivered.delivered().await, vec![expected(&m)]);
}

thread_local! {
    static THREAD_LOGS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes log lines to the logging thread's own buffer.
struct ThreadLogs;

impl std::io::Write for ThreadLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        THREAD_LOGS.with(|logs| logs.borrow_mut().extend_from_slice(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing what this thread logs, every level down to debug. The subscriber is the
/// process's global one (a scoped one misses events when tests run in parallel: tracing
/// caches each call site's interest), installed once; each thread keeps its own lines.
fn capture_logs() {
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let installed = *INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(|| ThreadLogs)
            .finish();
        tracing::subscriber::set_global_default(subscriber).is_ok()
    });
    assert!(
        installed,
        "the log check needs to install the process's global subscriber"
    );
    THREAD_LOGS.with(|logs| logs.borrow_mut().clear());
}

/// What this thread logged since [`capture_logs`].
fn captured_logs() -> String {
    THREAD_LOGS.with(|logs| String::from_utf8_lossy(&logs.borrow()).into_owned())
}

pub async fn nothing_logged_holds_the_subject_or_a_body(f: Fixture) {
    capture_logs();
    let m = message(
        &f,
        "case-5/breached/step-2",
        &["lead@school.test"],
        "Subject-Zephyrine-Quillfeather",
        "Body-Marigold-Thistlewaite",
    );
    f.mailer.send(&m).await.unwrap();
    let logged = captured_logs();
    assert!(
        logged.contains("case-5/breached/step-2"),
        "the key is logged: {logged}"
    );
    for secret in ["Zephyrine", "Marigold"] {
        assert!(!logged.contains(secret), "{secret} logged: {logged}");
    }
}
