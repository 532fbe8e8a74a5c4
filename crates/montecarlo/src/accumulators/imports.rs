//! Energy imported per source: `import_mwh`.
//!
//! Per sample and import source: X = Σ_h import (W x 1 h = Wh), where the import of an hour
//! is the least import that achieves the least shortfall, sources used in the scenario's
//! order (design section 2). `import_mwh` = E[X] in MWh per sample.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;
use gridrisk_core::power::W_PER_MW;

/// Accumulator of imported energy per source.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Imports(pub(super) Tally);

impl Imports {
    /// An empty accumulator for `sources` import sources.
    pub fn new(sources: usize) -> Imports {
        Imports(Tally::new(sources))
    }

    /// Expected import of source `s` per sample, MWh.
    pub fn import_mwh(&self, s: usize) -> Estimate {
        self.0.estimate(s, 1.0 / W_PER_MW as f64)
    }
}

impl Accumulator for Imports {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (s, &w) in hour.import_w.iter().enumerate() {
            self.0.add(s, w);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.0.end_sample();
    }

    fn merge(&mut self, later: &Self) {
        self.0.checked_merge(&later.0).expect(super::IN_BOUNDS);
    }
}
