//! The SES adapter over the real SES wire protocol, against moto_server: the conformance
//! suite, reading each message back from moto's record, plus how refusals are sorted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::config::{BehaviorVersion, Credentials, Region};
use escalations_mail::conformance::{self, Delivered, DeliveredMessage, Fixture, email};
use escalations_mail::{EmailAddress, MailError, Mailer};
use escalations_mail_ses::SesMailer;
use escalations_testkit::moto;

fn client_at(endpoint: &str) -> Client {
    let config = aws_sdk_ses::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .build();
    Client::from_conf(config)
}

/// A sender of its own, so one fixture reads back only what its mailer sent.
fn fresh_sender() -> EmailAddress {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    email(&format!(
        "escalations-{}-{}@scp.test",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ))
}

/// What moto recorded as sent from one sender, oldest first (`ses.RawMessage` in
/// `/moto-api/data.json`: `source`, `destinations`, `raw_data`).
struct MotoRecord {
    from: EmailAddress,
}

#[async_trait]
impl Delivered for MotoRecord {
    async fn delivered(&self) -> Vec<DeliveredMessage> {
        let url = format!("{}/moto-api/data.json", moto::endpoint());
        let data: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        data["ses"]["RawMessage"]
            .as_array()
            .expect("moto's data.json lists ses.RawMessage")
            .iter()
            .filter(|m| m["source"] == self.from.as_str())
            .map(|m| DeliveredMessage::parse(m["raw_data"].as_str().unwrap().as_bytes()))
            .collect()
    }
}

async fn fresh() -> Fixture {
    let client = client_at(moto::endpoint());
    let from = fresh_sender();
    client
        .verify_email_identity()
        .email_address(from.as_str())
        .send()
        .await
        .unwrap();
    Fixture {
        mailer: Arc::new(SesMailer::new(client)),
        delivered: Arc::new(MotoRecord { from: from.clone() }),
        from,
    }
}

escalations_mail::mail_conformance_suite!(fresh);

#[tokio::test]
async fn an_unverified_sender_is_rejected_for_good() {
    let f = fresh().await;
    let unverified = Fixture {
        from: fresh_sender(),
        ..f
    };
    let message = conformance::message(
        &unverified,
        "case-1/raised",
        &["lead@school.test"],
        "A new escalation",
        "A case was raised.",
    );
    let error = unverified.mailer.send(&message).await.unwrap_err();
    assert!(matches!(error, MailError::Rejected(_)), "{error:?}");
    assert!(!error.is_transient());
    assert!(unverified.delivered.delivered().await.is_empty());
}

#[tokio::test]
async fn no_answer_from_ses_is_unavailable() {
    let f = fresh().await;
    // Nothing listens on a port just freed.
    let endpoint = format!("http://127.0.0.1:{}", escalations_testkit::free_port());
    let mailer = SesMailer::new(client_at(&endpoint));
    let message = conformance::message(
        &f,
        "case-1/raised",
        &["lead@school.test"],
        "A new escalation",
        "A case was raised.",
    );
    let error = mailer.send(&message).await.unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn ses_answers_with_its_message_id_and_is_given_every_recipient() {
    let f = fresh().await;
    let message = conformance::message(
        &f,
        "case-1/raised",
        &["lead@school.test"],
        "A new escalation",
        "A case was raised.",
    )
    .with_cc(vec![email("mailbox@scp.test")]);
    let sent = f.mailer.send(&message).await.unwrap();
    let url = format!("{}/moto-api/data.json", moto::endpoint());
    let data: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let recorded = data["ses"]["RawMessage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == sent.id.as_str())
        .expect("moto recorded the message under the id SES answered");
    assert_eq!(recorded["source"], f.from.as_str());
    // The envelope names `to` and `cc` first; moto then adds the headers' addresses again.
    let destinations = recorded["destinations"].as_array().unwrap();
    assert_eq!(destinations[..2], ["lead@school.test", "mailbox@scp.test"]);
}
