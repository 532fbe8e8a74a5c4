//! Loss-of-load hours and events: `lole_h`, `lolf`, `lold_h`, `p_shortfall`.
//!
//! Per sample and area: X = number of hours with unserved firm demand > 0 W, and
//! Y = number of events, maximal runs of consecutive shortfall hours (the window is not
//! cyclic: a run that starts in hour 0 counts once, a run cut by the end of the window
//! counts once).
//!
//! * `lole_h` = E[X], hours per sample (h/yr for RTS-79, h/winter for a winter study);
//! * `lolf` = E[Y], events per sample;
//! * `lold_h` = E[X] / E[Y], mean event duration in hours (ratio of means, delta-method
//!   interval); absent when no event was seen;
//! * `p_shortfall` = P(X > 0), the share of samples with at least one shortfall hour
//!   (Wilson score interval).
//!
//! Intervals stay inside each index's range; see [`crate::estimators`].

use super::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums};
use serde::Serialize;

/// Accumulator of shortfall hours and events.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Lole {
    hours: Vec<i64>,
    events: Vec<i64>,
    /// Per area, this sample: the last shortfall hour plus one ([`NEVER`]: none yet).
    #[serde(rename = "last_short")]
    next_hour: Vec<usize>,
    prev_hours: Vec<i64>,
    prev_events: Vec<i64>,
    hours_events: Vec<PairSums>,
    any: Vec<PairSums>,
}

/// Final estimates for one area.
#[derive(Clone, Debug, Serialize)]
pub struct LoleResult {
    /// Expected shortfall hours per sample.
    pub lole_h: Estimate,
    /// Expected shortfall events per sample.
    pub lolf: Estimate,
    /// Mean event duration, hours (ratio of means).
    pub lold_h: Option<Estimate>,
    /// Probability that a sample has a shortfall hour.
    pub p_shortfall: Estimate,
}

const NEVER: usize = usize::MAX;

impl Lole {
    /// An empty accumulator for `areas` areas.
    pub fn new(areas: usize) -> Lole {
        Lole {
            hours: vec![0; areas],
            events: vec![0; areas],
            next_hour: vec![NEVER; areas],
            prev_hours: vec![0; areas],
            prev_events: vec![0; areas],
            hours_events: vec![PairSums::default(); areas],
            any: vec![PairSums::default(); areas],
        }
    }

    /// Number of areas.
    pub fn areas(&self) -> usize {
        self.hours.len()
    }

    /// Samples recorded.
    pub fn samples(&self) -> u64 {
        self.hours_events[0].n()
    }

    /// LOLE of area `a`, hours per sample.
    pub fn lole_h(&self, a: usize) -> Estimate {
        self.hours_events[a].x()
    }

    /// Shortfall hours and events of area `a` in the last sample recorded.
    pub fn last(&self, a: usize) -> (i64, i64) {
        (self.prev_hours[a], self.prev_events[a])
    }

    /// The number of samples in which area `a` had a shortfall: what its shortfall
    /// indices rest on.
    pub fn shortfall_samples(&self, a: usize) -> u64 {
        self.any[a].count()
    }

    /// Events of area `a` in all samples recorded (the sum behind `lolf`).
    pub fn events_total(&self, a: usize) -> i128 {
        self.hours_events[a].sum_y()
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        super::merge_sums(&mut self.hours_events, &later.hours_events, "hours_events")?;
        super::merge_sums(&mut self.any, &later.any, "any")
    }

    /// Final estimates for area `a`.
    pub fn finish(&self, a: usize) -> LoleResult {
        let k = self.shortfall_samples(a);
        let sums = &self.hours_events[a];
        LoleResult {
            lole_h: sums.x().at_least(0.0).resting_on(k, false),
            lolf: sums.y().at_least(0.0).resting_on(k, false),
            // An event lasts at least one hour.
            lold_h: sums.ratio().map(|r| r.at_least(1.0).resting_on(k, true)),
            p_shortfall: Estimate::proportion(k, self.any[a].n()),
        }
    }
}

