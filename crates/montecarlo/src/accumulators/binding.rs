//! Hours in which a line limits the system: `binding_h`.
//!
//! Per sample and line: X = number of hours in which one more MW of the line's limit (in
//! either direction) would lower the system's least firm shortfall. `binding_h` = E[X],
//! hours per sample. A line that binds is where more transfer capacity would buy security;
//! line flows themselves are not unique and are not reported.

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};

/// Accumulator of binding hours per line.
#[derive(Clone, Debug)]
pub struct Binding {
    hours: Vec<i64>,
    sums: Vec<PairSums>,
}

impl Binding {
    /// An empty accumulator for `lines` lines.
    pub fn new(lines: usize) -> Binding {
        Binding {
            hours: vec![0; lines],
            sums: vec![PairSums::default(); lines],
        }
    }

    /// Expected binding hours of line `l` per sample.
    pub fn binding_h(&self, l: usize) -> Estimate {
        self.sums[l].x()
    }
}

impl Accumulator for Binding {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (acc, &b) in self.hours.iter_mut().zip(hour.binding) {
            *acc += i64::from(b);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        for (sums, &h) in self.sums.iter_mut().zip(&self.hours) {
            sums.push(h, 0);
        }
        self.hours.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        for (a, b) in self.sums.iter_mut().zip(&later.sums) {
            a.merge(b);
        }
    }
}
