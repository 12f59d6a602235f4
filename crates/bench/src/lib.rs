//! What the benchmark binaries share.

use std::time::Duration;

/// The `p` quantile (0.0–1.0) of durations sorted ascending, by nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The value after `--name` on the command line, or `default`.
pub fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A demo person of the Sefton partnership's bearer token, from the local stack at `url`.
pub async fn sefton_token(http: &reqwest::Client, url: &str, person: &str) -> String {
    let body: serde_json::Value = http
        .get(format!(
            "{url}/dev/token?partnership=sefton&person={person}"
        ))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    body["token"].as_str().expect("a token").to_owned()
}
