//! The path of illegal mining over the window: per day, the mean and the 10-90% band of the
//! national illegal load connected at the end of the day.
//!
//! Per day a fixed histogram of 1 MW bins (integer counts, exact merge) gives the 10th and
//! 90th percentiles to 1 MW; the mean is exact (integer sums). So that memory stays bounded
//! whatever the window and the largest illegal total (a 70-year window of 1,200 MW needed
//! 30 million bins, 247 MB per copy, several copies in a shard run), the bins widen to
//! whole MW when days x bins would exceed [`MAX_CELLS`]; a winter study keeps 1 MW bins.

use super::{Accumulator, HourView, SampleView};
use gridrisk_core::power::W_PER_MW;
use gridrisk_core::SystemModel;
use serde::Serialize;

/// Most histogram cells (days x bins) of the path: 8 MiB of counts, so that a shard file's two
/// states and `merge`'s reading of several shards stay within a few hundred MB.
pub const MAX_CELLS: usize = 1 << 20;

/// Accumulator of the illegal-mining path.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IllegalPath {
    days: usize,
    bins: usize,
    /// Width of a bin, whole MW (1 unless the window is long or the total very large).
    bin_mw: u64,
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
    /// 10th percentile per day, MW (to 1 MW, or a bin's width in long windows).
    pub p10_mw: Vec<f64>,
    /// 90th percentile per day, MW (to 1 MW, or a bin's width in long windows).
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
        IllegalPath::of(days, max_w)
    }

    /// An empty path of `days` days for illegal totals up to `max_w`.
    fn of(days: usize, max_w: i64) -> IllegalPath {
        // 1 MW bins from 0 to the largest total (and one above), unless too many cells.
        let mw_bins = (max_w / W_PER_MW + 2) as u64;
        let most_bins = (MAX_CELLS / days.max(1)).max(1) as u64;
        let bin_mw = mw_bins.div_ceil(most_bins);
        let bins = mw_bins.div_ceil(bin_mw) as usize;
        IllegalPath {
            days,
            bins,
            bin_mw,
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
                return (bin as u64 * self.bin_mw) as f64;
            }
        }
        ((self.bins - 1) as u64 * self.bin_mw) as f64
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
        let bin_w = self.bin_mw as i64 * W_PER_MW;
        for (d, &w) in by_day.iter().enumerate().take(self.days) {
            let bin = ((w + bin_w / 2) / bin_w).clamp(0, self.bins as i64 - 1) as usize;
            self.counts[d * self.bins + bin] += 1;
            self.sums_w[d] += i128::from(w);
        }
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(days: usize, max_mw: i64, by_day_mw: &[&[i64]]) -> IllegalPathResult {
        let mut p = IllegalPath::of(days, max_mw * W_PER_MW);
        for sample in by_day_mw {
            let by_day: Vec<i64> = sample.iter().map(|mw| mw * W_PER_MW).collect();
            p.end_sample(&SampleView {
                sample: 0,
                demand_wh: &[],
                illegal_by_day_w: Some(&by_day),
                charged_wh: &[],
                discharged_wh: &[],
                spilled_wh: &[],
                demand_response_wh: &[],
            });
        }
        p.finish()
    }

    #[test]
    fn a_winter_keeps_1_mw_bins() {
        let p = IllegalPath::of(120, 1200 * W_PER_MW);
        assert_eq!((p.bins, p.bin_mw), (1202, 1));
        let r = path(2, 1200, &[&[700, 3], &[701, 5], &[1200, 4]]);
        assert_eq!((r.p10_mw, r.p90_mw), (vec![700.0, 3.0], vec![1200.0, 5.0]));
    }

    #[test]
    fn long_windows_and_huge_totals_widen_the_bins_within_the_cell_bound() {
        for (days, max_mw) in [(25_687, 1200), (41_667, 100_000_000), (1, 100_000_000)] {
            let p = IllegalPath::of(days, max_mw * W_PER_MW);
            assert!(p.days * p.bins <= MAX_CELLS, "{days} days, {max_mw} MW");
            // Every total up to the largest still has a bin.
            assert!(p.bins as u64 * p.bin_mw > max_mw as u64, "{days} {max_mw}");
        }
        let p = IllegalPath::of(25_687, 1200 * W_PER_MW);
        assert_eq!((p.bin_mw, p.bins), (31, 39));
        // Percentiles come in whole bins of 31 MW: 700 MW rounds to 713 (bin 23).
        let r = path(25_687, 1200, &[&[700; 25_687]]);
        assert_eq!((r.p10_mw[0], r.p90_mw[25_686]), (713.0, 713.0));
        assert_eq!(r.mean_mw[0], 700.0);
    }
}
