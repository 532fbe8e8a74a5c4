//! Hours in which a corridor limits the system: `binding_h` per corridor.
//!
//! A corridor is a named set of lines (`[[corridors]]`). Per sample and corridor: X = number
//! of hours in which one more MW on every line of the set (in both directions) would lower
//! the system's least firm shortfall. `binding_h` = E[X], hours per sample. Unlike a line's
//! `binding_h`, which tests one line at a time, this sees limits that bind together: two
//! lines into a region that are both full bind as a corridor even where neither binds alone
//! (another route would carry one line's extra MW up to the other's limit). A corridor that
//! contains a binding line binds.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;

/// Accumulator of binding hours per corridor.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Corridors(pub(super) Tally);

impl Corridors {
    /// An empty accumulator for `corridors` corridors.
    pub fn new(corridors: usize) -> Corridors {
        Corridors(Tally::new(corridors))
    }

    /// Expected binding hours of corridor `c` per sample.
    pub fn binding_h(&self, c: usize) -> Estimate {
        self.0.estimate(c, 1.0)
    }
}

impl Accumulator for Corridors {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (c, &b) in hour.corridor_binding.iter().enumerate() {
            self.0.add(c, i64::from(b));
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.0.end_sample();
    }

    fn merge(&mut self, later: &Self) {
        self.0.checked_merge(&later.0).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_binding_hours_per_corridor_and_sample() {
        let mut acc = Corridors::new(2);
        let sample = SampleView {
            sample: 0,
            demand_wh: &[],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        };
        // Sample 1: corridor 0 binds in two hours, corridor 1 in one; sample 2: none.
        for binds in [[true, false], [true, true]] {
            acc.record_hour(&HourView {
                corridor_binding: &binds,
                ..HourView::short(0, &[1, 1])
            });
        }
        acc.end_sample(&sample);
        acc.end_sample(&sample);
        let mut later = acc.clone();
        acc.merge(&later.clone());
        later.merge(&Corridors::new(2));
        assert_eq!(acc.binding_h(0).mean, 1.0);
        assert_eq!(acc.binding_h(1).mean, 0.5);
        assert_eq!(later.binding_h(0).mean, 1.0);
        assert!(acc.binding_h(0).se > 0.0);
    }
}
