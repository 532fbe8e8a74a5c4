//! Use of each rank of the ladder of last resorts: `used_h`, `used_mwh` and `used_d` per
//! rank.
//!
//! Per sample and rank: H = hours in which the rank is used (its total use > 0), E = energy
//! used, the sum over hours of its use (MWh: import taken, interruptible demand not served,
//! voltage reduction or appeals called), D = days with at least one such hour (GE MARS's
//! count of days on which an emergency operating procedure is called). `used_h` = E[H],
//! `used_mwh` = E[E], `used_d` = E[D], per sample. Empty without a ladder.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;

/// Series of one rank in the tally: hours, energy (Wh), days.
const SERIES: usize = 3;

/// Accumulator of the use of each rank.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LadderUse {
    tally: Tally,
    /// Per rank: the last day of the current sample on which it was used, plus one (0:
    /// none yet).
    day_used: Vec<u64>,
}

impl LadderUse {
    /// An empty accumulator for `ranks` ranks.
    pub fn new(ranks: usize) -> LadderUse {
        LadderUse {
            tally: Tally::new(SERIES * ranks),
            day_used: vec![0; ranks],
        }
    }

    /// Expected hours of use of rank `k` per sample.
    pub fn used_h(&self, k: usize) -> Estimate {
        self.tally.estimate(SERIES * k, 1.0)
    }

    /// Expected energy used of rank `k` per sample, MWh.
    pub fn used_mwh(&self, k: usize) -> Estimate {
        self.tally.estimate(SERIES * k + 1, 1e-6)
    }

    /// Expected days of use of rank `k` per sample.
    pub fn used_d(&self, k: usize) -> Estimate {
        self.tally.estimate(SERIES * k + 2, 1.0)
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &LadderUse) -> Result<(), String> {
        self.tally.checked_merge(&later.tally)
    }
}

impl Accumulator for LadderUse {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (k, &w) in hour.rank_use_w.iter().enumerate() {
            if w > 0 {
                self.tally.add(SERIES * k, 1);
                self.tally.add(SERIES * k + 1, w);
                let day = hour.day as u64 + 1;
                if self.day_used[k] != day {
                    self.day_used[k] = day;
                    self.tally.add(SERIES * k + 2, 1);
                }
            }
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.tally.end_sample();
        self.day_used.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hours_energy_and_days_per_rank() {
        let mut acc = LadderUse::new(2);
        let sample = SampleView {
            sample: 0,
            demand_wh: &[],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        };
        // Sample 1: rank 0 in hours 1 and 2 (day 0) and 30 (day 1), rank 1 in hour 2;
        // sample 2: nothing.
        for (h, use_w) in [
            (1, [5_000_000, 0]),
            (2, [1_000_000, 2_000_000]),
            (30, [3_000_000, 0]),
        ] {
            acc.record_hour(&HourView {
                rank_use_w: &use_w,
                stored_wh: &[],
                ..HourView::short(h, &[0, 0])
            });
        }
        acc.end_sample(&sample);
        acc.end_sample(&sample);
        let mut later = acc.clone();
        later.merge(&LadderUse::new(2));
        assert_eq!(acc.used_h(0).mean, 1.5);
        assert_eq!(acc.used_mwh(0).mean, 4.5);
        assert_eq!(acc.used_d(0).mean, 1.0);
        assert_eq!(acc.used_h(1).mean, 0.5);
        assert_eq!(acc.used_mwh(1).mean, 1.0);
        assert_eq!(acc.used_d(1).mean, 0.5);
        assert_eq!(later.used_d(0).mean, 1.0);
        assert!(acc.used_h(0).se > 0.0);
    }
}
