//! A tap on the DynamoDB wire: a loopback proxy in front of moto that shows a [`Tap`] every
//! request and answer — to answer some requests itself (throttling, for the fault tests) or
//! to meter them (read and write units, for the cost benchmark). HTTP/1.1 with Content-Length
//! bodies only: what the SDK and moto speak.

use std::sync::Arc;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What sees the traffic. `op` is the operation (`TransactWriteItems`), `request` its body.
pub trait Tap: Send + Sync + 'static {
    /// Before the request goes to moto: a whole HTTP response to answer with instead.
    fn answer(&self, _op: &str, _request: &Value) -> Option<Vec<u8>> {
        None
    }
    /// Before forwarding (after `answer` declined): e.g. read an item a delete will remove.
    fn before(&self, _op: &str, _request: &Value) {}
    /// After moto answered.
    fn after(&self, _op: &str, _request: &Value, _answer: &Value) {}
}

/// DynamoDB's answer when it throttles: what the SDK retries, then gives up on.
pub fn throttling_response() -> Vec<u8> {
    let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
    format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-errortype: ThrottlingException\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// One HTTP/1.1 message (head and body) from `stream`; `None` at its end.
async fn read_message(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = head
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| l.strip_prefix("content-length:").map(str::to_owned))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    Some((head, body))
}

fn operation(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("x-amz-target")
                .then(|| value.trim().rsplit('.').next().unwrap_or("").to_owned())
        })
        .unwrap_or_default()
}

/// Starts the proxy in front of moto; answers its URL for the SDK's `endpoint_url`.
pub async fn tap(tap: Arc<dyn Tap>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let upstream = crate::moto::endpoint()
        .trim_start_matches("http://")
        .to_owned();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (tap, upstream) = (tap.clone(), upstream.clone());
            tokio::spawn(async move {
                while let Some((head, body)) = read_message(&mut client).await {
                    let op = operation(&head);
                    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let response = match tap.answer(&op, &request) {
                        Some(answer) => answer,
                        None => {
                            tap.before(&op, &request);
                            let mut moto = TcpStream::connect(&upstream).await.expect("moto");
                            moto.write_all(head.as_bytes()).await.expect("write");
                            moto.write_all(&body).await.expect("write");
                            let (answer_head, answer_body) =
                                read_message(&mut moto).await.expect("moto's answer");
                            let answer: Value =
                                serde_json::from_slice(&answer_body).unwrap_or(Value::Null);
                            tap.after(&op, &request, &answer);
                            [answer_head.into_bytes(), answer_body].concat()
                        }
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

/// Calls moto directly (not through the tap), for a tap that must read an item itself.
pub fn call_moto(op: &str, body: &Value) -> Value {
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nhost: moto\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.{op}\r\nauthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let upstream = crate::moto::endpoint().trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(upstream).expect("moto");
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("write");
    let mut answer = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut answer).expect("read");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |i| i + 4);
    serde_json::from_slice(&answer[split..]).unwrap_or(Value::Null)
}
