//! Regional tails (`"eue_distribution"."regions"` and `"event_tails"` in the result file):
//! each region's distribution of per-sample EUE, and per area (regions, then the system) the
//! distribution of a sample's worst event.
//!
//! * Per region, the log-histogram of per-sample EUE of [`EueDistribution`] (percentiles,
//!   CVaR95, E[X | X > VaR95], exceedance curve, worst hourly shortfall).
//! * Per sample and area: `peak` = the largest hourly shortfall of any event, in MW rounded
//!   **up** to a whole MW, and `longest` = the longest event (maximal run of shortfall hours,
//!   as in `lolf`), hours; 0 and 0 for a sample without a shortfall. Both go into exact
//!   integer histograms (occupied values and their sample counts), which merge exactly in any
//!   split and whose memory is bounded by the number of distinct values.
//!
//! A model with one region tracks only the system (its region's values are the system's):
//! that keeps a single-region run's per-sample work where it was.
//!
//! Because the peak is rounded up, "at least one event above X MW" (`peak_w > X MW`) is
//! exactly `ceil(peak) > X` for a whole X, so P(at least one event above X MW) and
//! P(at least one event longer than Y hours) are exact counts `k` of `n` samples, reported
//! with Wilson score intervals ([`Estimate::proportion`]).

use super::{Accumulator, EueDistribution, EueDistributionResult, HourView, SampleView};
use crate::estimators::Estimate;
use gridrisk_core::power::W_PER_MW;
use serde::Serialize;
use std::collections::BTreeMap;

/// Most points of an exceedance curve of the event tails.
pub const CURVE_POINTS: usize = 40;

/// Sample counts per whole value, as `[value, count]` pairs.
type Counts = BTreeMap<u64, u64>;

/// Accumulator of regional EUE distributions and per-area event tails.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Tails {
    /// Per region: the distribution of per-sample EUE (none with a single region).
    eue: Vec<EueDistribution>,
    /// Areas of the model not tracked (the first of `short_w`): 1 for a single region,
    /// whose values are the system's, 0 otherwise. Per-area vectors below hold the tracked
    /// areas.
    skip: usize,
    /// Per area, this sample: the largest hourly shortfall so far, watts.
    peak_w: Vec<i64>,
    /// Per area, this sample: the length of the current run of shortfall hours, and the
    /// longest so far, hours.
    run_h: Vec<u64>,
    longest_now_h: Vec<u64>,
    /// Per area, this sample: the last shortfall hour plus one (0: none yet).
    next_hour: Vec<usize>,
    /// Per area, the last sample recorded: its peak (whole MW rounded up) and longest event
    /// (hours), for paired differences (per-sample values, not kept in shard files).
    #[serde(skip)]
    last_peak_mw: Vec<u64>,
    #[serde(skip)]
    last_longest_h: Vec<u64>,
    /// Per area: samples per peak, whole MW rounded up.
    #[serde(with = "counts_text")]
    peak_mw: Vec<Counts>,
    /// Per area: samples per longest event, hours.
    #[serde(with = "counts_text")]
    longest_h: Vec<Counts>,
}

