//! Imports over the window: the mean import of each source on each day, MW.
//!
//! Per source and study day: the sum over samples of the energy imported that day (Wh,
//! exact), divided at the end by the samples and the day's hours. Memory is sources x days.

use super::{Accumulator, HourView, SampleView};
use gridrisk_core::power::W_PER_MW;
use gridrisk_core::Calendar;

/// Accumulator of imported energy per source and day.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ImportPath {
    days: usize,
    day_hours: Vec<u32>,
    #[serde(with = "crate::estimators::wide::vec")]
    sums_wh: Vec<i128>,
    samples: u64,
}

impl ImportPath {
    /// An empty accumulator for `sources` sources over `calendar`'s days.
    pub fn new(sources: usize, calendar: &Calendar) -> ImportPath {
        let days = calendar.days();
        let mut day_hours = vec![0; days];
        for h in 0..calendar.hours() {
            day_hours[calendar.day(h)] += 1;
        }
        ImportPath {
            days,
            day_hours,
            sums_wh: vec![0; sources * days],
            samples: 0,
        }
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        super::add_each(
            &mut self.sums_wh,
            &later.sums_wh,
            "sums_wh",
            i128::checked_add,
        )?;
        self.samples = (self.samples.checked_add(later.samples))
            .ok_or_else(|| "samples: the sum overflows".to_string())?;
        Ok(())
    }

    /// Mean import of source `s` on each day, MW.
    pub fn mean_mw_by_day(&self, s: usize) -> Vec<f64> {
        let n = self.samples.max(1) as f64;
        (0..self.days)
            .map(|d| {
                self.sums_wh[s * self.days + d] as f64
                    / n
                    / f64::from(self.day_hours[d].max(1))
                    / W_PER_MW as f64
            })
            .collect()
    }
}

impl Accumulator for ImportPath {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (s, &w) in hour.import_w.iter().enumerate() {
            self.sums_wh[s * self.days + hour.day] += i128::from(w);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.samples += 1;
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}
