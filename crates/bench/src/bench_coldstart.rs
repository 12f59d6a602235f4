//! Cold-start benchmark (not a timed test): process start to first response of a function
//! binary, with cargo-lambda's Runtime API emulator (`cargo lambda watch --only-lambda-apis`)
//! playing Lambda's part.
//!
//! usage: bench-coldstart --cargo-lambda PATH [--runs 30] [--event FILE] NAME=BINARY...
//! NAME is the binary's name in this workspace (cargo-lambda checks it), e.g.
//! `hello-lambda=target/lambda/hello-lambda/bootstrap cases=target/lambda/cases/bootstrap`.
//!
//! For each run and each binary, side by side: the event is queued as an invocation, the
//! binary is started (the clock starts at spawn), and the clock stops when cargo-lambda
//! relays the function's response. The first binary is the baseline of the ratio column.
//! Run 0 of each binary is a warm-up (it loads the file into the page cache) and is not
//! counted. Prints a Markdown table.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use escalations_bench::percentile;

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// `cargo lambda watch --only-lambda-apis` on a free port; killed (the child alone) on drop.
struct RuntimeApi {
    child: Child,
    port: u16,
}

impl RuntimeApi {
    fn start(cargo_lambda: &Path, workspace: &Path) -> RuntimeApi {
        let port = escalations_testkit::free_port();
        let child = Command::new(cargo_lambda)
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "-A",
                "127.0.0.1",
                "-P",
            ])
            .arg(port.to_string())
            .current_dir(workspace)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cargo lambda watch starts");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        RuntimeApi { child, port }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One cold start: queue the invocation, start the process, wait for its answer.
async fn cold_start(
    http: &reqwest::Client,
    api: &RuntimeApi,
    function: &str,
    binary: &Path,
    event: &str,
) -> Duration {
    let invoke = http
        .post(format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{function}/invocations",
            api.port
        ))
        .body(event.to_owned())
        .timeout(Duration::from_secs(30))
        .send();
    let pending = tokio::spawn(invoke);
    // Let the invocation reach the emulator's queue before the process exists.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let mut child = Command::new(binary)
        // cargo-lambda serves each function's Runtime API under its name.
        .env(
            "AWS_LAMBDA_RUNTIME_API",
            format!("http://127.0.0.1:{}/.rt/{function}", api.port),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_REGION", "eu-west-2")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("TABLE_NAME", "bench")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the function binary starts");
    let response = pending
        .await
        .expect("invoke task")
        .expect("the invocation is answered");
    let elapsed = started.elapsed();
    let status = response.status();
    let payload: serde_json::Value = response.json().await.expect("a JSON payload");
    let _ = child.kill();
    let _ = child.wait();
    assert!(status.is_success(), "{function}: {status} {payload}");
    let answered = payload.get("statusCode").and_then(|s| s.as_u64());
    assert_eq!(
        answered,
        Some(200),
        "{function} did not answer 200: {payload}"
    );
    elapsed
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo_lambda = PathBuf::from(
        flag(&args, "--cargo-lambda")
            .or_else(|| std::env::var("CARGO_LAMBDA").ok())
            .expect("--cargo-lambda PATH (or CARGO_LAMBDA)"),
    );
    let runs: usize = flag(&args, "--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let event_file = flag(&args, "--event")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("infra/events/procedure.json"));
    let event = std::fs::read_to_string(&event_file).expect("the event file");
    let binaries: Vec<(String, PathBuf)> = args
        .iter()
        .skip(1)
        .filter_map(|a| a.split_once('='))
        .map(|(name, path)| (name.to_owned(), PathBuf::from(path)))
        .collect();
    assert!(!binaries.is_empty(), "name at least one NAME=BINARY");

    let api = RuntimeApi::start(&cargo_lambda, &workspace);
    let http = reqwest::Client::new();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); binaries.len()];
    for run in 0..=runs {
        for (i, (name, binary)) in binaries.iter().enumerate() {
            let elapsed = cold_start(&http, &api, name, binary, &event).await;
            if run > 0 {
                times[i].push(elapsed);
            }
        }
    }

    println!(
        "| function | binary bytes | runs | min ms | p50 ms | p90 ms | max ms | p50 / baseline |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut baseline = None;
    for ((name, binary), times) in binaries.iter().zip(&mut times) {
        times.sort();
        let p50 = percentile(times, 0.5);
        let base = *baseline.get_or_insert(p50);
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {:.2} |",
            std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0),
            times.len(),
            ms(times[0]),
            ms(p50),
            ms(percentile(times, 0.9)),
            ms(times[times.len() - 1]),
            p50.as_secs_f64() / base.as_secs_f64()
        );
    }
}
