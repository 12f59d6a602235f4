//! Set-up every function does once per execution environment, whatever invokes it.
//!
//! Configuration (set by template.yaml): `TABLE_NAME`. The AWS SDK reads its own
//! (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL` in tests).

use escalations_store_dynamodb::DynamoStore;

use crate::Error;

/// JSON log lines for CloudWatch, filtered by `RUST_LOG`. Call once, first.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_ansi(false)
        .without_time() // CloudWatch stamps every line
        .init();
}

/// The DynamoDB table's name, from `TABLE_NAME`.
pub fn table_name() -> Result<String, Error> {
    std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set".into())
}

/// The store over the deployment's table, with the SDK configured from the environment.
pub async fn dynamo_store() -> Result<DynamoStore, Error> {
    let table = table_name()?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    Ok(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&config),
        table,
    ))
}
