//! Results by calendar month of the study clock (`"monthly"` in the result file): per area
//! and month, LOLE (h), EUE (MWh) and events (`lolf`), each a mean per sample with its
//! interval.
//!
//! Per sample, area and month m: hours with a shortfall in m, unserved energy (Wh) in m, and
//! the events (maximal runs of shortfall hours, as in `lolf`) whose **first** hour is in m.
//! Every shortfall hour and every event falls in exactly one month, so the months' integer
//! sums add up exactly to the window's (`lole_h`, `eue_mwh`, `lolf`). Only a window given by
//! dates has months; a window given in hours has none (the accumulator is then empty).

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use gridrisk_core::power::W_PER_MW;
use gridrisk_core::Calendar;
use serde::Serialize;

/// Accumulator of shortfall hours, events and unserved energy per area and month.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Monthly {
    /// Calendar months of the window, `(year, month)`, in order.
    months: Vec<(i32, u32)>,
    /// Index into `months` of each hour of the window (derived from the calendar, not kept
    /// in shard files).
    #[serde(skip)]
    month_of_hour: Vec<u16>,
    /// Per area, this sample: the last shortfall hour plus one (0: none yet).
    next_hour: Vec<usize>,
    /// Per (area, month), this sample: shortfall hours, events, unserved energy (Wh).
    hours: Vec<i64>,
    events: Vec<i64>,
    unserved_wh: Vec<i64>,
    /// The same three of the last sample recorded, for paired differences (per-sample
    /// values, not state: not kept in shard files).
    #[serde(skip)]
    last_hours: Vec<i64>,
    #[serde(skip)]
    last_events: Vec<i64>,
    #[serde(skip)]
    last_unserved_wh: Vec<i64>,
    /// Per (area, month): sums of (hours, events) and of (unserved Wh, 0).
    hours_events: Vec<PairSums>,
    eue: Vec<PairSums>,
}

/// One month's estimates for one area.
#[derive(Clone, Debug, Serialize)]
pub struct MonthResult {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Expected shortfall hours in the month per sample.
    pub lole_h: Estimate,
    /// Expected unserved energy in the month per sample, MWh.
    pub eue_mwh: Estimate,
    /// Expected events starting in the month per sample.
    pub lolf: Estimate,
}

impl Monthly {
    /// An empty accumulator for `areas` areas over `calendar`'s months (none for a window
    /// without dates).
    pub fn new(areas: usize, calendar: &Calendar) -> Monthly {
        let (mut months, mut month_of_hour) = (Vec::new(), Vec::new());
        if let Some(start) = calendar.start() {
            for h in 0..calendar.hours() {
                let d = start.plus_days(calendar.day(h) as i64);
                if months.last() != Some(&(d.year, d.month)) {
                    months.push((d.year, d.month));
                }
                month_of_hour.push((months.len() - 1) as u16);
            }
        }
        let cells = areas * months.len();
        Monthly {
            months,
            month_of_hour,
            next_hour: vec![0; if cells > 0 { areas } else { 0 }],
            hours: vec![0; cells],
            events: vec![0; cells],
            unserved_wh: vec![0; cells],
            last_hours: vec![0; cells],
            last_events: vec![0; cells],
            last_unserved_wh: vec![0; cells],
            hours_events: vec![PairSums::default(); cells],
            eue: vec![PairSums::default(); cells],
        }
    }

    /// True for a window without months.
    pub fn is_empty(&self) -> bool {
        self.months.is_empty()
    }

    /// The calendar months of the window, `(year, month)`, in order.
    pub fn months(&self) -> &[(i32, u32)] {
        &self.months
    }

    /// Shortfall hours, events and unserved energy (Wh) of area `a` in month `i` of the
    /// last sample recorded.
    pub fn last(&self, a: usize, i: usize) -> [i64; 3] {
        let cell = a * self.months.len() + i;
        [
            self.last_hours[cell],
            self.last_events[cell],
            self.last_unserved_wh[cell],
        ]
    }

    /// The months' estimates of area `a`, in calendar order.
    pub fn finish(&self, a: usize) -> Vec<MonthResult> {
        let m = self.months.len();
        self.months
            .iter()
            .enumerate()
            .map(|(i, &(year, month))| {
                let (he, eue) = (&self.hours_events[a * m + i], &self.eue[a * m + i]);
                MonthResult {
                    month: format!("{year:04}-{month:02}"),
                    lole_h: he.x().at_least(0.0),
                    eue_mwh: eue.x().scaled(1.0 / W_PER_MW as f64).at_least(0.0),
                    lolf: he.y().at_least(0.0),
                }
            })
            .collect()
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        super::merge_sums(&mut self.hours_events, &later.hours_events, "hours_events")?;
        super::merge_sums(&mut self.eue, &later.eue, "eue")
    }

