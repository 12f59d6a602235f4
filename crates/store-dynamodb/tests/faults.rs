//! DynamoDB throttling, injected on the wire: the adapter's client talks to moto through a
//! small proxy that answers chosen operations with DynamoDB's own throttling error (after the
//! SDK's retries, still throttled). The adapter says "busy" — which the API answers with 503
//! and `Retry-After` — and nothing is half-written: the case is wholly there or wholly not.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use aws_sdk_dynamodb::config::{Credentials, Region};
use escalations_core::case::Role;
use escalations_store::conformance::{actor, partnership, raised, respond};
use escalations_store::{Store, StoreError};
use escalations_store_dynamodb::DynamoStore;
use escalations_testkit::moto;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to DynamoDB's write operations.
#[derive(Default)]
struct Faults {
    throttle_writes: AtomicBool,
    throttled: AtomicUsize,
}

const WRITES: [&str; 4] = [
    "DynamoDB_20120810.TransactWriteItems",
    "DynamoDB_20120810.PutItem",
    "DynamoDB_20120810.UpdateItem",
    "DynamoDB_20120810.DeleteItem",
];

/// One HTTP/1.1 message (head and Content-Length body) from `stream`, or `None` at its end.
async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut byte = [0u8; 1];
    while !message.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        message.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&message).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    message.extend(body);
    Some(message)
}

async fn proxy(faults: Arc<Faults>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = moto::endpoint().trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (faults, upstream) = (faults.clone(), upstream.clone());
            tokio::spawn(async move {
                while let Some(request) = read_message(&mut client).await {
                    let head = String::from_utf8_lossy(&request).to_ascii_lowercase();
                    let target = WRITES
                        .iter()
                        .any(|w| head.contains(&format!("x-amz-target: {}", w.to_lowercase())));
                    let response = if target && faults.throttle_writes.load(Ordering::SeqCst) {
                        faults.throttled.fetch_add(1, Ordering::SeqCst);
                        let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
                        format!(
                            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-errortype: ThrottlingException\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                        .into_bytes()
                    } else {
                        let mut moto = TcpStream::connect(&upstream).await.unwrap();
                        moto.write_all(&request).await.unwrap();
                        read_message(&mut moto).await.unwrap()
                    };
                    if client.write_all(&response).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

async fn throttled_store() -> (DynamoStore, Arc<Faults>) {
    let faults = Arc::new(Faults::default());
    let url = proxy(faults.clone()).await;
    let table = moto::fresh_table(&moto::client()).await;
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .build();
    (
        DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), table),
        faults,
    )
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn throttled_writes_are_busy_and_leave_nothing_half_written() {
    let (store, faults) = throttled_store().await;
    let p = partnership("sefton-scp");
    let t = raised(
        "case-1",
        &actor("pat", "school", Role::Practitioner),
        "social-care",
        at("2026-11-23T10:00:00Z"),
    );

    faults.throttle_writes.store(true, Ordering::SeqCst);
    let refused = store.create_case(&p, &t, None).await;
    assert!(matches!(refused, Err(StoreError::Busy(_))), "{refused:?}");
    assert!(
        faults.throttled.load(Ordering::SeqCst) >= 2,
        "the SDK retried before giving up"
    );
    faults.throttle_writes.store(false, Ordering::SeqCst);
    assert_eq!(store.load_case(&p, &t.case.id).await.unwrap(), None);
    assert!(store.chronology(&p, &t.case.id).await.unwrap().is_empty());

    // Sent again once the throttling has passed, it is written whole.
    store.create_case(&p, &t, None).await.unwrap();
    let answered = respond(&t.case, at("2026-11-23T11:00:00Z"));
    faults.throttle_writes.store(true, Ordering::SeqCst);
    let refused = store.apply(&p, &answered).await;
    assert!(matches!(refused, Err(StoreError::Busy(_))), "{refused:?}");
    faults.throttle_writes.store(false, Ordering::SeqCst);
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap().as_ref(),
        Some(&t.case),
        "the throttled response changed nothing"
    );
    assert_eq!(
        store.chronology(&p, &t.case.id).await.unwrap(),
        t.events,
        "no event of the throttled response"
    );
    store.apply(&p, &answered).await.unwrap();
    assert_eq!(
        store.load_case(&p, &t.case.id).await.unwrap().as_ref(),
        Some(&answered.case)
    );
}
