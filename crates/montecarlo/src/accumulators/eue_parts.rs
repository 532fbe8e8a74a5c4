//! EUE in parts: `eue_household_mwh`, `eue_illegal_mwh`, `eue_registered_mwh`.
//!
//! A region's firm shortfall in an hour is split pro rata to its firm demand's parts
//! (households and other firm load; illegal mining; registered mining served as firm load),
//! mining parts rounded down to the watt, households taking the rest, so the parts add up
//! to `eue_mwh` exactly. Each part is E[Σ_h part] in MWh per sample.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;
use gridrisk_core::power::W_PER_MW;

/// The parts, in output order.
pub const PARTS: [&str; 3] = ["eue_household_mwh", "eue_illegal_mwh", "eue_registered_mwh"];

/// Accumulator of EUE parts per area: series `3 a + k` is part `k` of area `a`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EueParts(pub(super) Tally);

impl EueParts {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> EueParts {
        EueParts(Tally::new(3 * areas))
    }

    /// The parts of area `a` in the last sample recorded, watt-hours.
    pub fn last_wh(&self, a: usize) -> [i64; 3] {
        [
            self.0.last(3 * a),
            self.0.last(3 * a + 1),
            self.0.last(3 * a + 2),
        ]
    }

    /// Part `k` (in [`PARTS`] order) of area `a`, MWh per sample.
    pub fn part_mwh(&self, a: usize, k: usize) -> Estimate {
        self.0.estimate(3 * a + k, 1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for EueParts {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for a in 0..hour.short_w.len() {
            let (illegal, registered) = (hour.short_illegal_w[a], hour.short_registered_w[a]);
            self.0.add(3 * a, hour.short_w[a] - illegal - registered);
            self.0.add(3 * a + 1, illegal);
            self.0.add(3 * a + 2, registered);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.0.end_sample();
    }

    fn merge(&mut self, later: &Self) {
        self.0.checked_merge(&later.0).expect(super::IN_BOUNDS);
    }
}
