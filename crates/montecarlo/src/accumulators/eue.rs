//! Unserved energy: `eue_mwh` (expected unserved firm energy, EUE / EENS) and `neue_ppm`.
//!
//! Per sample and area: X = Σ_h unserved firm demand (W x 1 h = Wh), Y = firm demand energy
//! (Wh). `eue_mwh` = E[X] in MWh per sample; `neue_ppm` = E[X] / E[Y] x 1e6, a ratio of
//! means with a delta-method interval.

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use gridrisk_core::power::W_PER_MW;
use serde::Serialize;

/// Accumulator of unserved energy.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Eue {
    unserved_wh: Vec<i64>,
    prev_wh: Vec<i64>,
    sums: Vec<PairSums>,
}

/// Final estimates for one area.
#[derive(Clone, Debug, Serialize)]
pub struct EueResult {
    /// Expected unserved energy per sample, MWh.
    pub eue_mwh: Estimate,
    /// Unserved energy per unit of demand energy, parts per million.
    pub neue_ppm: Option<Estimate>,
}

impl Eue {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> Eue {
        Eue {
            unserved_wh: vec![0; areas],
            prev_wh: vec![0; areas],
            sums: vec![PairSums::default(); areas],
        }
    }

    /// Unserved energy of area `a` in the last sample recorded, watt-hours.
    pub fn last_wh(&self, a: usize) -> i64 {
        self.prev_wh[a]
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        super::merge_sums(&mut self.sums, &later.sums, "sums")
    }

    /// Final estimates for area `a`.
    pub fn finish(&self, a: usize) -> EueResult {
        EueResult {
            eue_mwh: self.sums[a].x().scaled(1.0 / W_PER_MW as f64).at_least(0.0),
            neue_ppm: self.sums[a].ratio().map(|r| r.scaled(1e6).at_least(0.0)),
        }
    }
}

impl Accumulator for Eue {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (acc, &short) in self.unserved_wh.iter_mut().zip(hour.short_w) {
            *acc += short;
        }
    }

    fn end_sample(&mut self, sample: &SampleView) {
        for (a, sums) in self.sums.iter_mut().enumerate() {
            sums.push(self.unserved_wh[a], sample.demand_wh[a]);
        }
        std::mem::swap(&mut self.unserved_wh, &mut self.prev_wh);
        self.unserved_wh.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eue_sums_watts_over_hours() {
        let mut acc = Eue::new(1);
        for (h, w) in [(0, 2_000_000), (1, 500_000)] {
            acc.record_hour(&HourView::short(h, &[w]));
        }
        acc.end_sample(&SampleView {
            sample: 0,
            demand_wh: &[10_000_000_000],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        });
        acc.end_sample(&SampleView {
            sample: 1,
            demand_wh: &[10_000_000_000],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        });
        let r = acc.finish(0);
        assert_eq!(r.eue_mwh.mean, 1.25);
        assert!((r.neue_ppm.unwrap().mean - 125.0).abs() < 1e-9);
    }
}
