//! Registered mining curtailed: `mining_curtailed_mwh`.
//!
//! Interruptible registered mining is curtailed before any firm load in a scarce hour; its
//! curtailed energy is reported here, not as EUE. A region's curtailment of interruptible
//! demand is split pro rata between registered mining and other interruptible load (a
//! scheduled export), mining rounded down to the watt. E[Σ_h curtailed mining] in MWh per
//! sample.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;
use gridrisk_core::power::W_PER_MW;

/// Accumulator of curtailed registered mining per area.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct MiningCurtailed(pub(super) Tally);

impl MiningCurtailed {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> MiningCurtailed {
        MiningCurtailed(Tally::new(areas))
    }

    /// Registered mining curtailed in area `a` in the last sample recorded, watt-hours.
    pub fn last_wh(&self, a: usize) -> i64 {
        self.0.last(a)
    }

    /// Registered mining curtailed in area `a`, MWh per sample.
    pub fn mwh(&self, a: usize) -> Estimate {
        self.0.estimate(a, 1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for MiningCurtailed {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (a, &w) in hour.mining_curtailed_w.iter().enumerate() {
            self.0.add(a, w);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.0.end_sample();
    }

    fn merge(&mut self, later: &Self) {
        self.0.checked_merge(&later.0).expect(super::IN_BOUNDS);
    }
}
