//! What the benchmark binaries share.

use std::time::Duration;

/// The `p` quantile (0.0–1.0) of durations sorted ascending, by nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
