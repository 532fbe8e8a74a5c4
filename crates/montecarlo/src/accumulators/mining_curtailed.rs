//! Registered mining curtailed: `mining_curtailed_mwh`.
//!
//! Interruptible registered mining is curtailed before any firm load in a scarce hour; its
//! curtailed energy is reported here, not as EUE. A region's curtailment of interruptible
//! demand is split pro rata between registered mining and other interruptible load (a
//! scheduled export), mining rounded down to the watt. E[Σ_h curtailed mining] in MWh per
//! sample.

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use gridrisk_core::power::W_PER_MW;

/// Accumulator of curtailed registered mining per area.
#[derive(Clone, Debug)]
pub struct MiningCurtailed {
    current: Vec<i64>,
    prev: Vec<i64>,
    sums: Vec<PairSums>,
}

impl MiningCurtailed {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> MiningCurtailed {
        MiningCurtailed {
            current: vec![0; areas],
            prev: vec![0; areas],
            sums: vec![PairSums::default(); areas],
        }
    }

    /// Registered mining curtailed in area `a` in the last sample recorded, watt-hours.
    pub fn last_wh(&self, a: usize) -> i64 {
        self.prev[a]
    }

    /// Registered mining curtailed in area `a`, MWh per sample.
    pub fn mwh(&self, a: usize) -> Estimate {
        self.sums[a].x().scaled(1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for MiningCurtailed {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (cur, &w) in self.current.iter_mut().zip(hour.mining_curtailed_w) {
            *cur += w;
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        for (sums, &cur) in self.sums.iter_mut().zip(&self.current) {
            sums.push(cur, 0);
        }
        std::mem::swap(&mut self.current, &mut self.prev);
        self.current.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        for (a, b) in self.sums.iter_mut().zip(&later.sums) {
            a.merge(b);
        }
    }
}
