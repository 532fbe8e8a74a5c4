//! The path of illegal mining over the window: per day, the mean and the 10-90% band of the
//! national illegal load connected at the end of the day.
//!
//! Per day a fixed histogram of 1 MW bins (integer counts, exact merge) gives the 10th and
//! 90th percentiles to 1 MW; the mean is exact (integer sums).

use super::{Accumulator, HourView, SampleView};
use gridrisk_core::power::W_PER_MW;
use gridrisk_core::SystemModel;
use serde::Serialize;

/// Accumulator of the illegal-mining path.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IllegalPath {
    days: usize,
    bins: usize,
    counts: Vec<u64>,
    #[serde(with = "crate::estimators::wide::vec")]
    sums_w: Vec<i128>,
    samples: u64,
}

/// Mean and band per day, MW.
#[derive(Clone, Debug, Serialize)]
pub struct IllegalPathResult {
    /// Mean illegal load connected at the end of each day, MW.
    pub mean_mw: Vec<f64>,
    /// 10th percentile per day, MW (1 MW resolution).
    pub p10_mw: Vec<f64>,
    /// 90th percentile per day, MW (1 MW resolution).
    pub p90_mw: Vec<f64>,
}

impl IllegalPath {
    /// An empty path for `model` (no bins without illegal mining).
    pub fn new(model: &SystemModel) -> IllegalPath {
        let max_w = model
            .conditions()
            .mining
            .illegal
            .as_ref()
            .map_or(0, |i| i.max_w);
        let days = if max_w > 0 {
            model.calendar().days()
        } else {
            0
        };
        let bins = (max_w / W_PER_MW + 2) as usize;
        IllegalPath {
            days,
            bins,
            counts: vec![0; days * bins],
            sums_w: vec![0; days],
            samples: 0,
        }
    }

    /// Add the counts and sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        super::add_each(&mut self.counts, &later.counts, "counts", u64::checked_add)?;
        super::add_each(&mut self.sums_w, &later.sums_w, "sums_w", i128::checked_add)?;
        self.samples = (self.samples.checked_add(later.samples))
            .ok_or_else(|| "samples: the sum overflows".to_string())?;
        Ok(())
    }

    /// Whether the model has illegal mining to trace.
    pub fn is_empty(&self) -> bool {
        self.days == 0
    }

    fn quantile_mw(&self, day: usize, q: f64) -> f64 {
        let rank = (q * self.samples as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bin, &c) in self.counts[day * self.bins..(day + 1) * self.bins]
            .iter()
            .enumerate()
        {
            seen += c;
            if seen >= rank {
                return bin as f64;
            }
        }
        (self.bins - 1) as f64
    }

    /// Mean and band per day.
    pub fn finish(&self) -> IllegalPathResult {
        let n = self.samples.max(1) as f64;
        IllegalPathResult {
            mean_mw: self
                .sums_w
                .iter()
                .map(|&s| s as f64 / n / W_PER_MW as f64)
                .collect(),
            p10_mw: (0..self.days).map(|d| self.quantile_mw(d, 0.1)).collect(),
            p90_mw: (0..self.days).map(|d| self.quantile_mw(d, 0.9)).collect(),
        }
    }
}

impl Accumulator for IllegalPath {
    fn record_hour(&mut self, _: &HourView) {}

    fn end_sample(&mut self, sample: &SampleView) {
        let Some(by_day) = sample.illegal_by_day_w else {
            return;
        };
        if self.days == 0 {
            return;
        }
        self.samples += 1;
        for (d, &w) in by_day.iter().enumerate().take(self.days) {
            let bin = ((w + W_PER_MW / 2) / W_PER_MW).clamp(0, self.bins as i64 - 1) as usize;
            self.counts[d * self.bins + bin] += 1;
            self.sums_w[d] += i128::from(w);
        }
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}
