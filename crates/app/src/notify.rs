//! Notices: planned with the change that calls for them (kept pending in the same atomic
//! write, so none is lost), then sent exactly once — at once for a person's action, by the
//! sweeper for everything whose time comes later or whose first try failed.
//!
//! "At once" is before answering in a Lambda function (which is frozen after its answer) and
//! after answering in a long-running process ([`Sending::AfterAnswering`]): the change is
//! already durable with its pending notices, so the answer waits for no mail.
//!
//! Sending one pending notice: claim its lease → load the case → still applies? → render →
//! send → finish. A crash between the send and the finish is the one window in which a notice
//! can go twice: the lease expires and the next sweep sends it again (ARCHITECTURE.md).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use escalations_core::Procedure;
use escalations_core::case::{Case, Transition};
use escalations_core::ids::CaseId;
use escalations_core::notices::{NoticeContext, NoticePlan, Trigger, plan_notices, render};
use escalations_mail::{MailError, Message, MessageKey};
use escalations_store::{NoticeEnd, NoticeKey, PartnershipConfig, PendingNotice, StoreError};

use crate::App;

/// How long a claimed notice is held before another sweep may take it: longer than a send,
/// shorter than the time between sweeps.
pub const LEASE: Duration = Duration::minutes(2);

/// How long after the mail service was unavailable a notice is tried again.
pub const RETRY_AFTER: Duration = Duration::minutes(5);

/// What became of one pending notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// No longer applies, or refused for good by the mail service.
    Dropped,
    /// The mail service was unavailable: tried again later.
    Failed,
    /// Another sweep holds it, or it was already finished.
    Elsewhere,
    /// No mailer here: it stays pending for a process that has one.
    NoMailer,
}

/// When the notices a person's action calls for are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sending {
    /// Sent before the action is answered: the only safe way where the process may be frozen
    /// or stopped as soon as it answers (a Lambda function).
    #[default]
    BeforeAnswering,
    /// Sent by a task started as the action is answered, in a process that keeps running (the
    /// local stack). A task cut short leaves its notices pending: the next sweep sends them
    /// once the lease runs out. When [`SENDS_AT_ONCE`] sends are already running, the action
    /// sends its own before answering: under more load than the mail can take, people wait
    /// as they did, rather than notices piling up unsent.
    AfterAnswering,
}

/// The sends started after answering that have not finished, at most [`SENDS_AT_ONCE`].
pub(crate) struct InFlight {
    running: tokio::sync::watch::Sender<usize>,
    permits: Arc<tokio::sync::Semaphore>,
}

/// The most sends after answering that run at once: each is a few small writes and one
/// message.
pub const SENDS_AT_ONCE: usize = 32;

impl InFlight {
    pub(crate) fn new() -> Self {
        InFlight {
            running: tokio::sync::watch::Sender::new(0),
            permits: Arc::new(tokio::sync::Semaphore::new(SENDS_AT_ONCE)),
        }
    }

    /// Runs `send` on its own task, counted until it ends (or is dropped at shutdown); or, if
    /// [`SENDS_AT_ONCE`] are running already, gives it back to be run by the caller.
    fn try_spawn<F>(self: &Arc<Self>, send: F) -> Result<(), F>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        struct Counted(Arc<InFlight>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.0.running.send_modify(|n| *n -= 1);
            }
        }
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            return Err(send);
        };
        self.running.send_modify(|n| *n += 1);
        let counted = Counted(self.clone());
        tokio::spawn(async move {
            let (_counted, _permit) = (counted, permit);
            send.await;
        });
        Ok(())
    }

    /// Waits until no send started after answering is running.
    pub(crate) async fn settled(&self) {
        let mut running = self.running.subscribe();
        // The sender lives as long as `self`: waiting cannot fail.
        let _ = running.wait_for(|n| *n == 0).await;
    }
}

impl App {
    /// The notices `transition` calls for, ready to keep with it.
    pub(crate) fn plan_pending(
        &self,
        config: &PartnershipConfig,
        procedure: &Procedure,
        before: Option<&Case>,
        transition: &Transition,
        trigger: Trigger<'_>,
        now: DateTime<Utc>,
    ) -> Vec<PendingNotice> {
        let calendar = config.calendar();
        let context = NoticeContext {
            procedure,
            config,
            calendar: &calendar,
        };
        plan_notices(&context, before, transition, trigger, now)
            .into_iter()
            .filter_map(|plan| {
                let key = NoticeKey::parse(&plan.key).ok()?;
                Some(PendingNotice {
                    case: plan.case.clone(),
                    key,
                    not_before: plan.not_before,
                    plan: serde_json::to_string(&plan).ok()?,
                })
            })
            .collect()
    }