/// Serde for the histograms: per area, `[value, count]` pairs in increasing value.
mod counts_text {
    use super::Counts;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(areas: &[Counts], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(areas.iter().map(|c| c.iter().collect::<Vec<_>>()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Counts>, D::Error> {
        let areas = Vec::<Vec<(u64, u64)>>::deserialize(d)?;
        Ok(areas.into_iter().map(|a| a.into_iter().collect()).collect())
    }
}

/// The event tails of one area.
#[derive(Clone, Debug, Serialize)]
pub struct EventTailsResult {
    /// Largest hourly shortfall of any event of any sample, MW rounded up.
    pub worst_peak_mw: u64,
    /// Longest event of any sample, hours (written as an integer where it is whole).
    #[serde(serialize_with = "whole_as_integer")]
    pub longest_event_h: f64,
    /// `[mw, P(at least one event above mw MW)]`, increasing in mw, at most
    /// [`CURVE_POINTS`] points from 0 to the worst peak.
    pub peak_mw_exceedance: Vec<[f64; 2]>,
    /// `[h, P(at least one event longer than h hours)]`, as `peak_mw_exceedance`.
    pub duration_h_exceedance: Vec<[f64; 2]>,
    /// P(at least one event above X MW) for each X asked for.
    pub p_event_above_mw: Vec<Threshold>,
    /// P(at least one event longer than Y hours) for each Y asked for.
    pub p_event_longer_than_h: Vec<Threshold>,
}

impl EventTailsResult {
    /// The tails in hours from steps at `cal`'s steps per hour: the longest event, the
    /// duration curve's durations and the duration thresholds (asked for in hours and
    /// passed to [`Tails::finish`] in steps) divided; the same result at one-hour steps.
    pub fn per_hour(mut self, cal: &gridrisk_core::Calendar) -> EventTailsResult {
        self.longest_event_h = cal.per_hour(self.longest_event_h);
        for point in &mut self.duration_h_exceedance {
            point[0] = cal.per_hour(point[0]);
        }
        for t in &mut self.p_event_longer_than_h {
            t.above /= cal.steps_per_hour() as u64;
        }
        self
    }
}

/// A whole number as a JSON integer (as the hourly engine always wrote it), else a float.
fn whole_as_integer<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.fract() == 0.0 && (0.0..9.0e15).contains(x) {
        s.serialize_u64(*x as u64)
    } else {
        s.serialize_f64(*x)
    }
}

/// A probability at a threshold asked for.
#[derive(Clone, Debug, Serialize)]
pub struct Threshold {
    /// The threshold (MW or hours).
    pub above: u64,
    /// The probability with its Wilson score interval.
    pub p: Estimate,
}

/// Samples whose value exceeds `x`, and all samples.
fn above(counts: &Counts, x: u64) -> (u64, u64) {
    let n = counts.values().sum();
    let k = counts.range(x.saturating_add(1)..).map(|(_, &c)| c).sum();
    (k, n)
}

/// `[x, P(value > x)]` at 0 and at occupied values, at most [`CURVE_POINTS`] points (0, every
/// `ceil(m / (CURVE_POINTS - 2))`-th of the m occupied positive values, and the largest).
fn curve(counts: &Counts) -> Vec<[f64; 2]> {
    let n = counts.values().sum::<u64>().max(1) as f64;
    let positive = counts.range(1..).count();
    let step = positive.div_ceil(CURVE_POINTS - 2).max(1);
    // One pass up the values: `above` is the number of samples above the current value.
    let mut above: u64 = counts.range(1..).map(|(_, &c)| c).sum();
    let mut points = vec![[0.0, above as f64 / n]];
    for (i, (&v, &c)) in counts.range(1..).enumerate() {
        above -= c;
        if i % step == 0 || i + 1 == positive {
            points.push([v as f64, above as f64 / n]);
        }
    }
    points
}

impl Tails {
    /// An empty accumulator for `areas` areas (the last one the system).
    pub fn new(areas: usize) -> Tails {
        let skip = usize::from(areas == 2);
        let (regions, tracked) = (areas.saturating_sub(1 + skip), areas - skip);
        Tails {
            eue: vec![EueDistribution::default(); regions],
            skip,
            peak_w: vec![0; tracked],
            run_h: vec![0; tracked],
            longest_now_h: vec![0; tracked],
            next_hour: vec![0; tracked],
            last_peak_mw: vec![0; tracked],
            last_longest_h: vec![0; tracked],
            peak_mw: vec![Counts::new(); tracked],
            longest_h: vec![Counts::new(); tracked],
        }
    }

    /// The EUE distribution of region `r`; `None` for the single region of a model, whose
    /// distribution is the system's.
    pub fn eue_distribution(&self, r: usize) -> Option<EueDistributionResult> {
        self.eue.get(r).map(EueDistribution::finish)
    }

    /// The event tails of area `a`, with the probabilities of events above `mw` MW and longer
    /// than `hours` hours.
    pub fn finish(&self, a: usize, mw: &[u64], hours: &[u64]) -> EventTailsResult {
        let a = a.saturating_sub(self.skip);
        let at = |counts: &Counts, xs: &[u64]| {
            xs.iter()
                .map(|&x| {
                    let (k, n) = above(counts, x);
                    Threshold {
                        above: x,
                        p: Estimate::proportion(k, n),
                    }
                })
                .collect()
        };
        let last = |c: &Counts| c.keys().next_back().copied().unwrap_or(0);
        EventTailsResult {
            worst_peak_mw: last(&self.peak_mw[a]),
            longest_event_h: last(&self.longest_h[a]) as f64,
            peak_mw_exceedance: curve(&self.peak_mw[a]),
            duration_h_exceedance: curve(&self.longest_h[a]),
            p_event_above_mw: at(&self.peak_mw[a], mw),
            p_event_longer_than_h: at(&self.longest_h[a], hours),
        }
    }

    /// Whether area `a`'s last sample recorded had an event above `mw` MW, and one longer
    /// than `hours` hours (the indicators of [`Tails::finish`]'s probabilities).
    pub fn last_above(&self, a: usize, mw: u64, hours: u64) -> (bool, bool) {
        let a = a.saturating_sub(self.skip);
        (self.last_peak_mw[a] > mw, self.last_longest_h[a] > hours)
    }

    /// Add the histograms of a later block; on overflow, the path of the count.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        for (r, (d, l)) in self.eue.iter_mut().zip(&later.eue).enumerate() {
            d.checked_merge(l).map_err(|e| format!("eue[{r}].{e}"))?;
        }
        for (name, total, add) in [
            ("peak_mw", &mut self.peak_mw, &later.peak_mw),
            ("longest_h", &mut self.longest_h, &later.longest_h),
        ] {
            for (a, (t, l)) in total.iter_mut().zip(add).enumerate() {
                for (&v, &c) in l {
                    let count = t.entry(v).or_default();
                    *count = count
                        .checked_add(c)
                        .ok_or_else(|| format!("{name}[{a}] (value {v}): the sum overflows"))?;
                }
            }
        }
        Ok(())
    }

