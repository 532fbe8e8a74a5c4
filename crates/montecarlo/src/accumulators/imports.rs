//! Energy imported per source beyond its schedule, and its curtailed scheduled export.
//!
//! Per sample and import source: X = Σ_h import (W x 1 h = Wh), where the import of an hour
//! is the least import that achieves the least shortfall, sources used in the scenario's
//! order (design section 2), beyond the source's schedule; C = Σ_h curtailed scheduled export
//! (hours with a curtailment are dispatched, so always recorded); and X + C, the random part
//! of the net import. The scheduled parts are deterministic, the same in every sample: the
//! result adds them exactly from the model ([`crate::result`]), so the gross import is
//! scheduled import + E[X] and the net import scheduled import − scheduled export +
//! E[X + C], each with the standard error of its random part.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::Estimate;
use gridrisk_core::power::W_PER_MW;

/// Accumulator of imported energy and curtailed scheduled export per source.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Imports {
    /// Import beyond the schedule, per source.
    beyond: Tally,
    /// Curtailed scheduled export, per source.
    curtailed: Tally,
    /// Import beyond the schedule plus curtailed scheduled export, per source.
    net_random: Tally,
    /// Whether any source has a schedule (otherwise `curtailed` and `net_random` are empty:
    /// the import beyond the schedule is the whole import, and nothing more is counted).
    scheduled: bool,
}

impl Imports {
    /// An empty accumulator for `sources` import sources, of which some have a schedule if
    /// `scheduled`.
    pub fn new(sources: usize, scheduled: bool) -> Imports {
        let with_schedules = if scheduled { sources } else { 0 };
        Imports {
            beyond: Tally::new(sources),
            curtailed: Tally::new(with_schedules),
            net_random: Tally::new(with_schedules),
            scheduled,
        }
    }

    /// Expected import of source `s` per sample beyond its schedule, MWh.
    pub fn import_mwh(&self, s: usize) -> Estimate {
        self.beyond.estimate(s, 1.0 / W_PER_MW as f64)
    }

    /// Expected curtailed scheduled export of source `s` per sample, MWh (only with
    /// schedules).
    pub fn export_curtailed_mwh(&self, s: usize) -> Estimate {
        self.curtailed.estimate(s, 1.0 / W_PER_MW as f64)
    }

    /// Expected import beyond the schedule plus curtailed scheduled export of source `s`
    /// per sample, MWh (the net import less its deterministic part; only with schedules).
    pub fn net_random_mwh(&self, s: usize) -> Estimate {
        self.net_random.estimate(s, 1.0 / W_PER_MW as f64)
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        let at = |name: &'static str| move |e: String| format!("{name}.{e}");
        self.beyond
            .checked_merge(&later.beyond)
            .map_err(at("beyond"))?;
        self.curtailed
            .checked_merge(&later.curtailed)
            .map_err(at("curtailed"))?;
        self.net_random
            .checked_merge(&later.net_random)
            .map_err(at("net_random"))
    }
}

impl Accumulator for Imports {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (s, &w) in hour.import_w.iter().enumerate() {
            self.beyond.add(s, w);
        }
        if self.scheduled {
            for (s, &w) in hour.import_w.iter().enumerate() {
                self.net_random.add(s, w);
            }
            for (s, &w) in hour.export_curtailed_w.iter().enumerate() {
                self.curtailed.add(s, w);
                self.net_random.add(s, w);
            }
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.beyond.end_sample();
        self.curtailed.end_sample();
        self.net_random.end_sample();
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}
