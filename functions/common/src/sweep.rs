//! The scheduled sweeper's entry: EventBridge Scheduler invokes the `sweep` function every
//! few minutes; each invocation is one [`App::sweep`] at the scheduled instant.
//!
//! "Now" is the event's `time`, never the wall clock, so a replayed or retried event sweeps
//! for the instant it was scheduled at (and a test can sweep any instant). Two shapes carry it:
//!
//! - the schedule's own input (template.yaml): `{"time": "<aws.scheduler.scheduled-time>"}`,
//!   which Scheduler fills with the scheduled instant, e.g. `{"time": "2026-11-23T10:05:00Z"}`;
//! - the classic EventBridge scheduled event: `{"detail-type": "Scheduled Event",
//!   "time": "2026-11-23T10:05:00Z", ...}`.
//!
//! A missing or unreadable `time` is an error naming the field. The sweep's time budget is
//! what the invocation has left, less [`SAFETY_MARGIN`]. The [`SweepSummary`] is logged as
//! one JSON line (counts and the instant only) and returned as the function's output; a store
//! error fails the invocation, so Scheduler retries it and then sends it to the dead-letter
//! queue.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use escalations_app::{App, SweepSummary};
use escalations_core::Catalogue;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::Value;

use crate::{Error, bootstrap};

/// Kept back from the invocation's deadline: time to finish the notice in hand, log the
/// summary and answer before Lambda stops the function.
pub const SAFETY_MARGIN: Duration = Duration::from_secs(10);

/// Runs the sweeper: one `App` (store and mailer) for the life of the execution environment.
pub async fn run() -> Result<(), Error> {
    bootstrap::init_tracing();
    let config = bootstrap::aws_config().await;
    let store = bootstrap::dynamo_store_with(&config)?;
    let app = App::new(Arc::new(store), Catalogue::builtin()?)
        .with_mail(bootstrap::mail_settings(&config)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let app = app.clone();
        async move { handle(&app, &event.payload, event.context.deadline()).await }
    }))
    .await
}

/// The event carries no usable `time`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error(
        "the event has no `time` field: the schedule's input must be {{\"time\": \"<aws.scheduler.scheduled-time>\"}}"
    )]
    MissingTime,
    #[error("the event's `time` field is not an RFC 3339 instant: {0}")]
    InvalidTime(String),
}

/// The instant to sweep for: the event's `time` (either shape, see the module's documentation).
pub fn scheduled_time(event: &Value) -> Result<DateTime<Utc>, EventError> {
    match event.get("time") {
        None | Some(Value::Null) => Err(EventError::MissingTime),
        Some(Value::String(time)) => DateTime::parse_from_rfc3339(time.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| EventError::InvalidTime(format!("{time:?}"))),
        Some(other) => Err(EventError::InvalidTime(other.to_string())),
    }
}

/// What the invocation may spend: the time left before `deadline`, less [`SAFETY_MARGIN`]
/// (zero if that is already gone: the sweep then leaves everything for the next run).
pub fn budget(deadline: SystemTime, at: SystemTime) -> Duration {
    deadline
        .duration_since(at)
        .unwrap_or_default()
        .saturating_sub(SAFETY_MARGIN)
}

/// One invocation: sweeps at the event's `time` within the invocation's deadline and returns
/// the summary (which the sweep logs as one line).
pub async fn handle(app: &App, event: &Value, deadline: SystemTime) -> Result<SweepSummary, Error> {
    let now = scheduled_time(event)?;
    let budget = budget(deadline, SystemTime::now());
    let summary = app.sweep(now, budget).await.map_err(|e| {
        tracing::error!(%now, error = %e, "sweep failed");
        e
    })?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_schedules_input_and_the_classic_scheduled_event_both_give_the_time() {
        let at: DateTime<Utc> = "2026-11-23T10:05:00Z".parse().unwrap();
        let scheduler = json!({ "time": "2026-11-23T10:05:00Z" });
        let classic = json!({
            "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-23T10:05:00Z", "region": "eu-west-2",
            "resources": ["arn:aws:events:eu-west-2:123456789012:rule/sweep"], "detail": {}
        });
        assert_eq!(scheduled_time(&scheduler), Ok(at));
        assert_eq!(scheduled_time(&classic), Ok(at));
        // An offset is the same instant.
        assert_eq!(
            scheduled_time(&json!({ "time": "2026-11-23T11:05:00+01:00" })),
            Ok(at)
        );
    }

    #[test]
    fn a_missing_or_unreadable_time_is_an_error_naming_the_field() {
        for event in [json!({}), json!({ "time": null }), json!(null), json!("x")] {
            let error = scheduled_time(&event).unwrap_err();
            assert_eq!(error, EventError::MissingTime, "{event}");
            assert!(error.to_string().contains("`time`"), "{error}");
        }
        for event in [
            json!({ "time": "<aws.scheduler.scheduled-time>" }),
            json!({ "time": "2026-11-23" }),
            json!({ "time": 1795428000 }),
        ] {
            let error = scheduled_time(&event).unwrap_err();
            assert!(matches!(error, EventError::InvalidTime(_)), "{event}");
            assert!(error.to_string().contains("`time`"), "{error}");
        }
    }

    #[test]
    fn the_budget_is_what_is_left_less_the_margin() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(
            budget(at + Duration::from_secs(120), at),
            Duration::from_secs(110)
        );
        assert_eq!(budget(at + Duration::from_secs(5), at), Duration::ZERO);
        assert_eq!(budget(at - Duration::from_secs(5), at), Duration::ZERO);
    }
}
