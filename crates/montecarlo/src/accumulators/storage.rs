//! Storage indices per area: `storage_charged_mwh`, `storage_discharged_mwh`,
//! `storage_at_event_mwh` and, with generator-storage, `storage_spilled_mwh`.
//!
//! Per sample and area: C = Σ_h energy drawn from the grid by the area's storage devices
//! while charging, D = Σ_h energy they give to the grid while discharging (Wh; 1 W for an
//! hour is 1 Wh), and, over the area's shortfall events (maximal runs of consecutive hours
//! in which the area is short), S = Σ_events the energy stored in the area's devices at
//! the start of the event's first hour (before its carry-over loss) and N = the number of
//! events. `storage_charged_mwh` = E[C] and `storage_discharged_mwh` = E[D], MWh per
//! sample; `storage_at_event_mwh` = E[S] / E[N], the mean stored energy at the start of a
//! shortfall event (a ratio of means, with a delta-method interval; absent without events).
//! `storage_spilled_mwh` = E[P], P = Σ_h the inflow of the area's generator-storages that
//! neither the grid injection limit nor the store could take (Wh).
//! The system's devices are all devices; its events are the system's. At steps shorter
//! than an hour the sums are in watt-steps (`crate::storage`, "Time steps"), converted to
//! MWh by `crate::result` as unserved energy is.

use super::tally::Tally;
use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use gridrisk_core::power::W_PER_MW;

/// Accumulator of the storage indices.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StorageUse {
    charged: Tally,
    discharged: Tally,
    spilled: Tally,
    /// Per area: this sample's Σ stored energy at event starts and event count.
    at_event_wh: Vec<i64>,
    events: Vec<i64>,
    /// Per area: the last hour in which it was short in this sample, plus one (0: none).
    last_short: Vec<usize>,
    at_event: Vec<PairSums>,
}

impl StorageUse {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> StorageUse {
        StorageUse {
            charged: Tally::new(areas),
            discharged: Tally::new(areas),
            spilled: Tally::new(areas),
            at_event_wh: vec![0; areas],
            events: vec![0; areas],
            last_short: vec![0; areas],
            at_event: vec![PairSums::default(); areas],
        }
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        let at = |name: &'static str| move |e: String| format!("{name}.{e}");
        self.charged
            .checked_merge(&later.charged)
            .map_err(at("charged"))?;
        self.discharged
            .checked_merge(&later.discharged)
            .map_err(at("discharged"))?;
        self.spilled
            .checked_merge(&later.spilled)
            .map_err(at("spilled"))?;
        super::merge_sums(&mut self.at_event, &later.at_event, "at_event")
    }

    /// Expected energy charged by area `a`'s devices per sample, MWh.
    pub fn charged_mwh(&self, a: usize) -> Estimate {
        self.charged.estimate(a, 1.0 / W_PER_MW as f64)
    }

    /// Expected energy discharged by area `a`'s devices per sample, MWh.
    pub fn discharged_mwh(&self, a: usize) -> Estimate {
        self.discharged.estimate(a, 1.0 / W_PER_MW as f64)
    }

    /// Expected inflow spilled by area `a`'s generator-storages per sample, MWh.
    pub fn spilled_mwh(&self, a: usize) -> Estimate {
        self.spilled.estimate(a, 1.0 / W_PER_MW as f64)
    }

    /// Mean energy stored in area `a`'s devices at the start of its shortfall events,
    /// MWh; `None` if no sample had an event.
    pub fn at_event_mwh(&self, a: usize) -> Option<Estimate> {
        self.at_event[a]
            .ratio()
            .map(|r| r.scaled(1.0 / W_PER_MW as f64).at_least(0.0))
    }
}

impl Accumulator for StorageUse {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        if hour.stored_wh.is_empty() {
            return;
        }
        for (a, &short) in hour.short_w.iter().enumerate() {
            if short > 0 {
                if self.last_short[a] == 0 || self.last_short[a] != hour.hour {
                    self.at_event_wh[a] += hour.stored_wh[a];
                    self.events[a] += 1;
                }
                self.last_short[a] = hour.hour + 1;
            }
        }
    }

    fn end_sample(&mut self, sample: &SampleView) {
        if sample.charged_wh.is_empty() {
            return;
        }
        for a in 0..self.events.len() {
            self.charged.add(a, sample.charged_wh[a]);
            self.discharged.add(a, sample.discharged_wh[a]);
            self.at_event[a].push(self.at_event_wh[a], self.events[a]);
        }
        if !sample.spilled_wh.is_empty() {
            for (a, &w) in sample.spilled_wh.iter().enumerate() {
                self.spilled.add(a, w);
            }
        }
        self.charged.end_sample();
        self.discharged.end_sample();
        self.spilled.end_sample();
        self.at_event_wh.fill(0);
        self.events.fill(0);
        self.last_short.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two events in one sample (hours 3-4 and 7), one in the next; energies per area.
    #[test]
    fn stored_energy_at_event_starts_and_energy_totals() {
        let mut acc = StorageUse::new(1);
        let hour = |h: usize, stored: &'static [i64]| HourView {
            stored_wh: stored,
            ..HourView::short(h, &[5])
        };
        acc.record_hour(&hour(3, &[10_000_000]));
        acc.record_hour(&hour(4, &[4_000_000]));
        acc.record_hour(&hour(7, &[2_000_000]));
        let end = |c: &'static [i64], d: &'static [i64]| SampleView {
            sample: 0,
            demand_wh: &[0],
            illegal_by_day_w: None,
            charged_wh: c,
            discharged_wh: d,
            spilled_wh: &[],
            demand_response_wh: &[],
        };
        acc.end_sample(&end(&[3_000_000], &[8_000_000]));
        acc.record_hour(&hour(0, &[0]));
        acc.end_sample(&end(&[1_000_000], &[0]));
        assert_eq!(acc.charged_mwh(0).mean, 2.0);
        assert_eq!(acc.discharged_mwh(0).mean, 4.0);
        // (10 + 2 + 0) MWh over 3 events.
        assert!((acc.at_event_mwh(0).unwrap().mean - 4.0).abs() < 1e-12);
    }
}
