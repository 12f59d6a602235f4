//! The mail port: what the product needs from a mail service, in its own terms.
//!
//! A [`Message`] has plain-text and HTML parts and is valid by construction: at least one
//! recipient, a one-line subject. A [`Mailer`] sends it and tells a permanent refusal
//! ([`MailError::Rejected`]: do not retry) from a passing failure ([`MailError::Unavailable`]:
//! try again later). Both adapters send the same MIME, rendered by [`Message::to_mime`].
//!
//! Least data: callers never put a child's name or typed free text in a message, and an
//! adapter never logs a subject or a body — ids, keys and counts only.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
pub use escalations_core::partnership::EmailAddress;

#[cfg(feature = "conformance")]
pub mod conformance;

/// What identifies a message to the caller: deterministic (a notice's key, say), safe to log
/// and to put in a file name once [`MessageKey::file_stem`] has made it so.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a message key is 1 to 200 printable ASCII characters without spaces")]
pub struct InvalidMessageKey;

impl MessageKey {
    pub fn parse(s: &str) -> Result<Self, InvalidMessageKey> {
        if (1..=200).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(MessageKey(s.to_owned()))
        } else {
            Err(InvalidMessageKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key with every character but ASCII letters, digits, `-`, `_` and `.` made `_`,
    /// for file names and Message-IDs (a notice key holds `/`).
    pub fn file_stem(&self) -> String {
        self.0
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a message cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidMessage {
    #[error("a message needs at least one `to` recipient")]
    NoRecipient,
    #[error("a message's subject is one non-empty line")]
    Subject,
}

/// An email to send: valid by construction, so an adapter never refuses it for its shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    key: MessageKey,
    from: EmailAddress,
    to: Vec<EmailAddress>,
    cc: Vec<EmailAddress>,
    subject: String,
    text: String,
    html: String,
}

impl Message {
    /// A message to `to` (at least one) with a one-line subject and both parts; no `cc` until
    /// [`Message::with_cc`].
    pub fn new(
        key: MessageKey,
        from: EmailAddress,
        to: Vec<EmailAddress>,
        subject: impl Into<String>,
        text: impl Into<String>,
        html: impl Into<String>,
    ) -> Result<Self, InvalidMessage> {
        let subject = subject.into();
        if to.is_empty() {
            return Err(InvalidMessage::NoRecipient);
        }
        if subject.trim().is_empty() || subject.contains(['\r', '\n']) {
            return Err(InvalidMessage::Subject);
        }
        Ok(Message {
            key,
            from,
            to,
            cc: Vec::new(),
            subject,
            text: text.into(),
            html: html.into(),
        })
    }

    /// The same message, copied to `cc`.
    pub fn with_cc(mut self, cc: Vec<EmailAddress>) -> Self {
        self.cc = cc;
        self
    }

    pub fn key(&self) -> &MessageKey {
        &self.key
    }

    pub fn from(&self) -> &EmailAddress {
        &self.from
    }

    pub fn to(&self) -> &[EmailAddress] {
        &self.to
    }

    pub fn cc(&self) -> &[EmailAddress] {
        &self.cc
    }

    /// Every recipient, `to` then `cc`.
    pub fn recipients(&self) -> impl Iterator<Item = &EmailAddress> {
        self.to.iter().chain(&self.cc)
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn html(&self) -> &str {
        &self.html
    }

    /// The message as RFC 5322 bytes: multipart/alternative with the text part first, dated
    /// `at`, its Message-ID made from `at` and the key.
    pub fn to_mime(&self, at: DateTime<Utc>) -> Vec<u8> {
        let domain = self
            .from
            .as_str()
            .rsplit_once('@')
            .map_or("escalations.invalid", |(_, domain)| domain);
        let message_id = format!(
            "{}.{}@{domain}",
            at.format("%Y%m%dT%H%M%S%.9fZ"),
            self.key.file_stem()
        );
        let list = |addresses: &[EmailAddress]| -> Vec<String> {
            addresses.iter().map(|a| a.as_str().to_owned()).collect()
        };
        let mut builder = mail_builder::MessageBuilder::new()
            .message_id(message_id)
            .date(at.timestamp())
            .from(self.from.as_str())
            .to(list(&self.to))
            .subject(self.subject.as_str())
            .text_body(self.text.as_str())
            .html_body(self.html.as_str());
        if !self.cc.is_empty() {
            builder = builder.cc(list(&self.cc));
        }
        builder
            .write_to_vec()
            .expect("writing to a Vec cannot fail")
    }
}

/// What the mail service said it did with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The service's id for it (SES's MessageId, the outbox's file name): safe to log.
    pub id: String,
}

/// Why a message was not sent. Neither carries the subject or a body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Refused for good (an address or sender refused): sending again will not help.
    #[error("the mail service refused the message: {0}")]
    Rejected(String),
    /// Not sent this time (throttled, the service or the folder unavailable): try again later.
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
}

impl MailError {
    /// Whether sending the same message later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Unavailable(_))
    }
}

/// Sends messages. Implementations never log a subject or a body.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &Message) -> Result<Sent, MailError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    fn key() -> MessageKey {
        MessageKey::parse("case-1/breached/step-1").unwrap()
    }

    #[test]
    fn a_message_needs_a_recipient_and_a_one_line_subject() {
        let make = |to: Vec<EmailAddress>, subject: &str| {
            Message::new(key(), email("a@x.test"), to, subject, "t", "<p>h</p>")
        };
        assert_eq!(
            make(vec![], "Hello").unwrap_err(),
            InvalidMessage::NoRecipient
        );
        for subject in ["", "  ", "Hello\r\nBcc: e@x.test", "Hello\nthere"] {
            assert_eq!(
                make(vec![email("b@y.test")], subject).unwrap_err(),
                InvalidMessage::Subject
            );
        }
        assert!(make(vec![email("b@y.test")], "Hello").is_ok());
    }

    #[test]
    fn a_message_key_is_printable_ascii_and_makes_a_safe_file_stem() {
        assert!(MessageKey::parse("").is_err());
        assert!(MessageKey::parse("has space").is_err());
        assert!(MessageKey::parse(&"k".repeat(201)).is_err());
        assert_eq!(key().file_stem(), "case-1_breached_step-1");
    }

    #[test]
    fn the_mime_is_multipart_alternative_with_both_parts_and_the_cc() {
        let message = Message::new(
            key(),
            email("a@x.test"),
            vec![email("b@y.test")],
            "Hello",
            "plain words",
            "<p>html words</p>",
        )
        .unwrap()
        .with_cc(vec![email("c@z.test")]);
        let at = "2026-11-25T21:00:00Z".parse().unwrap();
        let mime = String::from_utf8(message.to_mime(at)).unwrap();
        for expected in [
            "multipart/alternative",
            "text/plain",
            "text/html",
            "plain words",
            "<p>html words</p>",
            "Cc: <c@z.test>",
            "Message-ID: <20261125T210000.000000000Z.case-1_breached_step-1@x.test>",
        ] {
            assert!(mime.contains(expected), "{expected:?} missing from\n{mime}");
        }
    }
}
