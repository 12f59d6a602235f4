//! The SES mail adapter: the port's MIME (plain text and HTML) sent with `SendRawEmail`, to
//! every `to` and `cc` recipient.
//!
//! Errors are sorted for the sweeper: a refusal that sending again cannot change (the message
//! or the sender refused) is `Rejected`; throttling, a 5xx, a paused account or no answer is
//! `Unavailable`. Only the key, SES's message id and the number of recipients are logged,
//! never the subject or a body.

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ses::operation::send_raw_email::SendRawEmailError;
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use escalations_mail::{MailError, Mailer, Message, Sent};

/// Sends through Amazon SES (v1 API). The sender must be a verified identity.
pub struct SesMailer {
    client: Client,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        SesMailer { client }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, message: &Message) -> Result<Sent, MailError> {
        let raw = RawMessage::builder()
            .data(Blob::new(message.to_mime(chrono::Utc::now())))
            .build()
            .map_err(|e| MailError::Rejected(format!("cannot build the raw message: {e}")))?;
        let recipients: Vec<String> = message.recipients().map(|a| a.to_string()).collect();
        let count = recipients.len();
        let sent = self
            .client
            .send_raw_email()
            .source(message.from().as_str())
            .set_destinations(Some(recipients))
            .raw_message(raw)
            .send()
            .await;
        match sent {
            Ok(output) => {
                let id = output.message_id().to_owned();
                tracing::info!(
                    key = %message.key(),
                    message_id = %id,
                    recipients = count,
                    "mail sent through SES"
                );
                Ok(Sent { id })
            }
            Err(e) => {
                let error = mail_error(e);
                tracing::warn!(
                    key = %message.key(),
                    recipients = count,
                    error = %error,
                    "mail not sent through SES"
                );
                Err(error)
            }
        }
    }
}

/// Sorts an SDK error into permanent and transient.
fn mail_error(e: SdkError<SendRawEmailError>) -> MailError {
    let code = e.code().map(str::to_owned);
    let status = match &e {
        SdkError::ServiceError(service) => Some(service.raw().status().as_u16()),
        _ => None,
    };
    let detail = DisplayErrorContext(&e).to_string();
    let permanent = match &e {
        SdkError::ServiceError(service) => match service.err() {
            SendRawEmailError::MessageRejected(_)
            | SendRawEmailError::MailFromDomainNotVerifiedException(_)
            | SendRawEmailError::ConfigurationSetDoesNotExistException(_) => true,
            SendRawEmailError::AccountSendingPausedException(_)
            | SendRawEmailError::ConfigurationSetSendingPausedException(_) => false,
            _ => !transient(code.as_deref(), status),
        },
        // The request could not be built: sending it again builds it the same way.
        SdkError::ConstructionFailure(_) => true,
        // A timeout, no connection, or an answer that could not be read.
        _ => false,
    };
    if permanent {
        MailError::Rejected(detail)
    } else {
        MailError::Unavailable(detail)
    }
}

/// Whether an error SES did not model is worth retrying: throttling, a server error, or no
/// status at all.
fn transient(code: Option<&str>, status: Option<u16>) -> bool {
    matches!(
        code,
        Some(
            "Throttling"
                | "ThrottlingException"
                | "TooManyRequestsException"
                | "ServiceUnavailable"
                | "InternalFailure"
                | "RequestTimeout"
        )
    ) || status.is_none_or(|s| s == 429 || s >= 500)
}

#[cfg(test)]
mod tests {
    use super::transient;

    #[test]
    fn throttling_and_server_errors_are_transient_other_refusals_are_not() {
        assert!(transient(Some("Throttling"), Some(400)));
        assert!(transient(None, Some(503)));
        assert!(transient(Some("InternalFailure"), Some(500)));
        assert!(transient(None, None));
        assert!(!transient(Some("InvalidParameterValue"), Some(400)));
        assert!(!transient(None, Some(403)));
    }
}
