//! Per-sample totals of several series (one per area, import source or line), folded into
//! exact cross-sample sums: the machinery shared by the additive indices.
//!
//! During a sample, [`Tally::add`] adds to series `i`; at its end, [`Tally::end_sample`]
//! pushes every series' total into its [`PairSums`] and keeps it as the last sample's value
//! (paired comparisons read it with [`Tally::last`]).

use crate::estimators::{Estimate, PairSums};

/// Per-sample totals of `n` series and their cross-sample sums.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    current: Vec<i64>,
    last: Vec<i64>,
    sums: Vec<PairSums>,
}

impl Tally {
    /// An empty tally of `n` series.
    pub fn new(n: usize) -> Tally {
        Tally {
            current: vec![0; n],
            last: vec![0; n],
            sums: vec![PairSums::default(); n],
        }
    }

    /// Add `value` to series `i` in the current sample.
    #[inline]
    pub fn add(&mut self, i: usize, value: i64) {
        self.current[i] += value;
    }

    /// Close the sample: fold every series' total into its sums.
    pub fn end_sample(&mut self) {
        for (sums, &total) in self.sums.iter_mut().zip(&self.current) {
            sums.push(total, 0);
        }
        std::mem::swap(&mut self.current, &mut self.last);
        self.current.fill(0);
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Tally) -> Result<(), String> {
        super::merge_sums(&mut self.sums, &later.sums, "sums")
    }

    /// Mean and standard error of series `i`'s per-sample total, times `factor`; totals
    /// are never negative, nor is the interval's lower end.
    pub fn estimate(&self, i: usize, factor: f64) -> Estimate {
        self.sums[i].x().scaled(factor).at_least(0.0)
    }

    /// Series `i`'s total in the last sample closed.
    pub fn last(&self, i: usize) -> i64 {
        self.last[i]
    }
}
