//! Energy imported per source: `import_mwh`.
//!
//! Per sample and import source: X = Σ_h import (W x 1 h = Wh), where the import of an hour
//! is the least import that achieves the least shortfall, sources used in the scenario's
//! order (design section 2). `import_mwh` = E[X] in MWh per sample.

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use gridrisk_core::power::W_PER_MW;

/// Accumulator of imported energy per source.
#[derive(Clone, Debug)]
pub struct Imports {
    imported_wh: Vec<i64>,
    sums: Vec<PairSums>,
}

impl Imports {
    /// An empty accumulator for `sources` import sources.
    pub fn new(sources: usize) -> Imports {
        Imports {
            imported_wh: vec![0; sources],
            sums: vec![PairSums::default(); sources],
        }
    }

    /// Expected import of source `s` per sample, MWh.
    pub fn import_mwh(&self, s: usize) -> Estimate {
        self.sums[s].x().scaled(1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for Imports {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (acc, &w) in self.imported_wh.iter_mut().zip(hour.import_w) {
            *acc += w;
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        for (sums, &wh) in self.sums.iter_mut().zip(&self.imported_wh) {
            sums.push(wh, 0);
        }
        self.imported_wh.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        for (a, b) in self.sums.iter_mut().zip(&later.sums) {
            a.merge(b);
        }
    }
}
