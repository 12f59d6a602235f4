//! The sweeper's entry against moto-backed DynamoDB and SES, called as the Lambda runtime
//! calls it: the schedule's input (`infra/events/sweep.json`) and the invocation's deadline.
//!
//! Needs moto (`eval "$(./scripts/tools.sh)"` sets `MOTO_PYTHON`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_ses::config::{BehaviorVersion, Credentials, Region};
use escalations_api::Api;
use escalations_app::App;
use escalations_core::Catalogue;
use escalations_lambda::{bootstrap, sweep};
use escalations_mail_ses::SesMailer;
use escalations_store::Store;
use escalations_store_dynamodb::DynamoStore;
use escalations_testkit::moto;
use serde_json::Value;

const SENDER: &str = "escalations@sweep.scp.test";

fn event(name: &str) -> String {
    let path = format!("{}/../../infra/events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

async fn ses() -> aws_sdk_ses::Client {
    let config = aws_sdk_ses::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(moto::endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .build();
    let client = aws_sdk_ses::Client::from_conf(config);
    client
        .verify_email_identity()
        .email_address(SENDER)
        .send()
        .await
        .unwrap();
    client
}

/// The app the function builds: the DynamoDB store, SES, settings as the environment gives them.
async fn app(table: &str) -> App {
    let store = DynamoStore::new(moto::client(), table.to_owned());
    let mail =
        bootstrap::mail_settings_from(Arc::new(SesMailer::new(ses().await)), |name| match name {
            "MAIL_FROM" => Some(SENDER.to_owned()),
            "BASE_URL" => Some("https://escalations.scp.test".to_owned()),
            _ => None,
        })
        .unwrap();
    App::new(Arc::new(store), Catalogue::builtin().unwrap()).with_mail(mail)
}

fn deadline() -> SystemTime {
    SystemTime::now() + Duration::from_secs(120)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_runs_at_the_events_time_and_answers_with_its_summary() {
    let client = moto::client();
    let table = moto::fresh_table(&client).await;
    let store = DynamoStore::new(client, table.clone());
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    // A case raised on 23 November 2026: its first clock falls due on the 26th.
    let raised_at = || "2026-11-23T10:00:00Z".parse().unwrap();
    let api = Api::new(
        Arc::new(store),
        Catalogue::builtin().unwrap(),
        Arc::new(raised_at),
    );
    let raise = lambda_http::request::from_str(&event("raise.json")).unwrap();
    let response = escalations_lambda::http::handle(&api, raise).await.unwrap();
    assert_eq!(response.status(), 201);

    let app = app(&table).await;
    let input: Value = serde_json::from_str(&event("sweep.json")).unwrap();
    let summary = sweep::handle(&app, &input, deadline()).await.unwrap();
    // What the function answers: the summary as JSON, `now` the event's time.
    let answer = serde_json::to_value(&summary).unwrap();
    assert_eq!(answer["now"], "2026-12-01T09:00:00Z", "{answer}");
    assert_eq!(answer["now"], input["time"]);
    assert_eq!(answer["due_clocks"], 1, "{answer}");
    assert_eq!(answer["breaches_recorded"], 1, "{answer}");

    // Scheduler retrying the same event records nothing twice.
    let again = sweep::handle(&app, &input, deadline()).await.unwrap();
    assert_eq!(again.now, summary.now);
    assert_eq!(again.breaches_recorded, 0, "{again:?}");

    // Any instant can be replayed: before the clock fell due, nothing is due.
    let early = serde_json::json!({ "time": "2026-11-24T09:00:00Z" });
    let summary = sweep::handle(&app, &early, deadline()).await.unwrap();
    assert_eq!(summary.now.to_rfc3339(), "2026-11-24T09:00:00+00:00");
    assert_eq!(summary.due_clocks, 0, "{summary:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_without_a_time_is_an_error_naming_the_field() {
    let app = app(&moto::fresh_table(&moto::client()).await).await;
    let error = sweep::handle(&app, &serde_json::json!({}), deadline())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("`time`"), "{error}");
}

/// A store that fails fails the invocation, so Scheduler retries it and then dead-letters it.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_error_fails_the_invocation() {
    let app = app("no-such-table").await;
    let input: Value = serde_json::from_str(&event("sweep.json")).unwrap();
    assert!(sweep::handle(&app, &input, deadline()).await.is_err());
}

/// The checked-in event is the schedule's input (template.yaml) with the template's placeholder
/// filled in, as Scheduler delivers it.
#[test]
fn the_event_file_has_the_schedules_input_shape() {
    let input: Value = serde_json::from_str(&event("sweep.json")).unwrap();
    assert_eq!(
        input.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["time"]
    );
    assert_eq!(
        sweep::scheduled_time(&input).unwrap().to_rfc3339(),
        "2026-12-01T09:00:00+00:00"
    );
    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
            .unwrap();
    assert!(
        template.contains(r#"Input: '{"time": "<aws.scheduler.scheduled-time>"}'"#),
        "template.yaml's schedule input is not the shape this event and the handler read"
    );
}
