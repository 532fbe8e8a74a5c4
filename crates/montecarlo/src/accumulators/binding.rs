//! Hours in which a line limits the system: `binding_h`.
//!
//! Per sample and line: X = number of hours in which one more MW of the line's limit (in
//! either direction) would lower the system's least firm shortfall. `binding_h` = E[X],
//! hours per sample. A line that binds is where more transfer capacity would buy security;
//! line flows themselves are not unique and are not reported. The test is one line at a
//! time: where two limits bind together, neither binds alone.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;

/// Accumulator of binding hours per line.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Binding(pub(super) Tally);

impl Binding {
    /// An empty accumulator for `lines` lines.
    pub fn new(lines: usize) -> Binding {
        Binding(Tally::new(lines))
    }

    /// Expected binding hours of line `l` per sample.
    pub fn binding_h(&self, l: usize) -> Estimate {
        self.0.estimate(l, 1.0)
    }
}

impl Accumulator for Binding {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (l, &b) in hour.binding.iter().enumerate() {
            self.0.add(l, i64::from(b));
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.0.end_sample();
    }

    fn merge(&mut self, later: &Self) {
        self.0.checked_merge(&later.0).expect(super::IN_BOUNDS);
    }
}