    /// Check histograms read from a file against its `samples`: each region's EUE histogram
    /// ([`EueDistribution::check`]), and per area each event histogram's counts positive and
    /// adding up to `samples`, with a peak of 0 MW exactly where the duration is 0 hours.
    /// The error names the JSON path.
    pub fn check(&self, samples: u64) -> Result<(), String> {
        for (r, d) in self.eue.iter().enumerate() {
            d.check(samples).map_err(|e| format!("eue[{r}].{e}"))?;
        }
        for (name, areas) in [("peak_mw", &self.peak_mw), ("longest_h", &self.longest_h)] {
            for (a, counts) in areas.iter().enumerate() {
                let mut seen: u64 = 0;
                for (&v, &c) in counts {
                    if c == 0 {
                        return Err(format!("{name}[{a}]: value {v} with no sample"));
                    }
                    seen = seen
                        .checked_add(c)
                        .ok_or_else(|| format!("{name}[{a}]: the counts overflow"))?;
                }
                if seen != samples {
                    return Err(format!(
                        "{name}[{a}]: {seen} samples, but the shard has {samples}"
                    ));
                }
            }
        }
        for (a, (p, l)) in self.peak_mw.iter().zip(&self.longest_h).enumerate() {
            if p.get(&0) != l.get(&0) {
                return Err(format!(
                    "peak_mw[{a}]: {} samples without a shortfall, but longest_h has {}",
                    p.get(&0).unwrap_or(&0),
                    l.get(&0).unwrap_or(&0)
                ));
            }
        }
        Ok(())
    }
}