    /// Sends the notices among `pending` whose time has come, right after the change that
    /// planned them. A failure here is not the person's: the notice stays pending and the
    /// next sweep sends it.
    pub(crate) async fn send_now(
        &self,
        config: &PartnershipConfig,
        pending: &[PendingNotice],
        now: DateTime<Utc>,
    ) {
        if self.mail.is_none() {
            return;
        }
        let due: Vec<PendingNotice> = pending
            .iter()
            .filter(|n| n.not_before <= now)
            .cloned()
            .collect();
        if due.is_empty() {
            return;
        }
        match &self.after_answering {
            None => self.deliver_each(config, &due, now).await,
            Some(in_flight) => {
                let (app, config) = (self.clone(), config.clone());
                let send = async move { app.deliver_each(&config, &due, now).await };
                if let Err(send) = in_flight.try_spawn(send) {
                    // Every sending slot is taken: this caller sends before it is answered.
                    send.await;
                }
            }
        }
    }

    /// Waits until every notice sent after answering has been sent, dropped or left for the
    /// sweeper (at once when they are sent before answering).
    pub async fn notices_settled(&self) {
        if let Some(in_flight) = &self.after_answering {
            in_flight.settled().await;
        }
    }

    /// Sends each of `due` (notices whose time has come), one after another.
    async fn deliver_each(
        &self,
        config: &PartnershipConfig,
        due: &[PendingNotice],
        now: DateTime<Utc>,
    ) {
        let partnership = &config.id;
        for notice in due {
            if let Err(error) = self.deliver(config, &notice.case, &notice.key, now).await {
                tracing::warn!(%partnership, case = %notice.case, key = %notice.key.as_str(), error = %error, "notice left for the sweeper");
            }
        }
    }

    /// Claims, sends and finishes one pending notice of the partnership `config` describes.
    pub(crate) async fn deliver(
        &self,
        config: &PartnershipConfig,
        case_id: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let Some(mail) = self.mail.clone() else {
            return Ok(Delivery::NoMailer);
        };
        let store = self.store.as_ref();
        let partnership = &config.id;
        let Some(claimed) = store
            .claim_notice(partnership, case_id, key, now, now + LEASE)
            .await?
        else {
            return Ok(Delivery::Elsewhere);
        };
        let drop = |why: &'static str| async move {
            tracing::info!(%partnership, case = %case_id, key = %key.as_str(), why, "notice dropped");
            store
                .finish_notice(partnership, case_id, key, NoticeEnd::Dropped, now)
                .await
                .map(|_| Delivery::Dropped)
        };
        let Ok(plan) = serde_json::from_str::<NoticePlan>(&claimed.notice.plan) else {
            return drop("unreadable plan").await;
        };
        let Some(case) = store.load_case(partnership, case_id).await? else {
            return drop("case not found").await;
        };
        if !plan.still_applies(&case) {
            return drop("no longer applies").await;
        }
        let Some(procedure) = self.catalogue.get(plan.procedure.as_str()) else {
            return drop("procedure missing").await;
        };
        let words = render(&plan, procedure, config, &mail.base_url);
        let message = MessageKey::parse(&format!("{case_id}/{}", key.as_str()))
            .ok()
            .and_then(|message_key| {
                Message::new(
                    message_key,
                    mail.from.clone(),
                    plan.to.clone(),
                    words.subject,
                    words.text,
                    words.html,
                )
                .ok()
            })
            .map(|m| m.with_cc(plan.cc.clone()));
        let Some(message) = message else {
            return drop("no recipient").await;
        };
        match mail.mailer.send(&message).await {
            Ok(sent) => {
                store
                    .finish_notice(partnership, case_id, key, NoticeEnd::Sent, now)
                    .await?;
                tracing::info!(%partnership, case = %case_id, key = %key.as_str(), kind = plan.kind.name(), audience = plan.audience.name(), recipients = plan.to.len() + plan.cc.len(), sent = %sent.id, "notice sent");
                Ok(Delivery::Sent)
            }
            Err(MailError::Rejected(reason)) => {
                tracing::error!(%partnership, case = %case_id, key = %key.as_str(), %reason, "notice refused by the mail service");
                drop("refused by the mail service").await
            }
            Err(MailError::Unavailable(reason)) => {
                tracing::warn!(%partnership, case = %case_id, key = %key.as_str(), %reason, attempts = claimed.attempts, "mail service unavailable: notice kept");
                store
                    .release_notice(partnership, case_id, key, now + RETRY_AFTER)
                    .await?;
                Ok(Delivery::Failed)
            }
        }
    }
}
