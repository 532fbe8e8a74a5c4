//! EUE in parts: `eue_household_mwh`, `eue_illegal_mwh`, `eue_registered_mwh`.
//!
//! A region's firm shortfall in an hour is split pro rata to its firm demand's parts
//! (households and other firm load; illegal mining; registered mining served as firm load),
//! mining parts rounded down to the watt, households taking the rest, so the parts add up
//! to `eue_mwh` exactly. Each part is E[Σ_h part] in MWh per sample.

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use gridrisk_core::power::W_PER_MW;

/// Accumulator of EUE parts per area.
#[derive(Clone, Debug)]
pub struct EueParts {
    current: Vec<[i64; 3]>,
    prev: Vec<[i64; 3]>,
    sums: Vec<[PairSums; 3]>,
}

/// The parts, in output order.
pub const PARTS: [&str; 3] = ["eue_household_mwh", "eue_illegal_mwh", "eue_registered_mwh"];

impl EueParts {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> EueParts {
        EueParts {
            current: vec![[0; 3]; areas],
            prev: vec![[0; 3]; areas],
            sums: vec![[PairSums::default(); 3]; areas],
        }
    }

    /// The parts of area `a` in the last sample recorded, watt-hours.
    pub fn last_wh(&self, a: usize) -> [i64; 3] {
        self.prev[a]
    }

    /// Part `k` (in [`PARTS`] order) of area `a`, MWh per sample.
    pub fn part_mwh(&self, a: usize, k: usize) -> Estimate {
        self.sums[a][k].x().scaled(1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for EueParts {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (a, cur) in self.current.iter_mut().enumerate() {
            let (illegal, registered) = (hour.short_illegal_w[a], hour.short_registered_w[a]);
            cur[0] += hour.short_w[a] - illegal - registered;
            cur[1] += illegal;
            cur[2] += registered;
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        for (sums, cur) in self.sums.iter_mut().zip(&self.current) {
            for k in 0..3 {
                sums[k].push(cur[k], 0);
            }
        }
        std::mem::swap(&mut self.current, &mut self.prev);
        self.current.fill([0; 3]);
    }

    fn merge(&mut self, later: &Self) {
        for (a, b) in self.sums.iter_mut().zip(&later.sums) {
            for k in 0..3 {
                a[k].merge(&b[k]);
            }
        }
    }
}