impl Accumulator for Tails {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (d, &short) in self.eue.iter_mut().zip(hour.short_w) {
            d.record_w(short);
        }
        for (a, &short) in hour.short_w[self.skip..].iter().enumerate() {
            if short > 0 {
                self.run_h[a] = if self.next_hour[a] == hour.hour && hour.hour > 0 {
                    self.run_h[a] + 1
                } else {
                    1
                };
                self.next_hour[a] = hour.hour + 1;
                self.longest_now_h[a] = self.longest_now_h[a].max(self.run_h[a]);
                self.peak_w[a] = self.peak_w[a].max(short);
            }
        }
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.eue.iter_mut().for_each(EueDistribution::end);
        for a in 0..self.peak_w.len() {
            // Whole MW rounded up; a shortfall is positive and bounded when read.
            let peak_mw = (self.peak_w[a] as u64).div_ceil(W_PER_MW as u64);
            *self.peak_mw[a].entry(peak_mw).or_default() += 1;
            *self.longest_h[a].entry(self.longest_now_h[a]).or_default() += 1;
            self.last_peak_mw[a] = peak_mw;
            self.last_longest_h[a] = self.longest_now_h[a];
        }
        self.peak_w.fill(0);
        self.run_h.fill(0);
        self.longest_now_h.fill(0);
        self.next_hour.fill(0);
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(acc: &mut Tails) {
        acc.end_sample(&SampleView {
            sample: 0,
            demand_wh: &[0, 0, 0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        });
    }

    /// A sample given as (hour, shortfall of region 0 and the system in W), increasing hours.
    fn sample(acc: &mut Tails, hours: &[(usize, i64)]) {
        for &(h, w) in hours {
            acc.record_hour(&HourView::short(h, &[w, 0, w]));
        }
        end(acc);
    }

    fn samples() -> Vec<Vec<(usize, i64)>> {
        let mw = W_PER_MW;
        vec![
            vec![],
            // events of 3 h (peak 1000 MW exactly) and 1 h
            vec![(0, 5), (1, 1000 * mw), (2, 7), (9, 3)],
            // one event of 2 h, peak 1000.000001 MW: rounds up to 1001
            vec![(4, 1000 * mw + 1), (5, 1)],
            // two 1-hour events in adjacent-looking hours that are not consecutive
            vec![(10, 2 * mw), (12, 999 * mw)],
            vec![],
        ]
    }

    #[test]
    fn thresholds_are_exact_counts_of_per_sample_peaks_and_durations() {
        let mut acc = Tails::new(3);
        for s in samples() {
            sample(&mut acc, &s);
        }
        let r = acc.finish(2, &[0, 999, 1000, 1001], &[1, 2, 3]);
        // Brute force over the per-sample values.
        let peaks = [0, 1000, 1001, 999, 0];
        let longest = [0, 3, 2, 1, 0];
        for t in &r.p_event_above_mw {
            let k = peaks.iter().filter(|&&p| p > t.above).count() as u64;
            assert_eq!(t.p, Estimate::proportion(k, 5), "{t:?}");
        }
        for t in &r.p_event_longer_than_h {
            let k = longest.iter().filter(|&&d| d > t.above).count() as u64;
            assert_eq!(t.p, Estimate::proportion(k, 5), "{t:?}");
        }
        assert_eq!(
            r.p_event_above_mw[2].p.mean, 0.2,
            "only the 1000.000001 MW peak"
        );
        assert_eq!((r.worst_peak_mw, r.longest_event_h), (1001, 3.0));
        assert_eq!(r.duration_h_exceedance[0], [0.0, 0.6]);
        assert_eq!(*r.peak_mw_exceedance.last().unwrap(), [1001.0, 0.0]);
        // The region's EUE distribution: the same samples.
        let d = acc.eue_distribution(0).unwrap();
        assert!((d.worst_shortfall_mw - (1000.0 + 1e-6)).abs() < 1e-9);
        assert_eq!(acc.eue_distribution(1).unwrap().worst_shortfall_mw, 0.0);
        assert_eq!(acc.finish(1, &[0], &[]).p_event_above_mw[0].p.mean, 0.0);
        // A single region is the system: one set of histograms serves both.
        let mut single = Tails::new(2);
        for s in samples() {
            for &(h, w) in &s {
                single.record_hour(&HourView::short(h, &[w, w]));
            }
            end(&mut single);
        }
        assert!(single.eue_distribution(0).is_none());
        let q = (&[1000][..], &[2][..]);
        for a in 0..2 {
            assert_eq!(
                format!("{:?}", single.finish(a, q.0, q.1)),
                format!("{:?}", acc.finish(2, q.0, q.1))
            );
        }
    }

    #[test]
    fn merge_equals_one_pass_in_any_split() {
        let all = samples();
        let mut one = Tails::new(3);
        all.iter().for_each(|s| sample(&mut one, s));
        for split in 0..=all.len() {
            let (mut a, mut b) = (Tails::new(3), Tails::new(3));
            all[..split].iter().for_each(|s| sample(&mut a, s));
            all[split..].iter().for_each(|s| sample(&mut b, s));
            a.merge(&b);
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&one).unwrap()
            );
            assert!(a.check(all.len() as u64).is_ok());
        }
        let e = one.check(4).unwrap_err();
        assert!(
            e.contains("5 samples") && e.ends_with("but the shard has 4"),
            "{e}"
        );
    }

    #[test]
    fn curves_have_at_most_forty_points() {
        let mut acc = Tails::new(3);
        for x in 1..=500_i64 {
            sample(&mut acc, &[(0, x * W_PER_MW)]);
        }
        let r = acc.finish(2, &[], &[]);
        assert!(
            r.peak_mw_exceedance.len() <= CURVE_POINTS,
            "{}",
            r.peak_mw_exceedance.len()
        );
        assert_eq!(r.peak_mw_exceedance[0], [0.0, 1.0]);
        assert_eq!(*r.peak_mw_exceedance.last().unwrap(), [500.0, 0.0]);
        assert!(r
            .peak_mw_exceedance
            .windows(2)
            .all(|w| w[0][0] < w[1][0] && w[0][1] >= w[1][1]));
    }
}
