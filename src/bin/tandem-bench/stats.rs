//! Latency samples and their percentiles.

use std::time::Duration;

use serde::Serialize;

/// Percentiles of one run, in milliseconds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let total: Duration = samples.iter().sum();
        Self {
            samples: samples.len(),
            p50_ms: ms(nearest_rank(&samples, 0.50)),
            p99_ms: ms(nearest_rank(&samples, 0.99)),
            mean_ms: ms(total) / samples.len().max(1) as f64,
            max_ms: ms(samples.last().copied().unwrap_or_default()),
        }
    }
}

/// The smallest sample at or above the `p` quantile (the nearest-rank method).
fn nearest_rank(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = Latency::of(samples);
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms), (50.0, 99.0, 100.0));
        assert!((l.mean_ms - 50.5).abs() < 1e-9);
    }
}