impl Accumulator for Lole {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (a, &short) in hour.short_w.iter().enumerate() {
            if short > 0 {
                let (hours, events) = (&mut self.hours[a], &mut self.events[a]);
                super::count_short_hour(&mut self.next_hour[a], hour.hour, hours, events);
            }
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        for a in 0..self.hours.len() {
            self.hours_events[a].push(self.hours[a], self.events[a]);
            self.any[a].push(i64::from(self.hours[a] > 0), 1);
        }
        std::mem::swap(&mut self.hours, &mut self.prev_hours);
        std::mem::swap(&mut self.events, &mut self.prev_events);
        self.hours.fill(0);
        self.events.fill(0);
        self.next_hour.fill(NEVER);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::Z95;

    #[test]
    fn runs_of_hours_are_events() {
        let mut acc = Lole::new(1);
        let end = SampleView {
            sample: 0,
            demand_wh: &[0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        };
        // sample 1: hours 0,1,2 and 5 short -> 4 h, 2 events
        for h in [0, 1, 2, 5] {
            acc.record_hour(&HourView::short(h, &[1]));
        }
        acc.end_sample(&end);
        // sample 2: hour 5 and hour 6 short, then hour 8 -> 3 h, 2 events
        for h in [5, 6, 8] {
            acc.record_hour(&HourView::short(h, &[1]));
        }
        acc.end_sample(&end);
        // sample 3: nothing
        acc.end_sample(&end);
        let r = acc.finish(0);
        assert!((r.lole_h.mean - 7.0 / 3.0).abs() < 1e-15);
        assert!((r.lolf.mean - 4.0 / 3.0).abs() < 1e-15);
        assert!((r.lold_h.unwrap().mean - 7.0 / 4.0).abs() < 1e-15);
        assert!((r.p_shortfall.mean - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn zero_shortfall_in_an_area_is_not_an_hour() {
        let mut acc = Lole::new(2);
        acc.record_hour(&HourView::short(3, &[0, 5]));
        acc.end_sample(&SampleView {
            sample: 0,
            demand_wh: &[0, 0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        });
        assert_eq!(acc.finish(0).lole_h.mean, 0.0);
        assert_eq!(acc.finish(1).lole_h.mean, 1.0);
        assert!(acc.finish(0).lold_h.is_none());
    }

    #[test]
    fn intervals_stay_in_range_with_few_shortfall_samples() {
        let end = SampleView {
            sample: 0,
            demand_wh: &[0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        };
        // One sample of 100 with a single 5-hour event: the normal interval of lole_h would
        // go below 0, and the delta-method interval of lold_h would have width 0.
        let mut acc = Lole::new(1);
        for h in 10..15 {
            acc.record_hour(&HourView::short(h, &[1]));
        }
        acc.end_sample(&end);
        (0..99).for_each(|_| acc.end_sample(&end));
        let r = acc.finish(0);
        assert!(r.lole_h.mean - Z95 * r.lole_h.se < 0.0);
        assert_eq!(r.lole_h.ci95[0], 0.0);
        assert_eq!(r.lolf.ci95[0], 0.0);
        assert_eq!(r.lole_h.few_samples, Some(1));
        let lold = r.lold_h.unwrap();
        assert_eq!(lold.mean, 5.0);
        assert!(lold.se.is_nan(), "{lold:?}");
        assert!(r.p_shortfall.ci95[0] > 0.0 && r.p_shortfall.ci95[1] < 0.06);

        // Every sample short: P(shortfall) = 1, and its interval ends at 1.
        let mut acc = Lole::new(1);
        for _ in 0..200 {
            acc.record_hour(&HourView::short(0, &[1]));
            acc.end_sample(&end);
        }
        let r = acc.finish(0);
        assert_eq!(r.p_shortfall.mean, 1.0);
        assert_eq!(r.p_shortfall.ci95[1], 1.0);
        assert!(r.p_shortfall.ci95[0] > 0.98);
        assert_eq!(r.lole_h.few_samples, None);
        assert!(r.lold_h.unwrap().ci95[0] >= 1.0);
    }
}
