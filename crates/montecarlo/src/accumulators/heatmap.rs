//! Shortfall probability by hour of day and study week (`"heatmap"` in the result file).
//!
//! Cell (h, w) = share of (sample, day) pairs in study week w whose hour h of the day has a
//! system shortfall. Counts are integers; the probability is formed in `finish`.

use super::{Accumulator, HourView, SampleView};
use gridrisk_core::Calendar;
use serde::Serialize;

/// Accumulator of system shortfall hours per (hour of day, study week) cell.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Heatmap {
    weeks: usize,
    counts: Vec<u64>,
    cell_hours: Vec<u64>,
    samples: u64,
}

/// The finished heatmap.
#[derive(Clone, Debug, Serialize)]
pub struct HeatmapResult {
    /// Row labels: hour of day 0..24 on the study clock.
    pub hours_of_day: usize,
    /// Column labels: study weeks 0..weeks.
    pub weeks: usize,
    /// `p[hour_of_day][week]`: probability of a system shortfall in that cell.
    pub p: Vec<Vec<f64>>,
}

impl Heatmap {
    /// An empty heatmap over `calendar`'s hours.
    pub fn new(calendar: &Calendar) -> Heatmap {
        let weeks = calendar.weeks();
        let mut cell_hours = vec![0; 24 * weeks];
        for h in 0..calendar.hours() {
            cell_hours[calendar.hour_of_day(h) * weeks + calendar.study_week(h)] += 1;
        }
        Heatmap {
            weeks,
            counts: vec![0; 24 * weeks],
            cell_hours,
            samples: 0,
        }
    }

    /// Add the counts of a later block; on overflow, the path of the count.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        super::add_each(&mut self.counts, &later.counts, "counts", u64::checked_add)?;
        self.samples = (self.samples.checked_add(later.samples))
            .ok_or_else(|| "samples: the sum overflows".to_string())?;
        Ok(())
    }

    /// The probabilities per cell.
    pub fn finish(&self) -> HeatmapResult {
        let p = (0..24)
            .map(|hod| {
                (0..self.weeks)
                    .map(|w| {
                        let i = hod * self.weeks + w;
                        let trials = self.cell_hours[i] * self.samples;
                        if trials == 0 {
                            0.0
                        } else {
                            self.counts[i] as f64 / trials as f64
                        }
                    })
                    .collect()
            })
            .collect();
        HeatmapResult {
            hours_of_day: 24,
            weeks: self.weeks,
            p,
        }
    }
}

impl Accumulator for Heatmap {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        if hour.short_w.last().is_some_and(|&s| s > 0) {
            self.counts[hour.hour_of_day * self.weeks + hour.week] += 1;
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.samples += 1;
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}
