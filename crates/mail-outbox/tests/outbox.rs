//! The outbox adapter: the conformance suite, plus what only a folder can show.

use std::sync::Arc;

use async_trait::async_trait;
use escalations_mail::conformance::{self, Delivered, DeliveredMessage, Fixture, email};
use escalations_mail::{MailError, Mailer};
use escalations_mail_outbox::Outbox;

/// Reads the folder back with an independent MIME parser. Holds the temporary folder so it
/// lives as long as the fixture.
struct Folder {
    outbox: Arc<Outbox>,
    _dir: Arc<tempfile::TempDir>,
}

#[async_trait]
impl Delivered for Folder {
    async fn delivered(&self) -> Vec<DeliveredMessage> {
        self.outbox
            .messages()
            .unwrap()
            .iter()
            .map(|(_, bytes)| DeliveredMessage::parse(bytes))
            .collect()
    }
}

async fn fresh() -> Fixture {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let outbox = Arc::new(Outbox::new(dir.path()));
    Fixture {
        mailer: outbox.clone(),
        delivered: Arc::new(Folder { outbox, _dir: dir }),
        from: email("escalations@scp.test"),
    }
}

escalations_mail::mail_conformance_suite!(fresh);

fn numbered(f: &Fixture, i: usize) -> escalations_mail::Message {
    conformance::message(
        f,
        &format!("case-{i}/breached/step-1"),
        &["lead@school.test"],
        &format!("Escalation {i}"),
        &format!("Message {i}."),
    )
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn file_names_sort_in_send_order_and_say_when_and_which_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = fresh().await;
    let outbox = Outbox::new(dir.path());
    let mut sent = Vec::new();
    for i in 0..20 {
        sent.push(outbox.send(&numbered(&f, i)).await.unwrap().id);
    }
    assert_eq!(names_in(dir.path()), sent, "sorted by name = sent order");
    let first = &sent[0];
    // 20261125T214800.123456789Z-case-0_breached_step-1.eml
    assert_eq!(
        first.len(),
        "yyyymmddThhmmss.nnnnnnnnnZ".len() + "-case-0_breached_step-1.eml".len()
    );
    assert!(first.ends_with("Z-case-0_breached_step-1.eml"), "{first}");
    assert_eq!(&first[8..9], "T");
    assert_eq!(&first[15..16], ".");
}

#[tokio::test]
async fn no_temporary_file_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let f = fresh().await;
    let outbox = Outbox::new(dir.path());
    for i in 0..3 {
        outbox.send(&numbered(&f, i)).await.unwrap();
    }
    let names = names_in(dir.path());
    assert_eq!(names.len(), 3);
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".eml") && !n.starts_with('.')),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_missing_folder_is_unavailable_and_leaves_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let f = fresh().await;
    let outbox = Outbox::new(parent.path().join("missing").join("outbox"));
    let error = outbox.send(&numbered(&f, 1)).await.unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
    assert!(error.is_transient());
    assert!(names_in(parent.path()).is_empty());
}

#[tokio::test]
async fn a_file_where_the_folder_should_be_is_unavailable() {
    let parent = tempfile::tempdir().unwrap();
    let not_a_dir = parent.path().join("outbox");
    std::fs::write(&not_a_dir, b"not a folder").unwrap();
    let f = fresh().await;
    let error = Outbox::new(&not_a_dir)
        .send(&numbered(&f, 1))
        .await
        .unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
    assert_eq!(names_in(parent.path()), ["outbox"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_all_land() {
    let f = fresh().await;
    let sends = (0..16).map(|i| {
        let mailer = f.mailer.clone();
        let message = numbered(&f, i);
        tokio::spawn(async move { mailer.send(&message).await.unwrap() })
    });
    let mut ids = std::collections::BTreeSet::new();
    for send in sends.collect::<Vec<_>>() {
        ids.insert(send.await.unwrap().id);
    }
    assert_eq!(ids.len(), 16);
    let delivered = f.delivered.delivered().await;
    assert_eq!(delivered.len(), 16);
    let mut subjects: Vec<_> = delivered.into_iter().map(|m| m.subject).collect();
    subjects.sort();
    let mut expected: Vec<_> = (0..16).map(|i| format!("Escalation {i}")).collect();
    expected.sort();
    assert_eq!(subjects, expected);
}

#[tokio::test]
async fn the_file_is_rfc_5322_with_the_key_in_its_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let f = fresh().await;
    let sent = Outbox::new(dir.path())
        .send(&numbered(&f, 7))
        .await
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join(&sent.id)).unwrap();
    assert!(text.contains("MIME-Version: 1.0"), "{text}");
    assert!(
        text.contains("Content-Type: multipart/alternative"),
        "{text}"
    );
    assert!(text.contains(".case-7_breached_step-1@scp.test>"), "{text}");
}