    /// The sums of area `a` and month `i`: (hours and events, unserved Wh) (tests).
    #[cfg(test)]
    fn sums(&self, a: usize, i: usize) -> (PairSums, PairSums) {
        let m = self.months.len();
        (self.hours_events[a * m + i], self.eue[a * m + i])
    }
}

impl Accumulator for Monthly {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        if self.months.is_empty() {
            return;
        }
        let (m, month) = (
            self.months.len(),
            usize::from(self.month_of_hour[hour.hour]),
        );
        for (a, &short) in hour.short_w.iter().enumerate() {
            if short > 0 {
                let cell = a * m + month;
                self.unserved_wh[cell] += short;
                let (hours, events) = (&mut self.hours[cell], &mut self.events[cell]);
                super::count_short_hour(&mut self.next_hour[a], hour.hour, hours, events);
            }
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        for (cell, he) in self.hours_events.iter_mut().enumerate() {
            he.push(self.hours[cell], self.events[cell]);
            self.eue[cell].push(self.unserved_wh[cell], 0);
        }
        // Keep this sample's values for paired differences (a swap: no allocation).
        std::mem::swap(&mut self.hours, &mut self.last_hours);
        std::mem::swap(&mut self.events, &mut self.last_events);
        std::mem::swap(&mut self.unserved_wh, &mut self.last_unserved_wh);
        self.hours.fill(0);
        self.events.fill(0);
        self.unserved_wh.fill(0);
        self.next_hour.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accumulators::{Eue, Lole};
    use gridrisk_core::calendar::Date;

    #[test]
    fn months_add_up_to_the_window_exactly() {
        // 30 Nov to 2 Dec: hours 0..24 in November, 24..72 in December.
        let cal = Calendar::from_dates(
            Date::new(2021, 11, 30).unwrap(),
            Date::new(2021, 12, 2).unwrap(),
            0,
        );
        let (mut monthly, mut lole, mut eue) = (Monthly::new(2, &cal), Lole::new(2), Eue::new(2));
        let samples: [&[(usize, i64)]; 3] = [
            // an event from 22:00 on 30 Nov to 01:00 on 1 Dec counts in November
            &[(22, 5), (23, 7), (24, 11), (25, 13), (40, 1)],
            &[],
            &[(0, 3), (71, 2)],
        ];
        for s in samples {
            for &(h, w) in s {
                let short = [w, w];
                let view = HourView::short(h, &short);
                monthly.record_hour(&view);
                lole.record_hour(&view);
                eue.record_hour(&view);
            }
            let end = SampleView {
                sample: 0,
                demand_wh: &[0, 0],
                illegal_by_day_w: None,
                charged_wh: &[],
                discharged_wh: &[],
                spilled_wh: &[],
                demand_response_wh: &[],
            };
            monthly.end_sample(&end);
            lole.end_sample(&end);
            eue.end_sample(&end);
        }
        let r = monthly.finish(1);
        assert_eq!(
            r.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(),
            ["2021-11", "2021-12"]
        );
        // November: 2 + 0 + 1 hours, 1 + 0 + 1 events; December: 3 + 0 + 1 hours, 1 event.
        assert_eq!((r[0].lole_h.mean, r[0].lolf.mean), (1.0, 2.0 / 3.0));
        assert_eq!((r[1].lole_h.mean, r[1].lolf.mean), (4.0 / 3.0, 2.0 / 3.0));
        // The exact integer sums: months add up to the window's, per area.
        let sum =
            |v: serde_json::Value, key: &str| -> i128 { v[key].as_str().unwrap().parse().unwrap() };
        let json = |p: &PairSums| serde_json::to_value(p).unwrap();
        let (lole, eue) = (
            serde_json::to_value(&lole).unwrap(),
            serde_json::to_value(&eue).unwrap(),
        );
        for a in 0..2 {
            let (nov, dec) = (monthly.sums(a, 0), monthly.sums(a, 1));
            let window = &lole["hours_events"][a];
            for key in ["sx", "sy"] {
                assert_eq!(
                    sum(json(&nov.0), key) + sum(json(&dec.0), key),
                    sum(window.clone(), key)
                );
            }
            assert_eq!(
                sum(json(&nov.1), "sx") + sum(json(&dec.1), "sx"),
                sum(eue["sums"][a].clone(), "sx")
            );
            assert_eq!(sum(json(&nov.1), "sx"), 5 + 7 + 3);
        }
    }

    #[test]
    fn a_window_in_hours_has_no_months() {
        let m = Monthly::new(3, &Calendar::from_hours(8760, 0, 0));
        assert!(m.is_empty());
        assert!(m.hours_events.is_empty() && m.next_hour.is_empty());
    }
}
