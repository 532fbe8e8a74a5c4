//! Loss-of-load days: `lole_d`, expected days per sample with at least one shortfall hour.
//!
//! Days are the calendar days of the study clock (hours `24 d .. 24 d + 24`). This is the
//! simulated quantity; the classical daily-peak LOLE of the analytic mode (`lole_d_peak`,
//! days on which the daily peak load exceeds capacity) is a different one.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;
use serde::Serialize;

/// Accumulator of days with a shortfall.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LoleDays {
    days: Tally,
    last_day: Vec<usize>,
}

/// Final estimate for one area.
#[derive(Clone, Debug, Serialize)]
pub struct LoleDaysResult {
    /// Expected days with a shortfall hour per sample.
    pub lole_d: Estimate,
}

impl LoleDays {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> LoleDays {
        LoleDays {
            days: Tally::new(areas),
            last_day: vec![usize::MAX; areas],
        }
    }

    /// Shortfall days of area `a` in the last sample recorded.
    pub fn last(&self, a: usize) -> i64 {
        self.days.last(a)
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        (self.days.checked_merge(&later.days)).map_err(|e| format!("days.{e}"))
    }

    /// Final estimate for area `a`.
    pub fn finish(&self, a: usize) -> LoleDaysResult {
        LoleDaysResult {
            lole_d: self.days.estimate(a, 1.0),
        }
    }
}

impl Accumulator for LoleDays {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (a, &short) in hour.short_w.iter().enumerate() {
            if short > 0 && self.last_day[a] != hour.day {
                self.days.add(a, 1);
                self.last_day[a] = hour.day;
            }
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.days.end_sample();
        self.last_day.fill(usize::MAX);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_hours_of_one_day_count_once() {
        let mut acc = LoleDays::new(1);
        for h in [1, 2, 23, 24, 50] {
            acc.record_hour(&HourView::short(h, &[3]));
        }
        acc.end_sample(&SampleView {
            sample: 0,
            demand_wh: &[0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        });
        assert_eq!(acc.finish(0).lole_d.mean, 3.0);
    }
}
