//! What the benchmark binaries share.

use std::time::Duration;

use chrono::{DateTime, Utc};
use escalations_core::case::{Actor, Case, Child, Concern, RaiseRequest, Transition};
use escalations_core::ids::{AgencyId, CaseId, Text};
use escalations_core::{Calendar, Procedure};

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

/// The benchmarks' case: `case-{i}`, raised in `sefton` by `raiser` against Children's Social
/// Care at `at`, about a plainly fictional child.
pub fn sefton_raise(
    sefton: &Procedure,
    i: usize,
    raiser: &Actor,
    calendar: &Calendar,
    at: DateTime<Utc>,
) -> Transition {
    Case::raise(
        CaseId::parse(&format!("case-{i}")).expect("id"),
        sefton,
        calendar,
        raiser,
        RaiseRequest {
            receiving_agency: Some(AgencyId::parse("social-care").expect("id")),
            child: Some(Child {
                name: Text::parse("Bench Child").expect("text"),
                date_of_birth: None,
                address: None,
                child_protection_plan: false,
                in_care: false,
            }),
            concern: Concern {
                summary: Text::parse("Benchmark concern").expect("text"),
                reasons: vec![],
                level_of_need: Some(sefton.levels_of_need[0].id.clone()),
                desired_outcome: None,
                tried: None,
                other_reason: None,
            },
            immediate_risk: Some(false),
            agencies_asked: Vec::new(),
        },
        at,
    )
    .expect("a valid raise")
}
