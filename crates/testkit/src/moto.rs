//! A DynamoDB emulator (moto_server) on a free loopback port, and fresh tables created from
//! template.yaml's definition. Shared by the adapter's tests and the storage benchmark.

use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use serde_yaml_ng::Value;

/// The endpoint of a moto_server this test process started (or `MOTO_ENDPOINT` if set).
pub fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        if let Ok(endpoint) = std::env::var("MOTO_ENDPOINT") {
            return endpoint;
        }
        // moto_server applies concurrent requests without locks; this launcher serialises
        // them so conditional writes are atomic, as in DynamoDB (see the script).
        let python = std::env::var("MOTO_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let launcher = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/moto/serial_moto_server.py"
        );
        let port = crate::free_port();
        // A watchdog shell stops the server when this test process exits, however it exits.
        let script = format!(
            "\"{python}\" \"{launcher}\" 127.0.0.1 {port} >/dev/null 2>&1 & server=$!; \
             while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill $server",
            parent = std::process::id()
        );
        // The watchdog outlives this process on purpose: it is never waited for.
        let watchdog = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto ({e}): run ./scripts/tools.sh"));
        std::mem::forget(watchdog);
        let endpoint = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto did not start on port {port}: is it installed? run \
                 `eval \"$(./scripts/tools.sh)\"` (it sets MOTO_PYTHON)"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        endpoint
    })
}

pub fn client() -> Client {
    client_at(endpoint())
}

/// A client of moto's test account reaching it at `url` (moto itself, or a tap in front of
/// it: `wire::tap`).
pub fn client_at(url: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .build();
    Client::from_conf(config)
}

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// template.yaml's `CasesTable` properties.
pub fn table_properties() -> Value {
    template()["Resources"]["CasesTable"]["Properties"].clone()
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v:?}"))
        .to_owned()
}

fn key_schema(v: &Value) -> Vec<KeySchemaElement> {
    v.as_sequence()
        .unwrap()
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(text(&k["AttributeName"]))
                .key_type(KeyType::from(text(&k["KeyType"]).as_str()))
                .build()
                .unwrap()
        })
        .collect()
}

/// Creates an empty table from template.yaml's definition, with a name of its own.
pub async fn fresh_table(client: &Client) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "escalations-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let props = table_properties();
    assert_eq!(text(&props["BillingMode"]), "PAY_PER_REQUEST");
    let mut create = client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(&props["KeySchema"])));
    for attribute in props["AttributeDefinitions"].as_sequence().unwrap() {
        create = create.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(text(&attribute["AttributeName"]))
                .attribute_type(ScalarAttributeType::from(
                    text(&attribute["AttributeType"]).as_str(),
                ))
                .build()
                .unwrap(),
        );
    }
    for index in props["GlobalSecondaryIndexes"].as_sequence().unwrap() {
        let projection = &index["Projection"];
        let non_key = projection["NonKeyAttributes"]
            .as_sequence()
            .map(|attrs| attrs.iter().map(text).collect::<Vec<_>>());
        create = create.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(text(&index["IndexName"]))
                .set_key_schema(Some(key_schema(&index["KeySchema"])))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            text(&projection["ProjectionType"]).as_str(),
                        ))
                        .set_non_key_attributes(non_key)
                        .build(),
                )
                .build()
                .unwrap(),
        );
    }
    create.send().await.unwrap();
    name
}
