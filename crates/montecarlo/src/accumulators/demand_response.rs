//! Demand response indices per area: `dr_borrowed_mwh`, `dr_paid_back_mwh` and
//! `dr_unserved_payback_mwh` (named as the storage indices, `storage_*_mwh`).
//!
//! Per sample and area: B = Σ_h load shed by the area's devices while borrowing, P = Σ_h
//! load they add back while paying back, U = Σ_h their unserved debt (above the energy
//! capacity after interest, or not repaid when the payback counter runs out or the window
//! ends), Wh (1 W for an hour is 1 Wh). `dr_borrowed_mwh` = E[B], `dr_paid_back_mwh` =
//! E[P], `dr_unserved_payback_mwh` = E[U], MWh per sample. U is also part of the area's
//! EUE (see `crate::demand_response`). The system's devices are all devices. At steps
//! shorter than an hour the sums are in watt-steps, converted to MWh by `crate::result`.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;
use gridrisk_core::power::W_PER_MW;

/// The quantities, in [`SampleView::demand_response_wh`] order.
const PARTS: usize = 3;

/// Accumulator of the demand response indices.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DemandResponseUse {
    /// Borrowed, paid back and unserved, each per area.
    parts: [Tally; PARTS],
    areas: usize,
}

impl DemandResponseUse {
    /// An empty accumulator for `areas` areas (0 for a model without demand response:
    /// then it keeps nothing).
    pub fn new(areas: usize) -> DemandResponseUse {
        DemandResponseUse {
            parts: std::array::from_fn(|_| Tally::new(areas)),
            areas,
        }
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        for (k, (p, q)) in self.parts.iter_mut().zip(&later.parts).enumerate() {
            p.checked_merge(q).map_err(|e| format!("parts[{k}].{e}"))?;
        }
        Ok(())
    }

    /// Expected load borrowed by area `a`'s devices per sample, MWh.
    pub fn borrowed_mwh(&self, a: usize) -> Estimate {
        self.parts[0].estimate(a, 1.0 / W_PER_MW as f64)
    }

    /// Expected load paid back by area `a`'s devices per sample, MWh.
    pub fn paid_back_mwh(&self, a: usize) -> Estimate {
        self.parts[1].estimate(a, 1.0 / W_PER_MW as f64)
    }

    /// Expected unserved debt of area `a`'s devices per sample, MWh.
    pub fn unserved_payback_mwh(&self, a: usize) -> Estimate {
        self.parts[2].estimate(a, 1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for DemandResponseUse {
    #[inline]
    fn record_hour(&mut self, _hour: &HourView) {}

    fn end_sample(&mut self, sample: &SampleView) {
        // Without demand response there are no series (and no sample counts to keep).
        if self.areas == 0 {
            return;
        }
        let totals = sample.demand_response_wh;
        for (k, part) in self.parts.iter_mut().enumerate() {
            for a in 0..self.areas {
                part.add(a, totals[k * self.areas + a]);
            }
            part.end_sample();
        }
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two samples of one region (areas: the region and the system).
    #[test]
    fn per_sample_totals_by_area() {
        let mut acc = DemandResponseUse::new(2);
        let end = |totals: &'static [i64]| SampleView {
            sample: 0,
            demand_wh: &[0, 0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: totals,
        };
        acc.end_sample(&end(&[
            4_000_000, 4_000_000, 3_000_000, 3_000_000, 1_000_000, 1_000_000,
        ]));
        acc.end_sample(&end(&[0, 0, 1_000_000, 1_000_000, 0, 0]));
        assert_eq!(acc.borrowed_mwh(1).mean, 2.0);
        assert_eq!(acc.paid_back_mwh(0).mean, 2.0);
        assert_eq!(acc.unserved_payback_mwh(1).mean, 0.5);
    }
}
